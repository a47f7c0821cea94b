"""Uploads from the browser: files read in memory, run through the pipeline into a session's own store.

A session never writes the shared store: :func:`session_store` copies it
(SQLite's online backup, consistent even while others read it) into a fresh
folder, and :func:`ingest_uploads` runs ``pipeline.run.run(documents=...)``
there. :func:`upload_report` turns the run's results into one row per input
(file, zip member, CSV row or JSON line) for people.

Session stores live under :func:`sessions_root` (``$NEWSINTEL_SESSION_STORES``,
else ``newsintel-sessions`` in the system's temporary folder) and are
disposable: :func:`cleanup_session_stores` deletes the ones unused for
``MAX_AGE_HOURS`` and, beyond ``MAX_STORES``, the least recently used (the
dashboard runs it at start-up and before each new session store;
:func:`touch` marks a store as used).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

import pandas as pd

from pipeline import ingest, store

if TYPE_CHECKING:
    from pipeline import run

#: File types the uploader offers: the ones ingest reads (``pipeline.ingest.SUPPORTED_SUFFIXES``).
ACCEPTED_TYPES = tuple(sorted(s.lstrip(".") for s in ingest.SUPPORTED_SUFFIXES))
REPORT_COLUMNS = ["input", "status", "reason", "article_id"]
STATUS_LABELS = {"added": "added", "near_duplicate": "added (near-duplicate)", "duplicate": "duplicate", "rejected": "rejected"}


SESSION_PREFIX = "session-store-"
MAX_AGE_HOURS = 12.0   # a session store unused this long is deleted
MAX_STORES = 20        # at most this many session stores are kept (a copy of the seed store is a few MB)


def sessions_root() -> Path:
    """The folder holding every session store: ``$NEWSINTEL_SESSION_STORES`` or ``<tmp>/newsintel-sessions``."""
    return Path(os.environ.get("NEWSINTEL_SESSION_STORES") or Path(tempfile.gettempdir()) / "newsintel-sessions")


def touch(store_dir: str | Path) -> None:
    """Mark a session store as used now (its folder's time), so clean-ups keep it."""
    try:
        os.utime(store_dir)
    except OSError:
        pass


def _last_used(folder: Path) -> float:
    times = [folder.stat().st_mtime]
    times += [f.stat().st_mtime for f in folder.iterdir() if f.is_file()]
    return max(times)


def cleanup_session_stores(root: str | Path | None = None, *, max_age_hours: float = MAX_AGE_HOURS,
                           max_stores: int = MAX_STORES, keep: Iterable[str | Path] = (),
                           now: float | None = None) -> list[Path]:
    """Delete session stores under ``root`` unused for ``max_age_hours``, then the least recently used ones
    beyond ``max_stores``; stores named in ``keep`` are spared. Returns the folders deleted.

    Only folders named ``session-store-*`` are touched.
    """
    if max_age_hours < 0 or max_stores < 0:
        raise ValueError("max_age_hours and max_stores must not be negative")
    root = Path(root) if root else sessions_root()
    if not root.is_dir():
        return []
    now = time.time() if now is None else now
    spared = {Path(k).resolve() for k in keep}
    stores = []
    for folder in root.glob(SESSION_PREFIX + "*"):
        try:
            if folder.is_dir():
                stores.append((_last_used(folder), folder))
        except OSError:   # deleted meanwhile by another process
            continue
    stores.sort(reverse=True)   # most recently used first
    removed: list[Path] = []
    kept = 0
    for used, folder in stores:
        if folder.resolve() in spared:
            kept += 1
            continue
        if now - used > max_age_hours * 3600 or kept >= max_stores:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        else:
            kept += 1
    return removed


def delete_session_store(store_dir: str | Path) -> bool:
    """Delete one session store (only a ``session-store-*`` folder); True if it was there."""
    folder = Path(store_dir)
    if not folder.name.startswith(SESSION_PREFIX) or not folder.is_dir():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return True


def session_store(shared_store: str | Path, root: str | Path | None = None) -> Path:
    """A new store folder under ``root`` (default :func:`sessions_root`) holding a copy of ``shared_store``
    (an empty store when it has none)."""
    root = Path(root) if root else sessions_root()
    root.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix=SESSION_PREFIX, dir=str(root)))
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
    from pipeline import run  # the whole pipeline: imported when an upload runs, not when the page loads

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
