"""Actors: who is named in an article, resolved to canonical actors with the roles they held on its date.

Rows of :func:`extract` (table ``actor_mentions``; ``python -m pipeline extract actors``):

``article_id``    str  the article (filled in by the caller; absent from :func:`extract` rows).
``actor``         str  canonical name: "Jens Stoltenberg", "Russia", "NATO"; for an unresolved
                       named entity, its surface name.
``actor_type``    str  ``person`` | ``organisation`` | ``country``.
``role``          str  role(s) the dictionary says the person held on the article's date, "; "-joined
                       ("NATO Secretary General"); "" if none, not a person, or no date.
``start``, ``end`` int character offsets of the mention in ``text`` (``text[start:end] == mention``).
``sentence``      str  the sentence holding the mention (``pipeline.stages.nlp`` splitter).
``mention``       str  the surface text as written ("Stoltenberg", "the Kremlin", "Russian", "he").
``resolution``    str  how it was resolved: ``name`` (canonical name) | ``alias`` (listed variant) |
                       ``surname`` | ``metonym`` ("Moscow", "the Kremlin") | ``adjective`` ("Russian") |
                       ``title`` ("the secretary general") | ``pronoun`` ("he") | ``ner_unresolved``
                       (spaCy PERSON/ORG not in the dictionary; actor = surface name).
``role_in_text``  str  the title the text gives the person at this mention ("President" in
                       "President Dmitry Peskov", "NATO Secretary General"); "" if none.
``anachronism``   str  human-readable flag where ``role_in_text`` does not fit the dictionary on the
                       article's date ("Stoltenberg: NATO Secretary General until 2024-10-01; article
                       dated 2025"), or says the check could not be made (no date); "" otherwise.
``country``       str  ISO 3166 alpha-3 code or organisation code of the actor's affiliation (RUS, NATO, EU).
``actor_id``      str  dictionary id (``JENS_STOLTENBERG``, ``RUS``); "" for unresolved entities.

Data (``pipeline/data``, documented in ``actors.md``): ``actors.csv`` (people and organisations with
aliases), ``actor_roles.csv`` (dated roles with sources), ``actor_countries.csv`` (canonical country
names, adjectives, metonyms; every other pycountry country by its common name), ``actor_titles.csv``
(titles → role keys), ``actor_ner_stoplist.csv`` (spaCy entities that are not actors).
"""
from __future__ import annotations

import bisect
import csv
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from pipeline.names import first_names_agree as _first_names_agree, fold as _fold, name_skeleton, spelling_map
from pipeline.names import surname as _surname
from pipeline import schema
from pipeline.stages import nlp

COLUMNS = schema.columns("actor_mentions")  # declared in pipeline/schema.py
ACTOR_TYPES = schema.ACTOR_TYPES
RESOLUTIONS = ("name", "alias", "surname", "metonym", "adjective", "title", "pronoun", "ner_unresolved")

DATA_DIR = Path(__file__).parent.parent / "data"

# Prepositions/verbs before a capital city that make it a place, not an acting government.
_LOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:in|at|from|into|near|outside|inside|around|across|via|towards?|through|within|over|"
    r"visit|visits|visited|visiting|trip\s+to|travel(?:led|ed|s)?\s+to|flew\s+to|flying\s+to|came\s+to|"
    r"went\s+to|arrived\s+in|return(?:ed|s)?\s+to|headed\s+to|based\s+in|held\s+in|hosted\s+in|"
    r"meeting\s+in|summit\s+in|conference\s+in|talks\s+in|embassy\s+in|offices?\s+in|mission\s+in|"
    r"streets\s+of|centre\s+of|center\s+of|outskirts\s+of|residents\s+of)\s+(?:the\s+)?)$",
    re.IGNORECASE,
)
# After a city: "Moscow-based", "Brussels summit", "the Washington Post" (a capitalised word = a name).
_PLACE_AFTER = re.compile(r"^(?:-based|\s+(?:summit|Summit|time|region|oblast|Oblast|airport|metro|residents?|office|offices|embassy|'s\s+streets|’s\s+streets)\b|[ \t]+[A-Z][a-z])")
_PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")
# "he said" / "she added": a pronoun directly before a speech verb is its subject, no parse needed.
_SPEECH_PRONOUN = re.compile(r"(?:he|she|He|She)\s+(?:said|says|added|adds|stressed|noted|told|warned|explained|"
                             r"insisted|argued|continued|wrote|declared|replied|asked|emphasi[sz]ed|criticized|criticised)\b")
_WORD_AFTER = re.compile(r"^[\s\u00a0]*[-–]?[\w(]")


# --------------------------------------------------------------------------------------------- data

# Time modifiers before a title: "former President", "ex-Prime Minister", "then-Secretary of State".
_MODIFIERS = r"former|ex-|then-|then|late|outgoing|incoming|acting|interim|future|newly\s+appointed|new"
_PAST = {"former", "ex-", "late"}
_UNCHECKED = {"then-", "then"}
_FUTURE = {"incoming", "future"}


@dataclass(frozen=True)
class Role:
    """One dated role of one person (``end`` exclusive: the day the office passed on; None = ongoing)."""

    actor_id: str
    label: str
    role_key: str
    org: str
    start: dt.date
    end: dt.date | None
    source: str
    verified: str


@dataclass(frozen=True)
class Actor:
    actor_id: str
    name: str
    actor_type: str
    country: str


@dataclass
class Dictionary:
    """Everything the extractor looks up, loaded once from ``pipeline/data``."""

    actors: dict[str, Actor] = field(default_factory=dict)
    roles: dict[str, list[Role]] = field(default_factory=dict)
    # surface -> (actor_id, resolution, context) ; context "nato" = only where NATO is named
    surfaces: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # lower-cased title -> role_key ("" = rank/courtesy)
    qualifiers: dict[str, str] = field(default_factory=dict)  # qualifier surface -> org/country code
    stoplist: frozenset[str] = frozenset()
    surface_re: re.Pattern | None = None
    person_ci_re: re.Pattern | None = None
    surfaces_ci: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    title_before_re: re.Pattern | None = None
    title_after_re: re.Pattern | None = None
    title_alone_re: re.Pattern | None = None


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if not next(iter(row.values()), "").startswith("#")]


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def _parse_day(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _add_surface(table: dict, surface: str, entry: tuple[str, str, str]) -> None:
    """Register a surface form (first registration wins); 'the X' also as sentence-initial 'The X'."""
    table.setdefault(surface, entry)
    if surface.startswith("the "):
        table.setdefault("The " + surface[4:], entry)


def _trie_alternation(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, longest first, written as a trie ("NATO(?: Council)?"):
    the same matches as the plain alternation of the words sorted longest first, about 20 times faster over
    a dictionary of thousands of names (the plain alternation tries every name at every position). Siblings
    in the trie start with different characters, so the greedy path is the longest match."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


@functools.lru_cache(maxsize=1)
def load_dictionary() -> Dictionary:
    """Load the actor dictionary (people, organisations, countries, roles, titles) from ``pipeline/data``."""
    import pycountry

    book = Dictionary()
    surfaces: dict[str, tuple[str, str, str]] = {}
    # Countries we curate first (canonical names, adjectives, metonyms), then pycountry for the rest.
    curated = _read_csv("actor_countries.csv")
    for row in curated:
        iso3 = row["iso3"]
        book.actors[iso3] = Actor(iso3, row["name"], "country", iso3)
        _add_surface(surfaces, row["name"], (iso3, "name", ""))
        for alias in _split(row["aliases"]):
            _add_surface(surfaces, alias, (iso3, "alias", ""))
        for adjective in _split(row["adjectives"]):
            _add_surface(surfaces, adjective, (iso3, "adjective", ""))
            _add_surface(surfaces, f"{adjective} government", (iso3, "alias", ""))
            _add_surface(surfaces, f"the {adjective} government", (iso3, "alias", ""))
            book.qualifiers.setdefault(adjective, iso3)
        for metonym in _split(row["metonyms"]):
            _add_surface(surfaces, metonym, (iso3, "metonym", ""))
        for q in [row["name"], *_split(row["aliases"])]:
            book.qualifiers.setdefault(q, iso3)
    for country in pycountry.countries:
        iso3 = country.alpha_3
        if iso3 in book.actors:
            continue
        name = getattr(country, "common_name", None) or country.name
        if "," in name or "(" in name:
            continue
        book.actors[iso3] = Actor(iso3, name, "country", iso3)
        _add_surface(surfaces, name, (iso3, "name", ""))
    for row in _read_csv("actors.csv"):
        actor = Actor(row["actor_id"], row["name"], row["actor_type"], row["country"])
        if actor.actor_type not in ACTOR_TYPES:
            raise ValueError(f"actors.csv: bad actor_type {actor.actor_type!r} for {actor.actor_id}")
        book.actors[actor.actor_id] = actor
        surfaces[actor.name] = (actor.actor_id, "name", "")  # a listed name beats a country of that name
        for alias in _split(row["aliases"]):
            context = "nato" if alias.lower() in {"the alliance", "the military alliance", "the western alliance",
                                                  "the transatlantic alliance"} else ""
            if actor.actor_id == "EU" and alias == "Brussels":
                _add_surface(surfaces, alias, (actor.actor_id, "metonym", ""))
            else:
                _add_surface(surfaces, alias, (actor.actor_id, "alias", context))
        if actor.actor_type == "organisation":
            book.qualifiers.setdefault(actor.name, actor.country or actor.actor_id)
            for alias in _split(row["aliases"]):
                if not alias.lower().startswith("the "):
                    book.qualifiers.setdefault(alias, actor.country or actor.actor_id)
    for qualifier, code in {"Alliance": "NATO", "alliance": "NATO", "the alliance": "NATO", "Kremlin": "RUS",
                            "the Kremlin": "RUS", "European": "EU", "NATO": "NATO", "Nato": "NATO"}.items():
        book.qualifiers[qualifier] = code
    book.surfaces = surfaces
    for row in _read_csv("actor_roles.csv"):
        if row["actor_id"] not in book.actors:
            raise ValueError(f"actor_roles.csv: unknown actor_id {row['actor_id']!r}")
        role = Role(row["actor_id"], row["role"], row["role_key"], row["org"], _parse_day(row["start"]),
                    _parse_day(row["end"]), row["source"], row["verified"])
        book.roles.setdefault(role.actor_id, []).append(role)
    for row in _read_csv("actor_titles.csv"):
        book.titles[row["title"].lower()] = row["role_key"]
    book.stoplist = frozenset(r["text"].lower() for r in _read_csv("actor_ner_stoplist.csv"))

    for surface in [s for s in surfaces if s.startswith(("the ", "The "))]:
        bare = surfaces.get(surface[4:])
        if bare is not None and bare[0] == surfaces[surface][0] and not surfaces[surface][2]:
            del surfaces[surface]  # "the EU" is found as "EU"; keeping it would hide "EU Council"
    names = sorted(surfaces, key=len, reverse=True)
    book.surface_re = re.compile(r"(?<![\w])(?<!pro-)(?<!anti-)(?<!non-)(?<!Pro-)(?<!Anti-)(?:" + _trie_alternation(names) + r")(?![\w])")
    multiword_people = sorted((n for n, (a, _, _) in surfaces.items()
                               if " " in n and book.actors[a].actor_type == "person"), key=len, reverse=True)
    book.person_ci_re = re.compile(r"(?<![\w])(?:" + _trie_alternation(n.lower() for n in multiword_people) + r")(?![\w])",
                                   re.IGNORECASE)
    book.surfaces_ci = {n.lower(): surfaces[n] for n in multiword_people}
    titles = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in sorted(book.titles, key=len, reverse=True))
    quals = "|".join(re.escape(q) for q in sorted(book.qualifiers, key=len, reverse=True))
    apostrophe = r"(?:'s|’s)?"
    book.title_before_re = re.compile(
        rf"(?:(?<![\w])(?P<mod>{_MODIFIERS})\s*)?"
        rf"(?:(?<![\w.])(?P<qual>{quals}){apostrophe}[ \t\u00a0]+)?(?<![\w])(?P<title>{titles})\s+$", re.IGNORECASE)
    book.title_after_re = re.compile(
        rf"^,\s+(?:the\s+)?(?:(?P<qual>{quals}){apostrophe}\s+)?(?P<title>{titles})(?![\w])(?!\s+[A-Z][a-z])",
        re.IGNORECASE)
    book.title_alone_re = re.compile(
        rf"(?<![\w])(?:[Tt]he\s+(?:(?P<qual>{quals}){apostrophe}\s+)?|(?P<qual2>NATO|Nato|Kremlin|Russia|the\s+alliance)(?:'s|’s)\s+)"
        rf"(?P<title>{titles})(?![\w])(?!\s+[A-Z][a-z])(?!\s+of\b)")
    return book


# --------------------------------------------------------------------------------------------- dates


def date_bounds(date: str | None) -> tuple[dt.date, dt.date] | None:
    """First and last day covered by an ISO date of day, month or year precision (None if absent/invalid)."""
    if not date:
        return None
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", date.strip())
    if not match:
        raise ValueError(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, got {date!r}")
    year, month, day = match.groups()
    if day:
        d = dt.date(int(year), int(month), int(day))
        return d, d
    if month:
        first = dt.date(int(year), int(month), 1)
        nxt = dt.date(int(year) + (int(month) == 12), int(month) % 12 + 1, 1)
        return first, nxt - dt.timedelta(days=1)
    return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)


def held_on(role: Role, bounds: tuple[dt.date, dt.date]) -> bool:
    """True if the role was held at some point of the date interval (end exclusive)."""
    lo, hi = bounds
    return role.start <= hi and (role.end is None or lo < role.end)


def roles_on(actor_id: str, date: str | None) -> list[Role]:
    """Roles the dictionary says ``actor_id`` held on ``date`` (empty if no date)."""
    bounds = date_bounds(date)
    if bounds is None:
        return []
    return [r for r in load_dictionary().roles.get(actor_id, []) if held_on(r, bounds)]


def _keys_compatible(text_key: str, role_key: str) -> bool:
    if text_key == role_key:
        return True
    return role_key in _KEY_FAMILIES.get(text_key, ())


# A title in the text that also names these dictionary roles ("President Ursula von der Leyen").
_KEY_FAMILIES = {
    "president": {"commission president", "council president", "parliament president"},
    "secretary general": {"party general secretary"},
    "minister": {"foreign minister", "defence minister", "finance minister", "deputy foreign minister",
                 "prime minister", "deputy prime minister"},
    "chairman": {"speaker", "deputy chairman", "council president", "commission president", "parliament president"},
    "head of state": {"president"},
}


def check_role(actor_id: str, role_key: str, qualifier_code: str, role_in_text: str, date: str | None,
               context: str = "") -> str:
    """Anachronism flag for a person given ``role_in_text`` on ``date`` ("" when it fits or cannot apply).

    ``context`` (the sentence) may date the statement itself: a role held in a year the sentence names
    ("in 2013, President Barack Obama …") is not flagged.
    """
    book = load_dictionary()
    actor = book.actors.get(actor_id)
    roles = book.roles.get(actor_id, [])
    if actor is None or actor.actor_type != "person" or not role_key or not roles:
        return ""
    surname = actor.name.split()[-1]
    title = " ".join(role_in_text.split())
    modifier = re.match(rf"(?:{_MODIFIERS})", title, re.IGNORECASE)
    modifier = modifier.group(0).lower() if modifier else ""
    if modifier in _UNCHECKED:
        return ""  # "then-Secretary of State": the text itself dates the role elsewhere
    if date_bounds(date) is None:
        return f"{surname}: role '{title}' not checked (no article date)"
    bounds = date_bounds(date)
    fitting = [r for r in roles if _keys_compatible(role_key, r.role_key)
               and (not qualifier_code or r.org == qualifier_code)]
    if modifier in _PAST:
        if any(r.start <= bounds[1] for r in fitting):
            return ""
    elif modifier in _FUTURE:
        if any(r.end is None or r.end > bounds[0] for r in fitting):
            return ""
    elif any(held_on(r, bounds) for r in fitting):
        return ""
    if fitting:
        for year in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", context):
            if any(held_on(r, date_bounds(year)) for r in fitting):
                return ""  # the sentence speaks of a year in which the role was held
        past = [r for r in fitting if r.end is not None and r.end <= bounds[0]]
        future = [r for r in fitting if r.start > bounds[1]]
        if past:
            last = max(past, key=lambda r: r.end)
            again = f" (again from {min(future, key=lambda r: r.start).start.isoformat()})" if future else ""
            return f"{surname}: {last.label} until {last.end.isoformat()}{again}; article dated {date}"
        first = min(future, key=lambda r: r.start)
        return f"{surname}: {first.label} only from {first.start.isoformat()}; article dated {date}"
    held = [r.label for r in roles if held_on(r, bounds)]
    if held:
        return f"{surname}: not '{title}' per dictionary; on {date} {'; '.join(held)}"
    known = "; ".join(sorted({r.label for r in roles}))
    return f"{surname}: not '{title}' per dictionary (no role on {date}; known roles: {known})"


# --------------------------------------------------------------------------------------------- extraction


class _Sentences:
    def __init__(self, text: str):
        self.spans = nlp.sentence_spans(text)
        self.starts = [s for s, _ in self.spans]
        self.text = text

    def index(self, offset: int) -> int:
        i = bisect.bisect_right(self.starts, offset) - 1
        return max(i, 0)

    def sentence(self, offset: int) -> str:
        if not self.spans:
            return ""
        s, e = self.spans[self.index(offset)]
        return self.text[s:e]


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _title_before(text: str, start: int, book: Dictionary) -> tuple[str, str, str, int] | None:
    """(role_in_text, role_key, qualifier code, title start) for a title right before ``start``."""
    window_start = max(0, start - 90)
    match = book.title_before_re.search(text, window_start, start)
    if not match or match.end() != start:
        return None
    title = match.group("title")
    role_key = book.titles.get(" ".join(title.split()).lower(), "")
    qual = match.group("qual")
    code = book.qualifiers.get(qual, "") if qual else ""
    if qual and code == "" and qual.lower() in book.qualifiers:
        code = book.qualifiers[qual.lower()]
    return " ".join(text[match.start():match.end()].split()), role_key, code, match.start("title")


def _title_after(text: str, end: int, book: Dictionary) -> tuple[str, str, str] | None:
    match = book.title_after_re.match(text[end:end + 90])
    if not match:
        return None
    title = match.group("title")
    qual = match.group("qual")
    role_text = " ".join(match.group(0).lstrip(", ").split())
    if role_text.lower().startswith("the "):
        role_text = role_text[4:]
    return role_text, book.titles.get(" ".join(title.split()).lower(), ""), book.qualifiers.get(qual, "") if qual else ""


def _row(book: Dictionary, text: str, sentences: _Sentences, start: int, end: int, actor_id: str,
         resolution: str, *, name: str = "", actor_type: str = "", date: str | None = None,
         role_in_text: str = "", anachronism: str = "", country: str = "") -> dict:
    actor = book.actors.get(actor_id)
    if actor is not None:
        name, actor_type, country = actor.name, actor.actor_type, actor.country
    held = roles_on(actor_id, date) if actor_type == "person" and actor_id else []
    role = "; ".join(r.label for r in held)
    if held:
        country = held[0].org  # affiliation on the article's date: NATO for the Secretary General
    return {
        "actor": name, "actor_type": actor_type, "role": role, "start": start, "end": end,
        "sentence": sentences.sentence(start), "mention": text[start:end], "resolution": resolution,
        "role_in_text": role_in_text, "anachronism": anachronism, "country": country, "actor_id": actor_id,
    }


def _is_place(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40):start]
    after = text[end:end + 20]
    return bool(_LOCATIVE_BEFORE.search(before)) or bool(_PLACE_AFTER.match(after))


def extract(text: str, *, date: str | None = None, mentions: list[dict] | None = None,
            ner: bool = True, rejected: list[tuple[str, str]] | None = None) -> list[dict]:
    """Actor mentions in one article's main text, resolved to canonical actors (see module docstring).

    ``date`` is the article's ISO date (YYYY, YYYY-MM or YYYY-MM-DD) used for roles and anachronism
    checks; ``mentions`` is accepted for the shared stage signature and ignored (this stage makes them).
    ``ner=False`` skips spaCy (dictionary only; faster, no unresolved entities, no pronouns).
    ``rejected``, when given, receives ``(surface, reason)`` for each named entity the post-NER checks turned
    down (``non_person_kind`` classes, ``plain word``, ``name shape``, ``one word, unsupported``).
    """
    if not isinstance(text, str):
        raise TypeError("text must be a str")
    date_bounds(date)  # validates
    book = load_dictionary()
    sentences = _Sentences(text)
    rows: list[dict] = []
    taken: list[tuple[int, int]] = []  # spans already claimed (mentions and consumed title qualifiers)
    nato_named = bool(re.search(r"\bNATO\b|\bNato\b|North Atlantic Treaty", text))

    # 1. dictionary surfaces
    candidates = []
    for match in book.surface_re.finditer(text):
        actor_id, resolution, context = book.surfaces[match.group(0)]
        candidates.append((match.start(), match.end(), actor_id, resolution, context))
    exact_spans = {(c[0], c[1]) for c in candidates}
    for match in book.person_ci_re.finditer(text):
        if (match.start(), match.end()) not in exact_spans and match.group(0)[0].isupper():
            actor_id, _, context = book.surfaces_ci[match.group(0).lower()]
            candidates.append((match.start(), match.end(), actor_id, "alias", context))
    persons_first = sorted(candidates, key=lambda c: (book.actors[c[2]].actor_type != "person", c[0]))
    for start, end, actor_id, resolution, context in persons_first:
        if _overlaps(taken, start, end):
            continue
        actor = book.actors[actor_id]
        if context == "nato" and not nato_named:
            continue
        if resolution == "metonym" and _is_place(text, start, end):
            continue
        if resolution == "adjective":
            if not _WORD_AFTER.match(text[end:end + 3]) or re.search(r"\b(?:in|speak\w*|into)\s+$", text[max(0, start - 12):start]):
                continue  # "in Russian", "speaks Russian." = the language
        if actor.actor_type == "country" and actor_id == "USA" and match_is_pronoun_us(text, start, end):
            continue
        if re.search(r"\b(?:North|South|Latin|Central)\s+$", text[max(0, start - 9):start]) and text[start:end] == "America":
            continue
        role_in_text = anachronism = ""
        if actor.actor_type == "person":
            found = _title_before(text, start, book)
            if found:
                role_in_text, role_key, code, title_start = found
                taken.append((title_start, start))
            else:
                after = _title_after(text, end, book)
                role_key, code = ("", "")
                if after:
                    role_in_text, role_key, code = after
            if role_in_text:
                anachronism = check_role(actor_id, role_key, code, role_in_text, date, sentences.sentence(start))
        if resolution == "alias" and actor.actor_type == "person" and " " not in text[start:end]:
            resolution = "surname"
        if text.startswith(("the ", "The "), start) and actor.actor_type != "person":
            taken.append((start, start + 4))
            start += 4  # the determiner is not part of the name: "the US" -> "US", "the Kremlin" -> "Kremlin"
        rows.append(_row(book, text, sentences, start, end, actor_id, resolution, date=date,
                         role_in_text=role_in_text, anachronism=anachronism))
        taken.append((start, end))

    # 2. named entities the dictionary lacks: legislator lists, "Given Surname" pairs, spaCy's entities, checked
    _add_legislators(text, sentences, book, rows, taken, date)
    if ner:
        _add_name_pairs(text, sentences, book, rows, taken, date)
        _add_ner(text, sentences, book, rows, taken, date)
        _check_people(text, sentences, book, rows, taken, rejected)
    # 3. surnames of people named in full earlier (dictionary people without a safe surname alias, NER people)
    _add_surnames(text, sentences, book, rows, taken, date)
    # 4. "the secretary general", "the Kremlin spokesman"
    _add_titles(text, sentences, book, rows, taken, date)
    # 5. "he"/"she" whose antecedent is the previous sentence's single person
    if ner:
        _add_pronouns(text, sentences, book, rows, taken, date)
    _alias_people(rows)
    rows.sort(key=lambda r: (r["start"], r["end"]))
    return rows


def match_is_pronoun_us(text: str, start: int, end: int) -> bool:
    """'US' written in capitals but used as the pronoun ("LET US", "TOLD US") — only in all-caps text."""
    if text[start:end] != "US":
        return False
    before = text[max(0, start - 6):start]
    return bool(re.search(r"(?:LET|TOLD|FOR|WITH|OF)\s+$", before))


_NER_LABELS = {"PERSON": "person", "ORG": "organisation"}
_PERSON_TITLES = {"prof", "professor", "dr", "mr", "mrs", "ms", "sir", "dame", "lord", "lady", "gen", "general",
                  "president", "minister", "senator", "sen", "rep", "colonel", "col", "admiral", "adm"}
_NAME_FORMING_TITLES = ("Pope ", "Ayatollah ", "Sheikh ", "King ", "Queen ", "Prince ", "Princess ", "Patriarch ")
_NOT_NAME_ENDINGS = {"Oblast", "Region", "Province", "Krai", "District", "People", "Street", "Square", "Avenue"}


def _yield_to_organisation(rows: list[dict], taken: list, start: int, end: int) -> None:
    """Drop a country adjective/name that opens a longer organisation name ("Australian National University")."""
    for row in list(rows):
        if (row["actor_type"] == "country" and row["resolution"] in {"adjective", "name", "alias"}
                and row["start"] == start and row["end"] < end):
            rows.remove(row)
            taken.remove((row["start"], row["end"]))
_LEADING = re.compile(r"^(?:the|The|a|A|an|An)\s+")


_NER_CACHE: dict[str, list[tuple[int, int, str]]] = {}
_NER_CACHE_SIZE = 50_000
_COMMON_CAPITALS = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|I|The|A|An|In|On|At|But|And|It|He|She|We|They|This|That|"
    r"These|Those|As|If|For|After|Before|With|When|While|Mr|Mrs|Ms|Dr)\b")


def named_entities(sentences: list[str]) -> list[list[tuple[int, int, str]]]:
    """spaCy entities ``(start_char, end_char, label)`` of each sentence, NER component only, batched and cached.

    The tagger and parser are skipped (the small model's NER has its own token encoder, so its entities
    are the same as a full parse's) which makes this about six times faster than ``nlp.parse``.
    """
    found = {s: _NER_CACHE[s] for s in sentences if s in _NER_CACHE}
    missing = list(dict.fromkeys(s for s in sentences if s not in found))
    if missing:
        model = nlp.get_nlp()
        with model.select_pipes(enable=["ner"]):
            for sentence, doc in zip(missing, model.pipe(missing, batch_size=64)):
                found[sentence] = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        if len(_NER_CACHE) + len(missing) > _NER_CACHE_SIZE:
            _NER_CACHE.clear()  # bounded cache: start afresh rather than lose this call's answers
        _NER_CACHE.update((s, found[s]) for s in missing)
    return [found[s] for s in sentences]


#: Words of context each side of a word NER must read. The small model's NER sees a token through a CNN of
#: depth 4 over a one-token window (four tokens each side), so its decision on a name read with four words each
#: side is nearly always the one it makes on the whole sentence: every precision and recall of ``eval actors`` is
#: unchanged, and 11 of 8,250 mentions differed on 200 real news articles. 40% of the words NER read go unread.
NER_CONTEXT_WORDS = 4
_WORD = re.compile(r"\S+")


def _ner_candidates(text: str, s_start: int, s_end: int, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The capitalised words of a sentence (not a sentence-initial stopword, a weekday, month or pronoun) that
    no mention covers yet: the words only NER can tell a name of."""
    found = []
    for match in re.finditer(r"(?<![\w'’])[A-Z][\w'’.\-]*", text[s_start:s_end]):
        start = s_start + match.start()
        word = match.group(0)
        if match.start() == 0 and _plain_sentence_start(word):
            continue
        if _COMMON_CAPITALS.fullmatch(word.rstrip(".")):
            continue
        if not _overlaps(taken, start, start + len(word)):
            found.append((start, start + len(word)))
    return found


def _plain_sentence_start(word: str) -> bool:
    """A sentence's first word that is a stopword or a plain English word ("According", "It's", "Officials"):
    capitalised for its place only. A name starting with one ("Mark Rutte") is still read, for its next word;
    an acronym ("BMW") is always read."""
    if word.isupper():
        return False
    bare = re.sub(r"(?:'s|’s|'m|’m|'re|’re|'ll|’ll|'ve|’ve|'d|’d|n't|n’t)$", "", word).lower()
    return bare in _STOPWORDS() or bare in post_ner_lists().plain


def _needs_ner(text: str, s_start: int, s_end: int, taken: list[tuple[int, int]]) -> bool:
    """True if the sentence has a capitalised word (not sentence-initial) that no mention covers yet."""
    return bool(_ner_candidates(text, s_start, s_end, taken))


def ner_windows(text: str, s_start: int, s_end: int, candidates: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of a sentence NER reads: each candidate word with :data:`NER_CONTEXT_WORDS` words each side,
    overlapping parts merged (absolute character offsets). A third of a news sentence's words are never read."""
    words = [(s_start + m.start(), s_start + m.end()) for m in _WORD.finditer(text[s_start:s_end])]
    marked = [False] * len(words)
    k = 0
    for c_start, c_end in candidates:
        while k < len(words) and words[k][1] <= c_start:
            k += 1
        first = k
        last = first
        while last + 1 < len(words) and words[last + 1][0] < c_end:
            last += 1
        for i in range(max(0, first - NER_CONTEXT_WORDS), min(len(words), last + NER_CONTEXT_WORDS + 1)):
            marked[i] = True
    windows: list[tuple[int, int]] = []
    for i, on in enumerate(marked):
        if not on:
            continue
        if windows and i > 0 and marked[i - 1]:
            windows[-1] = (windows[-1][0], words[i][1])
        else:
            windows.append(words[i])
    return windows


def _sentence_entities(text: str, todo: list[tuple[int, int, list[tuple[int, int]]]]) -> list[list[tuple[int, int, str]]]:
    """NER's entities of each sentence ``(s_start, s_end, windows)``, read on its windows only, as offsets into
    the sentence. An entity touching a window's cut edge (not the sentence's own edge) is dropped: it may be cut
    short, and a name the window is there for lies well inside it."""
    pieces = [(s_start, s_end, w_start, w_end) for s_start, s_end, windows in todo for w_start, w_end in windows]
    entity_lists = named_entities([text[w_start:w_end] for _, _, w_start, w_end in pieces])
    by_sentence: dict[int, list[tuple[int, int, str]]] = {}
    for (s_start, s_end, w_start, w_end), entities in zip(pieces, entity_lists):
        for e_start, e_end, label in entities:
            if (e_start == 0 and w_start > s_start) or (w_start + e_end == w_end and w_end < s_end):
                continue
            by_sentence.setdefault(s_start, []).append((w_start - s_start + e_start, w_start - s_start + e_end, label))
    return [by_sentence.get(s_start, []) for s_start, _, _ in todo]


def _add_ner(text, sentences, book, rows, taken, date) -> None:
    todo = []
    for s, e in sentences.spans:
        candidates = _ner_candidates(text, s, e, taken)
        if candidates:
            todo.append((s, e, ner_windows(text, s, e, candidates)))
    entity_lists = _sentence_entities(text, todo)
    for (s_start, s_end, _), entities in zip(todo, entity_lists):
        sentence = text[s_start:s_end]
        words = [w for w in re.findall(r"[A-Za-z][\w'’\-]*", sentence) if len(w) > 3]
        headline = (len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) >= 0.8
                    and not sentence.rstrip("”’\"' ").endswith((".", "?", "!")))
        for ent_start, ent_end, label in entities:
            actor_type = _NER_LABELS.get(label)
            if actor_type is None or (headline and actor_type == "person"):
                continue
            surface = re.split(r"(?:'s|’s)\s", sentence[ent_start:ent_end])[0]
            offset = ent_start
            lead = _LEADING.match(surface)
            if lead:
                surface, offset = surface[lead.end():], offset + lead.end()
            surface = re.sub(r"(?:'s|’s|'|’)$", "", surface)
            if not re.search(r"\b(?:Co|Inc|Ltd|Corp|Jr|Sr|St)\.$", surface):
                surface = surface.rstrip(" .,;:")
            words_ = surface.split()
            if actor_type == "organisation" and len(words_) > 1 and words_[0].lower().rstrip(".") in _PERSON_TITLES:
                actor_type = "person"  # "Prof Paul Dibb" tagged ORG
            elif actor_type == "organisation" and len(words_) > 1:
                cut = _person_in_organisation(surface, book)
                if cut is not None:  # "Norway Teimuraz Ramishvili", "Patriarch Cyril" tagged ORG
                    actor_type, offset, surface = "person", offset + cut, surface[cut:]
                    words_ = surface.split()
            if words_ and words_[-1] in _NOT_NAME_ENDINGS:
                continue
            start = s_start + offset
            end = start + len(surface)
            if not surface:
                continue
            if actor_type == "organisation" and re.fullmatch(r"[A-Z][\w.’'-]*(?:\s+(?:of|for|the|and|[A-Z][\w.’'-]*))+", surface):
                _yield_to_organisation(rows, taken, start, end)
            if _overlaps(taken, start, end):
                continue
            if not _plausible_entity(surface, actor_type, book):
                continue
            if actor_type == "person" and surface.isupper():
                actor_type = "organisation"
            # strip a leading title the model swallowed ("President Dmitry Peskov")
            title_match = re.match(r"^(?:(?:[A-Z][\w.]*\s+){0,3})", surface)
            role_in_text = ""
            if actor_type == "person" and title_match:
                words = surface.split()
                for k in range(len(words) - 1, 0, -1):
                    head = " ".join(words[:k])
                    if head.lower() in book.titles:
                        role_in_text = head
                        cut = surface.index(words[k])
                        start, surface = start + cut, surface[cut:]
                        end = start + len(surface)
                        break
            if actor_type == "person" and text[max(0, start - 12):start].endswith(_NAME_FORMING_TITLES):
                title_word = next(t for t in _NAME_FORMING_TITLES if text[max(0, start - 12):start].endswith(t))
                start -= len(title_word)
                surface = text[start:end]
            if actor_type == "person" and not role_in_text:
                found = _title_before(text, start, book)
                if found:
                    role_in_text = found[0]
                    taken.append((found[3], start))
            if _overlaps(taken, start, end):
                continue
            rows.append(_row(book, text, sentences, start, end, "", "ner_unresolved", name=surface,
                             actor_type=actor_type, role_in_text=role_in_text))
            taken.append((start, end))


def _person_in_organisation(surface: str, book: Dictionary) -> int | None:
    """Where a person's name starts in a span spaCy tagged ORG, or None: after a name-forming title ("Patriarch
    Cyril" → 0) or after leading words that are a country, a title or an institution ("Norway Teimuraz Ramishvili",
    "Coalition Hadi al-Bahra" → the offset of the name), when the rest is a name of two or three words that starts
    with a given name or ends with a regional surname ending."""
    words = surface.split()
    if surface.startswith(_NAME_FORMING_TITLES) and len(words) == 2 and name_shape(words[1]):
        return 0
    lists = post_ner_lists()
    for k in range(1, len(words) - 1):
        prefix, tail = words[:k], words[k:]
        if not 2 <= len(tail) <= 3:
            continue
        name = " ".join(tail)
        if (not name_shape(name) or non_person_kind(name) or any(w in book.surfaces or w in _INSTITUTION_WORDS
                                                                  or w.lower() in lists.plain for w in tail)):
            continue
        if tail[0] not in lists.given and not _SURNAME_ENDING.search(tail[-1]):
            continue  # "China Railway Corp", "Telecom Europe": no given name, no surname shape
        joined = " ".join(prefix)
        if (joined in book.surfaces or joined.lower() in book.titles
                or all(w in _INSTITUTION_WORDS or w in book.surfaces or w.lower() in book.titles for w in prefix)):
            return surface.index(tail[0], len(joined))
    return None


def _plausible_entity(surface: str, actor_type: str, book: Dictionary) -> bool:
    """Reject spaCy entities that are not actors (stoplist, lowercase, numbers, titles, too short)."""
    low = surface.lower()
    if low in book.stoplist or low in book.titles or len(surface) < 2:
        return False
    if not surface[0].isupper() or re.search(r"\d", surface):
        return False
    words = surface.split()
    if actor_type == "person":
        if any(not re.fullmatch(r"[A-Z][\w'’.\-]*", w) for w in words if w.lower() not in {"de", "von", "der", "van", "al", "bin", "la", "le", "da", "di"}):
            return False
        if len(words) == 1 and low in _STOPWORDS():
            return False
    if surface in book.surfaces:
        return False
    return True


@functools.lru_cache(maxsize=1)
def _STOPWORDS() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _add_surnames(text, sentences, book, rows, taken, date) -> None:
    full_people: dict[str, tuple[str, str]] = {}  # surname -> (actor_id, name) ; ambiguous -> ("", "")
    for row in rows:
        if row["actor_type"] != "person" or row["resolution"] not in {"name", "alias", "ner_unresolved"}:
            continue
        words = row["mention"].split()
        if len(words) < 2:
            continue
        key = (row["actor_id"], row["actor"])
        surname = words[-1]
        if surname in {"III", "II", "Jr.", "Jr", "Sr."} and len(words) > 2:
            surname = words[-2]
        previous = full_people.get(surname)
        full_people[surname] = key if previous in (None, key) else ("", "")
    for surname, (actor_id, name) in full_people.items():
        if not name or surname.lower() in _STOPWORDS() or surname in book.surfaces or len(surname) < 3:
            continue  # "Price", "May", "Jordan": a common word or a known name is not a safe surname
        for match in re.finditer(rf"(?<![\w\-]){re.escape(surname)}(?![\w\-])", text):
            if _overlaps(taken, match.start(), match.end()):
                continue
            role_in_text = anachronism = ""
            found = _title_before(text, match.start(), book)
            if found:
                role_in_text, role_key, code, title_start = found
                taken.append((title_start, match.start()))
                anachronism = (check_role(actor_id, role_key, code, role_in_text, date, sentences.sentence(match.start()))
                               if actor_id else "")
            resolution = "surname"
            rows.append(_row(book, text, sentences, match.start(), match.end(), actor_id, resolution, name=name,
                             actor_type="person", date=date, role_in_text=role_in_text, anachronism=anachronism))
            taken.append((match.start(), match.end()))


def _add_titles(text, sentences, book, rows, taken, date) -> None:
    bounds = date_bounds(date)
    people = {}
    for row in rows:
        if row["actor_type"] == "person" and row["actor_id"]:
            people[row["actor_id"]] = row
    for match in book.title_alone_re.finditer(text):
        title = match.group("title")
        role_key = book.titles.get(" ".join(title.split()).lower(), "")
        if not role_key or role_key in {"minister", "envoy", "ambassador", "chief of staff"}:
            continue
        start, end = match.start("title"), match.end("title")
        if _overlaps(taken, start, end):
            continue
        qual = match.group("qual") or match.group("qual2") or ""
        code = book.qualifiers.get(qual, book.qualifiers.get(qual.lower(), "")) if qual else ""
        if not code and re.search(r"\balliance\b", qual, re.IGNORECASE):
            code = "NATO"

        def fits(actor_id: str, on_date: bool) -> bool:
            for role in book.roles.get(actor_id, []):
                if _keys_compatible(role_key, role.role_key) and (not code or role.org == code):
                    if not on_date or (bounds and held_on(role, bounds)):
                        return True
            return False

        in_article = [a for a in people if fits(a, False)]
        if not in_article:
            in_article = [r["actor_id"] or r["actor"] for r in rows
                          if r["actor_type"] == "person" and r["role_in_text"]
                          and book.titles.get(" ".join(r["role_in_text"].split()[-len(title.split()):]).lower()) == role_key]
            in_article = sorted(set(in_article))
        chosen = ""
        if len(in_article) == 1:
            chosen = in_article[0]
        elif bounds and code:
            holders = [a for a in book.roles if fits(a, True)]
            if len(holders) == 1:
                chosen = holders[0]
        if not chosen:
            continue
        role_text = " ".join(re.sub(r"^[Tt]he\s+", "", text[match.start():end]).split())
        anachronism = (check_role(chosen, role_key, code, role_text, date, sentences.sentence(start))
                       if chosen in book.actors else "")
        if chosen in book.actors:
            rows.append(_row(book, text, sentences, start, end, chosen, "title", date=date,
                             role_in_text=role_text, anachronism=anachronism))
        else:
            rows.append(_row(book, text, sentences, start, end, "", "title", name=chosen, actor_type="person",
                             role_in_text=role_text))
        taken.append((start, end))


def _add_pronouns(text, sentences, book, rows, taken, date) -> None:
    by_sentence: dict[int, list[dict]] = {}
    for row in rows:
        by_sentence.setdefault(sentences.index(row["start"]), []).append(row)
    _parse_pronoun_sentences(text, sentences, by_sentence)
    new_rows: list[dict] = []
    for i, (s_start, s_end) in enumerate(sentences.spans):
        sentence = text[s_start:s_end]
        hits = list(_PRONOUN.finditer(sentence))
        if not hits:
            continue
        antecedent, candidates_seen = None, False
        for j in range(i - 1, max(-1, i - 5), -1):
            people = {(r["actor_id"], r["actor"]): r for r in by_sentence.get(j, []) if r["actor_type"] == "person"}
            if people:
                candidates_seen = True
                antecedent = next(iter(people.values())) if len(people) == 1 else \
                    _subject_person(text, sentences.spans[j], list(people.values()))
                break
        if not candidates_seen or antecedent is None:
            continue  # no single person before: nothing to resolve, and no parse needed
        doc = None
        for hit in hits:
            if not _SPEECH_PRONOUN.match(sentence, hit.start()):
                doc = doc if doc is not None else nlp.dependencies(sentence)  # parse only when the pattern is not plain
                token = next((t for t in doc if t.idx == hit.start()), None)
                if token is None or token.dep_ not in {"nsubj", "nsubjpass"}:
                    continue
            start = s_start + hit.start()
            earlier_here = [r for r in by_sentence.get(i, []) if r["actor_type"] == "person" and r["start"] < start]
            if earlier_here:
                continue  # a person named earlier in the same sentence: leave it to a real coreference model
            row = _row(book, text, sentences, start, start + len(hit.group(0)), antecedent["actor_id"], "pronoun",
                       name=antecedent["actor"], actor_type="person", date=date, country=antecedent["country"])
            new_rows.append(row)
            by_sentence.setdefault(i, []).append(row)
            taken.append((row["start"], row["end"]))
    rows.extend(new_rows)


def _parse_pronoun_sentences(text: str, sentences: "_Sentences", by_sentence: dict[int, list[dict]]) -> None:
    """Parse in one batch the sentences :func:`_add_pronouns` will read: those with a pronoun that is not the
    plain "he said" pattern after a sentence naming a person, and those naming two or more people (whose subject
    is the antecedent). Only warms the parse cache: a sentence missed here is parsed when it is read."""
    wanted = []
    for i, (s_start, s_end) in enumerate(sentences.spans):
        sentence = text[s_start:s_end]
        if not any(not _SPEECH_PRONOUN.match(sentence, hit.start()) for hit in _PRONOUN.finditer(sentence)):
            continue
        for j in range(i - 1, max(-1, i - 5), -1):
            people = {(r["actor_id"], r["actor"]) for r in by_sentence.get(j, []) if r["actor_type"] == "person"}
            if people:
                wanted.append(sentence)
                if len(people) > 1:
                    wanted.append(text[sentences.spans[j][0]:sentences.spans[j][1]])
                break
    if wanted:
        nlp.dependency_parses(wanted)


def _subject_person(text: str, span: tuple[int, int], people: list[dict]) -> dict | None:
    """The one person mention that is the grammatical subject of the sentence's main verb, if any."""
    s_start, s_end = span
    doc = nlp.dependencies(text[s_start:s_end])
    subjects = [t for t in doc if t.dep_ in {"nsubj", "nsubjpass"} and t.head.dep_ == "ROOT"]
    found = []
    for person in people:
        for token in subjects:
            if person["start"] - s_start <= token.idx < person["end"] - s_start:
                found.append(person)
    keys = {(p["actor_id"], p["actor"]) for p in found}
    return found[0] if len(keys) == 1 else None


# --------------------------------------------------------------------------------------------- post-NER checks
#
# spaCy's small model tags aircraft ("Backfire"), ships, towns, outlets and sentence-initial words as PERSON, and
# misses many real people (it tags "Alexey Moskalyov" ORG). These checks use data files with their sources
# (pipeline/data/actors.md): actor_not_people.csv, actor_places.csv, actor_given_names.csv, actor_plain_words.txt.

_NOT_NAME_STARTS = {"Lake", "Mount", "Cape", "Fort", "Camp", "Port", "Gulf", "Saint", "St", "San", "Santa", "Operation",
                    "Exercise", "Project", "Planet", "Hotel", "Radio", "Air", "Team"}
_NOT_NAME_LAST = {"Land", "Island", "Islands", "Park", "Lake", "Sea", "River", "Bay", "Mountains", "Bridge", "Palace",
                  "Airport", "Base", "Station", "Cathedral", "Square", "Prize", "Award", "Report", "Doctrine", "Plan",
                  "Street", "Avenue", "Centre", "Center", "Institute", "Foundation", "University", "College", "School",
                  "Hospital", "Group", "Club", "Forum", "Fund", "Tower", "Hall", "Arena", "Stadium", "Channel", "Strait"}
_INSTITUTION_WORDS = {"Committee", "Ministry", "Affairs", "Office", "Department", "Council", "Agency", "Service",
                      "Services", "Forces", "Force", "Army", "Navy", "Party", "Government", "Parliament", "Court",
                      "Bank", "Union", "Commission", "Assembly", "Duma", "Senate", "House", "Administration",
                      "Secretary", "Minister", "Ministers", "Chancellor", "President", "Staff", "Command", "Guard",
                      "Corps", "Brigade", "Division", "Battalion", "Regiment", "Fleet", "Security", "Defence", "Defense",
                      "Intelligence", "Federation", "Republic", "Kingdom", "State", "States", "Embassy", "Mission",
                      "Coalition", "Alliance", "Organization", "Organisation", "Agreement", "Treaty", "Accords", "Act",
                      "Relations", "Church", "Chief", "Anchor", "Gazeta", "Pravda", "Times", "Post", "News", "Journal",
                      "Herald", "Tribune", "Gazette", "Daily", "Weekly", "Magazine", "TV", "Television", "Media"}
_KIND_LABELS = {"place": "place", "ship_name": "ship", "reporting_name": "aircraft/equipment", "equipment": "aircraft/equipment", "ship_prefix": "ship",
                "base_prefix": "air base", "outlet": "outlet", "organisation": "organisation", "event": "event"}
_SPEECH_NEAR = re.compile(r"^\s*(?:,\s*)?(?:said|says|told|added|stressed|noted|wrote|asked|replied|explained|warned|commented|stated|announced|"
                          r"insisted|argued|continued|declared|emphasi[sz]ed|recalled|claimed|pointed)\b")
_SPEECH_BEFORE = re.compile(r"\b(?:said|says|told|added|wrote|according\s+to)\s+$")
# Surname endings of the region's names ("Zelanski", "Peskov", "Shevchenko", "Vučić", "Kobakhidze"): a one-word
# name with one of them is shaped like a surname even without a title or a second mention.
_SURNAME_ENDING = re.compile(r"(?:sk[iy]i?|ska|skaya|[oe]v|[oe]va|enko|chuk|czuk|yuk|ich|ić|vić|vic|wicz|czyk|dze|shvili|"
                             r"yan|ian|oglu|oğlu|zadeh)$")
_COURTESY_BEFORE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Dame|Gen|Col|Lt|Maj|Capt|Adm|Sgt|Sen|Rep|Gov|St)\.?\s+$")


@dataclass(frozen=True)
class _Lists:
    not_people: dict[str, str]
    places: frozenset[str]
    given: frozenset[str]
    surnames: frozenset[str]
    plain: frozenset[str]
    countries: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def post_ner_lists() -> _Lists:
    """The post-NER check lists, loaded once from ``pipeline/data``."""
    not_people = {r["text"]: r["kind"] for r in _read_csv("actor_not_people.csv")}
    places = frozenset(_fold(r["name"]) for r in _read_csv("actor_places.csv"))
    given = frozenset(r["name"] for r in _read_csv("actor_given_names.csv"))
    surnames = frozenset(r["name"] for r in _read_csv("actor_surnames.csv"))
    plain = frozenset(line.strip() for line in (DATA_DIR / "actor_plain_words.txt").read_text(encoding="utf-8")
                      .splitlines() if line.strip() and not line.startswith("#"))
    book = load_dictionary()
    countries = tuple(sorted({_fold(a.name) for a in book.actors.values() if a.actor_type == "country"
                              and " " not in a.name and len(a.name) >= 5}))
    return _Lists(not_people, places, given, surnames, plain, countries)


def _within_two_edits(a: str, b: str) -> bool:
    """Damerau–Levenshtein distance of at most 2 (a swap counts once)."""
    if abs(len(a) - len(b)) > 2:
        return False
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
        if min(previous) > 2:
            return False
    return previous[-1] <= 2


def non_person_kind(surface: str) -> str:
    """What a name-like surface is when it is no person, by the check lists ("" when nothing says so).

    One of ``aircraft/equipment``, ``ship``, ``air base``, ``outlet``, ``organisation``, ``event``, ``place``,
    ``misspelled country``.
    """
    lists = post_ner_lists()
    surface = surface.strip()
    words = surface.split()
    if not words:
        return ""
    kind = lists.not_people.get(surface)
    if kind:
        return _KIND_LABELS[kind]
    first_kind = lists.not_people.get(words[0])
    if len(words) > 1 and first_kind in ("ship_prefix", "base_prefix"):
        return _KIND_LABELS[first_kind]
    if len(words) > 1 and lists.not_people.get(words[-1]) in ("reporting_name", "equipment"):
        return "aircraft/equipment"  # "Tu-95 Bear", "Su-34 Fullback"
    if _fold(surface) in lists.places or words[0] in _NOT_NAME_STARTS or words[-1] in _NOT_NAME_LAST:
        return "place"
    folded = _fold(surface)
    if len(words) == 1 and len(folded) >= 6 and folded not in lists.plain:
        for country in lists.countries:
            if folded[0] == country[0] and folded != country and _within_two_edits(folded, country):
                return "misspelled country"
    return ""


def name_shape(surface: str) -> bool:
    """True if ``surface`` is shaped like a person's name: capitalised name words, not all of them plain words
    unless the first is a given name ("Hope Hicks"), and no word a number or all lower case."""
    lists = post_ner_lists()
    words = [w for w in surface.split() if w.lower() not in {"de", "von", "der", "van", "al", "bin", "la", "le",
                                                            "da", "di", "du", "ibn", "el"}]
    if not words or any(not re.fullmatch(r"(?:al-|el-)?[A-ZÀ-ÞĀ-Ž][\w'’.]*(?:-[A-ZÀ-ÞĀ-Ž][\w'’.]*)*", w) for w in words):
        return False
    if len(words) > 1 and surface.startswith(_NAME_FORMING_TITLES):
        words = words[1:]  # "King Hassan", "Pope Francis": the title is part of the name
    bare = [re.sub(r"(?:'s|’s)$", "", w) for w in words]
    if any(w in _INSTITUTION_WORDS or w.endswith("ism") for w in bare) or bare[0].lower() in load_dictionary().titles:
        return False  # "Foreign Affairs", "Prime Minister", "House Committee"
    plain = [w.lower().rstrip(".") in lists.plain for w in words]
    if len(words) == 1:
        return not plain[0] or words[0] in lists.surnames
    return not (all(plain) and words[0] not in lists.given)  # "Top Secret", not "Hope Hicks" or "Osama bin Laden"


_NAME_PAIR = re.compile(r"(?<![\w’'.-])(?=([A-ZÀ-ÞĀ-Ž][a-zà-ÿā-ž]+)\s+((?:[A-Z]\.\s+)?(?:[A-ZÀ-ÞĀ-Ž][a-zà-ÿā-ž'’]+\s+)?"
                        r"(?:(?:al|el)-)?[A-ZÀ-ÞĀ-Ž][\w'’]*(?:-[A-ZÀ-ÞĀ-Ž][\w'’]*)?)(?![\w’'-]))")


@functools.lru_cache(maxsize=1024)
def _all_caps_line(line: str) -> bool:
    """True for a line of more than 20 characters whose letters are mostly capitals (a headline in capitals)."""
    return len(line) > 20 and sum(map(str.isupper, line)) > 0.6 * sum(map(str.isalpha, line))


def _add_name_pairs(text, sentences, book, rows, taken, date) -> None:
    """"Given Surname" where the given name is in the given-name list: people spaCy misses or calls ORG."""
    lists = post_ner_lists()
    for match in _NAME_PAIR.finditer(text):
        given, rest = match.group(1), match.group(2)
        match_start, match_end = match.start(1), match.end(2)
        if given not in lists.given or _overlaps(taken, match_start, match_end):
            continue
        possessive = re.search(r"(?:'s|’s|'|’)$", text[match_start:match_end])
        if possessive:
            match_end -= len(possessive.group(0))  # "Adolf Hitler's army": the name ends before the possessive
        surface = text[match_start:match_end]
        words = surface.split()
        last = words[-1]
        if (last.lower() in lists.plain or _fold(last) in lists.places or last in book.surfaces
                or non_person_kind(surface) or not name_shape(surface) or last.isupper()
                or any(w in book.surfaces for w in words[1:])):
            continue
        if given.lower() in lists.plain and (match_start == 0 or re.search(r"[.!?\"“”:]\s*$|\n\s*$",
                                                                              text[max(0, match_start - 3):match_start])):
            continue  # "Will Russia…" / "Mark …" at a sentence start: a plain word
        after = text[match_end:match_end + 30]
        if re.match(r"\s+(?:[A-Z]|(?:dos|da|de|del|der|van|von|bin|ibn|al|el|ul|la|le)\s+[A-Z])", after):
            continue  # "Victoria Park Hotel", "Jose Eduardo Dos Santos": the start of a longer name, left to NER
        if any(_COMMON_CAPITALS.fullmatch(w) for w in words[1:]):
            continue  # "Bashar Assad Tuesday"
        if re.match(r"-class\b|\s+class\b", after):
            continue  # "Fridtjof Nansen-class frigates"
        line_start = text.rfind("\n", 0, match_start) + 1
        line_end = text.find("\n", match_end)
        if _all_caps_line(text[line_start:line_end if line_end >= 0 else len(text)]):
            continue  # an all-caps headline line
        start, end = match_start, match_end
        role_in_text = ""
        found = _title_before(text, start, book)
        if found:
            role_in_text = found[0]
            taken.append((found[3], start))
        rows.append(_row(book, text, sentences, start, end, "", "ner_unresolved", name=surface,
                         actor_type="person", role_in_text=role_in_text))
        taken.append((start, end))


_LEGISLATORS = re.compile(r"\b(?:Sens?\.|Senators|Reps?\.|Representatives)\s+")
_LISTED_NAME = re.compile(r"([A-Z][a-zà-ÿ'’\-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-zà-ÿ'’\-]+){1,2})"
                          r"(\s*\((?:[RDI])-[A-Za-z. ]+\)|,\s*[RDI]-[A-Za-z. ]+?(?=,|\s+and\b|\s*$|\.\s)"
                          r"|\s+of\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)?")


def _add_legislators(text, sentences, book, rows, taken, date) -> None:
    """The names of a legislator list ("Sens. Lindsey Graham, R-S.C., and Richard Blumenthal, D-Conn.")."""
    for match in _LEGISLATORS.finditer(text):
        position = match.end()
        while True:
            name = _LISTED_NAME.match(text, position)
            if not name:
                break
            start, end = name.span(1)
            surface = name.group(1)
            if not _overlaps(taken, start, end) and name_shape(surface) and not non_person_kind(surface):
                rows.append(_row(book, text, sentences, start, end, "", "ner_unresolved", name=surface,
                                 actor_type="person", role_in_text=match.group(0).strip()))
                taken.append((start, end))
            tail = re.match(r",?\s*(?:and\s+|&\s+)?(?:(?:Sens?\.|Reps?\.)\s+)?", text[name.end():name.end() + 12])
            if not tail or not tail.group(0).strip(" "):
                break
            position = name.end() + tail.end()


def _check_people(text, sentences, book, rows, taken, rejected=None) -> None:
    """Drop NER people that fail the checks; give one-word NER people the full name they have in the article."""
    lists = post_ner_lists()

    def drop(row: dict, reason: str) -> None:
        rows.remove(row)
        taken.remove((row["start"], row["end"]))
        if rejected is not None:
            rejected.append((row["mention"], reason))

    # names of two or more words first: the full names that one-word names may then stand for
    for row in [r for r in rows if r["resolution"] == "ner_unresolved" and r["actor_type"] == "person"]:
        courtesy = re.match(r"(?:Mr|Mrs|Ms|Dr|Maj|Lt|Col|Gen|Capt|Sgt|Adm|Sen|Rep|Gov|Prof|Sir|Dame)\.?\s+", row["mention"])
        if courtesy and len(row["mention"].split()) > 1:  # "Maj Deryugin": the rank is no part of the name
            taken.remove((row["start"], row["end"]))
            row["role_in_text"] = row["role_in_text"] or courtesy.group(0).strip()
            row["start"] += courtesy.end()
            row["mention"] = row["actor"] = text[row["start"]:row["end"]]
            taken.append((row["start"], row["end"]))
        surface, end = row["mention"], row["end"]
        if len(surface.split()) > 1:
            reason = (non_person_kind(surface) or ("name shape" if not name_shape(surface) else "")
                      or ("ship class" if re.match(r"-class\b|\s+class\b", text[end:end + 7]) else ""))
            if reason:
                drop(row, reason)
    full: dict[str, set[tuple[str, str]]] = {}
    for row in rows:
        if row["actor_type"] == "person" and len(row["actor"].split()) >= 2:
            full.setdefault(_surname(row["actor"]), set()).add((row["actor_id"], row["actor"]))
            full.setdefault(row["actor"].split()[0], set())
    for row in [r for r in rows if r["resolution"] == "ner_unresolved" and " " not in r["mention"]]:
        surface, start, end = row["mention"], row["start"], row["end"]
        owners = full.get(surface) or set()
        if row["actor_type"] == "organisation":
            if len(owners) == 1:  # "Girkin" tagged ORG after "Igor Girkin"
                actor_id, name = next(iter(owners))
                row.update(_row(book, text, sentences, start, end, actor_id, "surname", name=name, actor_type="person"))
            continue
        if row["actor_type"] != "person":
            continue
        if len(owners) == 1:
            actor_id, name = next(iter(owners))
            row.update(_row(book, text, sentences, start, end, actor_id, "surname", name=name, actor_type="person",
                            date=None, role_in_text=row["role_in_text"], country=row["country"]))
            continue
        before = text[max(0, start - 25):start]
        supported = bool(row["role_in_text"] or _COURTESY_BEFORE.search(before) or _SURNAME_ENDING.search(surface)
                         or _SPEECH_NEAR.match(text[end:end + 30]) or _SPEECH_BEFORE.search(before))
        again = len(re.findall(rf"(?<![\w-]){re.escape(surface)}(?![\w-])", text)) > 1
        kind = non_person_kind(surface)
        if kind == "place" and surface in lists.surnames and (supported or _SPEECH_NEAR.match(text[end:end + 30])):
            kind = ""  # "Bush said": a known surname beside a speech verb or title, not the town of Bush
        supported = supported or surface in lists.surnames
        reason = (kind or ("name shape" if not name_shape(surface) else "")
                  or ("plain word" if not supported and surface.lower() in lists.plain else "")
                  or ("one word, unsupported" if not supported and not again else ""))
        if reason:
            drop(row, reason)


def _alias_people(rows: list[dict]) -> None:
    """One actor per person in an article: spellings whose surname skeletons agree and whose first names agree
    (or one has none) take the dictionary name, else the longest most frequent spelling."""
    people = [r for r in rows if r["actor_type"] == "person" and r["actor"]]
    groups: dict[str, list[dict]] = {}
    for row in people:
        groups.setdefault(name_skeleton(_surname(row["actor"])), []).append(row)
    for key, members in groups.items():
        names = {r["actor"] for r in members}
        if not key or len(names) < 2:
            continue
        full_names = sorted({n for n in names if len(n.split()) >= 2})
        if any(not _first_names_agree(a, b) for a in full_names for b in full_names):
            continue  # two people of one surname: leave them apart
        dictionary = [r for r in members if r["actor_id"]]
        if dictionary and len({r["actor_id"] for r in dictionary}) > 1:
            continue
        canonical = dictionary[0] if dictionary else max(
            members, key=lambda r: (len(r["actor"].split()) >= 2, sum(m["actor"] == r["actor"] for m in members)))
        for row in members:
            if row["actor"] != canonical["actor"]:
                row["actor"], row["actor_id"] = canonical["actor"], canonical["actor_id"]
                row["country"], row["role"] = canonical["country"], canonical["role"]
                if row["resolution"] == "ner_unresolved":
                    row["resolution"] = "alias"


def alias_across(mentions: list[dict]) -> list[dict]:
    """Across articles, one spelling per person not in the dictionary: unresolved full names whose first-name and
    surname skeletons agree ("Mykhailo Podolyak", "Mykhailo Podoliak") take the most frequent spelling
    (:func:`pipeline.names.spelling_map`; the read side applies the same over the whole store).

    Returns the rows (changed in place); ``mentions`` are actor-mention rows of any number of articles.
    """
    import pandas as pd

    people = pd.DataFrame([{"actor": r.get("actor"), "actor_type": r.get("actor_type"), "actor_id": r.get("actor_id")}
                           for r in mentions], columns=["actor", "actor_type", "actor_id"])
    chosen = spelling_map(people)
    for row in mentions:
        if row.get("actor_type") == "person" and not row.get("actor_id") and row.get("actor") in chosen:
            row["actor"] = chosen[row["actor"]]
    return mentions


# --------------------------------------------------------------------------------------------- helpers


def anachronisms(rows: Iterable[dict]) -> list[dict]:
    """The rows whose ``anachronism`` flag is set."""
    return [row for row in rows if row.get("anachronism")]


# --------------------------------------------------------------------------------------------- quotes

QUOTE_COLUMNS = ["actor", "actor_type", "actor_id", "quote", "start", "end", "speaker_mention",
                 "speaker_start", "speaker_end", "cue"]
_CUE = (r"(?:said|says|say|told(?:\s+(?:reporters|journalists|the\s+\w+|\w+))?|added|adds|state|stating|stressed|stresses|noted|notes|stated|states|explained|"
        r"criticized|criticised|warned|warns|wrote|writes|declared|argued|insisted|remarked|asked|replied|"
        r"emphasized|emphasised|continued|announced|put\s+it|according\s+to|commented|tweeted|posted|claimed|"
        r"admitted|acknowledged|urged|insists|pointed\s+out)")
_QUOTE_PAIRS = [("“", "”"), ("\"", "\""), ("‘", "’"), ("'", "'"), ("«", "»")]


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the inside of each direct quotation, outermost first, without overlaps."""
    spans: list[tuple[int, int]] = []
    for open_mark, close_mark in _QUOTE_PAIRS:
        if open_mark in {"'", "‘"}:
            # a single-quote opening follows a space/colon/line start; its closing precedes a space/punctuation
            pattern = re.compile(rf"(?:(?<=^)|(?<=[\s:(\[—–-])){re.escape(open_mark)}(?=\S)(.+?)(?<=\S){re.escape(close_mark)}(?=[\s,.;:!?)\]—–-]|$)",
                                 re.MULTILINE)
        else:
            pattern = re.compile(rf"{re.escape(open_mark)}([^{re.escape(close_mark)}\n]+?){re.escape(close_mark)}")
        for match in pattern.finditer(text):
            start, end = match.start(1), match.end(1)
            if not _overlaps(spans, start - 1, end + 1):
                spans.append((start, end))
    return sorted(spans)


def quotes(text: str, mentions: list[dict] | None = None, *, date: str | None = None,
           min_words: int = 3) -> list[dict]:
    """Direct quotations in ``text`` attributed to the actor who said them (see ``QUOTE_COLUMNS``).

    A quotation is attributed when a speech cue and an actor mention sit next to it in its sentence:
    "“…,” said Stoltenberg", "“…,” he said" (a resolved pronoun), "Stoltenberg said: ‘…’",
    "as President Dmitry Peskov put it". Quotations shorter than ``min_words`` words count only with a cue
    ("“confrontational course”, as Peskov put it"). Unattributed quotations are not returned.
    """
    if mentions is None:
        mentions = extract(text, date=date)
    spans = _quote_spans(text)
    out = []
    speakers = [m for m in mentions if m["actor_type"] in ACTOR_TYPES]
    for start, end in spans:
        quote = text[start:end]
        if len(quote.split()) < 1:
            continue
        inside = lambda m: start - 1 <= m["start"] and m["end"] <= end + 1  # noqa: E731
        candidates = [m for m in speakers if not inside(m)]
        found = None
        # after the quote: ', said X' / ', X said' / ' as X put it' / ', he said'
        for m in sorted((m for m in candidates if end < m["start"] <= end + 120), key=lambda m: m["start"]):
            between = text[end + 1:m["start"]]
            if "\n" in between or re.search(r"[“\"‘]", between):
                break
            tail = text[m["end"]:m["end"] + 40]
            if re.search(rf"{_CUE}\s*$", between) or (re.fullmatch(r"[\s,.;:—–-]*(?:as\s+)?(?:[\w.’'-]+\s+){0,4}", between)
                                                     and re.match(rf"^\s*(?:[\w’'-]+\s+){{0,2}}{_CUE}\b", tail)):
                found = (m, re.search(_CUE, between + " " + tail).group(0))
                break
        # before the quote: 'X said: ‘…’', 'X told reporters …: “…”', 'X said that "…"'
        if found is None:
            before_start = max(0, start - 200)
            sentence_start = before_start
            for s, e in nlp.sentence_spans(text):
                if s <= start - 1 < e:
                    sentence_start = max(s, before_start)
            for m in sorted((m for m in candidates if sentence_start <= m["start"] and m["end"] < start),
                            key=lambda m: -m["start"]):
                between = text[m["end"]:start - 1]
                if re.search(r"[“”\"]", between):
                    break
                cue = re.search(_CUE, between)
                if cue and (re.search(r"[:,]\s*$|\bthat\s*$", between) or
                            (len(between) < 150 and not re.search(r"[.;!?]\s", between))):
                    found = (m, cue.group(0))
                    break
        if found is None and out and "\n" not in text[out[-1]["end"]:start] and start - out[-1]["end"] < 80:
            previous = out[-1]
            speaker_row = {"actor": previous["actor"], "actor_type": previous["actor_type"],
                           "actor_id": previous["actor_id"], "mention": previous["speaker_mention"],
                           "start": previous["speaker_start"], "end": previous["speaker_end"]}
            found = (speaker_row, "(continued)")
        if found is None:
            continue
        if len(quote.split()) < min_words and not found[1]:
            continue
        speaker, cue = found
        if speaker["actor_type"] != "person" and any(m["actor_type"] == "person" for m in candidates
                                                   if abs(m["start"] - speaker["start"]) < 3):
            continue
        out.append({
            "actor": speaker["actor"], "actor_type": speaker["actor_type"], "actor_id": speaker.get("actor_id", ""),
            "quote": quote, "start": start, "end": end, "speaker_mention": speaker["mention"],
            "speaker_start": speaker["start"], "speaker_end": speaker["end"], "cue": " ".join(cue.split()),
        })
    return out
