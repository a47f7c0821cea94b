"""The watcher: ``python -m pipeline watch FEEDS.txt --store DIR --every 15m [--once]``.

One cycle: every feed (RSS/Atom) or page URL of FEEDS.txt that is not backed off is fetched with a conditional
GET (``If-None-Match``/``If-Modified-Since`` from the last answer's ``ETag``/``Last-Modified``); the items whose
link the store does not hold yet are read (their pages fetched politely) and ingested by :func:`pipeline.run.run`
in one transaction (every stage runs on them; topics are assigned to the existing clusters while the topic stage
allows it); then every watchlist is evaluated and its alerts delivered (:mod:`pipeline.alerts`). One log line per
cycle on stderr. A feed that errors, hangs, loops its redirects or returns garbage is reported in the line and
backed off (doubling, up to six hours); it never stops the others.

Crash safety: articles are written by ``run`` in one transaction, a feed's validators only after that, and alerts
are recorded before delivery (see :mod:`pipeline.alerts`). A kill at any point loses nothing; the next cycle finds
what is not stored yet and alerts only matches never alerted.
"""
from __future__ import annotations

import datetime as dt
import re
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import alerts, fetch, store
from pipeline.ingest import IngestResult, RawDocument

MAX_BACKOFF = 6 * 3600.0


@dataclass
class CycleReport:
    """What one cycle did (printed as one line)."""

    feeds: int = 0
    unchanged: int = 0
    backed_off: int = 0
    new_articles: int = 0
    alerts: int = 0
    sent: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        err = "; ".join(self.errors)
        return (f"{stamp} watch: {self.feeds} feeds polled ({self.unchanged} unchanged, {self.backed_off} backed off), "
                f"{self.new_articles} new articles, {self.alerts} new alerts, {self.sent} delivered, "
                f"{len(self.errors)} errors{': ' + err if err else ''} in {self.seconds:.1f} s")


def parse_interval(text: str) -> float:
    """Seconds of ``30s``, ``15m``, ``1h`` or a bare number of seconds (ValueError otherwise)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text or "")
    if not m or float(m.group(1)) <= 0:
        raise ValueError(f"--every takes a positive interval such as 30s, 15m or 1h, not {text!r}")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def read_feeds(path: str | Path) -> list[str]:
    """The URLs of a feeds file (one per line; blank lines and ``#`` comments skipped)."""
    urls = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            urls.append(line)
    return urls


def _state(conn: sqlite3.Connection, url: str) -> dict:
    store.ensure_tables(conn, ("watch_feeds",))
    row = conn.execute("SELECT etag, last_modified, failures, next_try FROM watch_feeds WHERE url = ?", (url,)).fetchone()
    return dict(zip(("etag", "last_modified", "failures", "next_try"), row or ("", "", 0, 0.0)))


def _save_state(store_dir, url: str, **values) -> None:
    with closing(store.connect(store_dir, create=True)) as conn:
        store.ensure_tables(conn, ("watch_feeds",))
        conn.execute("INSERT OR IGNORE INTO watch_feeds (url) VALUES (?)", (url,))
        for k, v in values.items():
            conn.execute(f"UPDATE watch_feeds SET {k} = ? WHERE url = ?", (v, url))


def conditional_get(url: str, etag: str, last_modified: str, timeout: float) -> tuple[int, dict, bytes, str]:
    """(status, headers, body, final url) of a GET sending the validators; 304 comes back as status 304."""
    headers = {"User-Agent": fetch.USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read(fetch.DEFAULT_MAX_BYTES + 1)
            if len(body) > fetch.DEFAULT_MAX_BYTES:
                raise fetch.FetchError(f"larger than {fetch.DEFAULT_MAX_BYTES} bytes")
            return resp.status, dict(resp.headers.items()), body, resp.geturl()
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return 304, dict(exc.headers.items()), b"", url
        raise fetch.FetchError(f"HTTP {exc.code}" + (" (redirect loop)" if 300 <= exc.code < 400 else "")) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise fetch.FetchError(f"no answer: {getattr(exc, 'reason', exc)}") from exc


def _known_urls(store_dir) -> set[str]:
    if not store.exists(store_dir):
        return set()
    arts = store.read_columns(store_dir, "articles", ["url"])
    return set(arts["url"].fillna("").astype(str)) - {""}


def _new_documents(url: str, body: bytes, content_type: str, final_url: str, known: set[str],
                   fetcher: fetch.Fetcher) -> list[RawDocument | IngestResult]:
    """The documents of the items the store does not hold yet (pages fetched only for those)."""
    import feedparser

    response = fetch.Response(final_url, 200, content_type, body)
    if not fetch.looks_like_feed(response):
        if final_url in known:
            return []
        return [fetch._page_document(url, response)]
    feed = feedparser.parse(body)
    if not feed.entries:
        raise fetch.FetchError(f"not a readable feed ({feed.get('bozo_exception')})" if feed.get("bozo")
                               else "feed has no items")
    out: list[RawDocument | IngestResult] = []
    feed_title = (feed.feed.get("title") or "").strip()
    for i, entry in enumerate(feed.entries, start=1):
        link = (entry.get("link") or "").strip()
        absolute = urllib.parse.urljoin(final_url, link) if link else ""
        if absolute and absolute in known:
            continue
        title, date = (entry.get("title") or "").strip(), fetch._entry_date(entry)
        author, own = (entry.get("author") or "").strip(), fetch._entry_text(entry)
        doc: RawDocument | IngestResult | None = None
        if absolute:
            try:
                page = fetcher.get(absolute)
                doc = fetch._page_document(link, page, title=title, date=date, source=feed_title, author=author)
            except fetch.FetchError as exc:
                doc = IngestResult(link, "rejected", f"item page: {exc}")
            if isinstance(doc, RawDocument):
                doc.title, doc.date = title or doc.title, date or doc.date
                doc.source, doc.url = feed_title or doc.source, absolute
        if not isinstance(doc, RawDocument) and len(own) >= fetch.MIN_TEXT_CHARS:
            doc = RawDocument(link or f"{url}#item{i}", own, title=title, date=date, source=feed_title,
                              url=absolute, author=author)
        out.append(doc or IngestResult(link or f"{url}#item{i}", "rejected", "feed item has no text"))
    return out


def cycle(feeds: list[str], store_dir: str | Path, *, timeout: float = 20.0, every: float = 900.0,
          fetcher: fetch.Fetcher | None = None, progress=None) -> CycleReport:
    """Run one watch cycle (see the module docstring); ``progress(done, total)`` is called after each feed."""
    from pipeline import run as run_mod

    started = time.perf_counter()
    report = CycleReport()
    fetcher = fetcher or fetch.Fetcher(timeout=timeout, retries=1, delay=0.2)
    known = _known_urls(store_dir)
    docs: list[RawDocument] = []
    rejected: list[IngestResult] = []
    validators: dict[str, dict] = {}
    for n, url in enumerate(feeds, start=1):
        if store.exists(store_dir):
            with closing(store.connect(store_dir)) as conn:
                st = _state(conn, url)
        else:
            st = {"etag": "", "last_modified": "", "failures": 0, "next_try": 0.0}
        if st["next_try"] > time.time():
            report.backed_off += 1
        else:
            report.feeds += 1
            try:
                status, headers, body, final = conditional_get(url, st["etag"], st["last_modified"], timeout)
                if status == 304:
                    report.unchanged += 1
                else:
                    ctype = headers.get("Content-Type", "")
                    for d in _new_documents(url, body, ctype, final, known, fetcher):
                        (docs if isinstance(d, RawDocument) else rejected).append(d)
                validators[url] = {"etag": headers.get("ETag", ""), "last_modified": headers.get("Last-Modified", ""),
                                   "failures": 0, "next_try": 0.0, "last_error": ""}
            except fetch.FetchError as exc:
                failures = int(st["failures"]) + 1
                wait = min(every * 2 ** (failures - 1), MAX_BACKOFF)
                report.errors.append(f"{url}: {exc} (next try in {wait:.0f} s)")
                _save_state(store_dir, url, failures=failures, next_try=time.time() + wait, last_error=str(exc)[:300])
        if progress:
            progress(n, len(feeds))
    if docs:
        result = run_mod.run(store_dir=store_dir, documents=docs, rejected=rejected)
        report.new_articles = result.count("added")
    for url, values in validators.items():  # only once the articles are stored
        if values["etag"] or values["last_modified"] or store.exists(store_dir):
            _save_state(store_dir, url, **values)
    if store.exists(store_dir):
        report.alerts = sum(alerts.evaluate(store_dir).values())
        report.sent = alerts.deliver(store_dir)["sent"]
    report.seconds = time.perf_counter() - started
    return report


def main(feeds_file: str, store_dir: str, *, every: float, once: bool, timeout: float) -> int:
    """The ``watch`` command: cycles every ``every`` seconds (or one with ``once``); exit 2 on an unreadable feeds file."""
    try:
        feeds = read_feeds(feeds_file)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read feeds file {feeds_file}: {exc}", file=sys.stderr)
        return 2
    if not feeds:
        print(f"error: {feeds_file} lists no feed URL", file=sys.stderr)
        return 2
    while True:
        began = time.monotonic()
        report = cycle(feeds, store_dir, timeout=timeout, every=every)
        print(report.line(), file=sys.stderr, flush=True)
        if once:
            return 0
        time.sleep(max(0.0, every - (time.monotonic() - began)))
