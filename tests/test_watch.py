"""The watcher against real local feeds: conditional GET, only new items, faults isolated, kill -9 safe."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

import pytest

from conftest import PROJECT_ROOT, gdelt_articles
from pipeline import alerts, store, watch
from pipeline.read import search

ARTICLES = gdelt_articles()[:8]


class FeedServer:
    """Real HTTP on 127.0.0.1: /feed.xml (RSS with ETag/Last-Modified), /a/N.html item pages, faulty feeds,
    and /hook (a webhook recording what it receives)."""

    def __init__(self, items: int, page_delay: float = 0.0):
        self.items, self.page_delay = items, page_delay
        self.conditional, self.pages, self.hook = [], 0, []
        srv = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                p = self.path
                if p == "/feed.xml":
                    etag = f'"v{srv.items}"'
                    if self.headers.get("If-None-Match") == etag:
                        srv.conditional.append(etag)
                        self.send_response(304)
                        self.end_headers()
                        return
                    body = srv.rss().encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", formatdate(usegmt=True))
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif p.startswith("/a/"):
                    srv.pages += 1
                    time.sleep(srv.page_delay)
                    a = ARTICLES[int(p[3:].split(".")[0])]
                    paras = "".join(f"<p>{escape(x)}</p>" for x in a["text"].split("\n") if x.strip())
                    self.reply(200, f"<html><head><title>{escape(a['title'])}</title></head><body><article>"
                                    f"{paras}</article></body></html>".encode(), "text/html; charset=utf-8")
                elif p == "/500.xml":
                    self.reply(500, b"oops", "text/plain")
                elif p == "/hang.xml":
                    time.sleep(5)
                    self.reply(200, b"", "text/plain")
                elif p == "/loop.xml":
                    self.send_response(302)
                    self.send_header("Location", "/loop.xml")
                    self.end_headers()
                elif p == "/garbage.xml":
                    self.reply(200, b"<?xml version='1.0'?><rss><chan\x00\xff\xfe garbage", "application/rss+xml")
                else:
                    self.reply(404, b"not found", "text/plain")

            def do_POST(self):
                srv.hook.append((self.headers["Idempotency-Key"],
                                 json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
                self.reply(204, b"", "text/plain")

            def reply(self, status, body, ctype):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def rss(self) -> str:
        items = "".join(
            f"<item><title>{escape(a['title'] or a['id'])}</title><link>{self.base}/a/{i}.html</link>"
            f"<pubDate>{formatdate(time.mktime(time.strptime(a['date'][:10], '%Y-%m-%d')), usegmt=True)}</pubDate></item>"
            for i, a in enumerate(ARTICLES[:self.items]))
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Local wire</title>{items}</channel></rss>"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server():
    s = FeedServer(items=4)
    yield s
    s.close()


def watch_cmd(feeds, store_dir, *extra):
    return [sys.executable, "-m", "pipeline", "watch", str(feeds), "--store", str(store_dir), "--once", *extra]


def test_cycles_take_only_new_items_and_isolate_faulty_feeds(server, tmp_path):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# local\n{server.base}/500.xml\n{server.base}/feed.xml\n{server.base}/hang.xml\n"
                     f"{server.base}/loop.xml\n{server.base}/garbage.xml\n")
    st = tmp_path / "store"
    first = subprocess.run(watch_cmd(feeds, st, "--timeout", "1"), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    line = [x for x in first.stderr.splitlines() if " watch: " in x]
    assert len(line) == 1 and "5 feeds polled" in line[0] and "4 new articles" in line[0] and "4 errors" in line[0]
    for bad in ("500.xml: HTTP 500", "hang.xml: no answer", "loop.xml: HTTP 302", "garbage.xml"):
        assert bad in line[0]
    assert "Traceback" not in first.stderr
    assert store.counts(st)["articles"] == 4 and store.check(st) == []
    urls = set(store.read_columns(st, "articles", ["url"])["url"])
    assert urls == {f"{server.base}/a/{i}.html" for i in range(4)}

    server.items = 6  # two new items appear; the faulty feeds are backed off
    pages = server.pages
    second = subprocess.run(watch_cmd(feeds, st), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert "1 feeds polled (0 unchanged, 4 backed off), 2 new articles" in second.stderr, second.stderr
    assert server.pages - pages == 2 and store.counts(st)["articles"] == 6
    third = subprocess.run(watch_cmd(feeds, st), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert "1 feeds polled (1 unchanged, 4 backed off), 0 new articles" in third.stderr, third.stderr
    assert server.conditional == ['"v6"']


def test_unreadable_feeds_file_and_bad_interval_exit_2(tmp_path):
    out = subprocess.run(watch_cmd(tmp_path / "none.txt", tmp_path / "s"), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "cannot read feeds file" in out.stderr and "Traceback" not in out.stderr
    (tmp_path / "f.txt").write_text("http://127.0.0.1:9/feed\n")
    out = subprocess.run(watch_cmd(tmp_path / "f.txt", tmp_path / "s", "--every", "soon"), cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "--every" in out.stderr
    assert watch.parse_interval("15m") == 900 and watch.parse_interval("1h") == 3600 and watch.parse_interval("30s") == 30


def test_kill_9_mid_cycle_loses_nothing_and_alerts_once(tmp_path):
    server = FeedServer(items=8, page_delay=0.4)
    try:
        st = tmp_path / "store"
        seed = FeedServer(items=2)
        try:
            (tmp_path / "seedfeeds.txt").write_text(f"{seed.base}/feed.xml\n")
            subprocess.run(watch_cmd(tmp_path / "seedfeeds.txt", st), cwd=PROJECT_ROOT, capture_output=True, timeout=600, check=True)
        finally:
            seed.close()
        alerts.save(st, "all", "Russia OR Ukraine OR NATO OR Putin", webhook_url=f"{server.base}/hook")
        feeds = tmp_path / "feeds.txt"
        feeds.write_text(f"{server.base}/feed.xml\n")
        proc = subprocess.Popen(watch_cmd(feeds, st), cwd=PROJECT_ROOT, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 120
        while server.pages < 4 and time.time() < deadline:
            time.sleep(0.05)
        assert server.pages >= 4
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert store.check(st) == [] and store.counts(st)["articles"] == 2  # the killed cycle wrote nothing half
        out = subprocess.run(watch_cmd(feeds, st), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
        # items 0 and 1 are the same texts as the two seeded ones (another host): duplicates, not new
        assert out.returncode == 0 and "6 new articles" in out.stderr, out.stderr
        again = subprocess.run(watch_cmd(feeds, st), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
        assert "0 new articles" in again.stderr and "0 new alerts" in again.stderr
        assert store.counts(st)["articles"] == 8 and store.check(st) == []
        expected = search.matching_ids(st, "Russia OR Ukraine OR NATO OR Putin")
        recorded = alerts.alerts(st, "all")
        keys = [k for k, _ in server.hook]
        assert len(keys) == len(set(keys)) == len(recorded) > len(expected) > 0  # signals and figures alerted too
        assert {p["article_id"] for _, p in server.hook if p["kind"] == "article"} == expected
    finally:
        server.close()
