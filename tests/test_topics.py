"""Tests of pipeline.topics on the seed articles and real labelled news (BBC)."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline import topics

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def seed_articles() -> pd.DataFrame:
    """The five seeds: first non-banner line as title, the rest as text (enough for topics)."""
    rows = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        title, _, text = raw.partition("\n")
        rows.append({"article_id": path.stem[:3], "title": title, "text": text,
                     "date": "2021-10-22", "duplicate_of": ""})
    return pd.DataFrame(rows)


def test_seeds_cluster_the_same_story_together():
    assignments, clusters = topics.cluster(seed_articles())
    assert list(assignments.columns) == topics.ASSIGNMENT_COLUMNS
    assert list(clusters.columns) == topics.CLUSTER_COLUMNS
    by_id = dict(zip(assignments["article_id"], assignments["cluster_id"]))
    # 000 and 002 are the same NATO innovation-fund meeting from two outlets.
    assert by_id["000"] == by_id["002"] != topics.UNCLUSTERED_ID
    label = clusters.set_index("cluster_id").loc[by_id["000"], "top_terms"]
    assert "innovation fund" in label
    assert 2 <= (clusters["cluster_id"] != topics.UNCLUSTERED_ID).sum() + 1 <= 4


@pytest.mark.parametrize("n", [0, 1, 2])
def test_tiny_corpora_do_not_crash(n):
    assignments, clusters = topics.cluster(seed_articles().head(n))
    assert len(assignments) == n
    assert set(assignments["cluster_id"]).issubset(set(clusters["cluster_id"]) | {topics.UNCLUSTERED_ID})


def test_empty_text_is_unclustered():
    frame = seed_articles()
    frame.loc[len(frame)] = {"article_id": "999", "title": "", "text": "", "date": "", "duplicate_of": ""}
    assignments, _ = topics.cluster(frame)
    assert assignments.set_index("article_id").loc["999", "cluster_id"] == topics.UNCLUSTERED_ID
