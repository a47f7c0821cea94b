"""Filters and summaries the pages show, on the real seed store."""
import datetime as dt

import pytest

from pipeline import query


def test_no_filter_keeps_everything(seed_tables):
    out = query.apply_filters(seed_tables, query.Filters())
    assert len(out["articles"]) == 5
    assert len(out["signals"]) == len(seed_tables["signals"])


def test_date_range_keeps_the_october_2021_articles(seed_tables):
    f = query.Filters(date_from=dt.date(2021, 10, 1), date_to=dt.date(2021, 10, 31), include_undated=False)
    out = query.apply_filters(seed_tables, f)
    assert sorted(out["articles"]["date"]) == ["2021-10-20", "2021-10-22"]
    assert set(out["actor_mentions"]["article_id"]) <= set(out["articles"]["article_id"])
    assert set(out["figures"]["article_id"]) <= set(out["articles"]["article_id"])


def test_inferred_year_counts_for_date_filters(seed_tables):
    f = query.Filters(date_from=dt.date(2025, 1, 1), include_undated=False)
    out = query.apply_filters(seed_tables, f)
    assert list(out["articles"]["date_inferred"]) == ["2025"]


def test_undated_articles_can_be_excluded(seed_tables):
    out = query.apply_filters(seed_tables, query.Filters(include_undated=False))
    assert len(out["articles"]) == 4   # 003 has neither a date nor an inferable year


def test_actor_filter_keeps_articles_mentioning_the_actor(seed_tables):
    out = query.apply_filters(seed_tables, query.Filters(actors=("Dmitry Peskov",)))
    titles = set(out["articles"]["title"])
    assert "NATO meeting in Brussels: One billion for new technology" in titles
    assert "NATO does not want new arms race with Russia" not in titles


def test_category_filter_narrows_signals_too(seed_tables):
    cat = seed_tables["signals"]["category"].value_counts().index[0]
    out = query.apply_filters(seed_tables, query.Filters(categories=(cat,)))
    assert set(out["signals"]["category"]) == {cat}
    assert 0 < len(out["articles"]) <= 5


def test_cluster_filter(seed_tables):
    cid = int(seed_tables["articles"]["cluster_id"].iloc[0])
    out = query.apply_filters(seed_tables, query.Filters(clusters=(cid,)))
    assert set(out["articles"]["cluster_id"]) == {cid}


def test_reversed_dates_are_refused():
    with pytest.raises(ValueError):
        query.Filters(date_from=dt.date(2022, 1, 1), date_to=dt.date(2021, 1, 1))


def test_signal_balance_weighs_polarity():
    import pandas as pd

    s = pd.DataFrame({"article_id": ["a", "a", "b"], "polarity": [1, -1, 1], "weight": [1.0, 0.5, 0.25]})
    assert query.signal_balance(s) == {"escalation": 1.25, "deescalation": 0.5, "net": 0.75, "signals": 3}


def test_latest_articles_newest_first(seed_tables):
    latest = query.latest_articles(seed_tables["articles"], n=3)
    assert list(latest["date"][:2]) == ["2025", "2022"]
