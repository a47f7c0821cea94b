"""Bar, line and scatter charts drawn with Streamlit's native ECharts element, and cross-filtering from them.

Why ECharts rather than plotly for these charts
    First paint. Each chart library's JavaScript is loaded and compiled by
    the browser the first time a page shows one of its charts. plotly's is
    4.7 MB and ECharts' 1.2 MB; on the 2-core reference machine a one-chart
    Streamlit app paints in about 2.3 s with plotly and 1.45 s with ECharts
    in a fresh browser (``bench/browser_bench.py`` prints both floors). Every
    chart an analyst clicks is therefore ECharts, the document map included
    (canvas, box and lasso selection); plotly stays for the actor network,
    behind a section switch of the Actors page.

A chart is built as an ECharts option (a plain dict) together with the filter
value behind each of its bars or points (:class:`Chart`). :func:`draw` shows
it; clicking a bar (or brushing a range of periods on charts that allow it)
sets the sidebar filter ``field`` through
:func:`dashboard.state.apply_filter_values`, in the chart's ``on_select``
callback, so every page follows. What a selection picked is read by
:func:`selected_keys`, a pure function of the selection event.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field as dataclass_field

import streamlit as st
from plotly.colors import qualitative

from dashboard import state

MARGIN = {"left": 10, "right": 24, "top": 36, "bottom": 10}
ESCALATION, DEESCALATION, NEUTRAL, NET = "#d62728", "#2ca02c", "#1f4e79", "#222222"
ARTICLES_PER_PERIOD = "#5b7fa6"
#: Colours of categories without a meaning of their own (topic clusters, by id).
CATEGORY_PALETTE = qualitative.Dark24 + qualitative.Light24
SERIES_KINDS = ("bar", "line", "scatter")
ACTOR_TYPE_COLOURS = {"person": "#1f77b4", "organisation": "#2ca02c", "country": "#d62728"}


@dataclass(frozen=True)
class Series:
    """One series of a chart: its name, one value per category (``None``: no bar there) and its colour.

    ``keys`` are the filter values behind each bar (default: the category
    itself); a key may be a tuple of values (a period's first and last day).
    """

    name: str
    values: list
    colour: str | None = None
    kind: str = "bar"          # bar | line | scatter
    keys: list | None = None
    symbol: str | None = None  # scatter marker ("triangle", "diamond", …)


@dataclass(frozen=True)
class Chart:
    """An ECharts option and the filter values behind its items (``keys[series_index][data_index]``);
    ``category_keys`` are those behind each position of a category axis (what a brushed range covers)."""

    spec: dict
    keys: list = dataclass_field(default_factory=list)
    category_keys: list = dataclass_field(default_factory=list)


def _number(value):
    """A JSON-safe number (None for missing), as ECharts needs inline data to be."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number):
        return None
    return int(number) if number.is_integer() else round(number, 4)


def category_chart(categories: list, series: list[Series], *, horizontal: bool = False, stacked: bool = True,
                   value_title: str = "", category_title: str = "", value_format: str | None = None,
                   brush: bool = False, selectable: bool = True, legend: bool | None = None) -> Chart:
    """Bars (and lines or markers) over a category axis: periods, cluster labels, actors, signal categories.

    ``categories`` are the axis labels in drawing order (a horizontal chart
    draws the first at the bottom). ``stacked`` stacks the bar series
    (negative values stack downwards, so escalation and de-escalation share
    one bar). ``brush`` adds a range brush over the category axis (periods).
    ``value_format`` is a printf-style tooltip format (``"%,.1f"``).
    """
    if not categories:
        raise ValueError("a chart needs at least one category")
    for s in series:
        if s.kind not in SERIES_KINDS:
            raise ValueError(f"series {s.name!r}: kind must be one of {SERIES_KINDS}, not {s.kind!r}")
        if len(s.values) != len(categories):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(categories)} categories")
    labels = [str(c) for c in categories]
    category_axis = {"type": "category", "data": labels, "axisLabel": {"hideOverlap": True}}
    if horizontal:   # long labels (cluster labels, names) wrap at word boundaries within 240 px, never cut
        category_axis["axisLabel"] |= {"width": 240, "overflow": "break", "lineHeight": 12}
    if category_title:
        category_axis |= {"name": category_title, "nameLocation": "middle", "nameGap": 28}
    value_axis = {"type": "value", "name": value_title or None, "nameLocation": "middle",
                  "nameGap": 28 if horizontal else 44}
    values = [_number(v) for s in series for v in s.values]
    if all(v is None or float(v).is_integer() for v in values):
        value_axis["minInterval"] = 1   # counts: ticks at whole numbers (never "0.2 articles")
    out_series = []
    for s in series:
        item: dict = {"type": s.kind, "name": s.name, "data": [_number(v) for v in s.values]}
        if s.colour:
            item["itemStyle"] = {"color": s.colour}
            if s.kind == "line":
                item["lineStyle"] = {"color": s.colour}
        if s.kind == "bar" and stacked:
            item["stack"] = "total"
        if s.kind == "bar":
            item["barMaxWidth"] = 48
        if s.kind == "scatter":
            item["symbolSize"] = 14
            if s.symbol:
                item["symbol"] = s.symbol
        if s.kind == "line":
            item["connectNulls"] = True
        if selectable and s.kind == "bar":
            item["selectedMode"] = "single"
            item["select"] = {"itemStyle": {"borderColor": "#000", "borderWidth": 2}}
        out_series.append(item)
    spec: dict = {
        "animation": False,   # a filter change redraws at once (an analyst's tool, not a show)
        "grid": MARGIN | {"top": 40 if (legend if legend is not None else len(series) > 1) else 24},
        "tooltip": {"trigger": "axis" if len(series) > 1 else "item", "axisPointer": {"type": "shadow"}},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": out_series,
    }
    if value_format:
        spec["tooltip"]["valueFormatter"] = value_format
    if legend if legend is not None else len(series) > 1:
        spec["legend"] = {"top": 0, "type": "scroll"}
    if brush:
        spec["brush"] = {"xAxisIndex": 0, "toolbox": ["lineX", "clear"], "brushMode": "single",
                         "throttleType": "debounce", "throttleDelay": 300}
        spec["toolbox"] = {"right": 40, "top": 0, "feature": {"brush": {"type": ["lineX", "clear"]}}}
    keys = [list(s.keys) if s.keys is not None else list(categories) for s in series]
    category_keys = list(series[0].keys) if series and series[0].keys is not None else list(categories)
    return Chart(spec=spec, keys=keys, category_keys=category_keys)


def strip_chart(labels: list, values: list, *, name: str, colour: str = NEUTRAL, value_title: str = "",
                value_format: str | None = None, hover: list[str] | None = None) -> Chart:
    """One marker per value, in a column per label (several shares of GDP stated for one country).

    ``hover`` is an optional line of text per marker (shown in its tooltip).
    """
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} values")
    columns = list(dict.fromkeys(str(label) for label in labels))
    if not columns:
        raise ValueError("a chart needs at least one label")
    data = []
    for i, (label, value) in enumerate(zip(labels, values)):
        point = {"value": [str(label), _number(value)]}
        if hover:
            point["name"] = str(hover[i])
        data.append(point)
    spec = {
        "animation": False,
        "grid": MARGIN | {"top": 24},
        "tooltip": {"trigger": "item"} | ({"valueFormatter": value_format} if value_format else {}),
        "xAxis": {"type": "category", "data": columns, "axisLabel": {"hideOverlap": True}},
        "yAxis": {"type": "value", "name": value_title or None, "nameLocation": "middle", "nameGap": 44},
        "series": [{"type": "scatter", "name": name, "data": data, "symbolSize": 14, "symbol": "diamond",
                    "itemStyle": {"color": colour}}],
    }
    return Chart(spec=spec, keys=[list(labels)], category_keys=columns)


def point_map(x: list, y: list, *, keys: list, colours: list[str], hover: list[str]) -> Chart:
    """A map of points (the document map): position, colour and a hover text per point; ``keys`` are the
    filter values behind the points (cluster ids). Click a point, or draw a box or a lasso, to select."""
    if not (len(x) == len(y) == len(keys) == len(colours) == len(hover)):
        raise ValueError("x, y, keys, colours and hover must have one item per point")
    size = 9 if len(x) < 500 else 5
    data = [{"value": [_number(a), _number(b)], "name": str(text), "itemStyle": {"color": colour}}
            for a, b, text, colour in zip(x, y, hover, colours)]
    hidden = {"type": "value", "scale": True, "axisLabel": {"show": False}, "splitLine": {"show": False},
              "axisTick": {"show": False}, "axisLine": {"show": False}}
    spec = {
        "animation": False,
        "grid": MARGIN | {"top": 36},
        "tooltip": {"trigger": "item", "formatter": "{b}"},
        "xAxis": hidden, "yAxis": hidden,
        "series": [{"type": "scatter", "name": "articles", "data": data, "symbolSize": size,
                    "itemStyle": {"opacity": 0.8}, "selectedMode": "multiple",
                    "select": {"itemStyle": {"borderColor": "#000", "borderWidth": 1.5, "opacity": 1}}}],
        "brush": {"xAxisIndex": 0, "yAxisIndex": 0, "toolbox": ["rect", "polygon", "clear"],
                  "throttleType": "debounce", "throttleDelay": 300},
        "toolbox": {"right": 40, "top": 0, "feature": {"brush": {"type": ["rect", "polygon", "clear"]}}},
    }
    return Chart(spec=spec, keys=[list(keys)])


def with_target_lines(chart: Chart, targets: list[float], *, colour: str = "#b22222") -> Chart:
    """The chart with dashed horizontal lines at ``targets`` (NATO's GDP targets), labelled with their value."""
    spec = dict(chart.spec)
    series = [dict(s) for s in spec["series"]]
    series[0]["markLine"] = {"silent": True, "symbol": "none", "lineStyle": {"color": colour, "type": "dashed"},
                             "label": {"formatter": "{c}%", "position": "end"},
                             "data": [{"yAxis": t} for t in targets]}
    spec["series"] = series
    spec["grid"] = dict(spec.get("grid", MARGIN)) | {"right": 48}   # room for the lines' labels
    return Chart(spec=spec, keys=chart.keys, category_keys=chart.category_keys)


def _flatten(key) -> list:
    return list(key) if isinstance(key, (list, tuple)) else [key]


def selected_keys(event, chart: Chart) -> list:
    """The filter values behind what a selection event picked: clicked bars and brushed category ranges.

    ``event`` is what ``st.echarts_chart(..., on_select=...)`` gives (or a dict
    of the same shape: ``{"selection": {"selected": [{"series_index",
    "data_indices"}], "areas": [{"brush_type", "coord_range"}]}}``). Values
    come in order and without repeats; a missing or malformed event gives ``[]``.
    """
    try:
        selection = event["selection"]
        groups = selection.get("selected", []) if hasattr(selection, "get") else selection["selected"]
        areas = selection.get("areas", []) if hasattr(selection, "get") else []
    except (KeyError, TypeError, IndexError):
        return []
    values: list = []

    def add(key) -> None:
        for v in _flatten(key):
            if v is not None and v not in values:
                values.append(v)

    for group in groups or []:
        try:
            keys = chart.keys[int(group["series_index"])]
            indices = list(group["data_indices"])
        except (KeyError, TypeError, ValueError, IndexError):
            continue
        for i in indices:
            if isinstance(i, int) and 0 <= i < len(keys):
                add(keys[i])
    for area in areas or []:
        try:
            kind, span = area["brush_type"], area["coord_range"]
            low, high = (span[0] if kind == "rect" else span)[:2]
            first, last = max(0, math.ceil(float(low) - 0.5)), min(len(chart.category_keys) - 1, math.floor(float(high) + 0.5))
        except (KeyError, TypeError, ValueError, IndexError):
            continue
        if kind not in ("lineX", "rect"):
            continue
        for i in range(first, last + 1):
            add(chart.category_keys[i])
    return values


def _selection_key(key: str, field: str) -> str:
    """The element key of a chart for the current value of its own filter: when that filter changes (a click
    here, a chip, a link), the chart starts with nothing selected, so a click on the same bar selects it again
    instead of unselecting it. Charts of other filters keep their keys and are updated in place."""
    params = ("from", "to") if field == "date" else (field,)
    value = [(name, v) for name, _, v in state.current_view().filters.describe() if name in params]
    return f"{key}-{hashlib.blake2b(repr(value).encode(), digest_size=4).hexdigest()}"


def draw(chart: Chart, *, key: str, field: str | None = None, height: int = 360, container=None,
         renderer: str = "svg"):
    """Show ``chart``; with ``field``, selecting bars sets that sidebar filter (``date``: the periods' span).

    ``container`` is a column or container to draw into (default: the page). ``renderer`` is ``svg``
    (bars are elements a test or a screen reader can find) or ``canvas`` (thousands of points).
    """
    where = container if container is not None else st
    if field is None:
        return where.echarts_chart(chart.spec, key=key, height=height, renderer=renderer)
    element_key = _selection_key(key, field)

    def on_select() -> None:
        values = selected_keys(st.session_state.get(element_key), chart)
        if values:
            state.apply_filter_values(field, values)

    return where.echarts_chart(chart.spec, key=element_key, height=height, on_select=on_select, renderer=renderer)
