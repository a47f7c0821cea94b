"""Analyst corrections of signals on the seed store: stored, applied on read at once, kept through run and retag,
exported, and used as training data."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import corrections, run
from pipeline.read import tension
from pipeline.read.tables import load_tables

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT / "seeds"


@pytest.fixture
def store_dir(seed_store, tmp_path):
    shutil.copytree(seed_store, tmp_path / "store")
    return tmp_path / "store"


def signal(tables, cue_start: str, category: str) -> dict:
    """The seed signal of ``category`` whose sentence starts with ``cue_start``."""
    s = tables["signals"]
    rows = s.loc[(s["category"] == category) & s["evidence"].str.startswith(cue_start)]
    assert len(rows) == 1, rows[["category", "cue", "evidence"]]
    return rows.iloc[0].to_dict()


EXPULSION = ("At the beginning of the month, NATO withdrew", "diplomatic_expulsion")   # seeds/000


def test_a_signal_marked_wrong_is_gone_from_every_table_and_the_index_at_once(store_dir):
    before = load_tables(store_dir)
    wrong = signal(before, *EXPULSION)
    corrections.add(store_dir, "wrong", wrong["article_id"], wrong["start"], wrong["end"], original=wrong,
                    note="the accreditation was withdrawn by NATO, but I code it elsewhere")
    after = load_tables(store_dir)
    assert len(after["signals"]) == len(before["signals"]) - 1
    assert not ((after["signals"]["start"] == wrong["start"]) & (after["signals"]["article_id"] == wrong["article_id"])).any()
    assert tension.balance(after["signals"])["net"] == pytest.approx(
        tension.balance(before["signals"])["net"] - wrong["score"], abs=0.01)
    assert list(after["signal_corrections"]["action"]) == ["wrong"]


def test_a_changed_category_direction_or_modality_shows_with_its_marker_and_new_score(store_dir):
    t = load_tables(store_dir)
    expulsion = signal(t, *EXPULSION)
    corrections.add(store_dir, "recategorise", expulsion["article_id"], expulsion["start"], expulsion["end"],
                    original=expulsion, category="mission_closure")
    row = signal(load_tables(store_dir), EXPULSION[0], "mission_closure")
    assert row["corrected"] == "category corrected" and row["start"] == expulsion["start"]
    assert row["score"] == pytest.approx(4.0 * row["weight"])      # mission_closure's Goldstein value is -4.0
    corrections.add(store_dir, "remodal", expulsion["article_id"], expulsion["start"], expulsion["end"],
                    original=expulsion, modality="reported")
    row = signal(load_tables(store_dir), EXPULSION[0], "diplomatic_expulsion")   # the latest correction wins
    assert (row["modality"], row["weight"], row["corrected"]) == ("reported", 0.8, "modality corrected")
    corrections.add(store_dir, "redirect", expulsion["article_id"], expulsion["start"], expulsion["end"],
                    original=expulsion, polarity=-1)
    row = signal(load_tables(store_dir), EXPULSION[0], "diplomatic_expulsion")
    assert row["polarity"] == -1 and row["score"] < 0 and row["corrected"] == "direction corrected"
    untouched = load_tables(store_dir)["signals"]
    assert (untouched["corrected"] == "").sum() == len(untouched) - 1


def test_a_missed_sentence_becomes_an_analysts_signal(store_dir):
    t = load_tables(store_dir)
    article = t["articles"].loc[t["articles"]["title"].str.startswith("NATO does not want")].iloc[0]
    sentence = "He made the remarks when asked about the possibility of new NATO sanctions against Russia"
    start = article["text"].index(sentence)
    corrections.add(store_dir, "missed", article["article_id"], start, start + len(sentence), category="sanctions",
                    modality="hypothetical", source_actor="NATO", target_actor="Russia")
    added = load_tables(store_dir)["signals"].query("corrected == 'added by analyst'")
    assert len(added) == 1
    row = added.iloc[0]
    assert (row["category"], row["modality"], row["polarity"], row["confidence"]) == ("sanctions", "hypothetical", 1, 1.0)
    assert row["evidence"] == sentence and row["score"] == pytest.approx(8.0 * 0.25)


def test_corrections_survive_run_and_retag(store_dir):
    wrong = signal(load_tables(store_dir), *EXPULSION)
    corrections.add(store_dir, "wrong", wrong["article_id"], wrong["start"], wrong["end"], original=wrong)
    n = len(load_tables(store_dir)["signals"])
    run.run([SEEDS], store_dir)               # the same input again
    run.retag(store_dir, "signals")           # every signal re-extracted
    after = load_tables(store_dir)
    assert len(after["signals"]) == n
    assert list(after["signal_corrections"]["attached"]) == [True]


def test_a_correction_whose_signal_is_gone_is_kept_and_listed(store_dir):
    wrong = signal(load_tables(store_dir), *EXPULSION)
    corrections.add(store_dir, "wrong", wrong["article_id"], wrong["start"], wrong["end"],
                    original={**wrong, "category": "protest"})   # as if the rules had once called it a protest
    t = load_tables(store_dir)
    assert list(t["signal_corrections"]["attached"]) == [False]
    assert signal(t, *EXPULSION)["corrected"] == ""


@pytest.mark.parametrize("action, kwargs, message", [
    ("approve", {}, "action must be one of"),
    ("recategorise", {"category": "alien_invasion"}, "unknown signal category"),
    ("remodal", {"modality": "maybe"}, "modality must be one of"),
    ("redirect", {"polarity": 0}, "polarity"),
])
def test_a_bad_correction_is_refused_with_a_clear_message_and_nothing_stored(store_dir, action, kwargs, message):
    wrong = signal(load_tables(store_dir), *EXPULSION)
    with pytest.raises(corrections.CorrectionError, match=message):
        corrections.add(store_dir, action, wrong["article_id"], wrong["start"], wrong["end"], original=wrong, **kwargs)
    with pytest.raises(corrections.CorrectionError, match="outside the article"):
        corrections.add(store_dir, "wrong", wrong["article_id"], 0, 10**7, original=wrong)
    assert corrections.read(store_dir).empty


def test_corrections_are_exported_and_become_training_data(store_dir, tmp_path):
    t = load_tables(store_dir)
    expulsion = signal(t, *EXPULSION)
    corrections.add(store_dir, "recategorise", expulsion["article_id"], expulsion["start"], expulsion["end"],
                    original=expulsion, category="mission_closure")
    out = tmp_path / "export"
    proc = subprocess.run([sys.executable, "-m", "pipeline", "export", "--store", str(store_dir), "--out", str(out),
                           "--format", "jsonl"], cwd=PROJECT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    exported = [json.loads(line) for line in (out / "signal_corrections.jsonl").read_text().splitlines()]
    assert [(r["action"], r["original_category"], r["category"]) for r in exported] == [
        ("recategorise", "diplomatic_expulsion", "mission_closure")]
    signals = [json.loads(line) for line in (out / "signals.jsonl").read_text().splitlines()]
    assert sum(r["corrected"] == "category corrected" for r in signals) == 1
    [row] = corrections.training_rows(store_dir)
    assert row["split"] == "train" and row["annotator"] == "analyst"
    assert row["text"] == expulsion["evidence"]
    assert {"mission_closure"} <= {e["category"] for e in row["events"]}
    assert all(row["text"][e["start"]:e["end"]] == e["trigger"] for e in row["events"])


def test_training_rows_give_each_corrected_sentence_once_with_its_own_articles_events_only(store_dir):
    t = load_tables(store_dir)
    expulsion = signal(t, *EXPULSION)
    other = t["signals"].loc[t["signals"]["article_id"] != expulsion["article_id"]].iloc[0].to_dict()
    corrections.add(store_dir, "recategorise", expulsion["article_id"], expulsion["start"], expulsion["end"],
                    original=expulsion, category="mission_closure")
    corrections.add(store_dir, "remodal", expulsion["article_id"], expulsion["start"], expulsion["end"],
                    original=expulsion, modality="reported")       # the same sentence: one row, not two
    corrections.add(store_dir, "wrong", other["article_id"], other["start"], other["end"], original=other)
    rows = corrections.training_rows(store_dir)
    assert sorted(r["doc"] for r in rows) == sorted({f"analyst:{expulsion['article_id']}", f"analyst:{other['article_id']}"})
    after = load_tables(store_dir)["signals"]
    texts = dict(zip(t["articles"]["article_id"], t["articles"]["text"]))
    for row in rows:
        article_id, start = row["id"].split(":")[1], int(row["id"].split(":")[2])
        assert row["text"] == texts[article_id][start:start + len(row["text"])]
        own = after.loc[(after["article_id"] == article_id) & (after["start"] >= start)
                        & (after["end"] <= start + len(row["text"]))]
        assert sorted(e["category"] for e in row["events"]) == sorted(own["category"])   # as corrected, none of another article
    [wrong_row] = [r for r in rows if r["doc"] == f"analyst:{other['article_id']}"]
    assert (other["start"] - int(wrong_row["id"].split(":")[2]), other["category"]) not in {
        (e["start"], e["category"]) for e in wrong_row["events"]}


def test_train_with_corrections_adds_them_and_leaves_the_shipped_model_alone(store_dir, tmp_path):
    from pipeline.stages import signal_model

    shipped = signal_model.MODEL_PATH.read_bytes()
    t = load_tables(store_dir)
    expulsion = signal(t, *EXPULSION)
    corrections.add(store_dir, "recategorise", expulsion["article_id"], expulsion["start"], expulsion["end"],
                    original=expulsion, category="mission_closure")
    model = tmp_path / "model.npz"
    proc = subprocess.run([sys.executable, "-m", "pipeline", "train", "signals", "--with-corrections", "--store",
                           str(store_dir), "--out", str(model)], cwd=PROJECT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "adding 1 corrected sentences" in proc.stdout
    assert model.exists() and signal_model.MODEL_PATH.read_bytes() == shipped
    proc = subprocess.run([sys.executable, "-m", "pipeline", "train", "signals", "--with-corrections"], cwd=PROJECT,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "needs --store" in proc.stderr


def test_stored_corrections_read_in_words(store_dir):
    from pipeline.read.labels import corrections_table

    wrong = signal(load_tables(store_dir), *EXPULSION)
    corrections.add(store_dir, "redirect", wrong["article_id"], wrong["start"], wrong["end"], original=wrong, polarity=-1)
    [row] = corrections_table(load_tables(store_dir)["signal_corrections"]).to_dict("records")
    assert (row["correction"], row["signal"], row["new direction"], row["still found"]) == (
        "direction changed", "Expelling diplomats", "de-escalation", "yes")
    assert "None" not in row.values() and "nan" not in row.values()


def test_a_category_is_corrected_from_the_tension_evidence_table(store_dir, monkeypatch):
    """AppTest: Tension → Evidence behind a period → Correct a signal → Change its category → Save."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NEWSINTEL_STORE", str(store_dir))
    at = AppTest.from_file("../dashboard/app.py", default_timeout=60)
    at.run()
    at.switch_page("views/tension.py").run()
    at.button_group(key="tension-section").set_value("Evidence behind a period").run()
    assert not at.exception, at.exception
    at.radio(key="tension-correct-action").set_value("recategorise").run()
    signal_box = at.selectbox(key="tension-correct-signal")
    at.selectbox(key="tension-correct-category").set_value("tension_state").run()
    at.button(key="tension-correct-save").click().run()
    assert not at.exception, at.exception
    stored = corrections.read(store_dir)
    assert list(zip(stored["action"], stored["category"])) == [("recategorise", "tension_state")]
    assert signal_box.options and stored.iloc[0]["original_category"]
    signals = load_tables(store_dir)["signals"]
    assert (signals["corrected"] == "category corrected").sum() == 1
