"""Tension index: normalisation by volume, spikes, dyad filter and drill-down."""
from pathlib import Path

import pandas as pd
import pytest

from pipeline import signals, tension

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
        {"article_id": "a", "date": "2022-02-01", "date_precision": "day"},
        {"article_id": "b", "date": "2022-02", "date_precision": "month"},
        {"article_id": "c", "date": None, "date_precision": "unknown"},
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
