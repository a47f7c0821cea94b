"""Boilerplate removal and headline detection for plain-text pages.

A saved news page carries more than its article: site banners, datelines,
photo captions, comment forms, "related stories" and teaser blocks for other
articles. None of it may reach the analysis (a teaser's budget figure is not
this article's figure), yet an analyst should still see it, greyed, in the
reader. :func:`split_page` therefore splits a page into

``title``
    The headline: the first line that is not page furniture.
``text``
    The article: the headline and the body lines, in their original order,
    joined by newlines. Every stage's ``start``/``end`` offsets refer to it.
``boilerplate``
    The removed lines, joined by newlines, in their original order.
``site``
    The site name a page title carried after its headline ("… Kremlin says -
    ABC News" → "ABC News"), else "".
``removed``
    ``(label, line)`` for each removed line, label from
    ``pipeline/data/boilerplate_lines.csv`` or a structural rule
    (``kicker``: a line repeating part of the headline; ``caption``: the photo
    block before a "Photo By:" credit).

HTML pages go through trafilatura first (``pipeline.ingest``); their extracted
text then comes here too, so the same line rules apply to every format.
"""
from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA_FILE = Path(__file__).parent.parent / "data" / "boilerplate_lines.csv"
_MAX_TITLE_CHARS = 200     # a longer first line is a paragraph: its first sentence stands in for a headline
_DERIVED_TITLE_CHARS = 160
# A credit line closing a photo block: the lines above it are the photo's caption.
_PHOTO_CREDIT_LINE = re.compile(r"\s*(?:photo|photo illustration|illustration|image|photograph)s? (?:by|courtesy of)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Page:
    """A page split into headline, article text and boilerplate (see module docstring)."""

    title: str
    text: str
    boilerplate: str
    removed: list[tuple[str, str]] = field(default_factory=list)
    site: str = ""


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern
    scope: str
    label: str


@functools.lru_cache(maxsize=1)
def _rules() -> tuple[_Rule, ...]:
    rows = [line for line in DATA_FILE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rules = []
    for row in csv.DictReader(rows):
        rules.append(_Rule(re.compile(rf"\s*(?:{row['pattern']})\s*", re.IGNORECASE), row["scope"], row["label"]))
    return tuple(rules)


@functools.lru_cache(maxsize=1)
def _any_rule() -> re.Pattern:
    """One pattern matching a line that any rule matches: most lines are prose and fail it at once."""
    return re.compile("|".join(f"(?:{r.pattern.pattern})" for r in _rules()), re.IGNORECASE)


def _match_rule(line: str) -> _Rule | None:
    if not _any_rule().fullmatch(line):
        return None
    for rule in _rules():
        if rule.pattern.fullmatch(line):
            return rule
    return None


def _norm(s: str) -> str:
    return re.sub(r"\W+", " ", s).strip().lower()


def split_page(raw: str, title_hint: str | None = None) -> Page:
    """Split a page's plain text into headline, article text and boilerplate.

    ``title_hint`` is a headline known from elsewhere (a CSV column, an HTML
    ``<title>``); when given it is the title, and a body line repeating it is
    kept as the first line of ``text``.
    """
    if not isinstance(raw, str):
        raise TypeError(f"raw must be str, got {type(raw).__name__}")
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    labels: list[str | None] = [None] * len(lines)

    for i, line in enumerate(lines):
        if not line.strip():
            continue
        rule = _match_rule(line)
        if rule is None or rule.scope == "tail":
            continue
        if rule.scope == "rest":
            for j in range(i, len(lines)):
                labels[j] = labels[j] or rule.label
            break
        labels[i] = rule.label
        if rule.label == "caption" and _PHOTO_CREDIT_LINE.match(line):
            _mark_photo_block(lines, labels, i)

    _mark_navigation_runs(lines, labels)
    _mark_tail(lines, labels)

    title, site = split_site_name((title_hint or "").strip())
    title_index = None
    if not title:
        for i, line in enumerate(lines):
            if line.strip() and labels[i] is None:
                if len(line.strip()) <= _MAX_TITLE_CHARS:
                    title, site = split_site_name(line.strip())
                    title_index = i
                else:
                    title = _first_sentence(line.strip())
                break

    if title:
        norm_title = _norm(title)
        for i, line in enumerate(lines):
            if labels[i] is None and i != title_index and line.strip():
                n = _norm(line)
                if n and n != norm_title and n in norm_title and len(n) < len(norm_title):
                    labels[i] = "kicker"

    body = _join_broken_lines([(title if i == title_index else line.strip())
                               for i, line in enumerate(lines) if labels[i] is None and line.strip()])
    if title_hint and (not body or _norm(body[0]) != _norm(title)):
        body.insert(0, title)
    removed = [(labels[i], line.strip()) for i, line in enumerate(lines) if labels[i] and line.strip()]
    return Page(
        title=title,
        text="\n".join(body),
        boilerplate="\n".join(line for _, line in removed),
        removed=removed,
        site=site,
    )


def _mark_tail(lines: list[str], labels: list[str | None]) -> None:
    """Mark the lines of ``tail`` rules (author bios) that close the page: from the last line up, past
    furniture already marked, while each line matches a tail rule."""
    for i in range(len(lines) - 1, -1, -1):
        if not lines[i].strip() or labels[i]:
            continue
        rule = next((r for r in _rules() if r.scope == "tail" and r.pattern.fullmatch(lines[i])), None)
        if rule is None:
            break
        labels[i] = rule.label


NAVIGATION_RUN = 3      # this many short lines in a row are a menu, not prose
NAVIGATION_WORDS = 4    # a line of at most this many words without sentence punctuation is short


def _mark_navigation_runs(lines: list[str], labels: list[str | None]) -> None:
    """Mark runs of short, unpunctuated lines (menus, tag lists, share bars) as navigation.

    Prose has sentences; a run of ``NAVIGATION_RUN`` or more lines of at most
    ``NAVIGATION_WORDS`` words with no sentence punctuation is site
    navigation. Blank lines do not break a run.
    """
    run: list[int] = []

    def close() -> None:
        if len(run) >= NAVIGATION_RUN:
            for j in run:
                labels[j] = labels[j] or "navigation"
        run.clear()

    for i, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        short = len(text.split()) <= NAVIGATION_WORDS and not re.search(r"[.!?…:;]$|[.!?][\"'”’]$", text)
        if short and labels[i] in (None, "site_furniture", "separator", "cookie_notice", "navigation"):
            run.append(i)
        else:
            close()
    close()


_TRAILING_FURNITURE = re.compile(r"\s*(?:Skip to (?:main )?content|Skip navigation|Menu)\s*$", re.IGNORECASE)
_SITE_SEPARATOR = re.compile(r"\s+[|\-–—]\s+")
_SITE_WORD = re.compile(r"^(?:[A-Z0-9][\w.’'&-]*|[a-z0-9-]+(?:\.[a-z0-9-]+)+|and|of|the|for|on|in|&|de|du|des|la|le)$")
_MAX_SITE_WORDS = 8


def split_site_name(title: str) -> tuple[str, str]:
    """Split ``"Headline - Site Name"`` / ``"Headline | Site"`` into ``(headline, site)``.

    The part after the last separator is a site name when it is short (at most
    eight words), reads as a name (every word capitalised, a domain or a
    joining word) and the headline before it has at least four words; a
    trailing "Skip to main content" goes too. Otherwise the title is kept
    whole: "Ukraine war - live updates" has no site name.
    """
    title = _TRAILING_FURNITURE.sub("", title).strip()
    site = ""
    for _ in range(2):   # "Headline | Section | Site": the site, then a section
        separators = list(_SITE_SEPARATOR.finditer(title))
        if not separators:
            break
        head, tail = title[:separators[-1].start()].strip(), title[separators[-1].end():].strip()
        words = tail.split()
        if not (1 <= len(words) <= _MAX_SITE_WORDS and len(head.split()) >= 4
                and all(_SITE_WORD.match(w) for w in words) and (words[0][0].isupper() or "." in words[0])):
            break
        title, site = head, site or tail
    return title, site


def _first_sentence(paragraph: str) -> str:
    """A stand-in headline for a page that has none: the first sentence, cut at a word near 160 characters."""
    from pipeline.stages.nlp import sentence_spans

    spans = sentence_spans(paragraph)
    sentence = paragraph[spans[0][0]:spans[0][1]] if spans else paragraph
    if len(sentence) <= _DERIVED_TITLE_CHARS:
        return sentence
    return sentence[:_DERIVED_TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _join_broken_lines(body: list[str]) -> list[str]:
    """Re-join a sentence that a page broke over two lines ("… U.S. President" / "Donald Trump for …").

    A body line (not the headline) of at least 60 characters that ends without
    sentence punctuation, followed by a line starting in the middle of a
    sentence, is one paragraph.
    """
    joined: list[str] = []
    for i, line in enumerate(body):
        if i >= 2 and joined and len(joined[-1]) >= 60 and not re.search(r"[.!?:;\"'”’)\]]$", joined[-1]):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


def _mark_photo_block(lines: list[str], labels: list[str | None], credit_index: int) -> None:
    """Mark the photo block before a "Photo By:" credit: caption, name line and alt text.

    Layout of such blocks (e.g. defense.gov): ``alt text`` / ``name`` /
    ``caption`` / ``Photo By: …``. The caption line is always marked; the name
    and alt-text lines only when the line above the caption is a short name.
    """
    previous = [j for j in range(credit_index - 1, -1, -1) if lines[j].strip()][:3]
    if not previous:
        return
    labels[previous[0]] = labels[previous[0]] or "caption"
    if len(previous) >= 2:
        name = lines[previous[1]].strip()
        if len(name.split()) <= 5 and not re.search(r"[.!?:]$", name):
            labels[previous[1]] = labels[previous[1]] or "caption"
            if len(previous) == 3:
                labels[previous[2]] = labels[previous[2]] or "caption"
