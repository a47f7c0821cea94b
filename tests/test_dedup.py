"""Exact and near-duplicate detection on real article text."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.stages import dedup

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
ABC = (FIXTURES / "abc_kremlin_talks.txt").read_text(encoding="utf-8")
EU = (FIXTURES / "eu_humanitarian_aid.txt").read_text(encoding="utf-8")
GDELT = [json.loads(line)["text"] for line in (FIXTURES / "gdelt_ukraine.jsonl").read_text(encoding="utf-8").splitlines()]


def syndicated(text: str) -> str:
    """A wire copy: another headline, the same body, an added footer."""
    body = text.split("\n", 1)[1]
    return "Kremlin: Abu Dhabi talks constructive, hard issues remain\n" + body + "\nDistributed by Example Wire. All rights reserved."


def test_exact_hash_folds_case_and_white_space_only():
    assert dedup.content_hash(ABC) == dedup.content_hash("  " + ABC.upper().replace(" ", "\n  ") + "\n")
    assert dedup.content_hash(ABC) != dedup.content_hash(ABC.replace("Monday", "Tuesday"))
    assert len(dedup.content_hash(ABC)) == 64


@pytest.mark.parametrize("a,b", [
    ("https://www.Reuters.com/world/europe/story/?utm_source=twitter&utm_medium=social#comments", "http://reuters.com/world/europe/story"),
    ("reuters.com/world/europe/story?id=7&ref=rss", "https://reuters.com/world/europe/story/?id=7"),
    ("https://example.org:443/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
])
def test_normalised_urls_equal(a, b):
    assert dedup.normalise_url(a) == dedup.normalise_url(b)


def test_normalised_urls_keep_what_names_another_article():
    assert dedup.normalise_url("https://example.org/a?id=1") != dedup.normalise_url("https://example.org/a?id=2")
    assert dedup.normalise_url("https://example.org/a") != dedup.normalise_url("https://example.org/b")
    assert dedup.normalise_url("") == "" and dedup.normalise_url("   ") == ""


def test_signature_is_deterministic_across_processes():
    """Stored signatures must match new ones: no per-process hash seed (PYTHONHASHSEED) may enter."""
    code = ("import sys; sys.path.insert(0, '.'); from pipeline.stages import dedup; "
            "print(dedup.signature(open(sys.argv[1], encoding='utf-8').read()).tolist())")
    outputs = {
        subprocess.run([sys.executable, "-c", code, str(FIXTURES / "abc_kremlin_talks.txt")], capture_output=True, text=True,
                       cwd=Path(__file__).resolve().parents[1], env={"PYTHONHASHSEED": seed}, check=True).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == dedup.signature(ABC).tolist()


def test_signature_round_trips_through_bytes():
    sig = dedup.signature(EU)
    assert sig.dtype == np.uint32 and sig.shape == (dedup.NUM_PERM,)
    assert np.array_equal(dedup.signature_from_bytes(dedup.signature_to_bytes(sig)), sig)


def test_similarity_of_a_syndicated_copy_and_of_unrelated_same_topic_articles():
    assert dedup.similarity(dedup.signature(ABC), dedup.signature(ABC)) == 1.0
    copy_sim = dedup.similarity(dedup.signature(ABC), dedup.signature(syndicated(ABC)))
    assert copy_sim > 0.8
    # three GDELT articles on the Ukraine crisis, and the ABC wire on peace talks: same topic, different stories
    texts = GDELT + [ABC]
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            assert dedup.similarity(dedup.signature(texts[i]), dedup.signature(texts[j])) < 0.2


def test_index_links_the_copy_to_its_original_only():
    index = dedup.NearDuplicateIndex()
    for name, text in [("abc", ABC), ("eu", EU)] + [(f"gdelt{i}", t) for i, t in enumerate(GDELT)]:
        index.add(name, dedup.signature(text))
    assert len(index) == 5 and "abc" in index
    found = index.find(dedup.signature(syndicated(ABC)))
    assert found is not None and found[0] == "abc" and found[1] >= dedup.NEAR_DUPLICATE_THRESHOLD
    lines = EU.splitlines()
    trimmed = "\n".join(lines[: int(len(lines) * 0.85)])  # a shortened syndication
    assert index.find(dedup.signature(trimmed))[0] == "eu"
    unrelated = "NATO defence ministers met in Brussels on Thursday to discuss air defence for the eastern flank and Ukraine's needs."
    assert index.find(dedup.signature(unrelated)) is None


def test_empty_and_tiny_texts_never_match():
    index = dedup.NearDuplicateIndex()
    index.add("empty", dedup.signature(""))
    assert index.find(dedup.signature("")) is None
    assert index.find(dedup.signature("   ...  ")) is None
    index.add("short", dedup.signature("NATO met"))
    assert index.find(dedup.signature("NATO met"))[0] == "short"  # identical short texts are still copies


def test_adding_an_id_twice_is_ignored_and_bad_input_refused():
    index = dedup.NearDuplicateIndex()
    index.add("a", dedup.signature(ABC))
    index.add("a", dedup.signature(EU))
    assert len(index) == 1 and index.find(dedup.signature(ABC))[0] == "a"
    with pytest.raises(ValueError):
        dedup.NearDuplicateIndex(threshold=0)
    with pytest.raises(ValueError):
        index.add("b", np.zeros(7, dtype=np.uint32))


def test_lsh_bands_cover_the_signature():
    assert dedup.LSH_BANDS * dedup.LSH_ROWS <= dedup.NUM_PERM
    assert dedup.LSH_BANDS * dedup.LSH_ROWS >= dedup.NUM_PERM - dedup.LSH_ROWS
