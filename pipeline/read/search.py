"""Full-text search over the store: the query language, its compilation to SQLite FTS5, results and attention.

Syntax (operators in capitals, as in GDELT and FTS5; lower-case ``and``/``or``/``not`` are words)::

    novichok OR skripal          "air defence" AND Poland      sanction*      NOT exercise
    title:"air defence"          source:bbc                    actor:Putin    (a OR b) -c

Adjacent terms are joined by AND. ``title:`` and ``source:`` search those fields of the article,
a bare term its title and text; ``actor:`` matches the articles that mention an actor whose name
contains the given word(s). Every term reaches SQLite as a quoted FTS5 string inside a bound
parameter: no part of a query is ever pasted into SQL, and FTS5 operators only come from the parser.
A malformed query raises :class:`QueryError` with the 0-based position of the fault.
"""
from __future__ import annotations

import bisect
import html
import re
import sqlite3
import unicodedata
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import schema, store
from pipeline.store import fts, parquet, parquet_search

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64
FIELDS = ("title", "source", "actor")
#: Hit markers inside snippets (private-use characters, stripped from the text before marking).
HIT_START, HIT_END = "\ue000", "\ue001"
#: bm25 weights of the indexed columns (title, text, source): a hit in the title counts most.
_WEIGHTS = "10.0, 1.0, 0.5"


class QueryError(ValueError):
    """A malformed query: ``message`` says what, ``position`` where (0-based character offset)."""

    def __init__(self, message: str, position: int):
        super().__init__(f"{message} (at position {position})")
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Term:
    text: str
    field: str | None = None      # None, "title", "source" or "actor"
    prefix: bool = False
    phrase: bool = False
    position: int = 0


@dataclass(frozen=True)
class And:
    parts: tuple


@dataclass(frozen=True)
class Or:
    parts: tuple


@dataclass(frozen=True)
class Not:
    part: object


@dataclass(frozen=True)
class Hit:
    article_id: str
    rank: int
    score: float | None
    snippet: str


# ---------------------------------------------------------------- parsing

_TOKEN = re.compile(r'\s+|\(|\)|"[^"]*"?|[^\s()"]+')


def _tokens(query: str) -> list[tuple[str, int]]:
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query longer than {MAX_QUERY_CHARS} characters", MAX_QUERY_CHARS)
    for i, ch in enumerate(query):
        if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") and ch not in "\t\n\r":
            raise QueryError(f"control character U+{ord(ch):04X} not allowed", i)
    out = []
    for m in _TOKEN.finditer(query):
        tok = m.group(0)
        if tok.isspace():
            continue
        if tok.startswith('"') and (len(tok) == 1 or not tok.endswith('"')):
            raise QueryError("unclosed quotation mark", m.start())
        out.append((tok, m.start()))
    return out


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


class _Parser:
    def __init__(self, query: str):
        self.query = query
        self.toks = _tokens(query)
        self.i = 0
        self.terms = 0

    def peek(self) -> str | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def pos(self) -> int:
        return self.toks[self.i][1] if self.i < len(self.toks) else len(self.query)

    def parse(self):
        if not self.toks:
            raise QueryError("empty query", 0)
        node = self.or_expr()
        if self.i < len(self.toks):
            raise QueryError(f"unexpected {self.peek()!r}", self.pos())
        return node

    def or_expr(self):
        parts = [self.and_expr()]
        while self.peek() == "OR":
            self.i += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self):
        parts = [self.unary()]
        while self.peek() not in (None, "OR", ")"):
            if self.peek() == "AND":
                self.i += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self):
        tok = self.peek()
        if tok == "NOT":
            self.i += 1
            return Not(self.unary())
        if tok is not None and tok.startswith("-") and len(tok) > 1:
            # "-word" excludes, like NOT word
            text, at = self.toks[self.i]
            self.toks[self.i] = (text[1:], at + 1)
            return Not(self.unary())
        return self.atom()

    def atom(self):
        tok, at = (self.toks[self.i] if self.i < len(self.toks) else (None, len(self.query)))
        if tok is None:
            raise QueryError("query ends where a term was expected", at)
        if tok in ("AND", "OR", ")"):
            raise QueryError(f"{tok!r} where a term was expected", at)
        self.i += 1
        if tok == "(":
            node = self.or_expr()
            if self.peek() != ")":
                raise QueryError("missing closing parenthesis", self.pos())
            self.i += 1
            return node
        field = None
        m = re.match(r"([A-Za-z]+):(.*)$", tok, re.S)
        if m and not tok.startswith('"'):
            name, rest = m.group(1).lower(), m.group(2)
            if name not in FIELDS:
                raise QueryError(f"unknown field {m.group(1)!r}: use title:, source: or actor:", at)
            field = name
            if rest:
                tok, at = rest, at + len(m.group(1)) + 1
            else:
                nxt = self.peek()
                if nxt is None or nxt in ("(", ")") or not nxt.startswith('"'):
                    raise QueryError(f"{name}: must be followed by a word or a \"phrase\"", at + len(name) + 1)
                tok, at = self.toks[self.i]
                self.i += 1
            if tok.startswith('"') and (len(tok) == 1 or not tok.endswith('"')):
                raise QueryError("unclosed quotation mark", at)
        return self.term(tok, at, field)

    def term(self, tok: str, at: int, field: str | None) -> Term:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QueryError(f"more than {MAX_TERMS} terms", at)
        phrase = tok.startswith('"')
        text = tok[1:-1] if phrase else tok
        prefix = False
        if not phrase and text.endswith("*"):
            text, prefix = text[:-1], True
        elif phrase and text.endswith("*"):
            text, prefix = text[:-1].rstrip(), True
        if "*" in text:
            raise QueryError("* is only allowed at the end of a word", at + (1 if phrase else 0) + text.index("*"))
        if not _has_word(text):
            raise QueryError(f"{tok!r} has no letters or digits to search for", at)
        return Term(text.strip(), field, prefix, phrase, at)


def parse(query: str):
    """The syntax tree of ``query`` (raises :class:`QueryError` with the position of a fault)."""
    return _Parser(query).parse()


def terms(node, negated: bool = False) -> list[Term]:
    """The terms of a tree that a match must contain (those under NOT left out)."""
    if isinstance(node, Term):
        return [] if negated else [node]
    if isinstance(node, Not):
        return terms(node.part, not negated)
    return [t for p in node.parts for t in terms(p, negated)]


# ---------------------------------------------------------------- compiling

def _fts_string(t: Term) -> str:
    quoted = '"' + t.text.replace('"', '""') + '"' + (" *" if t.prefix else "")
    col = {"title": "title", "source": "source"}.get(t.field or "", None)
    return f"{col} : {quoted}" if col else "{title text} : " + quoted


def _fts(node) -> str | None:
    """The FTS5 expression of a subtree, or None when FTS5 cannot express it (actor:, a lone NOT)."""
    if isinstance(node, Term):
        return None if node.field == "actor" else _fts_string(node)
    if isinstance(node, Not):
        return None
    if isinstance(node, Or):
        parts = [_fts(p) for p in node.parts]
        return None if any(p is None for p in parts) else "(" + " OR ".join(parts) + ")"
    pos = [p for p in node.parts if not isinstance(p, Not)]
    neg = [p.part for p in node.parts if isinstance(p, Not)]
    pos_s, neg_s = [_fts(p) for p in pos], [_fts(p) for p in neg]
    if not pos or any(p is None for p in pos_s + neg_s):
        return None
    expr = "(" + " AND ".join(pos_s) + ")"
    for n in neg_s:
        expr = f"({expr} NOT {n})"
    return expr


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _sql(node) -> tuple[str, list]:
    """A WHERE clause over ``articles a`` and its bound parameters."""
    expr = _fts(node)
    if expr is not None:
        return f"a.rowid IN (SELECT rowid FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?)", [expr]
    if isinstance(node, Term):  # actor:
        words = " ".join(re.findall(r"\w+", node.text.lower()))
        pattern = "% " + _like_escape(words) + ("%" if node.prefix else " %")
        return ("a.article_id IN (SELECT article_id FROM actor_mentions "
                "WHERE ' ' || lower(actor) || ' ' LIKE ? ESCAPE '\\')"), [pattern]
    if isinstance(node, Not):
        sql, params = _sql(node.part)
        return f"NOT ({sql})", params
    parts = [_sql(p) for p in node.parts]
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(s for s, _ in parts) + ")", [x for _, ps in parts for x in ps]


def _rank_expr(node) -> str | None:
    """An FTS5 expression of the text terms a match must contain (for ranking and snippets)."""
    ts = [t for t in terms(node) if t.field != "actor"]
    return " OR ".join(_fts_string(t) for t in ts) if ts else None


# ---------------------------------------------------------------- running

def _open(store_dir: str | Path) -> sqlite3.Connection:
    if parquet.is_parquet(store_dir):   # the Parquet store's index: the same tables and FTS5 index, no text
        return parquet_search.connect(store_dir)
    conn = store.connect(store_dir)
    if not fts.ready(conn):  # a store written before the index existed gets it on first search
        conn.execute("BEGIN IMMEDIATE")
        try:
            fts.ensure(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return conn


def _has_actor_table(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='actor_mentions'").fetchone() is not None


def _where(conn: sqlite3.Connection, node) -> tuple[str, list]:
    if any(t.field == "actor" for t in terms(node, False) + terms(node, True)) and not _has_actor_table(conn):
        raise QueryError("actor: needs the actors stage, which this store has not run", 0)
    return _sql(node)


def _plain_snippet(text: str) -> str:
    text = " ".join((text or "").split())
    return text[:200] + ("…" if len(text) > 200 else "")


def search(store_dir: str | Path, query: str, limit: int = 50) -> tuple[list[Hit], int]:
    """The best ``limit`` matches of ``query`` (ranked by BM25, title hits first) and the number of all matches.

    Each hit's snippet marks the query's words with :data:`HIT_START`/:data:`HIT_END`; article text in it is
    raw: escape it (:func:`snippet_html`) before showing it in a page.
    """
    node = parse(query)
    with closing(_open(store_dir)) as conn:
        try:
            where, params = _where(conn, node)
            total = conn.execute(f"SELECT COUNT(*) FROM articles a WHERE {where}", params).fetchone()[0]
            rank = _rank_expr(node)
            if rank is None:
                rows = conn.execute(f"SELECT a.article_id, NULL FROM articles a WHERE {where} "
                                    f"ORDER BY a.article_id LIMIT ?", [*params, limit]).fetchall()
                snippets = {a: _plain_snippet(t) for a, t in _texts(store_dir, conn, [r[0] for r in rows]).items()}
            elif parquet.is_parquet(store_dir):   # a contentless index: snippets cut from the text in the parts
                rows = conn.execute(
                    f"SELECT a.article_id, r.score FROM articles a LEFT JOIN (SELECT rowid AS rid, "
                    f"bm25({fts.FTS_TABLE}, {_WEIGHTS}) AS score FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?) r "
                    f"ON r.rid = a.rowid WHERE {where} ORDER BY r.score IS NULL, r.score, a.article_id LIMIT ?",
                    [rank, *params, limit]).fetchall()
                found = _texts(store_dir, conn, [r[0] for r in rows])
                snippets = {a: snippet_from_text(t, node) for a, t in found.items()}
            else:
                rows = conn.execute(
                    f"SELECT a.article_id, r.score FROM articles a LEFT JOIN (SELECT rowid AS rid, "
                    f"bm25({fts.FTS_TABLE}, {_WEIGHTS}) AS score FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?) r "
                    f"ON r.rid = a.rowid WHERE {where} ORDER BY r.score IS NULL, r.score, a.article_id LIMIT ?",
                    [rank, *params, limit]).fetchall()
                ids = [r[0] for r in rows]
                marks = ",".join("?" for _ in ids)
                snippets = dict(conn.execute(
                    f"SELECT a.article_id, snippet({fts.FTS_TABLE}, 1, ?, ?, '…', 24) FROM {fts.FTS_TABLE} "
                    f"JOIN articles a ON a.rowid = {fts.FTS_TABLE}.rowid "
                    f"WHERE {fts.FTS_TABLE} MATCH ? AND a.article_id IN ({marks})",
                    [HIT_START, HIT_END, rank, *ids]).fetchall()) if ids else {}
                missing = [i for i in ids if i not in snippets]
                if missing:
                    marks = ",".join("?" for _ in missing)
                    snippets.update({r[0]: _plain_snippet(r[1]) for r in conn.execute(
                        f"SELECT article_id, text FROM articles WHERE article_id IN ({marks})", missing)})
        except sqlite3.OperationalError as exc:
            raise QueryError(f"the index could not run this query: {exc}", 0) from exc
    hits = [Hit(aid, i + 1, None if score is None else round(-float(score), 4), snippets.get(aid, ""))
            for i, (aid, score) in enumerate(rows)]
    return hits, int(total)


def _texts(store_dir: str | Path, conn: sqlite3.Connection, article_ids: list[str]) -> dict[str, str]:
    """article_id -> text of the given articles, from the store (a Parquet store's index holds no text)."""
    if parquet.is_parquet(store_dir):
        return parquet_search.texts(store_dir, conn, article_ids)
    marks = ",".join("?" for _ in article_ids)
    return dict(conn.execute(f"SELECT article_id, text FROM articles WHERE article_id IN ({marks})", article_ids)) \
        if article_ids else {}


#: Words of a snippet cut from the text (as FTS5's ``snippet(..., 24)`` cuts them on the SQLite store), and
#: the words of context it shows before its first hit.
SNIPPET_WORDS = 24
_SNIPPET_LEAD = 4


def snippet_from_text(text: str, node) -> str:
    """The window of :data:`SNIPPET_WORDS` words of ``text`` holding the most hits of the query's bare terms,
    hits marked with :data:`HIT_START`/:data:`HIT_END`, "…" where the window cuts the text; the text's start
    when no word of it matches (a hit in the title only)."""
    text = (text or "").replace(HIT_START, "").replace(HIT_END, "")
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    spans = _spans(text, [t for t in terms(node) if t.field is None])   # title: terms match the title, not the text
    if not words or not spans:
        return _plain_snippet(text)
    starts = [s for s, _ in spans]
    word_starts = [w for w, _ in words]
    best, best_hits = 0, -1
    for hit in starts:   # windows opening a few words before a hit: the one holding the most hits wins
        first = max(0, min(bisect.bisect_right(word_starts, hit) - 1 - _SNIPPET_LEAD, len(words) - SNIPPET_WORDS))
        lo, hi = words[first][0], words[min(len(words), first + SNIPPET_WORDS) - 1][1]
        hits = bisect.bisect_left(starts, hi) - bisect.bisect_left(starts, lo)
        if hits > best_hits:
            best, best_hits = first, hits
    lo, hi = words[best][0], words[min(len(words), best + SNIPPET_WORDS) - 1][1]
    out, last = [], lo
    for s, e in spans:
        if s < lo or e > hi:
            continue
        out += [text[last:s], HIT_START, text[s:e], HIT_END]
        last = e
    out.append(text[last:hi])
    return ("…" if lo > 0 else "") + " ".join("".join(out).split()) + ("…" if hi < len(text.rstrip()) else "")


def matching_ids(store_dir: str | Path, query: str) -> set[str]:
    """The article_ids of every match of ``query`` (the dashboard's filter)."""
    node = parse(query)
    with closing(_open(store_dir)) as conn:
        where, params = _where(conn, node)
        try:
            return {r[0] for r in conn.execute(f"SELECT a.article_id FROM articles a WHERE {where}", params)}
        except sqlite3.OperationalError as exc:
            raise QueryError(f"the index could not run this query: {exc}", 0) from exc


# ---------------------------------------------------------------- showing

def snippet_text(snippet: str, start: str = "[", end: str = "]") -> str:
    """A snippet with its hit markers as plain-text brackets (the command line's form)."""
    return snippet.replace(HIT_START, start).replace(HIT_END, end)


def snippet_html(snippet: str) -> str:
    """A snippet as safe HTML: the text escaped, the hits in ``<mark>``."""
    return html.escape(snippet).replace(HIT_START, "<mark>").replace(HIT_END, "</mark>")


def _term_pattern(t: Term) -> str:
    words = re.findall(r"\w+", t.text)
    body = r"\W+".join(re.escape(w) for w in words)
    return r"(?<!\w)" + body + (r"\w*" if t.prefix else r"(?!\w)")


def hit_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Character spans of ``text`` the query's title/text words match (case-insensitive), merged and sorted."""
    return _spans(text, [t for t in terms(parse(query)) if t.field in (None, "title")])


def _spans(text: str, ts: list[Term]) -> list[tuple[int, int]]:
    spans = []
    for t in ts:
        spans += [(m.start(), m.end()) for m in re.finditer(_term_pattern(t), text, re.I)]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight_html(text: str, query: str) -> str:
    """``text`` escaped for HTML with the query's hits in ``<mark>`` (never raw article HTML)."""
    out, last = [], 0
    for s, e in hit_spans(text, query):
        out += [html.escape(text[last:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        last = e
    out.append(html.escape(text[last:]))
    return "".join(out)


# ---------------------------------------------------------------- attention over time

PERIODS = {"day": "D", "week": "W-MON", "month": "M"}


def attention(store_dir: str | Path, queries: list[str], period: str = "week") -> pd.DataFrame:
    """Matching articles per period for up to four queries: ``period, query, count, total, share``.

    ``total`` counts every original article (near-duplicates left out) dated in the period, by its own date or
    else its inferred one (:func:`pipeline.schema.effective_dates`); ``share`` is ``count / total``. Articles with
    no date at all are in neither.
    """
    if not 1 <= len(queries) <= 4:
        raise ValueError("attention takes one to four queries")
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    matches = {q: matching_ids(store_dir, q) for q in queries}
    arts = store.read_columns(store_dir, "articles", ["article_id", "date", "date_inferred", "duplicate_of"])
    arts = arts[arts["duplicate_of"].fillna("").astype(str) == ""]
    dates = pd.to_datetime(schema.effective_dates(arts).str.slice(0, 10), errors="coerce", format="%Y-%m-%d")
    arts = arts.assign(_d=dates).dropna(subset=["_d"])
    arts["period"] = arts["_d"].dt.to_period(PERIODS[period]).dt.start_time.dt.strftime("%Y-%m-%d")
    total = arts.groupby("period").size()
    rows = []
    for q in queries:
        hit = arts[arts["article_id"].isin(matches[q])].groupby("period").size()
        for p, n in total.items():
            c = int(hit.get(p, 0))
            rows.append({"period": p, "query": q, "count": c, "total": int(n), "share": c / n if n else 0.0})
    return pd.DataFrame(rows, columns=["period", "query", "count", "total", "share"])
