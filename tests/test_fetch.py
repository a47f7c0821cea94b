"""The polite fetcher and URL/feed ingest, against a local HTTP server on 127.0.0.1 (no internet).

The server serves a saved page and a feed built from real article text (``tests/fixtures/ingest``), plus the
bad cases: a slow response, a 404, a redirect loop, a 50 MB response (with and without Content-Length),
a flaky 503, and a path robots.txt forbids.
"""
from __future__ import annotations

import html
import threading
import time
from email.utils import format_datetime
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline import fetch, run, store
from pipeline.ingest import IngestResult, RawDocument

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
PAGE = (FIXTURES / "aljazeera_deadline.html").read_bytes()
ABC = (FIXTURES / "abc_kremlin_talks.txt").read_text(encoding="utf-8")
EU = (FIXTURES / "eu_humanitarian_aid.txt").read_text(encoding="utf-8")
BIG = 50 * 1024 * 1024


def _page(title: str, text: str) -> bytes:
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in text.splitlines() if p.strip())
    return (f"<html><head><title>{html.escape(title)}</title></head><body><nav>Home | World</nav>"
            f"<article><h1>{html.escape(title)}</h1>{paras}</article><footer>© 2026</footer></body></html>").encode("utf-8")


def _feed(base: str) -> bytes:
    date = format_datetime(datetime(2026, 1, 26, 9, 0, tzinfo=timezone.utc))
    items = [
        ("Talks with US and Ukraine were constructive, Kremlin says", f"{base}/news/abc.html", "Kremlin on talks."),
        ("EU announces €153 million in humanitarian aid", f"{base}/news/missing.html", EU[:900]),
        ("Deadline to end the war", f"{base}/news/aljazeera.html", "A June deadline."),
    ]
    body = "".join(
        f"<item><title>{html.escape(t)}</title><link>{l}</link><pubDate>{date}</pubDate>"
        f"<description>{html.escape(d)}</description></item>" for t, l, d in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Test Wire</title>'
            f"<link>{base}/</link><description>feed</description>{body}</channel></rss>").encode("utf-8")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    hits: dict[str, int] = {}
    agents: list[str] = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", length: bool = True):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
        Handler.agents.append(self.headers.get("User-Agent", ""))
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        path = self.path
        if path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        elif path == "/news/aljazeera.html":
            self._send(200, PAGE)
        elif path == "/news/abc.html":
            self._send(200, _page("Talks with US and Ukraine were constructive, Kremlin says", ABC))
        elif path == "/feed.xml":
            self._send(200, _feed(base), "application/rss+xml")
        elif path == "/slow":
            time.sleep(2.0)
            self._send(200, PAGE)
        elif path == "/loop/a":
            self.send_response(302)
            self.send_header("Location", "/loop/b")
            self.end_headers()
        elif path == "/loop/b":
            self.send_response(302)
            self.send_header("Location", "/loop/a")
            self.end_headers()
        elif path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(BIG))
            self.end_headers()
            try:
                chunk = b"<p>" + b"a" * (1024 * 1024 - 7) + b"</p>\n"
                for _ in range(BIG // len(chunk)):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/big-unannounced":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                chunk = b"<p>" + b"a" * (1024 * 1024 - 7) + b"</p>\n"
                for _ in range(BIG // len(chunk)):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/flaky":
            if Handler.hits[path] == 1:
                self._send(503, b"try later")
            else:
                self._send(200, PAGE)
        elif path == "/private/secret.html":
            self._send(200, PAGE)
        else:
            self._send(404, b"not found")


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that gave up (timeout, size cap) closes the socket: not an error of the test."""


@pytest.fixture(scope="module")
def server():
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def fetcher():
    return fetch.Fetcher(timeout=0.5, retries=1, backoff=0.05, delay=0.0)


def test_saved_page_fetched_and_extracted(server, fetcher):
    [doc] = list(fetch.iter_url_documents([f"{server}/news/aljazeera.html"], fetcher))
    assert isinstance(doc, RawDocument)
    assert "June deadline" in doc.title and "Zelenskyy" in doc.page and "alert(" not in doc.page
    assert (doc.date, doc.source, doc.url) == ("2026-02-07", "Al Jazeera", f"{server}/news/aljazeera.html")
    assert Handler.agents[-1] == fetch.USER_AGENT and "newsintel-pipeline" in fetch.USER_AGENT


def test_feed_items_fetched_in_full_with_fallback(server, fetcher):
    answers = list(fetch.iter_url_documents([f"{server}/feed.xml"], fetcher))
    assert len(answers) == 3 and all(isinstance(a, RawDocument) for a in answers)
    abc, eu, aj = answers
    assert abc.title == "Talks with US and Ukraine were constructive, Kremlin says"
    assert "Kremlin spokesman Dmitry Peskov" in abc.page and abc.date == "2026-01-26" and abc.source == "Test Wire"
    # the item page is a 404: the feed's own text stands in for it
    assert eu.page.startswith(EU[:100]) and eu.url == f"{server}/news/missing.html"
    assert "Zelenskyy" in aj.page


def test_slow_response_times_out_after_retries(server, fetcher):
    started = time.monotonic()
    [answer] = list(fetch.iter_url_documents([f"{server}/slow"], fetcher))
    assert isinstance(answer, IngestResult) and answer.status == "rejected"
    assert answer.reason == "timed out after 0.5 s (after 2 attempts)"
    assert time.monotonic() - started < 1.9


def test_404_not_retried(server, fetcher):
    Handler.hits.pop("/gone", None)
    [answer] = list(fetch.iter_url_documents([f"{server}/gone"], fetcher))
    assert (answer.status, answer.reason) == ("rejected", "HTTP 404 Not Found")
    assert Handler.hits["/gone"] == 1


def test_redirect_loop_stopped(server, fetcher):
    [answer] = list(fetch.iter_url_documents([f"{server}/loop/a"], fetcher))
    assert answer.status == "rejected" and "redirect loop" in answer.reason


@pytest.mark.parametrize("path,words", [("/big", "over the 10 MB limit; not downloaded"), ("/big-unannounced", "grew past the 10 MB limit")])
def test_50_mb_response_refused(server, fetcher, path, words):
    [answer] = list(fetch.iter_url_documents([f"{server}{path}"], fetcher))
    assert answer.status == "rejected" and words in answer.reason


def test_flaky_503_retried_with_backoff(server, fetcher):
    Handler.hits.pop("/flaky", None)
    [doc] = list(fetch.iter_url_documents([f"{server}/flaky"], fetcher))
    assert isinstance(doc, RawDocument) and Handler.hits["/flaky"] == 2


def test_robots_txt_respected(server, fetcher):
    Handler.hits.pop("/private/secret.html", None)
    [answer] = list(fetch.iter_url_documents([f"{server}/private/secret.html"], fetcher))
    assert answer.status == "rejected" and "robots.txt" in answer.reason
    assert "/private/secret.html" not in Handler.hits


def test_polite_delay_between_requests_to_one_host(server):
    polite = fetch.Fetcher(timeout=2, retries=0, delay=0.3)
    started = time.monotonic()
    polite.get(f"{server}/news/abc.html")  # robots.txt, then the page
    polite.get(f"{server}/news/aljazeera.html")
    assert time.monotonic() - started >= 0.6


def test_non_http_urls_and_bad_parameters(fetcher):
    with pytest.raises(fetch.FetchError, match="not an http"):
        fetcher.get("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetch.Fetcher(timeout=0)


def test_run_ingests_urls_into_the_store(server, tmp_path, monkeypatch):
    original = fetch.iter_url_documents
    monkeypatch.setattr(fetch, "iter_url_documents", lambda urls: original(urls, fetch.Fetcher(timeout=0.5, retries=0, delay=0)))
    report = run.run([f"{server}/feed.xml", f"{server}/news/abc.html", f"{server}/gone"], tmp_path / "store", stages=False, workers=1)
    by_status = sorted(r.status for r in report.results)
    # abc.html is the same URL (and text) as the feed's first item: one article
    assert by_status == ["added", "added", "added", "duplicate", "rejected"]
    articles = store.read(tmp_path / "store", "articles")
    assert set(articles["source"]) >= {"Test Wire"} and (articles["url"] != "").all()
    assert store.check(tmp_path / "store") == []
