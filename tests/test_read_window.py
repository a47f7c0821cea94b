"""A store too large to read whole: the dashboard reads a window of months (pipeline/read/window.py), on a Parquet
store of 30 real GDELT articles (tests/fixtures/news: 9 of January 2022, 21 of February 2022) with the thresholds
lowered to its size."""
from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from conftest import gdelt_articles
from pipeline import run
from pipeline.ingest import RawDocument
from pipeline.read import tables as read_side, window

from test_app import ENTRY


@pytest.fixture(scope="module")
def parquet_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("window") / "pq"
    docs = [RawDocument(a["id"], a["text"], title=a["title"], date=a["date"][:10], source=a["country"])
            for a in gdelt_articles()]
    run.run(store_dir=path, documents=docs, store_format="parquet")
    return path


@pytest.fixture
def small_thresholds(monkeypatch):
    monkeypatch.setattr(window, "WINDOW_THRESHOLD", 10)
    monkeypatch.setattr(window, "WINDOW_ARTICLES", 25)
    monkeypatch.setattr(window, "WINDOW_MAX_ARTICLES", 25)


def test_a_store_under_the_threshold_is_read_whole(parquet_store):
    assert window.choose(parquet_store) is None


def test_the_default_window_is_the_latest_months_within_the_limit(parquet_store, small_thresholds):
    chosen = window.choose(parquet_store)
    stored = read_side.load_tables(parquet_store)["articles"]
    feb = int((stored["date"].fillna("").str[:7] == "2022-02").sum())
    assert (chosen.first, chosen.last, chosen.articles) == ("2022-02", "2022-02", feb)   # January would pass 25
    assert chosen.store_articles == len(stored) and (chosen.store_first, chosen.store_last) == ("2022-01", "2022-02")
    assert "the pages read the" in chosen.describe() and f"{len(stored)} articles" in chosen.describe()


def test_a_windowed_read_holds_the_same_rows_as_the_whole_read_of_those_months(parquet_store, small_thresholds):
    whole = read_side.load_tables(parquet_store)
    part = read_side.load_tables(parquet_store, months=("2022-02", "2022-02"))
    february = set(whole["articles"].loc[whole["articles"]["date"].fillna("").str[:7] == "2022-02", "article_id"])
    assert set(part["articles"]["article_id"]) == february and 0 < len(february) < len(whole["articles"])
    for name in ("signals", "actor_mentions", "figures"):
        expected = whole[name][whole[name]["article_id"].isin(february)]
        assert len(part[name]) == len(expected) > 0, name
        assert sorted(part[name]["article_id"]) == sorted(expected["article_id"])
    assert len(part["clusters"]) == len(whole["clusters"])   # topics are the store's, not the window's


def test_dates_the_analyst_sets_move_the_window_and_empty_months_read_nothing(parquet_store, small_thresholds):
    january = window.choose(parquet_store, dt.date(2022, 1, 1), dt.date(2022, 1, 31))
    assert (january.first, january.last) == ("2022-01", "2022-01") and january.articles > 0
    both = window.choose(parquet_store, dt.date(2022, 1, 1), None)
    assert both.cut and both.last == "2022-02"             # 30 articles > 25: the latest months are kept
    empty = window.choose(parquet_store, dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert empty.articles == 0
    assert read_side.load_tables(parquet_store, months=empty.months)["articles"].empty


def test_the_dashboard_opens_a_large_store_on_its_window_and_widens_it(parquet_store, small_thresholds, monkeypatch):
    monkeypatch.setenv("NEWSINTEL_STORE", str(parquet_store))
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.run()
    assert not at.exception
    notes = [i.value for i in at.info]
    assert any("the pages read the" in n and "2022-02 to 2022-02" in n for n in notes), notes
    shown = int(at.metric[0].value)
    assert shown == window.choose(parquet_store).articles < 30   # February's articles only, not the store's 30
    at.sidebar.date_input(key="from").set_value(dt.date(2022, 1, 1)).run()
    at.sidebar.date_input(key="to").set_value(dt.date(2022, 1, 31)).run()
    assert not at.exception
    notes = [i.value for i in at.info]
    assert any("2022-01 to 2022-01" in n for n in notes), notes
    assert 0 < int(at.metric[0].value) != shown
