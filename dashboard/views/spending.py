"""Spending tracker: the ledger of commitments (one row per claim reported across articles), shares of GDP
against the NATO targets, and every figure as the articles state it."""
import streamlit as st

from dashboard import charts, state
from dashboard.components import download_csv, empty_state, first_rows, section_switch
from pipeline.read import spending
from pipeline.read import ledger
from pipeline.read.labels import for_display, label

view = state.current_view()
data = view.filtered
# Computed once per filter state and shared by every session (state.summary); read-only.
tracker = state.summary(spending.tracker_table, "figures", "articles")
claims = data.get("claims")

st.title("Spending tracker")
st.caption("A ledger of commitments: the reports of one pledge in several articles (in euros in one, in dollars "
           "in another) are one claim, counted once; every total sums claims, never mentions. Money is in EUR at "
           "the ECB rate of the article's day (an undated article: at the fixed ECB table of "
           "pipeline/data/fx_rates.csv; the export's rate_basis says which). A vague quantity (\u201cthousands of\u201d) keeps "
           "its words and is never summed.")

if tracker.empty or claims is None or claims.empty:
    empty_state("No spending figures in the articles that match the filters.")
    st.stop()

left, right = st.columns(2)
kinds = left.multiselect("Kind of figure", sorted(tracker["kind"].unique()), key="spending-kind")
owners = sorted(a for a in tracker["actor"].unique() if a)
owner = right.multiselect("Belongs to", owners, key="spending-actor")
KIND_COLOURS = {"money": "#1f77b4", "pct_gdp": "#ff7f0e", "pct_change": "#2ca02c", "count": "#9467bd"}


def _selection(kinds: tuple, owner: tuple) -> dict:
    """The selected claims and figures and their counts (once per filter state and selection, shared)."""
    chosen = state.summary(spending.tracker_table, "figures", "articles")
    chosen_claims = state.summary(ledger.ledger_table, "claims")
    if kinds:
        chosen = chosen[chosen["kind"].isin(kinds)]
        chosen_claims = chosen_claims[chosen_claims["kind"].isin(kinds)]
    if owner:
        chosen = chosen[chosen["actor"].isin(owner)]
        chosen_claims = chosen_claims[chosen_claims["actor"].isin(owner)]
    return {"tracker": chosen, "claims": chosen_claims, "counts": ledger.claim_kind_counts(chosen_claims)}


def _charts(kinds: tuple, owner: tuple) -> dict:
    """The ledger's two charts: claims by first report, and per actor the claims and their EUR sum."""
    chosen = state.summary(_selection, args=(kinds, owner))["claims"]
    out = {}
    over_time = ledger.claims_over_time(chosen)
    if not over_time.empty:
        out["claims_time"] = charts.category_chart(
            list(over_time["period"]), [charts.Series("claims first reported", list(over_time["claims"]),
                                                    KIND_COLOURS["money"])],
            value_title="claims (each once)", brush=True)
    by_actor = ledger.claims_by_actor(chosen).iloc[::-1]
    money = by_actor[by_actor["money_claims"] > 0]
    if not money.empty:
        out["money_actor"] = charts.category_chart(
            list(money["actor"]), [charts.Series("EUR bn (sum of claims)", list(money["total_eur"] / 1e9), "#9467bd")],
            horizontal=True, value_title="EUR bn (sum of claims, each once)", value_format="%,.3f bn EUR")
    out["by_actor"] = ledger.claims_by_actor(chosen)
    return out


selection = (tuple(kinds), tuple(owner))
selected = state.summary(_selection, args=selection)
tracker, chosen_claims = selected["tracker"], selected["claims"]
if chosen_claims.empty:
    empty_state("No figures of that kind for that actor.")
    st.stop()

counts = selected["counts"]
cols = st.columns(len(counts) + 1)
for col, row in zip(cols, counts.itertuples()):
    col.metric(label("figure_kind", row.kind) + " claims", int(row.claims), help=f"{int(row.mentions)} mentions")
total = ledger.total_eur(chosen_claims)
cols[-1].metric("EUR total", f"{total / 1e9:,.2f} bn" if total is not None else "—",
                help="The money claims summed in EUR: each commitment once, at the rate of its report's day; vague amounts are not summed.")

# One section at a time: only the chosen section is built and drawn.
SECTIONS = ["Ledger", "Shares of GDP", "Every figure"]
section = section_switch(SECTIONS, key="spending-section")

if section == "Ledger":
    section_charts = state.summary(_charts, args=selection)
    a, b = st.columns(2)
    a.subheader("Claims by first report")
    if "claims_time" in section_charts:
        a.caption("Click a month, or brush a range of months, to keep it.")
        charts.draw(section_charts["claims_time"], key="spending-time", field="date", height=300, container=a)
    b.subheader("Per actor: claims and their sum in EUR")
    if "money_actor" in section_charts:
        b.caption("Click an actor to keep the articles that name it.")
        charts.draw(section_charts["money_actor"], key="spending-actor-chart", field="actor", height=300, container=b)
    else:
        b.info("No money claims among the selected ones.")
    b.dataframe(section_charts["by_actor"], hide_index=True, placeholder="",
                column_config={"total_eur": st.column_config.NumberColumn("EUR (sum of claims)", format="localized"),
                               "largest_eur": st.column_config.NumberColumn("largest, EUR", format="localized"),
                               "money_claims": "money claims"})

    st.subheader("The ledger: one row per claim")
    st.caption("A claim is one commitment (actor, kind, purpose, year, amount) however many articles report it. "
               "“version of” shows an earlier amount it replaces; “variants” the wording of each report.")
    columns = ["first_date", "actor", "amount", "value_eur", "purpose", "target_year", "status", "n_articles",
               "n_mentions", "variants", "disagreement", "version_of", "part_of", "link"]
    shown = first_rows(chosen_claims, what="claims")
    st.dataframe(shown[columns], hide_index=True, placeholder="",   # a claim without a EUR value or a year: blank
                 column_config={"link": st.column_config.LinkColumn("first report", display_text="open in reader"),
                                "amount": st.column_config.TextColumn("amount (as reported)", width="medium"),
                                "value_eur": st.column_config.NumberColumn("EUR", format="compact"),
                                "target_year": st.column_config.NumberColumn("target year", format="%d"),
                                "n_articles": "articles", "n_mentions": "mentions", "first_date": "first report",
                                "version_of": "version of"})
    download_csv(chosen_claims, "claims")

    st.subheader("The articles of a claim")
    labels = {cid: f"{amt} — {act or '(unattributed)'}" + (f" — {pur}" if pur else "") + f" ({n} article{'s' * (n != 1)})"
              for cid, amt, act, pur, n in zip(shown["claim_id"], shown["amount"], shown["actor"], shown["purpose"],
                                                shown["n_articles"])}
    picked = st.selectbox("Claim", list(labels), format_func=labels.get, key="spending-claim")
    reports = ledger.claim_articles(picked, data["figures"], data["articles"]) if picked else None
    if reports is not None and not reports.empty:
        st.dataframe(reports, hide_index=True, placeholder="",
                     column_config={"link": st.column_config.LinkColumn("article", display_text="open in reader")})

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
                     hide_index=True, placeholder="",
                     column_config={"link": st.column_config.LinkColumn("article", display_text="open in reader")})
        download_csv(shares, "gdp_shares")

if section == "Every figure":
    st.subheader("Every figure")
    columns = ["date", "kind", "qualifier", "value", "value_low", "value_high", "unit", "vague", "actor", "purpose",
               "year", "value_eur", "mentions", "text", "sentence", "title", "link"]
    shown = first_rows(for_display(tracker[columns + ["article_id"]], data["articles"])
                       .drop(columns="article_id"), what="figures")
    # labelled columns ("Value (EUR)", "% of GDP"); a missing value reads blank; numbers written whole
    st.dataframe(shown, hide_index=True, placeholder="",
                 column_config={"link": st.column_config.LinkColumn("article", display_text="open in reader")})
    download_csv(tracker[columns + ["article_id", "figure_key", "rate_date", "rate_basis", "claim_id"]], "figures")
