"""Search: ranked matches of the sidebar's query (escaped snippets with the hits marked, links to the reader) and
attention over time: matching articles per period for up to four queries, as a count or a share of all articles.

A click on a period of the attention chart sets the date filter to it (every page follows).
"""
import datetime as dt

import streamlit as st

from dashboard import charts, state
from dashboard.components import empty_state
from pipeline.read import query, search

view = state.current_view()
st.title("Search and attention")
path = str(state.store_dir())
q = view.filters.text
if not q:
    st.info('Type a query in the sidebar’s Search box, e.g. `Novichok OR Skripal` or `"air defence" AND Poland`. '
            "It filters every page; this page ranks its matches and charts attention over time.")
else:
    try:
        hits, total = search.search(path, q, limit=200)
    except search.QueryError as exc:
        st.error(f"Search not applied: {exc.message} (at character {exc.position + 1}).")
        hits, total = [], 0
    visible = set(view.filtered["articles"]["article_id"])
    shown = [h for h in hits if h.article_id in visible]
    titles = dict(zip(view.tables["articles"]["article_id"], view.tables["articles"]["title"]))
    st.caption(f"{len(visible):,} articles match the query and the other filters ({total:,} match the query alone); "
               f"the best {len(shown)} of the first {len(hits)} ranked are listed.")
    if not shown:
        empty_state("No ranked match passes the other filters.")
    for h in shown[:50]:
        link = query.reader_link(h.article_id)
        title = str(titles.get(h.article_id) or h.article_id)
        st.markdown(f"**{h.rank}.** [{title.replace('[', '(').replace(']', ')')}]({link})")
        st.html(f"<div style='font-size:0.9em;color:#333;margin:-6px 0 8px 18px'>{search.snippet_html(h.snippet)}</div>")

st.subheader("Attention over time")
defaults = [q] if q else []
text = st.text_area("Up to four queries, one per line", value="\n".join(defaults), key="attention-queries",
                    height=100, help="Each line is a query in the search syntax; each gets its own colour.")
lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
c1, c2 = st.columns(2)
period = c1.radio("Period", ["week", "month", "day"], horizontal=True, key="attention-period")
measure = c2.radio("Measure", ["share of all articles", "count"], horizontal=True, key="attention-measure")
if len(lines) > 4:
    st.warning(f"Only the first four of {len(lines)} queries are charted.")
    lines = lines[:4]
good = []
for line in lines:
    try:
        search.parse(line)
        good.append(line)
    except search.QueryError as exc:
        st.error(f"“{line[:60]}” is not charted: {exc.message} (at character {exc.position + 1}).")
if good:
    table = search.attention(path, good, period=period)
    if table.empty:
        empty_state("No dated articles to chart.")
    else:
        periods = sorted(table["period"].unique())
        ends = {"day": 0, "week": 6}
        keys = []
        for p in periods:
            start = dt.date.fromisoformat(p)
            if period == "month":
                nxt = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                keys.append((start.isoformat(), (nxt - dt.timedelta(days=1)).isoformat()))
            else:
                keys.append((start.isoformat(), (start + dt.timedelta(days=ends[period])).isoformat()))
        palette = ["#1f4e79", "#d62728", "#2ca02c", "#9467bd"]
        series = []
        for i, line in enumerate(good):
            sub = table[table["query"] == line].set_index("period")
            values = [float(sub.loc[p, "share"]) * 100 if measure != "count" else int(sub.loc[p, "count"]) for p in periods]
            series.append(charts.Series(line[:40], values, colour=palette[i], kind="bar", keys=keys))
        chart = charts.category_chart(periods, series, stacked=False, brush=True,
                                      value_title="% of the period's articles" if measure != "count" else "articles",
                                      value_format="%,.1f" if measure != "count" else None, legend=True)
        charts.draw(chart, key="attention", field="date")
        st.caption("Share = matching articles ÷ all original articles dated in the period (own date, else inferred); "
                   "undated articles are in neither. Click a period to filter every page to it.")
        with st.expander("The numbers"):
            st.dataframe(table, hide_index=True, placeholder="")
