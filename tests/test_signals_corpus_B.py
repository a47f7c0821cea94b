"""Annotator B's tension-event corpus (issue #18): the committed files are consistent and the converter is strict."""
import importlib.util
import json
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent / "pipeline" / "data" / "corpora" / "signals"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, CORPUS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


label_B = _load("label_B")


def _jsonl(path):
    return [json.loads(x) for x in open(path, encoding="utf-8") if x.strip()]


@pytest.mark.parametrize("ann,pool", [("annotations_B.jsonl", "pool_B.jsonl"),
                                      ("double_A_by_B.jsonl", "double_A_sample_B.jsonl")])
def test_every_event_span_and_code_is_valid(ann, pool):
    pool_by_id = {r["id"]: r for r in _jsonl(CORPUS / pool)}
    recs = _jsonl(CORPUS / ann)
    assert len(recs) == len(pool_by_id)                      # every pool sentence was judged
    cats, mods = set(label_B.CATEGORIES.values()), set(label_B.MODALITIES.values())
    for r in recs:
        assert r["annotator"] == "B"
        assert {k: r[k] for k in pool_by_id[r["id"]]} == pool_by_id[r["id"]]   # the pool line, unchanged
        for e in r["events"]:
            assert r["text"][e["start"]:e["end"]] == e["trigger"], (r["id"], e)
            assert e["category"] in cats and e["modality"] in mods, (r["id"], e)
            for actor in (e["source"], e["target"]):
                assert actor.lower() in r["text"].lower(), (r["id"], actor)


def test_scheme_has_the_27_categories_and_5_modalities():
    assert len(set(label_B.CATEGORIES.values())) == 27
    assert set(label_B.MODALITIES.values()) == {"asserted", "negated", "hypothetical", "future", "reported"}


def test_pool_split_is_by_document_and_about_a_fifth_test():
    recs = _jsonl(CORPUS / "pool_B.jsonl")
    split_of_doc = {}
    for r in recs:
        assert split_of_doc.setdefault(r["doc"], r["split"]) == r["split"], r["doc"]
    share = sum(1 for s in split_of_doc.values() if s == "test") / len(split_of_doc)
    assert 0.15 < share < 0.25
    assert len({r["text"] for r in recs}) == len(recs)        # no sentence twice


def test_work_file_converts_to_the_committed_annotations(tmp_path):
    out = tmp_path / "a.jsonl"
    label_B.convert(CORPUS / "work_B.txt", CORPUS / "pool_B.jsonl", out)
    assert out.read_text(encoding="utf-8") == (CORPUS / "annotations_B.jsonl").read_text(encoding="utf-8")


SENT = "Russia warned NATO again; NATO warned Russia that it would respond."


@pytest.fixture
def one_sentence_pool(tmp_path):
    pool = tmp_path / "pool.jsonl"
    pool.write_text(json.dumps({"id": "X1", "source": "t", "doc": "t:1", "date": "", "split": "train",
                                "text": SENT}) + "\n", encoding="utf-8")
    return pool


def _convert(tmp_path, pool, line):
    work = tmp_path / "work.txt"
    work.write_text(line + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    label_B.convert(work, pool, out)
    return _jsonl(out)[0]["events"]


def test_second_occurrence_and_full_names(tmp_path, one_sentence_pool):
    ev = _convert(tmp_path, one_sentence_pool, "X1 | warned#2 ~ thr ~ a ~ NATO ~ Russia ; warned ~ threat_ultimatum ~ asserted ~ Russia ~ NATO")
    assert [(e["start"], e["trigger"]) for e in ev] == [(SENT.index("warned", 10), "warned"), (SENT.index("warned"), "warned")]
    assert ev[0]["category"] == "threat_ultimatum" and ev[0]["modality"] == "asserted"


@pytest.mark.parametrize("line,message", [
    ("X1 | threatened ~ thr ~ a ~ Russia ~ NATO", "not found"),        # trigger not in the sentence
    ("X1 | warned#3 ~ thr ~ a ~ Russia ~ NATO", "not found"),          # no third occurrence
    ("X1 | warned ~ warning ~ a ~ Russia ~ NATO", "unknown category"),
    ("X1 | warned ~ thr ~ maybe ~ Russia ~ NATO", "unknown modality"),
    ("X1 | warned ~ thr ~ a ~ Kremlin ~ NATO", "not named"),
    ("X1 | warn ~ thr ~ a ~ Russia ~ NATO", "not found"),              # part of a word is not a trigger
    ("X2 | warned ~ thr ~ a ~ Russia ~ NATO", "unknown sentence id"),
])
def test_converter_fails_loudly_on_bad_labels(tmp_path, one_sentence_pool, line, message):
    with pytest.raises(label_B.LabelError, match=message):
        _convert(tmp_path, one_sentence_pool, line)
