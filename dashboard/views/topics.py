"""Topic clusters: the cluster list (click one to filter every page), the document map,
topics over time, and which articles are copies of which. Logic lives in ``pipeline.stages.topics``."""
import streamlit as st

from dashboard import charts, state
from dashboard.components import download_csv, empty_state, first_rows
from pipeline.read import query, topics

view = state.current_view()
data = view.filtered
articles, clusters = data["articles"], view.tables["clusters"]

st.title("Topic clusters")
st.caption("Articles grouped by TF-IDF similarity (the number of clusters is chosen automatically); "
           "each cluster is labelled with its most distinctive phrases. Copies of a story count once.")

if articles.empty:
    empty_state("No articles match the filters.")
    st.stop()

# Summaries are computed once per filter state and shared by every session (state.summary); read-only.
summary = state.summary(topics.cluster_summary, "articles", "all:clusters")


def _map_points(articles, assignments, clusters):
    """The document map's points (one per article shown)."""
    return topics.map_frame(articles[["article_id", "title", "duplicate_of"]], assignments, clusters)


def _copies(articles):
    """Which articles repeat which."""
    return topics.copies_table(articles[["article_id", "title", "duplicate_of"]])


def _filter_on_clicked_cluster() -> None:
    """Selecting a row of the list sets the sidebar's topic-cluster filter (every page honours it)."""
    rows = st.session_state["topics_list"].selection.rows
    if rows:
        state.apply_filter_values("cluster", [int(summary.iloc[rows[0]]["cluster_id"])])


n_topics = int((summary["cluster_id"] != topics.UNCLUSTERED_ID).sum())
n_originals, n_copies = int(summary["size"].sum()), int(summary["copies"].sum())
st.markdown(f"**{n_topics}** topic{'s' if n_topics != 1 else ''} over **{n_originals}** articles"
            + (f" (+ {n_copies} cop{'ies' if n_copies != 1 else 'y'} not counted)" if n_copies else "")
            + ". Click a row to show only that cluster on every page.")
st.dataframe(
    summary, hide_index=True, placeholder="", key="topics_list", on_select=_filter_on_clicked_cluster,
    selection_mode="single-row",
    column_config={
        "cluster_id": st.column_config.NumberColumn("id", width="small"),
        "label": st.column_config.TextColumn("label", width=300),
        "size": st.column_config.NumberColumn("articles", help="Original articles; copies are not counted."),
        "copies": st.column_config.NumberColumn("copies", help="Syndicated copies of articles in this cluster."),
        "headlines": st.column_config.TextColumn("representative headlines", width="large",
                                                 help="Headlines nearest the cluster's centre; click a cell to read it whole."),
        "top_terms": st.column_config.TextColumn("distinctive terms", width="medium"),
        "first_date": st.column_config.TextColumn("first dated article", width="small"),
        "last_date": st.column_config.TextColumn("last dated article", width="small"),
    },
)
download_csv(summary, "topic_clusters")

# Document map: one point per article shown, the title on hover. Charts are built once per filter
# state and shared (state.summary).
MAP_POINTS = 3000  # the map shows a sample beyond this (every cluster keeps its share): 10k points cost seconds


def _colour(cluster_id) -> str:
    """A cluster's colour, the same on the map and the timeline (unclustered articles are grey)."""
    if cluster_id == topics.UNCLUSTERED_ID:
        return "#b0b0b0"
    return charts.CATEGORY_PALETTE[int(cluster_id) % len(charts.CATEGORY_PALETTE)]


OTHER_TOPICS_COLOUR = "#d9d9d9"  # the timeline's stack of the smaller topics (and any topic without a label)
TIMELINE_TOPICS = 12  # the timeline stacks the largest topics; the rest are one "other topics" bar


def _map_chart(articles, assignments, clusters):
    """The document map: a sample of the articles shown, coloured per cluster, the title on hover."""
    points = _map_points(articles, assignments, clusters)
    if points.empty:
        return None
    points = query.sample_by_group(points, MAP_POINTS, by="cluster_id")
    colours = [_colour(c) for c in points["cluster_id"]]
    hover = [f"{t} — {query.cluster_label(c, label)}" + (" · copy" if copy else "")
             for t, label, c, copy in zip(points["title"], points["label"], points["cluster_id"], points["is_copy"])]
    return charts.point_map(list(points["map_x"]), list(points["map_y"]), keys=[int(c) for c in points["cluster_id"]],
                            colours=colours, hover=hover)


map_chart = state.summary(_map_chart, "articles", "assignments", "all:clusters")
if map_chart is not None:
    st.subheader("Document map")
    shown_points = len(map_chart.keys[0])
    st.caption("Articles close together share vocabulary; clusters are placed by the similarity of their centres. "
               "Click points, or draw a box or a lasso with the tools at the top right, to filter on their clusters."
               + (f" A sample of {shown_points:,} of the {len(articles):,} articles is drawn (each cluster keeps its "
                  "share); filter to see all of a cluster's." if shown_points < len(articles) else ""))
    charts.draw(map_chart, key="topics-map", field="cluster", height=480, renderer="canvas")

# Topics over time (copies not counted; articles without a precise enough date are left out).
st.subheader("Topics over time")
freq_name = st.radio("Count by", ["week", "month"], horizontal=True, key="topics_freq")
freq = "W" if freq_name == "week" else "M"
timeline = state.summary(topics.topics_over_time, "articles", "assignments", freq=freq)


def _timeline_chart(freq, freq_name) -> charts.Chart:
    """The largest topics stacked per period; the rest as one "other topics" bar (built once per filter state)."""
    timeline = state.summary(topics.topics_over_time, "articles", "assignments", freq=freq)
    shown = state.summary(topics.cluster_summary, "articles", "all:clusters")
    labels = dict(zip(shown["cluster_id"], shown["label"]))
    ids = {label: c for c, label in labels.items()}
    frame = timeline.assign(topic=timeline["cluster_id"].map(lambda c: labels.get(c, f"Topic {c}")))
    frame = query.top_groups(frame, by="topic", value="count", n=TIMELINE_TOPICS, rest="other topics", keys=("period",))
    periods = sorted(frame["period"].astype(str).unique())
    table = frame.assign(period=frame["period"].astype(str)).pivot_table(
        index="period", columns="topic", values="count", aggfunc="sum").reindex(periods)
    order = list(frame.groupby("topic")["count"].sum().sort_values(ascending=False, kind="stable").index)
    series = [charts.Series(topic, list(table[topic]), _colour(ids[topic]) if topic in ids else OTHER_TOPICS_COLOUR,
                            keys=[ids.get(topic)] * len(periods)) for topic in order]
    return charts.category_chart(periods, series, value_title="articles", category_title=f"{freq_name} starting",
                                 legend=True)


if timeline.empty:
    st.info(f"No article shown has a date precise to the {freq_name}.")
else:
    timeline_chart = state.summary(_timeline_chart, args=(freq, freq_name))
    if timeline["cluster_id"].nunique() > TIMELINE_TOPICS:
        st.caption(f"The {TIMELINE_TOPICS} largest topics; the others are stacked as “other topics” (the CSV has each).")
    st.caption("Click a bar to keep that topic on every page.")
    charts.draw(timeline_chart, key="topics-time", field="cluster", height=400)
    download_csv(timeline, f"topics_by_{freq_name}", label="Download timeline CSV")

copies = state.summary(_copies, "articles")
if not copies.empty:
    with st.expander(f"Copies ({len(copies)}): which articles repeat which"):
        st.dataframe(first_rows(copies, what="copies"), hide_index=True, placeholder="")
        download_csv(copies, "topic_copies")
