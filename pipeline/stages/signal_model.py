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

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|n't")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of a text."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def sentence_features(text: str) -> list[str]:
    """Feature names of a sentence: words, word bigrams and lexicon cue categories."""
    from pipeline.stages import signals

    words = tokens(text)
    feats = [f"w={w}" for w in words]
    feats += [f"b={a}_{b}" for a, b in zip(words, words[1:])]
    for _, _, cue in signals.find_cues(text):
        feats.append(f"cue={cue['category']}")
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


def train(rows: list[dict], categories: list[str], out: Path = MODEL_PATH) -> dict:
    """Fit the category and modality models on annotated rows and write them to ``out`` (npz).

    Returns a summary (sentences, events, vocabulary sizes, file size in bytes).
    """
    from sklearn.linear_model import LogisticRegression

    feats = [sentence_features(r["text"]) for r in rows]
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

    np.savez_compressed(
        out,
        categories=np.array(categories), vocab=np.array(sorted(vocab, key=vocab.get)),
        coef=coef.astype(np.float32), intercept=intercept.astype(np.float32),
        modalities=np.array(MODALITIES), mvocab=np.array(sorted(mvocab, key=mvocab.get)),
        mcoef=mcoef.astype(np.float32), mintercept=mint.astype(np.float32),
    )
    load_model.cache_clear()
    return {"sentences": len(rows), "events": len(events), "vocabulary": len(vocab),
            "modality_vocabulary": len(mvocab), "bytes": out.stat().st_size}


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> dict:
    """The shipped model as numpy arrays and vocabulary dicts (``FileNotFoundError`` if absent)."""
    with np.load(path, allow_pickle=False) as z:
        m = {k: z[k] for k in z.files}
    m["vocab_index"] = {f: i for i, f in enumerate(m["vocab"].tolist())}
    m["mvocab_index"] = {f: i for i, f in enumerate(m["mvocab"].tolist())}
    m["categories"] = m["categories"].tolist()
    m["modalities"] = m["modalities"].tolist()
    return m


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def category_probabilities(text: str, model: dict | None = None) -> dict[str, float]:
    """Probability, per category, that the sentence holds an event of it."""
    m = model or load_model()
    cols = sorted({m["vocab_index"][f] for f in sentence_features(text) if f in m["vocab_index"]})
    z = m["coef"][:, cols].sum(axis=1) + m["intercept"]
    return dict(zip(m["categories"], _sigmoid(z.astype(np.float64)).tolist()))


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
