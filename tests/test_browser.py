"""The dashboard in a real browser (Debian chromium via Playwright), one `streamlit run` server for the module.

The server's store is the seed store plus one hostile article (script tags, an event-handler
attribute, a formula-like title), so the same server covers: every page with content and a
screenshot, cross-filtering from a chart click, a shared URL restoring a view across pages,
bad link parameters, the reader's jump to a sentence, the XSS check, an export opened and
checked for neutralised cells, and an upload of a mixed folder with its report.
"""
import csv
import io
import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from conftest import copy_store, start_streamlit, stop_streamlit
from st_e2e import echarts_bars, select_chart_bar, wait_chart_ready, wait_for_app_run
from test_uploads import mixed_upload_files

from dashboard.charts import ACTOR_TYPE_COLOURS, ARTICLES_PER_PERIOD, CATEGORY_PALETTE, ESCALATION
from pipeline.read.labels import label

pytestmark = pytest.mark.e2e
expect.set_options(timeout=15_000)   # a new session's first paint can take seconds on a busy 2-core machine

PAGES = [
    ("", "NATO–Russia tension monitor", "stEChartsChart"),
    ("topics", "Topic clusters", "stEChartsChart"),
    ("actors", "Actors", "stEChartsChart"),
    ("spending", "Spending tracker", "stEChartsChart"),
    ("tension", "Tension over time", "stDataFrame"),
    ("reader", "Article reader", "stHtml"),
    ("data", "Add & export data", "stDownloadButton"),
]
XSS_TITLE = '=HYPERLINK("http://evil.example","click") <script>window.__xss=4</script>'
XSS_TEXT = ("NATO warned Russia on Tuesday. <script>window.__xss = 1; alert('xss')</script> "
            "Moscow said it would respond. <img src=x onerror=\"window.__xss=2;alert(2)\"> "
            "The Kremlin threatened countermeasures against the alliance.\n\n"
            "<b onmouseover=\"window.__xss=3\">Bold claim</b> about 5 billion euros for defence.")


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory, seed_store):
    """A copy of the seed store plus the hostile article; returns (store, hostile article id)."""
    from pipeline import ingest, run

    path = copy_store(seed_store, tmp_path_factory.mktemp("browser_store"))
    report = run.run(store_dir=path, documents=[ingest.RawDocument("hostile.txt", XSS_TEXT, title=XSS_TITLE, date="2022-02-01")])
    assert report.count("added") == 1, report.results
    return path, report.results[0].article_id


@pytest.fixture(scope="module")
def server(hostile_store):
    """One server for the module; its log is checked for tracebacks and deprecation warnings at the end."""
    store_dir, _ = hostile_store
    base, proc, log = start_streamlit(store_dir)
    yield base
    output = stop_streamlit(proc, log)
    assert "Traceback" not in output, output
    assert "deprecat" not in output.lower(), output
    assert " WARNING " not in output and "Stack (most recent call last)" not in output, output


@pytest.fixture()
def app_url(server):
    return server


def assert_no_error(page):
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_role("dialog").count() == 0, page.get_by_role("dialog").first.inner_text()
    assert "Traceback" not in page.content()


def open_page(page, url, heading):
    page.goto(url)
    wait_for_app_run(page)
    expect(page.get_by_role("heading", name=heading).first).to_be_visible()


def click_nav(page, name, heading):
    page.get_by_role("link", name=name).first.click()
    expect(page.get_by_role("heading", name=heading).first).to_be_visible()
    page.wait_for_timeout(400)
    wait_for_app_run(page)


def params(page) -> dict:
    return parse_qs(urlparse(page.url).query)


def wait_params(page, expected: dict, timeout: float = 15.0) -> None:
    """Wait until the URL's query parameters are ``expected`` (the run that sets a filter writes them)."""
    deadline = time.monotonic() + timeout
    while params(page) != expected and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert params(page) == expected


@pytest.mark.parametrize("path, title, content", PAGES)
def test_page_shows_content_in_a_real_browser(app_url, page, screenshots_dir, path, title, content):
    open_page(page, f"{app_url}/{path}", title)
    main = page.get_by_test_id(content)
    if content in ("stPlotlyChart", "stEChartsChart", "stDataFrame"):   # a chart or a table is a stage page's content
        main = (page.get_by_test_id("stPlotlyChart").or_(page.get_by_test_id("stEChartsChart"))
                .or_(page.get_by_test_id("stDataFrame")))
    expect(main.first).to_be_visible(timeout=15_000)
    if page.get_by_test_id("stPlotlyChart").count():
        expect(page.get_by_test_id("stPlotlyChart").first.locator(".main-svg").first).to_be_visible()
    if page.get_by_test_id("stEChartsChart").count():   # drawn: its SVG has paths (a map: its canvas)
        expect(page.get_by_test_id("stEChartsChart").first.locator("svg path, canvas").first).to_be_attached()
    page.wait_for_timeout(500)
    assert_no_error(page)
    page.screenshot(path=str(screenshots_dir / f"{path or 'overview'}.png"), full_page=True)


def test_cross_filter_from_a_chart_click_follows_to_other_pages(app_url, page, screenshots_dir):
    open_page(page, app_url, "NATO–Russia tension monitor")
    chart = page.get_by_test_id("stEChartsChart").first
    wait_chart_ready(chart)
    assert len(echarts_bars(chart, ESCALATION)) >= 4
    select_chart_bar(page, chart, lambda c: echarts_bars(c, ESCALATION)[3])
    chip = page.locator(".st-key-filter-chips button").filter(has_text="Signal:").first
    expect(chip).to_be_visible()
    category = chip.inner_text().split("Signal:")[1].replace("close", "").strip()   # its label, in words
    expect(page).to_have_url(re.compile(r"\?signal=[a-z_]+$"))
    category_id = page.url.split("signal=")[1]
    assert label("signal_category", category_id) == category
    page.screenshot(path=str(screenshots_dir / "overview_cross_filtered.png"), full_page=True)
    click_nav(page, "Tension over time", "Tension over time")
    wait_params(page, {"signal": [category_id]})
    expect(page.locator(".st-key-filter-chips")).to_contain_text(f"Signal: {category}")
    expect(page.locator("[data-testid='stDataFrame'] td").filter(has_text=category).first).to_be_attached()
    page.locator(".st-key-chip-clear-all button").click()
    expect(page.locator(".st-key-filter-chips")).to_have_count(0)
    expect(page).to_have_url(f"{app_url}/tension")
    assert_no_error(page)


def test_clicking_an_actor_bar_filters_by_that_actor(app_url, page):
    open_page(page, f"{app_url}/actors", "Actors")
    chart = page.get_by_test_id("stEChartsChart").first
    wait_chart_ready(chart)
    assert echarts_bars(chart, ACTOR_TYPE_COLOURS["country"]), "no country bar"
    select_chart_bar(page, chart, lambda c: echarts_bars(c, ACTOR_TYPE_COLOURS["country"])[0])
    expect(page.locator(".st-key-filter-chips button").filter(has_text="Actor:").first).to_be_visible()
    assert_no_error(page)


def test_clicking_a_topic_on_the_timeline_filters_by_that_cluster(app_url, page, seed_tables):
    articles = seed_tables["articles"]
    dated = articles[(articles["date"].fillna("") != "") & (articles["cluster_id"] >= 0)]   # on the timeline
    topic = dated.iloc[0]
    open_page(page, f"{app_url}/topics", "Topic clusters")
    chart = page.locator("[class*='st-key-topics-time'] [data-testid='stEChartsChart']").first
    colour = CATEGORY_PALETTE[int(topic["cluster_id"])]
    wait_chart_ready(chart)
    assert echarts_bars(chart, colour), "no bar of that topic on the timeline"
    select_chart_bar(page, chart, lambda c: echarts_bars(c, colour)[0])
    chip = page.locator(".st-key-filter-chips button").filter(has_text="Cluster:").first
    expect(chip).to_contain_text(f"(#{int(topic['cluster_id'])})")
    assert_no_error(page)


def test_clicking_a_month_keeps_its_dates_on_every_page(app_url, page):
    open_page(page, app_url, "NATO–Russia tension monitor")
    chart = page.locator("[class*='st-key-overview-time'] [data-testid='stEChartsChart']").first
    wait_chart_ready(chart)
    assert echarts_bars(chart, ARTICLES_PER_PERIOD), "no month bar"
    # periods run left to right: the first is October 2021
    select_chart_bar(page, chart, lambda c: min(echarts_bars(c, ARTICLES_PER_PERIOD), key=lambda bar: bar.bounding_box()["x"]))
    wait_params(page, {"from": ["2021-10-01"], "to": ["2021-10-31"]})
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("3")   # two October articles + the undated one
    click_nav(page, "Topic clusters", "Topic clusters")
    expect(page.locator(".st-key-filter-chips")).to_contain_text("From 2021-10-01")
    assert_no_error(page)


def test_shared_url_restores_the_view_and_survives_navigation(app_url, page, browser):
    open_page(page, f"{app_url}/actors?actor=Dmitry+Peskov", "Actors")
    click_nav(page, "Overview", "NATO–Russia tension monitor")
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("2")
    expect(page.locator(".st-key-filter-chips")).to_contain_text("Actor: Dmitry Peskov")
    wait_params(page, {"actor": ["Dmitry Peskov"]})
    address_bar = page.url
    assert urlparse(address_bar).path in ("", "/"), address_bar
    # "Link to this view" says the same.
    page.get_by_text("Link to this view").click()
    # (waits out a script run still in progress: its elements are the previous run's until it ends)
    expect(page.locator(".st-key-share-link")).to_contain_text("actor=Dmitry+Peskov")
    shared = page.locator(".st-key-share-link").inner_text().strip()
    assert urlparse(shared).path in ("", "/") and parse_qs(urlparse(shared).query) == {"actor": ["Dmitry Peskov"]}, shared
    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()   # a colleague opens the address
    try:
        open_page(other, address_bar, "NATO–Russia tension monitor")
        expect(other.get_by_test_id("stMetricValue").first).to_have_text("2")
        expect(other.locator(".st-key-filter-chips")).to_contain_text("Actor: Dmitry Peskov")
        assert_no_error(other)
    finally:
        other.context.close()


def test_a_filter_survives_a_chip_removal_and_page_switches(app_url, page):
    # Issue 8: after a page switch the browser could draw the sidebar's Actor box empty while the server still
    # filtered; the next click (here the chip) then sent the empty box back and the filter was lost, the address
    # bar still naming it. The sidebar widget itself must show the value after each switch.
    open_page(page, f"{app_url}/actors?actor=Dmitry+Peskov&from=2021-01-01", "Actors")
    click_nav(page, "Overview", "NATO–Russia tension monitor")
    expect(page.locator(".st-key-filter-chips")).to_contain_text("Actor: Dmitry Peskov")
    expect(page.locator("[data-testid='stSidebar'] .st-key-actor")).to_contain_text("Dmitry Peskov")
    page.locator(".st-key-chip-from-2021-01-01 button").first.click()
    wait_params(page, {"actor": ["Dmitry Peskov"]})
    click_nav(page, "Tension over time", "Tension over time")
    wait_params(page, {"actor": ["Dmitry Peskov"]})
    click_nav(page, "Overview", "NATO–Russia tension monitor")
    wait_params(page, {"actor": ["Dmitry Peskov"]})
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("2")
    expect(page.locator(".st-key-filter-chips")).to_contain_text("Actor: Dmitry Peskov")
    expect(page.locator("[data-testid='stSidebar'] .st-key-actor")).to_contain_text("Dmitry Peskov")
    page.get_by_text("Link to this view").click()
    expect(page.locator(".st-key-share-link")).to_contain_text("actor=Dmitry+Peskov")
    assert "from=" not in page.locator(".st-key-share-link").inner_text()


def test_bad_link_parameters_are_ignored_with_a_notice(app_url, page):
    open_page(page, f"{app_url}/?actor=Nobody+Known&cluster=no+such+cluster", "NATO–Russia tension monitor")
    expect(page.get_by_test_id("stAlert").filter(has_text="'Nobody Known'")).to_be_visible()
    expect(page.get_by_test_id("stAlert").filter(has_text="'no such cluster'")).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("6")
    assert_no_error(page)


def test_reader_highlights_explain_themselves_and_links_jump_to_the_sentence(app_url, page, seed_tables, screenshots_dir):
    signal = seed_tables["signals"].sort_values("start").iloc[-1]
    open_page(page, f"{app_url}/reader?article={signal['article_id']}&at={int(signal['start'])}", "Article reader")
    expect(page.get_by_text("Linked sentence:")).to_be_visible()
    mark = page.locator("mark.hl").first
    expect(mark).to_be_visible()
    assert "signal:" in "".join(m.get_attribute("title") for m in page.locator("mark.hl").all())
    expect(page.locator("#reader-focus")).to_be_attached()
    expect(page.locator("#reader-focus")).to_be_in_viewport()
    page.screenshot(path=str(screenshots_dir / "reader_linked_sentence.png"))
    assert_no_error(page)


def test_script_bearing_article_is_shown_as_text_and_nothing_runs(app_url, page, hostile_store, screenshots_dir):
    _, hostile_id = hostile_store
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_page(page, f"{app_url}/reader?article={hostile_id}", "Article reader")
    text = page.locator(".article-text")
    expect(text).to_contain_text("<script>window.__xss = 1; alert('xss')</script>")
    expect(text).to_contain_text('<img src=x onerror="window.__xss=2;alert(2)">')
    text.get_by_text("Bold claim").first.hover()
    page.wait_for_timeout(500)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []
    assert page.locator(".article-text script, .article-text img, .article-text b").count() == 0
    page.screenshot(path=str(screenshots_dir / "reader_xss.png"), full_page=True)
    assert_no_error(page)


def test_export_download_is_excel_safe(app_url, page, tmp_path):
    open_page(page, f"{app_url}/data", "Add & export data")
    button = page.locator(".st-key-csv-articles button")
    expect(button).to_be_visible()
    with page.expect_download() as info:
        button.click()
    path = tmp_path / "articles.csv"
    info.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 6
    titles = {r["title"] for r in rows}
    assert "'" + XSS_TITLE in titles and XSS_TITLE not in titles
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
    with page.expect_download() as info:
        page.locator(".st-key-brief button").click()
    brief = info.value.path().read_text(encoding="utf-8")
    assert brief.startswith("# NATO–Russia tension brief") and "<script>" not in brief
    assert f"{app_url}/reader?article=" in brief


def test_upload_of_a_mixed_folder_reports_each_file_and_pages_update(app_url, page, screenshots_dir):
    open_page(page, f"{app_url}/data", "Add & export data")
    files = mixed_upload_files()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        [{"name": name, "mimeType": "application/octet-stream", "buffer": data} for name, data in files])
    expect(page.get_by_text("notes.txt")).to_be_visible()
    page.wait_for_timeout(500)
    page.locator(".st-key-upload-run button").click()
    success = page.get_by_test_id("stAlert").filter(has_text="Last upload:")
    expect(success).to_be_visible(timeout=120_000)
    summary = success.inner_text()
    assert "4 added" in summary and "1 duplicates" in summary and "rejected" in summary, summary
    expect(page.get_by_test_id("stDataFrame").last).to_be_visible()
    page.wait_for_timeout(500)
    page.screenshot(path=str(screenshots_dir / "data_after_upload.png"), full_page=True)
    click_nav(page, "Overview", "NATO–Russia tension monitor")
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("10")          # 6 shared + 4 uploaded
    other = page.context.browser.new_context(viewport={"width": 1280, "height": 900}).new_page()   # other users: shared store
    try:
        open_page(other, app_url, "NATO–Russia tension monitor")
        expect(other.get_by_test_id("stMetricValue").first).to_have_text("6")
    finally:
        other.context.close()
    assert_no_error(page)


def test_spending_page_is_a_ledger_of_claims(app_url, page, screenshots_dir):
    """Issue #19: the NATO Innovation Fund, reported in euros (2021-10-22) and in dollars (an undated page), is one
    claim at EUR 1 bn; "thousands of" armored vehicles is a claim with its words and no value."""
    open_page(page, f"{app_url}/spending", "Spending tracker")
    expect(page.get_by_role("heading", name="The ledger: one row per claim")).to_be_visible()
    ledger = page.get_by_test_id("stDataFrame").nth(1)
    expect(ledger.locator("td").filter(has_text="EUR 1.00 bn").first).to_be_attached()
    assert ledger.locator("td").filter(has_text="EUR 1.00 bn").count() == 1
    assert ledger.locator("td").filter(has_text="USD 1.00 bn").count() == 0   # the dollar report joined the claim
    vague = ledger.locator("tr").filter(has_text="thousands of additional armored vehicles")
    expect(vague.first).to_be_attached()
    assert "2,000" not in vague.first.inner_text() and "2000" not in vague.first.inner_text()
    page.wait_for_timeout(500)
    page.screenshot(path=str(screenshots_dir / "spending_ledger_top.png"))
    # the claim's articles, one choice away: the fund's two reports with links to the reader
    box = page.get_by_test_id("stSelectbox").filter(has_text="Claim")
    box.scroll_into_view_if_needed()
    box.get_by_role("combobox").click()
    page.get_by_role("option").filter(has_text="EUR 1.00 bn — NATO").first.click()
    wait_for_app_run(page)
    reports = page.get_by_test_id("stDataFrame").last
    # the dollar report's page gives no publication date (its only date is a photo caption's, issue #16)
    expect(reports.locator("td").filter(has_text="Details Agenda for Defense Meeting").first).to_be_attached()
    expect(reports.locator("td").filter(has_text="2021-10-22").first).to_be_attached()
    assert_no_error(page)
    page.screenshot(path=str(screenshots_dir / "spending_ledger.png"), full_page=True)
