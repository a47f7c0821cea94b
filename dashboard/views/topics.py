"""Topic clusters: sizes, labels, headlines and the document map."""
import plotly.express as px
import streamlit as st

from dashboard import state
from dashboard.components import download_csv, empty_state

view = state.current_view()
data = view.filtered
articles, clusters = data["articles"], view.tables["clusters"]

st.title("Topic clusters")
st.caption("Articles grouped by TF-IDF similarity; each cluster is labelled with its most distinctive phrases.")

if articles.empty:
    empty_state("No articles match the filters.")
    st.stop()

shown = clusters.loc[clusters["cluster_id"].isin(articles["cluster_id"])]
cols = [c for c in ["cluster_id", "label", "size", "top_terms", "headlines"] if c in shown.columns]
st.dataframe(shown[cols], hide_index=True)
download_csv(shown[cols], "clusters")

assignments = data["assignments"].merge(articles[["article_id", "title", "cluster_id"]], on=["article_id", "cluster_id"], how="inner")
if not assignments.empty:
    labels = dict(zip(clusters["cluster_id"], clusters["label"]))
    assignments["topic"] = assignments["cluster_id"].map(lambda c: labels.get(c, "Unclustered"))
    fig = px.scatter(assignments, x="map_x", y="map_y", color="topic", hover_name="title",
                     labels={"map_x": "", "map_y": ""}, height=420)
    fig.update_traces(marker={"size": 12})
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10})
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    st.subheader("Document map")
    st.plotly_chart(fig, key="topics-map")
