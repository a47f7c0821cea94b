"""Ingest benchmark: the 58,216 real documents of ``scale_pool_58k`` into an empty store, then again.

``python -m pipeline eval ingest [--limit N] [--workers N] [--keep DIR]``

The recipe (``shared/data/scale_pool_58k/SOURCE.md``) names seven corpora
and the text field of each. They are written, streamed, to one JSON-lines
file per corpus in a temporary folder (fields ``text``, and ``title``,
``date``, ``source``, ``url`` where the corpus has them: an analyst's exported
CSV/JSONL looks like this), which is not timed. Then, timed:

1. ``pipeline.run.run(folder, store, stages=False)`` into an empty store:
   read (streamed), clean (boilerplate split, title, dates), exact-duplicate
   hash, MinHash signature, LSH near-duplicate lookup, one SQLite transaction;
2. the same call again: every document must come back as a duplicate.

Printed: documents/s for each pass (wall clock, and per CPU-second of the
main and worker processes, which depends less on other load on the machine;
the load average is printed too), the answers per status, peak memory (the
proportional set size of the main process plus its worker processes, sampled
every 0.1 s from /proc, and ``ru_maxrss`` of the main process) and the
store's size on disk. The NLP
stages are not part of this path (``python -m pipeline bench`` measures them).
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from pipeline.evals.common import SCALE_POOL, peak_rss_mb, shared_data_dir

# (folder, file, field builder) per the recipe, from the one list of the pool's corpora in evals.common:
# title + "\n" + text where the recipe says so.
CORPORA = [(folder, name, "+".join(fields)) for folder, name, fields in SCALE_POOL]


def iter_corpus(folder: str, filename: str, recipe: str):
    """Records of one corpus as dicts with text (per the recipe) and title/date/source/url when present."""
    path = shared_data_dir() / folder / filename
    csv.field_size_limit(1 << 30)
    if filename.endswith(".csv.gz"):
        fh = gzip.open(path, "rt", encoding="utf-8", newline="")
        rows = csv.DictReader(fh)
    else:
        fh = open(path, encoding="utf-8")
        rows = (json.loads(line) for line in fh if line.strip())
    with fh:
        for row in rows:
            title = (row.get("title") or "").strip()
            body = row.get("text") or ""
            text = f"{title}\n{body}" if recipe == "title+text" and title else body
            record = {"text": text}
            for key in ("date", "source", "url"):
                if row.get(key):
                    record[key] = str(row[key])
            yield record


def write_pool(folder: Path, limit: int | None = None) -> int:
    """Write the pool as one JSONL file per corpus; returns the number of documents written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for name, filename, recipe in CORPORA:
        if limit is not None and written >= limit:
            break
        with open(folder / f"{name}.jsonl", "w", encoding="utf-8") as out:
            for record in iter_corpus(name, filename, recipe):
                if limit is not None and written >= limit:
                    break
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
    return written


class MemorySampler:
    """Samples the resident memory of this process plus its children (MB) every ``interval`` seconds."""

    def __init__(self, interval: float = 0.1):
        self.interval, self.peak = interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @staticmethod
    def _memory_kb(pid: int) -> int:
        """Proportional set size (shared pages split between the processes sharing them), else RSS."""
        for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
            try:
                with open(path) as fh:
                    for line in fh:
                        if line.startswith(key):
                            return int(line.split()[1])
            except OSError:
                continue
        return 0

    def total_mb(self) -> float:
        """Current memory of this process and its direct children (PSS, so forked pages count once), in MB."""
        me = os.getpid()
        total = self._memory_kb(me)
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                    if int(fields[1]) == me:
                        total += self._memory_kb(int(entry))
                except (OSError, IndexError, ValueError):
                    continue
        return total / 1024

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.total_mb())
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def store_size_mb(store_dir: Path) -> float:
    """Size of the store's files (database, WAL, shared memory) in MB."""
    return sum(f.stat().st_size for f in store_dir.glob("store.sqlite*")) / 1e6


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    from pipeline import run, store

    parser = argparse.ArgumentParser(prog="python -m pipeline eval ingest")
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents (default: all 58,216)")
    parser.add_argument("--workers", type=int, default=None, help="cleaning processes (default: the machine's cores)")
    parser.add_argument("--keep", default=None, help="keep the store in this folder instead of a temporary one")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    try:
        t0 = time.perf_counter()
        n = write_pool(tmp / "pool", args.limit)
        print(f"pool: {n:,} documents from {len(CORPORA)} corpora written as JSONL in {time.perf_counter() - t0:.1f} s (not timed below)")
        store_dir = Path(args.keep) if args.keep else tmp / "store"
        if store_dir.exists():
            shutil.rmtree(store_dir)
        workers = args.workers or run.default_workers()
        print(f"workers: {workers} cleaning processes on {os.cpu_count()} cores; NLP stages off (ingest + dedup + store)")
        for label in ("first pass, empty store", "second pass, same input"):
            with MemorySampler() as mem:
                t, cpu0 = time.perf_counter(), _cpu_seconds()
                report = run.run([tmp / "pool"], store_dir, stages=False, workers=workers)
                seconds, cpu = time.perf_counter() - t, _cpu_seconds() - cpu0
            total = len(report.results)
            by_status = {s: report.count(s) for s in ("added", "near_duplicate", "duplicate", "rejected")}
            print(f"{label}: {total:,} inputs in {seconds:.1f} s = {total / seconds:,.0f} documents/s "
                  f"({total / cpu:,.0f} per CPU-second; load average {os.getloadavg()[0]:.1f}); "
                  + ", ".join(f"{k} {v:,}" for k, v in by_status.items())
                  + f"; peak memory {mem.peak:.0f} MB (main + workers), store {store_size_mb(store_dir):.0f} MB")
        reasons: dict[str, int] = {}
        for r in report.results:
            if r.status == "rejected":
                reasons[r.reason] = reasons.get(r.reason, 0) + 1
        problems = store.check(store_dir)
        print(f"store check: {'ok' if not problems else '; '.join(problems)}; counts: {store.counts(store_dir)}")
        print(f"main-process ru_maxrss: {peak_rss_mb():.0f} MB")
        for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1])[:5]:
            print(f"  rejected x{count}: {reason}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0
