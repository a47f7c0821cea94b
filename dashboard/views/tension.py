"""Tension over time: escalation and de-escalation signals by article date."""
import plotly.express as px
import streamlit as st

from dashboard import state
from dashboard.components import download_csv, empty_state
from pipeline import query

view = state.current_view()
data = view.filtered
signals = data["signals"]

st.title("Tension over time")
st.caption("Each signal is a cue sentence; negated, hypothetical, future and reported signals weigh less than asserted ones.")

if signals.empty:
    empty_state("No tension signals in the articles that match the filters.")
    st.stop()

table = query.with_titles(signals, data["articles"])
table["direction"] = table["polarity"].map(lambda p: "escalation" if p > 0 else "de-escalation")
dated = table.loc[table["date"].fillna("") != ""]
if not dated.empty:
    per_date = dated.groupby(["date", "direction"])["weight"].sum().reset_index()
    fig = px.bar(per_date, x="date", y="weight", color="direction", barmode="group", height=340,
                 color_discrete_map={"escalation": "#d62728", "de-escalation": "#2ca02c"})
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10})
    st.plotly_chart(fig, key="tension-time")
st.caption(f"{len(table) - len(dated)} signals come from undated articles and are not on the time axis.")

cols = [c for c in ["category", "direction", "modality", "weight", "evidence", "title", "date"] if c in table.columns]
st.dataframe(table[cols], hide_index=True)
download_csv(table[cols], "signals")
