"""The Parquet store backend: every declared table as Parquet files partitioned by month, read with DuckDB.

A folder is a Parquet store when it holds the marker file ``_parquet`` (written by :func:`write_partition`
and by ``python -m pipeline convert``); any other store folder is the embedded SQLite store (the default).

Layout: ``DIR/<table>/month=YYYY-MM/part-<uuid>.parquet``, the month being the effective date
(``pipeline.schema.effective_date``) of the row's article; rows of undated articles, and of tables not tied
to one article (``clusters``, ``ingest_log`` rows without an article), go to ``month=unknown``. Column names
and types come from ``pipeline.schema`` (one place). Parts are only ever added: each is written under a
temporary name (``.tmp-*``, which readers never match) and renamed into place, so a writer killed at any
point leaves every committed part readable and no half part.

Runs (``pipeline.run`` on a Parquet store, :func:`write_run`): a run's parts carry its id
(``part-<run>-<uuid>.parquet``) and stay invisible until the run commits, by adding its id to the marker's
``runs`` in one atomic rename of the marker. The workers of an engine write their partitions' parts
themselves (:func:`write_partition` with ``run_id``); the driver commits. A run killed before its commit
leaves only invisible parts (``uncommitted_parts`` lists them), so the store reads as before the run. A
table a run replaces (topics, a retag) gets a ``base``: that table's parts before the run are no longer
read. Parts without a run id (``convert``, plain :func:`write_partition`) are always committed.
"""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import schema

MARKER = "_parquet"
#: Rows per row group of a part that holds article text: search reads the text of a hit from its row group only
#: (64 made the 1M bench store 7x larger and its scans 10x slower; a run's parts hold at most a partition anyway).
ARTICLE_ROW_GROUP = 1024
UNKNOWN_MONTH = "unknown"
_ARROW = {"str": pa.string(), "int": pa.int64(), "bool": pa.int64(), "float": pa.float64(),
          "json": pa.string(), "bytes": pa.binary()}


def is_parquet(store_dir: str | Path) -> bool:
    """Whether ``store_dir`` is a Parquet store (it holds the ``_parquet`` marker)."""
    return (Path(store_dir) / MARKER).is_file()


def arrow_schema(name: str) -> pa.Schema:
    """The Arrow schema of a declared table's stored columns (types from ``pipeline.schema``)."""
    return pa.schema([pa.field(c.name, _ARROW[c.dtype], nullable=c.nullable) for c in schema.table(name).stored_columns])


def _months(articles: pd.DataFrame) -> dict[str, str]:
    """article_id → ``YYYY-MM`` of its effective date (``unknown`` when it has none or only a year)."""
    if articles is None or articles.empty:
        return {}
    dates = schema.effective_dates(articles)
    months = [d[:7] if len(d) >= 7 and d[4] == "-" else UNKNOWN_MONTH for d in dates]
    return dict(zip(articles["article_id"], months))


def _known_months(store_dir: Path) -> dict[str, str]:
    """article_id → month of the articles already stored (for rows written after their article)."""
    if not (store_dir / "articles").is_dir():
        return {}
    frame = read(store_dir, "articles", ["article_id", "date", "date_inferred"])
    return _months(frame)


def _cast(name: str, frame: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table of the declared schema (a missing column is null; extra columns dropped)."""
    target = arrow_schema(name)
    arrays = []
    for field in target:
        raw = frame[field.name].tolist() if field.name in frame.columns else [None] * len(frame)
        values = [None if not isinstance(v, (list, dict, bytes, str)) and pd.isna(v) else v for v in raw]
        if pa.types.is_integer(field.type):
            values = [None if v is None else int(v) for v in values]
        elif pa.types.is_floating(field.type):
            values = [None if v is None else float(v) for v in values]
        elif pa.types.is_string(field.type):
            values = [v if v is None or isinstance(v, str) else json.dumps(v) if isinstance(v, (list, dict)) else str(v)
                      for v in values]
        arrays.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(arrays, schema=target.with_metadata(None))


def _commit_part(table: pa.Table, directory: Path, run_id: str | None = None, tag: str | None = None) -> Path:
    """Write one part atomically: a temporary name in the same folder, fsync, then rename.

    A fixed ``tag`` names the part deterministically, so writing the same partition again (a retried task)
    replaces it instead of adding a second copy.
    """
    directory.mkdir(parents=True, exist_ok=True)
    tag = tag or uuid.uuid4().hex
    name = f"part-{run_id}-{tag}.parquet" if run_id else f"part-{tag}.parquet"
    tmp, final = directory / f".tmp-{uuid.uuid4().hex}.parquet", directory / name
    # articles in small row groups: search reads one article's text by reading only its row group
    row_group = ARTICLE_ROW_GROUP if "text" in table.column_names else None
    pq.write_table(table, tmp, compression="zstd", row_group_size=row_group)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    return final


def _marker(store_dir: str | Path) -> dict:
    path = Path(store_dir) / MARKER
    return json.loads(path.read_text() or "{}") if path.is_file() else {}


def read_meta(store_dir: str | Path) -> dict[str, str]:
    """The store's meta values (schema version, stage versions …), kept in the marker file."""
    return {str(k): str(v) for k, v in _marker(store_dir).get("meta", {}).items()}


def _write_marker(store_dir: Path, meta: dict[str, str], *, runs: list[str] | None = None,
                  base: dict[str, str] | None = None) -> None:
    """Replace the marker atomically, keeping the committed runs and bases unless new ones are given."""
    store_dir = Path(store_dir)
    store_dir.mkdir(parents=True, exist_ok=True)
    old = _marker(store_dir)
    tmp = store_dir / f".tmp-{uuid.uuid4().hex}"
    tmp.write_text(json.dumps({"schema_version": schema.SCHEMA_VERSION, "meta": meta,
                               "runs": runs if runs is not None else old.get("runs", []),
                               "base": base if base is not None else old.get("base", {})}))
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, store_dir / MARKER)


def create(store_dir: str | Path) -> None:
    """Make ``store_dir`` an empty Parquet store (the marker only); an existing store is left alone."""
    if not is_parquet(store_dir):
        _write_marker(Path(store_dir), {"schema_version": str(schema.SCHEMA_VERSION)})


def write_partition(tables: dict[str, pd.DataFrame], store_dir: str | Path, *, run_id: str | None = None,
                    months: dict[str, str] | None = None, tag: str | None = None) -> list[Path]:
    """Append one batch of tables to a Parquet store (created if missing): one part per table and month.

    Safe for several writers at once (each writes its own uniquely named parts); returns the parts written.
    With ``run_id`` the parts stay invisible until that run commits (:func:`write_run`). ``months``
    (article_id → ``YYYY-MM``) places rows whose articles are not in ``tables`` without reading the store.
    ``tag`` (with ``run_id``): a fixed name for this partition's parts, so a retried partition replaces them.
    """
    store_dir = Path(store_dir)
    store_dir.mkdir(parents=True, exist_ok=True)
    if not (store_dir / MARKER).is_file():
        create(store_dir)
    month_of = {**(months or {}), **_months(tables.get("articles"))}
    if months is None and any("article_id" in f.columns for n, f in tables.items() if n != "articles" and f is not None and len(f)):
        month_of = {**_known_months(store_dir), **month_of}
    written = []
    for name, frame in tables.items():
        if frame is None or frame.empty or name not in schema.TABLES:
            continue
        schema.validate(name, frame)
        if "article_id" in frame.columns:
            months = frame["article_id"].map(lambda a: month_of.get(a, UNKNOWN_MONTH))
        else:
            months = pd.Series(UNKNOWN_MONTH, index=frame.index)
        for month, rows in frame.groupby(months, sort=True):
            written.append(_commit_part(_cast(name, rows), store_dir / name / f"month={month}", run_id, tag))
    return written


def months_of(articles: pd.DataFrame) -> dict[str, str]:
    """article_id → the month folder its rows go to (for workers writing a partition's per-article tables)."""
    return _months(articles)


def write_run(store_dir: str | Path, run_id: str, *, upsert=None, replace=None, append=None, meta=None,
              months: dict[str, str] | None = None) -> None:
    """A run's changes as parts with its id, then one atomic commit of the marker (all of them or none).

    A Parquet store only adds articles: ``upsert`` of an article id already stored is refused (an
    ingest-only run followed by a full run, which re-annotates stored articles, needs the SQLite store).
    ``replace`` tables get this run as their base; ``append`` and ``upsert`` add parts. Parts the run's
    workers already wrote under ``run_id`` are committed with it.
    """
    from pipeline.store import StoreError  # noqa: PLC0415 - the package imports this module

    store_dir = Path(store_dir)
    create(store_dir)
    articles = (upsert or {}).get("articles")
    if articles is not None and len(articles) and (store_dir / "articles").is_dir():
        stored = set(read(store_dir, "articles", ["article_id"])["article_id"])
        again = stored & set(articles["article_id"])
        if again:
            raise StoreError(f"a Parquet store only adds articles; {len(again)} of this run's are already stored "
                             f"(e.g. {sorted(again)[0]}): re-annotating stored articles needs the SQLite store")
    month_of = {**(months or {}), **_months(articles)}
    needs_stored = any(f is not None and len(f) and "article_id" in f.columns and not set(f["article_id"]) <= set(month_of)
                       for group in (upsert, replace, append) for f in (group or {}).values())
    if needs_stored:
        month_of = {**_known_months(store_dir), **month_of}
    for group in (upsert, replace, append):
        for name, frame in (group or {}).items():
            if frame is not None:
                schema.validate(name, frame)
        write_partition({n: f for n, f in (group or {}).items() if f is not None}, store_dir, run_id=run_id, months=month_of)
    marker = _marker(store_dir)
    base = dict(marker.get("base", {}))
    base.update({name: run_id for name in (replace or {})})
    merged_meta = {**marker.get("meta", {}), **{k: str(v) for k, v in (meta or {}).items()}}
    _write_marker(store_dir, merged_meta, runs=[*marker.get("runs", []), run_id], base=base)
    from pipeline.store import parquet_search  # noqa: PLC0415 - it reads this module's parts

    parquet_search.update(store_dir)   # after the commit: the run's articles become searchable


def _run_of(part: Path) -> str | None:
    """The run id in a part's name (``part-<run>-<uuid>``), or None for a part written outside a run."""
    pieces = part.stem.split("-")
    return pieces[1] if len(pieces) == 3 else None


def parts(store_dir: str | Path, name: str) -> list[Path]:
    """The committed parts of a table: not a temporary file, not of an uncommitted run, not before the table's base."""
    marker = _marker(store_dir)
    order = {run: i for i, run in enumerate(marker.get("runs", []))}
    base = marker.get("base", {}).get(name)
    first = order.get(base, -1) if base is not None else None
    visible = []
    for part in sorted((Path(store_dir) / name).glob("month=*/part-*.parquet")):
        run = _run_of(part)
        if run is not None and run not in order:
            continue                                        # a run that has not committed (or was killed)
        if first is not None and (run is None or order[run] < first):
            continue                                        # replaced by a later run
        visible.append(part)
    return visible


def uncommitted_parts(store_dir: str | Path) -> list[Path]:
    """Parts of runs that never committed (killed runs): never read; safe to delete while no run is going."""
    order = set(_marker(store_dir).get("runs", []))
    return sorted(p for p in Path(store_dir).glob("*/month=*/part-*.parquet")
                  if _run_of(p) is not None and _run_of(p) not in order)


def connect():
    """A fresh in-memory DuckDB connection for reading Parquet parts (each reader its own; files are read-only)."""
    import duckdb  # noqa: PLC0415 - only Parquet stores need it

    con = duckdb.connect(":memory:")
    con.execute("SET arrow_large_buffer_size=true")   # a column of more than 2 GB of text (a million articles)
    return con


def part_month(part: Path) -> str:
    """The month folder a part is in (``YYYY-MM`` or ``unknown``)."""
    return part.parent.name.split("=", 1)[-1]


def _source(store_dir: str | Path, name: str, months: tuple[str, str] | None = None) -> str | None:
    files = parts(store_dir, name)
    if months is not None:   # a window of months (inclusive): undated rows are outside every window
        files = [f for f in files if part_month(f) != UNKNOWN_MONTH and months[0] <= part_month(f) <= months[1]]
    if not files:
        return None
    listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    return f"read_parquet([{listed}], union_by_name=true)"


def read(store_dir: str | Path, name: str, columns: list[str] | None = None,
         where_ids: list[str] | None = None, months: tuple[str, str] | None = None,
         only: list[str] | None = None) -> pd.DataFrame:
    """A table of a Parquet store as a DataFrame (same contract as ``pipeline.store.read``); with ``months``
    (``YYYY-MM`` bounds, inclusive) only the rows in those month folders (the rows of articles dated then);
    with ``only``, only those of its declared columns (a million articles' text is never read for their dates)."""
    source = _source(store_dir, name, months)
    declared = schema.stored_columns(name) if name in schema.TABLES else []
    if only is not None:
        declared = [c for c in declared if c in only]
    if source is None or (where_ids is not None and not where_ids):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in (columns or declared)})
    sql = f"SELECT {', '.join(chr(34) + c + chr(34) for c in declared) or '*'} FROM {source}"
    params: list = []
    if where_ids is not None:
        sql += " WHERE article_id IN (SELECT UNNEST(?))"
        params = [list(where_ids)]
    with connect() as con:
        arrow = con.execute(sql, params).fetch_arrow_table()
    # As SQLite's reader gives them: text as pandas' string dtype, integers with nulls as float (NaN).
    frame = arrow.to_pandas()
    for field in arrow.schema:
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            frame[field.name] = frame[field.name].astype("str")
    for c in columns or []:
        if c not in frame.columns:
            frame[c] = pd.Series(dtype=object)
    return frame


def rows_per_month(store_dir: str | Path, name: str) -> dict[str, int]:
    """Rows of a table per month folder (from the parts' footers: no data is read)."""
    out: dict[str, int] = {}
    for part in parts(store_dir, name):
        month = part_month(part)
        out[month] = out.get(month, 0) + pq.ParquetFile(part).metadata.num_rows
    return dict(sorted(out.items()))


def counts(store_dir: str | Path) -> dict[str, int]:
    """Rows per table of a Parquet store, in name order."""
    out = {}
    for name in sorted(schema.TABLES):
        files = parts(store_dir, name)
        if files:
            out[name] = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    return out


def convert(sqlite_dir: str | Path, parquet_dir: str | Path) -> dict[str, int]:
    """Copy every declared table of a SQLite store into a new Parquet store; returns rows per table."""
    from pipeline import store  # noqa: PLC0415 - store imports this module

    parquet_dir = Path(parquet_dir)
    if parquet_dir.exists() and any(parquet_dir.iterdir()):
        raise store.StoreError(f"{parquet_dir} is not empty: convert writes a new Parquet store")
    tables = {}
    for name, table in schema.TABLES.items():
        if not table.stored_columns or not any(c.stored for c in table.columns):
            continue
        frame = store.read(sqlite_dir, name)
        if len(frame):
            tables[name] = frame[[c for c in schema.stored_columns(name) if c in frame.columns]]
    write_partition(tables, parquet_dir)
    _write_marker(parquet_dir, store.read_meta(sqlite_dir))
    from pipeline.store import parquet_search  # noqa: PLC0415 - it reads this module's parts

    parquet_search.update(parquet_dir)
    return counts(parquet_dir)


def check(store_dir: str | Path) -> list[str]:
    """Verify a Parquet store as ``pipeline.store.check`` does a SQLite one; return the problems found.

    Every committed part must be readable with its table's declared columns; article ids unique; every
    per-article row, signature and input must belong to a stored article, with offsets inside its text;
    ``duplicate_of`` must name a stored article. Parts of runs that never committed are not problems
    (no reader sees them): :func:`uncommitted_parts` lists them.
    """
    from pipeline import registry  # noqa: PLC0415

    problems: list[str] = []
    for name in schema.TABLES:
        for part in parts(store_dir, name):
            try:
                have = set(pq.ParquetFile(part).schema_arrow.names)
            except (OSError, pa.ArrowInvalid) as exc:
                problems.append(f"{part}: unreadable ({exc})")
                continue
            missing = set(schema.stored_columns(name)) - have
            if missing:
                problems.append(f"{part}: lacks declared columns {sorted(missing)}")
    if problems:
        return problems
    articles = _source(store_dir, "articles")
    if articles is None:
        return ["no articles"]
    with connect() as con:
        dup = con.execute(f"SELECT COUNT(*) - COUNT(DISTINCT article_id) FROM {articles}").fetchone()[0]
        if dup:
            problems.append(f"{dup} duplicate article ids")
        for name in (*registry.per_article_tables(), "signatures", "inputs"):
            source = _source(store_dir, name)
            if source is None:
                continue
            orphans = con.execute(f"SELECT COUNT(*) FROM {source} WHERE article_id NOT IN (SELECT article_id FROM {articles})").fetchone()[0]
            if orphans:
                problems.append(f"{name}: {orphans} rows of unknown articles")
            if name in registry.per_article_tables():
                bad = con.execute(f'SELECT COUNT(*) FROM {source} t JOIN {articles} a USING (article_id) '
                                  f'WHERE t.start < 0 OR t."end" <= t.start OR t."end" > length(a.text)').fetchone()[0]
                if bad:
                    problems.append(f"{name}: {bad} rows with offsets outside their article's text")
        dangling = con.execute(f"SELECT COUNT(*) FROM {articles} WHERE COALESCE(duplicate_of, '') != '' "
                               f"AND duplicate_of NOT IN (SELECT article_id FROM {articles})").fetchone()[0]
        if dangling:
            problems.append(f"{dangling} articles marked duplicate of an article not in the store")
    return problems
