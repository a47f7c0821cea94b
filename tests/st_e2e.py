"""Browser-test constants and helpers (Debian chromium driven by Playwright)."""
import os
import sys

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def wait_for_app_run(page, timeout: int = 30_000) -> None:
    """Wait until the websocket is connected and the script has finished running."""
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(state="attached", timeout=timeout)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(state="attached", timeout=timeout)


def wait_chart_ready(chart, quiet_ms: int = 400, timeout: int = 30_000) -> None:
    """Wait until an ECharts chart has its option (``aria-busy`` false) and has stopped redrawing: its SVG unchanged
    (same markup, same place) for ``quiet_ms``, with the page's web fonts loaded."""
    chart.page.evaluate("document.fonts.ready.then(() => true)")
    chart.locator("svg path").first.wait_for(state="attached", timeout=timeout)
    chart.evaluate(
        """(el, quiet) => new Promise(resolve => {
            const snap = () => { const svg = el.querySelector('svg'); const r = el.getBoundingClientRect();
                                 return el.getAttribute('aria-busy') + (svg ? svg.outerHTML : '') + '|' +
                                        [r.x, r.y, r.width, r.height].join(','); };
            let last = snap(), since = performance.now();
            const tick = () => { const now = snap();
                if (now !== last || el.getAttribute('aria-busy') === 'true') { last = now; since = performance.now(); }
                if (performance.now() - since >= quiet) resolve(true); else requestAnimationFrame(tick); };
            requestAnimationFrame(tick);
        })""", quiet_ms, timeout=timeout)


def select_chart_bar(page, chart, pick, attempts: int = 3, delivered_within: int = 5_000) -> None:
    """Click the bar ``pick(chart)`` returns, so that the selection reaches the server (a script run starts).

    Why not one click: on a busy machine, the first charts a fresh server draws sometimes take a click without
    passing it on. ECharts shows the bar as selected, but Streamlit's chart element sends no selection, so no
    script run starts and the app never hears of it (measured: 3 of 8 first sessions under CPU load; never once
    the session has run). That is a race inside Streamlit's chart element, not in the app. A click that started
    no run within ``delivered_within`` ms is therefore retried on a reloaded page (same URL, same view), at most
    ``attempts`` times. What the click then does is left to the test to check.
    """
    for attempt in range(attempts):
        wait_chart_ready(chart)
        page.evaluate("""() => { window.__runStarted = false;
            const app = document.querySelector("[data-testid='stApp']");
            new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__runStarted = true; })
                .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }""")
        click_bar(page, pick(chart))
        try:
            page.wait_for_function("() => window.__runStarted === true", timeout=delivered_within)
        except Exception:   # playwright's TimeoutError: the click never reached the server
            if attempt == attempts - 1:
                raise AssertionError(f"{attempts} clicks on a chart bar, none reached the server") from None
            print(f"select_chart_bar: click {attempt + 1} started no run; reloading", file=sys.stderr)
            page.reload()
            wait_for_app_run(page)
            continue
        wait_for_app_run(page)
        return


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
