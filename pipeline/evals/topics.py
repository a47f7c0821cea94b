"""``python -m pipeline eval topics [--scale] [--corpus NAME ...]``: quality and scale of the topics stage.

Quality (default): on four labelled corpora from ``../shared/data`` it prints NMI, ARI and
V-measure of ``pipeline.stages.topics.cluster`` (k chosen automatically, Unclustered counted as one
more predicted cluster) next to scikit-learn's documented text-clustering pipeline told the
true k: TfidfVectorizer(max_df=0.5, min_df=5, stop_words="english") -> TruncatedSVD(100) ->
Normalizer -> KMeans(true k, max_iter=100, n_init=1), mean ± sd over random_state 0, 1, 2
(as in the scikit-learn gallery example "Clustering text documents using k-means").
The scored level is ``cluster_id`` (the first, analyst-facing level); the second level (big
topics split into sub-topics, ``subtopic_id``) is printed too, unscored, so nothing is hidden.

Corpora (same text for both methods):
- bbc_news_2225: title + text, 5 classes.
- 20newsgroups_bydate: all 18,846 posts; the header block is removed (its ``Newsgroups:`` line
  names the label) and the Subject kept as the title; quotes and signatures stay. 20 classes.
- googlenews_ts_152: the preprocessed title+snippet text, 152 stories.
- reuters21578 single-topic subset: the 9,494 stories with exactly one TOPICS label (66 classes).

Scale (``--scale``): 58,216 real documents (the ``scale_pool_58k`` recipe) and 120,000 (the same
rows replicated — not distinct documents), wall time and peak RSS of ``cluster`` (each size in
a fresh subprocess so that peak RSS is that run's), the reference pipeline's time on the same
data, and ``assign`` of 1,000 new articles into a model fitted on a 100k store.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from pipeline.evals.common import PROJECT_ROOT, load_scale_pool, peak_rss_mb, shared_data_dir, timed

CORPORA = ["bbc_news_2225", "20newsgroups_bydate", "googlenews_ts_152", "reuters21578"]


# ---------------------------------------------------------------------------------------------
# Corpora
# ---------------------------------------------------------------------------------------------

def _strip_headers(post: str) -> tuple[str, str]:
    """(subject, body) of a raw Usenet post: the header block up to the first blank line is dropped."""
    head, sep, body = post.partition("\n\n")
    subject = ""
    for line in head.splitlines():
        if line.lower().startswith("subject:"):
            subject = line.split(":", 1)[1].strip()
            break
    return subject, body if sep else post


def load_corpus(name: str) -> pd.DataFrame:
    """A labelled corpus as a frame with article_id, title, text, date, duplicate_of, label."""
    base = shared_data_dir()
    if name == "bbc_news_2225":
        raw = pd.read_csv(base / name / "bbc_news.csv.gz", keep_default_na=False)
        frame = pd.DataFrame({"article_id": raw["id"], "title": raw["title"], "text": raw["text"], "label": raw["label"]})
    elif name == "20newsgroups_bydate":
        raw = pd.read_csv(base / name / "20newsgroups_bydate.csv.gz", keep_default_na=False)
        parts = [_strip_headers(t) for t in raw["text"]]
        frame = pd.DataFrame({"article_id": raw["id"], "title": [p[0] for p in parts],
                              "text": [p[1] for p in parts], "label": raw["label"]})
    elif name == "googlenews_ts_152":
        raw = pd.read_csv(base / name / "googlenews.csv.gz", keep_default_na=False)
        frame = pd.DataFrame({"article_id": raw["id"].astype(str).str.zfill(5), "title": "",
                              "text": raw["text"], "label": raw["label"]})
    elif name == "reuters21578":
        raw = pd.read_csv(base / name / "reuters21578.csv.gz", keep_default_na=False)
        raw = raw[(raw["topics"] != "") & ~raw["topics"].str.contains(";")]
        frame = pd.DataFrame({"article_id": raw["newid"].astype(str).str.zfill(5), "title": raw["title"],
                              "text": raw["text"], "label": raw["topics"], "date": raw["date"].astype(str).str[:10]})
    else:
        raise ValueError(f"unknown corpus {name!r}; choose from {CORPORA}")
    frame["article_id"] = frame["article_id"].astype(str)
    if "date" not in frame:
        frame["date"] = ""
    frame["duplicate_of"] = ""
    return frame.reset_index(drop=True)


def scale_pool() -> pd.DataFrame:
    """The 58,216 real documents of ``scale_pool_58k/SOURCE.md`` (``evals.common.load_scale_pool``) as articles."""
    pool = load_scale_pool()
    frame = pd.DataFrame({"article_id": [f"s{i:06d}" for i in range(len(pool))], "title": pool["title"],
                          "text": pool["text"], "date": "", "duplicate_of": "", "corpus": pool["corpus"]})
    return frame


def replicate(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` rows by repeating ``frame``'s rows.

    Replicas get new ids and one marker word ("replica2", …) at the end of the text, so that the
    topics stage does not collapse them as exact copies: all ``n`` rows are processed.
    """
    reps = -(-n // len(frame))
    parts = []
    for r in range(reps):
        part = frame.copy()
        if r:
            part["text"] = part["text"].astype(str) + f" replica{r + 1}"
        parts.append(part)
    out = pd.concat(parts, ignore_index=True).iloc[:n].copy()
    out["article_id"] = [f"r{i:07d}" for i in range(n)]
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Methods
# ---------------------------------------------------------------------------------------------

def _texts(frame: pd.DataFrame) -> list[str]:
    return (frame["title"].astype(str) + "\n" + frame["text"].astype(str)).tolist()


def reference_tfidf(texts: list[str]):
    """The reference's TF-IDF matrix (settings of the scikit-learn gallery example)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(max_df=0.5, min_df=5, stop_words="english").fit_transform(texts)


def reference_labels(x, k: int, seed: int) -> np.ndarray:
    """scikit-learn's documented pipeline with the true k, from the TF-IDF matrix ``x``."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import Normalizer

    lsa = make_pipeline(TruncatedSVD(n_components=100, random_state=seed), Normalizer(copy=False))
    x_lsa = lsa.fit_transform(x)
    return KMeans(n_clusters=k, max_iter=100, n_init=1, random_state=seed).fit(x_lsa).labels_


def _scores(truth, pred) -> dict[str, float]:
    from sklearn import metrics

    return {
        "NMI": metrics.normalized_mutual_info_score(truth, pred),
        "ARI": metrics.adjusted_rand_score(truth, pred),
        "V": metrics.v_measure_score(truth, pred),
    }


def evaluate_corpus(name: str, ref_seeds=(0, 1, 2)) -> dict:
    """Scores of ``topics.cluster`` and of the reference on one corpus."""
    from pipeline.stages import topics

    frame = load_corpus(name)
    truth = frame["label"].to_numpy()
    k_true = len(set(truth))
    with timed() as t_ours:
        assignments, clusters = topics.cluster(frame.drop(columns=["label"]))
    placed = assignments.set_index("article_id").loc[frame["article_id"]]
    pred = placed["cluster_id"].to_numpy()
    ours = _scores(truth, pred)
    fine = (placed["cluster_id"].astype(str) + "." + placed["subtopic_id"].astype(str)).to_numpy()
    ours_fine = _scores(truth, fine)
    ref_runs = []
    with timed() as t_ref:
        x = reference_tfidf(_texts(frame))
        for seed in ref_seeds:
            ref_runs.append(_scores(truth, reference_labels(x, k_true, seed)))
    ref = {m: (float(np.mean([r[m] for r in ref_runs])), float(np.std([r[m] for r in ref_runs]))) for m in ours}
    n_clusters = int((clusters["cluster_id"] != topics.UNCLUSTERED_ID).sum())
    return {
        "corpus": name, "n": len(frame), "k_true": k_true, "k_found": n_clusters,
        "unclustered": float((pred == topics.UNCLUSTERED_ID).mean()), "ours": ours, "ref": ref,
        "ours_fine": ours_fine, "k_fine": len(set(fine.tolist()) - {f"{topics.UNCLUSTERED_ID}.-1"}),
        "sec_ours": t_ours["seconds"], "sec_ref": t_ref["seconds"],
        "labels": clusters.sort_values("size", ascending=False)["label"].head(8).tolist(),
    }


def print_quality(results: list[dict]) -> None:
    print("Topics quality: ours = pipeline.stages.topics.cluster (k automatic; Unclustered = one more cluster);")
    print("ref = TfidfVectorizer(max_df=.5,min_df=5,english) -> TruncatedSVD(100) -> Normalizer -> KMeans(true k,")
    print("      n_init=1), mean±sd over seeds 0,1,2.")
    print(f"{'corpus':22} {'n':>6} {'k_true':>6} {'k_ours':>6} {'uncl%':>6} | {'NMI ours':>8} {'NMI ref':>13} | "
          f"{'ARI ours':>8} {'ARI ref':>13} | {'V ours':>6} {'V ref':>13} | {'s ours':>6} {'s ref3':>6}")
    for r in results:
        o, f = r["ours"], r["ref"]
        print(f"{r['corpus']:22} {r['n']:6d} {r['k_true']:6d} {r['k_found']:6d} {100 * r['unclustered']:6.1f} | "
              f"{o['NMI']:8.3f} {f['NMI'][0]:7.3f}±{f['NMI'][1]:.3f} | {o['ARI']:8.3f} {f['ARI'][0]:7.3f}±{f['ARI'][1]:.3f} | "
              f"{o['V']:6.3f} {f['V'][0]:7.3f}±{f['V'][1]:.3f} | {r['sec_ours']:6.1f} {r['sec_ref']:6.1f}")
    print("Second level (each topic with >= 5 % of the articles and >= 60 articles split into sub-topics by the same")
    print("criterion; the rest of a split topic and unsplit topics count as one group each) -- NOT the scored level:")
    for r in results:
        o, f = r["ours_fine"], r["ref"]
        print(f"{r['corpus']:22} groups {r['k_fine']:4d} | NMI {o['NMI']:.3f} (ref {f['NMI'][0]:.3f}) | "
              f"ARI {o['ARI']:.3f} (ref {f['ARI'][0]:.3f}) | V {o['V']:.3f} (ref {f['V'][0]:.3f})")
    for r in results:
        print(f"  {r['corpus']} largest labels: " + " | ".join(r["labels"]))
    wins = sum(r["ours"]["NMI"] >= r["ref"]["NMI"][0] for r in results)
    print(f"NMI at or above the reference mean on {wins}/{len(results)} corpora (scored level: cluster_id, "
          "the first level; the same parameters on every corpus).")
    for r in results:
        for metric in ("NMI", "ARI", "V"):
            if r["ours"][metric] < r["ref"][metric][0]:
                print(f"  SHORT: {r['corpus']} {metric} {r['ours'][metric]:.3f} < reference {r['ref'][metric][0]:.3f} "
                      f"(k found {r['k_found']} vs {r['k_true']} labels).")
    print("  Why the figures differ from the labels: k is chosen from the data, not told. Google News' 152 stories")
    print("  are found as ~89 clusters (small stories of the same subject merge: NMI rewards it, ARI less so);")
    print("  Reuters' 66 topics are very unequal (earn and acq are 2/3 of the articles): the knee splits those big")
    print("  classes into several clusters (NMI ~ fine, ARI low for everyone); the 20 newsgroups' quoted")
    print("  signatures form author clusters. The second level splits big topics further: it scores lower")
    print("  against coarse labels (BBC's 5) by design -- it is the drill-down, not the scored level.")


# ---------------------------------------------------------------------------------------------
# Scale
# ---------------------------------------------------------------------------------------------

def _scale_worker(kind: str, n: int) -> dict:
    """One measurement in this (fresh) process: kind = ours | ref | assign."""
    from pipeline.stages import topics

    pool = scale_pool()
    frame = pool if n == len(pool) else replicate(pool, n)
    cpu0 = time.process_time()
    if kind == "ours":
        with timed() as t:
            assignments, clusters = topics.cluster(frame)
        return {"seconds": t["seconds"], "cpu": time.process_time() - cpu0, "rss_mb": peak_rss_mb(),
                "k": int((clusters["cluster_id"] >= 0).sum()),
                "unclustered": float((assignments["cluster_id"] == -1).mean())}
    if kind == "ref":
        with timed() as t:
            reference_labels(reference_tfidf(_texts(frame)), 20, 0)
        return {"seconds": t["seconds"], "cpu": time.process_time() - cpu0, "rss_mb": peak_rss_mb()}
    if kind == "assign":
        store = frame.iloc[:n].reset_index(drop=True)
        _, clusters = topics.cluster(store)
        rng = np.random.RandomState(1)
        new = pool.iloc[rng.choice(len(pool), 1000, replace=False)].copy()
        new["article_id"] = [f"new{i:05d}" for i in range(len(new))]
        with timed() as t:
            out = topics.assign(new, clusters)
        return {"seconds": t["seconds"], "rss_mb": peak_rss_mb(), "assigned": int((out["cluster_id"] >= 0).sum()),
                "refit": bool(topics.needs_refit(clusters, n + 1000, out))}
    raise ValueError(kind)


def _run_worker(kind: str, n: int) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", f"import json,sys; from pipeline.evals.topics import _scale_worker; "
                               f"print(json.dumps(_scale_worker({kind!r}, {n})))"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def print_scale() -> None:
    n_pool = len(scale_pool())
    print(f"Topics scale on this machine: {n_pool} real documents (scale_pool_58k recipe) and 120,000 "
          "(the same rows replicated, NOT distinct documents; each replica gets a distinct id and is not "
          "flagged as a copy). Each figure from a fresh process; CPU time shown because wall time depends "
          f"on other load (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores).", flush=True)
    for n in (n_pool, 120_000):
        load = os.getloadavg()[0]
        ours = _run_worker("ours", n)
        ref = _run_worker("ref", n)
        print(f"  n={n:>7,} (load average {load:.1f} -> {os.getloadavg()[0]:.1f}): topics.cluster "
              f"{ours['seconds']:6.1f} s wall ({ours['cpu']:.1f} s CPU of the main process), peak RSS "
              f"{ours['rss_mb']:6.0f} MB, k={ours['k']}, unclustered {100 * ours['unclustered']:.1f}% | reference "
              f"(k=20 given) {ref['seconds']:6.1f} s wall ({ref['cpu']:.1f} s CPU), peak RSS {ref['rss_mb']:6.0f} MB",
              flush=True)
    inc = _run_worker("assign", 100_000)
    print(f"  (load average {os.getloadavg()[0]:.1f}) assign: 1,000 new articles into a model fitted on a 100,000-article store: {inc['seconds']:.2f} s, "
          f"{inc['assigned']} placed in a cluster, needs_refit={inc['refit']} (peak RSS of that process incl. the fit "
          f"{inc['rss_mb']:.0f} MB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline eval topics", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="run the scale benchmark instead of the quality eval")
    parser.add_argument("--corpus", action="append", choices=CORPORA, help="quality eval on this corpus only (repeatable)")
    args = parser.parse_args(argv)
    if args.scale:
        print_scale()
        return 0
    t0 = time.perf_counter()
    results = []
    for name in args.corpus or CORPORA:
        results.append(evaluate_corpus(name))
        r = results[-1]
        print(f"... {name}: NMI ours {r['ours']['NMI']:.3f} (k={r['k_found']}) vs ref {r['ref']['NMI'][0]:.3f}", flush=True)
    print_quality(results)
    print(f"(eval took {time.perf_counter() - t0:.0f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
