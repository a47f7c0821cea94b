"""NATO–Russia tension monitor: the dashboard's entry point (``streamlit run dashboard/app.py``).

It loads the store (built from ``seeds/`` on first open), draws the sidebar
filters that every page honours, and runs the selected page.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import state  # noqa: E402
from pipeline import query  # noqa: E402

st.set_page_config(page_title="NATO–Russia tension monitor", page_icon=":material/radar:", layout="wide")

VIEWS = ROOT / "dashboard" / "views"
pages = [
    st.Page(VIEWS / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page(VIEWS / "topics.py", title="Topic clusters", icon=":material/hub:", url_path="topics"),
    st.Page(VIEWS / "actors.py", title="Actors", icon=":material/groups:", url_path="actors"),
    st.Page(VIEWS / "spending.py", title="Spending tracker", icon=":material/payments:", url_path="spending"),
    st.Page(VIEWS / "tension.py", title="Tension over time", icon=":material/trending_up:", url_path="tension"),
    st.Page(VIEWS / "reader.py", title="Article reader", icon=":material/article:", url_path="reader"),
]
page = st.navigation(pages)

try:
    tables = state.load_tables()
except Exception as exc:  # the page must explain, never show a traceback
    st.error(f"The article store could not be read ({type(exc).__name__}). Rebuild it with "
             f"`python -m pipeline run seeds --store {state.store_dir()}` and reload.")
    st.stop()

filters = state.sidebar_filters(tables)
state.set_view(state.View(tables=tables, filters=filters, filtered=query.apply_filters(tables, filters)))
page.run()
