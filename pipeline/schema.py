"""The declared schema: every table the pipeline stores, its columns (dtype, nullability), key and producing stage.

One place for the shape of the data. The store creates typed tables from it and validates every frame
written (:func:`validate`: a wrong type is a :class:`SchemaError`, never a silent coercion); the stages
take their column lists from it (:func:`columns`); export, filters and the reader read it.

Dtypes: ``str`` (TEXT), ``int`` (INTEGER; a float column with whole values is accepted, as pandas gives
an int column with gaps), ``bool`` (INTEGER 0/1), ``float`` (REAL), ``json`` (TEXT: lists and dicts
stored as JSON, or JSON text), ``bytes`` (BLOB). ``None``/NaN is a null, refused in a column that is not
``nullable``. A column with ``stored=False`` is part of the table as read (e.g. ``articles.cluster_id``,
joined from ``assignments``) but not of the stored table.

This module imports nothing heavier than pandas, so the dashboard's pages can import it.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Version of the stored schema (see ``pipeline.store.MIGRATIONS``): 3 = typed tables declared here.
SCHEMA_VERSION = 3

#: Values of ``actor_mentions.actor_type``.
ACTOR_TYPES = ("person", "organisation", "country")
#: ``cluster_id`` of the articles no topic cluster holds, and its label.
UNCLUSTERED_ID = -1
UNCLUSTERED_LABEL = "Unclustered"


def signal_weights() -> dict[str, float]:
    """Modality weights of ``signals.weight`` (and the ``background`` factor), from ``data/signal_modalities.csv``:
    the one place the numbers live (the signals stage, the tension index and its method text read them)."""
    import csv
    from pathlib import Path

    with open(Path(__file__).parent / "data" / "signal_modalities.csv", newline="", encoding="utf-8") as fh:
        return {row["modality"]: float(row["weight"]) for row in csv.DictReader(fh)}


def signal_categories() -> dict[str, dict]:
    """The signal categories of ``data/signal_categories.csv`` keyed by name: direction (+1/-1), goldstein,
    cameo_code, plover, label (a fresh copy each call; the file is read once): the one reader of that file (the
    signals stage, analyst corrections and the labels call it)."""
    return {name: dict(row) for name, row in _signal_categories().items()}


@functools.lru_cache(maxsize=1)
def _signal_categories() -> dict[str, dict]:
    import csv
    from pathlib import Path

    out = {}
    with open(Path(__file__).parent / "data" / "signal_categories.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            row["direction"] = int(row["direction"])
            row["goldstein"] = float(row["goldstein"])
            out[row["category"]] = row
    return out


SQL_TYPES = {"str": "TEXT", "int": "INTEGER", "bool": "INTEGER", "float": "REAL", "json": "TEXT", "bytes": "BLOB"}


class SchemaError(ValueError):
    """A frame does not fit the declared schema (wrong type, missing key, undeclared column)."""


@dataclass(frozen=True)
class Column:
    """One declared column."""

    name: str
    dtype: str
    nullable: bool = True
    stored: bool = True
    default: str | None = None    # SQL literal of the column's default (tables written by SQL: ``constraints``)

    @property
    def sql_type(self) -> str:
        """The SQLite type the store declares for this column."""
        return SQL_TYPES[self.dtype]


@dataclass(frozen=True)
class Table:
    """One declared table: columns in order, key, the stage that writes it, and how a run writes it."""

    name: str
    stage: str
    key: str | None
    columns: tuple[Column, ...]
    unique_key: bool = False
    exported: bool = False
    doc: str = ""
    #: SQL table constraints (PRIMARY KEY, UNIQUE). A table with constraints is written by SQL statements of
    #: its module (watchlists, alerts, the watcher's feeds), so the store declares its NOT NULLs and defaults too.
    constraints: tuple[str, ...] = ()
    by_name: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self.by_name.update({c.name: c for c in self.columns})

    @property
    def names(self) -> list[str]:
        """Every column name, in order (as read)."""
        return [c.name for c in self.columns]

    @property
    def stored_columns(self) -> list[Column]:
        """The columns of the stored table, in order."""
        return [c for c in self.columns if c.stored]


def _cols(spec: str) -> tuple[Column, ...]:
    """Columns from ``"name:dtype[!][~][=default], …"`` (``!`` = not nullable, ``~`` = not stored,
    ``=default`` = the SQL literal of its default)."""
    out = []
    for item in spec.split():
        name, dtype = item.split(":")
        dtype, _, default = dtype.partition("=")
        out.append(Column(name, dtype.rstrip("!~"), nullable="!" not in dtype, stored="~" not in dtype,
                          default=default or None))
    return tuple(out)


TABLES: dict[str, Table] = {t.name: t for t in (
    Table("articles", "ingest", "article_id", unique_key=True, exported=True, doc="one row per article kept", columns=_cols(
        "article_id:str! title:str date:str date_precision:str date_evidence:str date_inferred:str "
        "date_inferred_from:str source:str url:str text:str boilerplate:str content_hash:str duplicate_of:str "
        "cluster_id:int~ origin:str author:str url_key:str annotated:int")),
    Table("clusters", "topics", "cluster_id", exported=True, doc="topic clusters of the latest fit", columns=_cols(
        "cluster_id:int! label:str top_terms:str size:int headlines:json terms:json centroid:json "
        "first_date:str last_date:str copies:int fitted_n:int subtopics:json")),
    Table("assignments", "topics", "article_id", doc="each article's cluster and map position", columns=_cols(
        "article_id:str! cluster_id:int map_x:float map_y:float subtopic_id:int")),
    Table("actor_mentions", "actors", "article_id", exported=True, doc="actor mentions with dated roles", columns=_cols(
        "article_id:str! actor:str actor_type:str role:str start:int! end:int! sentence:str mention:str "
        "resolution:str role_in_text:str anachronism:str country:str actor_id:str")),
    Table("signals", "signals", "article_id", exported=True, doc="tension signals", columns=_cols(
        "article_id:str! category:str polarity:int modality:str weight:float start:int! end:int! evidence:str "
        "cue:str base_polarity:int sentence_start:int sentence_end:int source_actor:str target_actor:str "
        "cameo_code:str score:float source_country:str target_country:str source_start:int source_end:int "
        "target_start:int target_end:int clause_depth:int background:bool source_phrase_start:int "
        "source_phrase_end:int target_phrase_start:int target_phrase_end:int root_lemma:str confidence:float "
        "corrected:str~")),
    Table("figures", "figures", "article_id", exported=True, doc="spending figures", columns=_cols(
        "article_id:str! kind:str value:float unit:str qualifier:str actor:str start:int! end:int! text:str "
        "value_low:float value_high:float vague:bool scale_word:str item:str purpose:str year:int "
        "value_eur:float value_usd:float rate_date:str sentence:str figure_key:str rate_basis:str claim_id:str~")),
    Table("claims", "claims", "claim_id", exported=True,
          doc="commitments: the figures of one pledge across articles (grouped on read by pipeline.stages.claims, "
              "not stored)", columns=_cols(
        "claim_id:str!~ kind:str~ actor:str~ purpose:str~ programme:str~ value:float~ value_low:float~ "
        "value_high:float~ unit:str~ value_eur:float~ vague:bool~ target_year:int~ first_date:str~ last_date:str~ "
        "n_articles:int~ n_mentions:int~ status:str~ variants:str~ supersedes:str~ part_of:str~ article_ids:str~ disagreement:str~")),
    Table("signatures", "dedup", "article_id", doc="MinHash signatures of the originals", columns=_cols(
        "article_id:str! signature:bytes")),
    Table("inputs", "ingest", "input_key", doc="every input read, and its article",
          columns=_cols("input_key:str! article_id:str")),
    Table("ingest_log", "run", "run_id", doc="every input's answer, per run", columns=_cols(
        "run_id:str! origin:str status:str reason:str article_id:str at:str")),
    # Monitoring (pipeline/alerts.py, pipeline/watch.py): written by the analyst and the watcher, never by `run`.
    Table("watchlists", "alerts", "watchlist_id", doc="saved queries with their filters and delivery settings",
          constraints=("PRIMARY KEY (watchlist_id)", "UNIQUE (name)"), columns=_cols(
        "watchlist_id:int! name:str! query:str! filters:json!='{}' atom_path:str='' digest_path:str='' "
        "webhook_url:str='' created_at:str! read_at:str='' min_signal_weight:float=0.75")),
    Table("alerts", "alerts", "watchlist_id", doc="what was new for a watchlist: one row per (watchlist, article, kind), "
          "alerted once", constraints=("PRIMARY KEY (watchlist_id, article_id, kind)",), columns=_cols(
        "watchlist_id:int! article_id:str! kind:str! created_at:str! read:int!=0")),
    Table("deliveries", "alerts", "watchlist_id", doc="each alert's delivery per channel (Atom, digest, webhook)",
          constraints=("PRIMARY KEY (watchlist_id, article_id, kind, channel)",), columns=_cols(
        "watchlist_id:int! article_id:str! kind:str! channel:str! state:str! attempts:int!=0 detail:str=''")),
    Table("signal_corrections", "analyst", "correction_id", exported=True,
          doc="analyst corrections of signals (pipeline/corrections.py): applied on read, kept through run and retag",
          constraints=("PRIMARY KEY (correction_id)",), columns=_cols(
        "correction_id:int! created_at:str! action:str! article_id:str! start:int! end:int! original_category:str='' "
        "original_modality:str='' original_polarity:int category:str='' modality:str='' polarity:int "
        "source_actor:str='' target_actor:str='' note:str='' attached:bool~")),
    Table("watch_feeds", "watch", "url", doc="the watcher's state per feed: conditional GET and back-off",
          constraints=("PRIMARY KEY (url)",), columns=_cols(
        "url:str! etag:str='' last_modified:str='' failures:int=0 next_try:float=0 last_error:str=''")),
)}

#: Tables written by their own module's SQL (monitoring, analyst corrections), never by a pipeline run.
SQL_TABLES = tuple(name for name, t in TABLES.items() if t.constraints)

#: The tables ``python -m pipeline export`` writes, in order.
EXPORT_TABLES = tuple(name for name, t in TABLES.items() if t.exported)


def table(name: str) -> Table:
    """The declared table ``name`` (a :class:`SchemaError` names the declared ones when it is unknown)."""
    try:
        return TABLES[name]
    except KeyError:
        raise SchemaError(f"no table {name!r} in the schema (declared: {', '.join(TABLES)})") from None


def columns(name: str) -> list[str]:
    """The column names of table ``name``, in order, as read (``articles`` includes ``cluster_id``)."""
    return table(name).names


def stored_columns(name: str) -> list[str]:
    """The column names of table ``name`` as stored (without the columns joined on read, e.g. ``figures.claim_id``)."""
    return [c.name for c in table(name).stored_columns]


def empty(name: str) -> pd.DataFrame:
    """An empty frame with the columns of table ``name``."""
    return pd.DataFrame(columns=columns(name))


def _is_null(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _fits(dtype: str, value) -> bool:
    if dtype == "str":
        return isinstance(value, str)
    if dtype in ("int", "bool"):
        if isinstance(value, (bool, np.bool_, int, np.integer)):
            return dtype == "int" or value in (0, 1)
        return (isinstance(value, (float, np.floating)) and float(value).is_integer()
                and (dtype == "int" or value in (0, 1)))
    if dtype == "float":
        return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if dtype == "json":
        return isinstance(value, (str, list, tuple, dict))
    if dtype == "bytes":
        return isinstance(value, (bytes, np.ndarray))
    raise SchemaError(f"unknown dtype {dtype!r}")


def validate(name: str, frame: pd.DataFrame) -> None:
    """Check a frame about to be stored in table ``name``; raise :class:`SchemaError` saying what is wrong.

    Every column must be declared and stored; a column that is not nullable must be present and without
    nulls; every value must fit its column's dtype (no coercion: "2025" in an ``int`` column is an error).
    """
    decl = table(name)
    undeclared = [c for c in frame.columns if c not in decl.by_name or not decl.by_name[c].stored]
    if undeclared:
        raise SchemaError(f"{name}: columns not in the schema: {', '.join(map(str, undeclared))}")
    for col in decl.stored_columns:
        if col.name not in frame.columns:
            if not col.nullable:
                raise SchemaError(f"{name}.{col.name}: missing (the column may not be null)")
            continue
        series = frame[col.name]
        if series.empty:
            continue
        kind = series.dtype.kind
        if kind in "iu" and col.dtype in ("int", "float") or kind == "f" and col.dtype == "float":
            if not col.nullable and kind == "f" and series.isna().any():
                raise SchemaError(f"{name}.{col.name}: {int(series.isna().sum())} null values (the column may not be null)")
            continue
        if kind == "b" and col.dtype in ("bool", "int"):
            continue
        for row, value in enumerate(series.tolist()):
            if _is_null(value):
                if not col.nullable:
                    raise SchemaError(f"{name}.{col.name}: null in row {row} (the column may not be null)")
                continue
            if not _fits(col.dtype, value):
                raise SchemaError(f"{name}.{col.name}: row {row} holds {type(value).__name__} {value!r:.60}, "
                                  f"expected {col.dtype}")


def _sql_literal(literal: str):
    """The value of a declared default's SQL literal (``''`` → "", ``0.75`` → 0.75, ``'{}'`` → "{}")."""
    if literal.startswith("'"):
        return literal[1:-1].replace("''", "'")
    return float(literal) if any(ch in literal for ch in ".eE") else int(literal)


def conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Table ``name`` as read from a store: every declared column, in declared order (columns an older store
    holds beyond the schema follow). A declared stored column the stored table lacks is a
    :class:`SchemaError`: a renamed or dropped column fails here, never reads as an empty column. The columns
    joined on read (``stored=False``) are added empty, for the reader to fill; a column with a declared default
    that an older store lacks (the store adds it on its next write) reads as that default."""
    decl = table(name)
    out = frame.copy()
    for c in decl.stored_columns:   # what the store adds to an older table on its next write: the declared default
        if c.name not in out.columns and c.default is not None:
            out[c.name] = _sql_literal(c.default)
    missing = [c.name for c in decl.stored_columns if c.name not in out.columns]
    if missing:
        extra = [str(c) for c in frame.columns if c not in decl.by_name]
        raise SchemaError(f"the store's table {name} lacks the declared column(s) {', '.join(missing)}"
                          + (f" and holds undeclared {', '.join(extra)} (a renamed column?)" if extra else "")
                          + ": it was not written by this pipeline's schema. Write it anew (`python -m pipeline run "
                            "SOURCES --store NEW_DIR`, or `retag` for a retaggable stage).")
    for c in decl.columns:
        if not c.stored and c.name not in out.columns:
            out[c.name] = pd.Series(dtype=object, index=out.index)
    return out[decl.names + [c for c in out.columns if c not in decl.by_name]]


# The earliest plausible publication day: no news article in any input predates it (archives such as Reuters
# reach back a century, not more). A date before it is not a publication date (stages/dates), and the
# dashboard's date filter reaches back to it, so a click on an old period's bar still sets a range.
EARLIEST_PUBLICATION = dt.date(1900, 1, 1)


def effective_date(article) -> str | None:
    """The date an article is reasoned and charted with: its own date, else its inferred year, else None.

    The one definition of "own date, else inferred date" (stages, filters, charts and the reader use it);
    an inferred year is never shown as the article's date: the reader labels it "(inferred)".
    """
    own, inferred = article.get("date"), article.get("date_inferred")
    own = "" if _is_null(own) else str(own)
    inferred = "" if _is_null(inferred) else str(inferred)
    return own or inferred or None


def effective_dates(articles: pd.DataFrame) -> pd.Series:
    """:func:`effective_date` of every row of an articles frame, as ISO strings ("" when there is none).

    ``date`` must be there; a frame without ``date_inferred`` (no inference made) gives the own dates."""
    own = articles["date"].fillna("").astype(str)
    if "date_inferred" not in articles.columns:
        return own
    inferred = articles["date_inferred"].fillna("").astype(str)
    return own.where(own != "", inferred)
