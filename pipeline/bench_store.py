"""``python -m pipeline bench store --articles N [--quick]``: the Parquet store at scale.

Builds an N-article Parquet store by replicating a processed pool of real articles (tests/fixtures/news's 30
GDELT articles run through the whole pipeline once) with salted ids and dates shifted by whole months, then
times what the dashboard's read side asks of it (pipeline.read.aggregate, DuckDB) and its peak memory.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipeline import schema
from pipeline.store import parquet

POOL = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "news" / "ukraine_war_gdelt.jsonl"
TABLES = ("articles", "actor_mentions", "signals", "figures", "assignments")
SHIFTS = 120   # replicas are spread over 10 years of months


def _shift(month: str, k: int) -> str:
    if month == parquet.UNKNOWN_MONTH:
        return month
    y, m = int(month[:4]), int(month[5:7]) - 1 + k
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def _shift_dates(col: pa.Array, k: int) -> pa.Array:
    out = []
    for d in col.to_pylist():
        if d and len(d) >= 7 and d[4] == "-":
            out.append(_shift(d[:7], k) + d[7:])
        else:
            out.append(d)
    return pa.array(out, type=pa.string())


def build(n_articles: int, out: Path, work: Path) -> tuple[int, int]:
    """Write the replicated store; returns (pool articles, articles written)."""
    from pipeline import run
    from pipeline.read.tables import load_tables

    pool_dir = work / "pool"
    run.run([POOL], pool_dir)
    tables = load_tables(pool_dir)
    arts = tables["articles"]
    month_of = parquet._months(arts)
    pool = {name: parquet._cast(name, tables[name]) for name in TABLES}
    n_pool = len(arts)
    copies = -(-n_articles // n_pool)
    per_shift = -(-copies // SHIFTS)
    parquet._write_marker(out, {"schema_version": str(schema.SCHEMA_VERSION)})
    # the pool's topics, once: every replica's assignment points at them (the Topic clusters page needs them)
    parquet._commit_part(parquet._cast("clusters", tables["clusters"]), out / "clusters" / f"month={parquet.UNKNOWN_MONTH}")
    written = 0
    for k in range(SHIFTS):
        reps = min(per_shift, copies - k * per_shift)
        if reps <= 0:
            break
        for name, table in pool.items():
            months = [month_of.get(a, parquet.UNKNOWN_MONTH) for a in table.column("article_id").to_pylist()]
            for month in sorted(set(months)):
                rows = table.filter(pa.array([m == month for m in months]))
                if name == "articles":
                    for col in ("date", "date_inferred"):
                        rows = rows.set_column(rows.schema.get_field_index(col), col, _shift_dates(rows.column(col), k))
                pieces = []
                for r in range(reps):
                    salt = f"~{k}.{r}"
                    ids = pc.binary_join_element_wise(rows.column("article_id"), pa.scalar(salt), "")
                    pieces.append(rows.set_column(rows.schema.get_field_index("article_id"), "article_id", ids))
                parquet._commit_part(pa.concat_tables(pieces), out / name / f"month={_shift(month, k)}")
        written += reps * n_pool
    return n_pool, written


def _time(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Build the store, then print each read-side figure with its goal."""
    from pipeline.read import aggregate

    parser = argparse.ArgumentParser(prog="python -m pipeline bench store")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 articles instead")
    parser.add_argument("--keep", help="build the store in this folder and keep it")
    args = parser.parse_args(argv)
    n = 100_000 if args.quick else args.articles
    work = Path(tempfile.mkdtemp(prefix="bench_store_"))
    out = Path(args.keep) if args.keep else work / "store.parquet"
    try:
        t = time.perf_counter()
        n_pool, written = build(n, out, work)
        build_s = time.perf_counter() - t
        size = sum(f.stat().st_size for f in out.rglob("*.parquet"))
        print(f"store: {written:,} articles = {n_pool} real articles (tests/fixtures/news GDELT excerpt, run through "
              f"the pipeline once) REPLICATED with salted ids and dates shifted by whole months; "
              f"built in {build_s:.0f} s, {size / 1e6:.0f} MB of Parquet")
        first = {
            "overview": lambda: (aggregate.articles_per_month(out), aggregate.tension_per_month(out),
                                 aggregate.top_actors(out, 10)),
            "tension": lambda: aggregate.tension_per_month(out),
            "actors": lambda: aggregate.top_actors(out, 25),
            "articles page": lambda: aggregate.article_page(out, limit=50),
        }
        print(f"{'measure':<38} {'median s':>9}  goal")
        for page, fn in first.items():
            print(f"{'first paint (server) ' + page:<38} {_time(fn):>9.3f}  <= 2 s")
        months = sorted(m for m in aggregate.articles_per_month(out)["month"] if m != "unknown")
        lo, hi = months[len(months) // 3], months[2 * len(months) // 3]
        change = lambda: (aggregate.articles_per_month(out, lo, hi), aggregate.tension_per_month(out, lo, hi),  # noqa: E731
                          aggregate.top_actors(out, 10, lo, hi), aggregate.article_page(out, start=lo, end=hi))
        print(f"{'filter change ' + lo + '..' + hi + ' (overview)':<38} {_time(change):>9.3f}  <= 0.5 s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{'peak RSS MB (build + reads, 1 process)':<38} {peak:>9.0f}  <= 2700 MB")
        print("not measured: the browser's first paint (Playwright); the dashboard's pages still read whole tables")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0
