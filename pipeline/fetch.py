"""Fetching pages and RSS/Atom feeds: a polite HTTP client and URL inputs for the ingest.

:class:`Fetcher` (standard-library ``urllib``) is polite and careful:

- a user agent naming the project (:data:`USER_AGENT`);
- robots.txt honoured per host (``urllib.robotparser``; a missing robots.txt
  allows everything, a 401/403 on it forbids everything, as the standard says);
- a timeout per request, and retries with exponential back-off on timeouts,
  connection errors, 429 and 5xx answers (never on 4xx, which would not change);
- at least ``delay`` seconds between two requests to the same host;
- a size cap: a response announcing more than ``max_bytes`` is refused before
  its body is read, and a body growing past it is cut off and refused;
- at most ``max_redirects`` redirects (a redirect loop ends with a clear answer);
- only ``http`` and ``https`` URLs.

:func:`iter_url_documents` turns URLs into ingest inputs: a page URL gives one
document (main text, title, date, author and site by trafilatura, see
``pipeline.ingest.html_document``); a feed URL (RSS or Atom, read by
feedparser) gives one document per item, its full text fetched from the
item's link, falling back to the feed's own item content when the page cannot
be fetched. Every URL and item gets an answer: a document, or a rejection
with the reason (``HTTP 404 Not Found``, ``timed out after 3 attempts``,
``response is 52 MB, over the 10 MB limit`` …).
"""
from __future__ import annotations

import datetime as dt
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from typing import Iterable, Iterator

from pipeline import __version__
from pipeline.ingest import MIN_TEXT_CHARS, IngestResult, RawDocument, decode_text, html_document

USER_AGENT = f"newsintel-pipeline/{__version__} (NATO-Russia news-intelligence research; polite fetcher)"
DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 0.5
DEFAULT_DELAY = 1.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
_FEED_TYPES = ("rss", "atom", "rdf", "xml")
_RETRY_STATUSES = {429, 500, 502, 503, 504}


class FetchError(Exception):
    """A URL could not be fetched; the message says why, for people."""


@dataclass
class Response:
    """A fetched response: final URL (after redirects), status, content type and body."""

    url: str
    status: int
    content_type: str
    body: bytes


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, max_redirects: int):
        self.max_redirections = max_redirects
        self.max_repeats = 2


class Fetcher:
    """A polite HTTP client (see the module docstring); reuse one instance for a run."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        delay: float = DEFAULT_DELAY,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        user_agent: str = USER_AGENT,
        respect_robots: bool = True,
    ):
        if timeout <= 0 or retries < 0 or backoff < 0 or delay < 0 or max_bytes <= 0 or max_redirects < 0:
            raise ValueError("timeout and max_bytes must be positive; retries, backoff, delay and max_redirects not negative")
        self.timeout, self.retries, self.backoff, self.delay = timeout, retries, backoff, delay
        self.max_bytes, self.user_agent, self.respect_robots = max_bytes, user_agent, respect_robots
        self._opener = urllib.request.build_opener(_LimitedRedirects(max_redirects))
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._last_request: dict[str, float] = {}

    def get(self, url: str) -> Response:
        """Fetch a URL politely; raises :class:`FetchError` with a reason for people."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FetchError(f"not an http(s) URL: {url!r}")
        if self.respect_robots and not self.allowed(url):
            raise FetchError(f"robots.txt of {parts.netloc} does not allow {self.user_agent.split()[0]} to fetch this URL")
        attempts = self.retries + 1
        last = ""
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                return self._request(url)
            except _Retryable as exc:
                last = str(exc)
        raise FetchError(f"{last} (after {attempts} attempt{'s' if attempts > 1 else ''})")

    def allowed(self, url: str) -> bool:
        """Whether the host's robots.txt lets this fetcher read ``url`` (fetched once per host)."""
        parts = urllib.parse.urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        parser = self._robots.get(host)
        if parser is None:
            parser = urllib.robotparser.RobotFileParser(f"{host}/robots.txt")
            try:
                response = self._request(f"{host}/robots.txt")
                parser.parse(decode_text(response.body).splitlines() if response.body.strip() else [])
            except _HTTPStatus as exc:
                if exc.status in (401, 403):
                    parser.disallow_all = True
                else:
                    parser.allow_all = True
            except (_Retryable, FetchError, ValueError):
                parser.allow_all = True  # robots.txt unreachable or unreadable: no rule to honour
            self._robots[host] = parser
        return parser.can_fetch(self.user_agent.split("/")[0], url)

    def _wait_for_host(self, netloc: str) -> None:
        last = self._last_request.get(netloc)
        if last is not None:
            pause = self.delay - (time.monotonic() - last)
            if pause > 0:
                time.sleep(pause)
        self._last_request[netloc] = time.monotonic()

    def _request(self, url: str) -> Response:
        self._wait_for_host(urllib.parse.urlsplit(url).netloc)
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept": "*/*"})
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                length = answer.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_bytes:
                    raise FetchError(f"response is {int(length) / 1e6:.0f} MB, over the {self.max_bytes / 1e6:.0f} MB limit; not downloaded")
                chunks, size = [], 0
                while True:
                    chunk = answer.read(64 * 1024)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchError(f"response grew past the {self.max_bytes / 1e6:.0f} MB limit; download stopped")
                    chunks.append(chunk)
                return Response(answer.geturl(), answer.status, answer.headers.get("Content-Type", ""), b"".join(chunks))
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:
                raise FetchError(f"too many redirects (a redirect loop?) at {url}") from None
            if exc.code in _RETRY_STATUSES:
                raise _Retryable(f"HTTP {exc.code} {exc.reason}") from None
            raise _HTTPStatus(exc.code, f"HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise _Retryable(f"timed out after {self.timeout:g} s") from None
            raise _Retryable(f"connection failed: {reason}") from None
        except (socket.timeout, TimeoutError):
            raise _Retryable(f"timed out after {self.timeout:g} s") from None
        except (ConnectionError, OSError) as exc:
            raise _Retryable(f"connection failed: {exc}") from None


class _Retryable(Exception):
    """A failure worth trying again (timeout, connection, 429, 5xx)."""


class _HTTPStatus(FetchError):
    """A definitive HTTP error status (4xx)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def looks_like_feed(response: Response) -> bool:
    """Whether a response is an RSS/Atom feed (by content type, or by its first bytes)."""
    kind = response.content_type.lower()
    if any(t in kind for t in _FEED_TYPES):
        return True
    head = response.body[:2000].lstrip().lower()
    return head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head


def iter_url_documents(urls: Iterable[str], fetcher: Fetcher | None = None) -> Iterator[RawDocument | IngestResult]:
    """Documents (or rejections) for page and feed URLs, one answer per URL or feed item."""
    fetcher = fetcher or Fetcher()
    for url in urls:
        url = str(url)
        try:
            response = fetcher.get(url)
        except FetchError as exc:
            yield IngestResult(url, "rejected", str(exc))
            continue
        if looks_like_feed(response):
            yield from _feed_documents(url, response, fetcher)
        else:
            yield _page_document(url, response)


def _page_document(origin: str, response: Response, **defaults: str) -> RawDocument | IngestResult:
    if not response.body.strip():
        return IngestResult(origin, "rejected", "empty response")
    try:
        html = decode_text(response.body)
    except ValueError as exc:
        return IngestResult(origin, "rejected", str(exc))
    if "html" not in response.content_type.lower() and "<" not in html[:1000]:
        doc = RawDocument(origin, html, url=response.url)
    else:
        doc = html_document(origin, html, url=response.url)
    if isinstance(doc, RawDocument):
        for key, value in defaults.items():
            if value and not getattr(doc, key):
                setattr(doc, key, value)
    return doc


def _feed_documents(url: str, response: Response, fetcher: Fetcher) -> Iterator[RawDocument | IngestResult]:
    import feedparser

    feed = feedparser.parse(response.body)
    if not feed.entries:
        reason = f"not a readable feed ({feed.get('bozo_exception')})" if feed.get("bozo") else "feed has no items"
        yield IngestResult(url, "rejected", reason)
        return
    feed_title = (feed.feed.get("title") or "").strip()
    for i, entry in enumerate(feed.entries, start=1):
        link = (entry.get("link") or "").strip()
        origin = link or f"{url}#item{i}"
        title = (entry.get("title") or "").strip()
        date = _entry_date(entry)
        author = (entry.get("author") or "").strip()
        fallback = _entry_text(entry)
        if link:
            absolute = urllib.parse.urljoin(response.url, link)
            try:
                page = fetcher.get(absolute)
            except FetchError as exc:
                page_answer: RawDocument | IngestResult = IngestResult(origin, "rejected", f"item page: {exc}")
            else:
                page_answer = _page_document(origin, page, title=title, date=date, source=feed_title, author=author)
            if isinstance(page_answer, RawDocument):
                page_answer.title = title or page_answer.title  # the feed names its items, the page may not
                page_answer.date = date or page_answer.date
                page_answer.source = feed_title or page_answer.source
                page_answer.url = absolute
                yield page_answer
                continue
            if len(fallback) < MIN_TEXT_CHARS:
                yield page_answer
                continue
        if len(fallback) < MIN_TEXT_CHARS:
            yield IngestResult(origin, "rejected", "feed item has no link and no text")
            continue
        yield RawDocument(origin, fallback, title=title, date=date, source=feed_title, url=link, author=author)


def _entry_date(entry) -> str:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        try:
            return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday).isoformat()
        except ValueError:
            return ""
    return ""


def _entry_text(entry) -> str:
    """The item's own text (content, else summary) as plain text."""
    html = ""
    if entry.get("content"):
        html = entry["content"][0].get("value", "")
    html = html or entry.get("summary", "")
    if not html:
        return ""
    if "<" not in html:
        return html.strip()
    import lxml.html

    try:
        return lxml.html.fromstring(html).text_content().strip()
    except (ValueError, lxml.etree.ParserError):
        return ""
