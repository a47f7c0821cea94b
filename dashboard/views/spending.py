"""Spending tracker: money, shares of GDP, percentage changes and counts of equipment or troops."""
import streamlit as st

from dashboard import charts, state
from dashboard.components import download_csv, empty_state, first_rows, section_switch
from pipeline.read import spending
from pipeline.read.labels import for_display, label

view = state.current_view()
data = view.filtered
# Computed once per filter state and shared by every session (state.summary); read-only.
tracker = state.summary(spending.tracker_table, "figures", "articles")

st.title("Spending tracker")
rate_date = ", ".join(spending.rate_dates(tracker)) or "one date"
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
KIND_COLOURS = {"money": "#1f77b4", "pct_gdp": "#ff7f0e", "pct_change": "#2ca02c", "count": "#9467bd"}


def _selection(kinds: tuple, owner: tuple) -> dict:
    """The selected figures and their counts (once per filter state and selection, shared)."""
    chosen = state.summary(spending.tracker_table, "figures", "articles")
    if kinds:
        chosen = chosen[chosen["kind"].isin(kinds)]
    if owner:
        chosen = chosen[chosen["actor"].isin(owner)]
    return {"tracker": chosen, "counts": spending.figure_kind_counts(chosen)}


def _charts(kinds: tuple, owner: tuple) -> dict:
    """The three charts of the selected figures (built only for their section; once per filter state and
    selection, shared)."""
    chosen = state.summary(_selection, args=(kinds, owner))["tracker"]
    per_period = spending.figures_over_time(chosen, "month")
    periods = sorted(per_period["period"].unique())
    table = per_period.pivot_table(index="period", columns="kind", values="figures", aggfunc="sum").reindex(periods)
    out = {"per_period": charts.category_chart(
        periods, [charts.Series(label("figure_kind", kind), list(table[kind]), KIND_COLOURS.get(kind), keys=[kind] * len(periods))
                  for kind in table.columns],
        value_title="figures (repeats once)", legend=True)}
    over_time = spending.money_over_time(chosen)
    if not over_time.empty:
        out["money_time"] = charts.category_chart(
            list(over_time["period"]), [charts.Series("EUR bn (sum of figures)", list(over_time["total_eur"] / 1e9),
                                                    KIND_COLOURS["money"])],
            value_title="EUR bn (sum of figures)", value_format="%,.3f bn EUR", brush=True)
        by_actor = spending.money_by_actor(chosen).iloc[::-1]
        out["money_actor"] = charts.category_chart(
            list(by_actor["actor"]), [charts.Series("EUR bn (sum of figures)", list(by_actor["total_eur"] / 1e9), "#9467bd")],
            horizontal=True, value_title="EUR bn (sum of figures)", value_format="%,.3f bn EUR")
    return out


selection = (tuple(kinds), tuple(owner))
selected = state.summary(_selection, args=selection)
tracker = selected["tracker"]
if tracker.empty:
    empty_state("No figures of that kind for that actor.")
    st.stop()

counts = selected["counts"]
cols = st.columns(len(counts) + 1)
for col, row in zip(cols, counts.itertuples()):
    col.metric(label("figure_kind", row.kind), int(row.figures), help=f"{int(row.mentions)} mentions")
money = tracker[tracker["kind"] == "money"]
cols[-1].metric("money, EUR total", f"{money['value_eur'].fillna(0).sum() / 1e9:,.2f} bn" if len(money) else "—")

# One section at a time (as on the Actors page): the GDP strip chart and the tables below the fold cost a first
# paint more than half a second at 10k articles, so only the chosen section is built and drawn.
SECTIONS = ["Over time and by actor", "Shares of GDP", "Every figure"]
section = section_switch(SECTIONS, key="spending-section")

if section == "Over time and by actor":
    section_charts = state.summary(_charts, args=selection)
    st.subheader("Figures over time")
    st.caption("Click a bar to keep the articles stating a figure of that kind.")
    charts.draw(section_charts["per_period"], key="spending-figures-time", field="figure", height=300)

    st.subheader("Money over time and by actor")
    if "money_time" not in section_charts:
        st.info("No money figures among the selected ones.")
    else:
        a, b = st.columns(2)
        a.caption("Click a month, or brush a range of months, to keep it.")
        charts.draw(section_charts["money_time"], key="spending-time", field="date", height=320, container=a)
        b.caption("Click an actor to keep the articles that name it.")
        charts.draw(section_charts["money_actor"], key="spending-actor-chart", field="actor", height=320, container=b)

if section == "Shares of GDP":
    st.subheader("Shares of GDP against the NATO targets")
    shares = state.summary(spending.gdp_commitments, "figures", "articles")
    if owner:
        shares = shares[shares["actor"].isin(owner)]
    if shares.empty:
        st.info("No share of GDP is stated in the selected articles.")
    else:
        text = lambda v: v if isinstance(v, str) else ""   # noqa: E731 (missing cells are NaN)
        hover = [f"{text(a) or '(unknown)'}: {text(q) + ' ' if text(q) else ''}{v:g}% of GDP"
                 + (f" — {text(p)}" if text(p) else "") + (f" ({text(d)})" if text(d) else "")
                 for a, q, v, p, d in zip(shares["actor"], shares["qualifier"], shares["value"], shares["purpose"],
                                          shares["date"])]
        gdp = charts.strip_chart(list(shares["actor"].fillna("").replace("", "(unknown)")), list(shares["value"]),
                                 name="share of GDP", value_title="% of GDP", hover=hover)
        charts.draw(charts.with_target_lines(gdp, list(spending.GDP_TARGETS)), key="spending-gdp", height=320)
        st.caption("Dashed lines: NATO's targets (" + ", ".join(f"{t:g}%" for t in spending.GDP_TARGETS) + " of GDP).")
        st.dataframe(for_display(shares, data["articles"]).drop(columns=["article_id"]),
                     hide_index=True,
                     column_config={"link": st.column_config.LinkColumn("article", display_text="open in reader")})
        download_csv(shares, "gdp_shares")

if section == "Every figure":
    st.subheader("Every figure")
    columns = ["date", "kind", "qualifier", "value", "value_high", "unit", "actor", "purpose", "year", "value_eur",
               "mentions", "text", "sentence", "title", "link"]
    shown = first_rows(for_display(tracker[columns + ["article_id"]], data["articles"])
                       .drop(columns="article_id"), what="figures")
    # labelled columns ("Value (EUR)", "% of GDP"); a missing value reads blank; numbers written whole
    st.dataframe(shown, hide_index=True,
                 column_config={"link": st.column_config.LinkColumn("article", display_text="open in reader")})
    download_csv(tracker[columns + ["article_id", "figure_key", "rate_date"]], "figures")
