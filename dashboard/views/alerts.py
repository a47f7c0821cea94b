"""Alerts: saved watchlists (a query with the filters it was saved with), what is new for each since it was last
marked read, delivery settings (Atom file, Markdown digest, webhook), and "Refresh feeds now" for this store.

Alerts are recorded by ``python -m pipeline watch`` (or the refresh here); article titles are shown as text.
The page reads through ``pipeline.read.alerts``; its writes (save a watchlist and record its alerts, save delivery
settings, mark read) go through ``pipeline.alerts``, the one write seam for watchlists, and "Refresh feeds now"
runs the watcher's cycle (``pipeline.watch``).
"""
import json

import streamlit as st

from dashboard import state
from pipeline import alerts as watchlist_writes
from pipeline.read import alerts, query, search
from pipeline.schema import SchemaError

view = state.current_view()
path = str(state.store_dir())
st.title("Alerts and watchlists")
if not alerts.monitoring_available(path):
    st.info("This store is a Parquet store, built for corpora of millions of articles and written only by pipeline "
            "runs: it keeps no watchlists or alerts yet. Use a SQLite store (the default of `python -m pipeline run`) "
            "to save watchlists and receive alerts.", icon=":material/info:")
    st.stop()
try:
    lists = alerts.watchlists(path)
except SchemaError as exc:   # a store whose watchlists table does not fit the schema: said, never a traceback
    st.error(f"The watchlists of this store cannot be read: {exc}", icon=":material/database:")
    st.stop()

with st.expander("Save the current search and filters as a watchlist", expanded=not lists):
    q = view.filters.text
    if not q:
        st.caption("Type a query in the sidebar's Search box first: a watchlist is a saved query.")
    else:
        name = st.text_input("Watchlist name", key="wl-name", max_chars=80)
        filters = alerts.filters_to_dict(view.filters)
        st.caption(f"Query: `{q}`" + (f"; filters kept with it: {json.dumps(filters)}" if filters else ""))
        if st.button("Save watchlist", key="wl-save", icon=":material/bookmark_add:"):
            try:
                watchlist_writes.save(path, name, q, filters)
                new = watchlist_writes.evaluate(path).get(" ".join(name.split()), 0)
                st.success(f"Saved “{name}”: {new} alerts recorded (matches, signals, figures, anachronism flags).")
            except (ValueError, search.QueryError) as exc:
                st.error(f"Not saved: {exc}")
            lists = alerts.watchlists(path)

if not lists:
    st.info("No watchlist yet.")
for w in lists:
    unread = alerts.unread_spikes_first(alerts.alerts(path, w.name))
    with st.container(border=True, key=f"wl-{w.watchlist_id}"):
        st.markdown(f"#### {w.name.replace('#', '')} · {len(unread)} new")
        st.caption(f"Query: `{w.query.replace('`', '')}` · signals of weight ≥ {w.min_signal_weight:g} · saved {w.created_at}"
                   + (f" · last read {w.read_at}" if w.read_at else " · never marked read")
                   + (f" · filters {json.dumps(w.filters)}" if w.filters else ""))
        if unread.empty:
            st.caption("Nothing new since it was last marked read.")
        else:
            for r in unread.head(20).itertuples():
                title = str(r.title or r.article_id).replace("[", "(").replace("]", ")")
                st.markdown(f"- {alerts.KIND_LABELS.get(r.kind, r.kind)}: [{title}]({query.reader_link(r.article_id)})"
                            f" · {r.source or 'no source'} · {r.date or 'undated'}")
            if len(unread) > 20:
                st.caption(f"… and {len(unread) - 20} more.")
            if st.button("Mark read", key=f"wl-read-{w.watchlist_id}", icon=":material/done_all:"):
                watchlist_writes.mark_read(path, w.name)
                st.rerun()
        with st.popover("Delivery settings", icon=":material/send:"):
            atom = st.text_input("Atom feed file", value=w.atom_path, key=f"wl-atom-{w.watchlist_id}")
            digest = st.text_input("Markdown digest file", value=w.digest_path, key=f"wl-md-{w.watchlist_id}")
            hook = st.text_input("Webhook URL (JSON POST)", value=w.webhook_url, key=f"wl-hook-{w.watchlist_id}")
            weight = st.slider("Alert tension signals of weight at least", 0.0, 1.0, float(w.min_signal_weight), 0.05,
                               key=f"wl-weight-{w.watchlist_id}")
            if st.button("Save delivery", key=f"wl-deliv-{w.watchlist_id}"):
                try:
                    watchlist_writes.save(path, w.name, w.query, w.filters, atom_path=atom, digest_path=digest, webhook_url=hook,
                                min_signal_weight=weight)
                    st.success("Saved; alerts are delivered after each watch cycle or refresh.")
                except ValueError as exc:
                    st.error(f"Not saved: {exc}")

st.subheader("Refresh feeds now")
st.caption("Streamlit Community Cloud runs no daemon: this polls the feeds once for this session's store "
           "(the same cycle as `python -m pipeline watch FEEDS.txt --once`).")
feeds_text = st.text_area("Feed or page URLs, one per line", key="refresh-feeds", height=90)
if st.button("Refresh feeds now", key="refresh-now", icon=":material/sync:"):
    from pipeline import watch

    urls = [u.strip() for u in (feeds_text or "").splitlines() if u.strip() and not u.strip().startswith("#")]
    bad = [u for u in urls if not u.startswith(("http://", "https://"))]
    if not urls or bad:
        st.error("Give http(s) URLs, one per line" + (f" (not: {bad[0][:60]!r})." if bad else "."))
    else:
        bar = st.progress(0.0, text="Polling feeds…")
        report = watch.cycle(urls, path, progress=lambda done, total: bar.progress(done / total,
                                                                                  text=f"Polled {done} of {total} feeds"))
        bar.progress(1.0, text="Done")
        st.success(f"{report.new_articles} new articles, {report.alerts} new alerts, {report.unchanged} feeds unchanged.")
        for err in report.errors:
            st.warning(err)
