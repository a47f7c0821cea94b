"""Small drawing helpers shared by the pages (no analysis here)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from pipeline.export import to_excel_csv


def download_csv(frame: pd.DataFrame, name: str, label: str = "Download CSV") -> None:
    """A download button for what the page shows: Excel-safe CSV (BOM, formula cells neutralised)."""
    st.download_button(label, data=to_excel_csv(frame), file_name=f"{name}.csv", mime="text/csv", key=f"dl-{name}")


def empty_state(message: str) -> None:
    """Say that nothing matches and what to do next."""
    st.info(f"{message} Widen or clear the filters in the sidebar.")


def short(text: str, n: int = 160) -> str:
    """Shorten text for a table cell."""
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"
