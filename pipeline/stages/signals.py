"""Tension signals: CAMEO/PLOVER-grounded events with modality, direction and evidence.

A signal is a cue phrase from the lexicon (``data/signal_cues.csv``) found in a
sentence, classified into a category of ``data/signal_categories.csv`` (each
with a direction and a Goldstein-scale value), and qualified by the dependency
parse of its sentence: is it asserted, negated, hypothetical, future/planned or
reported? Who is its source and who its target? Sentences about sport,
disasters, crime, markets or medicine (``data/signal_nonpolitical.csv``) never
score, and ambiguous cues ("attack", "threat", "pressure") score only in a sentence
with a political anchor (an actor of ``pipeline.stages.actors`` or a word of
``data/signal_anchors.csv``). Only cue sentences that survive these checks are
parsed (in one batch per article, without NER). Data sources, weights and the
verification of the proposed CAMEO tension map: ``data/signals.md``.

Rows (``COLUMNS``; ``extract`` returns every column but ``article_id``):

- ``article_id`` (str): the article the signal comes from (added by the pipeline).
- ``category`` (str): a category of ``signal_categories.csv`` (``sanctions``, ``dialogue_talks`` ...).
- ``polarity`` (int): EFFECTIVE direction, +1 escalation, -1 de-escalation. A negated
  escalation ("does not want a new arms race") is -1; a negated de-escalation
  ("no need for a dialogue") is +1.
- ``modality`` (str): asserted | negated | hypothetical | future | reported.
- ``weight`` (float): modality factor in [0, 1] (``MODALITY_WEIGHTS``, from ``data/signal_modalities.csv``),
  times the background factor (same file) for background events.
  One signal per category and sentence (the one nearest the parse root).
- ``start``, ``end`` (int): character offsets of the cue in the text (``text[start:end]``).
- ``evidence`` (str): the sentence holding the cue.
- ``cue`` (str): the matched cue text (``text[start:end]``).
- ``base_polarity`` (int): the category's direction before negation (+1 / -1).
- ``sentence_start``, ``sentence_end`` (int): offsets of the evidence sentence in the text.
- ``source_actor`` (str): canonical actor who does it ("" when the sentence does not say).
- ``target_actor`` (str): canonical actor it is done to ("" when unknown).
- ``cameo_code`` (str): CAMEO event code of the cue ("" where CAMEO has none, e.g. cyber).
- ``source_country``, ``target_country`` (str): affiliation code of the source / target actor
  (ISO 3166 alpha-3 such as RUS, or an organisation code such as NATO, EU) from the actors
  stage, so that a person counts for their state ("" when unknown). Used by the dyad filter.
- ``source_start``, ``source_end``, ``target_start``, ``target_end`` (int): offsets in the text
  of the actor mention chosen as source / target (-1 when unknown), for highlighting.
- ``clause_depth`` (int): dependency steps from the cue's head to the sentence root; 0 is
  the main predicate ("NATO expelled ..."), higher is background ("... after two days of
  fighting"). ``main_polarity`` uses it to decide what a sentence is mainly about.
- ``background`` (bool): the cue names an event only as the background of its clause ("after
  the Russian invasion of Ukraine, NATO ..."): asserted, weight multiplied by ``BACKGROUND_FACTOR``.
- ``source_phrase_start``, ``source_phrase_end``, ``target_phrase_start``, ``target_phrase_end`` (int):
  offsets of the source / target noun phrase: the argument from the parse whether or not it names
  an actor ("Rohingya Muslim insurgents ambushed a military vehicle in Rakhine State": subject and
  object), or, when the chosen actor lies outside it, the noun phrase of that actor's mention;
  -1 when the sentence does not say.
- ``root_lemma`` (str): lemma of the main verb of the sentence (the root of the parse);
  ``main_polarity`` uses it to tell a sentence about cooperation from one about conflict.
- ``score`` (float): signed Goldstein-style value after down-weighting,
  ``polarity * |goldstein| * weight``: escalation positive (as in the tension index),
  de-escalation negative (the opposite sign to Goldstein's own scale).
"""
from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

from pipeline import schema
from pipeline.stages import nlp, signal_model

COLUMNS = schema.stored_columns("signals")  # declared in pipeline/schema.py (what the stage writes)

MODALITIES = ("asserted", "negated", "hypothetical", "future", "reported")

#: Modality factors. Asserted signals count fully; reported ones nearly (in CAMEO the
#: act of saying is itself coded); negated, future and hypothetical ones are shown but
#: count for little. See data/signals.md.
MODALITY_WEIGHTS = {m: w for m, w in schema.signal_weights().items() if m != "background"}  # data/signal_modalities.csv

#: Extra factor for an event named only as background ("after the Russian invasion of Ukraine, NATO ..."):
#: it happened, but the sentence is about something else, and every article of a war repeats it.
BACKGROUND_FACTOR = schema.signal_weights()["background"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# --- word classes used on the dependency parse (grammar, not lexicon) -------------------
_NEGATORS = {"not", "n't", "never", "no", "neither", "nor", "nothing", "none", "without", "cannot"}
_NEGATING_HEADS = {"without", "lack", "absence", "refuse", "avoid", "prevent", "end", "stop", "halt", "abandon",
                   "rule", "oppose", "fail", "reject", "deny", "dismiss", "decline"}
_HYPOTHETICAL_MODALS = {"would", "could", "might", "may", "should", "ca", "can"}
_HYPOTHETICAL_WORDS = {"possible", "possibility", "potential", "potentially", "likely", "unlikely", "risk",
                       "prospect", "scenario", "scenarios", "hypothetical", "conditional", "event", "case",
                       "whether", "fear", "perhaps", "maybe", "chance", "danger", "if", "unless",
                       "capability", "capabilities", "capable", "ability", "able", "need"}
_EPISTEMIC_PREDICATES = {"assume", "expect", "exclude", "happen", "occur", "materialise", "materialize",
                         "exist", "anticipate", "imagine", "predict", "rule"}
_FUTURE_AUX = {"will", "shall", "'ll", "wo"}
_FUTURE_HEADS = {"plan", "intend", "schedule", "expect", "set", "prepare", "aim", "want", "seek", "vow",
                 "pledge", "promise", "going", "future", "propose", "consider", "anticipate", "likely",
                 "threaten", "agree", "decide", "offer", "push", "call"}
_REPORTING = {"say", "tell", "announce", "state", "claim", "report", "allege", "add", "stress", "note", "insist",
              "declare", "confirm", "reveal", "suggest", "describe", "label", "brand", "believe", "think", "argue",
              "emphasize", "emphasise", "remark", "write", "quote", "assert", "maintain", "accord", "put",
              "reiterate", "explain", "testify", "call", "criticize", "criticise", "cite"}
#: Reporting verbs of an attribution parenthesis ("..., the air force said, ...").
_ATTRIBUTING = {"say", "tell", "report", "claim", "state", "add", "announce", "confirm", "write"}
_ACCUSING = {"blame", "accuse", "charge", "hold", "suspect", "allege"}
#: Verbs that answer a demand, threat or accusation: negating them does not negate the cue.
_RESPONSE_VERBS = {"meet", "accept", "heed", "satisfy", "fulfil", "fulfill", "comply", "answer", "grant", "obey"}
_CITING = {"cite", "quote", "mention"}
#: Speech acts whose condition belongs to their content ("X threatened a military response if Y ...").
_SPEECH_ACT_VERBS = {"threaten", "warn", "vow", "demand", "promise", "pledge", "caution", "insist"}
_HOLD_WORDS = {"responsible", "accountable", "liable"}  # "hold" accuses only as "held Moscow responsible"
_REPORTED_ADVERBS = {"reportedly", "allegedly", "apparently", "purportedly", "supposedly", "ostensibly"}
_WARNING = {"warn", "caution"}
_LABELLING = {"label", "brand", "call", "describe", "portray", "depict", "accuse", "blame", "condemn", "denounce",
              "criticize", "criticise", "term", "dub"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"}
_TARGET_PREPS = {"against", "on", "to", "with", "toward", "towards", "at", "into", "upon", "from", "over"}
#: Prepositions after a nominal cue that name its target ("the invasion of Ukraine", "criticism of NATO").
_NOUN_TARGET_PREPS = _TARGET_PREPS | {"of"}
#: Adjuncts that presuppose the event they name: "after the Russian invasion", "in response to the attack".
#: A nominal cue inside one is background: asserted whatever the clause above says, and counted at
#: ``BACKGROUND_FACTOR``.
_BACKGROUND_PREPS = {"after", "before", "since", "following", "amid", "amidst", "despite", "during", "than",
                     "given", "until"}
_BACKGROUND_MARKS = {"after", "before", "since", "because", "following"}
_BACKGROUND_PHRASES = ("in response to", "in light of", "in the wake of", "in the face of", "in view of",
                       "because of", "due to", "as a result of", "in retaliation for")
_PRONOUNS = {"it", "they", "we", "he", "she", "i", "you", "who", "which", "that", "this", "these", "those"}


@functools.lru_cache(maxsize=1)
def load_categories() -> dict[str, dict]:
    """Category table keyed by name: direction (+1/-1), goldstein, cameo_code, plover, label
    (:func:`pipeline.schema.signal_categories`, the one reader of ``data/signal_categories.csv``)."""
    return schema.signal_categories()


def _pattern_to_regex(pattern: str) -> str:
    """Compile the lexicon's phrase syntax to a regex.

    Words are separated by spaces (matched by whitespace or a hyphen); ``word*`` is a
    prefix; ``~`` is a gap of up to six words (``~2``: up to two); ``|`` separates alternative phrases.
    """
    alternatives = []
    for phrase in pattern.split("|"):
        parts = []
        for word in phrase.strip().split():
            if word.startswith("~") and (word == "~" or word[1:].isdigit()):
                gap = int(word[1:]) if len(word) > 1 else 6
                parts.append(r"(?:\S+\s+){0,%d}?" % gap)
                continue
            regex = re.escape(word.lower()).replace(r"\*", r"[\w-]*")
            parts.append(regex + r"[\s-]+")
        body = "".join(parts)
        body = body[: -len(r"[\s-]+")]  # no separator after the last word
        alternatives.append(body)
    alternatives.sort(key=len, reverse=True)
    return r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w])"


class Phrases:
    """A compiled lexicon pattern (:func:`_pattern_to_regex`), matched regardless of case.

    On ASCII text it runs without ``re.IGNORECASE`` on the lower-cased text (the pattern's words are lower-case
    already): the same matches at the same offsets, three times faster. Other text uses ``re.IGNORECASE``.
    """

    __slots__ = ("any_case", "lower_case")

    def __init__(self, source: str):
        self.any_case = re.compile(source, re.IGNORECASE)
        self.lower_case = re.compile(source) if source.isascii() else None

    def _pick(self, text: str, lowered: str | None) -> tuple[re.Pattern, str]:
        if self.lower_case is not None and text.isascii():
            return self.lower_case, text.lower() if lowered is None else lowered
        return self.any_case, text

    def finditer(self, text: str, lowered: str | None = None):
        """Matches in ``text`` (``lowered``: ``text.lower()`` when the caller has it)."""
        regex, subject = self._pick(text, lowered)
        return regex.finditer(subject)

    def search(self, text: str, lowered: str | None = None):
        """The first match in ``text``, or None."""
        regex, subject = self._pick(text, lowered)
        return regex.search(subject)


@functools.lru_cache(maxsize=1)
def load_cues() -> tuple[list[Phrases], list[dict]]:
    """The cue lexicon: one compiled regex per row of ``signal_cues.csv``, and the rows."""
    categories = load_categories()
    rows = []
    with open(DATA_DIR / "signal_cues.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["category"] not in categories:
                raise ValueError(f"signal_cues.csv: unknown category {row['category']!r}")
            row["pos"] = set(filter(None, row.get("pos", "").split("|")))
            row["exclude_dep"] = set(filter(None, row.get("exclude_dep", "").split("|")))
            row["anchor"] = row.get("anchor", "").strip() == "political"
            row["governed_by"] = (row.get("governed_by") or "").strip()
            if row["governed_by"] and row["governed_by"] not in load_governors():
                raise ValueError(f"signal_cues.csv: unknown governor kind {row['governed_by']!r}")
            row["unless_patient"] = (row.get("unless_patient") or "").strip()
            # "tensions eased": the cue names its category's event as ended (the category negated)
            row["modality"] = (row.get("modality") or "").strip()
            if row["unless_patient"] and row["unless_patient"] not in load_governors():
                raise ValueError(f"signal_cues.csv: unknown word class {row['unless_patient']!r}")
            rows.append(row)
    regexes = [Phrases(_pattern_to_regex(row["pattern"])) for row in rows]
    return regexes, rows


@functools.lru_cache(maxsize=1)
def load_governors() -> dict[str, frozenset[str]]:
    """Governor kinds of ``signal_governors.csv``: kind -> lemmas of the verbs/nouns that make an event."""
    with open(DATA_DIR / "signal_governors.csv", newline="", encoding="utf-8") as fh:
        return {row["kind"]: frozenset(row["lemmas"].split("|")) for row in csv.DictReader(fh)}


def is_governed(head, lemmas: frozenset[str]) -> bool:
    """Whether a nominal cue is the object/subject of an event word ("deployed nuclear weapons",
    "the use of a nerve agent"), rather than a topic word ("Russia's nuclear-capable missile systems")."""
    tok = head
    for _ in range(6):
        if tok.dep_ in ("compound", "amod", "nmod", "conj", "appos", "npadvmod") and tok.head.i != tok.i:
            tok = tok.head
            continue
        break
    if tok.dep_ in ("dobj", "nsubjpass", "nsubj", "attr", "oprd", "dative"):
        governor = tok.head
    elif tok.dep_ == "pobj":
        governor = tok.head.head
    else:
        return False
    if governor.lemma_.lower() in lemmas or governor.lower_ in lemmas:
        return True
    # "developed and deployed missiles": the first verb of a coordination governs them all
    return any(c.dep_ == "conj" and c.lemma_.lower() in lemmas for c in governor.children)


def patient_of(head):
    """The thing a verbal cue is done to, followed through "X of which" to its antecedent.

    "110 of which were shot down" (after "launched 138 drones") -> "drones"; "shot down 40
    missiles" -> "missiles"; "a downed drone" -> "drone". None when the cue has no patient.
    """
    if head.dep_ == "amod" and head.head.pos_ in ("NOUN", "PROPN"):
        return head.head
    patient = next((c for c in head.children if c.dep_ in ("dobj", "nsubjpass")), None)
    if patient is None and head.dep_ == "conj":
        patient = next((c for c in head.head.children if c.dep_ in ("dobj", "nsubjpass")), None)
    if patient is None:
        return None
    of = _pobj_of_preps(patient, {"of"})
    if patient.pos_ == "NUM" and of is not None:
        patient = of  # "110 of which", "dozens of drones"
    if patient.lower_ in ("which", "that", "them"):
        if head.dep_ == "relcl":
            return head.head
        # the nearest common noun before the pronoun ("138 drones at Ukraine overnight, 110 of which")
        return next((t for t in reversed(patient.doc[: patient.i]) if t.pos_ == "NOUN"), None)
    return patient


def _is_venue(tok, venue_nouns: frozenset[str]) -> bool:
    """Whether a place-name token modifies a meeting or agreement noun as its venue.

    "the Abu Dhabi talks", "the Minsk agreements", "the Istanbul talks", "talks in Geneva": the city
    (or seat of government) is where it happens, not a party to it.
    """
    top = tok
    while top.dep_ == "compound" and top.head.pos_ == "PROPN" and top.head.i != top.i:
        top = top.head  # "Abu" -> "Dhabi"
    if top.dep_ == "pobj" and top.head.lower_ in ("in", "at"):
        governor = top.head.head  # "talks in Geneva"
    elif top.dep_ in ("compound", "nmod", "npadvmod"):
        governor = top.head
    else:
        return False
    return governor.i != top.i and (governor.lower_ in venue_nouns or governor.lemma_.lower() in venue_nouns)


@functools.lru_cache(maxsize=1)
def load_frames() -> frozenset[str]:
    """Main verbs of cooperation (``signal_frames.csv``, CAMEO roots 02-08) that frame a sentence."""
    with open(DATA_DIR / "signal_frames.csv", newline="", encoding="utf-8") as fh:
        return frozenset(row["lemma"] for row in csv.DictReader(fh))


@functools.lru_cache(maxsize=1)
def load_nonpolitical() -> list[tuple[Phrases, str, set[str] | None, set[str]]]:
    """Non-political contexts: (regex, domain, vetoed categories or None for all, anchor kinds that override)."""
    out = []
    with open(DATA_DIR / "signal_nonpolitical.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            vetoes = None if row["vetoes"].strip() == "*" else set(row["vetoes"].split(";"))
            overridden_by = set(filter(None, (row.get("overridden_by") or "").split(";")))
            out.append((Phrases(_pattern_to_regex(row["pattern"])), row["domain"], vetoes,
                        overridden_by))
    return out


@functools.lru_cache(maxsize=1)
def load_anchors() -> Phrases:
    """Words that make a sentence about states, armed forces or politics (``signal_anchors.csv``).

    One regex with a named group per anchor kind (state, military, armed_group, political, conflict).
    """
    with open(DATA_DIR / "signal_anchors.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    groups = [f"(?P<{row['kind'].replace(' ', '_')}>{_pattern_to_regex(row['pattern'])})" for row in rows]
    return Phrases("|".join(groups))


def anchor_kinds(sentence: str) -> set[str]:
    """Anchor kinds present in a sentence ("military", "armed group" ...)."""
    return {m.lastgroup.replace("_", " ") for m in load_anchors().finditer(sentence)}


def has_political_anchor(sentence: str, cue_start: int, cue_end: int, mentions: list[dict],
                         sentence_start: int = 0) -> bool:
    """Whether the sentence is about states, alliances, armed forces or politics.

    True when an actor of the actors stage (a country, organisation or a person with an
    affiliation; not an unresolved entity) is mentioned outside the cue, or when a word of
    ``signal_anchors.csv`` occurs outside the cue. Ambiguous cues ("attack", "threat",
    "pressure") score only in such sentences: "attacking midfielder" does not.
    """
    for m in mentions:
        if m.get("resolution") in ("ner_unresolved",):
            continue
        if m.get("actor_type") == "person" and not m.get("country"):
            continue
        ms, me = int(m["start"]) - sentence_start, int(m["end"]) - sentence_start
        if me <= cue_start or ms >= cue_end:
            return True
    masked = sentence[:cue_start] + " " * (cue_end - cue_start) + sentence[cue_end:]
    return bool(load_anchors().search(masked))


def nonpolitical_domain(sentence: str, category: str, kinds: set[str] | None = None) -> str:
    """The non-political domain ("sport", "medicine" ...) that vetoes ``category`` here, or "".

    Some domains give way to a stronger political anchor: crime words do not veto
    "guerrillas wounded two soldiers in a bomb attack, police said".
    """
    plain = re.sub(r"[\"“”‘’«»]", "", sentence)
    for regex, domain, vetoes, overridden_by in load_nonpolitical():
        if (vetoes is None or category in vetoes) and regex.search(plain):
            if overridden_by:
                if kinds is None:
                    kinds = anchor_kinds(sentence)
                if kinds & overridden_by:
                    continue
            return domain
    return ""


@functools.lru_cache(maxsize=1)
def _cue_index() -> tuple[dict[str, set[int]], list[tuple[str, int]], tuple[str, ...]]:
    """Which cue rows can start with a word: exact first words and ``word*`` prefixes -> row numbers."""
    exact: dict[str, set[int]] = {}
    prefixes: list[tuple[str, int]] = []
    for index, row in enumerate(load_cues()[1]):
        for phrase in row["pattern"].split("|"):
            first = re.split(r"[\s-]+", phrase.strip().lower())[0]
            if first.endswith("*"):
                prefixes.append((first[:-1], index))
            else:
                exact.setdefault(first, set()).add(index)
    return exact, prefixes, tuple(p for p, _ in prefixes)


_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=1 << 17)
def _rows_of_word(word: str) -> frozenset[int]:
    """Cue rows that can start with ``word`` (a lower-cased word of a sentence; remembered per word)."""
    exact, prefixes, prefix_tuple = _cue_index()
    rows = set(exact.get(word, ()))
    if word.startswith(prefix_tuple):
        rows |= {i for p, i in prefixes if word.startswith(p)}
    return frozenset(rows)


def find_cues(sentence: str) -> list[tuple[int, int, dict]]:
    """Lexicon matches in one sentence: ``(start, end, cue_row)`` with sentence offsets.

    Only rows whose first word occurs in the sentence are tried; overlapping matches are
    resolved leftmost first, then longest ("arms race" over "race", "cyber-attacks" over "attacks").
    """
    candidates: set[int] = set()
    lowered = sentence.lower()
    for word in set(_WORD.findall(lowered)):
        rows_of_word = _rows_of_word(word)
        if rows_of_word:
            candidates |= rows_of_word
    if not candidates:
        return []
    regexes, rows = load_cues()
    matches = []
    for index in candidates:
        for match in regexes[index].finditer(sentence, lowered):
            matches.append((match.start(), match.end(), index))
    matches.sort(key=lambda m: (m[0], -(m[1] - m[0]), m[2]))
    found, last_end = [], -1
    for start, end, index in matches:
        if start >= last_end:
            found.append((start, end, rows[index]))
            last_end = end
    return found


# --- parse helpers ----------------------------------------------------------------------

def _span_tokens(doc, start: int, end: int):
    return [t for t in doc if t.idx < end and t.idx + len(t.text) > start]


def _span_head(tokens):
    """The token of the cue whose syntactic head lies outside the cue (its head)."""
    ids = {t.i for t in tokens}
    for tok in tokens:
        if tok.head.i not in ids or tok.head.i == tok.i:
            return tok
    return tokens[0]


def _path_up(tok):
    """The token and its ancestors up to the root, as ``(token, child_on_path)`` pairs."""
    path = [(tok, None)]
    child = tok
    while child.head.i != child.i:
        path.append((child.head, child))
        child = child.head
    return path


def _has_negation(tok, cue_ids: set[int]) -> bool:
    for child in tok.children:
        if child.i in cue_ids:
            continue
        if child.dep_ == "neg" or (child.dep_ in ("det", "advmod") and child.lower_ in _NEGATORS):
            return True
    return False


def _is_accusing(tok) -> bool:
    """An accusing verb: "blamed", "accused", "held ... responsible" (not "held exercises")."""
    lemma = tok.lemma_.lower()
    if tok.pos_ != "VERB" or lemma not in _ACCUSING:
        return False
    return lemma != "hold" or any(t.lower_ in _HOLD_WORDS for t in tok.subtree)


def _has_modal(tok, modals: set[str]) -> bool:
    return any(c.dep_ in ("aux", "auxpass") and c.lower_ in modals for c in tok.children)


_TIME_WORDS = {"tomorrow", "soon", "next", "from", "starting", "until", "by", "within", "week", "month", "year"}
_CALENDAR_WORDS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                   "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                   "sunday", "tomorrow", "weekend", "spring", "summer", "autumn", "winter"}


def _has_time_anchor(head) -> bool:
    """Whether the clause of ``head`` names a time ("from November 1st", "next week", "by 2030")."""
    clause = head
    while clause.pos_ not in ("VERB", "AUX") and clause.head.i != clause.i:
        clause = clause.head
    for tok in clause.subtree:
        if tok.ent_type_ in ("DATE", "TIME") or tok.lower_ in _CALENDAR_WORDS \
                or (tok.lower_ in _TIME_WORDS and tok.dep_ in ("prep", "amod")) \
                or (tok.like_num and len(tok.text) == 4 and tok.text.startswith(("19", "20"))):
            return True
    return False


# Parses of cue sentences, made in batches without the NER component (not needed here).
_PARSE_CACHE: dict[str, object] = {}
_PARSE_CACHE_SIZE = 20_000


def parse_sentences(sentences: list[str]) -> list:
    """spaCy parses of ``sentences`` (tagger, parser, lemmatizer; no NER), batched and cached.

    About three times cheaper than one ``nlp.parse`` call per sentence; only cue sentences
    that survive the vetoes and anchor checks get here.
    """
    missing = list(dict.fromkeys(s for s in sentences if s not in _PARSE_CACHE))
    if missing:
        if len(_PARSE_CACHE) + len(missing) > _PARSE_CACHE_SIZE:
            _PARSE_CACHE.clear()
        model = nlp.get_nlp()
        for sentence, doc in zip(missing, model.pipe(missing, batch_size=64, disable=["ner"])):
            _PARSE_CACHE[sentence] = doc
    return [_PARSE_CACHE[s] for s in sentences]


def is_background(head) -> bool:
    """Whether a nominal cue names an event only as background of its clause.

    True inside a presupposing adjunct: "after the Russian attack on Ukraine, Stoltenberg
    demands ...", "in response to the Russian invasion", "than before the attack".
    """
    tok = head
    if tok.pos_ in ("VERB", "AUX"):
        # "Finland joined NATO after Russia invaded Ukraine"
        return tok.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _BACKGROUND_MARKS for c in tok.children)
    if tok.pos_ not in ("NOUN", "PROPN"):
        return False
    for _ in range(6):
        if tok.dep_ in ("compound", "amod", "nmod", "conj", "appos", "poss"):
            tok = tok.head
            continue
        if tok.dep_ != "pobj":
            return False
        prep = tok.head
        if prep.lower_ in _BACKGROUND_PREPS:
            return True
        before = prep.doc[max(prep.i - 3, 0): prep.i + 1].text.lower()
        if before.endswith(_BACKGROUND_PHRASES):
            return True
        if prep.lower_ != "of" or prep.head.pos_ not in ("NOUN", "PROPN"):
            return False
        tok = prep.head  # "the use of ...", "in light of ongoing operations" (checked above)
    return False


def classify_modality(doc, cue_tokens) -> str:
    """Decide asserted | negated | hypothetical | future | reported from the parse.

    Walks from the cue's head up to the root. Negation (``neg`` child, "no" determiner,
    "without", "refuse to" ...) on the cue or a governor above it negates, except on the
    predicate of a clause whose subject the cue is ("the threat will not go away").
    Modal auxiliaries, "if"-clauses and words like "possible" make it hypothetical
    (negated epistemic predicates, "attacks cannot be assumed", too); "will", "plans to",
    "is set to" make it future; a reporting verb above it ("said", "labeling ... as",
    "according to") makes it reported. Priority: negated > hypothetical > future >
    reported > asserted.
    """
    cue_ids = {t.i for t in cue_tokens}
    head = _span_head(cue_tokens)
    if is_background(head):
        return "asserted"
    found = _modality_marks_on_path(head, cue_ids)
    # "announced that it would cease ... from November 1st" is a reported plan; "said it
    # would respond to any new sanctions" (no time given) stays conditional.
    if "would" in found:
        found.add("future" if "reported" in found and _has_time_anchor(head) else "hypothetical")
    if "reported" not in found and _is_attributed_sentence(doc, cue_ids):
        found.add("reported")
    return next((m for m in ("negated", "hypothetical", "future", "reported") if m in found), "asserted")


def _modality_marks_on_path(head, cue_ids: set[int]) -> set[str]:
    """The modality marks on the way from the cue's head up to the root: a subset of negated, hypothetical,
    future, reported and "would" (a conditional or reported-future "would", resolved by the caller)."""
    found: set[str] = set()
    reporting_passed = answered = False
    for tok, child in _path_up(head):
        as_subject = child is not None and child.dep_ in _SUBJECT_DEPS
        if reporting_passed:
            # Above a reporting verb only its own frame counts: "is expected to emphasize",
            # "is likely to confirm" (not the negation or modals of the sentence around it).
            if child is None or child.dep_ != "xcomp":
                break
            found.update(_modality_of_reporting_frame(tok))
            continue
        if child is not None and _is_accusing(tok) and tok.i not in cue_ids and child.dep_ in ("prep", "dobj"):
            found.add("reported")  # "blamed Moscow for the attack", "accused NATO of provocations": alleged
            break
        if child is not None and tok.lemma_.lower() in _WARNING and tok.i not in cue_ids and child.dep_ == "prep":
            found.add("hypothetical")  # "warned Russia against invading Ukraine": not (yet) done
        if any(c.dep_ == "advmod" and c.lower_ in _REPORTED_ADVERBS for c in tok.children):
            found.add("reported")
        if _reports_the_clause(tok, child, as_subject, cue_ids):
            found.add("reported")
            # "said it would cease": the would of a reported clause is a future.
            reporting_passed = True
            continue
        if child is not None and child.dep_ in ("dobj", "prep", "nsubjpass") and tok.lemma_.lower() in _RESPONSE_VERBS:
            # "would not meet the hostage-takers' demands": the demand stands, it is the answer that is
            # refused; above the answering verb only a reporting verb still counts
            answered = True
        if answered:
            if child is not None and tok.lemma_.lower() in _REPORTING and tok.pos_ in ("VERB", "AUX") \
                    and child.dep_ in ("ccomp", "parataxis"):
                found.add("reported")
                break
            continue
        found.update(_negation_here(tok, child, as_subject, cue_ids))
        if _has_modal(tok, {"would"}):
            found.add("would")
        if _is_hypothetical_here(tok, child, cue_ids):
            found.add("hypothetical")
        if _is_future_here(tok, as_subject, cue_ids):
            found.add("future")
    return found


def _modality_of_reporting_frame(tok) -> set[str]:
    """Above a reporting verb: "is likely to confirm" (hypothetical), "is expected to emphasize" (future)."""
    if tok.lower_ in _HYPOTHETICAL_WORDS or _has_modal(tok, {"could", "might", "may"}):
        return {"hypothetical"}
    if tok.lemma_.lower() in _FUTURE_HEADS or _has_modal(tok, _FUTURE_AUX):
        return {"future"}
    return set()


def _reports_the_clause(tok, child, as_subject: bool, cue_ids: set[int]) -> bool:
    """Whether ``tok`` is a reporting verb whose report holds the cue ("said", "labeling ... as"); a
    prepositional object is not reported speech ("do not believe in disarmament")."""
    return (child is not None and tok.lemma_.lower() in _REPORTING and tok.pos_ in ("VERB", "AUX")
            and not as_subject and tok.i not in cue_ids
            and (child.dep_ != "prep" or tok.lemma_.lower() in _LABELLING))


def _negation_here(tok, child, as_subject: bool, cue_ids: set[int]) -> set[str]:
    """What a negation on ``tok`` makes of the cue: negated; hypothetical when it negates a negating head ("did
    not rule out a nuclear strike") or a modal epistemic predicate ("cannot be assumed"); nothing without one,
    or on the predicate of a clause whose subject the cue is ("the threat will not go away")."""
    neg_here = tok.i not in cue_ids and _has_negation(tok, cue_ids) or (
        child is not None and tok.i not in cue_ids and tok.lemma_.lower() in _NEGATING_HEADS
        and not as_subject)
    if tok.i in cue_ids and _has_negation(tok, cue_ids):
        neg_here = True
    if as_subject and tok.lemma_.lower() not in _EPISTEMIC_PREDICATES:
        neg_here = False
    if not neg_here:
        return set()
    if tok.i not in cue_ids and tok.lemma_.lower() in _NEGATING_HEADS and _has_negation(tok, cue_ids):
        return {"hypothetical"}  # two negations make it possible
    modal_here = _has_modal(tok, _HYPOTHETICAL_MODALS) or any(c.lower_ == "cannot" for c in tok.children)
    if modal_here and tok.lemma_.lower() in _EPISTEMIC_PREDICATES:
        return {"hypothetical"}
    return {"negated"}


def _is_hypothetical_here(tok, child, cue_ids: set[int]) -> bool:
    """Whether ``tok`` makes the cue hypothetical: "could/might/may", an "if/unless/whether" clause, the
    consequent of a condition, a word like "possible" (on it or modifying it)."""
    if _has_modal(tok, {"could", "might", "may"}):
        return True
    if any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in tok.children):
        return True
    speech_act = tok.i in cue_ids and tok.pos_ == "VERB" and tok.lemma_.lower() in _SPEECH_ACT_VERBS
    if not speech_act and any(c.dep_ == "advcl" and c.i not in cue_ids and c is not child
                              and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.children)
                              for c in tok.children):
        # (the condition of a threat or warning is what is threatened: "threatened a response if Y closed
        # the crossings" is an asserted threat, annotation scheme v1)
        return True  # the consequent of a condition: "if Russia invades, the West will impose sanctions"
    if tok.lower_ in _HYPOTHETICAL_WORDS and tok.i not in cue_ids:
        return True
    return any(c.dep_ in ("amod", "advmod", "acomp") and c.lower_ in _HYPOTHETICAL_WORDS for c in tok.children)


def _is_future_here(tok, as_subject: bool, cue_ids: set[int]) -> bool:
    """Whether ``tok`` makes the cue future: "will", "plans to", "is set to"."""
    return _has_modal(tok, _FUTURE_AUX) or (tok.i not in cue_ids and tok.lemma_.lower() in _FUTURE_HEADS
                                            and not as_subject)


def _is_attributed_sentence(doc, cue_ids: set[int]) -> bool:
    """Whether the whole sentence is attributed: "according to", "as X put it", or an attribution parenthesis
    anywhere ("..., 110 of which were shot down, Ukraine's air force said, and ...": the parse may hang it low)."""
    sent_lower = doc.text.lower()
    if "according to" in sent_lower or re.search(r"\bas [\w .'-]{1,60} put it\b", sent_lower):
        return True
    return any(t.dep_ == "parataxis" and t.lemma_.lower() in _ATTRIBUTING and t.i not in cue_ids
               and any(c.dep_ == "nsubj" for c in t.children) for t in doc)


# --- actors -----------------------------------------------------------------------------

class _Actor(str):
    """A canonical actor name that remembers the text offsets of the mention it came from."""

    def __new__(cls, name: str, start: int, end: int, actor_type: str = "", resolution: str = ""):
        obj = super().__new__(cls, name)
        obj.start, obj.end, obj.actor_type, obj.resolution = start, end, actor_type, resolution
        return obj


def _token_actor_map(doc, sentence_start: int, mentions: list[dict]) -> dict[int, str]:
    """Map token index -> canonical actor (an ``_Actor``) for tokens covered by an actor mention."""
    out = {}
    for m in mentions:
        ms, me = int(m["start"]) - sentence_start, int(m["end"]) - sentence_start
        if me <= 0 or ms >= len(doc.text):
            continue
        actor = _Actor(m["actor"], int(m["start"]), int(m["end"]), m.get("actor_type") or "",
                       m.get("resolution") or "")
        for tok in doc:
            if tok.idx < me and tok.idx + len(tok.text) > ms:
                out.setdefault(tok.i, actor)
    venue_nouns = load_governors()["venue_event"]
    # "the Abu Dhabi talks", "the Minsk agreements": a city standing for its state (a metonym of the
    # actors stage) that names where a meeting or agreement happens is its venue, not a party to it.
    venues = {i for i, actor in out.items() if actor.resolution == "metonym" and _is_venue(doc[i], venue_nouns)}
    venue_actors = {id(out[i]) for i in venues}
    return {i: actor for i, actor in out.items() if id(actor) not in venue_actors}


def _actor_in(tok, actor_of: dict[int, str], skip: set[int] = frozenset()) -> str:
    """Actor of ``tok`` or, failing that, the first actor in its subtree."""
    if tok.i in actor_of and tok.i not in skip:
        return actor_of[tok.i]
    for t in tok.subtree:
        if t.i in actor_of and t.i not in skip:
            return actor_of[t.i]
    return ""


# --- argument phrases (who did what to whom, whether or not the actors stage names them) ---

_LIGHT_VERBS = {"launch", "carry", "conduct", "stage", "mount", "make", "step", "continue", "begin", "start",
                "resume", "intensify", "escalate", "unleash", "wage", "announce", "impose", "order", "level",
                "issue", "deliver", "hold", "take", "file", "lodge", "express", "voice"}
_OBJECT_PREPS = {"against", "on", "at", "upon", "into", "toward", "towards", "with", "to"}
_REFERRING_PRONOUNS = {"it", "they", "he", "she", "we", "i"}


# Right-hand dependents kept in an argument phrase (the rest, relative clauses, "to"-infinitives,
# most prepositional phrases, is left out, as ConfliBERT's annotators mostly did).
_NP_KEEP = {"conj", "cc", "appos", "punct", "nummod", "compound", "amod", "case"}
_NP_KEEP_PREPS = {"of", "in"}


def _np_span(tok) -> tuple[int, int]:
    """Character span (in the sentence) of the noun phrase headed by ``tok``: its subtree
    without relative clauses and edge punctuation ("another ethnic Chechen who had fought
    ..." -> "another ethnic Chechen"; "the missiles fired by the Israeli military" stays whole)."""
    dropped = set()
    for child in tok.children:
        if child.i > tok.i and not (child.dep_ in _NP_KEEP or (child.dep_ == "prep" and child.lower_ in _NP_KEEP_PREPS)):
            dropped |= {t.i for t in child.subtree}
    kept = {t.i for t in tok.subtree} - dropped
    first = last = tok.i
    while first - 1 in kept:
        first -= 1
    while last + 1 in kept:
        last += 1
    doc = tok.doc
    while first < tok.i and doc[first].is_punct:
        first += 1
    while last > tok.i and doc[last].is_punct and not (
            doc[last].text == ")" and any(doc[i].text == "(" for i in range(first, last))):
        last -= 1
    return doc[first].idx, doc[last].idx + len(doc[last].text)


def _actor_np_span(doc, start: int, end: int) -> tuple[int, int]:
    """Sentence span of the noun phrase an actor mention heads or modifies ("Russian" -> "Russian forces")."""
    tokens = [t for t in doc if t.idx < end and t.idx + len(t.text) > start]
    if not tokens:
        return start, end
    head = tokens[-1]
    while head.dep_ in ("compound", "amod", "nmod", "nummod", "poss") and head.head.i != head.i \
            and head.head.pos_ in ("NOUN", "PROPN"):
        head = head.head
    left = head.left_edge
    right = head
    for child in head.children:
        if child.dep_ in ("conj", "appos", "flat") and child.i > right.i:
            right = child.right_edge
    return min(left.idx, start), max(right.idx + len(right.text), end)


def _phrase_of(doc, argument, actor, sentence_start: int) -> tuple[int, int] | None:
    """Sentence span of a source/target phrase: the argument noun phrase when it holds the actor
    (or no actor is known), else the noun phrase of the actor mention ("" -> None)."""
    phrase = _np_span(argument) if argument is not None else None
    start = getattr(actor, "start", -1)
    if start < 0 or not (sentence_start <= start < sentence_start + len(doc.text)):
        return phrase
    a_start, a_end = start - sentence_start, actor.end - sentence_start
    if phrase is not None and phrase[0] <= a_start and a_end <= phrase[1]:
        return phrase
    return _actor_np_span(doc, a_start, a_end)


def _clause_subject(verb):
    """The subject token of a verb: its own, or that of the verb it is coordinated with, depends
    on as an open complement or participle ("attacked the city, killing dozens"), or
    modifies as a relative clause ("another Chechen who had fought"); passive agent first."""
    current = verb
    for _ in range(5):
        agent = next((c for c in current.children if c.dep_ == "agent"), None)
        if agent is not None:
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
        subject = next((c for c in current.children if c.dep_ in ("nsubj", "csubj")), None)
        if subject is not None:
            if subject.lower_ in ("who", "which", "that") and current.dep_ == "relcl":
                return current.head
            return subject
        if current.dep_ == "relcl":
            return current.head
        if current.dep_ in ("xcomp", "conj", "advcl", "acl", "pcomp") and current.head.i != current.i:
            current = current.head
            continue
        return None
    return None


def _resolve_pronoun(tok):
    """ "NAF says it has killed ...": a pronoun subject under a reporting verb is its speaker."""
    if tok is None or tok.lower_ not in _REFERRING_PRONOUNS:
        return tok
    for ancestor, child in _path_up(tok)[1:]:
        if ancestor.pos_ in ("VERB", "AUX") and ancestor.lemma_.lower() in _REPORTING and child.dep_ in (
                "ccomp", "parataxis"):
            speaker = next((c for c in ancestor.children if c.dep_ == "nsubj"), None)
            if speaker is not None and speaker.lower_ not in _PRONOUNS:
                return speaker
    return tok


def _object_of(verb, skip=None):
    """The thing a verb is done to: direct object, passive subject, or object of against/on/..."""
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass", "dative") and child is not skip:
            return child
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in _OBJECT_PREPS:
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None and pobj is not skip:
                return pobj
    return None


#: Categories whose cue may hold its own patient: "expelled eight Polish diplomats", "released 40 activists".
_PATIENT_CATEGORIES = {"diplomatic_expulsion", "coercion", "humanitarian_cooperation", "attack_invasion"}


def _pobj_of_preps(tok, preps):
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in preps:
            pobj = next((p for p in c.children if p.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
    return None


def argument_tokens(doc, cue_tokens, category: str = ""):
    """Source and target argument tokens of a cue from the parse (None when the sentence does not say).

    Verbal cue: subject (or passive agent) -> source; object, passive subject or object of
    against/on/at/into/with/to -> target. Nominal cue: possessor, "by"/"from" phrase or the
    subject of the light verb that carries it ("Iraqi troops launched an assault on ...") ->
    source; "on"/"against"/"of" phrase, or the light verb's object -> target.
    """
    head = _span_head(cue_tokens)
    if head.pos_ in ("VERB", "AUX"):
        source, target = _verbal_cue_arguments(head, {t.i for t in cue_tokens}, category)
    else:
        source, target = _nominal_cue_arguments(head)
    if source is not None and source.dep_ == "poss" and source.lower_ in ("its", "their", "his", "her", "our"):
        source = _possessive_owner_subject(source)
    if source is not None and source.lower_ in ("what", "which", "that", "who", "whom"):
        source = None
    source = _resolve_pronoun(source)
    if source is not None and target is not None and source.i == target.i:
        target = None
    return source, target


def _verbal_cue_arguments(head, cue_ids: set[int], category: str):
    """A verbal cue's subject (source) and object (target); when the object is part of the cue ("held talks
    with the Palestinian president", "lifted a state of emergency in the north") its prepositional object is
    the target, or, for a category whose patient is its object ("expelled eight Polish diplomats"), the object."""
    source = _clause_subject(head)
    target = _object_of(head)
    if target is not None and target.i in cue_ids:
        inner = target
        target = _pobj_of_preps(inner, _OBJECT_PREPS) or _pobj_of_preps(inner, {"in"})
        if target is None and category in _PATIENT_CATEGORIES:
            target = inner
    return source, target


def _nominal_cue_arguments(head):
    """A nominal cue's source and target: its own possessor and phrases, else those of the verb that carries
    it (a light verb's subject and object, the verb of which it is the subject or the instrument, "claimed
    responsibility for"), else its "in" phrase as the target ("attacks in London")."""
    source = target = None
    for child in head.children:
        if child.dep_ == "poss" and source is None:
            source = child
        elif child.dep_ == "prep" and child.lower_ in ("by", "from") and source is None:
            source = next((c for c in child.children if c.dep_ == "pobj"), None)
        elif child.dep_ == "prep" and child.lower_ in _OBJECT_PREPS | {"of"} and target is None:
            target = next((c for c in child.children if c.dep_ == "pobj"), None)
    governor = head.head
    if head.dep_ in ("dobj", "attr", "oprd") and governor.pos_ in ("VERB", "AUX"):
        source = source or _clause_subject(governor)
        for c in governor.children:
            if target is None and c.dep_ == "prep" and c.lower_ in _OBJECT_PREPS:
                target = next((p for p in c.children if p.dep_ == "pobj"), None)
    elif head.dep_ in ("nsubj", "nsubjpass") and governor.pos_ in ("VERB", "AUX"):
        # "Syrian regime air strikes ... hit the enclave": the cue is the instrument
        source = source or head
        target = target or _object_of(governor, skip=head)
    elif head.dep_ == "pobj" and governor.dep_ == "prep" and governor.head.pos_ in ("VERB", "AUX"):
        source = source or _clause_subject(governor.head)
        if governor.lower_ in ("with", "using", "via") and target is None:
            # an instrument: "pounded the Taliban hideouts with artillery and airstrikes"
            target = _object_of(governor.head, skip=head)
    elif head.dep_ == "pobj" and governor.lower_ == "for" and governor.head.lemma_.lower() == "responsibility" \
            and governor.head.head.pos_ in ("VERB", "AUX"):
        # "the Taliban claimed responsibility for the attack"
        source = source or _clause_subject(governor.head.head)
    if target is None:
        target = _pobj_of_preps(head, {"in"})  # "declared a ceasefire in Tripoli", "attacks in London"
    return source, target


def _possessive_owner_subject(source):
    """ "Syrian government forces continued their attacks": a possessive pronoun's owner is the subject of
    the clause it stands in (None when it stands in no verbal clause)."""
    owner = source.head
    while owner.dep_ not in _SUBJECT_DEPS and owner.pos_ not in ("VERB", "AUX") and owner.head.i != owner.i:
        owner = owner.head
    return _clause_subject(owner) if owner.pos_ in ("VERB", "AUX") else None


def _agent_in(noun, actor_of) -> str:
    """Actor who acts in a noun phrase: the noun itself, its possessor or modifier, its "by" phrase
    ("the attack on Ukraine by Russia" -> Russia), else any actor outside its target phrases."""
    if noun.i in actor_of:
        return actor_of[noun.i]
    skip = set()
    for child in noun.children:
        if child.dep_ in ("poss", "compound", "amod", "nmod") and child.i in actor_of:
            return actor_of[child.i]
        if child.dep_ == "prep" and child.lower_ in ("by", "from"):
            found = _actor_in(child, actor_of)
            if found:
                return found
        if child.dep_ == "acl":
            agent = next((c for c in child.children if c.dep_ == "agent"), None)
            if agent is not None and _actor_in(agent, actor_of):
                return _actor_in(agent, actor_of)
        if child.dep_ == "prep" and child.lower_ in _NOUN_TARGET_PREPS or child.dep_ in ("relcl", "acl"):
            skip |= {t.i for t in child.subtree}
    return _actor_in(noun, actor_of, skip)


def _subject_actor(verb, actor_of) -> str:
    """Actor of the clause subject (agent for passives), climbing past pronoun subjects."""
    current = verb
    for _ in range(6):
        if current.dep_ in ("pcomp", "pobj") and current.head.dep_ == "prep" and current.head.head.pos_ == "VERB":
            # Object control: "warned Russia against invading", "accused NATO of attacking".
            controller = next((c for c in current.head.head.children if c.dep_ == "dobj"), None)
            if controller is not None and _actor_in(controller, actor_of):
                return _actor_in(controller, actor_of)
        subject = next((c for c in current.children if c.dep_ == "nsubj"), None)
        if subject is None and current is not verb:
            # Raised subject of a passive: "Russia is expected to launch an offensive".
            subject = next((c for c in current.children if c.dep_ == "nsubjpass"), None)
        agent = next((c for c in current.children if c.dep_ == "agent"), None)
        if agent is not None:
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None)
            if pobj is not None and _actor_in(pobj, actor_of):
                return _actor_in(pobj, actor_of)
        if subject is not None:
            found = _agent_in(subject, actor_of)
            if found:
                return found
            if subject.lower_ not in _PRONOUNS:
                return ""
        if current.head.i == current.i or current.dep_ not in ("xcomp", "ccomp", "advcl", "conj", "relcl", "acl",
                                                               "pcomp", "prep", "pobj", "dobj", "acomp"):
            if current.dep_ == "relcl":
                return _actor_in(current.head, actor_of)
            return ""
        current = current.head
    return ""


def assign_actors(doc, cue_tokens, actor_of: dict[int, str], category: str = "") -> tuple[str, str]:
    """Source and target actor of a cue from the dependency parse (``""`` when unknown).

    Source: the subject or passive agent of the cue's clause ("Polish diplomats were expelled
    by Russia"), the possessor or modifier of a nominal cue ("Russia's invasion", "Russian
    shelling"), "by"/"from" after it. Target: the object, or the object of against/on/to/
    with/of ("sanctions against Russia", "the invasion of Ukraine"), or the owner of "its"
    when that is the speaker ("Lithuania said Russian jets violated its airspace"). For
    hostile rhetoric inside reported speech the speaker is the source and the one talked
    about the target ("Peskov remarked that NATO is an instrument of aggression").
    """
    source, target = _assign_actors(doc, cue_tokens, actor_of, category)
    if category == "accusation":
        speaker = _reporting_speaker(_span_head(cue_tokens), actor_of)
        if speaker and speaker != source:
            source, target = speaker, (source or target)
    if target == source:
        target = ""
    return source, target


def _is_escalation(category: str) -> bool:
    return bool(category) and load_categories().get(category, {}).get("direction") == 1


def _reporting_speaker(head, actor_of) -> str:
    """Actor of the subject of the nearest reporting verb above ``head`` whose complement holds it."""
    for tok, child in _path_up(head)[1:]:
        if child.dep_ in _SUBJECT_DEPS:
            return ""
        if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in _REPORTING and child.dep_ in ("ccomp", "parataxis"):
            speaker = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            return _actor_in(speaker, actor_of) if speaker is not None else ""
    return ""


def _assign_actors(doc, cue_tokens, actor_of: dict[int, str], category: str = "") -> tuple[str, str]:
    """Source (who acts) and target (acted on) of a cue, from the parse: the rules below, in order; the first
    that names a side keeps it (an accusation or a reciprocal event decides both at once)."""
    head = _span_head(cue_tokens)
    source = target = ""
    if head.pos_ in ("NOUN", "PROPN", "ADJ"):
        source, target = _noun_cue_sides(head, actor_of)
    verb = _clause_verb(head)
    is_verb = verb.pos_ in ("VERB", "AUX")
    if is_verb and verb.i != head.i and _is_accusing(verb):
        accused = _accused_actor(head, verb, actor_of)
        if accused is not None:
            return accused, target
    if is_verb and verb.i != head.i and verb.lemma_.lower() in _LABELLING:
        target = target or _labelled_actor(head, verb, actor_of)
    if not source and not target:
        sides = _reciprocal_sides(head, verb, actor_of)
        if sides is not None:
            return sides
    if is_verb and verb.lemma_.lower() in ("expel", "deport") and not source \
            and any(c.dep_ == "nsubjpass" for c in verb.children):
        source = _expelling_state(verb, actor_of)
    if head.pos_ in ("NOUN", "PROPN") and not source:
        source = _participle_agent(head, actor_of)
    if is_verb:
        if not source and not _cue_is_subject(head, verb):
            source = _subject_actor(verb, actor_of)
        if not target and (verb.i == head.i or head.dep_ in ("dobj", "attr", "oprd", "nsubjpass")
                           or _via_verb_prep(head, verb)):
            target = _verb_object_target(head, verb, actor_of, source, category)
    if not target:
        target = _actor_named_in_cue(cue_tokens, actor_of, source)
    if not target and head.pos_ == "VERB" and not any(c.dep_ in ("dobj", "nsubjpass") for c in head.children):
        target = _actor_after_verb(doc, head, actor_of, source)
    if not target:
        target = _possessive_owner(head, verb, actor_of, source)
    return source, target


def _noun_cue_sides(head, actor_of) -> tuple[str, str]:
    """A noun cue's own dependents: "attacks by Russia", "threats from Russia", "Russia's threats" (source);
    "sanctions against Russia", "criticism of NATO" (target); "From Russia came sharp criticism" (source)."""
    source = target = ""
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in ("by", "from"):
            source = source or _actor_in(child, actor_of)  # "attacks by Russia", "threats from Russia"
        elif child.dep_ in ("poss", "compound", "amod", "nmod") and child.i in actor_of:
            source = source or actor_of[child.i]
        elif child.dep_ == "prep" and child.lower_ in _NOUN_TARGET_PREPS:
            target = target or _actor_in(child, actor_of)
    if not source and head.dep_ in ("nsubj", "nsubjpass", "attr") and head.head.pos_ in ("VERB", "AUX"):
        # "From Russia came sharp criticism of NATO": the origin is a sibling of the noun.
        origin = next((c for c in head.head.children if c.dep_ == "prep" and c.lower_ == "from"), None)
        if origin is not None:
            source = _actor_in(origin, actor_of)
    return source, target


def _clause_verb(head):
    """The clause verb of a cue: the cue itself when verbal, else the nearest verb above it (else the root)."""
    verb = head
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    return verb


def _accused_actor(head, verb, actor_of) -> str | None:
    """ "blamed Moscow for the attack", "accused the Kremlin of provocations": the accused did it (its actor, ""
    when none is named); None when the cue is not what the accused is accused of."""
    accused = next((c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")), None)
    via_prep = any(c.dep_ == "prep" and head in c.subtree for c in verb.children)
    if accused is not None and head.i != accused.i and (via_prep or head in accused.subtree):
        return _actor_in(accused, actor_of)
    return None


def _labelled_actor(head, verb, actor_of) -> str:
    """ "Moscow labeling NATO as a tool of aggression": the labelled one is the target ("" when none)."""
    labelled = next((c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")), None)
    if labelled is not None and head not in labelled.subtree:
        return _actor_in(labelled, actor_of)
    return ""


def _reciprocal_sides(head, verb, actor_of) -> tuple[str, str] | None:
    """ "talks between Russia and Ukraine": the two sides of a reciprocal event (None unless both are named)."""
    between = next((c for t in (head, verb) for c in t.children if c.dep_ == "prep" and c.lower_ == "between"),
                   None)
    pobj = next((c for c in between.children if c.dep_ == "pobj"), None) if between is not None else None
    if pobj is None:
        return None
    other = next((c for c in pobj.children if c.dep_ == "conj"), None)
    source = _actor_in(pobj, actor_of, skip={t.i for t in other.subtree} if other is not None else set())
    target = _actor_in(other, actor_of) if other is not None else ""
    return (source, target) if source and target else None


def _expelling_state(verb, actor_of) -> str:
    """ "Russian diplomats were expelled from Poland": Poland expelled them ("" without a "from")."""
    origin = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "from"), None)
    return _actor_in(origin, actor_of) if origin is not None else ""


def _participle_agent(head, actor_of) -> str:
    """ "sanctions against Russia imposed by the EU": the agent of a participle on the noun cue."""
    source = ""
    for child in head.children:
        if child.dep_ == "acl":
            agent = next((c for c in child.children if c.dep_ == "agent"), None)
            source = source or (_actor_in(agent, actor_of) if agent is not None else "")
    return source


def _cue_is_subject(head, verb) -> bool:
    """Whether the cue is its verb's subject (the verb's subject is then not its source), or the thing a verb
    cites ("citing the use of a nerve agent": who cites an act did not do it)."""
    return (head.dep_ == "nsubj" and head.head.i == verb.i) or (verb.i != head.i and verb.lemma_.lower() in _CITING)


def _via_verb_prep(head, verb) -> bool:
    """Whether the cue is the object of a preposition on its verb ("returned to the talks")."""
    return head.dep_ == "pobj" and head.head.dep_ == "prep" and head.head.head.i == verb.i


def _verb_object_target(head, verb, actor_of, source: str, category: str) -> str:
    """The target among the verb's objects and prepositional phrases: the first actor found that is not the source
    (else the last one found). A weapon launched is no target, where it is aimed is; the place gone to "for" a
    cue of purpose is its venue; the beneficiary of a hostile act ("weapons for Ukraine") is not its target."""
    # "will return to the United Arab Emirates for more talks": with a cue of purpose, the place
    # gone to is its venue, not its target
    purpose = _via_verb_prep(head, verb) and head.head.lower_ == "for"
    projectiles = load_governors()["projectile"]
    launched = verb.i == head.i and any(c.dep_ == "dobj" and c.lemma_.lower() in projectiles for c in verb.children)
    target = ""
    for child in verb.children:
        if launched and child.dep_ == "prep" and child.lower_ == "from":
            continue  # "launched one Iskander-M ballistic missile from Voronezh Oblast": the origin
        if child.i == head.i:
            continue
        if purpose and child.dep_ == "prep" and child.lower_ in ("to", "into", "toward", "towards"):
            continue
        if child.dep_ == "dobj" and child.lemma_.lower() in projectiles and verb.i == head.i:
            # "launched one Iskander-M ballistic missile and 99 drones at Ukraine": the weapon is
            # no target; where it is aimed is (the parser may hang "at" on the weapon)
            aimed = [t for t in child.subtree if t.dep_ == "prep" and t.lower_ in ("at", "against", "on", "into")]
            target = next((_actor_in(p, actor_of) for p in aimed if _actor_in(p, actor_of)), "")
            if target and target != source:
                break
            continue
        if child.dep_ in ("dobj", "iobj", "nsubjpass", "oprd", "dative"):
            # "demands heavy weapons for Ukraine": the beneficiary of a hostile act is not its
            # target (of aid it is: "aid for Ukraine")
            beneficiary = {t.i for p in child.subtree if p.dep_ == "prep" and p.lower_ == "for"
                           for t in p.subtree} if _is_escalation(category) else set()
            target = _actor_in(child, actor_of, beneficiary)
        elif child.dep_ == "prep" and child.lower_ in _TARGET_PREPS:
            target = _actor_in(child, actor_of)
        if target and target != source:
            break
    return target


def _actor_named_in_cue(cue_tokens, actor_of, source: str) -> str:
    """An actor inside the cue's own words other than the source ("the Russian invasion of ..."), a weapon's
    name excepted ("one Iskander-M ballistic missile")."""
    for tok in cue_tokens:
        if _names_weapon(tok, load_governors()["projectile"]):
            continue  # "one Iskander-M ballistic missile": a weapon's name is no target
        if tok.i in actor_of and actor_of[tok.i] != source:
            return actor_of[tok.i]
    return ""


def _actor_after_verb(doc, head, actor_of, source: str) -> str:
    """A misparsed object ("If Russia invades Ukraine, the West ..." read with Ukraine as a subject): an actor
    right after a transitive cue verb (determiners skipped) is its object."""
    nxt = head.i + 1
    while nxt < len(doc) and doc[nxt].dep_ == "det":
        nxt += 1
    if nxt < len(doc) and nxt in actor_of and actor_of[nxt] != source and doc[nxt].dep_ != "poss":
        return actor_of[nxt]
    return ""


def _names_weapon(tok, projectiles: frozenset[str]) -> bool:
    """Whether a token is part of a weapon's name ("Iskander-M" in "one Iskander-M ballistic missile")."""
    for _ in range(4):
        if tok.dep_ not in ("compound", "nmod", "amod", "punct") or tok.head.i == tok.i:
            return False
        tok = tok.head
        if tok.lemma_.lower() in projectiles:
            return True
    return False


def _possessive_owner(head, verb, actor_of, source: str) -> str:
    """ "Lithuania said Russian jets violated its airspace": "its" is the speaker's."""
    scope = list(head.subtree) + ([t for c in verb.children if c.dep_ in ("dobj", "prep") for t in c.subtree]
                                  if verb.pos_ in ("VERB", "AUX") else [])
    possessives = [t for t in scope if t.dep_ == "poss" and t.lower_ in ("its", "their", "our")]
    if not possessives:
        return ""

    for tok, child in _path_up(verb):
        if child is not None and tok.lemma_.lower() in _REPORTING and tok.pos_ in ("VERB", "AUX"):
            speaker = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            owner = _actor_in(speaker, actor_of) if speaker is not None else ""
            if possessives[0].lower_ == "its" and getattr(owner, "actor_type", "") == "person":
                return ""  # "Olaf Scholz announced that Germany would expand its presence": not Scholz's
            return owner if owner and owner != source else ""
    return ""


def _mentions_for(text: str, date: str | None) -> list[dict] | None:
    """Actor mentions from ``pipeline.stages.actors`` (None when that stage is unavailable)."""
    try:
        from pipeline.stages import actors  # noqa: PLC0415 - sibling stage, imported lazily
    except ImportError:
        return None
    return actors.extract(text, date=date)


def _fallback_mentions(doc, sentence_start: int) -> list[dict]:
    """Named entities of the parsed sentence, used only when no actor mentions exist."""
    out = []
    for ent in doc.ents:
        if ent.label_ in ("GPE", "NORP", "ORG", "PERSON"):
            out.append({"actor": ent.text, "start": sentence_start + ent.start_char,
                        "end": sentence_start + ent.end_char, "resolution": "ner",
                        "actor_type": "person" if ent.label_ == "PERSON" else "organisation"})
    return out


def _self_obligation(must_token) -> bool:
    """ "We must keep our edge" is resolve, not a demand: "must" counts only when addressed to others."""
    verb = must_token.head
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or subject.lower_ in ("we", "i", "us", "you", "one"):
        return True
    # The speaker's own side: "the alliance must", "alliance officials must", "our allies must".
    words = {t.lower_ for t in subject.subtree}
    return bool(words & {"alliance", "our", "allies", "ourselves"})


#: Categories that are about a relation between two parties (CAMEO 03-05: meet, negotiate, agree):
#: among allies they are not de-escalation of the NATO-Russia or Russia-Ukraine relation.
_BETWEEN_PARTIES = {"dialogue_talks", "agreement"}


def _in_background(tok) -> bool:
    """Whether a token lies inside a presupposing adjunct ("after the Russian invasion of Ukraine")."""
    for ancestor, _ in _path_up(tok):
        if ancestor.pos_ in ("VERB", "AUX"):
            return is_background(ancestor)
        if ancestor.pos_ in ("NOUN", "PROPN") and is_background(ancestor):
            return True
    return False


def topic_words(head) -> set[str]:
    """Lemmas of what a meeting or agreement is about: the cue's own phrase ("an agreement on spending")
    and the prepositional phrases of the verb that carries it ("reaching an agreement regarding this
    spending commitment")."""
    tokens = list(head.subtree)
    if head.dep_ in ("dobj", "attr", "pobj") and head.head.pos_ in ("VERB", "AUX", "ADP"):
        verb = head.head.head if head.dep_ == "pobj" else head.head
        tokens += [t for c in verb.children if c.dep_ == "prep" and c.i > head.i for t in c.subtree]
    return {t.lemma_.lower() for t in tokens} | {t.lower_ for t in tokens}


def among_allies(category: str, source_country: str, target_country: str, sentence_countries: list[str],
                 date: str | None = None, topic: set[str] = frozenset()) -> bool:
    """Whether a meeting or agreement is among allies only, so not a de-escalation signal.

    De-escalation is about the NATO-Russia (or Russia-Ukraine) relation; "Stoltenberg is scheduled
    to meet with UK Prime Minister Keir Starmer" or "NATO is close to reaching an agreement regarding
    this spending commitment" are not. Only ``dialogue_talks`` and ``agreement`` signals (a relation
    between parties) are judged; sides are those of ``pipeline.read.tension.side_of`` on ``date``.
    ``sentence_countries`` are the affiliation codes of the actors the sentence names outside
    background adjuncts; ``topic`` the words of what the meeting is about (:func:`topic_words`). True when

    * source and target are both on the NATO side; or
    * one is on the NATO side, the other unknown, and the sentence names another actor (a
      different code), every one of them on the NATO side (the counterpart can only be an ally); or
    * no actor of the sentence is outside the NATO side and the topic is an intra-alliance matter
      (``alliance_matter`` of ``signal_governors.csv``: spending, budget, GDP, burden-sharing ...).

    A meeting whose parties the sentence does not name ("we remain open to dialogue") stays.
    """
    if category not in _BETWEEN_PARTIES:
        return False
    from pipeline.read.tension import side_of  # noqa: PLC0415 - the dyad sides live with the index

    codes = {code for code in sentence_countries if code} | {c for c in (source_country, target_country) if c}
    only_allies = all(side_of(code, date) == "nato" for code in codes)
    if only_allies and codes and topic & load_governors()["alliance_matter"]:
        return True
    sides = [side_of(code, date) if code else None for code in (source_country, target_country)]
    if None not in sides:
        return sides == ["nato", "nato"]
    known = [side for side in sides if side is not None]
    return known == ["nato"] and only_allies and len(codes) >= 2


_FRAME_MIN_DEPTH = 2


def main_polarity(rows: list[dict]) -> int:
    """Effective polarity of what one sentence is mainly about (0 when it has no signal).

    The signals nearest the root of the parse win ("agreed to a ceasefire after two days of
    fighting" is de-escalation); a tie is broken by the sum of their polarities, then by
    escalation. Signals two or more steps below a main verb of cooperation
    (``data/signal_frames.csv``: appeal, agree, help, release ...) do not count.
    """
    if not rows:
        return 0
    frames = load_frames()
    # "Iraq appealed to the U.N. to bring an end to the embargo": a sentence whose main verb is
    # cooperation (appeal, agree, help, release ...) is about that, not the conflict it mentions below.
    rows = [r for r in rows if not (r.get("clause_depth", 0) >= _FRAME_MIN_DEPTH and r.get("root_lemma") in frames)]
    if not rows:
        return 0
    depth = min(r["clause_depth"] for r in rows)
    total = sum(r["polarity"] for r in rows if r["clause_depth"] == depth)
    return -1 if total < 0 else 1


# --- the stage --------------------------------------------------------------------------

def extract(text: str, *, date: str | None = None, mentions: list[dict] | None = None,
            coder_categories: tuple[str, ...] | None = None) -> list[dict]:
    """Tension signals of one article's main text (every column of COLUMNS but article_id).

    The lexicon rules find events and read their modality, source and target from the parse; the trained
    coder (:mod:`pipeline.stages.signal_model`) adds its events for the categories the lexicon lacks and for
    those it completes (``coder_categories``, default: chosen by cross-validation when the model was trained)
    in sentences where the rules found none of that category.
    """
    if not isinstance(text, str):
        raise TypeError("text must be a str")
    categories = load_categories()
    rows: list[dict] = []
    candidates = []
    model_rows: list[dict] = []
    if coder_categories is None:
        coder_categories = signal_model.union_categories()
    model_only = tuple(dict.fromkeys(_model_only_categories() + tuple(coder_categories)))
    suppressed: set[tuple[int, str]] = set()
    for s_start, s_end, sentence in nlp.iter_sentences(text):
        cues = find_cues(sentence)
        model_rows.extend(_model_rows(sentence, s_start, s_end, model_only, [c[2]["category"] for c in cues]))
        kept = []
        for c_start, c_end, cue in cues:
            if nonpolitical_domain(sentence, cue["category"]):
                continue
            kept.append((c_start, c_end, cue))
        if kept:
            candidates.append((s_start, s_end, sentence, kept))
    if not candidates:
        return _anchored(model_rows, text, date, mentions)
    use_ner_fallback = False
    if mentions is None:
        mentions = _mentions_for(text, date)
        if mentions is None:
            mentions, use_ner_fallback = [], True
    country_of = {m["actor"]: m.get("country") or "" for m in mentions if m.get("actor")}
    to_parse = []
    for s_start, s_end, sentence, cues in candidates:
        sentence_mentions = [m for m in mentions if int(m["start"]) < s_end and int(m["end"]) > s_start]
        if not use_ner_fallback:
            # Ambiguous cues without a political anchor are dropped before parsing (saves most parses).
            cues = [c for c in cues if not c[2]["anchor"]
                    or has_political_anchor(sentence, c[0], c[1], sentence_mentions, s_start)]
            if not cues:
                continue
        to_parse.append((s_start, s_end, sentence, cues, sentence_mentions))
    if not to_parse:
        return _anchored(model_rows, text, date, mentions)
    coder_rows = _anchor_filter(model_rows, text, date, mentions if not use_ner_fallback else [])
    if use_ner_fallback:
        docs = [nlp.parse(item[2]) for item in to_parse]  # the fallback needs the NER component
        coder_docs = parse_sentences([r["evidence"] for r in coder_rows])
    else:  # one batch for the rules' sentences and the coder's (a batch is far cheaper per sentence)
        docs = parse_sentences([item[2] for item in to_parse] + [r["evidence"] for r in coder_rows])
        docs, coder_docs = docs[:len(to_parse)], docs[len(to_parse):]
    for (s_start, s_end, sentence, cues, sentence_mentions), doc in zip(to_parse, docs):
        probabilities = signal_model.category_probabilities(sentence, cue_categories=[c[2]["category"] for c in cues])
        if use_ner_fallback:
            sentence_mentions = _fallback_mentions(doc, s_start)
        actor_of = _token_actor_map(doc, s_start, sentence_mentions)
        for c_start, c_end, cue in cues:
            tokens = _span_tokens(doc, c_start, c_end)
            if not tokens:
                continue
            head = _span_head(tokens)
            if cue["pos"] and head.pos_ not in cue["pos"]:
                continue
            if cue["exclude_dep"] and head.dep_ in cue["exclude_dep"]:
                continue
            if cue["anchor"] and not has_political_anchor(sentence, c_start, c_end, sentence_mentions, s_start):
                continue
            if head.lower_ == "must" and _self_obligation(head):
                continue
            if cue["governed_by"] and not is_governed(head, load_governors()[cue["governed_by"]]):
                continue  # a weapon named as a topic, not deployed, tested or used
            downed = None
            if cue["unless_patient"]:
                patient = patient_of(head)
                if patient is not None and patient.lemma_.lower() in load_governors()[cue["unless_patient"]]:
                    # "shot down 30 drones over Kyiv": air defence downing drones is the drone attack, seen from
                    # its target; the drones' sender (if named) is its source
                    downed = patient
            if is_denial_or_ruling_out(head, cue, [c for c in cues if (c[0], c[1]) != (c_start, c_end)], doc):
                suppressed.add((s_start, cue["category"]))  # nor may the coder code it
                continue
            category = categories[cue["category"]]
            modality = classify_modality(doc, tokens)
            if cue["modality"] and modality == "asserted":
                modality = cue["modality"]
            if modality in ("hypothetical", "future") and cue["category"] == "nuclear_rhetoric" and said_as_threat(head):
                modality = "asserted"  # "warned it could station nuclear missiles": the nuclear threat was made
            background = is_background(head)
            base = category["direction"]
            polarity = -base if modality == "negated" else base
            weight = MODALITY_WEIGHTS[modality] * (BACKGROUND_FACTOR if background else 1.0)
            source, target = assign_actors(doc, tokens, actor_of, cue["category"])
            if downed is not None:  # the shooter (an active subject) is the target of the attack downed
                shooter = source if any(c.dep_ == "nsubj" for c in head.children) else ""
                source, target = _actor_in(downed, actor_of), shooter
            if cue["category"] in _BETWEEN_PARTIES:
                named = [country_of.get(actor, "") for i, actor in actor_of.items() if not _in_background(doc[i])]
                if among_allies(cue["category"], country_of.get(source, "") if source else "",
                                country_of.get(target, "") if target else "", named, date, topic_words(head)):
                    continue
            source_arg, target_arg = argument_tokens(doc, tokens, cue["category"])
            source_phrase = _phrase_of(doc, source_arg, source, s_start)
            target_phrase = _phrase_of(doc, target_arg, target, s_start)
            rows.append({
                "category": cue["category"],
                "polarity": polarity,
                "modality": modality,
                "weight": weight,
                "start": s_start + c_start,
                "end": s_start + c_end,
                "evidence": sentence,
                "cue": sentence[c_start:c_end],
                "base_polarity": base,
                "sentence_start": s_start,
                "sentence_end": s_end,
                "source_actor": str(source),
                "target_actor": str(target),
                "cameo_code": cue["cameo_code"] or category["cameo_code"],
                "score": round(polarity * abs(category["goldstein"]) * weight, 3),
                "source_country": country_of.get(source, ""),
                "target_country": country_of.get(target, ""),
                "clause_depth": len(_path_up(head)) - 1,
                "root_lemma": _path_up(head)[-1][0].lemma_.lower(),
                "source_start": getattr(source, "start", -1),
                "source_end": getattr(source, "end", -1),
                "target_start": getattr(target, "start", -1),
                "target_end": getattr(target, "end", -1),
                "background": background,
                "source_phrase_start": s_start + source_phrase[0] if source_phrase else -1,
                "source_phrase_end": s_start + source_phrase[1] if source_phrase else -1,
                "target_phrase_start": s_start + target_phrase[0] if target_phrase else -1,
                "target_phrase_end": s_start + target_phrase[1] if target_phrase else -1,
                "confidence": round(probabilities.get(cue["category"], 0.0), 3),
            })
    kept = _one_per_category(rows)
    found = {(r["sentence_start"], r["category"]) for r in kept} | suppressed
    coder = [(r, doc) for r, doc in zip(coder_rows, coder_docs) if (r["sentence_start"], r["category"]) not in found]
    return kept + _with_modality(coder)


@functools.lru_cache(maxsize=1)
def _state_names() -> tuple[re.Pattern, dict[str, str]]:
    """One regex over the names, aliases, adjectives and metonyms of the countries and organisations of the
    actor dictionary (``actor_countries.csv``, ``actors.csv``), and each name's affiliation code."""
    code_of: dict[str, str] = {}
    with open(DATA_DIR / "actor_countries.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for field in ("name", "aliases", "adjectives", "metonyms"):
                for name in filter(None, (row.get(field) or "").split("|")):
                    code_of.setdefault(name.lower(), row["iso3"])
    with open(DATA_DIR / "actors.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["actor_type"] == "organisation" and row.get("country"):
                for name in [row["name"]] + [a for a in (row.get("aliases") or "").split("|") if a and not a.startswith("the ")]:
                    code_of.setdefault(name.lower(), row["country"])
    names = sorted(code_of, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])", re.IGNORECASE), code_of


def _named_states(text: str, start: int, end: int) -> list[dict]:
    """Mentions (article offsets, ``country`` = affiliation code) of the states and alliances named in
    ``text[start:end]`` by the dictionary alone (no NER): what the coder's rows are checked against when the
    actors stage has not run."""
    regex, code_of = _state_names()
    return [{"start": start + m.start(), "end": start + m.end(), "country": code_of[m.group(0).lower()],
             "actor_type": "country", "resolution": "dictionary"} for m in regex.finditer(text, start, end)]


def _names_a_non_ally(mentions: list[dict], date: str | None) -> bool:
    """Whether the mentions name an actor affiliated outside the NATO side (a possible counterpart)."""
    from pipeline.read.tension import side_of  # noqa: PLC0415 - the dyad sides live with the index

    return any(m.get("country") and side_of(m["country"], date) != "nato" for m in mentions)


def _anchored(model_rows: list[dict], text: str, date: str | None, mentions: list[dict] | None) -> list[dict]:
    """The coder's signals in sentences about states, armed forces or politics (as for ambiguous cues):
    "Manchester United launched a late attack" is not one. Their modality is read from the parse."""
    kept = _anchor_filter(model_rows, text, date, mentions)
    return _with_modality(list(zip(kept, parse_sentences([r["evidence"] for r in kept]))))


def _anchor_filter(model_rows: list[dict], text: str, date: str | None, mentions: list[dict] | None) -> list[dict]:
    """The coder's rows whose sentence has a political anchor (:func:`_anchored`), before any parse."""
    if not model_rows:
        return model_rows
    if mentions is None:   # no actors stage output given: names of states and alliances found by the dictionary
        mentions = [m for r in {(r["sentence_start"], r["sentence_end"]) for r in model_rows}
                    for m in _named_states(text, *r)]
    kept = []
    for r in model_rows:
        s_start, s_end = r["sentence_start"], r["sentence_end"]
        in_sentence = [m for m in mentions if int(m["start"]) < s_end and int(m["end"]) > s_start]
        if not has_political_anchor(r["evidence"], r["start"] - s_start, r["end"] - s_start, in_sentence, s_start):
            continue
        if r["category"] in _BETWEEN_PARTIES and not _names_a_non_ally(in_sentence, date):
            continue  # a meeting or agreement the coder found, with no party outside the alliance named
        kept.append(r)
    return kept


def _with_modality(rows_and_docs: list[tuple[dict, object]]) -> list[dict]:
    """The coder's rows with modality, polarity, weight and score read from their sentence's parse."""
    out = []
    for r, doc in rows_and_docs:
        modality = _modality_in(doc, r["start"] - r["sentence_start"], r["end"] - r["sentence_start"])
        base = r["base_polarity"]
        r["modality"], r["polarity"], r["weight"] = modality, (-base if modality == "negated" else base), MODALITY_WEIGHTS[modality]
        r["score"] = round(r["polarity"] * abs(load_categories()[r["category"]]["goldstein"]) * r["weight"], 3)
        out.append(r)
    return out


#: Objects of "dismissed", "rejected", "denied" that make the cue a denial, not a rejection of a proposal.
_DENIED_THINGS = frozenset("claim claims allegation allegations accusation accusations report reports suggestion "
                           "suggestions charge charges assertion assertions rumour rumours rumor rumors speculation "
                           "notion idea involvement responsibility".split())


def is_denial_or_ruling_out(head, cue: dict, other_cues: list, doc) -> bool:
    """Whether a rejection cue is not itself an event: a denial ("dismissed claims that Moscow was behind
    the attack": the attack is denied, nothing is rejected) or "ruled out" / "did not rule out" naming the
    event it excludes ("ruled out sending troops": the sending is negated; "did not rule out sending troops":
    it is hypothetical). The event inside is coded on its own cue."""
    if cue["category"] != "rejection":
        return False
    patient = patient_of(head)
    if patient is not None and patient.lemma_.lower() in _DENIED_THINGS:
        return True
    if head.lemma_.lower() in ("deny", "dismiss") and any(c.dep_ == "ccomp" for c in head.children):
        return True
    if head.lower_ in ("rule", "ruled", "rules", "ruling"):
        inside = {t.idx for t in head.subtree if t.i != head.i}
        return any(any(doc[i].idx in inside for i in range(len(doc)) if c[0] <= doc[i].idx < c[1])
                   for c in other_cues)
    return False


def said_as_threat(head) -> bool:
    """Whether an event is the content of a threat or warning ("warned that it could station …")."""
    speech = load_governors().get("threat_speech", frozenset())
    return any(t.lemma_.lower() in speech for t in head.ancestors)


def event_modality(sentence: str, start: int, end: int) -> str:
    """Modality of the event named by ``sentence[start:end]``, from the dependency parse (the rules)."""
    return _modality_in(parse_sentences([sentence])[0], start, end)


def _modality_in(doc, start: int, end: int) -> str:
    """Modality of the event named by the characters ``start:end`` of a parsed sentence."""
    tokens = _span_tokens(doc, start, end)
    return classify_modality(doc, tokens) if tokens else "asserted"


@functools.lru_cache(maxsize=1)
def _model_only_categories() -> tuple[str, ...]:
    """Categories with no cue in the lexicon: the trained coder alone finds them."""
    with_cues = {cue["category"] for cue in load_cues()[1]}
    return tuple(c for c in load_categories() if c not in with_cues)


def _model_rows(sentence: str, s_start: int, s_end: int, categories: tuple[str, ...],
                cue_categories: list[str]) -> list[dict]:
    """Signals of the trained coder for ``categories`` where the sentence has no lexicon cue of them (the
    lexicon's own decision, kept or vetoed, stands). Modality, polarity and weight are read later, by
    :func:`_anchored`, for the rows that survive its anchor check (no parse is spent on the others)."""
    if cue_categories:
        cued = set(cue_categories)
        categories = tuple(c for c in categories if c not in cued)
    if not categories:
        return []
    category_of = load_categories()
    alone = set(_model_only_categories())
    rows = []
    for event in signal_model.model_events(sentence, categories, cue_categories):
        if event["category"] not in alone and event["confidence"] < signal_model.UNION_THRESHOLD:
            continue
        if nonpolitical_domain(sentence, event["category"]):
            continue
        category = category_of[event["category"]]
        rows.append({
            "category": event["category"], "polarity": 0, "modality": "", "weight": 0.0,
            "start": s_start + event["start"], "end": s_start + event["end"], "evidence": sentence,
            "cue": sentence[event["start"]:event["end"]], "base_polarity": category["direction"],
            "sentence_start": s_start, "sentence_end": s_end, "source_actor": "", "target_actor": "",
            "cameo_code": category["cameo_code"], "score": 0.0,
            "source_country": "", "target_country": "", "clause_depth": 0, "root_lemma": "",
            "source_start": -1, "source_end": -1, "target_start": -1, "target_end": -1, "background": False,
            "source_phrase_start": -1, "source_phrase_end": -1, "target_phrase_start": -1, "target_phrase_end": -1,
            "confidence": event["confidence"],
        })
    return rows


def _one_per_category(rows: list[dict]) -> list[dict]:
    """One signal per category and sentence: the one nearest the root of the parse.

    "criticism of NATO's confrontational course" is one accusation, not two; "nerve agent
    Novichok" one use of a chemical weapon. Ties keep the first cue.
    """
    best: dict[tuple[int, str], dict] = {}
    for row in rows:
        key = (row["sentence_start"], row["category"])
        if key not in best or row["clause_depth"] < best[key]["clause_depth"]:
            best[key] = row
    kept = {id(r) for r in best.values()}
    return [r for r in rows if id(r) in kept]
