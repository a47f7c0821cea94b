"""Browser-test constants and helpers (Debian chromium driven by Playwright)."""
import os

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def wait_for_app_run(page, timeout: int = 30_000) -> None:
    """Wait until the websocket is connected and the script has finished running."""
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(state="attached", timeout=timeout)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(state="attached", timeout=timeout)


def echarts_bars(chart, colour: str) -> list:
    """An ECharts chart's bars of one colour (SVG renderer), as locators, legend symbols left out.

    ``chart`` is the ``stEChartsChart`` element. The legend sits within the
    top 40 px of the chart (``dashboard.charts`` puts it there); a bar may
    reach up into that band but always ends below it.
    """
    chart.scroll_into_view_if_needed()
    top = chart.bounding_box()["y"]
    bars = []
    for path in chart.locator(f"svg path[fill='{colour}']").all():
        box = path.bounding_box()
        if box and box["width"] >= 2 and box["height"] >= 2 and box["y"] + box["height"] > top + 40:
            bars.append(path)
    return bars


def click_bar(page, bar) -> None:
    """Click the middle of a bar (scrolled into view first)."""
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
