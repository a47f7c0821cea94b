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
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Callable, Iterable, Mapping

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
    if not table.constraints:   # tables written by store.write: types here, nullability checked by schema.validate
        return ", ".join(f'"{c.name}" {c.sql_type}' for c in table.stored_columns)
    columns = [f'"{c.name}" {c.sql_type}' + ("" if c.nullable else " NOT NULL")
               + (f" DEFAULT {c.default}" if c.default is not None else "") for c in table.stored_columns]
    return ", ".join(columns + list(table.constraints))


def ensure_tables(conn: sqlite3.Connection, names) -> None:
    """Create the declared tables ``names`` a store lacks (``CREATE TABLE IF NOT EXISTS``, from the schema), for
    modules that write their own tables with SQL (watchlists and alerts, the watcher's feeds)."""
    for name in names:
        table = schema.table(name)
        conn.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({_declared_sql(table)})')
        existing = {r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')}
        for c in table.stored_columns:
            if c.name not in existing:
                default = f" DEFAULT {c.default}" if c.default is not None else ""
                conn.execute(f'ALTER TABLE "{name}" ADD COLUMN "{c.name}" {c.sql_type}{default}')


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
        if table.constraints:   # monitoring tables came after version 3 and were created with their types
            continue
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


# Migrations from version N-1 to N, applied in order inside one transaction.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {2: _migrate_to_2, 3: _migrate_to_3}


class StoreError(RuntimeError):
    """The store folder or database cannot be used (message says why)."""


class StoreMissing(StoreError):
    """No store has been written in that folder yet."""


class StoreTooNew(StoreError):
    """The store was written by a newer pipeline (a higher schema version)."""


WRITER_LOCK = ".writer.lock"


@contextmanager
def writer_lock(store_dir: str | Path):
    """Hold the store's writer lock: one run at a time from reading what is stored to its commit.

    A run decides duplicates from what the store holds, then writes at the end; holding this lock
    across both keeps a second run from deciding on a state the first is about to change (two
    runs started together each add a near copy of the other's article otherwise). An advisory
    ``flock`` on ``DIR/.writer.lock``: the kernel releases it when the holder exits, even on kill -9,
    so a killed run never leaves the store locked. Readers (the dashboard) never take it.
    """
    import fcntl

    folder = Path(store_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / WRITER_LOCK, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def db_path(store_dir: str | Path) -> Path:
    """Path of the SQLite file inside a store folder."""
    return Path(store_dir) / DB_NAME


def exists(store_dir: str | Path) -> bool:
    """Whether a store has been written in this folder (SQLite, or Parquet: see ``pipeline.store.parquet``)."""
    from pipeline.store import parquet  # noqa: PLC0415

    return db_path(store_dir).is_file() or parquet.is_parquet(store_dir)


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


_SESSIONS: dict[Path, sqlite3.Connection] = {}   # store database → the open read session's connection


@contextmanager
def read_session(store_dir: str | Path):
    """Serve every read of ``store_dir`` inside the block from one connection and one snapshot.

    A run reads what the store holds in several steps (ids, URL keys, signatures, articles, topics);
    inside a session they share one SQLite read transaction, so they see one state and open one
    connection instead of one each. Writes are not affected. No-op for a missing or Parquet store.
    """
    path = db_path(store_dir).resolve()
    if path in _SESSIONS or not path.is_file():
        yield
        return
    conn = connect(store_dir)
    conn.execute("BEGIN")          # a deferred read transaction: the snapshot starts at the first read
    _SESSIONS[path] = conn
    try:
        yield
    finally:
        del _SESSIONS[path]
        conn.execute("ROLLBACK")
        conn.close()


@contextmanager
def _reading(store_dir: str | Path):
    """A connection for reads: the open session's if there is one (left open), else a new one (closed after)."""
    session = _SESSIONS.get(db_path(store_dir).resolve())
    if session is not None:
        yield session
        return
    with closing(connect(store_dir)) as conn:
        yield conn


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
    with _reading(store_dir) as conn:
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
    (``ingest_log``); ``meta``: key/value pairs. On a Parquet store the same
    changes become one committed run (``pipeline.store.parquet.write_run``;
    its id is ``meta["last_run"]`` when given).
    """
    from pipeline.store import parquet  # noqa: PLC0415

    if parquet.is_parquet(store_dir):
        import uuid  # noqa: PLC0415

        run_id = str((meta or {}).get("last_run") or uuid.uuid4().hex[:12])
        parquet.write_run(store_dir, run_id, upsert=upsert, replace=replace, append=append, meta=meta)
        return
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


def read(store_dir: str | Path, name: str, columns: list[str] | None = None, where_ids: list[str] | None = None,
         months: tuple[str, str] | None = None) -> pd.DataFrame:
    """Read a table as a DataFrame (empty, with ``columns``, when the table does not exist yet).

    A Parquet store (``pipeline.store.parquet``) is read through DuckDB with the same contract; ``months``
    (``YYYY-MM`` bounds, inclusive) reads only those month partitions of it (a SQLite store has none: refused)."""
    from pipeline.store import parquet  # noqa: PLC0415

    if parquet.is_parquet(store_dir):
        return parquet.read(store_dir, name, columns, where_ids, months)
    if months is not None:
        raise StoreError("a window of months is read from a Parquet store's partitions; a SQLite store is read whole")
    with _reading(store_dir) as conn:
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
    from pipeline.store import parquet  # noqa: PLC0415

    if parquet.is_parquet(store_dir):
        if where:
            raise StoreError("read_columns(where=...) is SQL for the SQLite store; filter the frame instead")
        frame = parquet.read(store_dir, name, only=columns)
        return pd.DataFrame({c: frame[c] if c in frame.columns else pd.Series("", index=frame.index, dtype=object)
                             for c in columns})
    with _reading(store_dir) as conn:
        if name not in table_names(conn):
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        have = {r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')}
        select = ", ".join(f'"{c}"' if c in have else f"'' AS \"{c}\"" for c in columns)
        return pd.read_sql_query(f'SELECT {select} FROM "{name}"' + (f" WHERE {where}" if where else ""), conn)


def counts(store_dir: str | Path) -> dict[str, int]:
    """Rows per table of a store, in name order."""
    from pipeline.store import parquet  # noqa: PLC0415

    if parquet.is_parquet(store_dir):
        return parquet.counts(store_dir)
    with _reading(store_dir) as conn:
        return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in table_names(conn)
                if name != "meta" and not name.startswith("articles_fts")}


def read_meta(store_dir: str | Path) -> dict[str, str]:
    """All key/value pairs of the store's ``meta`` table (a Parquet store keeps them in its marker)."""
    from pipeline.store import parquet  # noqa: PLC0415

    if parquet.is_parquet(store_dir):
        return parquet.read_meta(store_dir)
    with _reading(store_dir) as conn:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())


#: The ``meta`` key holding, as JSON, the version of each stage whose rows the store holds (see
#: :func:`stage_versions_after`); stores written before it was recorded have none.
STAGE_VERSIONS_KEY = "stage_versions"


def stage_versions(store_dir: str | Path) -> dict[str, int]:
    """The version of each stage that wrote the store's rows; ``{}`` when the store does not record them."""
    if not exists(store_dir):
        return {}
    raw = read_meta(store_dir).get(STAGE_VERSIONS_KEY)
    try:
        recorded = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return {str(k): int(v) for k, v in recorded.items()} if isinstance(recorded, dict) else {}


def stage_versions_after(store_dir: str | Path, rewritten: Iterable[str] | None = None) -> str:
    """The ``meta`` value of :data:`STAGE_VERSIONS_KEY` after a write (JSON).

    ``rewritten``: the stages whose whole table the write replaces (``retag``),
    which are now at their current version. With ``None`` (a ``run`` adding
    articles) a store without articles gets every current version, while a
    store with articles keeps what it recorded: its older rows are still those
    of the versions that wrote them (a stage it has no record of stays unknown).
    """
    current = registry.versions()
    recorded = stage_versions(store_dir)
    if rewritten is None:
        empty = not exists(store_dir) or counts(store_dir).get("articles", 0) == 0
        return json.dumps(current if empty else recorded, sort_keys=True)
    recorded.update({name: current[name] for name in rewritten})
    return json.dumps(recorded, sort_keys=True)


#: Tables an analyst writes (not a stage): kept when a store is rebuilt from its sources.
ANALYST_TABLES = ("watchlists", "signal_corrections")


def carry_analyst_tables(source_dir: str | Path, target_dir: str | Path) -> dict[str, int]:
    """Copy the rows of :data:`ANALYST_TABLES` from the store at ``source_dir`` into ``target_dir`` (rows the
    target already holds, by key, are kept); returns the rows copied per table. Columns only the source has,
    and a row number (a lone INTEGER PRIMARY KEY), are left out; a table the target lacks is created with the
    source's definition."""
    copied: dict[str, int] = {}
    with closing(connect(source_dir)) as src:
        present = [t for t in ANALYST_TABLES if t in table_names(src)]
        definitions = {t: src.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (t,)).fetchone()[0]
                       for t in present}
    if not present:
        return copied
    with closing(connect(target_dir, create=True)) as conn:
        conn.execute("ATTACH DATABASE ? AS old", (str(db_path(source_dir)),))
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in present:
                if table not in table_names(conn):
                    conn.execute(definitions[table])
                target_columns = {r[1] for r in conn.execute(f'PRAGMA main.table_info("{table}")')}
                info = conn.execute(f'PRAGMA old.table_info("{table}")').fetchall()
                keys = [r for r in info if r[5]]
                # a lone INTEGER PRIMARY KEY is the row's number in its own store, not part of what the analyst wrote
                surrogate = {keys[0][1]} if len(keys) == 1 and keys[0][2].upper() == "INTEGER" else set()
                columns = [r[1] for r in info if r[1] in target_columns and r[1] not in surrogate]
                listed = ", ".join(f'"{c}"' for c in columns)
                before = conn.execute(f'SELECT COUNT(*) FROM main."{table}"').fetchone()[0]
                conn.execute(f'INSERT OR IGNORE INTO main."{table}" ({listed}) SELECT {listed} FROM old."{table}"')
                copied[table] = conn.execute(f'SELECT COUNT(*) FROM main."{table}"').fetchone()[0] - before
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return copied


def check(store_dir: str | Path) -> list[str]:
    """Verify a store's integrity; return a list of problems (empty when sound)."""
    from pipeline.store import parquet  # noqa: PLC0415

    if parquet.is_parquet(store_dir):
        return parquet.check(store_dir)
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
