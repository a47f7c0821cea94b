"""The full-text index of a Parquet store: the same SQLite FTS5 index as the SQLite store's, in one file beside
the parts (``DIR/_search.sqlite``), so that search has one query language, one compiler and one ranking on both
backends (:mod:`pipeline.read.search`).

The index is contentless (FTS5 ``content=''``): it holds the tokens of each article's title, text and source,
not the text, which stays in the Parquet parts; snippets are cut from the text read back for the hits shown.
Beside it, per article: its id, the part and row that hold it (to read its text from that row group only), and
the distinct actors its mentions name (for ``actor:``).

Kept in step by parts, not by runs: the index records which committed parts of ``articles`` and
``actor_mentions`` it holds. :func:`update` indexes the committed parts it lacks in one SQLite transaction, so a
process killed while indexing leaves the index as it was, and a run's articles are never searchable before the
run commits (uncommitted parts are not listed by :func:`pipeline.store.parquet.parts`). A Parquet store only
ever adds articles, so parts are only ever added; if a listed part disappears (a table replaced, a part deleted
by hand) the index is rebuilt from the parts there are. A run brings the index up to date after its commit; a
search finds it behind (a run killed between its commit and its indexing, a store written by an older version)
and catches it up first.
"""
from __future__ import annotations

import bisect
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.store import fts, parquet

INDEX_FILE = "_search.sqlite"
_TABLES = ("articles", "actor_mentions")


def index_path(store_dir: str | Path) -> Path:
    """Where a Parquet store keeps its full-text index."""
    return Path(store_dir) / INDEX_FILE


def _create(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS articles (rowid INTEGER PRIMARY KEY, article_id TEXT NOT NULL UNIQUE, "
                 "part TEXT NOT NULL, row INTEGER NOT NULL)")
    conn.execute("CREATE TABLE IF NOT EXISTS actor_mentions (article_id TEXT NOT NULL, actor TEXT NOT NULL, "
                 "PRIMARY KEY (article_id, actor)) WITHOUT ROWID")
    conn.execute("CREATE TABLE IF NOT EXISTS indexed_parts (part TEXT PRIMARY KEY, tbl TEXT NOT NULL)")
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts.FTS_TABLE} USING fts5({', '.join(fts.COLUMNS)}, "
                 f"content='', tokenize='{fts.TOKENIZER}')")


def _key(store_dir: Path, part: Path) -> str:
    return part.relative_to(store_dir).as_posix()


def _committed(store_dir: Path) -> dict[str, tuple[str, Path]]:
    """part key -> (table, path) of every committed part the index covers."""
    return {_key(store_dir, p): (name, p) for name in _TABLES for p in parquet.parts(store_dir, name)}


def _add_articles(conn: sqlite3.Connection, part: Path, key: str) -> int:
    table = pq.read_table(part, columns=["article_id", *fts.COLUMNS])
    rows, position = 0, 0
    for batch in table.to_batches(max_chunksize=2000):
        records = batch.to_pylist()
        for r in records:
            cursor = conn.execute("INSERT OR IGNORE INTO articles (article_id, part, row) VALUES (?, ?, ?)",
                                  (r["article_id"], key, position))
            position += 1
            if cursor.rowcount:
                conn.execute(f"INSERT INTO {fts.FTS_TABLE} (rowid, {', '.join(fts.COLUMNS)}) VALUES (?, ?, ?, ?)",
                             (cursor.lastrowid, *(r[c] or "" for c in fts.COLUMNS)))
                rows += 1
    return rows


def _add_mentions(conn: sqlite3.Connection, part: Path) -> None:
    table = pq.read_table(part, columns=["article_id", "actor"])
    pairs = {(a, actor) for a, actor in zip(table.column("article_id").to_pylist(), table.column("actor").to_pylist())
             if actor}
    conn.executemany("INSERT OR IGNORE INTO actor_mentions (article_id, actor) VALUES (?, ?)", sorted(pairs))


def update(store_dir: str | Path) -> int:
    """Index the committed parts the index lacks (building it if missing); returns the articles added.

    One SQLite transaction: all of it or none. Safe beside readers and other updaters (SQLite's write lock
    serialises them; a second updater finds the work done).
    """
    store_dir = Path(store_dir)
    conn = sqlite3.connect(index_path(store_dir), timeout=60)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            _create(conn)
            committed = _committed(store_dir)
            held = {part: tbl for part, tbl in conn.execute("SELECT part, tbl FROM indexed_parts")}
            if set(held) - set(committed):   # a part the index holds is gone: rebuild from what there is
                for table in ("articles", "actor_mentions", "indexed_parts"):
                    conn.execute(f"DELETE FROM {table}")
                conn.execute(f"INSERT INTO {fts.FTS_TABLE} ({fts.FTS_TABLE}) VALUES ('delete-all')")  # contentless
                held = {}
            added = 0
            for key, (table, part) in sorted(committed.items(), key=lambda kv: kv[1][0] != "articles"):
                if key in held:
                    continue
                if table == "articles":
                    added += _add_articles(conn, part, key)
                else:
                    _add_mentions(conn, part)
                conn.execute("INSERT INTO indexed_parts (part, tbl) VALUES (?, ?)", (key, table))
            conn.execute("COMMIT")
            return added
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()


def behind(store_dir: str | Path) -> bool:
    """Whether committed parts are missing from the index (or the index from the store)."""
    store_dir = Path(store_dir)
    if not index_path(store_dir).is_file():
        return True
    conn = sqlite3.connect(f"file:{index_path(store_dir)}?mode=ro", uri=True, timeout=60)
    try:
        held = {r[0] for r in conn.execute("SELECT part FROM indexed_parts")}
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()
    return held != set(_committed(store_dir))


def connect(store_dir: str | Path) -> sqlite3.Connection:
    """A read-only connection to the index, brought up to date first if it is behind the store.

    Its tables carry the SQLite store's names (``articles`` with ``rowid`` and ``article_id``, ``actor_mentions``
    with ``actor``, ``articles_fts``), so the search SQL runs on it unchanged; the articles' text is not in it
    (:func:`texts`).
    """
    if behind(store_dir):
        update(store_dir)
    return sqlite3.connect(f"file:{index_path(store_dir)}?mode=ro", uri=True, timeout=60)


def texts(store_dir: str | Path, conn: sqlite3.Connection, article_ids: list[str]) -> dict[str, str]:
    """article_id -> text of the given articles, each read from the row group of the part that holds it."""
    if not article_ids:
        return {}
    marks = ",".join("?" for _ in article_ids)
    by_part: dict[str, list[int]] = {}
    for part, row in conn.execute(f"SELECT part, row FROM articles WHERE article_id IN ({marks})", article_ids):
        by_part.setdefault(part, []).append(row)
    found: dict[str, str] = {}
    for part, rows in by_part.items():
        handle = pq.ParquetFile(Path(store_dir) / part)
        ends, total = [], 0
        for i in range(handle.metadata.num_row_groups):
            total += handle.metadata.row_group(i).num_rows
            ends.append(total)
        groups = sorted({bisect.bisect_right(ends, row) for row in rows})
        table = handle.read_row_groups(groups, columns=["article_id", "text"])
        found.update(zip(table.column("article_id").to_pylist(), (t or "" for t in table.column("text").to_pylist())))
    wanted = set(article_ids)
    return {a: t for a, t in found.items() if a in wanted}
