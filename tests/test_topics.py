"""Tests of pipeline.stages.topics on the seed articles and real labelled news (BBC)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.stages import topics
from pipeline.read import topics as read_topics

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT / "tests" / "fixtures" / "news" / "bbc_news_sample.csv.gz"


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
    # 001 and 004 are both about deterrence and air defence with Stoltenberg; 003 (the Skripal
    # arms-race story) has no partner among five articles.
    assert by_id["001"] == by_id["004"] not in (by_id["000"], topics.UNCLUSTERED_ID)
    assert by_id["003"] == topics.UNCLUSTERED_ID


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


# --------------------------------------------------------------------------------------------
# Real labelled news: BBC (Greene & Cunningham), a sample in tests/fixtures/news (sport, business and politics 75
# each, tech 50, in a fixed shuffled order; see SOURCE.md there).
# --------------------------------------------------------------------------------------------

def bbc(classes: tuple[str, ...], per_class: int, offset: int = 0) -> pd.DataFrame:
    """``per_class`` BBC articles of each class, from the ``offset``-th on (the sample is already shuffled)."""
    raw = pd.read_csv(BBC, keep_default_na=False)
    parts = [raw[raw["label"] == c].iloc[offset: offset + per_class] for c in classes]
    assert all(len(p) == per_class for p in parts), "the fixture has fewer articles of a class than asked"
    frame = pd.concat(parts, ignore_index=True)
    return pd.DataFrame({"article_id": frame["id"], "title": frame["title"], "text": frame["text"],
                         "date": "2005-03-01", "duplicate_of": "", "label": frame["label"]})


def majority_cluster(assignments: pd.DataFrame, frame: pd.DataFrame, label: str) -> int:
    merged = assignments.merge(frame[["article_id", "label"]], on="article_id")
    return int(merged[merged["label"] == label]["cluster_id"].mode().iloc[0])


def test_same_input_gives_same_ids_and_labels():
    frame = bbc(("sport", "business"), 40).drop(columns="label")
    a1, c1 = topics.cluster(frame)
    a2, c2 = topics.cluster(frame.sample(frac=1.0, random_state=3))   # row order does not matter
    pd.testing.assert_frame_equal(a1, a2)
    pd.testing.assert_frame_equal(c1, c2)


def test_clusters_keep_their_ids_when_articles_are_added():
    first = bbc(("sport", "business", "politics"), 60)
    a1, c1 = topics.cluster(first.drop(columns="label"))
    assert (c1["cluster_id"] >= 0).sum() == 3          # the three classes, found without a k
    # More of the same classes plus a new one (tech); refit with the previous clusters table.
    added = pd.concat([bbc(("sport", "business", "politics"), 15, offset=60), bbc(("tech",), 50)])
    second = pd.concat([first, added], ignore_index=True)
    a2, c2 = topics.cluster(second.drop(columns="label"), previous_clusters=c1)
    both = a1.merge(a2, on="article_id", suffixes=("_1", "_2"))
    for old_id, group in both.groupby("cluster_id_1"):
        if old_id != topics.UNCLUSTERED_ID:
            assert group["cluster_id_2"].mode().iloc[0] == old_id      # each old topic keeps its id
    tech_ids = a2[a2["article_id"].isin(added.loc[added["label"] == "tech", "article_id"])]["cluster_id"]
    tech_main = int(tech_ids[tech_ids != topics.UNCLUSTERED_ID].mode().iloc[0])
    assert tech_main > int(c1["cluster_id"].max())                      # the new topic gets a new id
    # Without a previous table, ids are 0.. by decreasing size.
    sizes = c1.loc[c1["cluster_id"] >= 0].sort_values("cluster_id")["size"].tolist()
    assert sizes == sorted(sizes, reverse=True)


def test_copies_take_their_originals_cluster_and_count_once():
    frame = bbc(("sport", "tech"), 40).drop(columns="label")
    # Two syndicated copies of the first sport story (one with a different headline), one exact copy
    # not flagged upstream.
    original = frame.iloc[0]
    copies = pd.DataFrame([
        {"article_id": "zz_copy1", "title": "Syndicated: " + original["title"], "text": original["text"],
         "date": "2005-03-02", "duplicate_of": original["article_id"]},
        {"article_id": "zz_copy2", "title": original["title"], "text": original["text"] + "\nShare this story.",
         "date": "2005-03-03", "duplicate_of": original["article_id"]},
        {"article_id": "zz_copy3", "title": original["title"], "text": original["text"],
         "date": "2005-03-03", "duplicate_of": ""},
    ])
    with_copies = pd.concat([frame, copies], ignore_index=True)
    assignments, clusters = topics.cluster(with_copies)
    by_id = assignments.set_index("article_id")["cluster_id"]
    for copy_id in ("zz_copy1", "zz_copy2", "zz_copy3"):
        assert by_id[copy_id] == by_id[original["article_id"]]
    assert clusters["size"].sum() == len(frame)          # copies are not counted
    assert clusters["copies"].sum() == 3
    # ... and the copies change nothing else.
    plain_assignments, plain_clusters = topics.cluster(frame)
    assert plain_clusters["size"].tolist() == clusters["size"].tolist()
    table = read_topics.copies_table(with_copies)
    assert set(table["article_id"]) == {"zz_copy1", "zz_copy2"}
    assert set(table["original_id"]) == {original["article_id"]}


def test_assign_places_new_articles_like_the_fit():
    fit = bbc(("sport", "business", "tech"), 30)
    fitted, clusters = topics.cluster(fit.drop(columns="label"))
    # The fitted articles themselves land where the fit put them.
    again = topics.assign(fit.drop(columns="label"), clusters)
    assert list(again.columns) == topics.ASSIGNMENT_COLUMNS
    same = again.merge(fitted, on="article_id", suffixes=("_assign", "_fit"))
    placed = same[same["cluster_id_fit"] != topics.UNCLUSTERED_ID]
    assert (placed["cluster_id_assign"] == placed["cluster_id_fit"]).mean() >= 0.8
    # New articles of the same classes go to a cluster whose fitted articles share their class.
    members = fitted.merge(fit[["article_id", "label"]], on="article_id")
    cluster_class = members.groupby("cluster_id")["label"].agg(lambda s: s.mode().iloc[0])
    new = bbc(("sport", "business", "tech"), 15, offset=30)
    new_assignments = topics.assign(new.drop(columns="label"), clusters)
    merged = new_assignments.merge(new[["article_id", "label"]], on="article_id")
    clustered = merged[merged["cluster_id"] != topics.UNCLUSTERED_ID]
    assert len(clustered) >= 0.7 * len(merged)
    assert (clustered["cluster_id"].map(cluster_class) == clustered["label"]).mean() >= 0.8
    assert not topics.needs_refit(clusters, len(fit) + 10, new_assignments)
    assert topics.needs_refit(clusters, 2 * len(fit))


def test_labels_are_distinctive_phrases():
    frame = bbc(("sport", "business", "tech"), 40)
    assignments, clusters = topics.cluster(frame.drop(columns="label"))
    real = clusters[clusters["cluster_id"] != topics.UNCLUSTERED_ID]
    stop = topics.label_stopwords()
    for label in real["label"]:
        phrases = label.split(", ")
        assert 1 <= len(phrases) <= 4
        assert not any(p in stop for p in phrases)
    for headlines in real["headlines"]:
        assert 1 <= len(json.loads(headlines)) <= 3


def test_big_topics_get_subtopics_that_nest_in_them():
    frame = pd.concat([bbc(("sport",), 70), bbc(("business", "politics"), 45)], ignore_index=True)
    assignments, clusters = topics.cluster(frame.drop(columns="label"))
    real = clusters[clusters["cluster_id"] != topics.UNCLUSTERED_ID]
    assert len(real) == 3
    merged = assignments.merge(frame[["article_id", "label"]], on="article_id")
    assert (real["size"] >= topics.SUB_MIN_SIZE).sum() == 1      # the sport topic, and only it, is big
    for _, row in real.iterrows():
        subs = json.loads(row["subtopics"])
        if row["size"] < topics.SUB_MIN_SIZE:
            assert subs == []                                   # ~45 articles: no second level
            continue
        assert len(subs) >= 2                                   # ~70 articles of one class: split further
        members = merged[merged["cluster_id"] == row["cluster_id"]]
        counts = members["subtopic_id"].value_counts()
        for sub in subs:
            assert counts.get(sub["subtopic_id"], 0) == sub["size"]   # the table matches the articles
            assert sub["label"] and 1 <= len(sub["headlines"]) <= 3
        assert sum(s["size"] for s in subs) <= row["size"]
        assert [s["size"] for s in subs] == sorted((s["size"] for s in subs), reverse=True)
    # The Unclustered bucket and articles placed by assign() have no sub-topic.
    assert (assignments.loc[assignments["cluster_id"] == topics.UNCLUSTERED_ID, "subtopic_id"] == -1).all()
    placed = topics.assign(bbc(("tech",), 5).drop(columns="label"), clusters)
    assert (placed["subtopic_id"] == -1).all()
