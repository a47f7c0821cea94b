"""The run as a whole: stages wired together, incremental topics, nothing written twice."""
import shutil

import pandas as pd
import pytest

from conftest import SEEDS
from pipeline import run


def test_one_new_article_is_placed_without_refitting(tmp_path, seed_store, monkeypatch):
    from pipeline.stages import topics

    def no_refit(*args, **kwargs):
        raise AssertionError("topics.cluster was called: the model was refitted")

    store_dir = tmp_path / "store"
    shutil.copytree(seed_store, store_dir)
    before = run.load_tables(store_dir)
    extra = tmp_path / "new.txt"
    extra.write_text(
        "NATO sets up innovation fund\nNATO allies agreed to launch a joint innovation fund worth one billion euros "
        "for defence technologies, the secretary general said after the meeting of defence ministers in Brussels.\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(topics, "cluster", no_refit)
    report = run.run([extra], store_dir)
    assert report.count("added") == 1
    after = run.load_tables(store_dir)
    assert len(after["articles"]) == 6
    # the clusters were not refitted: old articles keep their clusters, the table of clusters is unchanged
    old = before["articles"].set_index("article_id")["cluster_id"]
    assert after["articles"].set_index("article_id")["cluster_id"].loc[old.index].equals(old)
    assert after["clusters"]["cluster_id"].tolist() == before["clusters"]["cluster_id"].tolist()
    new_id = report.results[-1].article_id
    assert new_id in set(after["assignments"]["article_id"])
    assert (after["figures"]["article_id"] == new_id).any()


def test_seeds_again_write_nothing_new(tmp_path, seed_store):
    store_dir = tmp_path / "store"
    shutil.copytree(seed_store, store_dir)
    before = {k: len(v) for k, v in run.load_tables(store_dir).items()}
    report = run.run([SEEDS], store_dir)
    assert report.count("added") == 0 and report.count("duplicate") == 5
    assert {k: len(v) for k, v in run.load_tables(store_dir).items()} == before


@pytest.mark.parametrize("stage", ["signals", "figures"])
def test_retag_rebuilds_a_stage_from_stored_mentions_as_a_full_run_would(tmp_path, seed_store, stage):
    """After a lexicon change, ``retag`` re-runs one stage over the store: stale rows go, fresh ones equal a full run's."""
    import shutil

    from pipeline import store

    copy = tmp_path / "store"
    shutil.copytree(seed_store, copy)
    fresh = store.read(seed_store, stage)
    assert len(fresh) > 0
    stale = fresh.head(1).assign(article_id="0000000000000000")  # a row a previous lexicon left behind
    store.write(copy, replace={stage: pd.concat([fresh.iloc[1:], stale])})
    written = run.retag(copy, stage)
    again = store.read(copy, stage)
    assert written == len(fresh)
    key = ["article_id", "start", "end"]
    pd.testing.assert_frame_equal(again.sort_values(key).reset_index(drop=True)[fresh.columns],
                                  fresh.sort_values(key).reset_index(drop=True), check_dtype=False)


def test_retag_refuses_an_unknown_stage(seed_store):
    with pytest.raises(ValueError, match="stage must be one of"):
        run.retag(seed_store, "actors")


def test_retag_topics_refits_with_the_same_ids_and_labels(tmp_path, seed_store):
    """Refitting the seed store's topics with unchanged code keeps every id, label and assignment."""
    from pipeline import store

    copy = tmp_path / "store"
    shutil.copytree(seed_store, copy)
    before = run.load_tables(seed_store)
    assert run.retag(copy, "topics") == 5
    after = run.load_tables(copy)
    key = ["cluster_id", "label", "size"]
    pd.testing.assert_frame_equal(after["clusters"][key].sort_values("cluster_id").reset_index(drop=True),
                                  before["clusters"][key].sort_values("cluster_id").reset_index(drop=True))
    assert dict(zip(after["articles"]["article_id"], after["articles"]["cluster_id"])) == \
        dict(zip(before["articles"]["article_id"], before["articles"]["cluster_id"]))
    assert store.read_meta(copy).get("retagged_topics_at")
