"""Overview: counts, the tension headline, and three charts that cross-filter every page (click a bar)."""
import plotly.express as px
import streamlit as st

from dashboard import state
from dashboard.components import download_csv, empty_state
from pipeline import query

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

balance = query.signal_balance(data["signals"])
cols = st.columns(5)
cols[0].metric("Articles", len(articles))
cols[1].metric("Topic clusters", int(articles.loc[articles["cluster_id"] >= 0, "cluster_id"].nunique()))
cols[2].metric("Actors", int(data["actor_mentions"]["actor"].nunique()))
cols[3].metric("Spending figures", len(data["figures"]))
cols[4].metric("Net tension", f"{balance['net']:+.1f}", help="Weighted escalation minus de-escalation signals "
               "(negated, hypothetical, future and reported signals weigh less).")

direction = "escalation outweighs de-escalation" if balance["net"] > 0 else (
    "de-escalation outweighs escalation" if balance["net"] < 0 else "escalation and de-escalation balance")
st.subheader(f"Tension: {direction}")
st.write(f"{balance['signals']} signals — escalation weight {balance['escalation']:.1f}, "
         f"de-escalation weight {balance['deescalation']:.1f}.")

left, right = st.columns(2)
counts = query.signal_counts(data["signals"])
with left:
    st.markdown("**Signals by category** — click a bar to keep that category")
    if counts.empty:
        st.info("No tension signals in these articles. Clear the signal filter or pick other articles.")
    else:
        fig = px.bar(counts, x="weight", y="category", color="direction", orientation="h",
                     color_discrete_map={"escalation": "#d62728", "de-escalation": "#2ca02c"},
                     labels={"weight": "weighted signals", "category": ""}, height=360)
        fig.update_layout(yaxis={"categoryorder": "total ascending"}, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                          legend={"orientation": "h", "y": -0.15})
        state.cross_filter_chart(fig, key="overview-signals", field="signal", point="y")

sizes = query.cluster_sizes(articles, view.tables["clusters"], n=12)
with right:
    st.markdown("**Articles by topic cluster** — click a bar to keep that cluster")
    if sizes.empty:
        st.info("These articles are not in any topic cluster yet.")
    else:
        fig = px.bar(sizes, x="articles", y="label", orientation="h", custom_data=["cluster_id"],
                     labels={"articles": "articles", "label": ""}, height=360, color_discrete_sequence=["#1f4e79"])
        fig.update_layout(yaxis={"categoryorder": "total ascending"}, margin={"l": 10, "r": 10, "t": 10, "b": 10})
        state.cross_filter_chart(fig, key="overview-clusters", field="cluster", point="customdata")

per_month = query.articles_per_period(articles)
if not per_month.empty:
    st.markdown("**Articles over time** — click a month to keep it (undated articles are not shown)")
    fig = px.bar(per_month, x="period", y="articles", height=240, color_discrete_sequence=["#5b7fa6"],
                 labels={"period": "", "articles": "articles"})
    fig.update_xaxes(type="category")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10})
    state.cross_filter_chart(fig, key="overview-time", field="date", point="x")

st.subheader("Latest articles")
latest = query.latest_articles(articles, n=10)
latest["open"] = latest["article_id"].map(query.reader_link)
st.dataframe(latest, hide_index=True, column_config={
    "article_id": None, "open": st.column_config.LinkColumn("reader", display_text="open in reader")})
download_csv(latest.drop(columns=["open"]), "latest_articles")
