"""Tension over time: the tension index per day, week, month, quarter or year, spikes, dyad filter and the evidence behind it."""
import streamlit as st

from dashboard import charts, state
from dashboard.components import signal_correction_form, download_csv, empty_state, section_switch
from pipeline.read import query, tension
from pipeline.read.labels import for_display

SIGNALS_SHOWN = 500  # rows in the on-screen table (the CSV download has every signal)

view = state.current_view()
data = view.filtered
signals = data["signals"]
articles = data["articles"]

st.title("Tension over time")
st.caption("Each signal is a cue sentence; negated, hypothetical, future and reported signals weigh less than asserted ones.")

if signals.empty:
    empty_state("No tension signals in the articles that match the filters.")
    st.stop()

@st.cache_resource(show_spinner=False, max_entries=32)
def _timeline(key: tuple, _signals, _articles) -> tuple:
    """The index of one filter state, computed once; the entry holds the tables, so ``key``'s ids stay theirs."""
    _, _, freq, dyad, require_both = key
    return _signals, _articles, tension.timeline(_signals, _articles, freq=freq, dyad=dyad, require_both=require_both)


# Periods the analyst can pick: the automatic one and any finer one that stays drawable (once per filter state).
auto, choices = state.summary(tension.frequency_choices, "articles")
controls = st.columns([1, 2, 2])
freq = controls[0].selectbox("Period", choices, index=choices.index(auto), key=f"tension-freq-{auto}",
                             format_func=lambda f: tension.FREQUENCIES[f] + (" (auto)" if f == auto else ""))
freq_label = tension.FREQUENCIES[freq]
dyad_labels = {"all": "All actors", "core": "NATO & members ↔ Russia (core)", "context": "Russia ↔ Ukraine (context)"}
dyad = controls[1].selectbox("Dyad", list(dyad_labels), format_func=dyad_labels.get, key="tension-dyad")
require_both = controls[2].checkbox("Both sides named", value=False, key="tension-both",
                                    help="Off: a signal whose other side is unknown still counts when its known side "
                                         "belongs to the dyad (\"the Russian invasion\").")

timeline = _timeline((id(signals), id(articles), freq, dyad, require_both), signals, articles)[2]
idx = timeline.index
with_articles = idx.loc[idx["articles"] > 0]
if with_articles.empty:
    st.info("No article that matches the filters is dated to the day, so there is no time axis. "
            "The signals are listed below.")
else:
    labels = [tension.period_label(p, freq) for p in idx["period"]]
    spans = [tension.period_span(p, freq) for p in idx["period"]]
    has_articles = (idx["articles"] > 0).tolist()
    net = [v if ok else None for v, ok in zip(idx["net_per_article"], has_articles)]
    spikes = [v if spike else None for v, spike in zip(idx["net_per_article"], idx["spike"])]
    series = [
        charts.Series("escalation per article", list(idx["escalation_per_article"]), charts.ESCALATION, keys=spans),
        charts.Series("de-escalation per article", list(-idx["deescalation_per_article"]), charts.DEESCALATION, keys=spans),
        charts.Series("net per article", net, charts.NET, kind="line", keys=spans),
    ]
    if any(v is not None for v in spikes):
        series.append(charts.Series("spike (z ≥ 2)", spikes, "#ff7f0e", kind="scatter", keys=spans, symbol="triangle"))
    chart = charts.category_chart(labels, series, value_title=f"{tension.MEASURE} per article",
                                  value_format="%+.2f", brush=True)
    st.caption(f"Click a {freq_label}, or brush a range of them with the tool at the chart's top right, to keep "
               "those dates on every page.")
    charts.draw(chart, key="tension-index", field="date", height=400)
    n_spikes = int(idx["spike"].sum())
    st.caption(f"{len(with_articles)} {freq_label}s with dated articles; {n_spikes} spike(s). "
               f"Dyad: {dyad_labels[dyad]}.")

with st.expander("How the index is computed", expanded=False):
    st.markdown(tension.METHOD)

# One table at a time: the signals and a period's evidence are both long tables of sentences, and the second
# one cost every first paint; only the chosen one is built and drawn.
SECTIONS = ["Signals", "Evidence behind a period"]
section = section_switch(SECTIONS, key="tension-section")

if section == "Signals":
    st.subheader("Signals")
    table = query.with_titles(signals, articles)
    # the same dyad filter as the chart and the evidence (undated articles: current NATO membership)
    table = tension.filter_dyad(table, dyad, dates=table["date"].fillna("").astype(str), require_both=require_both)
    table["direction"] = table["polarity"].map(lambda p: "escalation" if p > 0 else "de-escalation")
    cols = ["category", "direction", "modality", "confidence", "corrected", "weight", "score", "cue",
            "source_actor", "target_actor", "evidence", "title", "date"]
    shown = tension.strongest(table, SIGNALS_SHOWN)
    if table.empty:
        st.info(f"No signal of the dyad {dyad_labels[dyad]}.")
    elif len(shown) < len(table):
        st.caption(f"The {len(shown)} strongest of {len(table)} signals of this dyad (largest |score| first); "
                   "the download holds all.")
    st.dataframe(for_display(shown[cols + ["article_id"]], articles).drop(columns="article_id"), hide_index=True, placeholder="")
    download_csv(for_display(table[cols + ["article_id"]], articles), "signals")

if section == "Evidence behind a period":
    if with_articles.empty:
        st.info("No article that matches the filters is dated to the day, so there is no period to pick.")
    else:
        st.subheader("Evidence behind a period")
        with_signals = idx.loc[idx["signals"] > 0].sort_values("net_per_article", ascending=False)
        if with_signals.empty:
            st.info("No signal of this dyad falls in a dated period.")
        else:
            labels = {p: f"{tension.period_label(p, freq)}  net {net:+.2f}" + ("  ⚠ spike" if spike else "")
                      for p, net, spike in zip(with_signals["period"], with_signals["net_per_article"],
                                               with_signals["spike"])}
            choice = st.selectbox(f"{freq_label.capitalize()} (highest net tension first)", list(labels),
                                  key="tension-period", format_func=labels.__getitem__)
            raw = timeline.evidence(choice)
            ev_cols = ["score", "category", "modality", "confidence", "corrected", "cue", "source_actor",
                       "target_actor", "evidence", "title", "date"]
            found = for_display(raw[ev_cols + ["article_id"]], articles).drop(columns="article_id")
            st.dataframe(found, hide_index=True, placeholder="")
            download_csv(found, "tension_evidence", label="Download this period's evidence")
            signal_correction_form(state.store_dir(), raw, key="tension-correct")
            st.caption("To add a sentence the coder missed, open its article in the Article reader.")
