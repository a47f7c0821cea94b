"""Overview: counts, the tension headline, and three charts that cross-filter every page (click a bar)."""
import plotly.graph_objects as go
import streamlit as st

from dashboard import state
from dashboard.components import download_csv, empty_state
from pipeline import query, tension

view = state.current_view()
data = view.filtered
articles = data["articles"]

st.title("NATO–Russia tension monitor")
st.caption("News articles clustered by topic, with tension signals, actors and spending figures extracted. "
           "Filters in the sidebar apply to every page and live in the link; click a bar to filter by it.")

if view.tables["articles"].empty:
    st.info("The store holds no articles yet. Add some on the “Add & export data” page, or rebuild the store "
            "from the seeds with `python -m pipeline run seeds`.")
    st.stop()
if articles.empty:
    empty_state("No articles match the filters.")
    st.stop()

# Summaries are computed once per filter state and shared (state.summary); charts are built with
# graph_objects (plotly express costs ~70 ms a chart in validation alone).
balance = state.summary(tension.balance, "signals")
counts_now = state.summary(query.view_counts, "articles", "actor_mentions", "figures")
cols = st.columns(5)
cols[0].metric("Articles", counts_now["articles"])
cols[1].metric("Topic clusters", counts_now["clusters"])
cols[2].metric("Actors", counts_now["actors"])
cols[3].metric("Spending figures", counts_now["figures"])
cols[4].metric("Net tension", f"{balance['net']:+.1f}", help="Escalation minus de-escalation, each signal weighted by its "
               "category's Goldstein magnitude and its modality (negated, hypothetical, future and reported signals "
               "weigh less): the same sum the Tension over time page plots.")

direction = "escalation outweighs de-escalation" if balance["net"] > 0 else (
    "de-escalation outweighs escalation" if balance["net"] < 0 else "escalation and de-escalation balance")
st.subheader(f"Tension: {direction}")
st.write(f"{balance['signals']} signals — escalation {balance['escalation']:.1f}, "
         f"de-escalation {balance['deescalation']:.1f} (Goldstein-weighted).")

left, right = st.columns(2)
MARGIN = {"l": 10, "r": 10, "t": 30, "b": 10}  # room at the top for the chart toolbar (it covers bars under it)
counts = state.summary(query.signal_counts, "signals")
with left:
    st.markdown("**Signals by category** — click a bar to keep that category")
    if counts.empty:
        st.info("No tension signals in these articles. Clear the signal filter or pick other articles.")
    else:
        fig = go.Figure(layout={"height": 360, "margin": MARGIN, "barmode": "relative",
                                "yaxis": {"categoryorder": "total ascending"}, "xaxis": {"title": {"text": "weighted signals"}},
                                "legend": {"orientation": "h", "y": -0.15, "title": {"text": "direction"}}})
        for direction, colour in (("escalation", "#d62728"), ("de-escalation", "#2ca02c")):
            part = counts[counts["direction"] == direction]
            if not part.empty:
                fig.add_bar(x=part["weight"], y=part["category"], orientation="h", name=direction,
                            legendgroup=direction, marker_color=colour,
                            hovertemplate="%{y}: %{x:.1f} weighted signals<extra>" + direction + "</extra>")
        state.cross_filter_chart(fig, key="overview-signals", field="signal", point="y")

sizes = state.summary(query.cluster_sizes, "articles", "all:clusters", n=12)
with right:
    st.markdown("**Articles by topic cluster** — click a bar to keep that cluster")
    if sizes.empty:
        st.info("These articles are not in any topic cluster yet.")
    else:
        fig = go.Figure(go.Bar(x=sizes["articles"], y=sizes["label"], orientation="h", customdata=sizes[["cluster_id"]],
                               marker_color="#1f4e79", hovertemplate="%{y}: %{x} articles<extra></extra>"),
                        layout={"height": 360, "margin": MARGIN, "yaxis": {"categoryorder": "total ascending"},
                                "xaxis": {"title": {"text": "articles"}}})
        state.cross_filter_chart(fig, key="overview-clusters", field="cluster", point="customdata")

per_month = state.summary(query.articles_per_period, "articles")
if not per_month.empty:
    st.markdown("**Articles over time** — click a month to keep it (undated articles are not shown)")
    fig = go.Figure(go.Bar(x=per_month["period"], y=per_month["articles"], marker_color="#5b7fa6",
                           hovertemplate="%{x}: %{y} articles<extra></extra>"),
                    layout={"height": 240, "margin": MARGIN, "xaxis": {"type": "category"},
                            "yaxis": {"title": {"text": "articles"}}})
    state.cross_filter_chart(fig, key="overview-time", field="date", point="x")

st.subheader("Latest articles")
latest = state.summary(query.latest_articles, "articles", n=10)
latest = latest.assign(open=latest["article_id"].map(query.reader_link))
st.dataframe(latest, hide_index=True, column_config={
    "article_id": None, "open": st.column_config.LinkColumn("reader", display_text="open in reader")})
download_csv(latest.drop(columns=["open"]), "latest_articles")
