"""Overview: counts, the tension headline, and three charts that cross-filter every page (click a bar)."""
import streamlit as st

from dashboard import charts, state
from dashboard.components import download_csv, empty_state
from pipeline.read import query, tension

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

# Summaries are computed once per filter state and shared (state.summary).
balance = state.summary(tension.balance, "signals")
counts_now = state.summary(query.view_counts, "articles", "actor_mentions", "figures")
cols = st.columns(5)
cols[0].metric("Articles", counts_now["articles"])
cols[1].metric("Topic clusters", counts_now["clusters"])
cols[2].metric("Actors", counts_now["actors"])
cols[3].metric("Spending figures", counts_now["figures"])
cols[4].metric(f"Net {tension.MEASURE.lower()}", f"{balance['net']:+.1f}", help=tension.MEASURE_HELP)

direction = "escalation outweighs de-escalation" if balance["net"] > 0 else (
    "de-escalation outweighs escalation" if balance["net"] < 0 else "escalation and de-escalation balance")
st.subheader(f"Tension: {direction}")
st.markdown(f"{balance['signals']} signals — {tension.MEASURE.lower()}: escalation {balance['escalation']:.1f}, "
         f"de-escalation {balance['deescalation']:.1f}.", help=tension.MEASURE_HELP)

left, right = st.columns(2)
counts = state.summary(query.signal_counts, "signals")


def _signals_chart(counts) -> charts.Chart:
    """Tension score per category, escalation and de-escalation stacked (largest category on top), by label."""
    totals = counts.groupby("category")["score"].sum().sort_values(kind="stable")
    order = list(totals.index)
    names = counts.drop_duplicates("category").set_index("category")["label"]
    series = []
    for direction, colour in (("escalation", charts.ESCALATION), ("de-escalation", charts.DEESCALATION)):
        part = counts[counts["direction"] == direction].set_index("category")["score"]
        if not part.empty:
            series.append(charts.Series(direction, [part.get(c) for c in order], colour, keys=order))
    return charts.category_chart([names[c] for c in order], series, horizontal=True,
                                 value_title=tension.MEASURE.lower(), value_format="%,.1f")


def _clusters_chart(sizes) -> charts.Chart:
    ordered = sizes.iloc[::-1]
    return charts.category_chart(list(ordered["label"]), [charts.Series(
        "articles", list(ordered["articles"]), charts.NEUTRAL, keys=[int(c) for c in ordered["cluster_id"]])],
        horizontal=True, value_title="articles")


def _months_chart(per_month) -> charts.Chart:
    months = charts.Series("articles", list(per_month["articles"]), charts.ARTICLES_PER_PERIOD)
    return charts.category_chart(list(per_month["period"]), [months], value_title="articles", brush=True)


with left:
    st.markdown(f"**{tension.MEASURE} by category** — click a bar to keep that category", help=tension.MEASURE_HELP)
    if counts.empty:
        st.info("No tension signals in these articles. Clear the signal filter or pick other articles.")
    else:
        # room for every category's label, wrapped to two lines where long (none hidden as overlapping)
        charts.draw(_signals_chart(counts), key="overview-signals", field="signal",
                    height=max(300, 28 * counts["category"].nunique() + 90))

sizes = state.summary(query.cluster_sizes, "articles", "all:clusters", n=12)
with right:
    st.markdown("**Articles by topic cluster** — click a bar to keep that cluster")
    if sizes.empty:
        st.info("These articles are not in any topic cluster yet.")
    else:
        charts.draw(_clusters_chart(sizes), key="overview-clusters", field="cluster")

per_month = state.summary(query.articles_per_period, "articles")
if not per_month.empty:
    step = "month" if len(str(per_month["period"].iloc[0])) == 7 else "year"
    st.markdown(f"**Articles over time** — one bar per {step}, empty {step}s included; click a {step}, or brush "
                f"a range, to keep it (undated articles are not shown)")
    charts.draw(_months_chart(per_month), key="overview-time", field="date", height=260)
    if per_month.attrs.get("year_only"):
        st.caption(f"{per_month.attrs['year_only']} article(s) dated only to a year (inferred) are not on this "
                   "month axis; they stay in every other count.")

st.subheader("Latest articles")
latest = state.summary(query.latest_articles, "articles", n=10)
latest = latest.assign(open=latest["article_id"].map(query.reader_link))
st.dataframe(latest, hide_index=True, placeholder="", column_config={
    "article_id": None, "open": st.column_config.LinkColumn("reader", display_text="open in reader")})
download_csv(latest.drop(columns=["open"]), "latest_articles")
