"""Small drawing helpers shared by the pages (no analysis here)."""
from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from pipeline.export import to_excel_csv


def download_csv(frame: pd.DataFrame, name: str, label: str = "Download CSV") -> None:
    """A download button for what the page shows: Excel-safe CSV (BOM, formula cells neutralised), built on click."""
    st.download_button(label, data=lambda: to_excel_csv(frame), file_name=f"{name}.csv", mime="text/csv",
                       key=f"dl-{name}", on_click="ignore")


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
