"""The on-disk store: one SQLite file per store folder, written in transactions.

``DIR/store.sqlite`` holds one table per pipeline table (``articles``,
``clusters``, ``actor_mentions``, ``signals``, ``figures``, …), plus
``ingest_log`` (every input's answer, per run), ``signatures`` (MinHash
signatures for near-duplicate detection), ``inputs`` (the key of every
input already read, and its article, so a re-run skips it at once) and
``meta`` (schema version, signature scheme, last run).

Every run writes all its changes in one ``BEGIN IMMEDIATE … COMMIT``
transaction, so a run killed at any point leaves the store as it was before
the run (SQLite's atomic commit). The database is in WAL mode, so the
dashboard can read while the pipeline writes.

Tables are created from the declared schema (``pipeline.schema``), with
their declared SQL types, and every frame is validated before it is written
(a wrong type raises ``SchemaError``; nothing is coerced). A column that the
schema adds to a table is added to an existing store (``ALTER TABLE``);
``SCHEMA_VERSION`` and ``MIGRATIONS`` handle the other changes (each runs in
the transaction that first writes to an older store).

Schema versions: 1 — first version; 2 — ``articles`` gains ``url_key``
(normalised URL), ``author`` and ``annotated`` (1 once the per-article stages
ran on it; an ingest-only run leaves 0), and the ``inputs`` table; 3 — every
table typed as declared in ``pipeline.schema`` (before, a column took its type
from the first frame written, so a ``figures.year`` first written as None was
TEXT and later years read back as strings).
"""
from __future__ import annotations

import json
import os
import math
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from pipeline import registry, schema
from pipeline.schema import SchemaError

DB_NAME = "store.sqlite"
SCHEMA_VERSION = schema.SCHEMA_VERSION


def _migrate_to_2(conn: sqlite3.Connection) -> None:
    """Version 2: ``articles.url_key``, ``articles.author``, ``articles.annotated``; ``inputs`` table."""
    from pipeline.stages.dedup import normalise_url  # noqa: PLC0415 - only old stores need it

    columns = {r[1] for r in conn.execute('PRAGMA table_info("articles")')}
    if columns:
        if "url_key" not in columns:
            conn.execute('ALTER TABLE articles ADD COLUMN url_key TEXT')
            conn.create_function("normalise_url", 1, lambda u: normalise_url(u or ""), deterministic=True)
            conn.execute("UPDATE articles SET url_key = normalise_url(url)")
        if "author" not in columns:
            conn.execute("ALTER TABLE articles ADD COLUMN author TEXT DEFAULT ''")
        if "annotated" not in columns:
            # Stores of version 1 were always written after every stage ran.
            conn.execute("ALTER TABLE articles ADD COLUMN annotated INTEGER DEFAULT 1")
    conn.execute("CREATE TABLE IF NOT EXISTS inputs (input_key TEXT, article_id TEXT)")
    conn.execute('CREATE INDEX IF NOT EXISTS "ix_inputs_input_key" ON inputs (input_key)')


def _declared_sql(table: schema.Table) -> str:
    cols = [f'"{c.name}" {c.sql_type}' + (" NOT NULL" if table.primary_key and not c.nullable else "")
            + (f" DEFAULT {c.default}" if c.default is not None else "") for c in table.stored_columns]
    if table.primary_key:
        cols.append("PRIMARY KEY (" + ", ".join(f'"{k}"' for k in table.primary_key) + ")")
    cols += [f'UNIQUE ("{u}")' for u in table.unique]
    return ", ".join(cols)


def _create_indexes(conn: sqlite3.Connection, table: schema.Table) -> None:
    """The index on the table's key (unique for ``articles``)."""
    if table.key:
        unique = "UNIQUE " if table.unique_key else ""
        conn.execute(f'CREATE {unique}INDEX IF NOT EXISTS "ix_{table.name}_{table.key}" ON "{table.name}" ("{table.key}")')


def _migrate_to_3(conn: sqlite3.Connection) -> None:
    """Version 3: every declared table rebuilt with its declared column types.

    Values are copied through SQLite's type affinity ("2025" in an INTEGER column becomes 2025, 2025.0
    becomes 2025); an empty string in a numeric column becomes NULL. Columns a table holds beyond the
    schema are kept, with their type. A value that still does not fit its type stops the migration with a
    ``SchemaError`` naming the column (the transaction rolls back; the store stays at version 2).
    """
    for table in schema.TABLES.values():
        info = [(r[1], r[2]) for r in conn.execute(f'PRAGMA table_info("{table.name}")')]
        if not info:
            continue
        have = dict(info)
        declared = {c.name: c for c in table.stored_columns}
        if [(c.name, c.sql_type) for c in table.stored_columns] == info:
            continue
        extra = [(n, t) for n, t in info if n not in declared]
        new = f"_v3_{table.name}"
        cols = _declared_sql(table) + "".join(f', "{n}" {t}' for n, t in extra)
        conn.execute(f'CREATE TABLE "{new}" ({cols})')
        names, selects = [], []
        for c in table.stored_columns:
            if c.name in have:
                names.append(f'"{c.name}"')
                selects.append(f'NULLIF("{c.name}", \'\')' if c.sql_type in ("INTEGER", "REAL") else f'"{c.name}"')
        for n, _ in extra:
            names.append(f'"{n}"')
            selects.append(f'"{n}"')
        conn.execute(f'INSERT INTO "{new}" ({", ".join(names)}) SELECT {", ".join(selects)} FROM "{table.name}"')
        for c in table.stored_columns:
            allowed = {"INTEGER": "'integer'", "REAL": "'real', 'integer'", "BLOB": "'blob'", "TEXT": "'text'"}[c.sql_type]
            if c.dtype == "bytes":
                allowed = "'blob', 'text'"
            bad = conn.execute(f'SELECT COUNT(*), MIN(quote("{c.name}")) FROM "{new}" '
                               f'WHERE "{c.name}" IS NOT NULL AND typeof("{c.name}") NOT IN ({allowed})').fetchone()
            if bad[0]:
                raise SchemaError(f"migrating to version 3: {table.name}.{c.name} has {bad[0]} values that are not "
                                  f"{c.dtype} (e.g. {bad[1]})")
        conn.execute(f'DROP TABLE "{table.name}"')
        conn.execute(f'ALTER TABLE "{new}" RENAME TO "{table.name}"')
        _create_indexes(conn, table)


def ensure_tables(conn: sqlite3.Connection, names=schema.MONITORING_TABLES) -> None:
    """Create the declared tables ``names`` that the database lacks (``CREATE TABLE IF NOT EXISTS``, with the
    schema's primary key, unique columns and defaults): how the monitoring tables come to exist."""
    for name in names:
        conn.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({_declared_sql(schema.table(name))})')


def _migrate_to_4(conn: sqlite3.Connection) -> None:
    """Version 4: the monitoring tables, declared in the schema. A store of version 3 whose watchlists were
    saved before (their tables then created by raw SQL of the same shape) keeps them and their rows."""
    ensure_tables(conn)


# Migrations from version N-1 to N, applied in order inside one transaction.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {2: _migrate_to_2, 3: _migrate_to_3, 4: _migrate_to_4}


class StoreError(RuntimeError):
    """The store folder or database cannot be used (message says why)."""


class StoreMissing(StoreError):
    """No store has been written in that folder yet."""


class StoreTooNew(StoreError):
    """The store was written by a newer pipeline (a higher schema version)."""


def db_path(store_dir: str | Path) -> Path:
    """Path of the SQLite file inside a store folder."""
    return Path(store_dir) / DB_NAME


def exists(store_dir: str | Path) -> bool:
    """Whether a store has been written in this folder."""
    return db_path(store_dir).is_file()


def connect(store_dir: str | Path, *, create: bool = False) -> sqlite3.Connection:
    """Open the store's database (creating folder and schema metadata if ``create``)."""
    path = db_path(store_dir)
    if not create and not path.is_file():
        raise StoreMissing(f"no store at {store_dir} (run `python -m pipeline run … --store {store_dir}` first)")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a usable store: {exc}") from exc
    if create:
        _ensure_meta(conn)
    return conn


def _ensure_meta(conn: sqlite3.Connection) -> None:
    """Create the ``meta`` table of a new database (its own small transaction; no data is touched)."""
    conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema to ``SCHEMA_VERSION``, inside the caller's open transaction (so a run killed while
    migrating or writing leaves the store at its old version with its old data)."""
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        raise StoreTooNew(f"store schema version {version} is newer than this pipeline's {SCHEMA_VERSION}")
    if version == SCHEMA_VERSION:
        return
    if version or "articles" in table_names(conn):
        for target in range(max(version, 1) + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[target](conn)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))


def schema_version(store_dir: str | Path) -> int:
    """The schema version recorded in a store."""
    with closing(connect(store_dir)) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else 0


def table_names(conn: sqlite3.Connection) -> list[str]:
    """Names of the tables in the database."""
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]


def _cell(value):
    """A Python value SQLite can hold: lists/dicts as JSON, numpy scalars as Python, NaN as NULL."""
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.bool_, bool)):
        return int(value)
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, np.ndarray):
        return value.tobytes()
    if isinstance(value, (str, bytes, int)):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def _ensure_table(conn: sqlite3.Connection, name: str) -> None:
    """Create table ``name`` as declared in the schema, or add the declared columns an older store lacks."""
    table = schema.table(name)
    existing = {r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')}
    if not existing:
        conn.execute(f'CREATE TABLE "{name}" ({_declared_sql(table)})')
        _create_indexes(conn, table)
        return
    for c in table.stored_columns:
        if c.name not in existing:
            conn.execute(f'ALTER TABLE "{name}" ADD COLUMN "{c.name}" {c.sql_type}')


def _insert(conn: sqlite3.Connection, name: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    cols = list(frame.columns)
    placeholders = ", ".join("?" for _ in cols)
    names = ", ".join(f'"{c}"' for c in cols)
    rows = ([_cell(v) for v in row] for row in frame.itertuples(index=False, name=None))
    conn.executemany(f'INSERT INTO "{name}" ({names}) VALUES ({placeholders})', rows)


def write(
    store_dir: str | Path,
    *,
    upsert: Mapping[str, pd.DataFrame] | None = None,
    replace: Mapping[str, pd.DataFrame] | None = None,
    append: Mapping[str, pd.DataFrame] | None = None,
    meta: Mapping[str, str] | None = None,
) -> None:
    """Apply a run's changes in one transaction: all of them or none.

    ``upsert``: rows replace the stored rows of the same ``article_id`` (for
    ``articles``, the per-article tables and ``signatures``); ``replace``: the
    whole table is replaced (``clusters``); ``append``: rows are added
    (``ingest_log``); ``meta``: key/value pairs.
    """
    with closing(connect(store_dir, create=True)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _migrate(conn)
            for name, frame in (upsert or {}).items():
                if frame is None:
                    continue
                schema.validate(name, frame)
                _ensure_table(conn, name)
                if "article_id" in frame.columns and not frame.empty:
                    ids = sorted(set(frame["article_id"].astype(str)))
                    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _ids (article_id TEXT PRIMARY KEY)")
                    conn.execute("DELETE FROM _ids")
                    conn.executemany("INSERT OR IGNORE INTO _ids VALUES (?)", [(i,) for i in ids])
                    conn.execute(f'DELETE FROM "{name}" WHERE article_id IN (SELECT article_id FROM _ids)')
                _insert(conn, name, frame)
            for name, frame in (replace or {}).items():
                if frame is None:
                    continue
                schema.validate(name, frame)
                conn.execute(f'DROP TABLE IF EXISTS "{name}"')
                _ensure_table(conn, name)
                _insert(conn, name, frame)
            for name, frame in (append or {}).items():
                if frame is None:
                    continue
                schema.validate(name, frame)
                _ensure_table(conn, name)
                _insert(conn, name, frame)
            for key, value in (meta or {}).items():
                conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value)))
            if not os.environ.get("PIPELINE_NO_FTS"):
                from pipeline.store import fts  # the full-text index rides in the same transaction
                fts.ensure(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def read(store_dir: str | Path, name: str, columns: list[str] | None = None, where_ids: list[str] | None = None) -> pd.DataFrame:
    """Read a table as a DataFrame (empty, with ``columns``, when the table does not exist yet)."""
    with closing(connect(store_dir)) as conn:
        if name not in table_names(conn):
            return pd.DataFrame(columns=columns or [])
        sql = f'SELECT * FROM "{name}"'
        params: list = []
        if where_ids is not None:
            if not where_ids:
                return pd.DataFrame(columns=[r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')])
            sql += f" WHERE article_id IN ({', '.join('?' for _ in where_ids)})"
            params = list(where_ids)
        frame = pd.read_sql_query(sql, conn, params=params)
    for c in columns or []:
        if c not in frame.columns:
            frame[c] = pd.Series(dtype=object)
    return frame


def read_columns(store_dir: str | Path, name: str, columns: list[str], where: str = "") -> pd.DataFrame:
    """Only ``columns`` of a table (a column the stored table lacks comes back as ""), optionally filtered by
    a fixed SQL ``where`` clause written by the caller (never built from input)."""
    with closing(connect(store_dir)) as conn:
        if name not in table_names(conn):
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        have = {r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')}
        select = ", ".join(f'"{c}"' if c in have else f"'' AS \"{c}\"" for c in columns)
        return pd.read_sql_query(f'SELECT {select} FROM "{name}"' + (f" WHERE {where}" if where else ""), conn)


def counts(store_dir: str | Path) -> dict[str, int]:
    """Rows per table of a store, in name order."""
    with closing(connect(store_dir)) as conn:
        return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in table_names(conn)
                if name != "meta" and not name.startswith("articles_fts")}


def read_meta(store_dir: str | Path) -> dict[str, str]:
    """All key/value pairs of the store's ``meta`` table."""
    with closing(connect(store_dir)) as conn:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def check(store_dir: str | Path) -> list[str]:
    """Verify a store's integrity; return a list of problems (empty when sound)."""
    problems: list[str] = []
    try:
        conn = connect(store_dir)
    except StoreError as exc:
        return [str(exc)]
    with closing(conn):
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            problems.append(f"SQLite integrity check: {result}")
        names = set(table_names(conn))
        if "articles" not in names:
            problems.append("no articles table")
            return problems
        dup = conn.execute("SELECT COUNT(*) - COUNT(DISTINCT article_id) FROM articles").fetchone()[0]
        if dup:
            problems.append(f"{dup} duplicate article ids")
        for name in registry.per_article_tables():
            if name in names:
                orphans = conn.execute(f'SELECT COUNT(*) FROM "{name}" WHERE article_id NOT IN (SELECT article_id FROM articles)').fetchone()[0]
                if orphans:
                    problems.append(f"{name}: {orphans} rows of unknown articles")
                bad = conn.execute(
                    f'SELECT COUNT(*) FROM "{name}" t JOIN articles a USING (article_id) '
                    f'WHERE t.start < 0 OR t."end" <= t.start OR t."end" > length(a.text)'
                ).fetchone()[0]
                if bad:
                    problems.append(f"{name}: {bad} rows with offsets outside their article's text")
        for name in ("signatures", "inputs"):
            if name in names:
                orphans = conn.execute(f'SELECT COUNT(*) FROM "{name}" WHERE article_id NOT IN (SELECT article_id FROM articles)').fetchone()[0]
                if orphans:
                    problems.append(f"{name}: {orphans} rows of unknown articles")
        columns = {r[1] for r in conn.execute('PRAGMA table_info("articles")')}
        if "duplicate_of" in columns:
            dangling = conn.execute(
                "SELECT COUNT(*) FROM articles WHERE COALESCE(duplicate_of, '') != '' "
                "AND duplicate_of NOT IN (SELECT article_id FROM articles)"
            ).fetchone()[0]
            if dangling:
                problems.append(f"articles: {dangling} near-duplicates linked to an article that is not stored")
        if "text" in columns:
            empty = conn.execute("SELECT COUNT(*) FROM articles WHERE text IS NULL OR length(trim(text)) = 0").fetchone()[0]
            if empty:
                problems.append(f"articles: {empty} rows without text")
        from pipeline.store import fts
        if fts.ready(conn):
            try:
                conn.execute(f"INSERT INTO {fts.FTS_TABLE}({fts.FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
            except sqlite3.DatabaseError as exc:
                problems.append(f"full-text index out of step with articles: {exc}")
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if not version or int(version[0]) != SCHEMA_VERSION:
            problems.append(f"schema version {version[0] if version else 'missing'}, expected {SCHEMA_VERSION}")
    return problems
