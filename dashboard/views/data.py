"""Add & export data: exports of the current view (CSV for Excel, JSON, one-page brief) and uploads into the session's own store."""
import streamlit as st

from dashboard import state
from dashboard.components import view_url
from pipeline import uploads
from pipeline.read import brief, export

view = state.current_view()

st.title("Add & export data")

# ---------------------------------------------------------------- exports
st.subheader("Export the current view")
st.caption("Every table as filtered in the sidebar. CSV files open in Excel (UTF-8 with BOM; cells that a "
           "spreadsheet would run as a formula are prefixed with ' ). JSON keeps the values unchanged.")
tables = export.view_tables(view.filtered)
if view.filtered["articles"].empty:
    st.info("No articles match the filters, so the exports would be empty. Widen or clear the filters in the sidebar.")
for name, frame in tables.items():
    with st.container(horizontal=True, vertical_alignment="center", key=f"export-{name}"):
        st.markdown(f"**{name}** — {len(frame)} rows", width=260)
        st.download_button("CSV", data=lambda f=frame: export.to_excel_csv(f), file_name=f"{name}.csv", mime="text/csv",
                           key=f"csv-{name}", icon=":material/download:", on_click="ignore")
        st.download_button("JSON", data=lambda f=frame: export.to_json_records(f), file_name=f"{name}.json",
                           mime="application/json", key=f"json-{name}", icon=":material/download:", on_click="ignore")

st.subheader("One-page brief")
st.caption("Headline tension, top topic clusters, key figures, quotes and the strongest signals of the current view, "
           "each linked to its sentence in the reader (Markdown).")
link = view_url()
st.download_button("Download the brief (Markdown)", key="brief",
                   data=lambda: brief.one_page_brief(view.filtered, view.filters, base_url=link.split("?")[0].rsplit("/", 1)[0] if link else "",
                                                     view_url=link).encode("utf-8"),
                   file_name="tension_brief.md", mime="text/markdown", icon=":material/summarize:", on_click="ignore")

# ---------------------------------------------------------------- uploads
st.subheader("Add articles")
own = st.session_state.get(state.SESSION_STORE_KEY)
st.caption("Files you add go into your session's own copy of the store: other users keep seeing the shared articles. "
           "Accepted: " + ", ".join("." + t for t in uploads.ACCEPTED_TYPES) + " (a .zip may hold a folder of them).")
files = st.file_uploader("Articles to add", type=list(uploads.ACCEPTED_TYPES), accept_multiple_files=True, key="upload-files")
if st.button("Add to my session", type="primary", disabled=not files, key="upload-run", icon=":material/upload:"):
    bar = st.progress(0.0, text="Reading the files…")
    try:
        if not own:
            uploads.cleanup_session_stores()   # old session stores go before a new one is made
        target = own or str(uploads.session_store(state.shared_store_dir()))
        report = uploads.ingest_uploads(
            [(f.name, f.getvalue()) for f in files], target,
            progress=lambda stage, done, total: bar.progress(uploads.progress_fraction(stage, done, total),
                                                             text=f"{stage}: {done} of {total}"))
    except Exception as exc:  # never a traceback on the page
        bar.empty()
        st.error(f"The files could not be added ({type(exc).__name__}: {str(exc)[:200]}). Nothing was changed.")
    else:
        bar.progress(1.0, text="Done")
        state.use_session_store(target)
        st.session_state["_upload_report"] = (report.summary(), uploads.upload_report(report))
        st.rerun()

if "_upload_report" in st.session_state:
    summary, table = st.session_state["_upload_report"]
    st.success(f"Last upload: {summary}. Every page now includes the added articles.", icon=":material/task_alt:")
    st.dataframe(table, hide_index=True, placeholder="", key="upload-report",
                 column_config={"input": st.column_config.TextColumn("file / item"),
                                "article_id": st.column_config.TextColumn("article")})
if own:
    st.caption(f"This session reads its own store ({len(view.tables['articles'])} articles).")
    if st.button("Forget my uploads (back to the shared articles)", key="upload-reset"):
        state.forget_session_store(delete=True)
        st.rerun()
