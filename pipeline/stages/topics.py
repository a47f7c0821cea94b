"""Topics: corpus-level clustering of articles into labelled, stable topic clusters.

Unlike the per-article stages, topics works on the whole corpus at once:

- :func:`cluster` fits the model on a corpus and returns ``(assignments, clusters)``;
- :func:`assign` places new articles into existing clusters without refitting
  (see :func:`needs_refit` for when a full refit is due);
- :func:`topics_over_time`, :func:`copies_table` and :func:`map_frame` are pure helpers for
  the Topic clusters page.

Method (all scikit-learn, no per-corpus tuning)
------------------------------------------------
1. Text = title + main text (first ``MAX_CHARS`` characters). TF-IDF with sublinear tf,
   English stop words, ``min_df=2``, ``max_df=0.5`` (relaxed on tiny corpora).
2. LSA: TruncatedSVD to ``N_COMPONENTS`` dimensions, then L2 normalisation (so that euclidean
   k-means on the rows is spherical k-means, i.e. cosine). On large corpora the vocabulary and
   the SVD are fitted on a fixed-seed sample (``SVD_SAMPLE``) and applied to every row; above
   ``PARALLEL_TOKENISE`` articles the rows are tokenised in two worker processes.
3. k is chosen automatically (:func:`_choose_k`, :func:`_knee`), the same rule on every corpus:
   ``K_CURVES`` = 3 fixed-seed resamples of m = min(80 % of n, ``K_SAMPLE``) articles; on each,
   k-means is fitted for every k of a geometric grid (:func:`k_grid`: 2 … n/15, at most
   ``K_MAX``) and its mean cosine silhouette computed in the LSA space; the three curves are
   AVERAGED (one curve is noisy — k-means' local optima and the draw of the sample move points
   by ±0.02 — which made the old single-curve knee jump, e.g. Reuters between k=5 and k=71).
   On news the silhouette keeps creeping up with k (ever smaller story clusters), so its
   maximum is not the answer; each k is scored by its height above the chord of the curve's
   rising part (from its lowest point before its maximum to its last point, in log k),
   smoothed over its two neighbours. News has several such
   knees (themes at small k, stories at large k): k is the SMALLEST one reaching
   ``PEAK_SHARE`` of the best (the coarsest structure that clearly stands out), and on a flat
   top the coarse end of it (one-standard-error rule: the smaller neighbours whose silhouette is
   within one standard error of the knee's, over the three curves). A refit keeps the
   previous k when it scores within ``K_HYSTERESIS``. Measured on four labelled corpora (over
   several seeds) this finds 5-6 topics on BBC (5 classes), 23-45 on 20 Newsgroups (20; its
   silhouette keeps rising to k≈70, so k moves most with the seed there), 89 on Google News
   (152 stories), 29-71 on Reuters (66 very unequal topics) — ``python -m pipeline eval topics``.
   Final k-means: ``FINAL_INITS`` inits on the whole corpus, or (above ``FIT_SAMPLE`` articles) one fit on
   a sample followed by ``LLOYD_STEPS`` spherical Lloyd steps over every article. On a refit the
   previous centres are one more start; the lower inertia wins.
3b. Second level (:func:`_subtopics`): every topic holding at least ``SUB_SHARE`` (5 %) of the
   articles and ``SUB_MIN_SIZE`` articles is split into sub-topics by the same k rule on its
   own articles (``K_SAMPLE_SUB`` per resample) and spherical k-means; sub-topics smaller than
   ``min_cluster_size`` are left as the topic's rest (``subtopic_id`` −1). This is the finer
   level an analyst drills into (e.g. BBC "sport" into football, tennis, athletics ...); the
   first level (``cluster_id``) is the analyst-facing one the pages and the eval use.
4. Clusters smaller than ``min_cluster_size(n)`` and articles whose cosine to their
   cluster centre is below ``OUTLIER_COSINE`` go to the explicit Unclustered bucket (id −1).
5. Labels: class-based TF-IDF (c-TF-IDF, as in BERTopic) over unigrams and bigrams, with the
   news boilerplate words of ``data/topic_stopwords.txt`` removed; the 2–4 most distinctive
   phrases form the label, redundant unigrams (inside a chosen bigram) dropped.
6. Stable ids: each cluster stores its centre in term space (``centroid``, JSON). With
   ``previous_clusters``, new clusters are matched one-to-one to old ones by cosine of those
   centres (Hungarian matching, cosine ≥ ``MATCH_COSINE``) and keep the old id; others get
   ``max(old ids) + 1, …``. Without previous clusters ids are 0, 1, … by decreasing size.
   A refit also STARTS k-means from the previous centres (projected into the new LSA space),
   so topics that did not change come out with the same members and hence the same id.
   Input rows are sorted by article_id first, and every random step has a fixed seed, so
   the same input gives the same ids and labels on every run.
7. Copies (``duplicate_of`` set to an article present in the input) are left out of the fit,
   get their original's cluster, and do not count in sizes or date ranges.

Columns of the clusters table (``CLUSTER_COLUMNS``)
---------------------------------------------------
cluster_id (int)      cluster id; −1 is the "Unclustered" bucket.
label (str)           2–4 distinctive phrases joined by ", " ("Unclustered" for −1).
top_terms (str)       up to 10 distinctive terms/phrases, ", "-joined, best first.
size (int)            number of ORIGINAL articles in the cluster (copies not counted).
headlines (str)       JSON list of 1–3 representative titles (closest to the centre).
terms (str)           JSON list of [phrase, c-TF-IDF score] pairs, best first.
centroid (str)        JSON {"w": {term: weight}, "idf": {term: idf}}: the cluster centre in
                      TF-IDF term space (top ``CENTROID_TERMS`` terms) with those terms' idf;
                      used to match ids across runs and by :func:`assign`.
first_date (str)      earliest ISO date among the cluster's original articles ("" if none).
last_date (str)       latest ISO date ("" if none).
copies (int)          number of copies (duplicates) assigned to the cluster, not in ``size``.
fitted_n (int)        number of original articles the model was fitted on (same on every row).
subtopics (str)       JSON list of the cluster's sub-topics (second level), largest first, each
                      {"subtopic_id": int, "label": str, "size": int, "headlines": [str]}; "[]"
                      when the cluster is not split (too small, or no sub-structure).

Columns of the assignments table (``ASSIGNMENT_COLUMNS``)
---------------------------------------------------------
article_id (str)      the article.
cluster_id (int)      its cluster (−1 = Unclustered); a copy gets its original's cluster.
map_x, map_y (float)  2-D document-map coordinates: clusters are laid out by the similarity of
                      their centres (classical MDS) and each article sits near its cluster,
                      pulled towards the clusters it is also similar to.
subtopic_id (int)     its sub-topic within its cluster (see the cluster's ``subtopics``); −1 when
                      the cluster is not split, the article is in none of its sub-topics, or it
                      was placed by :func:`assign` (sub-topics are refreshed on the next refit).
"""
from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

from pipeline import schema

CLUSTER_COLUMNS = schema.columns("clusters")  # declared in pipeline/schema.py
ASSIGNMENT_COLUMNS = schema.columns("assignments")

UNCLUSTERED_ID = schema.UNCLUSTERED_ID
UNCLUSTERED_LABEL = schema.UNCLUSTERED_LABEL

MAX_CHARS = 6000          # characters of title + text used per article
N_COMPONENTS = 100        # LSA dimensions
SVD_SAMPLE = 15000        # rows the SVD / vocabulary is fitted on for large corpora
FINAL_INITS = 10          # k-means restarts (lowest inertia kept) for the final fit
FIT_SAMPLE = 20000        # above this many articles k-means is fitted on a sample, then refined
FIT_SAMPLE_SIZE = 8000    # ... of this size
K_SAMPLE_LARGE = 2000     # rows the choice of k is made on above FIT_SAMPLE articles
LLOYD_STEPS = 3           # ... by this many Lloyd steps over all articles
SMALL_CORPUS = 5000       # below this many articles the fit runs single-threaded
PARALLEL_TOKENISE = 80000 # above this many articles two worker processes tokenise (their ~4 s start-up
                          # pays off only there: 58k articles 5.6 s serial vs 9.4 s; 120k 15.5 s vs 10.9 s)
K_SAMPLE = 3000           # rows the choice of k is made on
K_CURVES = 3              # samples whose silhouette curves are averaged
K_MAX = 200               # largest k tried
PEAK_SHARE = 0.5          # a knee counts when its score reaches this share of the best one
SUB_SHARE = 0.05          # a topic with this share of the articles ...
SUB_MIN_SIZE = 60         # ... and at least this many gets sub-topics (second level)
K_SAMPLE_SUB = 1000       # rows the choice of a topic's number of sub-topics is made on
SUB_INITS = 3             # k-means restarts for sub-topics
SUB_LABEL_BUDGET = 6000   # articles used for all sub-topic labels together
OUTLIER_COSINE = 0.10     # below this cosine to its centre an article is Unclustered
K_HYSTERESIS = 0.8        # a refit keeps the previous k if its knee score is within 80 % of the best
MATCH_COSINE = 0.5        # centre cosine at which a new cluster keeps an old id
CENTROID_TERMS = 150      # terms kept per stored centre
SMALL_CORPUS_N_INIT = 10  # k-means starts per silhouette point on corpora under 150 articles
LABEL_MIN_SHARE = 0.03    # ... a label phrase occurs in at least this share of them (and 2)
LABEL_BUDGET = 6000       # articles used for all labels together on large corpora
LABEL_DOCS = 400          # articles per cluster used for the label (closest to centre)
BIGRAM_BONUS = 2.0        # bigrams read better than single words: their score is multiplied by this
TOKEN_PATTERN = r"(?u)\b[^\W\d_][\w\-']*[^\W_]\b"   # words of 2+ chars starting with a letter

_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@functools.lru_cache(maxsize=1)
def label_stopwords() -> frozenset[str]:
    """English stop words plus the news boilerplate words of ``data/topic_stopwords.txt``."""
    lines = (_DATA_DIR / "topic_stopwords.txt").read_text(encoding="utf-8").splitlines()
    words = {w.strip().lower() for w in lines if w.strip() and not w.startswith("#")}
    return frozenset(ENGLISH_STOP_WORDS | words)


def min_cluster_size(n_docs: int) -> int:
    """Smallest cluster kept as a topic for a corpus of ``n_docs`` original articles."""
    return max(2, min(10, n_docs // 1000 + 2))


def k_grid(n_docs: int) -> list[int]:
    """Candidate numbers of clusters for ``n_docs`` articles, geometric (step 1.25) from 2.

    Up to about 1.5·sqrt(n) on small corpora (< 150 articles), else up to n/15 (at least
    ~15 articles per cluster on average) capped at ``K_MAX``.
    """
    if n_docs < 3:
        return [1]
    if n_docs < 150:
        k_max = min(n_docs - 1, int(round(1.5 * math.sqrt(n_docs))))
    else:
        k_max = min(K_MAX, n_docs // 15)
    k_max = max(2, k_max)
    grid, k = [], 2.0
    while k <= k_max:
        if not grid or int(round(k)) != grid[-1]:
            grid.append(int(round(k)))
        k *= 1.25
    if grid[-1] != k_max:
        grid.append(k_max)
    return grid


# ----------------------------------------------------------------------------------------
# Fitting
# ----------------------------------------------------------------------------------------

def _doc_texts(frame: pd.DataFrame) -> list[str]:
    titles = frame["title"].fillna("").astype(str) if "title" in frame else pd.Series([""] * len(frame))
    texts = frame["text"].fillna("").astype(str) if "text" in frame else pd.Series([""] * len(frame))
    return [(t + "\n" + x)[:MAX_CHARS] for t, x in zip(titles.tolist(), texts.tolist())]


def _make_vectorizer(n_docs: int) -> TfidfVectorizer:
    small = n_docs < 20
    return TfidfVectorizer(
        sublinear_tf=True,
        stop_words=sorted(ENGLISH_STOP_WORDS),
        token_pattern=TOKEN_PATTERN,
        min_df=1 if small else 2,
        max_df=1.0 if small else 0.5,
        dtype=np.float32,
    )


def _transform(vectorizer: TfidfVectorizer, texts: list[str]):
    """``vectorizer.transform(texts)``; on large corpora in 2 worker processes (tokenising is the cost)."""
    if len(texts) <= PARALLEL_TOKENISE:
        return vectorizer.transform(texts)
    from joblib import Parallel, delayed

    half = (len(texts) + 1) // 2
    parts = Parallel(n_jobs=2, backend="loky")(
        delayed(vectorizer.transform)(texts[i:i + half]) for i in range(0, len(texts), half))
    return sparse.vstack(parts, format="csr")


def _embed(texts: list[str], rng: np.random.RandomState):
    """TF-IDF (sparse, L2 rows) and the LSA embedding (dense, L2 rows) of ``texts``."""
    n = len(texts)
    vectorizer = _make_vectorizer(n)
    if n > SVD_SAMPLE:
        sample = np.sort(rng.choice(n, SVD_SAMPLE, replace=False))
        vectorizer.fit([texts[i] for i in sample])
    else:
        vectorizer.fit(texts)
    tfidf = _transform(vectorizer, texts)
    n_features = tfidf.shape[1]
    n_comp = min(N_COMPONENTS, n - 1, n_features - 1)
    if n_comp >= 2 and n >= 50:
        svd = TruncatedSVD(n_components=n_comp, random_state=rng.randint(2**31 - 1))
        if n > SVD_SAMPLE:
            svd.fit(tfidf[sample])
        else:
            svd.fit(tfidf)
        lsa = normalize(svd.transform(tfidf).astype(np.float32))
    else:
        svd = None
        lsa = tfidf.toarray().astype(np.float32)   # tiny corpus: the TF-IDF rows themselves
    return vectorizer, tfidf, lsa, svd


def _choose_k(lsa: np.ndarray, rng: np.random.RandomState, preferred: int | None = None,
              sample_size: int | None = None) -> int:
    """Number of clusters for the unit rows of ``lsa``: the knee of the averaged silhouette curve.

    ``K_CURVES`` fixed-seed samples of m = min(n, ``sample_size``) articles are drawn; on each,
    k-means (one init) is fitted for every k of :func:`k_grid` (m) and its mean cosine
    silhouette computed; the curve is the average over the samples (one sample's curve is
    noisy: k-means' local optima and the draw of the sample move single points by ±0.02, which
    made the knee jump between far-apart k). On news the silhouette keeps creeping up with k
    (ever smaller, tighter story clusters), so its maximum is not the answer; k is where the
    curve stands furthest ABOVE the straight line (in log k) from its first to its last point:
    the point after which more clusters buy less separation than the trend ("kneedle" knee).
    If no point lies above that line the best silhouette wins. ``preferred`` (the previous
    run's number of clusters) is kept when it scores at least ``K_HYSTERESIS`` of the best,
    so that a refit does not reshuffle topics for a marginal gain. Work runs in two threads
    with one BLAS thread each (many small matrices).
    """
    from joblib import Parallel, delayed
    from threadpoolctl import threadpool_limits

    n = lsa.shape[0]
    if n < 3:
        return 1
    if sample_size is None:
        sample_size = K_SAMPLE if n <= FIT_SAMPLE else K_SAMPLE_LARGE
    # Subsamples (80 % at most, so that even a small corpus is resampled): the curve must not
    # hinge on a few articles.
    m = n if n < 150 else min(sample_size, int(0.8 * n))
    grid = k_grid(m)
    if preferred is not None and 2 <= preferred < m and preferred not in grid:
        grid = sorted(grid + [preferred])
    grid = [k for k in grid if 2 <= k < m]
    if not grid:
        return 1
    samples = [np.arange(n) if n <= m else np.sort(rng.choice(n, m, replace=False)) for _ in range(K_CURVES)]
    states = rng.randint(2**31 - 1, size=(K_CURVES, len(grid)))
    tasks = [(j, g) for g in range(len(grid) - 1, -1, -1) for j in range(K_CURVES)]   # big k first
    # A small corpus is not resampled (m = n): its curves differ only by k-means' start, so each
    # point takes the best of several starts instead (cheap at this size).
    n_init = SMALL_CORPUS_N_INIT if m < 150 else 1

    def score(j: int, g: int) -> tuple[int, int, float]:
        x = lsa[samples[j]]
        km = KMeans(n_clusters=grid[g], n_init=n_init, random_state=int(states[j, g]), max_iter=100).fit(x)
        if len(set(km.labels_.tolist())) < 2:
            return j, g, float("nan")
        return j, g, float(silhouette_score(x, km.labels_, metric="cosine"))

    with threadpool_limits(limits=1):
        if m >= 500:
            results = Parallel(n_jobs=2, backend="threading")(delayed(score)(j, g) for j, g in tasks)
        else:
            results = [score(j, g) for j, g in tasks]
    table = np.full((K_CURVES, len(grid)), np.nan)
    for j, g, value in results:
        table[j, g] = value
    valid = ~np.isnan(table).any(axis=0)
    ks = [k for k, ok in zip(grid, valid) if ok]
    if not ks:
        return 1
    curves = table[:, valid]
    se = curves.std(axis=0, ddof=1) / math.sqrt(K_CURVES) if K_CURVES > 1 else np.zeros(len(ks))
    return _knee(ks, curves.mean(axis=0), preferred, se=se)


def _knee(ks: list[int], sil: np.ndarray, preferred: int | None = None, se: np.ndarray | None = None) -> int:
    """The coarsest clear knee of the curve ``sil`` over ``ks`` (see :func:`_choose_k`).

    Score of each k: its height above the chord of the curve in log k, smoothed over its two
    neighbours (a knee is a region of the curve, not one lucky point). Peaks are the local
    maxima of that score reaching ``PEAK_SHARE`` of the highest; news has several (themes at
    small k, stories at large k) and the SMALLEST such k is taken: the coarsest structure that
    clearly stands out; then, by the one-standard-error rule, the smallest k just below it whose
    silhouette is within one standard error (``se``, over the resampled curves) of the knee's
    (a flat top is resolved to its coarse end). Finer structure is the second level
    (:func:`_subtopics`).
    """
    if len(ks) < 3:
        return ks[int(np.argmax(sil))]
    # The curve's rising part starts at its lowest point before its maximum (at k=2 the silhouette
    # can be inflated by one tight little group split off the rest): the chord starts there.
    start = int(np.argmin(sil[: int(np.argmax(sil)) + 1]))
    if start > 0 and len(ks) - start >= 3:
        return _knee(ks[start:], sil[start:], preferred, se=None if se is None else se[start:])
    logk = np.log(np.asarray(ks, dtype=float))
    chord = sil[0] + (sil[-1] - sil[0]) * (logk - logk[0]) / (logk[-1] - logk[0])
    above = sil - chord
    score = above if above.max() > 1e-9 else sil - sil.min()   # no knee: best silhouette
    smooth = np.zeros_like(score)       # the chord's two ends score 0 by construction: never a knee
    smooth[1:-1] = (score[:-2] + score[1:-1] + score[2:]) / 3.0
    score = smooth if smooth.max() > 1e-12 else score
    top = score.max()
    peaks = [i for i in range(len(ks)) if score[i] >= PEAK_SHARE * top
             and (i == 0 or score[i] >= score[i - 1]) and (i == len(ks) - 1 or score[i] >= score[i + 1])]
    chosen = peaks[0] if peaks else int(np.argmax(score))
    # One-standard-error rule (as for the gap statistic): a smaller k whose silhouette is within one
    # standard error (over the resampled curves) of the knee's is as good: take the smallest such.
    floor = sil[chosen] - (se[chosen] if se is not None else 0.0)
    while chosen > 1 and sil[chosen - 1] >= floor:
        chosen -= 1
    if preferred in ks and score[ks.index(preferred)] >= K_HYSTERESIS * score[chosen]:
        return preferred
    return ks[chosen]


def _kmeans(lsa: np.ndarray, k: int, rng: np.random.RandomState,
            seeds: np.ndarray | None = None, n_init: int = FINAL_INITS) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means on the unit rows of ``lsa``; returns (labels, unit centres).

    ``seeds`` (unit rows, e.g. the previous run's centres) start the first clusters; the
    remaining ones start at the articles least similar to any centre so far (farthest-first).
    ``n_init`` restarts (lowest inertia kept) up to ``FIT_SAMPLE`` rows.
    """
    n = lsa.shape[0]
    if k <= 1:
        centre = normalize(lsa.mean(axis=0, keepdims=True))
        return np.zeros(n, dtype=int), centre
    state = rng.randint(2**31 - 1)
    if seeds is not None and len(seeds):
        init = list(seeds[:k])
        best = (lsa @ np.asarray(init).T).max(axis=1)
        while len(init) < k:
            far = int(np.argmin(best))
            init.append(lsa[far])
            best = np.maximum(best, lsa @ lsa[far])
        km = KMeans(n_clusters=k, init=np.asarray(init, dtype=lsa.dtype), n_init=1, max_iter=200,
                    random_state=state).fit(lsa)
        if n <= FIT_SAMPLE:   # the seeded start is one more restart: the lowest inertia wins
            fresh = KMeans(n_clusters=k, n_init=n_init, random_state=state, max_iter=200).fit(lsa)
            if fresh.inertia_ < km.inertia_ * 0.999:
                km = fresh
        return km.labels_.astype(int), normalize(km.cluster_centers_)
    if n <= FIT_SAMPLE:
        km = KMeans(n_clusters=k, n_init=n_init, random_state=state, max_iter=200).fit(lsa)
        return km.labels_.astype(int), normalize(km.cluster_centers_)
    # Large corpus: k-means on a fixed-seed sample, then every row joins its nearest centre and
    # a few spherical Lloyd steps over all rows refine the centres (one matrix product each).
    sample = np.sort(rng.choice(n, FIT_SAMPLE_SIZE, replace=False))
    km = KMeans(n_clusters=k, n_init=1, random_state=state, max_iter=100).fit(lsa[sample])
    centres = normalize(km.cluster_centers_).astype(lsa.dtype)
    for _ in range(LLOYD_STEPS):
        labels = _nearest(lsa, centres)
        member_of = sparse.csr_matrix((np.ones(n, dtype=lsa.dtype), (labels, np.arange(n))), shape=(k, n))
        sums = np.asarray(member_of @ lsa)
        empty = ~sums.any(axis=1)
        sums[empty] = centres[empty]
        centres = normalize(sums)
    return _nearest(lsa, centres), centres


def _nearest(x: np.ndarray, centres: np.ndarray, chunk: int = 20000) -> np.ndarray:
    """Index of the most similar unit centre for each unit row of ``x`` (chunked)."""
    out = np.empty(x.shape[0], dtype=int)
    for i in range(0, x.shape[0], chunk):
        out[i:i + chunk] = (x[i:i + chunk] @ centres.T).argmax(axis=1)
    return out


def _previous_centres(previous: pd.DataFrame | None, vectorizer, svd) -> np.ndarray:
    """The previous run's cluster centres (stored in term space) in this run's LSA space, largest first."""
    if previous is None or len(previous) == 0 or vectorizer is None or "centroid" not in previous:
        return np.zeros((0, 0))
    prev = previous[previous["cluster_id"].astype(int) != UNCLUSTERED_ID]
    if "size" in prev:
        prev = prev.assign(_size=pd.to_numeric(prev["size"], errors="coerce").fillna(0))
        prev = prev.sort_values(["_size", "cluster_id"], ascending=[False, True], kind="stable")
    vocab = vectorizer.vocabulary_
    rows = []
    for value in prev["centroid"]:
        vec = np.zeros(len(vocab), dtype=np.float32)
        for term, weight in _parse_centroid(value).get("w", {}).items():
            j = vocab.get(term)
            if j is not None:
                vec[j] = weight
        if vec.any():
            rows.append(vec)
    if not rows:
        return np.zeros((0, 0))
    matrix = np.vstack(rows)
    if svd is not None:
        matrix = svd.transform(matrix)
    return normalize(matrix.astype(np.float32))


# ----------------------------------------------------------------------------------------
# Labels
# ----------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(TOKEN_PATTERN)


def _label_analyzer(text: str) -> list[str]:
    """Unigrams and ADJACENT bigrams, neither word a label stop word (no bigram across a removed word)."""
    stop = label_stopwords()
    words = [w for w in _TOKEN_RE.findall(text.lower())]
    keep = [len(w) > 2 and w not in stop for w in words]
    out = [w for w, k in zip(words, keep) if k]
    out += [f"{a} {b}" for a, b, ka, kb in zip(words, words[1:], keep, keep[1:]) if ka and kb]
    return out


def _ctfidf_terms(docs_by_cluster: dict[int, list[str]], top_n: int = 10) -> dict[int, list[tuple[str, float]]]:
    """Distinctive phrases per cluster by class-based TF-IDF over unigrams and bigrams.

    One pass over the label articles: a document-term count matrix, summed per cluster.
    """
    ids = sorted(docs_by_cluster)
    if not ids:
        return {}
    docs = [d for c in ids for d in docs_by_cluster[c]]
    owner = np.repeat(np.arange(len(ids)), [len(docs_by_cluster[c]) for c in ids])
    counter = CountVectorizer(analyzer=_label_analyzer, dtype=np.float64)
    try:
        doc_counts = counter.fit_transform(docs).tocsr()
    except ValueError:  # empty vocabulary
        return {c: [] for c in ids}
    vocab = counter.get_feature_names_out()
    member_of = sparse.csr_matrix((np.ones(len(docs)), (owner, np.arange(len(docs)))), shape=(len(ids), len(docs)))
    counts = (member_of @ doc_counts).tocsr()
    presence = doc_counts.copy()
    presence.data[:] = 1.0
    doc_df_by_class = (member_of @ presence).tocsr()       # articles of each cluster containing the term
    class_sizes = np.array([len(docs_by_cluster[c]) for c in ids], dtype=np.float64)
    words_per_class = np.asarray(counts.sum(axis=1)).ravel()
    tf = counts.multiply(1.0 / np.maximum(words_per_class, 1.0)[:, None]).tocsr()
    term_freq = np.asarray(counts.sum(axis=0)).ravel()
    avg_words = words_per_class.mean()
    idf = np.log(1.0 + avg_words / np.maximum(term_freq, 1.0))
    # Spread over classes: a phrase found in every cluster names none of them (matters when
    # there are few clusters, where the frequency-based idf above barely separates).
    n_classes = counts.shape[0]
    class_df = np.asarray((counts > 0).sum(axis=0)).ravel()
    spread = np.log((n_classes + 1.0) / np.maximum(class_df, 1.0))
    is_bigram = np.array([" " in v for v in vocab])
    weight = idf * spread * np.where(is_bigram, BIGRAM_BONUS, 1.0)
    scores = tf.multiply(weight[None, :]).tocsr()
    out = {}
    for row, c in enumerate(ids):
        lo, hi = scores.indptr[row], scores.indptr[row + 1]
        cols, vals = scores.indices[lo:hi], scores.data[lo:hi]
        # A label phrase must recur: in 2 articles, and in 3 % of a large cluster's label sample
        # (a phrase of one article is that article's, not the cluster's).
        if class_sizes[row] >= 2:
            min_df = max(2, int(LABEL_MIN_SHARE * class_sizes[row]))
            df_row = doc_df_by_class.getrow(row).toarray().ravel()
            keep = df_row[cols] >= min_df
            cols, vals = cols[keep], vals[keep]
            # ... and the more of the cluster's articles use it, the better it names the cluster: a
            # name or signature repeated by a few prolific sources loses to a phrase most articles share.
            vals = vals * np.sqrt(df_row[cols] / class_sizes[row])
        order = np.lexsort((cols, -vals))[: top_n * 6]        # best first, ties by term index
        chosen = [(str(vocab[cols[j]]), float(vals[j])) for j in order if vals[j] > 0]
        out[c] = _dedupe_phrases(chosen)[:top_n]
    return out


def _dedupe_phrases(scored: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Drop a unigram that is part of a better-or-near bigram, and bigrams sharing both words."""
    kept: list[tuple[str, float]] = []
    bigram_words: set[str] = set()
    for phrase, score in scored:
        if " " in phrase:
            words = phrase.split()
            if words[0] == words[1]:
                continue
            bigram_words.update(words)
    for phrase, score in scored:
        if " " not in phrase and phrase in bigram_words:
            # keep the unigram only if no bigram containing it scores at least half as much
            best_bigram = max((s for p, s in scored if " " in p and phrase in p.split()), default=0.0)
            if best_bigram >= 0.5 * score:
                continue
        if any(set(phrase.split()) == set(p.split()) for p, _ in kept):
            continue
        kept.append((phrase, score))
    return kept


def _label_from_terms(terms: list[tuple[str, float]]) -> str:
    """2–4 phrases: bigrams first when they are distinctive, then unigrams, best first."""
    if not terms:
        return ""
    phrases = [p for p, _ in terms]
    label: list[str] = []
    used_words: set[str] = set()
    for p in phrases:
        words = {re.sub(r"['’]s$", "", w) for w in p.split()}   # "trump's" repeats "trump"
        if words & used_words:
            continue
        label.append(p)
        used_words |= words
        if len(label) == 3:
            break
    return ", ".join(label)


# ----------------------------------------------------------------------------------------
# Term-space centres (persisted) and id matching
# ----------------------------------------------------------------------------------------

def _term_centroid(tfidf_rows, vocab: np.ndarray, idf: np.ndarray) -> dict:
    mean = np.asarray(tfidf_rows.mean(axis=0)).ravel()
    norm = np.linalg.norm(mean)
    if norm == 0:
        return {"w": {}, "idf": {}}
    mean = mean / norm
    top = np.argsort(-mean, kind="stable")[:CENTROID_TERMS]
    top = [j for j in top if mean[j] > 0]
    return {
        "w": {str(vocab[j]): round(float(mean[j]), 5) for j in top},
        "idf": {str(vocab[j]): round(float(idf[j]), 4) for j in top},
    }


def _parse_centroid(value) -> dict:
    if isinstance(value, dict):
        return value
    if not isinstance(value, str) or not value:
        return {"w": {}, "idf": {}}
    try:
        data = json.loads(value)
    except json.JSONDecodeError:
        return {"w": {}, "idf": {}}
    return data if isinstance(data, dict) else {"w": {}, "idf": {}}


def _dict_cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(w * b[t] for t, w in a.items() if t in b)
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _match_ids(new_centroids: dict[int, dict], sizes: dict[int, int], previous: pd.DataFrame | None) -> dict[int, int]:
    """Map provisional cluster numbers to final ids (kept from ``previous`` where centres match)."""
    order = sorted(new_centroids, key=lambda c: (-sizes[c], c))
    if previous is None or len(previous) == 0 or "cluster_id" not in previous:
        return {c: i for i, c in enumerate(order)}
    prev = previous[previous["cluster_id"].astype(int) != UNCLUSTERED_ID]
    prev_ids = [int(i) for i in prev["cluster_id"].tolist()]
    prev_cents = [
        _parse_centroid(v).get("w", {}) for v in (prev["centroid"] if "centroid" in prev else [""] * len(prev))
    ]
    mapping: dict[int, int] = {}
    if prev_ids:
        from scipy.optimize import linear_sum_assignment

        sim = np.array([[_dict_cosine(new_centroids[c].get("w", {}), pc) for pc in prev_cents] for c in order])
        rows, cols = linear_sum_assignment(-sim)
        for r, col in zip(rows, cols):
            if sim[r, col] >= MATCH_COSINE:
                mapping[order[r]] = prev_ids[col]
    next_id = max(prev_ids + [UNCLUSTERED_ID]) + 1
    for c in order:
        if c not in mapping:
            mapping[c] = next_id
            next_id += 1
    return mapping


# ----------------------------------------------------------------------------------------
# Second level: sub-topics
# ----------------------------------------------------------------------------------------

def splits_into_subtopics(size: int, n_docs: int) -> bool:
    """True when a topic of ``size`` articles (of ``n_docs``) is big enough to get sub-topics."""
    return size >= max(SUB_MIN_SIZE, SUB_SHARE * n_docs)


def _subtopics(lsa: np.ndarray, texts: list[str], titles: list[str], labels: np.ndarray,
               mapping: dict[int, int], random_state: int) -> tuple[np.ndarray, dict[int, list[dict]]]:
    """Sub-topics of every big topic: the same k criterion and spherical k-means on its members.

    Returns (sub-topic index per article, −1 when its topic is not split or it fits no sub-topic;
    {final cluster id: [sub-topic dicts, largest first]}). Own fixed-seed generator, so the
    first level does not depend on this step.
    """
    rng = np.random.RandomState(random_state + 1)
    n = len(labels)
    sub_of = np.full(n, -1, dtype=int)
    parents = [c for c in sorted(mapping, key=lambda c: mapping[c])
               if splits_into_subtopics(int((labels == c).sum()), n)]
    fitted: dict[int, tuple[np.ndarray, list[np.ndarray], np.ndarray]] = {}
    for c in parents:
        members = np.flatnonzero(labels == c)
        k = _choose_k(lsa[members], rng, sample_size=K_SAMPLE_SUB)
        if k < 2:
            continue
        sub_labels, centres = _kmeans(lsa[members], k, rng, n_init=SUB_INITS)
        min_size = min_cluster_size(len(members))
        sizes = np.bincount(sub_labels, minlength=k)
        order = [j for j in np.lexsort((np.arange(k), -sizes)) if sizes[j] >= min_size]
        if len(order) < 2:
            continue
        rank = {int(j): r for r, j in enumerate(order)}
        local = np.array([rank.get(int(j), -1) for j in sub_labels], dtype=int)
        sub_of[members] = local
        groups = []
        for r, j in enumerate(order):
            idx = members[local == r]
            cos = lsa[idx] @ centres[j]
            groups.append(idx[np.argsort(-cos, kind="stable")])
        fitted[c] = (members, groups, local)
    n_subs = sum(len(g) for _, g, _ in fitted.values())
    per_sub = max(10, min(60, SUB_LABEL_BUDGET // max(1, n_subs)))
    out: dict[int, list[dict]] = {}
    for c, (members, groups, local) in fitted.items():
        terms = _ctfidf_terms({r: [texts[i] for i in g[:per_sub]] for r, g in enumerate(groups)}, top_n=6)
        out[mapping[c]] = [{
            "subtopic_id": r,
            "label": _label_from_terms(terms.get(r, [])) or f"Sub-topic {r}",
            "size": int(len(g)),
            "headlines": _headlines([titles[i] for i in g[:20]]),
        } for r, g in enumerate(groups)]
    return sub_of, out


# ----------------------------------------------------------------------------------------
# Map layout
# ----------------------------------------------------------------------------------------

def _layout_centres(centres: np.ndarray) -> np.ndarray:
    """Classical MDS of unit centres (cosine distance) into 2-D; deterministic."""
    k = centres.shape[0]
    if k == 0:
        return np.zeros((0, 2))
    if k == 1:
        return np.zeros((1, 2))
    d2 = np.clip(2.0 - 2.0 * centres @ centres.T, 0.0, None)
    j = np.eye(k) - np.ones((k, k)) / k
    b = -0.5 * j @ d2 @ j
    vals, vecs = np.linalg.eigh(b)
    top = np.argsort(-vals)[:2]
    xy = vecs[:, top] * np.sqrt(np.clip(vals[top], 0.0, None))
    for col in range(xy.shape[1]):  # fix the eigenvector sign so runs agree
        pivot = np.argmax(np.abs(xy[:, col]))
        if xy[pivot, col] < 0:
            xy[:, col] = -xy[:, col]
    if xy.shape[1] < 2:
        xy = np.hstack([xy, np.zeros((k, 2 - xy.shape[1]))])
    return xy


def _doc_positions(lsa: np.ndarray, centres: np.ndarray, labels: np.ndarray, centre_xy: np.ndarray,
                   rng: np.random.RandomState) -> np.ndarray:
    """Each article near its centre, pulled towards similar clusters, spread by its own cosine."""
    n = lsa.shape[0]
    if n == 0:
        return np.zeros((0, 2))
    if centres.shape[0] == 0:
        return rng.uniform(-1, 1, size=(n, 2))
    sims = lsa @ centres.T
    weights = np.exp((sims - sims.max(axis=1, keepdims=True)) / 0.05)
    weights /= weights.sum(axis=1, keepdims=True)
    xy = weights @ centre_xy
    spread = 0.15 * (1.0 - np.clip(sims.max(axis=1), 0.0, 1.0)) + 0.02
    angle = rng.uniform(0, 2 * np.pi, size=n)
    radius = spread * np.sqrt(rng.uniform(0, 1, size=n))
    xy += np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return xy


# ----------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------

def _validate_articles(articles: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(articles, pd.DataFrame):
        raise TypeError("articles must be a pandas DataFrame")
    if "article_id" not in articles.columns:
        raise ValueError("articles needs an 'article_id' column")
    frame = articles.copy()
    for col in ("title", "text", "date", "duplicate_of"):
        if col not in frame.columns:
            frame[col] = ""
        frame[col] = frame[col].fillna("").astype(str)
    frame["article_id"] = frame["article_id"].astype(str)
    frame = frame.drop_duplicates("article_id", keep="first")
    return frame.sort_values("article_id", kind="stable").reset_index(drop=True)


def _split_copies(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Originals and copies; a copy whose original is absent (or itself a copy chain) is resolved."""
    ids = set(frame["article_id"])
    dup = frame["duplicate_of"].where(frame["duplicate_of"].isin(ids) & (frame["duplicate_of"] != frame["article_id"]), "")
    parent = dict(zip(frame["article_id"], dup))

    def root(a: str) -> str:
        seen = set()
        while parent.get(a) and a not in seen:
            seen.add(a)
            a = parent[a]
        return a

    originals = [root(a) for a in frame["article_id"]]
    # Exact copies not flagged upstream (same title and same text) are copies of the first such
    # article (in article_id order), too.
    flagged = np.array([o != a for o, a in zip(originals, frame["article_id"])])
    dup_mask = frame.duplicated(["title", "text"], keep="first").to_numpy() & ~flagged
    if dup_mask.any():
        group = frame.groupby(["title", "text"], sort=False).ngroup().to_numpy()
        first_of_group: dict[int, str] = {}
        for i in np.flatnonzero(~flagged):
            first_of_group.setdefault(int(group[i]), frame["article_id"].iat[i])
        for i in np.flatnonzero(dup_mask):
            if frame["text"].iat[i].strip():
                originals[i] = first_of_group[int(group[i])]
    frame = frame.assign(original=originals)
    is_copy = frame["original"] != frame["article_id"]
    return frame[~is_copy].reset_index(drop=True), frame[is_copy].reset_index(drop=True)


def _empty_outputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.DataFrame(columns=ASSIGNMENT_COLUMNS), pd.DataFrame(columns=CLUSTER_COLUMNS)


def cluster(articles: pd.DataFrame, previous_clusters: pd.DataFrame | None = None, *,
            random_state: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cluster a corpus; return ``(assignments, clusters)`` (see module docstring for columns).

    ``articles`` needs article_id and uses title, text, date and duplicate_of when present.
    ``previous_clusters`` is the clusters table of the last run: clusters whose centre still
    matches keep their id. Deterministic for a given input and ``random_state``.
    """
    frame = _validate_articles(articles)
    if previous_clusters is not None and not isinstance(previous_clusters, pd.DataFrame):
        raise TypeError("previous_clusters must be a DataFrame or None")
    if frame.empty:
        return _empty_outputs()
    # Small corpora: one BLAS/OpenMP thread is as fast and avoids thread spin on a busy machine.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1 if len(frame) < SMALL_CORPUS else None):
        return _cluster(frame, previous_clusters, random_state)


def _cluster(frame: pd.DataFrame, previous_clusters: pd.DataFrame | None,
             random_state: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    originals, copies = _split_copies(frame)
    rng = np.random.RandomState(random_state)
    texts = _doc_texts(originals)
    n = len(originals)

    try:
        vectorizer, tfidf, lsa, svd = _embed(texts, rng)
    except ValueError:  # no usable word in the corpus
        vectorizer, tfidf, lsa, svd = None, None, np.zeros((n, 1), dtype=np.float32), None
    has_words = np.abs(lsa).sum(axis=1) > 0

    seeds = _previous_centres(previous_clusters, vectorizer, svd)
    k = _choose_k(lsa[has_words], rng, preferred=len(seeds) or None) if has_words.sum() >= 3 else 1
    labels = np.full(n, UNCLUSTERED_ID, dtype=int)
    if has_words.sum() >= 2:
        sub_labels, centres = _kmeans(lsa[has_words], k, rng, seeds=seeds if len(seeds) else None)
        labels[has_words] = sub_labels
        # Articles that fit nowhere, and clusters too small to be a topic -> Unclustered.
        cos = np.einsum("ij,ij->i", lsa[has_words], centres[sub_labels])
        outlier = np.flatnonzero(has_words)[cos < OUTLIER_COSINE]
        labels[outlier] = UNCLUSTERED_ID
        min_size = min_cluster_size(n)
        for c in range(centres.shape[0]):
            if (labels == c).sum() < min_size:
                labels[labels == c] = UNCLUSTERED_ID
    provisional = sorted(c for c in set(labels.tolist()) if c != UNCLUSTERED_ID)

    # Centres (LSA space, recomputed after the clean-up) and term-space centres.
    vocab = vectorizer.get_feature_names_out() if vectorizer is not None else np.array([])
    idf = vectorizer.idf_ if vectorizer is not None else np.array([])
    lsa_centres = {}
    term_centroids = {}
    sizes = {}
    for c in provisional:
        members = np.flatnonzero(labels == c)
        sizes[c] = len(members)
        lsa_centres[c] = normalize(lsa[members].mean(axis=0, keepdims=True))[0]
        term_centroids[c] = _term_centroid(tfidf[members], vocab, idf)
    mapping = _match_ids(term_centroids, sizes, previous_clusters)
    final = np.array([mapping.get(c, UNCLUSTERED_ID) for c in labels], dtype=int)

    # Labels from c-TF-IDF on the articles closest to each centre (and all Unclustered as contrast).
    docs_by_cluster: dict[int, list[str]] = {}
    closest: dict[int, np.ndarray] = {}
    per_cluster = max(30, min(LABEL_DOCS, LABEL_BUDGET // max(1, len(provisional) + 1)))
    for c in provisional:
        members = np.flatnonzero(labels == c)
        cos = lsa[members] @ lsa_centres[c]
        order = members[np.argsort(-cos, kind="stable")]
        closest[c] = order
        docs_by_cluster[mapping[c]] = [texts[i] for i in order[:per_cluster]]
    unclustered_idx = np.flatnonzero(labels == UNCLUSTERED_ID)
    if len(unclustered_idx):
        docs_by_cluster[UNCLUSTERED_ID] = [texts[i] for i in unclustered_idx[:per_cluster]]
    terms = _ctfidf_terms(docs_by_cluster)

    # Map coordinates.
    ordered = sorted(provisional, key=lambda c: mapping[c])
    centre_matrix = np.array([lsa_centres[c] for c in ordered]) if ordered else np.zeros((0, lsa.shape[1]))
    centre_xy = _layout_centres(centre_matrix)
    xy = _doc_positions(lsa, centre_matrix, labels, centre_xy, np.random.RandomState(random_state))

    assign_orig = pd.DataFrame({
        "article_id": originals["article_id"].to_numpy(),
        "cluster_id": final,
        "map_x": np.round(xy[:, 0], 5),
        "map_y": np.round(xy[:, 1], 5),
    })
    titles = originals["title"].tolist()
    sub_of, subtopics = _subtopics(lsa, texts, titles, labels, mapping, random_state)
    assign_orig["subtopic_id"] = sub_of
    assignments = _with_copies(assign_orig, copies)
    dates = originals["date"].tolist()
    copy_counts = assignments.loc[assignments["article_id"].isin(set(copies["article_id"]))].groupby("cluster_id").size()
    rows = []
    for c in ordered:
        cid = mapping[c]
        member_dates = sorted(d for d in (dates[i] for i in closest[c]) if d)
        headlines = _headlines([titles[i] for i in closest[c][:20]])
        t = terms.get(cid, [])
        rows.append({
            "cluster_id": cid,
            "label": _label_from_terms(t) or f"Topic {cid}",
            "top_terms": ", ".join(p for p, _ in t[:10]),
            "size": int(sizes[c]),
            "headlines": json.dumps(headlines, ensure_ascii=False),
            "terms": json.dumps([[p, round(s, 5)] for p, s in t], ensure_ascii=False),
            "centroid": json.dumps(term_centroids[c], ensure_ascii=False, sort_keys=True),
            "first_date": member_dates[0] if member_dates else "",
            "last_date": member_dates[-1] if member_dates else "",
            "copies": int(copy_counts.get(cid, 0)),
            "fitted_n": n,
            "subtopics": json.dumps(subtopics.get(cid, []), ensure_ascii=False),
        })
    if len(unclustered_idx):
        u_dates = sorted(d for d in (dates[i] for i in unclustered_idx) if d)
        rows.append({
            "cluster_id": UNCLUSTERED_ID,
            "label": UNCLUSTERED_LABEL,
            "top_terms": ", ".join(p for p, _ in terms.get(UNCLUSTERED_ID, [])[:10]),
            "size": int(len(unclustered_idx)),
            "headlines": json.dumps(_headlines([titles[i] for i in unclustered_idx[:20]]), ensure_ascii=False),
            "terms": json.dumps([], ensure_ascii=False),
            "centroid": json.dumps({"w": {}, "idf": {}}),
            "first_date": u_dates[0] if u_dates else "",
            "last_date": u_dates[-1] if u_dates else "",
            "copies": int(copy_counts.get(UNCLUSTERED_ID, 0)),
            "fitted_n": n,
            "subtopics": "[]",
        })
    clusters = pd.DataFrame(rows, columns=CLUSTER_COLUMNS)
    return assignments, clusters


def _headlines(titles: list[str], limit: int = 3) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for t in titles:
        key = " ".join(t.lower().split())
        if key and key not in seen:
            seen.add(key)
            out.append(t.strip())
        if len(out) == limit:
            break
    return out


def _with_copies(assign_orig: pd.DataFrame, copies: pd.DataFrame) -> pd.DataFrame:
    """Append copies with their original's cluster, placed at their original's map point."""
    if copies.empty:
        out = assign_orig
    else:
        by_id = assign_orig.set_index("article_id")
        orig = copies["original"].to_numpy()
        out = pd.concat([assign_orig, pd.DataFrame({
            "article_id": copies["article_id"].to_numpy(),
            "cluster_id": by_id.loc[orig, "cluster_id"].to_numpy(),
            "map_x": by_id.loc[orig, "map_x"].to_numpy(),
            "map_y": by_id.loc[orig, "map_y"].to_numpy(),
            "subtopic_id": by_id.loc[orig, "subtopic_id"].to_numpy(),
        })], ignore_index=True)
    out = out.sort_values("article_id", kind="stable").reset_index(drop=True)
    out["cluster_id"] = out["cluster_id"].astype(int)
    out["map_x"] = out["map_x"].astype(float)
    out["map_y"] = out["map_y"].astype(float)
    out["subtopic_id"] = out["subtopic_id"].astype(int)
    return out[ASSIGNMENT_COLUMNS]


# ----------------------------------------------------------------------------------------
# Incremental assignment
# ----------------------------------------------------------------------------------------

def assign(articles: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    """Place new articles into existing ``clusters`` without refitting; returns assignments.

    Each article's TF-IDF vector (over the terms of the stored centres, with their stored idf)
    is compared with every stored centre; it joins the most similar cluster when the cosine
    reaches ``ASSIGN_COSINE``, else Unclustered. Copies take their original's cluster when the
    original is among ``articles`` (else they are treated as originals). Map coordinates come
    from a layout of the stored centres (the fitted layout is not stored), so they are
    approximate until the next refit. See :func:`needs_refit` for when to run :func:`cluster`.
    """
    frame = _validate_articles(articles)
    if not isinstance(clusters, pd.DataFrame):
        raise TypeError("clusters must be a DataFrame")
    if frame.empty:
        return pd.DataFrame(columns=ASSIGNMENT_COLUMNS)
    originals, copies = _split_copies(frame)
    real = clusters[clusters["cluster_id"].astype(int) != UNCLUSTERED_ID] if len(clusters) else clusters
    cents = [_parse_centroid(v) for v in real["centroid"]] if len(real) else []
    ids = [int(i) for i in real["cluster_id"]] if len(real) else []
    vocab: dict[str, int] = {}
    idf_values: list[float] = []
    for cent in cents:
        for term, value in cent.get("idf", {}).items():
            if term not in vocab:
                vocab[term] = len(vocab)
                idf_values.append(float(value))
    texts = _doc_texts(originals)
    n = len(texts)
    if not vocab:
        labels = np.full(n, UNCLUSTERED_ID, dtype=int)
        sims_best = np.zeros(n)
        sims = np.zeros((n, 0))
    else:
        counter = CountVectorizer(vocabulary=vocab, stop_words=sorted(ENGLISH_STOP_WORDS),
                                  token_pattern=TOKEN_PATTERN, dtype=np.float32)
        counts = counter.transform(texts).tocsr()
        counts.data = 1.0 + np.log(counts.data)
        x = counts.multiply(np.asarray(idf_values, dtype=np.float32)[None, :]).tocsr()
        # Document norm over ALL its words (unknown words weighted by the largest stored idf).
        full = CountVectorizer(stop_words=sorted(ENGLISH_STOP_WORDS), token_pattern=TOKEN_PATTERN)
        try:
            all_counts = full.fit_transform(texts).tocsr()
        except ValueError:
            all_counts = None
        max_idf = max(idf_values)
        norms = np.zeros(n)
        if all_counts is not None:
            terms_all = full.get_feature_names_out()
            idf_all = np.array([idf_values[vocab[t]] if t in vocab else max_idf for t in terms_all])
            w = all_counts.copy().astype(np.float64)
            w.data = 1.0 + np.log(w.data)
            w = w.multiply(idf_all[None, :]).tocsr()
            norms = np.sqrt(np.asarray(w.multiply(w).sum(axis=1)).ravel())
        c_matrix = np.zeros((len(ids), len(vocab)), dtype=np.float32)
        for r, cent in enumerate(cents):
            for term, value in cent.get("w", {}).items():
                c_matrix[r, vocab[term]] = value
        c_matrix = normalize(c_matrix)
        sims = np.asarray(x @ c_matrix.T) / np.maximum(norms, 1e-9)[:, None]
        best = sims.argmax(axis=1)
        sims_best = sims[np.arange(n), best]
        labels = np.where(sims_best >= ASSIGN_COSINE, np.asarray(ids)[best], UNCLUSTERED_ID)
    centre_xy = _layout_from_terms(cents)
    xy = np.zeros((n, 2))
    rng = np.random.RandomState(0)
    if len(ids):
        weights = np.exp((sims - sims.max(axis=1, keepdims=True)) / 0.05)
        weights /= weights.sum(axis=1, keepdims=True)
        xy = weights @ centre_xy
    xy += rng.normal(scale=0.03, size=xy.shape)
    assign_orig = pd.DataFrame({
        "article_id": originals["article_id"].to_numpy(), "cluster_id": labels.astype(int),
        "map_x": np.round(xy[:, 0], 5), "map_y": np.round(xy[:, 1], 5), "subtopic_id": -1,
    })
    # Copies whose original is not in this batch keep Unclustered here; the caller can resolve them.
    return _with_copies(assign_orig, copies)


ASSIGN_COSINE = 0.08       # cosine (term space) needed to join a cluster in :func:`assign`
REFIT_GROWTH = 0.2         # refit when the corpus grew by this share since the fit
REFIT_UNCLUSTERED = 0.3    # ... or when this share of newly assigned articles fit nowhere


def _layout_from_terms(cents: list[dict]) -> np.ndarray:
    if not cents:
        return np.zeros((0, 2))
    vocab: dict[str, int] = {}
    for cent in cents:
        for t in cent.get("w", {}):
            vocab.setdefault(t, len(vocab))
    m = np.zeros((len(cents), max(1, len(vocab))))
    for r, cent in enumerate(cents):
        for t, w in cent.get("w", {}).items():
            m[r, vocab[t]] = w
    return _layout_centres(normalize(m))


def needs_refit(clusters: pd.DataFrame, n_articles: int, new_assignments: pd.DataFrame | None = None) -> bool:
    """True when a full :func:`cluster` run is due instead of incremental :func:`assign`.

    Rule: refit when there is no fitted model yet, when the corpus has grown by more than
    ``REFIT_GROWTH`` (20 %) of the articles the model was fitted on, or when more than
    ``REFIT_UNCLUSTERED`` (30 %) of the newly assigned articles fit no existing cluster
    (a new story the model has never seen).
    """
    if clusters is None or len(clusters) == 0 or "fitted_n" not in clusters:
        return True
    fitted_n = int(pd.to_numeric(clusters["fitted_n"], errors="coerce").fillna(0).max())
    if fitted_n <= 0 or n_articles > fitted_n * (1 + REFIT_GROWTH):
        return True
    if new_assignments is not None and len(new_assignments):
        share = (new_assignments["cluster_id"].astype(int) == UNCLUSTERED_ID).mean()
        if share > REFIT_UNCLUSTERED:
            return True
    return False
