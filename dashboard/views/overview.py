"""Overview: counts, the tension headline, signals by category and the latest articles."""
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
           "Filters in the sidebar apply to every page and live in the link.")

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

counts = query.signal_counts(data["signals"])
if not counts.empty:
    fig = px.bar(counts, x="weight", y="category", color="direction", orientation="h",
                 color_discrete_map={"escalation": "#d62728", "de-escalation": "#2ca02c"},
                 labels={"weight": "weighted signals", "category": ""}, height=360)
    fig.update_layout(yaxis={"categoryorder": "total ascending"}, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    st.plotly_chart(fig, key="overview-signals")

st.subheader("Latest articles")
latest = query.latest_articles(articles, n=10)
st.dataframe(latest, hide_index=True, column_config={"article_id": None})
download_csv(latest, "latest_articles")
