"""Topic clusters: the cluster list (click one to filter every page), the document map,
topics over time, and which articles are copies of which. Logic lives in ``pipeline.topics``."""
import plotly.express as px
import streamlit as st

from dashboard import state
from dashboard.components import download_csv, empty_state
from pipeline import topics

view = state.current_view()
data = view.filtered
articles, clusters = data["articles"], view.tables["clusters"]

st.title("Topic clusters")
st.caption("Articles grouped by TF-IDF similarity (the number of clusters is chosen automatically); "
           "each cluster is labelled with its most distinctive phrases. Copies of a story count once.")

if articles.empty:
    empty_state("No articles match the filters.")
    st.stop()

summary = topics.cluster_summary(articles, clusters)


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
    summary, hide_index=True, key="topics_list", on_select=_filter_on_clicked_cluster,
    selection_mode="single-row",
    column_config={
        "cluster_id": st.column_config.NumberColumn("id", width="small"),
        "label": st.column_config.TextColumn("label", width="medium"),
        "size": st.column_config.NumberColumn("articles", help="Original articles; copies are not counted."),
        "copies": st.column_config.NumberColumn("copies", help="Syndicated copies of articles in this cluster."),
        "headlines": st.column_config.TextColumn("representative headlines", width="large"),
    },
)
download_csv(summary, "topic_clusters")

# Document map: one point per article shown, the title on hover.
points = topics.map_frame(articles[["article_id", "title", "duplicate_of"]] if "duplicate_of" in articles
                          else articles[["article_id", "title"]], data["assignments"], clusters)
if not points.empty:
    st.subheader("Document map")
    st.caption("Articles close together share vocabulary; clusters are placed by the similarity of their centres. "
               "Click or lasso points to filter on their clusters.")
    points["topic"] = points["label"]
    colors = {topics.UNCLUSTERED_LABEL: "#b0b0b0"}
    fig = px.scatter(points, x="map_x", y="map_y", color="topic", hover_name="title", custom_data=["cluster_id"],
                     color_discrete_map=colors,
                     hover_data={"map_x": False, "map_y": False, "cluster_id": True, "is_copy": True},
                     labels={"map_x": "", "map_y": ""}, height=460, render_mode="webgl")
    fig.update_traces(marker={"size": 9 if len(points) < 500 else 5, "opacity": 0.8})
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend_title_text="topic")
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    state.cross_filter_chart(fig, key="topics-map", field="cluster", point="customdata")

# Topics over time (copies not counted; articles without a precise enough date are left out).
st.subheader("Topics over time")
freq_name = st.radio("Count by", ["week", "month"], horizontal=True, key="topics_freq")
freq = "W" if freq_name == "week" else "M"
timeline = topics.topics_over_time(articles, data["assignments"], freq=freq)
if timeline.empty:
    st.info(f"No article shown has a date precise to the {freq_name}.")
else:
    labels = dict(zip(summary["cluster_id"], summary["label"]))
    timeline["topic"] = timeline["cluster_id"].map(lambda c: labels.get(c, f"Topic {c}"))
    fig_t = px.bar(timeline, x="period", y="count", color="topic", height=360,
                   color_discrete_map={topics.UNCLUSTERED_LABEL: "#b0b0b0"},
                   labels={"period": f"{freq_name} starting", "count": "articles"})
    fig_t.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, bargap=0.2)
    fig_t.update_xaxes(type="category")
    st.plotly_chart(fig_t, key="topics-time")
    download_csv(timeline, f"topics_by_{freq_name}", label="Download timeline CSV")

copies = topics.copies_table(articles[[c for c in ("article_id", "title", "duplicate_of") if c in articles]])
if not copies.empty:
    with st.expander(f"Copies ({len(copies)}): which articles repeat which"):
        st.dataframe(copies, hide_index=True)
