"""Small drawing helpers shared by the pages (no analysis here)."""
from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from pipeline.read.export import to_excel_csv


def download_csv(frame: pd.DataFrame, name: str, label: str = "Download CSV") -> None:
    """A download button for what the page shows: Excel-safe CSV (BOM, formula cells neutralised), built on click."""
    st.download_button(label, data=lambda: to_excel_csv(frame), file_name=f"{name}.csv", mime="text/csv",
                       key=f"dl-{name}", on_click="ignore")


TABLE_ROWS = 500  # rows sent to the browser per table; the CSV download holds them all


def first_rows(frame: pd.DataFrame, what: str = "rows", limit: int = TABLE_ROWS) -> pd.DataFrame:
    """The first ``limit`` rows of a table to show, with a caption saying how many there are in all.

    A table of thousands of rows costs the browser seconds to receive and
    draw; the page shows the first ones and its CSV download holds them all.
    """
    if len(frame) <= limit:
        return frame
    st.caption(f"Showing the first {limit:,} of {len(frame):,} {what}; the CSV download below holds them all "
               "(narrow the filters to see others here).")
    return frame.head(limit)


def section_switch(sections: list[str], key: str) -> str:
    """A row of buttons choosing which one of a page's ``sections`` to show (the first by default), kept in the
    URL under ``key``. A page builds only the chosen section, so costly ones never slow its first paint."""
    return st.segmented_control("Show", sections, default=sections[0], required=True, key=key,
                                bind="query-params", label_visibility="collapsed") or sections[0]


def empty_state(message: str) -> None:
    """Say that nothing matches and what to do next."""
    st.info(f"{message} Widen or clear the filters in the sidebar (or click “Clear all” above).")


def short(text: str, n: int = 160) -> str:
    """Shorten text for a table cell."""
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def view_url() -> str:
    """The URL of the current page with its query parameters (what a colleague opens to see this view)."""
    try:
        base = st.context.url or ""
    except Exception:  # no browser context (bare mode)
        return ""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    query = urlencode(params, doseq=True)
    return f"{base.split('?')[0]}?{query}" if query else base.split("?")[0]
