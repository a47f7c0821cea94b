"""The full-text index of the store: an SQLite FTS5 table over ``articles`` (title, text, source).

It is an external-content index (the text is not stored twice) kept in step with ``articles`` by three
triggers, so every write that changes an article changes its index entry in the same transaction: a run
killed mid-write leaves both at their old state. :func:`ensure` creates the index (and indexes every
stored article) on a store that lacks it, e.g. one written before the index existed or whose ``articles``
table a migration rebuilt (which drops the triggers).

The index and its triggers stay raw SQL here, not declared in ``pipeline.schema``: an FTS5 virtual table has
no column types, key or nullability for the schema to declare, holds no data of its own (it is derived from
``articles`` and rebuilt from it by :func:`ensure`), and SQLite manages its shadow tables itself.
"""
from __future__ import annotations

import sqlite3

FTS_TABLE = "articles_fts"
#: Indexed columns, in order (column numbers for ``snippet()`` and ``bm25()`` weights follow it).
COLUMNS = ("title", "text", "source")
TOKENIZER = "unicode61 remove_diacritics 2"
_TRIGGERS = ("articles_fts_ai", "articles_fts_ad", "articles_fts_au")


def _has(conn: sqlite3.Connection, kind: str, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type=? AND name=?", (kind, name)).fetchone() is not None


def ready(conn: sqlite3.Connection) -> bool:
    """Whether the index and its three triggers exist."""
    return _has(conn, "table", FTS_TABLE) and all(_has(conn, "trigger", t) for t in _TRIGGERS)


def ensure(conn: sqlite3.Connection) -> bool:
    """Create the index and its triggers if missing, then index every stored article; True when it built.

    Runs inside the caller's transaction when one is open. A store without an ``articles`` table is left as is.
    """
    if not _has(conn, "table", "articles") or ready(conn):
        return False
    cols = ", ".join(COLUMNS)
    new = ", ".join(f"new.{c}" for c in COLUMNS)
    old = ", ".join(f"old.{c}" for c in COLUMNS)
    conn.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    conn.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({cols}, content='articles', "
                 f"content_rowid='rowid', tokenize='{TOKENIZER}')")
    for t in _TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {t}")
    conn.execute(f"CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN "
                 f"INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES (new.rowid, {new}); END")
    conn.execute(f"CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN "
                 f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols}) VALUES ('delete', old.rowid, {old}); END")
    conn.execute(f"CREATE TRIGGER articles_fts_au AFTER UPDATE ON articles BEGIN "
                 f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols}) VALUES ('delete', old.rowid, {old}); "
                 f"INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES (new.rowid, {new}); END")
    conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    return True


def drop(conn: sqlite3.Connection) -> None:
    """Remove the index and its triggers (the bench measures ingest with and without it)."""
    for t in _TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {t}")
    conn.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
