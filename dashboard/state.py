"""The dashboard's data and filter state: which store, its tables, the sidebar filters.

The app reads pipeline output only: tables come from ``pipeline.run.load_tables``
(cached until the store changes), filtering from ``pipeline.query``. When no
store exists it is built from ``seeds/`` on first open.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from pipeline import query, run, store

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = PROJECT_ROOT / "seeds"
DEFAULT_STORE = PROJECT_ROOT / ".store" / "seeds"


def store_dir() -> Path:
    """The store the app reads: ``$NEWSINTEL_STORE`` or ``.store/seeds`` in the project."""
    return Path(os.environ.get("NEWSINTEL_STORE") or DEFAULT_STORE)


@st.cache_resource(show_spinner=False)
def _ensure_store(path: str) -> str:
    """Build the store from the seeds when it does not exist yet (once per process)."""
    if not store.exists(path) or store.read(path, "articles").empty:
        run.run([SEEDS_DIR], path)
    return path


def _store_version(path: str) -> tuple:
    """Changes whenever the store is written (database and WAL file times and sizes)."""
    parts = []
    for suffix in ("", "-wal"):
        f = Path(str(store.db_path(path)) + suffix)
        if f.exists():
            stat = f.stat()
            parts.append((stat.st_mtime_ns, stat.st_size))
    return tuple(parts)


@st.cache_data(show_spinner=False, max_entries=4)
def _load(path: str, version: tuple) -> dict[str, pd.DataFrame]:
    return run.load_tables(path)


def load_tables() -> dict[str, pd.DataFrame]:
    """All pipeline tables of the current store (building it from the seeds on first open)."""
    path = str(store_dir())
    if not store.exists(path):
        with st.spinner("Building the store from the seed articles (first open only)…"):
            _ensure_store(path)
    else:
        _ensure_store(path)
    return _load(path, _store_version(path))


@dataclass(frozen=True)
class View:
    """What a page shows: all tables, the filters, and the tables narrowed by them."""

    tables: dict[str, pd.DataFrame]
    filters: query.Filters
    filtered: dict[str, pd.DataFrame]


def _cluster_label(clusters: pd.DataFrame):
    labels = dict(zip(clusters["cluster_id"], clusters["label"]))
    return lambda cid: f"{labels.get(cid, 'cluster')} (#{cid})" if cid != -1 else "Unclustered"


def sidebar_filters(tables: dict[str, pd.DataFrame]) -> query.Filters:
    """Draw the sidebar filters (bound to the URL) and return what they select."""
    articles = tables["articles"]
    with st.sidebar:
        st.subheader("Filters")
        known = [d for d in query.article_dates(articles) if d]
        lo = dt.date.fromisoformat(min(known)[:4] + "-01-01") if known else None
        date_from = st.date_input("From", value=None, min_value=dt.date(1990, 1, 1), key="from", bind="query-params")
        date_to = st.date_input("To", value=None, min_value=dt.date(1990, 1, 1), key="to", bind="query-params",
                                help=f"Articles are dated {min(known) if known else '—'} to {max(known) if known else '—'}." if lo else None)
        include_undated = st.checkbox("Include undated articles", value=True, key="undated", bind="query-params")
        cluster_ids = sorted(int(c) for c in tables["clusters"]["cluster_id"].dropna().unique())
        clusters = st.multiselect("Topic cluster", cluster_ids, format_func=_cluster_label(tables["clusters"]), key="cluster", bind="query-params")
        actor_names = query.actor_counts(tables["actor_mentions"])["actor"].tolist()
        actors = st.multiselect("Actor", actor_names, key="actor", bind="query-params")
        categories = sorted(tables["signals"]["category"].dropna().unique())
        cats = st.multiselect("Signal category", categories, key="signal", bind="query-params")
    if date_from and date_to and date_from > date_to:
        st.sidebar.warning("'From' is after 'To': the date filter is ignored.")
        date_from = date_to = None
    return query.Filters(
        date_from=date_from, date_to=date_to, include_undated=bool(include_undated),
        clusters=tuple(clusters), actors=tuple(actors), categories=tuple(cats),
    )


def set_view(view: View) -> None:
    """Keep this run's view for the page (called by the entry point)."""
    st.session_state["_view"] = view


def current_view() -> View:
    """The view the entry point computed for this run."""
    return st.session_state["_view"]
