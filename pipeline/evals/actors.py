"""``python -m pipeline eval actors``: person / organisation / country mention F1.

Two gold sets:

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


def main(argv: list[str] | None = None) -> int:
    """Print the figures; ``--limit N`` scores only the first N CoNLL sentences per file, ``--errors`` lists errors."""
    parser = argparse.ArgumentParser(prog="python -m pipeline eval actors")
    parser.add_argument("--limit", type=int, default=None, help="CoNLL sentences per file (default: all)")
    parser.add_argument("--errors", action="store_true", help="list the hand-annotation errors")
    parser.add_argument("--docs", type=int, default=100, help="articles for the throughput figure (default 100)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

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
