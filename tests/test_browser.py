"""Every page of `streamlit run dashboard/app.py` in a real browser (Debian chromium via Playwright).

Each page must show its title and its main content, no exception or traceback, and leaves a
screenshot in artifacts/screenshots/ for a person to look at.
"""
import pytest
from playwright.sync_api import expect

from st_e2e import wait_for_app_run

pytestmark = pytest.mark.e2e

PAGES = [
    ("", "NATO–Russia tension monitor", "stPlotlyChart"),
    ("topics", "Topic clusters", "stPlotlyChart"),
    ("actors", "Actors", "stPlotlyChart"),
    ("spending", "Spending tracker", "stDataFrame"),
    ("tension", "Tension over time", "stDataFrame"),
    ("reader", "Article reader", "stHtml"),
]


def assert_no_error(page):
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_role("dialog").count() == 0, page.get_by_role("dialog").first.inner_text()
    assert "Traceback" not in page.content()


@pytest.mark.parametrize("path, title, content", PAGES)
def test_page_shows_content_in_a_real_browser(app_url, page, screenshots_dir, path, title, content):
    page.goto(f"{app_url}/{path}")
    wait_for_app_run(page)
    expect(page.get_by_role("heading", name=title).first).to_be_visible()
    expect(page.get_by_test_id(content).first).to_be_visible()
    if content == "stPlotlyChart":
        expect(page.get_by_test_id(content).first.locator(".main-svg").first).to_be_visible()
    page.wait_for_timeout(500)
    assert_no_error(page)
    page.screenshot(path=str(screenshots_dir / f"{path or 'overview'}.png"), full_page=True)


def test_filter_from_a_link_survives_page_navigation(app_url, page):
    page.goto(f"{app_url}/actors?actor=Dmitry+Peskov")
    wait_for_app_run(page)
    expect(page.get_by_role("heading", name="Actors").first).to_be_visible()
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="NATO–Russia tension monitor")).to_be_visible()
    wait_for_app_run(page)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("2")
    assert_no_error(page)


def test_reader_highlights_explain_themselves(app_url, page):
    page.goto(f"{app_url}/reader")
    wait_for_app_run(page)
    mark = page.locator("mark.hl").first
    expect(mark).to_be_visible()
    assert mark.get_attribute("title")
