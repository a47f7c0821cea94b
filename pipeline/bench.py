"""``python -m pipeline bench``: documents/s and peak memory of each stage on real documents.

Documents come from the scale pool (``../shared/data/scale_pool_58k``: seven
real corpora, sampled evenly so every size mixes them all). Each (stage,
size) runs in its own process so that its peak resident memory is its own;
the figure includes the interpreter, pandas and (for the NLP stages) the
spaCy model.

Stages: ``clean`` (headline, boilerplate, date, ids: ``ingest.to_article``),
``dedup`` (MinHash signatures and LSH look-ups), ``actors``, ``signals`` and
``figures`` (per-article ``extract``; signals and figures get no actor
mentions, so the actors stage is not counted twice; the signals line says how
many cue sentences were parsed and how long that took), and ``topics``
(``topics.cluster`` over the whole batch).

A stage slower than its time budget is measured on the documents it got
through in that time, and the line says so.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from pipeline import registry

STAGES = registry.names("bench")
DEFAULT_SIZES = (1000, 10000)


def _measure(stage: str, size: int, budget: float) -> dict:
    """Run one stage on ``size`` documents (in this process) and return its figures."""
    from pipeline.evals.common import load_scale_pool, peak_rss_mb

    pool = load_scale_pool(limit=size)
    texts = pool["text"].tolist()
    base_rss = peak_rss_mb()
    done = 0
    parse = {"seconds": 0.0, "sentences": 0}
    t0 = time.perf_counter()
    if stage == "clean":
        from pipeline import ingest

        for title, text in zip(pool["title"], texts):
            ingest.to_article(ingest.RawDocument("bench", text, title=title))
            done += 1
            if time.perf_counter() - t0 > budget:
                break
    elif stage == "dedup":
        from pipeline.stages import dedup

        index = dedup.NearDuplicateIndex()
        for i, text in enumerate(texts):
            sig = dedup.signature(text)
            if index.find(sig) is None:
                index.add(str(i), sig)
            done += 1
            if time.perf_counter() - t0 > budget:
                break
    elif registry.get(stage).kind == "per_article":
        from pipeline.stages import nlp

        nlp.get_nlp()
        t0 = time.perf_counter()
        module = registry.get(stage).module
        kwargs = {"mentions": []} if "actor_mentions" in registry.get(stage).inputs else {}
        if stage == "signals":  # parse time apart: only cue sentences are parsed
            original_parse = module.parse_sentences

            def timed_parse(sentences):
                started = time.perf_counter()
                try:
                    return original_parse(sentences)
                finally:
                    parse["seconds"] += time.perf_counter() - started
                    parse["sentences"] += len(sentences)

            module.parse_sentences = timed_parse
        for text in texts:
            module.extract(text, **kwargs)
            done += 1
            if time.perf_counter() - t0 > budget:
                break
    elif stage == "topics":
        import pandas as pd

        from pipeline.stages import topics

        articles = pd.DataFrame({
            "article_id": [f"d{i}" for i in range(len(texts))], "title": pool["title"], "text": texts,
            "date": pool["date"], "duplicate_of": "",
        })
        topics.cluster(articles)
        done = len(texts)
    else:
        raise ValueError(f"unknown stage {stage!r}")
    seconds = time.perf_counter() - t0
    return {
        "stage": stage, "size": size, "done": done, "seconds": round(seconds, 2),
        "docs_per_s": round(done / seconds, 1) if seconds else None,
        "peak_rss_mb": round(peak_rss_mb(), 0), "rss_before_mb": round(base_rss, 0),
        "parse_seconds": round(parse["seconds"], 2), "parsed_sentences": parse["sentences"],
    }


#: Articles in the store the plain ``bench`` measures query latency on (``--search-articles`` changes it).
SEARCH_QUICK_ARTICLES = 10_000


def main(argv: list[str] | None = None) -> int:
    """Print documents/s and peak memory per stage and size (one subprocess each), then query latency (on a
    ``--search-articles`` store, 10,000 by default), the index's ingest cost and a watch cycle; ``bench search``
    prints only the latter three, on a 100,000-article store (:mod:`pipeline.bench_search`)."""
    if argv and argv[0] == "store":
        from pipeline import bench_store

        return bench_store.main(argv[1:])
    if argv and "--engine" in argv:
        from pipeline import bench_engines

        return bench_engines.main(argv)
    if argv and argv[0] == "search":
        from pipeline import bench_search

        return bench_search.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m pipeline bench")
    parser.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated, from {','.join(STAGES)}")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="documents per run, comma-separated")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds per stage and size before sampling stops")
    parser.add_argument("--search-articles", type=int, default=SEARCH_QUICK_ARTICLES,
                        help="articles in the store the search figures are measured on (100000: the issue's target; "
                             "`bench search` uses 100000)")
    parser.add_argument("--no-search", action="store_true", help="skip the search, index-cost and watch figures")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: "stage:size" runs in this process
    args = parser.parse_args(argv)
    if args.one:
        stage, size = args.one.split(":")
        print(json.dumps(_measure(stage, int(size), args.budget)))
        return 0
    stages = [s for s in args.stages.split(",") if s]
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stages {sorted(unknown)}")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print("documents: scale pool (../shared/data, 7 real corpora), sampled evenly; one process per line")
    print(f"{'stage':<8} {'size':>6} {'measured':>9} {'seconds':>8} {'docs/s':>8} {'peak RSS MB':>12}")
    for size in sizes:
        for stage in stages:
            proc = subprocess.run(
                [sys.executable, "-m", "pipeline", "bench", "--one", f"{stage}:{size}", "--budget", str(args.budget)],
                capture_output=True, text=True,
            )
            if proc.returncode != 0:
                print(f"{stage:<8} {size:>6} failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            note = "" if r["done"] == size else f"  (time budget: {r['done']} of {size} docs measured)"
            if r.get("parsed_sentences"):
                note += f"  (of which parsing {r['parsed_sentences']} cue sentences: {r['parse_seconds']} s)"
            print(f"{stage:<8} {size:>6} {r['done']:>9} {r['seconds']:>8} {r['docs_per_s']:>8} {r['peak_rss_mb']:>12}{note}", flush=True)
    if not args.no_search:
        from pipeline import bench_search

        print(f"\nsearch and monitoring (pipeline.bench_search): query latency on a {args.search_articles}-article store"
              + ("" if args.search_articles >= 100_000 else " (quick size; --search-articles 100000 for the 100k goal)")
              + ", index cost on 2000 ingested documents, one watch cycle of 100 new articles", flush=True)
        bench_search.main(articles=args.search_articles)
    return 0
