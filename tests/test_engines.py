"""The engines: the same store whether the partitions run in this process, on local cores or on Dask.

Real articles (the GDELT excerpt and BBC politics stories in tests/fixtures/news), with exact and near
duplicates placed in different partitions. A real 2-worker Dask ``LocalCluster`` runs them; one of its
workers is killed with SIGKILL in the middle of a run.
"""
from __future__ import annotations

import csv
import gzip
import json
import os
import signal
import sqlite3
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from conftest import NEWS_FIXTURES, gdelt_articles
from pipeline import run, store
from pipeline.engines import make_engine

# Columns a run writes that are about the run itself, not about the articles.
RUN_ONLY = {"ingest_log": ("run_id", "at")}
COMPARED = ("articles", "signatures", "inputs", "actor_mentions", "signals", "figures")


def bbc_politics(n: int) -> list[dict]:
    """The first ``n`` BBC politics stories of the fixture sample (real text, no date)."""
    with gzip.open(NEWS_FIXTURES / "bbc_news_sample.csv.gz", "rt", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["label"] == "politics"]
    return [{"id": f"bbc-{r['id']}", "title": r["title"], "text": r["text"]} for r in rows[:n]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """About 70 real articles, with an exact copy and two edited copies far from their originals."""
    gdelt = [{k: a[k] for k in ("id", "date", "title", "text")} for a in gdelt_articles()]
    rows = gdelt + bbc_politics(36)
    copy = dict(gdelt[2], id="copy-exact")                                   # same text: a duplicate
    near_a = dict(gdelt[5], id="copy-near-a", text=gdelt[5]["text"].replace(".", ";", 2) + " Updated at 10:00.")
    near_b = dict(rows[40], id="copy-near-b", text="Editor's note: corrected. " + rows[40]["text"])
    rows += [copy, near_a, near_b]
    path = tmp_path_factory.mktemp("engines") / "articles.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def table(store_dir: Path, name: str) -> pd.DataFrame:
    """A table as stored, rows in a canonical order, without the run's own columns."""
    with sqlite3.connect(store.db_path(store_dir)) as conn:
        frame = pd.read_sql_query(f'SELECT * FROM "{name}"', conn)
    frame = frame.drop(columns=[c for c in RUN_ONLY.get(name, ()) if c in frame.columns])
    return frame.sort_values(list(frame.columns), key=lambda col: col.map(repr)).reset_index(drop=True)


@pytest.fixture(scope="module")
def in_process(corpus, tmp_path_factory) -> Path:
    """The reference: one worker, every partition in this process."""
    out = tmp_path_factory.mktemp("one") / "store"
    report = run.run([corpus], out, workers=1, partition_size=7)
    assert report.count("duplicate") == 1 and report.count("near_duplicate") == 2, report.results
    return out


@pytest.fixture(scope="module")
def dask_engine():
    """A real 2-worker Dask LocalCluster (processes, one thread each), for the module."""
    engine = make_engine("dask", workers=2)
    yield engine
    engine.close()


def assert_same_store(a: Path, b: Path) -> None:
    for name in COMPARED:
        left, right = table(a, name), table(b, name)
        assert len(left) == len(right), f"{name}: {len(left)} rows vs {len(right)}"
        pd.testing.assert_frame_equal(left, right, check_dtype=False, obj=name)
    topics_a = table(a, "assignments").set_index("article_id")["cluster_id"]
    topics_b = table(b, "assignments").set_index("article_id")["cluster_id"].reindex(topics_a.index)
    assert topics_a.nunique() == topics_b.nunique()                    # the same k
    assert adjusted_rand_score(topics_a, topics_b) >= 0.95


def test_local_cores_give_the_same_store_as_one_process(corpus, in_process, tmp_path):
    out = tmp_path / "store"
    report = run.run([corpus], out, workers=2, partition_size=7)
    workers = {p.worker for p in report.partitions}
    assert len(workers) == 2, "both local workers took partitions"
    assert_same_store(in_process, out)


def test_dask_cluster_gives_the_same_store_as_one_process(corpus, in_process, dask_engine, tmp_path):
    out = tmp_path / "store"
    report = run.run([corpus], out, engine=dask_engine, partition_size=7)
    assert len({p.worker for p in report.partitions}) == 2, "both Dask workers took partitions"
    assert report.count("duplicate") == 1 and report.count("near_duplicate") == 2
    assert_same_store(in_process, out)
    # what an analyst sees: the edited copies point at their originals
    articles = table(out, "articles").set_index("article_id")
    near = articles.loc[articles["duplicate_of"].fillna("") != "", "duplicate_of"]
    assert len(near) == 2 and set(near).issubset(articles.index)


def test_the_band_key_shuffle_finds_near_copies_across_partitions(dask_engine):
    from pipeline.stages import dedup

    texts = [a["text"] for a in gdelt_articles()[:12]]
    texts.append(texts[3].replace(".", ";", 2) + " Updated at 10:00.")     # a near copy of position 3, far from it
    blobs = [(pos, dedup.signature_to_bytes(dedup.signature(t))) for pos, t in enumerate(texts)]
    neighbours = dask_engine.earlier_band_neighbours(blobs, partition_size=4)
    assert 3 in neighbours[12]                                            # candidates cross partitions
    sig = dedup.signature_from_bytes(blobs[12][1])
    candidates = {str(p): dedup.signature_from_bytes(blobs[p][1]) for p in neighbours[12]}
    assert dedup.best_match(sig, candidates)[0] == "3"
    index = dedup.NearDuplicateIndex()                                    # the same answer as the one-process index
    for pos, blob in blobs[:12]:
        index.add(str(pos), dedup.signature_from_bytes(blob))
    assert index.find(sig) == dedup.best_match(sig, candidates)


def test_retag_on_the_cluster_gives_the_same_rows_as_in_one_process(in_process, dask_engine, tmp_path):
    import shutil

    one, many = tmp_path / "one", tmp_path / "many"
    shutil.copytree(in_process, one)
    shutil.copytree(in_process, many)
    assert run.retag(one, "signals", batch=1000) == run.retag(many, "signals", batch=7, engine=dask_engine) > 0
    pd.testing.assert_frame_equal(table(one, "signals"), table(many, "signals"), check_dtype=False)


def test_a_worker_killed_mid_run_loses_and_doubles_nothing(corpus, in_process, dask_engine, tmp_path):
    killed: list[int] = []

    def kill_one_worker(stage: str, done: int, total: int) -> None:
        if stage == "annotate" and 0 < done < total and not killed:   # partitions done, others in flight
            pid = sorted(dask_engine.worker_pids().values())[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    out = tmp_path / "store"
    run.run([corpus], out, engine=dask_engine, partition_size=3, progress=kill_one_worker)
    assert killed, "a worker was killed while partitions were running"
    assert killed[0] not in dask_engine.worker_pids().values()
    assert_same_store(in_process, out)
    ids = table(out, "articles")["article_id"]
    assert ids.is_unique and len(ids) == len(table(in_process, "articles"))


def test_a_local_worker_killed_mid_run_leaves_the_store_as_it_was(corpus, tmp_path):
    out = tmp_path / "store"
    run.run([NEWS_FIXTURES / "ukraine_war_crawl_2026.jsonl"], out, workers=1)
    before = {name: table(out, name) for name in ("articles", "signals", "inputs")}
    engine = make_engine("local", workers=2)

    def kill_a_worker(stage: str, done: int, total: int) -> None:
        if stage == "annotate" and 0 < done < total and engine.worker_pids():
            os.kill(engine.worker_pids()[0], signal.SIGKILL)

    try:
        with pytest.raises(BrokenProcessPool):
            run.run([corpus], out, engine=engine, partition_size=5, progress=kill_a_worker)
    finally:
        engine.close()
    for name, frame in before.items():   # one transaction at the end: nothing half-written
        pd.testing.assert_frame_equal(table(out, name), frame, obj=name)


def test_engine_choices_are_checked_at_the_edge():
    with pytest.raises(ValueError, match="engine must be one of"):
        make_engine("spark")
    with pytest.raises(ValueError, match="needs --engine dask"):
        make_engine("local", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="at least 1"):
        make_engine("local", workers=0)


def test_two_runs_at_once_see_each_other(tmp_path):
    """Two runs started together on one store, each with one copy of a story: the second is a near copy of the
    first, whichever wins the writer lock (the duplicate decision and the write happen under one lock)."""
    import subprocess
    import sys

    story = gdelt_articles()[7]
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.jsonl"
    a.write_text(json.dumps({"id": "a", "title": story["title"], "text": story["text"]}) + "\n", encoding="utf-8")
    b.write_text(json.dumps({"id": "b", "title": story["title"], "text": story["text"].replace(".", ";", 3)}) + "\n",
                 encoding="utf-8")
    out = tmp_path / "store"
    procs = [subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(p), "--store", str(out), "--quiet"],
                              cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for p in (a, b)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    articles = table(out, "articles")
    assert len(articles) == 2
    assert (articles["duplicate_of"].fillna("") != "").sum() == 1     # one original, one near copy of it


def test_a_run_opens_one_reading_and_one_writing_connection(in_process, tmp_path, monkeypatch):
    """All of a run's reads of the store share one connection and one snapshot; the write has its own."""
    import shutil

    out = tmp_path / "store"
    shutil.copytree(in_process, out)
    opened: list[str] = []
    real_connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: opened.append(str(a[0])) or real_connect(*a, **k))
    run.run([NEWS_FIXTURES / "ukraine_war_crawl_2026.jsonl"], out, workers=1)
    assert len(opened) == 2, opened
