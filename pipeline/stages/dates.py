"""Dates: explicit date expressions in text, an article's own date, and dates inferred from known events.

Rows of :func:`extract` (``python -m pipeline extract dates``):

``date``            ISO 8601 at the precision the text gives: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``;
                    ``""`` when the text gives no year ("4 April").
``date_precision``  ``day`` | ``month`` | ``year`` | ``unknown``.
``start``, ``end``  character offsets of the expression in the text.
``text``            the expression as written.

An article's date (:func:`article_date`) is never guessed and never the
ingest time: it comes from a dateline ("Status: 10/22/2021"), else from the
full date on the page that reads most surely as a publication date (after
"Published"/"Updated" opening a line, else in the headline; never a photo
caption's date, the day a picture was taken; see :func:`publication_date_strength`), else it
is ``unknown``: a date the article narrates ("On 24 February 2022 Russia
invaded Ukraine") is never taken for the article's own. Separately, :func:`infer_date` places an undated article in a
year from events it speaks of ("ahead of the NATO summit … in The Hague" →
2025), with the reason; the articles table keeps the two apart
(``date``/``date_precision`` versus ``date_inferred``/``date_inferred_from``).
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ["date", "date_precision", "start", "end", "text"]
PRECISIONS = ("day", "month", "year", "unknown")
ANCHOR_EVENTS_FILE = Path(__file__).parent.parent / "data" / "anchor_events.csv"

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
# Ordered: the first pattern to claim a span wins.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("iso", re.compile(rf"\b{_YEAR}-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)(?!\d)")),
    ("numeric", re.compile(rf"\b(?P<a>[0-3]?\d)[/.](?P<b>[0-3]?\d)[/.]{_YEAR}\b")),
    ("mdy", re.compile(rf"\b{_MONTH}\s+{_DAY}(?:\s*[-–]\s*\d{{1,2}})?,?\s+{_YEAR}\b", re.IGNORECASE)),
    ("dmy", re.compile(rf"\b{_DAY}(?:\s*[-–]\s*\d{{1,2}})?\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("my", re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b", re.IGNORECASE)),
    ("md", re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?![,.]?\s*\d)", re.IGNORECASE)),
    ("dm", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b", re.IGNORECASE)),
    ("y", re.compile(rf"(?<![\d,.\-/]){_YEAR}(?![\d%]|[,.]\d|-\w)")),
]
# "May" and "March" are also words: a bare month needs a day or a year next to it, which every pattern has,
# but "may 5" in "may 5 countries" is rare enough to accept. A bare year needs a year-like context.
_YEAR_CONTEXT = re.compile(
    r"(?:\b(?:in|since|by|from|of|until|till|before|after|early|late|mid|end|during|for|year|the|and|to|between|through)\s*-?\s*$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ArticleDate:
    """An article's date with its precision and the text it was read from."""

    date: str
    precision: str
    evidence: str


from pipeline.schema import EARLIEST_PUBLICATION  # noqa: E402  (one place: the schema)


def implausible_publication(date: str, ingest_day: dt.date) -> str:
    """Why ``date`` (ISO, day/month/year precision) cannot be a publication date read on ``ingest_day``, or "".

    After the day of ingest (a day's grace for time zones ahead of UTC) or before :data:`EARLIEST_PUBLICATION`
    it is the date of something else (an event announced, a date recounted, a typo), never the publication.
    """
    parts = [int(p) for p in date.split("-")]
    first = dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    if first > ingest_day + dt.timedelta(days=1):
        return f"{date} is after the day of ingest ({ingest_day.isoformat()})"
    if first < EARLIEST_PUBLICATION:
        return f"{date} is before any plausible publication ({EARLIEST_PUBLICATION.year})"
    return ""


def extract(text: str, *, date: str | None = None, mentions: list[dict] | None = None) -> list[dict]:
    """Find the date expressions in ``text`` (rows with the columns of ``COLUMNS``)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    taken: list[tuple[int, int]] = []
    rows: list[dict] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if kind == "y" and not _YEAR_CONTEXT.search(text[max(0, m.start() - 12):m.start()]):
                continue
            iso, precision = _normalise(kind, m)
            if precision is None:
                continue
            taken.append((m.start(), m.end()))
            rows.append({"date": iso, "date_precision": precision, "start": m.start(), "end": m.end(), "text": m.group(0)})
    rows.sort(key=lambda r: r["start"])
    return rows


def _normalise(kind: str, m: re.Match) -> tuple[str, str | None]:
    g = m.groupdict()
    year = int(g["year"]) if g.get("year") else None
    month = _MONTHS.get((g.get("month") or "").lower().rstrip(".")) if g.get("month") else None
    if kind == "iso":
        month = int(g["mnum"])
    if kind == "numeric":
        a, b = int(g["a"]), int(g["b"])
        # US order (month/day) unless the first number cannot be a month; dotted dates are European (day.month).
        dotted = "." in m.group(0)
        month, day = (b, a) if (dotted or a > 12) else (a, b)
        return _valid(year, month, day)
    if kind in ("iso", "mdy", "dmy"):
        return _valid(year, month, int(g["day"]))
    if kind == "my":
        return (f"{year:04d}-{month:02d}", "month") if month else ("", None)
    if kind in ("md", "dm"):
        day = int(g["day"])
        return ("", "unknown") if month and 1 <= day <= 31 else ("", None)
    if kind == "y":
        return f"{year:04d}", "year"
    return "", None


def _valid(year: int | None, month: int | None, day: int) -> tuple[str, str | None]:
    try:
        return dt.date(year, month, day).isoformat(), "day"
    except (TypeError, ValueError):
        return "", None


def article_date(raw_page: str, dateline_lines: list[str] | None = None) -> ArticleDate:
    """The article's own date: from its dateline, else the first full date on the page, else unknown.

    ``raw_page`` is the whole page (boilerplate included: captions and
    datelines carry dates); ``dateline_lines`` are the lines the clean stage
    labelled as datelines.
    """
    for line in dateline_lines or []:
        for row in extract(line):
            if row["date_precision"] in ("day", "month"):
                return ArticleDate(row["date"], row["date_precision"], line.strip())
    best: tuple[int, dict] | None = None
    for row in extract(raw_page):
        if row["date_precision"] != "day":
            continue
        strength = publication_date_strength(raw_page, row["start"], row["end"])
        if strength and (best is None or strength > best[0]):
            best = (strength, row)
            if strength == _CUED:
                break
    if best:
        return ArticleDate(best[1]["date"], "day", best[1]["text"])
    return ArticleDate("", "unknown", "")


_PUBLICATION_CUE = re.compile(
    r"(?:^|[|/·•—–]\s*)(?:first\s+|last\s+)?(?:published|updated|posted|modified|status|date)\b"
    r"[\s:,.–—-]*(?:on\s+)?(?:\w{3,9},?\s+)?(?:\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4})?[\s,]*)?$",
    re.IGNORECASE,
)
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)"
_EVENT_PREPOSITION = re.compile(
    rf"\b(?:on|in|of|since|until|till|by|before|after|from|between|to|and|through|ended|ending|due|payable|effective"
    rf"|maturing|beginning|expires?|record|as of|dated)\s*{_WEEKDAY}?$", re.IGNORECASE)
_CLOCK_OR_WEEKDAY = re.compile(rf"^[\s,|·–—-]*{_WEEKDAY}?$|^[\s,|·–—-]*(?:\d{{1,2}}[:.]\d\d\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{{2,4}})?)?[\s,|·–—-]*$", re.IGNORECASE)
# A print edition's citation of itself: "(China Daily European Weekly 01/27/2017 page29)", "(The Hindu, 3 May
# 2017, p. 12)": an outlet's name, the issue's date, a page number, in parentheses.
_EDITION_CITATION_BEFORE = re.compile(r"\(\s*[A-Z][\w'’&.-]*(?:\s+[A-Z][\w'’&.-]*){0,6},?\s*$")
_EDITION_CITATION_AFTER = re.compile(r"^,?\s*(?:page|pg\.?|p\.)\s*[A-Z]?\d{1,3}\s*\)", re.IGNORECASE)
_HEADLINE_WORDS = 12
_CUED, _HEADLINE = 3, 2


def publication_date_strength(page: str, start: int, end: int) -> int:
    """How surely a full date at ``page[start:end]`` is the page's own date: 0 (not at all), 2 or 3.

    3: right after a publication cue that opens its line or follows a byline
    separator ("Published", "Updated 5:44 PM UTC,", "Status:", "TOI Tech Desk /
    Updated:"), or in a print edition's citation of itself ("(China Daily European
    Weekly 01/27/2017 page29)"); 2: in the page's headline, its first line, beside words of its
    own ("Russian Offensive Campaign Assessment, February 2, 2026 | Critical
    Threats"). Everything else is 0, measured on 2,531 real articles by
    ``python -m pipeline eval dates``: a photo caption's date is the day the
    picture was taken (often days or years before), a short line or an embedded
    post's date ("— Breitbart London (@BreitbartLondon) April 6, 2024") is
    another text's, a date alone at the top with a clock ("Thursday, 09 May
    2024, 23:13") is the site's clock when the page was saved, a date in prose
    ("invaded on February 24, 2022", "due April 30, 1992", "As of December 31,
    1986", "dated October 24, 2016") is an event the article narrates.
    """
    line_start = page.rfind("\n", 0, start) + 1
    line_end = page.find("\n", end)
    line_end = len(page) if line_end == -1 else line_end
    before = page[line_start:start]
    after = page[end:line_end]
    if re.search(r"(?:https?:|www\.|/)\S*$", before):
        return 0  # part of a link ("…/ukraine-quick-elections-2026-02-06/")
    if _PUBLICATION_CUE.search(before[-60:]):
        return _CUED
    if _EDITION_CITATION_BEFORE.search(before) and _EDITION_CITATION_AFTER.match(after):
        return _CUED
    headline = not page[:line_start].strip()
    if (headline and not _EVENT_PREPOSITION.search(before)
            and len((before + " " + after).split()) <= _HEADLINE_WORDS
            and not (_CLOCK_OR_WEEKDAY.match(before) and _CLOCK_OR_WEEKDAY.match(after))):
        return _HEADLINE
    return 0


@functools.lru_cache(maxsize=1)
def _anchor_events() -> tuple[tuple[str, re.Pattern, dt.date, dt.date], ...]:
    lines = [l for l in ANCHOR_EVENTS_FILE.read_text(encoding="utf-8").splitlines() if not l.startswith("#")]
    return tuple(
        (r["event"], re.compile(r["pattern"], re.IGNORECASE), dt.date.fromisoformat(r["start"]), dt.date.fromisoformat(r["end"]))
        for r in csv.DictReader(lines)
    )


_UPCOMING = re.compile(r"\b(upcoming|ahead of|scheduled|will|is to|are to|set to|expected|next|plans?|preparing|run-up)\b", re.IGNORECASE)


def infer_date(text: str) -> tuple[str, str, str]:
    """Place an undated article in a year from the dated events it names as upcoming.

    Returns ``(date, precision, reason)``; ``("", "unknown", "")`` when no
    listed event is spoken of as upcoming. Only the year is inferred: the
    article may precede the event by weeks or months.
    """
    found: list[tuple[dt.date, str]] = []
    for event, pattern, start, _end in _anchor_events():
        for m in pattern.finditer(text):
            sentence_start = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
            sentence_end = min((i for i in (text.find(".", m.end()), text.find("\n", m.end())) if i != -1), default=len(text))
            if _UPCOMING.search(text[sentence_start:sentence_end]):
                found.append((start, f"{event} ({start.isoformat()}) is spoken of as upcoming: “{m.group(0)}”"))
                break
    if not found:
        return "", "unknown", ""
    start, reason = min(found)
    return f"{start.year:04d}", "year", reason
