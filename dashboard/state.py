"""The dashboard's data and filter state: which store, its tables, the filters, cross-filtering and links.

Where the state lives
    Every filter is a sidebar widget whose ``key`` is also its URL parameter
    (``bind="query-params"``): ``from``, ``to`` (ISO days), ``undated``,
    ``cluster``, ``actor``, ``signal`` (category), ``figure`` (kind). The
    reader adds ``article`` (bound selectbox) and ``at`` (character offset of
    the sentence to show). A copied URL therefore restores the view; values
    the store does not hold are dropped with a small notice
    (:func:`url_notices`, via :func:`pipeline.read.query.clean_params`).

    The filter widgets also keep ``persist_state="session"`` (:data:`FILTER_WIDGET_STATE`).
    After a page switch the browser may draw a sidebar widget afresh (its
    rerun request carried no state for it, e.g. when the link was clicked
    before the sidebar had mounted); without a persisted state Streamlit
    sends that widget no value, so the browser shows its default (no actor)
    while the server still filters, and the browser's empty value comes back
    with the next click (a chip, a chart) as if the analyst had cleared the
    filter: the filter was gone while the address bar still named it (issue
    8). With ``persist_state`` Streamlit sends the kept value whenever the
    widget is drawn without a browser state, so browser and server agree.

Links survive navigation
    The page menu is drawn by :func:`page_menu` with ``st.page_link``
    (``st.navigation(position="hidden")``); the bound widgets put their
    values back into the URL on the new page, and :func:`sync_url` then
    checks the address bar against the filters every run and writes any
    parameter Streamlit left out (or left over), so the address bar always
    reopens the view. :func:`url_params` gives the parameters of a view for
    links made elsewhere; :func:`share_box` shows the link in the sidebar.

Cross-filtering from charts
    Charts are drawn by :mod:`dashboard.charts`: a click on a bar or point
    (or a brushed range) calls :func:`apply_filter_values` in the chart's
    ``on_select`` callback, before the next run, so the sidebar widgets (and
    the URL) show the new filter and every page follows.

Chips
    :func:`filter_chips` shows each active filter value as a button; clicking
    it removes that value; "Clear all" resets every filter.

Stores
    The app reads pipeline output only: tables come from
    ``pipeline.read.tables.load_tables`` (cached until the store changes). The shared
    store is ``$NEWSINTEL_STORE`` or ``.store/seeds`` (built from ``seeds/`` on
    first open); after an upload a session reads its own copy
    (:func:`use_session_store`), never changing the shared one. Session stores
    are disposable (``pipeline.uploads.cleanup_session_stores`` at start-up and
    before each new one); a session whose store was cleaned up is put back on
    the shared store with a notice. A store that cannot be read (busy, missing,
    damaged, newer) is explained by :func:`store_error_message`, never shown as
    a traceback.

What is cached, and for whom
    Tables, filtered tables, filter options and every page summary are
    shared resources (``st.cache_resource``: one copy for all sessions, no
    pickling), keyed by the store's version (file times and sizes) and the
    filters. Pages get summaries and figures through :func:`summary`, so a
    page revisited with the same filters computes nothing. They are read-only.
    Whether the project's seed store was written by older stages is read once
    per store version too (``_stale_stages``), not on every rerun.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

import sqlite3

from pipeline import store, uploads
from pipeline.read import query
from pipeline.schema import EARLIEST_PUBLICATION, SchemaError
from pipeline.read import tables as read_side
from pipeline.read import window
from pipeline.store import parquet

_log = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = PROJECT_ROOT / "seeds"
DEFAULT_STORE = PROJECT_ROOT / ".store" / "seeds"

LIST_FILTERS = ("cluster", "actor", "signal", "figure")
# Every sidebar filter widget: its value lives in the URL and is sent to the browser whenever a widget is drawn
# without a browser-side state (see "Where the state lives" above).
FILTER_WIDGET_STATE = {"bind": "query-params", "persist_state": "session"}
SIDEBAR_ACTORS = 300  # a multiselect of 30k names (10k articles) costs seconds per run in the browser
SESSION_STORE_KEY = "_session_store"


def shared_store_dir() -> Path:
    """The store every session starts from: ``$NEWSINTEL_STORE`` or ``.store/seeds`` in the project."""
    return Path(os.environ.get("NEWSINTEL_STORE") or DEFAULT_STORE)


def store_dir() -> Path:
    """The store this session reads: its own copy after an upload, else the shared one."""
    own = st.session_state.get(SESSION_STORE_KEY)
    return Path(own) if own else shared_store_dir()


def use_session_store(path: str | Path) -> None:
    """From now on this session reads (and uploads into) the store at ``path``."""
    st.session_state[SESSION_STORE_KEY] = str(path)


def forget_session_store(delete: bool = False) -> None:
    """Back to the shared store; ``delete`` also removes the session's own store from disk."""
    own = st.session_state.pop(SESSION_STORE_KEY, None)
    st.session_state.pop("_upload_report", None)
    if own and delete:
        uploads.delete_session_store(own)


def store_error_message(exc: BaseException, path: str | Path) -> str:
    """What went wrong reading the store at ``path``, and what to do next (for the page; no traceback)."""
    rebuild = f"`python -m pipeline run seeds --store {path}`"
    if isinstance(exc, sqlite3.OperationalError) and getattr(exc, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return ("The article store is busy: a pipeline run is writing to it (the store is being rebuilt or "
                "updated). Wait a few seconds and press “Try again”.")
    if isinstance(exc, store.StoreTooNew):
        return (f"The article store at {path} was written by a newer version of the pipeline than this "
                "dashboard. Update the dashboard, or rebuild the store with " + rebuild + ".")
    if isinstance(exc, SchemaError):
        return (f"The article store at {path} does not fit this dashboard's schema: {exc} Rebuild it with "
                f"{rebuild}, then press “Try again”.")
    if isinstance(exc, store.StoreMissing):
        return (f"There is no article store at {path} yet (it may be being built). Wait for the build to "
                "finish and press “Try again”, or build it with " + rebuild + ".")
    if isinstance(exc, (sqlite3.DatabaseError, store.StoreError)):
        return (f"The article store at {path} could not be read: it looks damaged or half-written "
                f"({type(exc).__name__}). Rebuild it with {rebuild}, then press “Try again”.")
    return (f"The article store at {path} could not be read ({type(exc).__name__}). It may be being rebuilt: "
            f"wait a moment and press “Try again”, or rebuild it with {rebuild}.")


@st.cache_resource(show_spinner=False)
def _ensure_store(path: str) -> str:
    """Build the store from the seeds when it does not exist yet, and rebuild the project's own seed store when
    the stages have changed since it was built (once per process; a watchlist an analyst saved in it is kept).

    Another store (``$NEWSINTEL_STORE``) is never rebuilt here: :func:`stale_stage_notice` says what to run.
    """
    built = store.exists(path) and store.counts(path).get("articles", 0) > 0
    if built and (Path(path) != DEFAULT_STORE or not read_side.stale_stages(path)):
        return path
    from pipeline import alerts, run  # the whole pipeline, only when the store must be built

    if built:
        fresh = Path(f"{path}.rebuilding")
        shutil.rmtree(fresh, ignore_errors=True)
        run.run([SEEDS_DIR], fresh)
        alerts.add_seed_watchlists(fresh)
        store.carry_analyst_tables(path, fresh)
        old = Path(f"{path}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(path, old)
        os.replace(fresh, path)
        shutil.rmtree(old, ignore_errors=True)
        return path
    run.run([SEEDS_DIR], path)
    alerts.add_seed_watchlists(path)  # a store built from the seeds opens the Alerts page on an example
    return path


@st.cache_data(show_spinner=False, max_entries=8)
def _stale_stages(path: str, version: tuple) -> list[read_side.StaleStage]:
    """:func:`pipeline.read.tables.stale_stages` once per store version (:func:`_store_version`), not on every rerun."""
    return read_side.stale_stages(path)


def stale_stage_notice(path: str | Path) -> str:
    """A sentence for the analyst when the store's rows were written by other versions of the stages ("" if not)."""
    stale = read_side.stale_stages(path)
    if not stale:
        return ""
    names = ", ".join(s.stage for s in stale)
    commands = "; ".join(sorted({f"`{s.remedy}`" for s in stale}))
    return (f"This store was written by other versions of these stages than this dashboard's: {names}. Its figures "
            f"may differ from what the pipeline finds today. To bring it up to date: {commands}.")


def _store_version(path: str) -> tuple:
    """Changes whenever the store is written (database and WAL file times and sizes; a Parquet store's marker,
    which every committed run rewrites)."""
    parts = []
    for f in (Path(str(store.db_path(path))), Path(str(store.db_path(path)) + "-wal"), Path(path) / parquet.MARKER):
        if f.exists():
            stat = f.stat()
            parts.append((stat.st_mtime_ns, stat.st_size))
    return tuple(parts)


@st.cache_resource(show_spinner=False, max_entries=32)
def _window(path: str, version: tuple, date_from: dt.date | None, date_to: dt.date | None) -> window.Window | None:
    return window.choose(path, date_from, date_to)


def _date_setting(name: str) -> dt.date | None:
    """The From/To date the analyst set (the widget's value, else the link's, before the widget is drawn)."""
    value = st.session_state.get(name)
    if isinstance(value, dt.date):
        return value
    raw = st.query_params.get(name) if name not in st.session_state else None
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def store_window() -> window.Window | None:
    """The months of a large store the pages read (None when the store is read whole)."""
    path = str(store_dir())
    return _window(path, _store_version(path), _date_setting("from"), _date_setting("to"))


def _table_version(path: str) -> tuple:
    """What the tables the pages read depend on: the store's version and the window of months read."""
    chosen = _window(path, _store_version(path), _date_setting("from"), _date_setting("to"))
    return _store_version(path), chosen.months if chosen is not None else None


# Tables are cached as shared resources, not per-call copies (``st.cache_data`` would unpickle a
# fresh copy of every table for every run and session: at 10k articles ~100 MB per session and
# seconds per run). Pages must treat them as read-only (build new frames, never assign into them).
@st.cache_resource(show_spinner="Reading the article store…", max_entries=4)
def _load(path: str, version: tuple) -> dict[str, pd.DataFrame]:
    return read_side.load_tables(path, months=version[1])   # version: :func:`_table_version`


@st.cache_resource(show_spinner=False)
def _startup_cleanup() -> int:
    """Delete session stores left by earlier sessions and runs (once per server process)."""
    return len(uploads.cleanup_session_stores())


def load_tables() -> dict[str, pd.DataFrame]:
    """All pipeline tables of the session's store (building the shared one from the seeds on first open).

    A session store that has been cleaned up meanwhile (unused for hours)
    is forgotten: the session is back on the shared store, with a notice.
    Errors reading the store propagate; :func:`store_error_message` says
    them for people.
    """
    _startup_cleanup()
    own = st.session_state.get(SESSION_STORE_KEY)
    if own:
        if store.exists(own):
            uploads.touch(own)
        else:
            forget_session_store()
            st.session_state["_store_notice"] = ("Your uploaded articles were removed after a long pause (session "
                                                 "stores are kept for a few hours); you see the shared articles again. "
                                                 "Upload the files again on the “Add & export data” page.")
    path = str(store_dir())
    if path == str(shared_store_dir()):
        if not store.exists(path):
            with st.spinner("Building the store from the seed articles (first open only)…"):
                _ensure_store(path)
        elif Path(path) == DEFAULT_STORE and _stale_stages(path, _store_version(path)):
            with st.spinner("Updating the seed articles' store to this version of the pipeline…"):
                _ensure_store(path)
        else:
            _ensure_store(path)
    return _load(path, _table_version(path))


def store_notice() -> str:
    """What the analyst must know about the session's store before reading it ("" when nothing)."""
    path = str(store_dir())
    return _stale_notice(path, _store_version(path))


@st.cache_resource(show_spinner=False, max_entries=8)
def _stale_notice(path: str, version: tuple) -> str:
    return stale_stage_notice(path)


@st.cache_resource(show_spinner=False, max_entries=8)
def _filtered(path: str, version: tuple, filters: query.Filters) -> dict[str, pd.DataFrame]:
    return query.apply_filters(_load(path, version), filters)


@st.cache_resource(show_spinner=False, max_entries=8)
def _options(path: str, version: tuple) -> dict[str, list]:
    return query.filter_options(_load(path, version))


@st.cache_resource(show_spinner=False, max_entries=8)
def _date_span_text(path: str, version: tuple) -> str:
    known = [d for d in query.article_dates(_load(path, version)["articles"]) if d]
    return f"Articles are dated {min(known)} to {max(known)}." if known else "No article has a date."


def filter_options() -> dict[str, list]:
    """The values each list filter can take in the session's store (cached per store version)."""
    path = str(store_dir())
    return _options(path, _table_version(path))


def filtered_tables(filters: query.Filters) -> dict[str, pd.DataFrame]:
    """The session's tables narrowed by ``filters`` (cached per store version and filters)."""
    path = str(store_dir())
    return _filtered(path, _table_version(path), filters)


def _qualname(fn) -> str:
    """A function's name, with its file (functions of page scripts all live in ``__main__``)."""
    code = getattr(fn, "__code__", None)
    where = code.co_filename if code is not None else getattr(fn, "__module__", "")
    return f"{where}:{getattr(fn, '__qualname__', repr(fn))}"


@st.cache_resource(show_spinner=False, max_entries=128)
def _summary(path: str, version: tuple, filters: query.Filters, name: str, tables_used: tuple, args: tuple,
             kwargs: tuple, _fn, _frames: tuple):
    return _fn(*_frames, *args, **dict(kwargs))


def summary(fn, *tables_used: str, args: tuple = (), **kwargs):
    """``fn(*tables, *args, **kwargs)`` for this run's view, computed once per store version, filters and
    arguments, and shared by every session (so a page's summaries cost nothing on a revisit).

    ``tables_used`` name tables of the filtered view (``"signals"``) or, with
    an ``all:`` prefix, of the whole store (``"all:clusters"``). ``args`` and
    ``kwargs`` must be hashable. The result is shared: treat it as
    read-only (build new frames with ``assign``, never assign into it).
    """
    view = current_view()
    frames = tuple(view.tables[n[4:]] if n.startswith("all:") else view.filtered[n] for n in tables_used)
    path = str(store_dir())
    return _summary(path, _table_version(path), view.filters, _qualname(fn), tables_used, tuple(args),
                    tuple(sorted(kwargs.items())), fn, frames)


@dataclass(frozen=True)
class View:
    """What a page shows: all tables, the filters, and the tables narrowed by them."""

    tables: dict[str, pd.DataFrame]
    filters: query.Filters
    filtered: dict[str, pd.DataFrame]


# ---------------------------------------------------------------- sidebar filters and the URL

def _cluster_label(clusters: pd.DataFrame):
    labels = dict(zip(clusters["cluster_id"], clusters["label"]))
    return lambda cid: query.cluster_label(cid, labels.get(cid))


def url_options(tables: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """Each URL parameter's accepted values, as they are written in the URL."""
    options = filter_options()
    label = _cluster_label(tables["clusters"])
    out = {name: [str(v) for v in values] for name, values in options.items()}
    out["cluster"] = [label(c) for c in options["cluster"]]
    out["article"] = tables["articles"]["article_id"].astype(str).tolist()
    return out


def url_notices(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Notices about URL parameters this store cannot use (checked once per distinct URL, before the widgets).

    Bound widgets drop bad values themselves; this says so. A bad ``at`` (not
    bound) is removed from the URL here.
    """
    raw = {name: st.query_params.get_all(name) for name in st.query_params}
    fingerprint = (str(store_dir()), tuple(sorted((k, tuple(v)) for k, v in raw.items())))
    if st.session_state.get("_url_checked") == fingerprint:
        return []
    st.session_state["_url_checked"] = fingerprint
    kept, notices = query.clean_params(raw, url_options(tables))
    if "at" in raw and "at" not in kept:
        del st.query_params["at"]
    return notices


def _actor_choices(ranked: list[str]) -> list[str]:
    """The sidebar's actor options: the most mentioned ones, plus any chosen already (by a chart, chip or link)."""
    top = ranked[:SIDEBAR_ACTORS]
    wanted = list(st.session_state.get("actor") or []) + st.query_params.get_all("actor")
    if not wanted:
        return top
    shown, known = set(top), set(ranked)
    extra = [a for a in dict.fromkeys(wanted) if a in known and a not in shown]
    return top + extra


def sidebar_filters(tables: dict[str, pd.DataFrame]) -> query.Filters:
    """Draw the sidebar filters (bound to the URL) and return what they select."""
    options = filter_options()
    with st.sidebar:
        st.subheader("Filters")
        path = str(store_dir())
        text = st.text_input("Search", key="q", **FILTER_WIDGET_STATE, placeholder='"air defence" AND Poland',
                             help=SEARCH_HELP)
        text_ids, error = search_ids(text)
        if error:
            st.error(error, icon=":material/search_off:")
        span = _date_span_text(path, _table_version(path))
        date_from = st.date_input("From", value=None, min_value=EARLIEST_PUBLICATION, key="from", **FILTER_WIDGET_STATE)
        date_to = st.date_input("To", value=None, min_value=EARLIEST_PUBLICATION, key="to", **FILTER_WIDGET_STATE, help=span)
        include_undated = st.checkbox("Include undated articles", value=True, key="undated", **FILTER_WIDGET_STATE)
        clusters = st.multiselect("Topic cluster", options["cluster"], format_func=_cluster_label(tables["clusters"]),
                                  key="cluster", **FILTER_WIDGET_STATE)
        actors = st.multiselect("Actor", _actor_choices(options["actor"]), key="actor", **FILTER_WIDGET_STATE,
                                help=f"The {SIDEBAR_ACTORS} most mentioned actors (of {len(options['actor'])}); any other "
                                     "actor can be chosen from a chart or a link.")
        cats = st.multiselect("Signal category", options["signal"], key="signal", **FILTER_WIDGET_STATE)
        kinds = st.multiselect("Figure kind", options["figure"], key="figure", **FILTER_WIDGET_STATE,
                               help="Keep articles stating a figure of this kind (money, share of GDP, change, count).")
    if date_from and date_to and date_from > date_to:
        st.sidebar.warning("'From' is after 'To': the date filter is ignored.")
        date_from = date_to = None
    return query.Filters(
        date_from=date_from, date_to=date_to, include_undated=bool(include_undated),
        clusters=tuple(clusters), actors=tuple(actors), categories=tuple(cats), figure_kinds=tuple(kinds),
        text=(text or "").strip() if text_ids is not None else "", text_ids=text_ids,
    )


SEARCH_HELP = ('Words in the title or text. AND, OR, NOT (capitals), "exact phrase", prefix*, '
               "title:word, source:word, actor:name; e.g. `Novichok OR Skripal`, `\"air defence\" AND Poland`.")


@st.cache_resource(show_spinner=False, max_entries=64)
def _search_ids(path: str, version: tuple, text: str) -> frozenset:
    from pipeline.read import search

    return frozenset(search.matching_ids(path, text))


def search_ids(text: str | None) -> tuple[frozenset | None, str]:
    """The article_ids the sidebar's query matches (None when there is no query) and an error for people
    (a malformed query filters nothing and says what is wrong and where)."""
    from pipeline.read import search

    text = (text or "").strip()
    if not text:
        return None, ""
    path = str(store_dir())
    try:
        return _search_ids(path, _store_version(path), text), ""
    except search.QueryError as exc:
        return None, f"Search not applied: {exc.message} (at character {exc.position + 1})."


def url_params(filters: query.Filters, tables: dict[str, pd.DataFrame]) -> dict[str, str | list[str]]:
    """The URL parameters that restore ``filters`` (as the bound widgets write them)."""
    params: dict[str, str | list[str]] = {}
    if filters.text:
        params["q"] = filters.text
    if filters.date_from:
        params["from"] = filters.date_from.isoformat()
    if filters.date_to:
        params["to"] = filters.date_to.isoformat()
    if not filters.include_undated:
        params["undated"] = "false"
    if filters.clusters:
        label = _cluster_label(tables["clusters"])
        params["cluster"] = [label(c) for c in filters.clusters]
    for name, values in (("actor", filters.actors), ("signal", filters.categories), ("figure", filters.figure_kinds)):
        if values:
            params[name] = [str(v) for v in values]
    return params


def _bound_url_values(filters: query.Filters, tables: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """What each filter parameter should read in the address bar: the filters' own values, with the date
    fields as the widgets hold them (a 'From' after 'To' is ignored by the filter but stays in the widget)."""
    want = {name: (v if isinstance(v, list) else [v]) for name, v in url_params(filters, tables).items()}
    typed = (st.session_state.get("q") or "").strip()
    want.pop("q", None)
    if typed:  # a malformed query stays in the box and the address bar, as typed
        want["q"] = [st.session_state.get("q")]
    for name in ("from", "to"):
        value = st.session_state.get(name)
        want.pop(name, None)
        if isinstance(value, dt.date):
            want[name] = [value.isoformat()]
    return want


def sync_url(filters: query.Filters, tables: dict[str, pd.DataFrame]) -> bool:
    """Make the address bar show exactly the active filters; True if it had to be corrected.

    Bound widgets write their values into the URL themselves, but after a
    page switch (or a filter set from a chart or a chip) Streamlit may leave
    a parameter out while the filter stays applied. Bound parameters cannot
    be set through ``st.query_params``, so the missing ones are written
    through Streamlit's own query-parameter store (the same call a bound
    widget uses: :func:`_write_bound_params`, Streamlit's private API). If
    that API changes, the failure is logged, this returns False and the page
    keeps working (:func:`share_link` still gives the right link);
    ``tests/test_app.py`` fails on such a Streamlit, so an upgrade cannot
    turn URL sync off unseen.
    """
    want = _bound_url_values(filters, tables)
    wrong = {name: want.get(name, []) for name in query.FILTER_PARAMS
             if st.query_params.get_all(name) != want.get(name, [])}
    if not wrong:
        return False
    try:
        _write_bound_params(wrong)
    except PRIVATE_API_ERRORS as exc:
        _log.warning("URL sync is off: Streamlit's private query-parameter API changed (%s: %s)",
                     type(exc).__name__, exc)
        return False
    return True


# What a changed private API raises: a module, function or method gone, or a different signature.
PRIVATE_API_ERRORS = (ImportError, AttributeError, TypeError)


def _write_bound_params(values: dict[str, list[str]]) -> None:
    """Write URL parameters that bound widgets own, through Streamlit's private query-parameter store
    (``st.query_params`` refuses them). Raises one of ``PRIVATE_API_ERRORS`` when that API changed."""
    from streamlit.runtime.state.session_state_proxy import get_session_state

    with get_session_state().query_params() as qp:
        for name, vals in values.items():
            if vals:
                qp.set_with_no_forward_msg(name, vals if len(vals) > 1 else vals[0])
            else:
                qp.discard_param_no_forward_msg(name)
        qp._send_query_param_msg()


def share_link(filters: query.Filters, tables: dict[str, pd.DataFrame]) -> str:
    """The URL that reopens this view: this page, every filter and the open article (built here, not read back
    from the browser's address bar, which after a page switch may not show every bound filter yet)."""
    from urllib.parse import urlencode

    try:
        base = (st.context.url or "").split("?")[0]
    except Exception:  # no browser context (bare mode, AppTest)
        base = ""
    params = dict(url_params(filters, tables))
    for name in ("article", "at"):
        if name in st.query_params:
            params[name] = st.query_params[name]
    encoded = urlencode(params, doseq=True)
    return f"{base}?{encoded}" if encoded else base


def share_box(filters: query.Filters, tables: dict[str, pd.DataFrame]) -> None:
    """A copyable link to the current view (drawn where the caller is)."""
    with st.expander("Link to this view", icon=":material/link:"):
        # Inline code, not ``st.code``: a code block loads a 1.5 MB syntax highlighter into every page.
        st.container(key="share-link").markdown(f"`{share_link(filters, tables)}`")


def page_menu(pages: list) -> None:
    """The page links (drawn where the caller is).

    Drawn with ``st.page_link`` rather than ``st.navigation``'s own menu: after
    a page link, the bound filter widgets write their values back into the
    URL, so a shared link keeps its filters across pages (checked in
    tests/test_browser.py). Passing ``query_params`` here as well would
    repeat each parameter.
    """
    for p in pages:
        st.page_link(p)
    st.divider()


# ---------------------------------------------------------------- cross-filtering

def _default(field: str):
    return {"from": None, "to": None, "undated": True, "q": ""}.get(field, [])


def apply_filter_values(field: str, values: list) -> bool:
    """Set filter ``field`` to ``values`` picked on a chart (only values the store knows); True if it changed.

    Call it from a callback (before the sidebar widgets are drawn), as
    :func:`dashboard.charts.draw` does, or before :func:`sidebar_filters`.
    """
    if field == "date":
        span = query.date_range_of(values)
        if span is None:
            return False
        st.session_state["from"], st.session_state["to"] = span
        return True
    if field not in LIST_FILTERS:
        raise ValueError(f"cannot cross-filter on {field!r}; expected date or one of {LIST_FILTERS}")
    known = filter_options()[field]
    if field == "cluster":
        values = [int(v) for v in values if str(v).lstrip("-").isdigit()]
    chosen = [v for v in values if known is None or v in known]
    if not chosen:
        return False
    st.session_state[field] = chosen
    return True


def remove_filter(field: str, value=None) -> None:
    """Remove one value of a list filter, or reset a date/undated filter (a chip's callback)."""
    if field in LIST_FILTERS:
        st.session_state[field] = [v for v in st.session_state.get(field, []) if v != value]
    else:
        _reset(field)


def _reset(field: str) -> None:
    """Back to the filter widget's default (chips and "Clear all" set widget values through session state, by
    design: ``global.disableWidgetStateDuplicationWarning`` in .streamlit/config.toml says so to Streamlit)."""
    st.session_state[field] = _default(field)


def clear_filters() -> None:
    """Reset every filter (the "Clear all" chip's callback)."""
    for field in query.FILTER_PARAMS:
        _reset(field)


def filter_chips(filters: query.Filters, tables: dict[str, pd.DataFrame]) -> None:
    """The active filters as removable chips, and "Clear all"; nothing when no filter is set."""
    items = filters.describe()
    if not items:
        return
    label = _cluster_label(tables["clusters"])
    with st.container(horizontal=True, key="filter-chips", vertical_alignment="center"):
        st.markdown(":material/filter_alt: **Filtered:**", width="content")
        for field, text, value in items:
            if field == "cluster":
                text = f"Cluster: {label(value)}"
            st.button(text, key=f"chip-{field}-{value}", icon=":material/close:", icon_position="right",
                      on_click=remove_filter, args=(field, value), help="Remove this filter")
        st.button("Clear all", key="chip-clear-all", type="tertiary", icon=":material/filter_alt_off:",
                  on_click=clear_filters)


def set_view(view: View) -> None:
    """Keep this run's view for the page (called by the entry point)."""
    st.session_state["_view"] = view


def current_view() -> View:
    """The view the entry point computed for this run."""
    return st.session_state["_view"]
