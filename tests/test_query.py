"""Filters and summaries the pages show, on the real seed store."""
import datetime as dt

import pytest

from pipeline.read import query


def test_no_filter_keeps_everything(seed_tables):
    out = query.apply_filters(seed_tables, query.Filters())
    assert len(out["articles"]) == 5
    assert len(out["signals"]) == len(seed_tables["signals"])


def test_date_range_keeps_the_october_2021_articles(seed_tables):
    f = query.Filters(date_from=dt.date(2021, 10, 1), date_to=dt.date(2021, 10, 31), include_undated=False)
    out = query.apply_filters(seed_tables, f)
    assert sorted(out["articles"]["date"]) == ["2021-10-22"]   # 002's only date is a photo caption's: unknown
    assert set(out["actor_mentions"]["article_id"]) <= set(out["articles"]["article_id"])
    assert set(out["figures"]["article_id"]) <= set(out["articles"]["article_id"])


def test_inferred_year_counts_for_date_filters(seed_tables):
    f = query.Filters(date_from=dt.date(2025, 1, 1), include_undated=False)
    out = query.apply_filters(seed_tables, f)
    assert list(out["articles"]["date_inferred"]) == ["2025"]


def test_undated_articles_can_be_excluded(seed_tables):
    out = query.apply_filters(seed_tables, query.Filters(include_undated=False))
    assert len(out["articles"]) == 3   # 002 and 003 have neither a date nor an inferable year


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


def test_latest_articles_newest_first_with_inferred_years_marked(seed_tables):
    """Seeds 004 and 001 have no date of their own: their years, inferred from a summit, read as inferred."""
    latest = query.latest_articles(seed_tables["articles"], n=3)
    assert list(latest["date"]) == ["2025 (inferred)", "2022 (inferred)", "2021-10-22"]


# ---------------------------------------------------------------- cross-filtering and links

def test_figure_kind_filter_keeps_articles_with_that_kind_and_narrows_figures(seed_tables):
    kind = seed_tables["figures"]["kind"].value_counts().index[0]
    out = query.apply_filters(seed_tables, query.Filters(figure_kinds=(kind,)))
    assert set(out["figures"]["kind"]) == {kind}
    with_kind = set(seed_tables["figures"].loc[seed_tables["figures"]["kind"] == kind, "article_id"])
    assert set(out["articles"]["article_id"]) == with_kind


def test_clicked_periods_become_a_date_range():
    assert query.date_range_of(["2021-10", "2022"]) == (dt.date(2021, 10, 1), dt.date(2022, 12, 31))
    assert query.date_range_of(["2021-10-20"]) == (dt.date(2021, 10, 20), dt.date(2021, 10, 20))
    assert query.date_range_of(["not a date", ""]) is None


def test_bad_url_parameters_are_dropped_with_a_notice():
    options = {"actor": ["NATO", "Russia"], "signal": ["sanctions"], "cluster": ["defence (#0)"], "figure": ["money"],
               "article": ["a1"]}
    kept, notices = query.clean_params(
        {"actor": ["NATO", "Nobody"], "from": ["2021-13-45"], "to": ["2022-01-31"], "undated": ["false"],
         "article": ["zzz"], "at": ["12"], "utm_source": ["mail"]}, options)
    assert kept == {"actor": ["NATO"], "to": ["2022-01-31"], "undated": ["false"], "at": ["12"], "utm_source": ["mail"]}
    assert len(notices) == 3
    assert any("'Nobody'" in n and "actor" in n for n in notices)
    assert any("'zzz'" in n for n in notices) and any("2021-13-45" in n for n in notices)


def test_filters_describe_one_chip_per_value():
    f = query.Filters(date_from=dt.date(2021, 1, 1), include_undated=False, actors=("NATO", "Russia"), figure_kinds=("money",))
    assert [(field, value) for field, _, value in f.describe()] == [
        ("from", dt.date(2021, 1, 1)), ("undated", False), ("actor", "NATO"), ("actor", "Russia"), ("figure", "money")]
    assert query.Filters().describe() == []


def test_cluster_sizes_and_articles_per_period(seed_tables):
    sizes = query.cluster_sizes(seed_tables["articles"], seed_tables["clusters"])
    assert sizes["articles"].sum() == (seed_tables["articles"]["cluster_id"] >= 0).sum()
    assert all(f"(#{c})" in label for c, label in zip(sizes["cluster_id"], sizes["label"]))
    periods = query.articles_per_period(seed_tables["articles"])
    # 002 and 003 are undated; 001 and 004 have inferred years only, which a month cannot place
    assert list(periods["period"]) == ["2021-10"] and periods["articles"].sum() == 1
    assert periods.attrs["year_only"] == 2


def test_articles_over_time_is_a_true_time_axis():
    """Periods sit at their real distances: the empty ones between are there, with no article."""
    import pandas as pd
    months = query.articles_per_period(pd.DataFrame({"date": ["2021-10-22", "2022-01-05", "2022-01-09", "2022"]}))
    assert list(months["period"]) == ["2021-10", "2021-11", "2021-12", "2022-01"]
    assert list(months["articles"]) == [1, 0, 0, 2] and months.attrs["year_only"] == 1
    years = query.articles_per_period(pd.DataFrame({"date": ["2015-03-01", "2021-10-22", "2025"]}))
    assert list(years["period"]) == [str(y) for y in range(2015, 2026)]
    assert years["articles"].sum() == 3 and list(years["articles"])[1:6] == [0, 0, 0, 0, 0]


def test_reader_link_carries_article_and_position():
    assert query.reader_link("ab c", 120) == "reader?article=ab+c&at=120"
    assert query.reader_link("x") == "reader?article=x"


def test_sample_by_group_keeps_every_group_and_its_share():
    import pandas as pd

    from pipeline.read import query

    frame = pd.DataFrame({"g": [0] * 90 + [1] * 9 + [2], "v": range(100)})
    sample = query.sample_by_group(frame, 20, by="g")
    counts = sample["g"].value_counts().to_dict()
    assert counts == {0: 18, 1: 2, 2: 1}
    assert list(sample.index) == sorted(sample.index)            # rows keep their order
    assert sample.equals(query.sample_by_group(frame, 20, by="g"))   # reproducible
    assert query.sample_by_group(frame, 100, by="g") is frame


def test_article_titles_in_table_order_with_the_id_for_untitled():
    import pandas as pd

    from pipeline.read import query

    articles = pd.DataFrame({"article_id": ["a", "b", "c"], "title": ["First", None, "Third"]})
    assert query.article_titles(articles) == [("a", "First"), ("b", "b"), ("c", "Third")]
    assert query.article_titles(articles, n=2) == [("a", "First"), ("b", "b")]


def test_filters_that_narrow_nothing_return_the_stored_frames(seed_tables):
    from pipeline.read import query

    out = query.apply_filters(seed_tables, query.Filters())
    assert all(out[name] is seed_tables[name] for name in seed_tables)
    narrowed = query.apply_filters(seed_tables, query.Filters(include_undated=False))
    assert narrowed["articles"] is not seed_tables["articles"]
    assert len(narrowed["articles"]) < len(seed_tables["articles"])


def test_top_groups_keeps_the_largest_and_sums_the_rest_per_key():
    import pandas as pd

    from pipeline.read import query

    frame = pd.DataFrame({"period": ["w1", "w1", "w1", "w2", "w2"], "topic": ["a", "b", "c", "a", "c"],
                          "count": [5, 1, 2, 4, 1]})
    out = query.top_groups(frame, by="topic", value="count", n=1, rest="other", keys=("period",))
    assert sorted(map(tuple, out.to_numpy().tolist())) == [("w1", "a", 5), ("w1", "other", 3), ("w2", "a", 4), ("w2", "other", 1)]
    assert out["count"].sum() == frame["count"].sum()
