"""Tension index: normalisation by volume, spikes, dyad filter and drill-down."""
from pathlib import Path

import pandas as pd
import pytest

from pipeline.read import tension
from pipeline.stages import signals

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _signal(article_id, score, source="", target="", category="sanctions"):
    return {"article_id": article_id, "category": category, "polarity": 1 if score > 0 else -1,
            "modality": "asserted", "weight": 1.0, "score": score, "evidence": f"sentence of {article_id}",
            "source_country": source, "target_country": target}


def _articles(rows):
    return pd.DataFrame([{"article_id": a, "title": f"title {a}", "date": d, "date_precision": "day"}
                         for a, d in rows])


def test_index_is_normalised_by_article_volume():
    articles = _articles([("a", "2022-02-01"), ("b", "2022-02-01"), ("c", "2022-02-02")])
    sigs = pd.DataFrame([_signal("a", 8.0), _signal("b", -2.0), _signal("c", 4.0)])
    out = tension.index(sigs, articles, freq="D").set_index("period")
    day1, day2 = out.loc[pd.Timestamp("2022-02-01")], out.loc[pd.Timestamp("2022-02-02")]
    assert day1["articles"] == 2 and day1["signals"] == 2
    assert day1["escalation_per_article"] == pytest.approx(4.0)
    assert day1["deescalation_per_article"] == pytest.approx(1.0)
    assert day1["net_per_article"] == pytest.approx(3.0)
    assert day2["net_per_article"] == pytest.approx(4.0)


def test_days_without_articles_are_gaps_not_zero():
    articles = _articles([("a", "2022-02-01"), ("c", "2022-02-03")])
    out = tension.index(pd.DataFrame([_signal("a", 5.0)]), articles, freq="D").set_index("period")
    gap = out.loc[pd.Timestamp("2022-02-02")]
    assert gap["articles"] == 0 and pd.isna(gap["net_per_article"])
    assert out.loc[pd.Timestamp("2022-02-03"), "net_per_article"] == 0.0


def test_weekly_periods_start_on_monday():
    articles = _articles([("a", "2022-02-22"), ("b", "2022-02-24"), ("c", "2022-03-02")])
    out = tension.index(pd.DataFrame([_signal("b", 10.0)]), articles, freq="W")
    assert list(out["period"]) == [pd.Timestamp("2022-02-21"), pd.Timestamp("2022-02-28")]
    assert list(out["articles"]) == [2, 1]
    assert out["net_per_article"].iloc[0] == pytest.approx(5.0)


def test_spike_flags_the_outlier_day_only():
    days = pd.date_range("2022-01-01", periods=12, freq="D").strftime("%Y-%m-%d")
    articles = _articles([(f"a{i}", d) for i, d in enumerate(days)])
    scores = [1.0, 1.5, 0.5, 1.0, 1.2, 1.0, 0.5, 1.5, 1.0, 1.0, 12.0, 1.0]
    sigs = pd.DataFrame([_signal(f"a{i}", s) for i, s in enumerate(scores)])
    out = tension.index(sigs, articles, freq="D", window=7, min_periods=3)
    assert out.loc[out["spike"], "period"].tolist() == [pd.Timestamp("2022-01-11")]
    assert out["zscore"].iloc[:3].isna().all()       # too little history to judge


def test_undated_and_month_precision_articles_are_left_out():
    articles = pd.DataFrame([
        {"article_id": "a", "title": "title a", "date": "2022-02-01", "date_precision": "day"},
        {"article_id": "b", "title": "title b", "date": "2022-02", "date_precision": "month"},
        {"article_id": "c", "title": "title c", "date": None, "date_precision": "unknown"},
    ])
    sigs = pd.DataFrame([_signal("a", 3.0), _signal("b", 9.0), _signal("c", 9.0)])
    out = tension.index(sigs, articles)
    assert out["signals"].sum() == 1 and out["escalation"].sum() == pytest.approx(3.0)


def test_dyad_filter_core_context_and_dated_membership():
    sigs = pd.DataFrame([
        _signal("a", 5.0, "RUS", "POL"),      # core
        _signal("a", 5.0, "NATO", "RUS"),     # core
        _signal("a", 5.0, "RUS", "UKR"),      # context
        _signal("a", 5.0, "RUS", ""),         # core or context, other side unknown
        _signal("a", 5.0, "FRA", "DEU"),      # neither
        _signal("a", 5.0, "RUS", "FIN"),      # core only once Finland joined
    ])
    assert len(tension.filter_dyad(sigs, "core")) == 4
    assert len(tension.filter_dyad(sigs, "core", require_both=True)) == 3
    assert len(tension.filter_dyad(sigs, "context")) == 2
    before = pd.Series(["2022-03-01"] * len(sigs), index=sigs.index)
    assert len(tension.filter_dyad(sigs, "core", dates=before, require_both=True)) == 2
    assert tension.dyad_of("GBR", "RUS") == "core"
    assert tension.dyad_of("UKR", "RUS") == "context"
    assert tension.dyad_of("SWE", "RUS", "2023-01-01") == "other"
    with pytest.raises(ValueError):
        tension.filter_dyad(sigs, "nato")


def test_evidence_drill_down_on_real_seed_signals():
    """Signals extracted from seed 000 (22 Oct 2021) and 003 (4 Apr 2018); drill into Oct 2021."""
    texts = {"s000": next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8"),
             "s003": next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8")}
    rows = [{"article_id": aid, **r} for aid, text in texts.items() for r in signals.extract(text)]
    sigs = pd.DataFrame(rows)
    articles = _articles([("s000", "2021-10-22"), ("s003", "2018-04-04")])
    weekly = tension.index(sigs, articles, freq="W")
    assert weekly["articles"].sum() == 2
    assert weekly.loc[weekly["articles"] > 0, "period"].dt.year.tolist() == [2018, 2021]
    found = tension.evidence(sigs, articles, "2021-10-18", freq="W", dyad="core")
    assert set(found["article_id"]) == {"s000"}
    assert "withdrew their accreditation" in set(found["cue"])          # NATO -> Russia
    assert found["score"].abs().is_monotonic_decreasing
    assert (found["title"] == "title s000").all()
    # The 2018 week: the negated arms race pulls toward de-escalation.
    w2018 = tension.evidence(sigs, articles, "2018-04-02", freq="W")
    arms = w2018.loc[w2018["category"] == "arms_race"]
    assert (arms["polarity"] == -1).all() and len(arms) >= 2


def test_balance_agrees_with_the_index():
    """One definition of net tension: balance() sums the same scores the index does."""
    articles = _articles([("a", "2022-02-01"), ("b", "2022-02-01"), ("c", "2022-03-15")])
    sigs = pd.DataFrame([_signal("a", 8.0), _signal("b", -2.0), _signal("c", 4.0), _signal("c", -0.5)])
    got = tension.balance(sigs)
    assert got == {"escalation": 12.0, "deescalation": 2.5, "net": 9.5, "signals": 4}
    idx = tension.index(sigs, articles, freq="M")
    assert idx["escalation"].sum() == pytest.approx(got["escalation"])
    assert idx["deescalation"].sum() == pytest.approx(got["deescalation"])
    assert idx["net"].sum() == pytest.approx(got["net"])
    assert tension.balance(sigs.iloc[0:0]) == {"escalation": 0.0, "deescalation": 0.0, "net": 0.0, "signals": 0}


def test_balance_of_real_seed_signals_uses_scores_not_weights():
    text = next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8")
    sigs = pd.DataFrame(signals.extract(text))
    got = tension.balance(sigs)
    assert got["signals"] == len(sigs)
    assert got["net"] == pytest.approx(round(sigs["score"].sum(), 2), abs=0.02)
    assert got["deescalation"] > 0      # the negated arms race and Cold War pull toward de-escalation


@pytest.mark.parametrize("first, last, expected", [
    ("2022-02-01", "2022-02-20", "D"),          # three weeks: days
    ("2022-01-01", "2023-06-30", "W"),          # a year and a half: weeks
    ("2017-01-01", "2025-12-31", "M"),          # nine years: months
    ("1987-02-26", "2026-02-27", "Q"),          # Reuters 1987 to today: quarters
])
def test_auto_freq_keeps_the_chart_to_a_few_hundred_points(first, last, expected):
    articles = _articles([("a", first), ("b", last)])
    assert tension.auto_freq(articles) == expected
    assert tension.period_count(articles, expected) <= tension.MAX_POINTS


def test_monthly_and_quarterly_periods_start_on_the_first_day():
    articles = _articles([("a", "2022-01-31"), ("b", "2022-02-01"), ("c", "2022-04-10")])
    sigs = pd.DataFrame([_signal("a", 2.0), _signal("b", 4.0)])
    monthly = tension.index(sigs, articles, freq="M")
    assert list(monthly["period"]) == list(pd.to_datetime(["2022-01-01", "2022-02-01", "2022-03-01", "2022-04-01"]))
    assert list(monthly["articles"]) == [1, 1, 0, 1]
    quarterly = tension.index(sigs, articles, freq="Q")
    assert list(quarterly["period"]) == list(pd.to_datetime(["2022-01-01", "2022-04-01"]))
    assert quarterly["net_per_article"].iloc[0] == pytest.approx(3.0)


def test_timeline_drills_down_without_recomputing():
    articles = _articles([("a", "2022-02-01"), ("b", "2022-02-03"), ("c", "2022-02-20")])
    sigs = pd.DataFrame([_signal("a", 2.0, "RUS", "UKR"), _signal("b", -7.0, "NATO", "RUS"),
                         _signal("c", 4.0, "RUS", "POL")])
    tl = tension.timeline(sigs, articles, freq="W", dyad="core")
    assert tl.freq == "W" and tl.index["signals"].sum() == 2
    found = tl.evidence("2022-01-31")
    assert found["score"].tolist() == [-7.0] and found["title"].tolist() == ["title b"]
    assert tension.timeline(sigs, articles).freq == "D"       # 20 days: chosen automatically
    with pytest.raises(ValueError):
        tension.timeline(sigs, articles, freq="H")


@pytest.mark.parametrize("freq, label", [("D", "2022-02-24"), ("W", "week of 2022-02-21"), ("M", "2022-02"),
                                         ("Q", "2022-Q1"), ("Y", "2022")])
def test_period_label(freq, label):
    period = tension.timeline(pd.DataFrame([_signal("a", 1.0)]), _articles([("a", "2022-02-24")]), freq=freq).index
    assert tension.period_label(period["period"].iloc[0], freq) == label


def test_strongest_keeps_the_largest_magnitudes():
    sigs = pd.DataFrame([_signal("a", 1.0), _signal("b", -9.0), _signal("c", 4.0), _signal("d", -4.0)])
    assert tension.strongest(sigs, 3)["score"].tolist() == [-9.0, 4.0, -4.0]
    assert len(tension.strongest(sigs, 10)) == 4
    with pytest.raises(ValueError):
        tension.strongest(sigs, 0)


@pytest.mark.parametrize("freq, period, span", [
    ("D", "2022-02-24", ("2022-02-24", "2022-02-24")),
    ("W", "2022-02-21", ("2022-02-21", "2022-02-27")),
    ("M", "2024-02-01", ("2024-02-01", "2024-02-29")),
    ("Q", "2025-04-01", ("2025-04-01", "2025-06-30")),
    ("Y", "2025-01-01", ("2025-01-01", "2025-12-31")),
])
def test_a_period_bar_stands_for_every_day_of_its_period(freq, period, span):
    assert tension.period_span(period, freq) == span


def test_a_view_of_undated_articles_only_gives_an_empty_index_not_an_error(seed_tables):
    """A signal filter can leave only undated articles (on the seeds: the one with sanctions)."""
    articles = seed_tables["articles"]
    undated = articles[articles["date"].fillna("") == ""]
    assert len(undated), "the seeds have undated articles"
    signals = seed_tables["signals"][seed_tables["signals"]["article_id"].isin(undated["article_id"])]
    assert len(signals)
    result = tension.timeline(signals, undated, freq="M")
    assert result.index["signals"].sum() == 0 if len(result.index) else True
    assert result.signals.empty


def test_the_period_choices_offer_the_automatic_one_and_drawable_ones(seed_tables):
    articles = seed_tables["articles"]
    auto, choices = tension.frequency_choices(articles)
    assert auto == tension.auto_freq(articles) == "D"   # two seeds dated two days apart
    assert choices == list(tension.FREQUENCIES)          # every period is drawable for two days
    assert tension.frequency_choices(articles, max_periods=0) == ("D", ["D"])
