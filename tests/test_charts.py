"""The dashboard's ECharts charts: what a click or a brush on them selects, read back as filter values.

The charts are drawn in the browser by tests/test_browser.py; these tests pin the pure part:
building an option from the seed store's own summaries and reading selection events.
"""
import json

import pytest

from dashboard import charts
from pipeline.read import query, tension


@pytest.fixture(scope="module")
def signal_chart(seed_tables):
    counts = query.signal_counts(seed_tables["signals"])
    order = sorted(counts["category"].unique())
    series = []
    for direction, colour in (("escalation", charts.ESCALATION), ("de-escalation", charts.DEESCALATION)):
        part = counts[counts["direction"] == direction].set_index("category")["score"]
        series.append(charts.Series(direction, [part.get(c) for c in order], colour))
    return order, charts.category_chart(order, series, horizontal=True)


def test_a_clicked_bar_gives_its_category(signal_chart):
    order, chart = signal_chart
    event = {"selection": {"selected": [{"series_index": 1, "data_indices": [2]}], "areas": []}}
    assert charts.selected_keys(event, chart) == [order[2]]


def test_keys_stand_behind_bars_when_labels_are_not_filter_values(seed_tables):
    sizes = query.cluster_sizes(seed_tables["articles"], seed_tables["clusters"])
    chart = charts.category_chart(list(sizes["label"]), [charts.Series("articles", list(sizes["articles"]),
                                                                       keys=list(sizes["cluster_id"]))])
    event = {"selection": {"selected": [{"series_index": 0, "data_indices": [0]}]}}
    assert charts.selected_keys(event, chart) == [sizes["cluster_id"].iloc[0]]


def test_a_brushed_range_of_periods_gives_every_day_they_span():
    periods = ["2025-01-06", "2025-01-13", "2025-01-20", "2025-01-27"]
    spans = [tension.period_span(p, "W") for p in periods]
    chart = charts.category_chart(periods, [charts.Series("net", [1, -2, 3, 0], keys=spans)], brush=True)
    event = {"selection": {"selected": [], "areas": [{"brush_type": "lineX", "coord_range": [0.6, 2.4]}]}}
    picked = charts.selected_keys(event, chart)
    assert query.date_range_of(picked) == query.date_range_of(["2025-01-13", "2025-01-26"])


def test_malformed_or_empty_events_select_nothing(signal_chart):
    _, chart = signal_chart
    for event in (None, {}, {"selection": None}, {"selection": {"selected": [{"series_index": 9, "data_indices": [0]}]}},
                  {"selection": {"selected": [{"series_index": 0, "data_indices": [99, "x"]}]}},
                  {"selection": {"selected": [], "areas": [{"brush_type": "polygon", "coord_range": [[0, 1]]}]}}):
        assert charts.selected_keys(event, chart) == []


def test_the_option_is_json_with_no_missing_numbers_as_nan():
    chart = charts.category_chart(["a", "b"], [charts.Series("s", [float("nan"), 2.5])])
    spec = json.loads(json.dumps(chart.spec, allow_nan=False))
    assert spec["series"][0]["data"] == [None, 2.5]
    assert spec["series"][0]["selectedMode"] == "single"


def test_series_must_match_the_categories():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        charts.category_chart(["a", "b", "c"], [charts.Series("s", [1, 2])])
    with pytest.raises(ValueError, match="at least one category"):
        charts.category_chart([], [])
    with pytest.raises(ValueError, match="kind must be one of"):
        charts.category_chart(["a"], [charts.Series("s", [1], kind="pie")])


def test_gdp_shares_of_one_country_share_its_column(seed_tables):
    from pipeline.read import spending as figures

    shares = figures.gdp_commitments(seed_tables["figures"], seed_tables["articles"])
    labels = list(shares["actor"].fillna("").replace("", "(unknown)"))
    chart = charts.with_target_lines(charts.strip_chart(labels, list(shares["value"]), name="share of GDP"),
                                     list(figures.GDP_TARGETS))
    assert chart.spec["xAxis"]["data"] == list(dict.fromkeys(labels))
    assert [d["yAxis"] for d in chart.spec["series"][0]["markLine"]["data"]] == list(figures.GDP_TARGETS)
    assert sorted(p["value"][1] for p in chart.spec["series"][0]["data"]) == sorted(shares["value"])


def test_points_picked_on_the_document_map_give_their_clusters(seed_tables):
    from pipeline.read import topics

    articles = seed_tables["articles"]
    points = topics.map_frame(articles[["article_id", "title", "duplicate_of"]], seed_tables["assignments"],
                              seed_tables["clusters"])
    keys = [int(c) for c in points["cluster_id"]]
    chart = charts.point_map(list(points["map_x"]), list(points["map_y"]), keys=keys,
                             colours=["#000"] * len(points), hover=list(points["title"]))
    assert [d["name"] for d in chart.spec["series"][0]["data"]] == list(points["title"])
    everything = {"selection": {"selected": [{"series_index": 0, "data_indices": list(range(len(points)))}],
                                "areas": [{"brush_type": "rect", "coord_range": [[-9, 9], [-9, 9]]}]}}
    assert charts.selected_keys(everything, chart) == list(dict.fromkeys(keys))   # a box's coordinates are not categories


def test_a_count_axis_ticks_at_whole_numbers_and_a_measure_axis_does_not():
    one_article = charts.category_chart(["2021-10"], [charts.Series("articles", [1])])
    assert one_article.spec["yAxis"]["minInterval"] == 1          # never "0.2 articles" on the axis
    per_article = charts.category_chart(["2021-10", "2021-11"], [charts.Series("net per article", [22.5, 5.0])])
    assert "minInterval" not in per_article.spec["yAxis"]
