"""The engines against each other on real articles: the same store from one process and from a Dask cluster.

``python -m pipeline eval engines [--articles N] [--workers W] [--partition-size P]``

N real documents spread evenly over the scale pool (``../shared/data``, 7 corpora; 10,000 by default, the
issue's size), with 2 % of them added again as lightly edited copies placed far from their originals (so
the near duplicates cross partitions). One run in this process (the local engine with one worker) and one on
a Dask ``LocalCluster`` of W workers (2 by default) write two stores; printed per table: rows on each side
and whether every row is equal (article ids, duplicates, signatures, inputs, actor mentions, signals,
figures), and for topics the number of clusters on each side and the adjusted Rand index of the two
assignments (goal ≥ 0.95).
"""
from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path

COMPARED = ("articles", "signatures", "inputs", "actor_mentions", "signals", "figures")


def _table(store_dir: Path, name: str):
    import pandas as pd

    from pipeline import store

    with sqlite3.connect(store.db_path(store_dir)) as conn:
        frame = pd.read_sql_query(f'SELECT * FROM "{name}"', conn)
    return frame.sort_values(list(frame.columns), key=lambda col: col.map(repr)).reset_index(drop=True)


def corpus(n: int, seed: int = 7) -> list[dict]:
    """``n`` real scale-pool documents plus 2 % edited copies of some of them, in a shuffled order."""
    from pipeline.evals.common import load_scale_pool

    pool = load_scale_pool(limit=n)
    rows = [{"id": f"pool-{i}", "title": t, "text": x, "date": d}
            for i, (t, x, d) in enumerate(zip(pool["title"], pool["text"], pool["date"]))]
    rng = random.Random(seed)
    for i, original in enumerate(rng.sample([r for r in rows if len(r["text"]) > 600], max(1, n // 50))):
        words = original["text"].split()
        cut = rng.randrange(len(words))
        rows.append(dict(original, id=f"copy-{i}", text=" ".join(words[:cut] + words[cut + 1:])))
    rng.shuffle(rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run both engines on the same articles and print how their stores compare."""
    from sklearn.metrics import adjusted_rand_score

    from pipeline import run

    parser = argparse.ArgumentParser(prog="python -m pipeline eval engines")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partition-size", type=int, default=50)
    args = parser.parse_args(argv)
    rows = corpus(args.articles)
    print(f"data: {args.articles} real scale-pool documents (../shared/data) + {len(rows) - args.articles} edited copies "
          f"placed at random; partitions of {args.partition_size}")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "articles.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        stores = {}
        for label, kwargs in (("one process", {"workers": 1}),
                              (f"dask {args.workers} workers", {"engine": "dask", "workers": args.workers})):
            started = time.perf_counter()
            report = run.run([source], Path(tmp) / label.replace(" ", "_"), partition_size=args.partition_size, **kwargs)
            stores[label] = Path(tmp) / label.replace(" ", "_")
            print(f"{label}: {report.summary()} (wall {time.perf_counter() - started:.0f} s)", flush=True)
        (a_label, a), (b_label, b) = stores.items()
        all_equal = True
        print(f"\n{'table':<15} {a_label:>14} {b_label:>16}  equal")
        for name in COMPARED:
            left, right = _table(a, name), _table(b, name)
            equal = left.equals(right)
            all_equal &= equal
            print(f"{name:<15} {len(left):>14} {len(right):>16}  {'yes' if equal else 'NO'}")
        ta = _table(a, "assignments").set_index("article_id")["cluster_id"]
        tb = _table(b, "assignments").set_index("article_id")["cluster_id"].reindex(ta.index)
        ari = adjusted_rand_score(ta, tb)
        print(f"{'topics':<15} {f'k={ta.nunique()}':>14} {f'k={tb.nunique()}':>16}  ARI {ari:.3f} (goal ≥ 0.95)")
    print("\nverdict: " + ("equal" if all_equal and ari >= 0.95 and ta.nunique() == tb.nunique() else "NOT equal"))
    return 0
