"""Build the browser benchmark's store: 10,000 real articles from ``../shared/data`` (the scale pool).

Resumable and honest about what it did:

1. ingest + duplicate detection of ``--size`` documents from the scale pool
   (``pipeline.evals.common.load_scale_pool``, every k-th document of the seven
   real corpora) with ``pipeline.run.run(documents=..., stages=False)``;
2. the per-article stages (actors, signals, figures) on the stored articles
   still unannotated, in batches written as they finish, until ``--budget``
   seconds have passed (articles left unannotated then have no per-article rows);
3. the topics stage over every article.

Run: ``.venv/bin/python bench/build_bench_store.py --store .store/bench10k --size 10000 --budget 3000``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline import ingest, run, store  # noqa: E402
from pipeline.stages import topics
from pipeline.evals.common import load_scale_pool  # noqa: E402


def build(store_dir: Path, size: int, budget: float, batch: int = 100) -> dict:
    """Build (or continue building) the store; return counts of what it holds."""
    t0 = time.perf_counter()
    if not store.exists(store_dir) or store.counts(store_dir).get("articles", 0) == 0:
        pool = load_scale_pool(limit=size).fillna("")
        docs = [ingest.RawDocument(origin=f"{c}#{i}", page=str(t), title=str(ti or ""), date=str(d or ""))
                for i, (c, t, ti, d) in enumerate(zip(pool["corpus"], pool["text"], pool["title"], pool["date"]))]
        report = run.run(store_dir=store_dir, documents=docs, stages=False)
        print(f"ingest: {report.summary()}", flush=True)
    articles = store.read(store_dir, "articles", run.ARTICLE_COLUMNS + ["annotated"])
    pending = articles[articles["annotated"].fillna(1).astype(int) == 0]
    print(f"annotate: {len(pending)} of {len(articles)} articles pending", flush=True)
    done = 0
    failed: list[str] = []
    for i in range(0, len(pending), batch):
        if time.perf_counter() - t0 > budget:
            print(f"annotate: budget of {budget:.0f} s reached", flush=True)
            break
        chunk = pending.iloc[i:i + batch]
        try:
            tables = run.annotate(chunk)
        except Exception:  # a stage failed on some article: annotate one by one, skipping the failures
            parts, ok = [], []
            for j in range(len(chunk)):
                try:
                    parts.append(run.annotate(chunk.iloc[j:j + 1]))
                    ok.append(j)
                except Exception as exc:
                    failed.append(f"{chunk.iloc[j]['article_id']}: {type(exc).__name__}")
            tables = {name: pd.concat([t[name] for t in parts], ignore_index=True) for name in run.ANNOTATION_STAGES}
        store.write(store_dir, upsert={"articles": chunk.drop(columns=["cluster_id"]).assign(annotated=1), **tables})
        done += len(chunk)
        print(f"annotate: {done}/{len(pending)} in {time.perf_counter() - t0:.0f} s ({len(failed)} failed)", flush=True)
    if failed:
        print(f"annotate: a stage raised on {len(failed)} articles (kept without per-article rows): {failed[:5]}", flush=True)
    articles = store.read(store_dir, "articles", run.ARTICLE_COLUMNS)
    previous = store.read(store_dir, "clusters", topics.CLUSTER_COLUMNS)
    assignments, clusters = topics.cluster(articles, previous_clusters=previous if not previous.empty else None)
    store.write(store_dir, replace={"clusters": clusters, "assignments": assignments})
    counts = store.counts(store_dir)
    annotated = store.read_columns(store_dir, "articles", ["annotated"])["annotated"].fillna(0).astype(int).sum()
    print(f"store {store_dir}: {counts} ; annotated articles {annotated} ; {time.perf_counter() - t0:.0f} s", flush=True)
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=str(ROOT / ".store" / "bench10k"))
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--budget", type=float, default=3000.0, help="seconds for the per-article stages")
    args = ap.parse_args(argv)
    build(Path(args.store), args.size, args.budget)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
