"""Spending tracker: money, shares of GDP, percentage changes and counts of equipment or troops."""
import plotly.express as px
import streamlit as st

from dashboard import state
from dashboard.components import download_csv, empty_state, first_rows
from pipeline import figures as figures_stage

view = state.current_view()
data = view.filtered
# Computed once per filter state and shared by every session (state.summary); read-only.
tracker = state.summary(figures_stage.tracker_table, "figures", "articles")

st.title("Spending tracker")
rate_date, _rates = figures_stage.fx_rates()
st.caption("Figures stated in the articles, with the hedge as written and who they belong to. A figure repeated "
           f"in one article counts once (its mentions are counted). Money is compared in EUR at the ECB rates of "
           f"{rate_date} (pipeline/data/fx_rates.csv), not at each article's date.")

if tracker.empty:
    empty_state("No spending figures in the articles that match the filters.")
    st.stop()

left, right = st.columns(2)
kinds = left.multiselect("Kind of figure", sorted(tracker["kind"].unique()), key="spending-kind")
owners = sorted(a for a in tracker["actor"].unique() if a)
owner = right.multiselect("Belongs to", owners, key="spending-actor")
MARGIN = {"l": 10, "r": 10, "t": 30, "b": 10}


def _charts(kinds: tuple, owner: tuple) -> dict:
    """The selected figures, their counts and the three charts (built once per filter state and selection,
    shared: plotly express costs ~70 ms a chart)."""
    chosen = state.summary(figures_stage.tracker_table, "figures", "articles")
    if kinds:
        chosen = chosen[chosen["kind"].isin(kinds)]
    if owner:
        chosen = chosen[chosen["actor"].isin(owner)]
    out = {"tracker": chosen, "counts": figures_stage.figure_kind_counts(chosen)}
    if chosen.empty:
        return out
    per_period = figures_stage.figures_over_time(chosen, "month")
    fig = px.bar(per_period, x="period", y="figures", color="kind", height=280,
                 labels={"period": "article month", "figures": "figures (repeats once)"})
    fig.update_layout(margin=MARGIN)
    fig.update_xaxes(type="category")
    out["per_period"] = fig
    over_time = figures_stage.money_over_time(chosen)
    if not over_time.empty:
        fig = px.bar(over_time, x="period", y="total_eur", hover_data=["figures"], height=320,
                     labels={"period": "article month", "total_eur": "EUR (sum of figures)"})
        fig.update_layout(margin=MARGIN)
        fig.update_xaxes(type="category")
        out["money_time"] = fig
        fig = px.bar(figures_stage.money_by_actor(chosen), x="total_eur", y="actor", orientation="h",
                     hover_data=["figures", "largest_eur"], height=320,
                     labels={"total_eur": "EUR (sum of figures)", "actor": ""})
        fig.update_layout(margin=MARGIN, yaxis={"autorange": "reversed"})
        out["money_actor"] = fig
    return out


charts = state.summary(_charts, args=(tuple(kinds), tuple(owner)))
tracker = charts["tracker"]
if tracker.empty:
    empty_state("No figures of that kind for that actor.")
    st.stop()

counts = charts["counts"]
cols = st.columns(len(counts) + 1)
for col, row in zip(cols, counts.itertuples()):
    col.metric(row.kind.replace("_", " "), int(row.figures), help=f"{int(row.mentions)} mentions")
money = tracker[tracker["kind"] == "money"]
cols[-1].metric("money, EUR total", f"{money['value_eur'].fillna(0).sum() / 1e9:,.2f} bn" if len(money) else "—")

st.subheader("Figures over time")
state.cross_filter_chart(charts["per_period"], key="spending-figures-time", field="figure", point="legendgroup")

st.subheader("Money over time and by actor")
if "money_time" not in charts:
    st.info("No money figures among the selected ones.")
else:
    a, b = st.columns(2)
    state.cross_filter_chart(charts["money_time"], key="spending-time", field="date", point="x", container=a)
    state.cross_filter_chart(charts["money_actor"], key="spending-actor-chart", field="actor", point="y", container=b)

st.subheader("Shares of GDP against the NATO targets")
shares = state.summary(figures_stage.gdp_commitments, "figures", "articles")
if owner:
    shares = shares[shares["actor"].isin(owner)]
if shares.empty:
    st.info("No share of GDP is stated in the selected articles.")
else:
    fig = px.scatter(shares, x="actor", y="value", hover_data=["qualifier", "purpose", "date"], height=320,
                     labels={"value": "% of GDP", "actor": ""})
    for target, dash in zip(figures_stage.GDP_TARGETS, ("dot", "dash", "solid")):
        fig.add_hline(y=target, line_dash=dash, line_color="#b22", annotation_text=f"{target:g}%")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10})
    st.plotly_chart(fig, key="spending-gdp")
    st.dataframe(shares.drop(columns=["article_id"]), hide_index=True,
                 column_config={"link": st.column_config.LinkColumn("article", display_text="open in reader")})
    download_csv(shares, "gdp_shares")

st.subheader("Every figure")
columns = ["date", "kind", "qualifier", "value", "value_high", "unit", "actor", "purpose", "year", "value_eur",
           "mentions", "text", "sentence", "title", "link"]
shown = first_rows(tracker[columns], what="figures")
st.dataframe(shown, hide_index=True,
             column_config={"link": st.column_config.LinkColumn("article", display_text="open in reader"),
                            "value": st.column_config.NumberColumn(format="localized"),
                            "value_eur": st.column_config.NumberColumn("EUR", format="localized")})
download_csv(tracker[columns + ["article_id", "figure_key", "rate_date"]], "figures")
