"""Search box → results → a link that restores it, and the Alerts page, in a real browser (Debian chromium)."""
import shutil
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from conftest import start_streamlit, stop_streamlit
from st_e2e import wait_for_app_run
from test_browser import assert_no_error, click_nav, open_page, wait_params

from pipeline import alerts
from pipeline.read import search

pytestmark = pytest.mark.e2e
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def search_server(tmp_path_factory, seed_store):
    path = tmp_path_factory.mktemp("search_browser_store")
    for f in seed_store.iterdir():
        shutil.copy2(f, path / f.name)
    alerts.add_seed_watchlists(path)
    base, proc, log = start_streamlit(path)
    yield base, path
    output = stop_streamlit(proc, log)
    assert "Traceback" not in output, output


def test_search_box_results_and_link_restore_it(search_server, page, browser, screenshots_dir):
    base, path = search_server
    n = len(search.matching_ids(path, "Peskov"))
    open_page(page, base, "NATO–Russia tension monitor")
    box = page.locator("[data-testid='stSidebar'] .st-key-q input")
    box.fill("Peskov")
    box.press("Enter")
    expect(page.locator(".st-key-filter-chips")).to_contain_text("Search: Peskov")
    expect(page.get_by_test_id("stMetricValue").first).to_have_text(str(n))
    wait_params(page, {"q": ["Peskov"]})
    click_nav(page, "Search and attention", "Search and attention")
    marks = page.locator("[data-testid='stHtml'] mark")
    expect(marks.first).to_have_text("Peskov")
    assert marks.count() >= n
    page.screenshot(path=str(screenshots_dir / "search_results.png"), full_page=True)
    wait_params(page, {"q": ["Peskov"]})
    page.get_by_text("Link to this view").click()
    expect(page.locator(".st-key-share-link")).to_contain_text("q=Peskov")
    shared = page.locator(".st-key-share-link").inner_text().strip()
    assert parse_qs(urlparse(shared).query) == {"q": ["Peskov"]}, shared
    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        open_page(other, page.url, "Search and attention")
        expect(other.locator("[data-testid='stSidebar'] .st-key-q input")).to_have_value("Peskov")
        expect(other.locator("[data-testid='stHtml'] mark").first).to_have_text("Peskov")
        assert_no_error(other)
    finally:
        other.context.close()
    assert_no_error(page)


def test_a_malformed_query_is_explained_in_the_sidebar(search_server, page):
    base, _ = search_server
    open_page(page, base, "NATO–Russia tension monitor")
    box = page.locator("[data-testid='stSidebar'] .st-key-q input")
    box.fill('NATO AND (Poland')
    box.press("Enter")
    expect(page.locator("[data-testid='stSidebar']")).to_contain_text("missing closing parenthesis")
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("5")
    assert_no_error(page)


def test_alerts_page_shows_the_example_watchlist(search_server, page, screenshots_dir):
    base, path = search_server
    w = alerts.watchlists(path)[0]
    n = len(alerts.alerts(path, w.name, unread_only=True))
    open_page(page, f"{base}/alerts", "Alerts and watchlists")
    expect(page.get_by_role("heading", name=f"{w.name} · {n} new")).to_be_visible()
    wait_for_app_run(page)
    expect(page.locator("[data-testid='stSidebar'] .st-key-q input")).to_be_visible()
    page.screenshot(path=str(screenshots_dir / "alerts.png"), full_page=True)
    page.locator(f".st-key-wl-read-{w.watchlist_id} button").click()
    expect(page.get_by_role("heading", name=f"{w.name} · 0 new")).to_be_visible()
    assert_no_error(page)


def test_alerts_page_shows_a_watchlists_tension_spike(tmp_path, page, screenshots_dir):
    from test_alerts import spike_store

    path = spike_store(tmp_path / "spike_store")
    alerts.evaluate(path)
    spike = alerts.alerts(path, "Tension").query("kind == 'spike'")
    assert len(spike) == 1 and spike["title"].iloc[0]
    base, proc, log = start_streamlit(path)
    try:
        open_page(page, f"{base}/alerts", "Alerts and watchlists")
        w = alerts.get(path, "Tension")
        box = page.locator(f".st-key-wl-{w.watchlist_id}")
        expect(box).to_contain_text(f"Tension spike: {spike['title'].iloc[0][:40]}")
        expect(box.locator("li").first).to_contain_text("Tension spike:")   # spikes come first
        expect(box.locator("li").first).to_contain_text("2022-03-06")
        box.scroll_into_view_if_needed()
        box.screenshot(path=str(screenshots_dir / "alerts_tension_spike.png"))
        assert_no_error(page)
    finally:
        output = stop_streamlit(proc, log)
    assert "Traceback" not in output, output
