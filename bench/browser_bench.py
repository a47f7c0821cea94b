"""Browser benchmark of the dashboard: first paint per page, filter change → updated chart, peak RSS.

Drives ``streamlit run dashboard/app.py`` with Playwright (Debian chromium) on a store of real
articles — by default ``.store/bench10k``, built by ``bench/build_bench_store.py`` from 10,000
documents of ``../shared/data`` (the scale pool). It prints what the store holds (including how
many articles the per-article stages annotated) so the figures can be read honestly.

    .venv/bin/python bench/browser_bench.py --store .store/bench10k --runs 3

Figures:
- cold first paint: the first page of the first session (the server reads the store into its cache);
- first paint per page, three ways an analyst meets a page (median of ``--runs``, the pages taken in turn),
  each until its title, its first chart or table (drawn: a chart's SVG or canvas, a table's grid) and the end of the
  script run are on screen:
  new browser (a fresh browser profile: nothing cached, Streamlit's and the chart libraries' scripts
  downloaded and compiled: a first visit), new tab (a new tab of a browser that has been on the app
  before: scripts from its cache; a new Streamlit session all the same), and page switch (a click on
  the page's link in the sidebar of an open session: what navigating the app costs);
  and, for the new browser, "all drawn": until every chart and table of the page's first run is drawn
  (the Topic clusters page's document map comes after its table);
- the floor: the same new-browser first paint of a one-line Streamlit app (title and a 3-row table),
  and of the same with one 3-bar chart in plotly and in ECharts, on this machine, so the app's own
  cost can be told from the framework's (the floor app gets the dashboard's TCP_NODELAY fix and runs
  with its ``.streamlit/config.toml``, so only the page differs);
- filter change: click a bar of the Overview's signal chart → the filter chip and every redrawn chart
  are on screen; and "Clear all" → charts redrawn (median of ``--runs`` each); the same on the Topic
  clusters page with a topic's bar on its timeline and with a row of its cluster list (the map, the list
  and the timeline follow). A click on an ECharts chart reaches the server after Streamlit's own 150 ms
  debounce of chart selections (``useEChartsSelections`` in Streamlit 1.67's frontend); a click on a
  table row or a chip does not wait;
- a static script fetched over a kept-alive connection (ms per request: the TCP_NODELAY check);
- peak RSS of the streamlit process (VmHWM from /proc) at the end.
Times are taken in the page (``performance.now()``, a MutationObserver and the next animation
frame), from the navigation's start (or the press of the click: its pointerdown event's time stamp, so
Playwright's scrolling and measuring before it do not count) to the frame that shows the last of those
things: Playwright's own waiting polls at intervals of up to a second and would add that to the
figures. Playwright then waits for the same state as a check.
Goals from issue 8: first paint ≤ 2 s, filter change ≤ 0.5 s, peak memory ≤ 1 GB.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from st_e2e import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PAGES = [("", "NATO–Russia tension monitor"), ("topics", "Topic clusters"), ("actors", "Actors"),
         ("spending", "Spending tracker"), ("tension", "Tension over time"), ("reader", "Article reader"),
         ("data", "Add & export data")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


NAV_LABELS = {"": "Overview", "topics": "Topic clusters", "actors": "Actors", "spending": "Spending tracker",
              "tension": "Tension over time", "reader": "Article reader", "data": "Add & export data"}


def start_server(store_dir: Path | None, app: Path = ROOT / "dashboard" / "app.py"):
    port = _free_port()
    log = tempfile.TemporaryFile("w+")
    env = {**os.environ, "NEWSINTEL_STORE": str(store_dir or "")}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(app),
                             "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
                             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=1) as r:
                if r.read().strip() == b"ok":
                    return base, proc, log
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not start")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# Runs in the page: records when the wanted view is on screen (times in ms of performance.now()).
MARKS_JS = r"""
(() => {
  const CHARTS = "[data-testid=stPlotlyChart], [data-testid=stEChartsChart], [data-testid=stDataFrame]";
  const drawn = (el) => !!el.querySelector(".main-svg, svg path, canvas");
  const fresh = (el) => !el.closest("[data-stale=true]");
  window.__bench = {want: null, t: {}};
  const shown = () => ({chips: document.querySelector(".st-key-filter-chips") !== null,
                        titles: [...document.querySelectorAll("h1")].map(h => h.textContent.trim())});
  window.__benchStart = (want) => {
    window.__bench = {want: want, t0: performance.now(), t: {}, ran: !want.click, before: shown()};
  };
  // A click is timed from the press itself (the event's time stamp), not from when the bench asked for it:
  // Playwright's scrolling and measuring before the press are not the analyst's wait.
  document.addEventListener("pointerdown", (e) => {
    const b = window.__bench;
    if (b.want && b.want.click && !b.pressed) { b.pressed = true; b.t0 = e.timeStamp; }
  }, {capture: true});
  const check = () => {
    const b = window.__bench, w = b.want;
    if (!w || b.t.drawn) { if (w && !b.t.all) all(); return; }
    const app = document.querySelector("[data-testid=stApp]");
    const state = app && app.getAttribute("data-test-script-state");
    if (state === "running") b.ran = true;
    // A view that differs from the one before the click (chips came or went, another page's title) can only
    // come from a new run, even if "running" was never on screen (a fast run can start and end in one task).
    const now = shown(), titled = (titles) => titles.some(t => t.startsWith(w.title));
    if (w.click && b.pressed && ((w.chips !== undefined && now.chips !== b.before.chips) ||
                                 (!titled(b.before.titles) && titled(now.titles)))) b.ran = true;
    const title = [...document.querySelectorAll("h1")].some(h => fresh(h) && h.textContent.trim().startsWith(w.title));
    const content = [...document.querySelectorAll(CHARTS + ", [data-testid=stHtml], [data-testid=stDownloadButton]")]
      .some(el => fresh(el) && (el.matches(CHARTS) ? drawn(el) : true));
    const chips = document.querySelector(".st-key-filter-chips") !== null;
    const chipsOk = w.chips === undefined || w.chips === chips;
    if (title && content && chipsOk && b.ran && state === "notRunning") {
      const seen = performance.now();
      requestAnimationFrame(() => { b.t.drawn = performance.now(); b.t.seen = seen; all(); });
    }
  };
  const all = () => {
    const b = window.__bench;
    const els = [...document.querySelectorAll(CHARTS)].filter(fresh);
    // a chart whose library is still loading shows a skeleton in its place
    const loading = [...document.querySelectorAll("[data-testid^=stSkeleton]")].some(fresh);
    if (!loading && els.every(drawn)) requestAnimationFrame(() => { if (!b.t.all) b.t.all = performance.now(); });
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
  setInterval(check, 50);
})();
"""


def _watch(page, title: str, **want) -> None:
    """Start recording in ``page``: from now until ``title`` (and ``want``: chips=True/False) is drawn."""
    page.evaluate("w => window.__benchStart(w)", {"title": title, **want})


def _drawn(page, key: str = "drawn", timeout: int = 120_000) -> float:
    """Seconds from the start of the recording to the frame that showed the view (``key``: drawn or all)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(f"() => window.__bench && window.__bench.t.{key}", timeout=timeout)
    except PlaywrightTimeout:
        seen = page.evaluate("""() => ({bench: window.__bench, url: location.href,
            state: document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state'),
            titles: [...document.querySelectorAll('h1')].map(h => h.textContent.slice(0, 40))})""")
        raise RuntimeError(f"the view was not drawn within {timeout / 1000:.0f} s: {seen}") from None
    return page.evaluate(f"() => (window.__bench.t.{key} - window.__bench.t0) / 1000")


def wait_drawn(page, title: str, timeout: int = 120_000) -> None:
    """Title, first chart/table/HTML block and the end of the script run are on screen (Playwright's check)."""
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name=title).first).to_be_visible(timeout=timeout)
    content = (page.get_by_test_id("stPlotlyChart").locator(".main-svg").first
               .or_(page.get_by_test_id("stEChartsChart").locator("svg, canvas").first)
               .or_(page.get_by_test_id("stDataFrame").first).or_(page.get_by_test_id("stHtml").first)
               .or_(page.get_by_test_id("stDownloadButton").first))
    expect(content.first).to_be_visible(timeout=timeout)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(state="attached", timeout=timeout)


def first_paint(browser, url: str, title: str, context=None, all_drawn: bool = False):
    """Seconds from opening ``url`` in a new tab (of ``context``, else of a fresh browser profile) until drawn;
    with ``all_drawn``, also until every chart and table is drawn (a pair)."""
    ctx = context or browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.add_init_script(MARKS_JS + f"\nwindow.__benchStart({{title: {title!r}}}); window.__bench.t0 = 0;")
    page.goto(url)
    elapsed = _drawn(page)
    wait_drawn(page, title)
    complete = _drawn(page, "all") if all_drawn else None
    page.close()
    if context is None:
        ctx.close()
    return (elapsed, complete) if all_drawn else elapsed


def _open(browser, url: str, title: str):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.add_init_script(MARKS_JS)
    page.goto(url)
    wait_drawn(page, title)
    return ctx, page


def page_switches(browser, base: str, runs: int) -> dict[str, list[float]]:
    """Seconds from a click on each page's sidebar link (in one open session) until that page is drawn."""
    ctx, page = _open(browser, base + "/", PAGES[0][1])
    times: dict[str, list[float]] = {path: [] for path, _ in PAGES}
    order = PAGES[1:] + PAGES[:1]   # start away from the Overview, end on it
    for _ in range(runs):
        for path, title in order:
            link = page.get_by_test_id("stSidebar").get_by_role("link", name=NAV_LABELS[path]).first
            page.wait_for_timeout(300)
            _watch(page, title, click=True)
            link.click()
            times[path].append(_drawn(page))
            wait_drawn(page, title)
    ctx.close()
    return times


FLOOR_APP = """import sys
sys.path.insert(0, %r)
import streamlit as st
from dashboard import transport
transport.enable_tcp_nodelay()   # the same transport as the dashboard (dashboard/transport.py)
st.title("Floor")
st.dataframe({"a": [1, 2, 3]})
""" % str(ROOT)
FLOOR_PLOTLY = FLOOR_APP + """import plotly.graph_objects as go
st.plotly_chart(go.Figure(go.Bar(x=[1, 2, 3], y=["a", "b", "c"], orientation="h")), key="bar", on_select="rerun")
"""
FLOOR_ECHARTS = FLOOR_APP + """st.echarts_chart({"xAxis": {"type": "value"}, "yAxis": {"type": "category", "data": ["a", "b", "c"]},
                  "series": [{"type": "bar", "data": [1, 2, 3], "selectedMode": "single"}]},
                 key="bar", on_select="rerun", renderer="svg")
"""


def floor_paint(browser, runs: int, source: str = FLOOR_APP) -> list[float]:
    """New-browser first paint of a one-line Streamlit app (``source``) on this machine, until every element is
    drawn: the framework's own cost."""
    folder = Path(tempfile.mkdtemp(prefix="floor-app-"))
    (folder / "app.py").write_text(source, encoding="utf-8")
    base, proc, log = start_server(None, folder / "app.py")
    try:
        first_paint(browser, base + "/", "Floor")   # the server's first run
        return [first_paint(browser, base + "/", "Floor", all_drawn=True)[1] for _ in range(runs)]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def keepalive_fetch_ms(base: str, requests: int = 20) -> list[float]:
    """Milliseconds per static script fetched over one kept-alive HTTP connection (what the browser's six
    connections do for the ~130 scripts of a first visit); Nagle's algorithm left on adds ~40 ms to each."""
    import http.client
    import urllib.parse
    import streamlit

    names = sorted(p.name for p in (Path(streamlit.__file__).parent / "static" / "static" / "js").glob("*.js"))
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    times = []
    try:
        for name in names[: requests + 1]:
            start = time.perf_counter()
            conn.request("GET", f"/static/js/{name}")
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"/static/js/{name}: HTTP {response.status}")
            times.append((time.perf_counter() - start) * 1000)
    finally:
        conn.close()
    return times[1:]   # the first request opens the connection


def filter_change(browser, base: str, runs: int) -> tuple[list[float], list[float]]:
    """Click a signal bar → chip + chart redrawn; "Clear all" → chart redrawn. Seconds per run."""
    from playwright.sync_api import expect
    from st_e2e import echarts_bars, click_bar
    from dashboard.charts import ESCALATION

    clicks, clears = [], []
    ctx, page = _open(browser, base, PAGES[0][1])
    for i in range(runs):
        chart = page.get_by_test_id("stEChartsChart").first
        expect(chart.locator("svg path").first).to_be_attached(timeout=60_000)
        page.wait_for_timeout(500)
        bars = echarts_bars(chart, ESCALATION)
        _watch(page, PAGES[0][1], click=True, chips=True)
        click_bar(page, bars[min(2 + i, len(bars) - 1)])
        clicks.append(_drawn(page, "all"))
        expect(page.locator(".st-key-filter-chips")).to_be_visible(timeout=60_000)
        page.wait_for_timeout(500)
        _watch(page, PAGES[0][1], click=True, chips=False)
        page.locator(".st-key-chip-clear-all button").click()
        clears.append(_drawn(page, "all"))
        expect(page.locator(".st-key-filter-chips")).to_have_count(0, timeout=60_000)
        page.wait_for_timeout(300)
    ctx.close()
    return clicks, clears


def topics_filter_change(browser, base: str, runs: int) -> tuple[list[float], list[float]]:
    """On the Topic clusters page: click a topic's bar on the timeline → chip + every chart redrawn; and
    "Clear all" → every chart redrawn. Seconds per run."""
    from playwright.sync_api import expect
    from st_e2e import echarts_bars, click_bar
    from dashboard.charts import CATEGORY_PALETTE

    clicks, clears = [], []
    ctx, page = _open(browser, base + "/topics", "Topic clusters")
    for i in range(runs):
        chart = page.locator("[class*='st-key-topics-time'] [data-testid='stEChartsChart']").first
        expect(chart.locator("svg path").first).to_be_attached(timeout=60_000)
        page.wait_for_timeout(500)
        bars = []
        for colour in CATEGORY_PALETTE[i:] + CATEGORY_PALETTE[:i]:   # a different topic each run
            bars = [b for b in echarts_bars(chart, colour) if b.bounding_box()["height"] >= 4]
            if bars:
                break
        _watch(page, "Topic clusters", click=True, chips=True)
        click_bar(page, max(bars, key=lambda b: b.bounding_box()["height"]))
        clicks.append(_drawn(page, "all"))
        expect(page.locator(".st-key-filter-chips")).to_be_visible(timeout=60_000)
        page.wait_for_timeout(500)
        _watch(page, "Topic clusters", click=True, chips=False)
        page.locator(".st-key-chip-clear-all button").click()
        clears.append(_drawn(page, "all"))
        expect(page.locator(".st-key-filter-chips")).to_have_count(0, timeout=60_000)
        page.wait_for_timeout(300)
    ctx.close()
    return clicks, clears


def topics_row_filter(browser, base: str, runs: int) -> list[float]:
    """On the Topic clusters page: click a cluster's row in the list → chip + every chart redrawn (then
    "Clear all", not timed). Seconds per run."""
    from playwright.sync_api import expect

    times = []
    ctx, page = _open(browser, base + "/topics", "Topic clusters")
    for i in range(runs):
        grid = page.locator(".st-key-topics_list [data-testid='stDataFrame']").first
        expect(grid).to_be_visible(timeout=60_000)
        page.wait_for_timeout(500)
        box = grid.bounding_box()
        row_height = 35   # st.dataframe's default row height; the header is one row
        _watch(page, "Topic clusters", click=True, chips=True)
        page.mouse.click(box["x"] + 18, box["y"] + row_height * (1.5 + i))   # the row's selection box
        times.append(_drawn(page, "all"))
        expect(page.locator(".st-key-filter-chips")).to_be_visible(timeout=60_000)
        page.wait_for_timeout(300)
        page.locator(".st-key-chip-clear-all button").click()
        expect(page.locator(".st-key-filter-chips")).to_have_count(0, timeout=60_000)
        page.wait_for_timeout(500)
    ctx.close()
    return times


def _spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} ({min(times):.2f}–{max(times):.2f})"


FIRST_PAINT_GOAL, FILTER_CHANGE_GOAL, RSS_GOAL_MB = 2.0, 0.5, 1024   # issue 8 (and issue 4 for Topic clusters)


def goal_lines(paints: dict[str, dict[str, list[float]]], changes: dict[str, list[float]], rss_mb: float) -> list[str]:
    """The figures held against the goals: each way of meeting a page and each filter change by its median
    (a page's single slowest load is printed beside it, so a median under the goal cannot hide it)."""
    lines = []
    for way, per_page in paints.items():
        medians = {page: statistics.median(t) for page, t in per_page.items()}
        slowest = max(medians, key=medians.get)
        worst = max(max(t) for t in per_page.values())
        met = sum(m <= FIRST_PAINT_GOAL for m in medians.values())
        lines.append(f"first paint ≤ {FIRST_PAINT_GOAL:g} s, {way}: median met on {met} of {len(medians)} pages "
                     f"(slowest median {medians[slowest]:.2f} s, {slowest or 'overview'}; slowest single load "
                     f"{worst:.2f} s)")
    medians = {what: statistics.median(t) for what, t in changes.items()}
    slowest = max(medians, key=medians.get)
    met = sum(m <= FILTER_CHANGE_GOAL for m in medians.values())
    lines.append(f"filter change ≤ {FILTER_CHANGE_GOAL:g} s: median met on {met} of {len(medians)} kinds of change "
                 f"(slowest median {medians[slowest]:.2f} s, {slowest})")
    lines.append(f"peak RSS ≤ {RSS_GOAL_MB} MB: {'met' if rss_mb <= RSS_GOAL_MB else 'NOT met'} ({rss_mb:.0f} MB)")
    return lines


_last_cpu: list[int] = []


def _cpu_ticks() -> list[int]:
    """Cumulative CPU ticks (user … steal) of this machine from /proc/stat; empty where there is none."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            return [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return []


def load() -> str:
    """Load average, and the share of CPU time the hypervisor stole since the last call (a busy host slows
    every figure here, the floor's too)."""
    text = "load average %.2f %.2f %.2f" % os.getloadavg()
    now = _cpu_ticks()
    if now and _last_cpu and sum(now) > sum(_last_cpu):
        stolen = (now[7] - _last_cpu[7]) / (sum(now) - sum(_last_cpu))
        text += f", {stolen:.0%} stolen"
    _last_cpu[:] = now
    return text


def describe_store(store_dir: Path) -> str:
    from pipeline import store

    counts = store.counts(store_dir)
    annotated = int(store.read_columns(store_dir, "articles", ["annotated"])["annotated"].fillna(0).astype(int).sum())
    return (f"store {store_dir}: {counts.get('articles', 0)} articles ({annotated} annotated by the per-article "
            f"stages), {counts.get('actor_mentions', 0)} actor mentions, {counts.get('signals', 0)} signals, "
            f"{counts.get('figures', 0)} figures, {counts.get('clusters', 0)} clusters")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Browser benchmark of the dashboard")
    ap.add_argument("--store", default=str(ROOT / ".store" / "bench10k"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-floor", action="store_true", help="skip the one-line app's first paint")
    args = ap.parse_args(argv)
    store_dir = Path(args.store)
    from pipeline import store

    if not store.exists(store_dir):
        print(f"no store at {store_dir}: build it with bench/build_bench_store.py")
        return 1
    print(describe_store(store_dir))
    load()   # starts the count of stolen CPU time
    from playwright.sync_api import sync_playwright

    base, proc, log = start_server(store_dir)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            cold = first_paint(browser, base + "/", PAGES[0][1])
            print(f"cold first paint (Overview, server reads the store): {cold:.2f} s  {load()}")
            fetches = keepalive_fetch_ms(base)
            print(f"static script over a kept-alive connection: median {statistics.median(fetches):.1f} ms per request "
                  f"({len(fetches)} requests; ~40 ms each if Nagle's algorithm were on, see dashboard/transport.py)")
            tab_context = browser.new_context(viewport={"width": 1280, "height": 900})
            first_paint(browser, base + "/", PAGES[0][1], tab_context)   # the browser has been on the app before
            switches = page_switches(browser, base, args.runs)
            print("first paint per page, median of %d (min–max), seconds:" % args.runs)
            print(f"  {'page':9s} {'new browser':>18s} {'new tab':>18s} {'page switch':>18s} {'new browser, all drawn':>24s}")
            # Round robin (every page once, then again): a slow spell of the machine then touches every page
            # alike instead of all the loads of the page measured during it.
            fresh: dict[str, list] = {path: [] for path, _ in PAGES}
            tab: dict[str, list[float]] = {path: [] for path, _ in PAGES}
            for _ in range(args.runs):
                for path, title in PAGES:
                    fresh[path].append(first_paint(browser, f"{base}/{path}", title, all_drawn=True))
                    tab[path].append(first_paint(browser, f"{base}/{path}", title, tab_context))
            paints: dict[str, dict[str, list[float]]] = {
                "new browser": {path: [f for f, _ in fresh[path]] for path, _ in PAGES}, "new tab": tab,
                "page switch": switches}
            for path, _ in PAGES:
                print(f"  {path or 'overview':9s} " + " ".join(f"{_spread(t[path]):>18s}" for t in paints.values())
                      + f" {_spread([a for _, a in fresh[path]]):>24s}")
            tab_context.close()
            print(f"  ({load()})")
            clicks, clears = filter_change(browser, base, args.runs)
            changes = {"Overview chart click": clicks, "Overview clear all": clears}
            print(f"filter change, chart click → chip + chart redrawn: median {statistics.median(clicks):.2f} s "
                  f"({min(clicks):.2f}–{max(clicks):.2f})")
            print(f"filter change, clear all → chart redrawn:          median {statistics.median(clears):.2f} s "
                  f"({min(clears):.2f}–{max(clears):.2f})  {load()}")
            clicks, clears = topics_filter_change(browser, base, args.runs)
            changes |= {"Topic clusters timeline click": clicks, "Topic clusters clear all": clears}
            print(f"Topic clusters page, timeline bar click → chip + map and charts redrawn: "
                  f"{_spread(clicks)} s; clear all → redrawn: {_spread(clears)} s  {load()}")
            rows = topics_row_filter(browser, base, args.runs)
            changes["Topic clusters row click"] = rows
            print(f"Topic clusters page, a row of the cluster list clicked → chip + map and charts redrawn: "
                  f"{_spread(rows)} s  {load()}")
            if not args.no_floor:
                floor = floor_paint(browser, args.runs)
                print(f"floor: new-browser first paint of a one-line Streamlit app (title, 3-row table): "
                      f"{_spread(floor)} s  {load()}")
                floor = floor_paint(browser, args.runs, FLOOR_PLOTLY)
                print(f"floor: the same plus one 3-bar plotly chart:                             "
                      f"{_spread(floor)} s  {load()}")
                floor = floor_paint(browser, args.runs, FLOOR_ECHARTS)
                print(f"floor: the same plus one 3-bar ECharts chart:                            "
                      f"{_spread(floor)} s  {load()}")
            browser.close()
        rss = peak_rss_mb(proc.pid)
        print(f"peak RSS of the streamlit process: {rss:.0f} MB")
        print("goals (issue 8; issue 4 for the Topic clusters page):")
        for line in goal_lines(paints, changes, rss):
            print("  " + line)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.seek(0)
        output = log.read()
        warnings = [line for line in output.splitlines() if " WARNING " in line or "deprecat" in line.lower()]
        print(f"server log: {output.count('Traceback')} tracebacks, {len(warnings)} warning or deprecation lines")
        for line in warnings[:5]:
            print("  " + line[:200])
        if "Traceback" in output:
            print("server log had a traceback:\n" + output[-3000:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
