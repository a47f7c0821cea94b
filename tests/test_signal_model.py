"""The trained signals coder (pipeline/stages/signal_model.py) on real sentences and its shipped model file."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.stages import signal_model, signals

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _seed_sentence(fragment: str) -> str:
    for path in sorted(SEEDS.glob("*.txt")):
        for _, _, sentence in signals.nlp.iter_sentences(path.read_text(encoding="utf-8")):
            if fragment in sentence:
                return sentence
    raise AssertionError(f"no seed sentence holds {fragment!r}")


def test_split_is_by_document_and_train_only_feeds_the_model():
    train, test = signal_model.load_corpus("train"), signal_model.load_corpus("test")
    assert len(train) > 2000 and len(test) > 500
    assert not {r["doc"] for r in train} & {r["doc"] for r in test}
    for row in train[:300] + test[:300]:
        for event in row["events"]:
            assert row["text"][event["start"]:event["end"]] == event["trigger"]


def test_shipped_model_is_what_training_on_the_train_split_gives(tmp_path):
    """Seeded and deterministic: a fresh training on the train split reproduces data/signal_model.npz."""
    out = tmp_path / "model.npz"
    summary = signal_model.train(signal_model.load_corpus("train"), list(signals.load_categories()), out=out)
    assert summary["sentences"] == len(signal_model.load_corpus("train"))
    with np.load(out, allow_pickle=False) as fresh, np.load(signal_model.MODEL_PATH, allow_pickle=False) as shipped:
        assert sorted(fresh.files) == sorted(shipped.files)
        for key in fresh.files:
            assert np.array_equal(fresh[key], shipped[key]), key
    assert signal_model.MODEL_PATH.stat().st_size < 5_000_000


def test_model_finds_the_categories_the_lexicon_lacks_in_seed_sentences():
    aid = _seed_sentence("pushed for more supplies of heavy weapons to Ukraine")
    assert "military_aid" in dict(signal_model.predict(aid))
    tension = _seed_sentence("Tensions with Russia had recently increased again")
    assert "tension_state" in dict(signal_model.predict(tension))


def test_sport_and_market_sentences_give_no_model_events():
    sport = "Liverpool attacked relentlessly and the visitors' defence finally cracked in the 89th minute."
    market = "Oil prices rose after OPEC said it would cut supplies, lifting energy shares in London."
    for sentence in (sport, market):
        assert signal_model.model_events(sentence, signals._model_only_categories()) == []


def test_every_signal_carries_a_confidence_and_model_rows_point_at_a_word():
    model_rows = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        rows = signals.extract(text)
        assert rows and all(0.0 <= r["confidence"] <= 1.0 for r in rows)
        model_rows += [(text, r) for r in rows if r["root_lemma"] == ""]   # the coder's rows have no parse of their own
    assert model_rows
    for text, r in model_rows:
        assert text[r["start"]:r["end"]] == r["cue"] and r["cue"].isalpha()
        assert r["evidence"][r["start"] - r["sentence_start"]:r["end"] - r["sentence_start"]] == r["cue"]
        assert r["modality"] in signals.MODALITIES and r["confidence"] >= signal_model.THRESHOLD


def test_model_rows_take_their_modality_from_the_parse():
    """Speech acts and negation as the scheme codes them (modality rules on the parse, not the n-gram model)."""
    sentence = "Kyiv said Russian forces shelled the city overnight."
    start = sentence.index("shelled")
    assert signals.event_modality(sentence, start, start + len("shelled")) == "reported"
