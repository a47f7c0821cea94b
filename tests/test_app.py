"""Every page renders on the seed store (AppTest, in-process), and the sidebar filters change what it shows."""
import json

import pytest
from streamlit.testing.v1 import AppTest

ENTRY = "../dashboard/app.py"
PAGES = ["overview", "topics", "actors", "spending", "tension", "reader"]


@pytest.fixture()
def app(seed_store, monkeypatch):
    monkeypatch.setenv("NEWSINTEL_STORE", str(seed_store))
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def open_page(at, name):
    at.switch_page(f"views/{name}.py").run()
    assert not at.exception, at.exception
    return at


def texts(at):
    """All text a person would read on the page (titles, markdown, captions, metrics, infos)."""
    parts = [t.value for t in at.title] + [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [str(m.value) for m in at.metric] + [i.value for i in at.info] + [s.value for s in at.subheader]
    return "\n".join(parts)


@pytest.mark.parametrize("name, title", [
    ("overview", "NATO–Russia tension monitor"), ("topics", "Topic clusters"), ("actors", "Actors"),
    ("spending", "Spending tracker"), ("tension", "Tension over time"), ("reader", "Article reader"),
])
def test_each_page_renders_with_content(app, name, title):
    open_page(app, name)
    assert app.title[0].value == title
    assert len(app.get("plotly_chart")) + len(app.dataframe) + len(app.get("html")) > 0


def test_overview_counts_the_five_seeds(app):
    assert app.metric[0].value == "5"
    assert "Latest articles" in texts(app)


def test_actor_filter_changes_the_overview(app):
    app.sidebar.multiselect(key="actor").set_value(["Dmitry Peskov"]).run()
    assert not app.exception
    assert app.metric[0].value == "2"


def test_date_filter_with_no_match_says_what_to_do(app):
    import datetime as dt

    app.sidebar.date_input(key="from").set_value(dt.date(2030, 1, 1)).run()
    app.sidebar.checkbox(key="undated").uncheck().run()
    assert "No articles match the filters" in texts(app)


def test_signal_filter_changes_the_tension_page(app):
    open_page(app, "tension")
    before = len(app.dataframe[0].value)
    category = app.sidebar.multiselect(key="signal").options[0]
    app.sidebar.multiselect(key="signal").set_value([category]).run()
    after = app.dataframe[0].value
    assert 0 < len(after) < before or set(after["category"]) == {category}


def test_reader_shows_highlights_and_boilerplate_apart(app):
    open_page(app, "reader")
    html_blocks = [h.proto.body for h in app.get("html")]
    assert any('<mark class="hl' in b for b in html_blocks)
    assert "Page furniture removed" in texts(app) or any("furniture" in b for b in html_blocks)


def test_overview_signal_chart_is_a_bar_chart(app):
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert spec["data"][0]["type"] == "bar"
