"""Trained sentence coder for tension events (issue #18).

A linear model over word 1-2-grams of a sentence plus lexicon-cue features (the
category of every cue of ``data/signal_cues.csv`` found in it). One logistic
regression per category (27, ``data/signal_categories.csv``) says whether the
sentence holds an event of that category; its probability is the signal's
``confidence``. A second, multinomial logistic regression codes the modality of an
event from the words around its trigger.

Trained by ``python -m pipeline train signals`` on the ``train`` split of the
annotated corpus (``data/corpora/signals/annotations_*.jsonl``) only; seeded and
deterministic. The model is shipped as ``data/signal_model.npz`` (coefficients,
intercepts, vocabulary, labels: numpy arrays, no pickle) and is read with numpy only
(no scikit-learn at run time).
"""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CORPUS_DIR = DATA_DIR / "corpora" / "signals"
MODEL_PATH = DATA_DIR / "signal_model.npz"
SEED = 18
THRESHOLD = 0.5
MODALITIES = ("asserted", "negated", "hypothetical", "future", "reported")

#: Words never shown as a trigger (the model may weigh them, but they name no event).
_FUNCTION_WORDS = frozenset("between with from that have their this were been after over since amid into against "
                            "about they there which would could while also said says than them those these".split())
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|n't")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of a text."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def sentence_features(text: str, cue_categories: list[str] | None = None) -> list[str]:
    """Feature names of a sentence: words, word bigrams and lexicon cue categories.

    ``cue_categories``: the categories of the sentence's lexicon cues when the caller has found them already.
    """
    if cue_categories is None:
        from pipeline.stages import signals

        cue_categories = [cue["category"] for _, _, cue in signals.find_cues(text)]
    return _features(tokens(text), cue_categories)


def _features(words: list[str], cue_categories: list[str]) -> list[str]:
    feats = [f"w={w}" for w in words]
    feats += [f"b={a}_{b}" for a, b in zip(words, words[1:])]
    feats += [f"cue={c}" for c in cue_categories]
    return feats


def modality_features(text: str, start: int, end: int) -> list[str]:
    """Feature names of an event trigger for the modality model: the trigger and its left/right context."""
    left = tokens(text[:start])[-6:]
    right = tokens(text[end:])[:4]
    trig = tokens(text[start:end])
    feats = [f"t={w}" for w in trig]
    feats += [f"l={w}" for w in left] + [f"l2={a}_{b}" for a, b in zip(left, left[1:])]
    feats += [f"r={w}" for w in right]
    feats += [f"s={w}" for w in tokens(text)]
    return feats


def load_corpus(split: str | None = None) -> list[dict]:
    """Annotated sentences of ``data/corpora/signals/annotations_*.jsonl`` (one split, or all)."""
    rows = []
    for path in sorted(CORPUS_DIR.glob("annotations_*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    if split is None or row["split"] == split:
                        rows.append(row)
    return rows


def _matrix(feature_lists: list[list[str]], vocab: dict[str, int]):
    from scipy.sparse import csr_matrix

    indptr, indices = [0], []
    for feats in feature_lists:
        cols = sorted({vocab[f] for f in feats if f in vocab})
        indices.extend(cols)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return csr_matrix((data, indices, indptr), shape=(len(feature_lists), len(vocab)))


def _vocab(feature_lists: list[list[str]], min_df: int = 2) -> dict[str, int]:
    df: dict[str, int] = {}
    for feats in feature_lists:
        for f in set(feats):
            df[f] = df.get(f, 0) + 1
    kept = sorted(f for f, n in df.items() if n >= min_df)
    return {f: i for i, f in enumerate(kept)}


def _fit_categories(feats: list[list[str]], rows: list[dict], categories: list[str]):
    """One balanced logistic regression per category over sentence features: (vocab, coef, intercept)."""
    from sklearn.linear_model import LogisticRegression

    vocab = _vocab(feats)
    X = _matrix(feats, vocab)
    coef = np.zeros((len(categories), len(vocab)))
    intercept = np.full(len(categories), -10.0)
    for k, cat in enumerate(categories):
        y = np.array([any(e["category"] == cat for e in r["events"]) for r in rows], dtype=int)
        if y.sum() < 2:
            continue  # too few examples: the category is never predicted by the model (intercept -10)
        clf = LogisticRegression(C=2.0, class_weight="balanced", max_iter=2000, random_state=SEED,
                                 solver="liblinear")
        clf.fit(X, y)
        coef[k] = clf.coef_[0]
        intercept[k] = clf.intercept_[0]
    return vocab, coef, intercept


#: Folds of the cross-validation that decides, on the train split only, where the coder adds to the rules.
FOLDS = 5
#: The coder's signals are added to a category's rule signals when that raises its cross-validated F1 by this much.
UNION_GAIN = 0.01
#: Where the coder completes the rules it must be surer than where it codes alone (the rules saw no cue there).
UNION_THRESHOLD = 0.6


def _fold(doc: str) -> int:
    import hashlib

    return int(hashlib.sha1(f"{SEED}:{doc}".encode()).hexdigest(), 16) % FOLDS


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def choose_union_categories(rows: list[dict], categories: list[str], feats: list[list[str]],
                            rule_categories=None) -> tuple[list[str], dict[str, tuple[float, float, int]]]:
    """The categories whose rule signals the coder should complete, decided by cross-validation on ``rows``.

    Each sentence's categories by the rules (``rule_categories(text) -> (found, cued)``, default: the
    signals stage without the coder, and the categories of its lexicon cues) are compared with the rules
    plus the coder's categories where the lexicon has no cue of them, the coder trained on the other folds
    (by document). A category is completed by the coder when that raises its F1 by
    :data:`UNION_GAIN`. Returns the categories and, per category, (rules F1, rules+coder F1, gold sentences).
    """
    if rule_categories is None:
        from pipeline.stages import signals

        def rule_categories(text):
            return ({r["category"] for r in signals.extract(text, coder_categories=())},
                    {cue["category"] for _, _, cue in signals.find_cues(text)})
    found = [rule_categories(r["text"]) for r in rows]
    rules = [f[0] for f in found]
    cued = [f[1] for f in found]   # the coder adds only where the lexicon has no cue of the category
    coder: list[set[str]] = [set() for _ in rows]
    folds = [_fold(r.get("doc") or r["id"]) for r in rows]
    for k in range(FOLDS):
        train_idx = [i for i, f in enumerate(folds) if f != k]
        test_idx = [i for i, f in enumerate(folds) if f == k]
        vocab, coef, intercept = _fit_categories([feats[i] for i in train_idx], [rows[i] for i in train_idx], categories)
        for i in test_idx:
            cols = sorted({vocab[f] for f in feats[i] if f in vocab})
            p = _sigmoid((coef[:, cols].sum(axis=1) + intercept).astype(np.float64))
            coder[i] = {c for c, pc in zip(categories, p) if pc >= UNION_THRESHOLD}
    union, figures = [], {}
    for cat in categories:
        gold = [any(e["category"] == cat for e in r["events"]) for r in rows]
        counts = {}
        for name, pred in (("rules", [cat in x for x in rules]),
                           ("union", [cat in x or (cat in y and cat not in z) for x, y, z in zip(rules, coder, cued)])):
            tp = sum(g and q for g, q in zip(gold, pred))
            fp = sum(q and not g for g, q in zip(gold, pred))
            fn = sum(g and not q for g, q in zip(gold, pred))
            counts[name] = _f1(tp, fp, fn)
        figures[cat] = (round(counts["rules"], 3), round(counts["union"], 3), sum(gold))
        if counts["union"] >= counts["rules"] + UNION_GAIN:
            union.append(cat)
    return union, figures


def train(rows: list[dict], categories: list[str], out: Path = MODEL_PATH, rule_f1: bool = True) -> dict:
    """Fit the category and modality models on annotated rows and write them to ``out`` (npz).

    With ``rule_f1`` the categories the coder completes (:func:`choose_union_categories`, cross-validated on
    ``rows``) are chosen and stored with the model. Returns a summary (sentences, events, vocabulary sizes,
    file size in bytes, the chosen categories and their cross-validated F1).
    """
    from sklearn.linear_model import LogisticRegression

    feats = [sentence_features(r["text"]) for r in rows]
    vocab, coef, intercept = _fit_categories(feats, rows, categories)
    union, policy_figures = choose_union_categories(rows, categories, feats) if rule_f1 else ([], {})

    events = [(r["text"], e) for r in rows for e in r["events"]]
    mfeats = [modality_features(t, e["start"], e["end"]) for t, e in events]
    mvocab = _vocab(mfeats)
    mX = _matrix(mfeats, mvocab)
    my = np.array([MODALITIES.index(e["modality"]) for _, e in events])
    mclf = LogisticRegression(C=1.0, max_iter=3000, random_state=SEED)
    mclf.fit(mX, my)
    mcoef = np.zeros((len(MODALITIES), len(mvocab)))
    mint = np.full(len(MODALITIES), -10.0)
    for i, cls in enumerate(mclf.classes_):
        mcoef[cls] = mclf.coef_[i]
        mint[cls] = mclf.intercept_[i]

    # words annotators marked as triggers, per category: the only words a model-found signal may point at
    trigger_pairs = sorted({f"{e['category']}={w}" for r in rows for e in r["events"] for w in tokens(e["trigger"])})
    np.savez_compressed(
        out,
        trigger_pairs=np.array(trigger_pairs),
        categories=np.array(categories), vocab=np.array(sorted(vocab, key=vocab.get)),
        coef=coef.astype(np.float32), intercept=intercept.astype(np.float32),
        modalities=np.array(MODALITIES), mvocab=np.array(sorted(mvocab, key=mvocab.get)),
        mcoef=mcoef.astype(np.float32), mintercept=mint.astype(np.float32),
        union_categories=np.array(sorted(union), dtype=str),
    )
    load_model.cache_clear()
    trigger_words.cache_clear()
    _triggers_of.cache_clear()
    _shipped_probabilities.cache_clear()
    return {"sentences": len(rows), "events": len(events), "vocabulary": len(vocab),
            "modality_vocabulary": len(mvocab), "bytes": out.stat().st_size, "union": sorted(union),
            "policy": policy_figures}


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> dict:
    """The shipped model as numpy arrays and vocabulary dicts (``FileNotFoundError`` if absent)."""
    with np.load(path, allow_pickle=False) as z:
        m = {k: z[k] for k in z.files}
    m["vocab_index"] = {f: i for i, f in enumerate(m["vocab"].tolist())}
    m["mvocab_index"] = {f: i for i, f in enumerate(m["mvocab"].tolist())}
    m["categories"] = m["categories"].tolist()
    m["category_index"] = {c: i for i, c in enumerate(m["categories"])}
    m["union_categories"] = tuple(m["union_categories"].tolist()) if "union_categories" in m else ()
    m["modalities"] = m["modalities"].tolist()
    return m


def union_categories() -> tuple[str, ...]:
    """Categories whose rule signals the shipped coder completes (chosen at training time, on train only)."""
    return load_model()["union_categories"]


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def category_probabilities(text: str, model: dict | None = None,
                           cue_categories: list[str] | None = None) -> dict[str, float]:
    """Probability, per category, that the sentence holds an event of it."""
    if model is None and cue_categories is not None:  # the stage's calls: the same sentence is often scored twice
        return dict(zip(load_model()["categories"], _shipped_probabilities(text, tuple(cue_categories))))
    return dict(zip((model or load_model())["categories"], _probabilities(text, model or load_model(), cue_categories)))


def _probabilities(text: str, m: dict, cue_categories) -> list[float]:
    cols = sorted({m["vocab_index"][f] for f in sentence_features(text, cue_categories) if f in m["vocab_index"]})
    z = m["coef"][:, cols].sum(axis=1) + m["intercept"]
    return _sigmoid(z.astype(np.float64)).tolist()


@lru_cache(maxsize=4096)
def _shipped_probabilities(text: str, cue_categories: tuple[str, ...]) -> tuple[float, ...]:
    return tuple(_probabilities(text, load_model(), list(cue_categories)))


def predict(text: str, threshold: float = THRESHOLD, model: dict | None = None) -> list[tuple[str, float]]:
    """Categories the model finds in a sentence, with their confidence, most confident first."""
    probs = category_probabilities(text, model)
    return sorted(((c, p) for c, p in probs.items() if p >= threshold), key=lambda cp: -cp[1])


def predict_modality(text: str, start: int, end: int, model: dict | None = None) -> tuple[str, float]:
    """Modality of the event whose trigger is ``text[start:end]``, and its probability."""
    m = model or load_model()
    cols = sorted({m["mvocab_index"][f] for f in modality_features(text, start, end) if f in m["mvocab_index"]})
    z = (m["mcoef"][:, cols].sum(axis=1) + m["mintercept"]).astype(np.float64)
    p = np.exp(z - z.max())
    p /= p.sum()
    k = int(p.argmax())
    return m["modalities"][k], float(p[k])


@lru_cache(maxsize=4)
def trigger_words(categories: tuple[str, ...], top: int = 40) -> dict[str, dict[str, float]]:
    """Per category, the words annotators marked in its triggers that have the largest positive weights, word -> weight."""
    m = load_model()
    out = {}
    annotated = {tuple(p.split("=", 1)) for p in m["trigger_pairs"].tolist()}
    words = [(i, f[2:]) for f, i in m["vocab_index"].items() if f.startswith("w=")]
    for cat in categories:
        if cat not in m["categories"]:
            continue
        row = m["coef"][m["categories"].index(cat)]
        ranked = sorted(((float(row[i]), w) for i, w in words if row[i] > 0 and (cat, w) in annotated
                         and len(w) > 3 and w not in _FUNCTION_WORDS), reverse=True)[:top]
        out[cat] = {w: c for c, w in ranked}
    return out


@lru_cache(maxsize=16)
def _triggers_of(categories: tuple[str, ...]) -> tuple[dict[str, dict[str, float]], frozenset[str],
                                                      dict[str, frozenset[str]]]:
    """The trigger words of ``categories`` (:func:`trigger_words`), all of them in one set, and each category's
    as a set (fast filters)."""
    every = trigger_words(tuple(load_model()["categories"]))   # computed once for all categories (cached)
    triggers = {c: every[c] for c in categories if c in every}
    return (triggers, frozenset(w for words in triggers.values() for w in words),
            {c: frozenset(words) for c, words in triggers.items()})


#: Margin of :func:`_may_reach` on the logit scale: far above the rounding of a float32 sum of weights.
_BOUND_MARGIN = 1e-3


def _may_reach(words: list[str], cue_categories: list[str], categories: list[str], threshold: float) -> bool:
    """False only when no category of ``categories`` can reach ``threshold`` for this sentence: a quick sum of
    its weights, before :func:`category_probabilities` builds every category's probability."""
    if not 0.0 < threshold < 1.0:
        return True
    m = load_model()
    index = m["vocab_index"]
    cols = [i for i in map(index.get, set(_features(words, cue_categories))) if i is not None]
    limit = math.log(threshold / (1.0 - threshold)) - _BOUND_MARGIN
    for category in categories:
        k = m["category_index"][category]
        if float(m["coef"][k, cols].sum(dtype=np.float64)) + float(m["intercept"][k]) >= limit:
            return True
    return False


def model_events(sentence: str, categories: tuple[str, ...], cue_categories: list[str] | None = None,
                 threshold: float = THRESHOLD) -> list[dict]:
    """Events of ``categories`` the model finds in a sentence, each with its trigger word, modality and confidence.

    Only sentences holding one of a category's trigger words are scored (a fast filter); the trigger is the
    word of the sentence with the largest weight for the category.
    """
    triggers, any_trigger, trigger_sets = _triggers_of(categories)
    lowered = sentence.lower().replace("\u2019", "'")
    word_list = _TOKEN.findall(lowered)
    words = set(word_list)
    if words.isdisjoint(any_trigger):
        return []
    wanted = [c for c in categories if not words.isdisjoint(trigger_sets.get(c, ()))]
    if not wanted:
        return []
    if cue_categories is not None and not _may_reach(word_list, cue_categories, wanted, threshold):
        return []
    found = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(lowered)]
    probs = category_probabilities(sentence, cue_categories=cue_categories)
    out = []
    for cat in wanted:
        if probs[cat] < threshold:
            continue
        start, end, _ = max((f for f in found if f[2] in triggers[cat]), key=lambda f: triggers[cat][f[2]])
        modality, _ = predict_modality(sentence, start, end)
        out.append({"category": cat, "start": start, "end": end, "modality": modality,
                    "confidence": round(probs[cat], 3)})
    return out
