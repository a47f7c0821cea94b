"""Uploads from the browser: files read in memory, run through the pipeline into a session's own store.

A session never writes the shared store: :func:`session_store` copies it
(SQLite's online backup, consistent even while others read it) into a fresh
folder, and :func:`ingest_uploads` runs ``pipeline.run.run(documents=...)``
there. :func:`upload_report` turns the run's results into one row per input
(file, zip member, CSV row or JSON line) for people.
"""
from __future__ import annotations

import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from pipeline import ingest, run, store

#: File types the uploader offers: the ones ingest reads (``pipeline.ingest.SUPPORTED_SUFFIXES``).
ACCEPTED_TYPES = tuple(sorted(s.lstrip(".") for s in ingest.SUPPORTED_SUFFIXES))
REPORT_COLUMNS = ["input", "status", "reason", "article_id"]
STATUS_LABELS = {"added": "added", "near_duplicate": "added (near-duplicate)", "duplicate": "duplicate", "rejected": "rejected"}


def session_store(shared_store: str | Path, root: str | Path | None = None) -> Path:
    """A new store folder holding a copy of ``shared_store`` (an empty store when it has none)."""
    target = Path(tempfile.mkdtemp(prefix="session-store-", dir=str(root) if root else None))
    if store.exists(shared_store):
        src_path = store.db_path(shared_store)
        dst_path = store.db_path(target)
        dst_path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(src_path)) as src, closing(sqlite3.connect(dst_path)) as dst:
            src.backup(dst)
    return target


def read_uploads(files: Iterable[tuple[str, bytes]]) -> ingest.ReadOutcome:
    """Read uploaded files (name, bytes) into documents and rejections (``pipeline.ingest.read_bytes`` each)."""
    outcome = ingest.ReadOutcome()
    for name, data in files:
        read = ingest.read_bytes(name, data)
        outcome.documents += read.documents
        outcome.rejected += read.rejected
    return outcome


def ingest_uploads(
    files: Iterable[tuple[str, bytes]],
    store_dir: str | Path,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> run.RunReport:
    """Run uploaded files through the whole pipeline into ``store_dir`` (a session store); one result per input."""
    outcome = read_uploads(files)
    return run.run(store_dir=store_dir, documents=outcome.documents, rejected=outcome.rejected,
                   progress=progress, workers=1)


def upload_report(report: run.RunReport) -> pd.DataFrame:
    """One row per input for people: input, status (added / duplicate / rejected), reason, article_id."""
    rows = [{"input": r.origin, "status": STATUS_LABELS.get(r.status, r.status), "reason": r.reason,
             "article_id": r.article_id} for r in report.results]
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def progress_fraction(stage: str, done: int, total: int) -> float:
    """Overall progress in [0, 1] from a run's (stage, done, total) ticks: ingest 0–0.3, annotate 0.3–0.9, topics 0.9–1."""
    spans = {"ingest": (0.0, 0.3), "annotate": (0.3, 0.9), "topics": (0.9, 1.0)}
    lo, hi = spans.get(stage, (0.0, 1.0))
    share = done / total if total else 1.0
    return round(lo + (hi - lo) * min(max(share, 0.0), 1.0), 4)
