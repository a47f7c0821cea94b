"""Article reader: the text with signals, actors and figures highlighted, boilerplate shown apart.

Links from other pages open ``reader?article=ID&at=START``: the reader shows
that article, quotes the sentence holding ``START`` and scrolls to it.
"""
import streamlit as st

from dashboard import state
from dashboard.components import download_csv, empty_state, signal_correction_form
from pipeline.read import query, reader
from pipeline.read.labels import display_date, for_display

view = state.current_view()
data = view.filtered
articles = data["articles"]

st.title("Article reader")

if view.tables["articles"].empty:
    st.info("The store holds no articles yet. Add some on the “Add & export data” page.")
    st.stop()
if articles.empty:
    empty_state("No articles match the filters.")
    st.stop()

# The open article lives in the URL as ``article=ID`` (set here, not through a bound widget, whose URL
# value would be the formatted title). A linked article outside the filters is still shown.
# The list offers the first READER_CHOICES articles that match the filters (a selectbox of 10k titles costs
# the browser seconds), plus the linked one.
READER_CHOICES = 500
everything = view.tables["articles"]
requested = st.query_params.get("article")
titles = dict(state.summary(query.article_titles, "articles", n=READER_CHOICES))
if requested and requested not in titles:
    linked = query.article_titles(everything.loc[everything["article_id"] == requested], n=1)
    titles = {**dict(linked), **titles}
choices = list(titles)
if requested in titles:
    st.session_state["article"] = requested
if len(articles) > READER_CHOICES:
    st.caption(f"The list holds the first {READER_CHOICES:,} of the {len(articles):,} articles that match the filters: "
               "narrow the filters, or follow a link from another page, to open any other.")


def _open_article() -> None:
    st.query_params["article"] = st.session_state["article"]
    if "at" in st.query_params:
        del st.query_params["at"]


article_id = st.selectbox("Article", choices, format_func=lambda a: titles.get(a, a), key="article", on_change=_open_article)
if st.query_params.get("article") != article_id:
    st.query_params["article"] = article_id   # the open article is part of a shared link
article = everything.loc[everything["article_id"] == article_id].iloc[0]
if not (articles["article_id"] == article_id).any():
    st.caption("This article is outside the current filters; it is shown because the link names it.")

date = display_date(article) or "unknown"
st.caption(f"Date: {date} · Source: {article['source'] or 'unknown'} · Article id: {article_id}")
if article.get("duplicate_of"):
    st.info(f"Near-duplicate copy of article {article['duplicate_of']}.")

text = str(article["text"] or "")
at_param = st.query_params.get("at")
at = int(at_param) if at_param and at_param.isdigit() and int(at_param) < len(text) else None
if at is not None:
    start, end = reader.sentence_at(text, at)
    st.markdown("**Linked sentence:**")
    st.html("<blockquote style='border-left:4px solid #1f4e79;margin:0;padding:4px 10px;background:#f2f5f9'>"
            + reader.escape_lines(text[start:end]) + "</blockquote>")

legend = " ".join(f'<span style="background:{c};padding:0 6px;border-radius:3px">{k}</span>' for k, c in reader.COLOURS.items())
legend += f' <span style="padding:0 6px;border-radius:3px;{reader.UNASSERTED_STYLE}">dashed: negated, hypothetical, future or reported</span>'
st.html(f"<div style='font-size:0.85em'>Highlights: {legend} — hover a highlight for its explanation "
        "(signal category, polarity, modality and weight; actor and role; figure and owner).</div>")
spans = reader.spans_for_article(article_id, view.tables)
if view.filters.text:  # the sidebar query's hits (escaped like every highlight)
    from pipeline.read import search

    hits = search.hit_spans(text, view.filters.text)
    spans += [reader.Span(s, e, "search", f"search: {view.filters.text}") for s, e in hits]
    st.caption(f"{len(hits)} hit{'s' if len(hits) != 1 else ''} of the search “{view.filters.text}” in the text.")
st.html(reader.highlight_html(text, spans, anchor=at))
if at is not None:  # our own script (no article text in it): scroll the linked sentence into view
    st.html("<script>setTimeout(function(){var e=document.getElementById('reader-focus');"
            "if(e){e.scrollIntoView({block:'center'});}},300);</script>", unsafe_allow_javascript=True)

if article["boilerplate"]:
    st.markdown("**Page furniture removed before analysis** (banners, captions, teasers):")
    st.html("<div style='color:#888;font-size:0.85em;border-left:3px solid #ddd;padding-left:8px'>"
            + reader.escape_lines(article["boilerplate"]) + "</div>")

for name, label in (("signals", "Signals"), ("actor_mentions", "Actors"), ("figures", "Figures")):
    rows = view.tables[name]
    rows = rows.loc[rows["article_id"] == article_id]
    with st.expander(f"{label} ({len(rows)})"):
        if rows.empty:
            st.caption(f"No {label.lower()} found in this article.")
            continue
        shown = for_display(rows).assign(sentence_link=[query.reader_link(article_id, s) for s in rows["start"]])
        st.dataframe(shown, hide_index=True, placeholder="", column_config={
            "sentence_link": st.column_config.LinkColumn("go to", display_text="sentence")})
        download_csv(rows, f"{name}_{article_id}")

own_signals = view.tables["signals"].loc[view.tables["signals"]["article_id"] == article_id]
signal_correction_form(state.store_dir(), own_signals, key="reader-correct", article_id=article_id, article_text=text,
                       corrections=view.tables["signal_corrections"])
