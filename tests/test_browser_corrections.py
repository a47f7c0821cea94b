"""An analyst corrects a signal in the Article reader of a real browser (Debian chromium), and the Overview's
tension figures change at once (issue #18, analyst corrections)."""
import re

import pytest
from playwright.sync_api import expect

from conftest import served_seed_copy
from st_e2e import wait_for_app_run
from test_browser import assert_no_error, open_page

from pipeline import corrections
from pipeline.read.tables import load_tables

pytestmark = pytest.mark.e2e
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def server(tmp_path_factory, seed_store):
    with served_seed_copy(tmp_path_factory, seed_store, "corrections_browser_store") as base_and_path:
        yield base_and_path


def overview_signals(page, base) -> int:
    open_page(page, base, "NATO–Russia tension monitor")
    line = page.get_by_text(re.compile(r"^\d+ signals — tension score")).first
    expect(line).to_be_visible()
    return int(line.inner_text().split()[0])


def test_marking_a_signal_wrong_in_the_reader_changes_the_overview(server, page, screenshots_dir):
    base, path = server
    before = overview_signals(page, base)
    tables = load_tables(path)
    article = tables["articles"].loc[tables["articles"]["title"].str.startswith("NATO meeting in Brussels")].iloc[0]
    first = tables["signals"].loc[tables["signals"]["article_id"] == article["article_id"]].iloc[0]
    open_page(page, f"{base}/reader?article={article['article_id']}", "Article reader")
    page.get_by_text("Correct a signal, or add one the coder missed").click()
    note = page.get_by_label("Note (optional)")
    expect(note).to_be_visible()
    note.fill("not an event: a statement of preparedness")
    note.press("Enter")
    wait_for_app_run(page)
    form = page.get_by_test_id("stExpander").filter(has_text="Correct a signal").first
    form.scroll_into_view_if_needed()
    form.screenshot(path=str(screenshots_dir / "reader_correction_form.png"))
    page.get_by_role("button", name="Save correction").click()
    wait_for_app_run(page)
    expect(page.get_by_text(re.compile("Saved: mark a signal wrong"))).to_be_visible()
    stored = corrections.read(path)
    assert list(stored["action"]) == ["wrong"]
    assert (stored.iloc[0]["article_id"], stored.iloc[0]["start"]) == (article["article_id"], first["start"])
    assert stored.iloc[0]["note"] == "not an event: a statement of preparedness"
    form.screenshot(path=str(screenshots_dir / "reader_correction_saved.png"))
    assert_no_error(page)
    assert overview_signals(page, base) == before - 1
    assert_no_error(page)
