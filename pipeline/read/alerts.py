"""Watchlists and their alerts as the Alerts page reads them (read only: nothing here creates or writes a table).

The writes (saving a watchlist, recording alerts, marking them read, delivering) are ``pipeline/alerts.py``,
the dashboard's one write seam for watchlists. The tables (``watchlists``, ``alerts``) are declared in
``pipeline/schema.py``; a store that has none yet has no watchlist and no alert.
"""
from __future__ import annotations

import datetime as dt
import json
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import schema, store

#: What each alert kind is called on the page, in the Atom feed and the digest.
KIND_LABELS = {"article": "New match", "signal": "Tension signal", "figure": "Spending figure",
               "anachronism": "Anachronism flag", "spike": "Tension spike"}
#: Columns of :func:`alerts`.
ALERT_COLUMNS = ["article_id", "kind", "created_at", "read", "title", "date", "source", "url"]


@dataclass
class Watchlist:
    """One saved watchlist (a row of ``watchlists``)."""

    watchlist_id: int
    name: str
    query: str
    filters: dict
    atom_path: str
    digest_path: str
    webhook_url: str
    created_at: str
    read_at: str
    min_signal_weight: float = 0.75


def monitoring_available(store_dir: str | Path) -> bool:
    """Whether the store can keep watchlists and alerts: the SQLite store can; a Parquet store (built for scale,
    written only by runs) cannot yet."""
    from pipeline.store import parquet

    return not parquet.is_parquet(store_dir)


def _has_tables(store_dir: str | Path, names: tuple[str, ...]) -> bool:
    if not monitoring_available(store_dir):
        return False
    with closing(store.connect(store_dir)) as conn:
        return set(names) <= set(store.table_names(conn))


def watchlists(store_dir: str | Path) -> list[Watchlist]:
    """Every saved watchlist, by name ([] when the store has none; a ``watchlists`` table that does not fit the
    schema is a :class:`~pipeline.schema.SchemaError`)."""
    if not _has_tables(store_dir, ("watchlists",)):
        return []
    frame = schema.conform("watchlists", store.read(store_dir, "watchlists")).sort_values("name", kind="stable")
    text = lambda v: "" if v is None or v != v else str(v)  # noqa: E731 - NULL (None/NaN) reads ""
    return [Watchlist(int(r["watchlist_id"]), r["name"], r["query"], json.loads(r["filters"] or "{}"),
                      text(r["atom_path"]), text(r["digest_path"]), text(r["webhook_url"]), text(r["created_at"]),
                      text(r["read_at"]), 0.75 if pd.isna(r["min_signal_weight"]) else float(r["min_signal_weight"]))
            for r in frame.to_dict("records")]


def get(store_dir: str | Path, name: str) -> Watchlist:
    """The watchlist ``name`` (KeyError when there is none)."""
    for w in watchlists(store_dir):
        if w.name == name:
            return w
    raise KeyError(f"no watchlist named {name!r}")


def alerts(store_dir: str | Path, name: str, *, unread_only: bool = False) -> pd.DataFrame:
    """The alerts of watchlist ``name`` with each article's title, date, source and url, newest first: columns
    :data:`ALERT_COLUMNS`.

    ``date`` is the article's date as shown everywhere (:func:`pipeline.read.labels.display_date`: its own
    date, else "2025 (inferred)", else blank)."""
    from pipeline.read.labels import display_dates

    w = get(store_dir, name)
    if not _has_tables(store_dir, ("alerts",)):
        return pd.DataFrame(columns=ALERT_COLUMNS)
    with closing(store.connect(store_dir)) as conn:
        frame = pd.read_sql_query(
            "SELECT al.article_id, al.kind, al.created_at, al.read, a.title, a.date, a.date_inferred, a.source, a.url "
            "FROM alerts al JOIN articles a USING (article_id) WHERE al.watchlist_id = ?"
            + (" AND al.read = 0" if unread_only else "") + " ORDER BY al.created_at DESC, a.date DESC, al.article_id",
            conn, params=(w.watchlist_id,))
    frame["date"] = display_dates(frame) if len(frame) else frame["date"]
    return frame[ALERT_COLUMNS]


def unread_spikes_first(rows: pd.DataFrame) -> pd.DataFrame:
    """The unread alerts of :func:`alerts`, tension spikes first (otherwise in the order given)."""
    unread = rows[rows["read"] == 0]
    return unread.sort_values("kind", key=lambda k: k != "spike", kind="stable")


def filters_to_dict(f) -> dict:
    """The dashboard filters (``query.Filters``, search text left out) as JSON-safe lists per URL parameter."""
    out: dict = {}
    for field, _, value in f.describe():
        if field == "q":
            continue
        out.setdefault(field, []).append(value.isoformat() if hasattr(value, "isoformat") else value)
    return out


def filters_from_dict(d: dict, text_ids: frozenset):
    """``query.Filters`` of a saved watchlist's filters, narrowed to the articles ``text_ids`` its query matched."""
    from pipeline.read import query

    day = lambda k: dt.date.fromisoformat(d[k][0]) if d.get(k) else None  # noqa: E731
    return query.Filters(date_from=day("from"), date_to=day("to"), include_undated=not d.get("undated"),
                         clusters=tuple(int(c) for c in d.get("cluster", [])), actors=tuple(d.get("actor", [])),
                         categories=tuple(d.get("signal", [])), figure_kinds=tuple(d.get("figure", [])),
                         text_ids=text_ids)


def spike_articles(signals: pd.DataFrame, articles: pd.DataFrame) -> set[str]:
    """The articles with tension signals in a spike period of the tension index of ``articles`` (the Tension
    page's rule, :func:`pipeline.read.tension.timeline`: its automatic period and its z-score threshold)."""
    from pipeline.read import tension

    if articles.empty or signals.empty:
        return set()
    timeline = tension.timeline(signals, articles)
    spikes = set(timeline.index.loc[timeline.index["spike"], "period"])
    behind = timeline.signals
    if not spikes or behind.empty:
        return set()
    return set(behind.loc[behind["period"].isin(spikes), "article_id"].astype(str))
