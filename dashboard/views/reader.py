"""Article reader: the text with signals, actors and figures highlighted, boilerplate shown apart."""
import streamlit as st

from dashboard import state
from dashboard.components import download_csv, empty_state
from pipeline import query, reader

view = state.current_view()
data = view.filtered
articles = data["articles"]

st.title("Article reader")

if articles.empty:
    empty_state("No articles match the filters.")
    st.stop()

titles = dict(zip(articles["article_id"], articles["title"]))
article_id = st.selectbox("Article", list(titles), format_func=lambda a: titles.get(a, a), key="article", bind="query-params")
article = articles.loc[articles["article_id"] == article_id].iloc[0]

date = article["date"] or (f"{article['date_inferred']} (inferred)" if article.get("date_inferred") else "unknown")
st.caption(f"Date: {date} · Source: {article['source'] or 'unknown'} · Article id: {article_id}")
if article.get("duplicate_of"):
    st.info(f"Near-duplicate copy of article {article['duplicate_of']}.")

legend = " ".join(f'<span style="background:{c};padding:0 6px;border-radius:3px">{k}</span>' for k, c in reader.COLOURS.items())
st.html(f"<div style='font-size:0.85em'>Highlights: {legend} — hover a highlight for its explanation.</div>")
st.html(reader.highlight_html(article["text"], reader.spans_for_article(article_id, view.tables)))

if article["boilerplate"]:
    st.markdown("**Page furniture removed before analysis** (banners, captions, teasers):")
    st.html("<div style='color:#888;font-size:0.85em;border-left:3px solid #ddd;padding-left:8px'>"
            + reader.escape_lines(article["boilerplate"]) + "</div>")

for name, label in (("signals", "Signals"), ("actor_mentions", "Actors"), ("figures", "Figures")):
    rows = view.tables[name]
    rows = rows.loc[rows["article_id"] == article_id]
    with st.expander(f"{label} ({len(rows)})"):
        st.dataframe(rows, hide_index=True)
        download_csv(rows, f"{name}_{article_id}")
