"""Actors: who is mentioned, how often, in which role."""
import plotly.express as px
import streamlit as st

from dashboard import state
from dashboard.components import download_csv, empty_state
from pipeline import query

view = state.current_view()
data = view.filtered
mentions = data["actor_mentions"]

st.title("Actors")
st.caption("People, organisations and countries named in the articles, resolved to canonical names.")

if mentions.empty:
    empty_state("No actor mentions in the articles that match the filters.")
    st.stop()

counts = query.actor_counts(mentions, n=25)
fig = px.bar(counts, x="mentions", y="actor", color="actor_type", orientation="h", height=520,
             labels={"actor": "", "mentions": "mentions"})
fig.update_layout(yaxis={"categoryorder": "total ascending"}, margin={"l": 10, "r": 10, "t": 10, "b": 10})
st.plotly_chart(fig, key="actors-bar")

st.subheader("Mentions")
table = query.with_titles(mentions, data["articles"])
cols = [c for c in ["actor", "actor_type", "role", "anachronism", "sentence", "title", "date"] if c in table.columns]
st.dataframe(table[cols], hide_index=True)
download_csv(table[cols], "actor_mentions")
