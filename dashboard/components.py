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


CORRECTION_ACTIONS = {
    "wrong": "Mark a signal wrong",
    "recategorise": "Change its category",
    "redirect": "Change its direction",
    "remodal": "Change its modality",
    "missed": "Add a sentence the coder missed",
}


def signal_correction_form(store_dir, signals: pd.DataFrame, *, key: str, article_id: str | None = None,
                           article_text: str | None = None, corrections: pd.DataFrame | None = None) -> None:
    """An analyst's correction of the signals shown (``signals``: pipeline rows, not relabelled): mark one wrong,
    change its category, direction or modality, or (with ``article_text``) add a sentence the coder missed.
    Saved through :mod:`pipeline.corrections`; every page shows it on the next run."""
    from pipeline import corrections as correcting
    from pipeline.read.labels import corrections_table, label
    from pipeline.read.reader import sentences
    from pipeline.schema import signal_categories

    actions = [a for a in CORRECTION_ACTIONS if a != "missed" or article_text is not None]
    with st.expander("Correct a signal" + (", or add one the coder missed" if article_text is not None else "")):
        if corrections is not None and not corrections.empty:
            shown = corrections.loc[corrections["article_id"] == article_id] if article_id else corrections
            if not shown.empty:
                st.caption(f"{len(shown)} correction{'s' if len(shown) != 1 else ''} stored for this article:")
                st.dataframe(corrections_table(shown), hide_index=True, placeholder="", key=f"{key}-stored")
        action = st.radio("What", actions, format_func=CORRECTION_ACTIONS.__getitem__, key=f"{key}-action",
                          horizontal=True)
        cats = list(signal_categories())
        original = None
        if action == "missed":
            spans = sentences(article_text)
            pick = st.selectbox("Sentence", range(len(spans)), key=f"{key}-sentence",
                                format_func=lambda i: spans[i][2][:160])
            start, end = spans[pick][0], spans[pick][1]
        else:
            rows = signals.reset_index(drop=True)
            if rows.empty:
                st.caption("No signal to correct here.")
                return
            pick = st.selectbox("Signal", range(len(rows)), key=f"{key}-signal", format_func=lambda i: (
                f"{label('signal_category', rows.at[i, 'category'])}: “{rows.at[i, 'cue']}” "
                f"({label('modality', rows.at[i, 'modality']).lower()}, "
                f"{'escalation' if rows.at[i, 'polarity'] > 0 else 'de-escalation'})"
                + (f" — {rows.at[i, 'corrected']}" if rows.at[i, 'corrected'] else "")))
            original = rows.iloc[pick].to_dict()
            start, end = int(original["start"]), int(original["end"])
        category = modality = ""
        polarity = None
        if action in ("recategorise", "missed"):
            category = st.selectbox("Category", cats, key=f"{key}-category",
                                    format_func=lambda c: label("signal_category", c))
        if action in ("remodal", "missed"):
            modality = st.selectbox("Modality", correcting.MODALITIES, key=f"{key}-modality",
                                    format_func=lambda m: label("modality", m))
        if action == "redirect":
            polarity = st.radio("Direction", [1, -1], key=f"{key}-direction", horizontal=True,
                                format_func=lambda p: "escalation" if p > 0 else "de-escalation")
        note = st.text_input("Note (optional)", key=f"{key}-note", max_chars=500)
        if st.button("Save correction", key=f"{key}-save", icon=":material/edit_note:"):
            try:
                correcting.add(store_dir, action, original["article_id"] if original else article_id, start, end,
                               original=original, category=category, modality=modality, polarity=polarity, note=note)
            except correcting.CorrectionError as exc:
                st.error(f"The correction was not saved: {exc}")
                return
            st.session_state[f"{key}-saved"] = CORRECTION_ACTIONS[action]
            st.rerun()
        if f"{key}-saved" in st.session_state:
            st.success(f"Saved: {st.session_state.pop(f'{key}-saved').lower()}. Every page and the tension index "
                       "now read it.", icon=":material/check:")
