"""Actors: who is mentioned, with whom, in which role (and which roles do not fit the date), and what they said."""
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, state
from dashboard.components import download_csv, empty_state, first_rows, section_switch, short
from pipeline.read import actors, query

TYPE_COLOURS = charts.ACTOR_TYPE_COLOURS

view = state.current_view()
data = view.filtered
mentions = data["actor_mentions"]

st.title("Actors")
st.caption("People, organisations and countries named in the articles, resolved to canonical names, "
           "with the roles a dated dictionary says they held on each article's date.")

if mentions.empty:
    empty_state("No actor mentions in the articles that match the filters.")
    st.stop()

# Computed once per filter state and shared by every session (state.summary); read-only.
flagged = state.summary(actors.flagged_mentions, "actor_mentions")
unresolved = state.summary(actors.unresolved_counts, "actor_mentions")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Mentions", len(mentions))
c2.metric("Distinct actors", mentions["actor"].nunique())
c3.metric("Role flags", len(flagged))
c4.metric("Unresolved names", len(unresolved))

# One section at a time: the quotes and the network are costly on large corpora, so only the chosen one is computed.
SECTIONS = ["Most mentioned", "Network", "Role flags", "Quotes", "Unresolved", "All mentions"]
section = section_switch(SECTIONS, key="actors-section")

if section == "Most mentioned":
    counts = state.summary(query.actor_counts, "actor_mentions", n=25)
    ordered = counts.iloc[::-1]   # a horizontal chart draws its first category at the bottom
    names = list(ordered["actor"])
    series = [charts.Series(kind, [m if t == kind else None for m, t in zip(ordered["mentions"], ordered["actor_type"])],
                            colour) for kind, colour in TYPE_COLOURS.items() if kind in set(ordered["actor_type"])]
    chart = charts.category_chart(names, series, horizontal=True, value_title="mentions", legend=True)
    st.caption("Click a bar to keep the articles that name that actor, on every page.")
    charts.draw(chart, key="actors-bar", field="actor", height=560)

if section == "Network":
    left, mid, right = st.columns(3)
    level = left.radio("Together in the same", ["sentence", "article"], horizontal=True, key="net-level")
    types = mid.multiselect("Actor types", list(actors.ACTOR_TYPES), default=list(actors.ACTOR_TYPES), key="net-types")
    min_weight = right.slider("Minimum weight", 1, 10, 1, key="net-min")
    chosen = mentions[mentions["actor_type"].isin(types)]
    edges = actors.cooccurrence(chosen, level=level, min_weight=min_weight)
    if edges.empty:
        st.info("No two actors of these types appear together. Lower the minimum weight or add actor types.")
    else:
        edges = edges.head(80)
        layout = actors.network_layout(edges)
        where = layout.set_index("actor")
        named = actors.labelled_nodes(layout)   # the best-connected names that do not overlap; hover for the rest
        kinds = chosen.drop_duplicates("actor").set_index("actor")["actor_type"]
        fig = go.Figure()
        top = float(edges["weight"].max())
        for s, t, w in edges[["source", "target", "weight"]].itertuples(index=False):
            fig.add_trace(go.Scatter(x=[where.at[s, "x"], where.at[t, "x"]], y=[where.at[s, "y"], where.at[t, "y"]],
                                     mode="lines", line={"width": 0.5 + 5 * float(w) / top, "color": "#999"},
                                     opacity=0.6, hoverinfo="text", text=f"{s} – {t}: {w}", showlegend=False))
        for kind, colour in TYPE_COLOURS.items():
            nodes = layout[layout["actor"].map(kinds) == kind]
            if nodes.empty:
                continue
            fig.add_trace(go.Scatter(x=nodes["x"], y=nodes["y"], mode="markers+text", name=kind,
                                     text=nodes["actor"].where(named[nodes.index], ""), textposition="top center",
                                     marker={"size": 8 + 22 * nodes["degree"] / layout["degree"].max(), "color": colour},
                                     hovertext=[f"{a}: weight {d:g}" for a, d in zip(nodes["actor"], nodes["degree"])],
                                     hoverinfo="text"))
        fig.update_layout(height=600, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                          xaxis={"visible": False}, yaxis={"visible": False})
        st.plotly_chart(fig, key="actors-network")
        st.caption(f"Edge weight = number of {level}s in which both actors are named (top {len(edges)} edges). "
                   "Filtered by the sidebar's dates, topics and actors.")
        st.dataframe(edges, hide_index=True, placeholder="")
        download_csv(edges, "actor_network")

if section == "Role flags":
    st.markdown("A title in the text (\"President Dmitry Peskov\") compared with the roles the dictionary "
                "says the person held on the article's date. Where the article has no date the check "
                "could not be made, and the flag says so.")
    if flagged.empty:
        st.info("No role flags in the articles that match the filters.")
    else:
        table = query.with_titles(flagged, data["articles"])
        cols = ["actor", "mention", "role_in_text", "role", "anachronism", "title", "date"]
        st.dataframe(table[cols], hide_index=True, placeholder="")
        download_csv(table[cols], "actor_role_flags")

if section == "Quotes":
    quotes = actors.quotes_table(data["articles"], mentions)
    if quotes.empty:
        st.info("No attributed direct quotations in the articles that match the filters.")
    else:
        speakers = quotes["actor"].value_counts()
        speaker = st.selectbox("Speaker", list(speakers.index),
                               format_func=lambda a: f"{a} ({speakers[a]})", key="quote-speaker")
        shown = quotes[quotes["actor"] == speaker].assign(quote=lambda f: f["quote"].map(lambda q: short(q, 400)))
        st.dataframe(shown[["quote", "date", "title", "cue"]], hide_index=True, placeholder="")
        download_csv(quotes, "actor_quotes")

if section == "Unresolved":
    st.markdown("Names the named-entity recogniser found that the actor dictionary does not know, so an "
                "analyst can see what is unresolved (candidates for the dictionary).")
    if unresolved.empty:
        st.info("Every named person and organisation was resolved by the dictionary.")
    else:
        st.dataframe(unresolved, hide_index=True, placeholder="")
        download_csv(unresolved, "actor_unresolved")

if section == "All mentions":
    table = query.with_titles(mentions, data["articles"])
    cols = ["actor", "actor_type", "mention", "resolution", "role_in_text", "role", "anachronism",
            "sentence", "title", "date"]
    st.dataframe(first_rows(table[cols], what="mentions"), hide_index=True, placeholder="")
    download_csv(table[cols], "actor_mentions")
