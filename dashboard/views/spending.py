"""Spending tracker: money, shares of GDP, percentage changes and counts of equipment or troops."""
import plotly.express as px
import streamlit as st

from dashboard import state
from dashboard.components import download_csv, empty_state
from pipeline import query

view = state.current_view()
data = view.filtered
figures = data["figures"]

st.title("Spending tracker")
st.caption("Figures stated in the articles, with the hedge as written and who they belong to.")

if figures.empty:
    empty_state("No spending figures in the articles that match the filters.")
    st.stop()

by_kind = figures.groupby("kind").size().reset_index(name="figures")
fig = px.bar(by_kind, x="kind", y="figures", height=300, labels={"kind": ""})
fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10})
st.plotly_chart(fig, key="spending-kinds")

table = query.with_titles(figures, data["articles"])
cols = [c for c in ["kind", "qualifier", "value", "unit", "actor", "text", "sentence", "title", "date"] if c in table.columns]
st.dataframe(table[cols], hide_index=True)
download_csv(table[cols], "figures")
