"""The pipeline run: inputs → articles → per-article stages → topics → store, in one transaction.

:func:`annotate` runs the per-article stages (actors, signals, figures) on a
batch of articles and is the unit that can run partition-wise on a
distributed engine; :func:`run` adds ingest, duplicate detection and the
corpus-level topics stage, and writes everything to the store at once.
"""
from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from pipeline import actors, dedup, figures, ingest, signals, store, topics
from pipeline.ingest import ARTICLE_COLUMNS, IngestResult, RawDocument

# Table name -> documented columns, for every table the pipeline writes (one place).
TABLE_COLUMNS: dict[str, list[str]] = {
    "articles": ARTICLE_COLUMNS,
    "clusters": topics.CLUSTER_COLUMNS,
    "assignments": topics.ASSIGNMENT_COLUMNS,
    "actor_mentions": actors.COLUMNS,
    "signals": signals.COLUMNS,
    "figures": figures.COLUMNS,
}
EXPORT_TABLES = ("articles", "clusters", "actor_mentions", "signals", "figures")
INGEST_LOG_COLUMNS = ["run_id", "origin", "status", "reason", "article_id", "at"]

Progress = Callable[[str, int, int], None]


@dataclass
class RunReport:
    """What a run did: one result per input, and counts."""

    run_id: str
    results: list[IngestResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        """Number of inputs with this status (added, duplicate, near_duplicate, rejected)."""
        return sum(1 for r in self.results if r.status == status)

    def summary(self) -> str:
        """One line for people: counts by status and time."""
        return (
            f"{self.count('added')} added ({self.count('near_duplicate')} of them near-duplicates), "
            f"{self.count('duplicate')} duplicates, {self.count('rejected')} rejected in {self.seconds:.1f} s"
        )


def effective_date(article: dict) -> str | None:
    """The date the stages reason with: the article's own date, else its inferred year, else None."""
    return article.get("date") or article.get("date_inferred") or None


def annotate(articles: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Run the per-article stages on a batch of articles.

    ``articles`` needs ``article_id``, ``text``, ``date`` and ``date_inferred``.
    Returns ``{"actor_mentions", "signals", "figures"}`` DataFrames with the
    documented columns of each stage, ``article_id`` first.
    """
    tables: dict[str, list[dict]] = {"actor_mentions": [], "signals": [], "figures": []}
    for article in articles.to_dict("records"):
        text, date, aid = article["text"], effective_date(article), article["article_id"]
        mentions = actors.extract(text, date=date)
        tables["actor_mentions"] += [{"article_id": aid, **m} for m in mentions]
        tables["signals"] += [{"article_id": aid, **s} for s in signals.extract(text, date=date, mentions=mentions)]
        tables["figures"] += [{"article_id": aid, **f} for f in figures.extract(text, date=date, mentions=mentions)]
    return {name: pd.DataFrame(rows, columns=TABLE_COLUMNS[name]) for name, rows in tables.items()}


def prepare_articles(
    documents: Iterable[RawDocument],
    known: pd.DataFrame,
    index: dedup.NearDuplicateIndex,
    results: list[IngestResult],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean documents into new articles, skipping exact duplicates and linking near duplicates.

    ``known`` holds the stored articles' ``article_id``, ``url`` and
    ``duplicate_of``; ``index`` holds the stored originals' signatures and
    receives the new ones. Appends one result per document to ``results``.
    Returns (new articles, their signatures).
    """
    seen_ids = set(known["article_id"].astype(str)) if not known.empty else set()
    seen_urls = {u: a for u, a in zip(known.get("url", []), known.get("article_id", [])) if u}
    rows, sigs = [], []
    for doc in documents:
        record = ingest.to_article(doc)
        if isinstance(record, IngestResult):
            results.append(record)
            continue
        aid = record["article_id"]
        if aid in seen_ids:
            results.append(IngestResult(doc.origin, "duplicate", f"same text as article {aid}", aid))
            continue
        if record["url"] and record["url"] in seen_urls:
            other = seen_urls[record["url"]]
            results.append(IngestResult(doc.origin, "duplicate", f"same URL as article {other}", other))
            continue
        sig = dedup.signature(record["text"])
        near = index.find(sig)
        if near:
            record["duplicate_of"] = near[0]
            results.append(IngestResult(doc.origin, "near_duplicate", f"near copy ({near[1]:.0%} similar) of article {near[0]}", aid))
        else:
            index.add(aid, sig)
            results.append(IngestResult(doc.origin, "added", "", aid))
        seen_ids.add(aid)
        if record["url"]:
            seen_urls[record["url"]] = aid
        rows.append(record)
        sigs.append({"article_id": aid, "signature": dedup.signature_to_bytes(sig)})
    return pd.DataFrame(rows, columns=ARTICLE_COLUMNS), pd.DataFrame(sigs, columns=["article_id", "signature"])


def run(
    paths: Iterable[str | Path] | None = None,
    store_dir: str | Path = "store",
    *,
    documents: Iterable[RawDocument] | None = None,
    rejected: Iterable[IngestResult] = (),
    progress: Progress | None = None,
) -> RunReport:
    """Ingest ``paths`` (or ready ``documents``) into the store at ``store_dir``; run every stage.

    Running twice on the same input adds nothing twice. All writes happen in
    one transaction at the end: a run that fails or is killed leaves the
    store as it was.
    """
    started = time.perf_counter()
    report = RunReport(run_id=uuid.uuid4().hex[:12])
    if documents is None:
        outcome = ingest.read_paths(paths or [])
        documents, rejected = outcome.documents, outcome.rejected
    report.results.extend(rejected)
    documents = list(documents)
    tick = progress or (lambda stage, done, total: None)

    has_store = store.exists(store_dir)
    known = store.read(store_dir, "articles", ARTICLE_COLUMNS) if has_store else pd.DataFrame(columns=ARTICLE_COLUMNS)
    index = dedup.NearDuplicateIndex()
    if has_store:
        stored_sigs = store.read(store_dir, "signatures", ["article_id", "signature"])
        originals = set(known.loc[known["duplicate_of"].fillna("") == "", "article_id"])
        for aid, blob in zip(stored_sigs["article_id"], stored_sigs["signature"]):
            if aid in originals:
                index.add(aid, dedup.signature_from_bytes(blob))

    tick("ingest", 0, len(documents))
    new_articles, new_sigs = prepare_articles(documents, known, index, report.results)
    tick("ingest", len(documents), len(documents))

    if new_articles.empty:
        report.seconds = time.perf_counter() - started
        _write_log(store_dir, report, has_store)
        return report

    stage_tables: dict[str, list[pd.DataFrame]] = {"actor_mentions": [], "signals": [], "figures": []}
    batch = 50
    for i in range(0, len(new_articles), batch):
        for name, frame in annotate(new_articles.iloc[i:i + batch]).items():
            stage_tables[name].append(frame)
        tick("annotate", min(i + batch, len(new_articles)), len(new_articles))

    all_articles = pd.concat([known, new_articles], ignore_index=True) if not known.empty else new_articles
    previous = store.read(store_dir, "clusters", topics.CLUSTER_COLUMNS) if has_store else None
    tick("topics", 0, 1)
    assignments, clusters = topics.cluster(all_articles, previous_clusters=previous if previous is not None and not previous.empty else None)
    tick("topics", 1, 1)

    report.seconds = time.perf_counter() - started
    store.write(
        store_dir,
        upsert={
            "articles": new_articles[[c for c in ARTICLE_COLUMNS if c != "cluster_id"]],
            "signatures": new_sigs,
            **{name: pd.concat(frames, ignore_index=True) for name, frames in stage_tables.items()},
        },
        replace={"clusters": clusters, "assignments": assignments},
        append={"ingest_log": _log_frame(report)},
        meta={"last_run": report.run_id, "last_run_at": _now()},
    )
    return report


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _log_frame(report: RunReport) -> pd.DataFrame:
    at = _now()
    return pd.DataFrame(
        [{"run_id": report.run_id, "origin": r.origin, "status": r.status, "reason": r.reason, "article_id": r.article_id, "at": at} for r in report.results],
        columns=INGEST_LOG_COLUMNS,
    )


def _write_log(store_dir: str | Path, report: RunReport, has_store: bool) -> None:
    """A run that added nothing still records its answers (and creates an empty store the first time)."""
    store.write(store_dir, append={"ingest_log": _log_frame(report)}, meta={"last_run": report.run_id, "last_run_at": _now()})


def load_tables(store_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Every pipeline table of a store, with its documented columns present (empty tables included).

    ``articles.cluster_id`` is read from the latest topic assignments (the
    topics stage refits over the whole corpus, so it is not stored per article).
    """
    tables = {name: store.read(store_dir, name, cols) for name, cols in TABLE_COLUMNS.items()}
    articles, assignments = tables["articles"], tables["assignments"]
    cluster_of = dict(zip(assignments["article_id"], assignments["cluster_id"]))
    articles["cluster_id"] = [int(cluster_of.get(a, -1)) for a in articles["article_id"]]
    tables["articles"] = articles[ARTICLE_COLUMNS + [c for c in articles.columns if c not in ARTICLE_COLUMNS]]
    return tables
