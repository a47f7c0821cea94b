"""NATO–Russia tension monitor: the dashboard's entry point (``streamlit run dashboard/app.py``).

It loads the session's store (the shared one, built from ``seeds/`` on first
open, or the session's own copy after an upload), checks the URL, draws the
page menu and the sidebar filters that every page honours, the active-filter
chips, and runs the selected page. See ``dashboard/state.py`` for how
filters, links and chart cross-filtering work.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import state, transport  # noqa: E402

st.set_page_config(page_title="NATO–Russia tension monitor", page_icon=":material/radar:", layout="wide")


@st.cache_resource(show_spinner=False)
def _server_sockets_without_nagle() -> int:
    """Once per server process: TCP_NODELAY on Streamlit's sockets (why: ``dashboard/transport.py``)."""
    return transport.enable_tcp_nodelay()


_server_sockets_without_nagle()

VIEWS = ROOT / "dashboard" / "views"
pages = [
    st.Page(VIEWS / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page(VIEWS / "topics.py", title="Topic clusters", icon=":material/hub:", url_path="topics"),
    st.Page(VIEWS / "actors.py", title="Actors", icon=":material/groups:", url_path="actors"),
    st.Page(VIEWS / "spending.py", title="Spending tracker", icon=":material/payments:", url_path="spending"),
    st.Page(VIEWS / "tension.py", title="Tension over time", icon=":material/trending_up:", url_path="tension"),
    st.Page(VIEWS / "reader.py", title="Article reader", icon=":material/article:", url_path="reader"),
    st.Page(VIEWS / "search.py", title="Search and attention", icon=":material/search:", url_path="search"),
    st.Page(VIEWS / "alerts.py", title="Alerts", icon=":material/notifications:", url_path="alerts"),
    st.Page(VIEWS / "data.py", title="Add & export data", icon=":material/upload_file:", url_path="data"),
]
page = st.navigation(pages, position="hidden")

try:
    tables = state.load_tables()
except Exception as exc:  # the page must explain, never show a traceback
    st.error(state.store_error_message(exc, state.store_dir()), icon=":material/database:")
    if st.session_state.get(state.SESSION_STORE_KEY):
        st.button("Back to the shared articles", key="store-error-shared", on_click=state.forget_session_store)
    st.button("Try again", key="store-error-retry", icon=":material/refresh:")
    st.stop()
# Notices and filter chips come and go above the page; drawn inside one container that is always there,
# they leave the page's own elements in their places, so a filter change updates the charts in place
# instead of mounting every chart and table anew.
top = st.container(key="view-top")
if "_store_notice" in st.session_state:
    top.warning(st.session_state.pop("_store_notice"), icon=":material/history:")
if stale := state.store_notice():
    top.warning(stale, icon=":material/update:")
if read_window := state.store_window():
    top.info(read_window.describe(), icon=":material/date_range:")

notices = state.url_notices(tables)
with st.sidebar:
    state.page_menu(pages)
filters = state.sidebar_filters(tables)
state.sync_url(filters, tables)
for notice in notices:
    top.info(notice, icon=":material/link_off:")
with st.sidebar:
    state.share_box(filters, tables)
with top:
    state.filter_chips(filters, tables)
state.set_view(state.View(tables=tables, filters=filters, filtered=state.filtered_tables(filters)))
page.run()
