"""Shared fixtures: the seed articles, a store built from them, a Streamlit server and a real browser."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from st_e2e import CHROMIUM, CHROMIUM_ARGS

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT_ROOT / "seeds"
NEWS_FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "news"     # small real corpora excerpts (see SOURCE.md there)
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"


def read_jsonl(path: Path) -> list[dict]:
    """Every JSON object of a .jsonl file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def gdelt_articles() -> list[dict]:
    """30 real Ukraine-war news articles (GDELT corpus excerpt in tests/fixtures/news), by date."""
    return read_jsonl(NEWS_FIXTURES / "ukraine_war_gdelt.jsonl")


def crawled_pages() -> list[dict]:
    """4 real crawled web pages, 2026, kept with their furniture (tests/fixtures/news)."""
    return read_jsonl(NEWS_FIXTURES / "ukraine_war_crawl_2026.jsonl")


def seed_path(prefix: str) -> Path:
    """The seed file whose name starts with ``prefix`` ("000" … "004")."""
    return next(SEEDS.glob(f"{prefix}_*.txt"))


_REAL_MAIN = sys.modules["__main__"]


@pytest.fixture(autouse=True)
def real_main_module():
    """Put pytest's own ``__main__`` back after each test.

    Streamlit's AppTest runs the app as ``sys.modules["__main__"]`` and leaves it there; a process started later
    with ``spawn`` (a Dask LocalCluster's workers) re-imports ``__main__`` from its file and would run the app
    script in the worker."""
    yield
    sys.modules["__main__"] = _REAL_MAIN


@pytest.fixture(scope="session", autouse=True)
def session_stores_root(tmp_path_factory) -> Path:
    """Session stores made by tests (and by the servers they start) go to a temporary folder, not /tmp's shared one."""
    root = tmp_path_factory.mktemp("session_stores")
    old = os.environ.get("NEWSINTEL_SESSION_STORES")
    os.environ["NEWSINTEL_SESSION_STORES"] = str(root)
    yield root
    if old is None:
        os.environ.pop("NEWSINTEL_SESSION_STORES", None)
    else:
        os.environ["NEWSINTEL_SESSION_STORES"] = old


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory) -> Path:
    """A store built once from seeds/ by the real pipeline run."""
    from pipeline import run

    path = tmp_path_factory.mktemp("seed_store")
    report = run.run([SEEDS], path)
    assert report.count("added") == 5, report.results
    return path


@pytest.fixture(scope="session")
def seed_tables(seed_store):
    """Every table of the seed store, as the dashboard reads them."""
    from pipeline import run

    return run.load_tables(seed_store)


@pytest.fixture(scope="session")
def seed_articles(seed_tables):
    """The seed articles keyed by the prefix of their file name ("000" … "004")."""
    articles = seed_tables["articles"]
    return {Path(o).name[:3]: row for o, row in zip(articles["origin"], articles.to_dict("records"))}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200 and r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"streamlit not healthy after {timeout}s")


def start_streamlit(store_dir: Path, extra_env: dict | None = None):
    """Start `streamlit run dashboard/app.py` on a free loopback port; return (base_url, process, log)."""
    port = _free_port()
    log = tempfile.TemporaryFile("w+")
    env = {**os.environ, "NEWSINTEL_STORE": str(store_dir), **(extra_env or {})}
    cmd = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboard" / "app.py"),
           "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, text=True, env=env,
                            stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(f"{base}/_stcore/health", proc)
    except Exception:
        proc.kill()
        proc.wait()
        log.seek(0)
        print(log.read())
        raise
    return base, proc, log


def stop_streamlit(proc: subprocess.Popen, log) -> str:
    """Stop the server; return its log."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.seek(0)
    text = log.read()
    log.close()
    return text


def copy_store(source: Path, target: Path) -> Path:
    """A copy of the store folder ``source`` in ``target`` (a test's server may write to its copy)."""
    target.mkdir(parents=True, exist_ok=True)
    for f in source.iterdir():
        shutil.copy2(f, target / f.name)
    return target


@contextmanager
def served(store_dir: Path):
    """A `streamlit run dashboard/app.py` of its own over ``store_dir``: yields its base URL; on exit the server is
    stopped and its log must hold no traceback."""
    base, proc, log = start_streamlit(store_dir)
    try:
        yield base
    finally:
        output = stop_streamlit(proc, log)
    assert "Traceback" not in output, output


@contextmanager
def served_seed_copy(tmp_path_factory, seed_store: Path, name: str, prepare=None):
    """A copy of the seed store (``prepare(path)`` run on it first, e.g. to save a watchlist) with its own server:
    yields (base URL, store path). The browser test modules that write to a store use one each."""
    path = copy_store(seed_store, tmp_path_factory.mktemp(name))
    if prepare is not None:
        prepare(path)
    with served(path) as base:
        yield base, path


@pytest.fixture(scope="session")
def app_store(tmp_path_factory, seed_store) -> Path:
    """A copy of the seed store for the browser session (the app may write to it)."""
    return copy_store(seed_store, tmp_path_factory.mktemp("app_store"))


@pytest.fixture(scope="session")
def app_url(app_store):
    """A running `streamlit run dashboard/app.py` over the seed store."""
    base, proc, log = start_streamlit(app_store)
    yield base
    output = stop_streamlit(proc, log)
    if "Traceback" in output:
        print(output)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven by Playwright; missing browser fails when REQUIRE_BROWSER_TESTS is set."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER_TESTS") or os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing: apt-get install -y chromium (scripts/setup.sh --dev does it)")
        pytest.skip(f"{CHROMIUM} missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    """A fresh browser context and page per test (1280×900)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    """Where browser tests save their screenshots (artifacts/screenshots, git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
