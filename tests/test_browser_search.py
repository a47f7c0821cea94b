"""Search box → results → a link that restores it, and the Alerts page, in a real browser (Debian chromium)."""
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from conftest import served, served_seed_copy
from st_e2e import wait_for_app_run
from test_browser import assert_no_error, click_nav, open_page, wait_params

from pipeline import alerts
from pipeline.read import search

pytestmark = pytest.mark.e2e
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def search_server(tmp_path_factory, seed_store):
    with served_seed_copy(tmp_path_factory, seed_store, "search_browser_store",
                          prepare=alerts.add_seed_watchlists) as base_and_path:
        yield base_and_path


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


def test_a_tension_spike_alert_is_shown_on_the_alerts_page(tmp_path, page, screenshots_dir):
    """Real GDELT articles of 25 January to 5 February 2022 (tests/fixtures/news): the watchlist's tension
    index spikes on 3 February, and the Alerts page lists the articles behind it as "Tension spike"."""
    from conftest import gdelt_articles
    from pipeline import run
    from pipeline.ingest import RawDocument

    store_dir = tmp_path / "spike_store"
    docs = [RawDocument(a["id"], a["text"], title=a["title"], date=a["date"][:10], source=a["country"])
            for a in gdelt_articles() if a["date"] < "2022-02-06"]
    run.run(store_dir=store_dir, documents=docs)
    alerts.save(store_dir, "Russia and Ukraine", "Russia OR Ukraine OR Kremlin OR Kyiv OR NATO")
    alerts.evaluate(store_dir)
    spikes = alerts.alerts(store_dir, "Russia and Ukraine").query("kind == 'spike'")
    assert len(spikes)
    with served(store_dir) as base:
        open_page(page, f"{base}/alerts", "Alerts and watchlists")
        wait_for_app_run(page)
        items = page.get_by_text("Tension spike:")
        expect(items.first).to_be_visible()
        assert items.count() == len(spikes)
        expect(page.get_by_text(spikes.iloc[0]["title"] or spikes.iloc[0]["article_id"], exact=False).first).to_be_visible()
        assert_no_error(page)
        page.screenshot(path=str(screenshots_dir / "alerts_spike.png"), full_page=True)
