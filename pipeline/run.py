"""The pipeline run: inputs → articles → per-article stages → topics → store, in one transaction.

:func:`annotate` runs the per-article stages (actors, signals, figures) on a
batch of articles and is the unit that can run partition-wise on a
distributed engine; :func:`run` adds ingest, duplicate detection and the
corpus-level topics stage, and writes everything to the store at once.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from pipeline import ingest, registry, schema, store
from pipeline.engines import Engine, PartitionStats, make_engine, peak_rss_mb, timed
from pipeline.ingest import ARTICLE_COLUMNS, IngestResult, RawDocument
from pipeline.read.tables import effective_date, load_tables  # noqa: F401 - one place for both; re-exported
from pipeline.stages import actors, dedup, topics

EXPORT_TABLES = schema.EXPORT_TABLES
INGEST_LOG_COLUMNS = schema.columns("ingest_log")

Progress = Callable[[str, int, int], None]


@dataclass
class RunReport:
    """What a run did: one result per input, and counts."""

    run_id: str
    results: list[IngestResult] = field(default_factory=list)
    seconds: float = 0.0
    partitions: list[PartitionStats] = field(default_factory=list)  # what each partition cost on its worker
    phases: dict[str, float] = field(default_factory=dict)          # wall seconds per phase of the run

    def count(self, status: str) -> int:
        """Number of inputs with this status (added, duplicate, near_duplicate, rejected)."""
        return sum(1 for r in self.results if r.status == status)

    def summary(self) -> str:
        """One line for people: counts by status and time."""
        return (
            f"{self.count('added') + self.count('near_duplicate')} added ({self.count('near_duplicate')} of them near-duplicates), "
            f"{self.count('duplicate')} duplicates, {self.count('rejected')} rejected in {self.seconds:.1f} s"
        )


# The tables the per-article stages write, in run order (from the stage registry).
ANNOTATION_STAGES = registry.PER_ARTICLE_TABLES


def annotate(articles: pd.DataFrame, *, stages: Iterable[str] | None = None,
             stored_mentions: dict[str, list[dict]] | None = None, alias: bool = True,
             seconds: dict[str, float] | None = None) -> dict[str, pd.DataFrame]:
    """Run the registered per-article stages on a batch of articles.

    ``articles`` needs ``article_id``, ``text``, ``date`` and ``date_inferred``.
    Returns one DataFrame per table name in ``stages`` (of ``ANNOTATION_STAGES``)
    with the declared columns of that table, ``article_id`` first. A stage
    whose output another one reads runs too. ``stored_mentions`` (article_id ->
    actor-mention rows) stands in for the actors stage: the stages that read
    ``actor_mentions`` then build on the mentions already stored. ``alias``: give
    each unlisted person one spelling across the batch (a run does it once over
    all its partitions instead). ``seconds``, if given, receives each stage's time.
    """
    known = registry.per_article_tables()
    stages = known if stages is None else tuple(stages)
    unknown = set(stages) - set(known)
    if unknown:
        raise ValueError(f"stages must be among {known}, got {sorted(unknown)}")
    needed = set(stages)
    for stage in reversed(registry.per_article()):
        if stage.output in needed:
            needed |= set(stage.inputs) & set(known)
    stored = {"actor_mentions": stored_mentions} if stored_mentions is not None else {}
    to_run = [s for s in registry.per_article() if s.output in needed and s.output not in stored]
    tables: dict[str, list[dict]] = {name: [] for name in stages}
    for article in articles.to_dict("records"):
        text, date, aid = article["text"], effective_date(article), article["article_id"]
        produced = {name: rows.get(aid, []) for name, rows in stored.items()}
        for stage in to_run:
            inputs = {"mentions": produced["actor_mentions"]} if "actor_mentions" in stage.inputs else {}
            started = time.perf_counter()
            produced[stage.output] = stage.module.extract(text, date=date, **inputs)
            if seconds is not None:
                seconds[stage.name] = seconds.get(stage.name, 0.0) + time.perf_counter() - started
        for name in stages:
            tables[name] += [{"article_id": aid, **row} for row in produced[name]]
    if alias and "actor_mentions" in tables and "actor_mentions" not in stored:
        actors.alias_across(tables["actor_mentions"])  # one spelling per unlisted person across the batch
    return {name: pd.DataFrame(rows, columns=schema.stored_columns(name)) for name, rows in tables.items()}


def annotate_partition(articles: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], PartitionStats]:
    """One partition of a run's per-article stages, as an engine runs it on a worker.

    Every registered per-article stage, without the across-articles spelling step (the run does
    that once over all partitions, so the output does not depend on how articles are partitioned).
    Returns the tables and what the partition cost on its worker.
    """
    stats = PartitionStats(worker=f"{socket.gethostname()}:{os.getpid()}", articles=len(articles))
    tables = annotate(articles, alias=False, seconds=stats.seconds)
    stats.peak_rss_mb = peak_rss_mb()
    return tables, stats


def clean_partition(documents: list[RawDocument]) -> tuple[list[tuple[dict, bytes] | IngestResult], PartitionStats]:
    """One partition of raw documents cleaned and signed (``ingest.clean_documents``) on a worker."""
    stats = PartitionStats(worker=f"{socket.gethostname()}:{os.getpid()}", articles=len(documents))
    cleaned, stats.seconds["clean"] = timed(lambda: ingest.clean_documents(documents))
    stats.peak_rss_mb = peak_rss_mb()
    return cleaned, stats


@dataclass
class DedupState:
    """What the store already holds, for deciding duplicates: ids, URL keys, input keys and the originals' signatures."""

    ids: set[str] = field(default_factory=set)
    url_keys: dict[str, str] = field(default_factory=dict)
    input_keys: dict[str, str] = field(default_factory=dict)
    index: dedup.NearDuplicateIndex = field(default_factory=dedup.NearDuplicateIndex)
    # signatures recomputed because the stored ones were made by another scheme: to be written back
    recomputed: list[tuple[str, bytes]] = field(default_factory=list)

    def signatures_to_write(self, new_sigs: pd.DataFrame) -> pd.DataFrame:
        """The new articles' signatures, plus any recomputed stored ones."""
        if not self.recomputed:
            return new_sigs
        return pd.concat([pd.DataFrame(self.recomputed, columns=["article_id", "signature"]), new_sigs], ignore_index=True)

    @classmethod
    def from_store(cls, store_dir: str | Path) -> "DedupState":
        """Load the state of an existing store (signatures made by another scheme are recomputed)."""
        state = cls()
        if not store.exists(store_dir):
            return state
        known = store.read_columns(store_dir, "articles", ["article_id", "url", "url_key", "duplicate_of"])
        state.ids = set(known["article_id"].astype(str))
        for aid, url, key in zip(known["article_id"], known["url"].fillna(""), known["url_key"].fillna("")):
            key = key or dedup.normalise_url(url)
            if key:
                state.url_keys.setdefault(key, aid)
        inputs = store.read_columns(store_dir, "inputs", ["input_key", "article_id"])
        state.input_keys = dict(zip(inputs["input_key"], inputs["article_id"]))
        originals = set(known.loc[known["duplicate_of"].fillna("") == "", "article_id"])
        if store.read_meta(store_dir).get("signature_scheme") == dedup.SIGNATURE_SCHEME:
            sigs = store.read_columns(store_dir, "signatures", ["article_id", "signature"])
            for aid, blob in zip(sigs["article_id"], sigs["signature"]):
                if aid in originals and blob is not None:
                    state.index.add(aid, dedup.signature_from_bytes(blob))
        else:  # stored signatures were made differently (or not at all): recompute from the texts
            texts = store.read_columns(store_dir, "articles", ["article_id", "text"])
            for aid, text in zip(texts["article_id"], texts["text"]):
                sig = dedup.signature(text or "")
                state.recomputed.append((aid, dedup.signature_to_bytes(sig)))
                if aid in originals:
                    state.index.add(aid, sig)
        return state


def _cleaned(documents: list[RawDocument], engine: Engine | None, stats: list[PartitionStats],
             chunk: int = 50) -> Iterator[tuple[RawDocument, tuple[dict, bytes] | IngestResult]]:
    """Clean documents in order, partition by partition on ``engine`` when there are many.

    Takes the documents out of ``documents`` as it goes (the list ends empty), so that a raw page is
    freed once cleaned. A few documents (under two partitions) are cleaned in this process.
    """
    documents.reverse()  # pop() from the end = the next document in order
    if engine is None or (engine.workers <= 1 and engine.name == "local") or len(documents) < 2 * chunk:
        while documents:
            doc = documents.pop()
            yield doc, ingest.clean_document(doc)
        return

    def partitions() -> Iterator[list[RawDocument]]:
        while documents:
            yield [documents.pop() for _ in range(min(chunk, len(documents)))]

    sent: list[list[RawDocument]] = []

    def remembered() -> Iterator[list[RawDocument]]:  # the engine yields in order: pair results with their inputs
        for part in partitions():
            sent.append(part)
            yield part

    for cleaned, part_stats in engine.map(clean_partition, remembered()):
        stats.append(part_stats)
        yield from zip(sent.pop(0), cleaned)


from pipeline.engines import default_workers  # noqa: E402,F401 - kept here for callers of run.default_workers


def prepare_articles(
    documents: Iterable[RawDocument],
    state: DedupState,
    results: list[IngestResult],
    *,
    engine: Engine | None = None,
    stats: list[PartitionStats] | None = None,
    partition_size: int = 50,
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Clean documents into new articles, skipping exact duplicates and linking near duplicates.

    ``state`` describes the stored articles and receives the new ones (so a
    document repeated within one run is a duplicate too). Appends one result
    per document to ``results``. Returns (new articles, their signatures, the
    keys of the inputs read), the frames to store. Cleaning runs partition-wise
    on ``engine`` (in this process without one); the duplicate decisions are
    taken here, in input order, so they do not depend on the engine.
    """
    tick = progress or (lambda stage, done, total: None)
    rows, sigs, inputs = [], [], []
    fresh: list[RawDocument] = []
    total = 0
    for doc in documents:  # inputs already read by an earlier run need no cleaning
        total += 1
        key = doc.input_key()
        if key in state.input_keys:
            aid = state.input_keys[key]
            results.append(IngestResult(doc.origin, "duplicate", f"same input as article {aid}, already stored", aid))
        else:
            fresh.append(doc)
    done = total - len(fresh)
    tick("ingest", done, total)
    n_fresh = len(fresh)
    cleaned_stream = _cleaned(fresh, engine, stats if stats is not None else [], partition_size)
    # On a cluster the candidates for near duplicates come from a shuffle on the LSH band keys; the
    # decisions below are taken in input order either way, so both give the same duplicates.
    neighbours: dict[int, set[int]] | None = None
    shuffle = getattr(engine, "earlier_band_neighbours", None)
    if shuffle is not None and n_fresh >= 2 * partition_size:
        cleaned_list = list(cleaned_stream)
        neighbours = shuffle([(pos, c[1]) for pos, (_, c) in enumerate(cleaned_list) if not isinstance(c, IngestResult)])
        cleaned_stream = iter(cleaned_list)
    original_at: dict[int, tuple[str, object]] = {}   # shuffle path: position → (id, signature) of this run's originals
    for pos, (doc, cleaned) in enumerate(cleaned_stream):
        done += 1
        if done % 500 == 0 or done == total:
            tick("ingest", done, total)
        if isinstance(cleaned, IngestResult):
            results.append(cleaned)
            continue
        record, sig_bytes = cleaned
        notes = record.pop("notes", "")     # malformed fields dropped from a kept article
        aid, key = record["article_id"], doc.input_key()
        if aid in state.ids:
            results.append(IngestResult(doc.origin, "duplicate", f"same text as article {aid}", aid))
            state.input_keys[key] = aid
            inputs.append((key, aid))
            continue
        url_key = record["url_key"]
        if url_key and url_key in state.url_keys:
            other = state.url_keys[url_key]
            results.append(IngestResult(doc.origin, "duplicate", f"same URL as article {other}", other))
            state.input_keys[key] = other
            inputs.append((key, other))
            continue
        sig = dedup.signature_from_bytes(sig_bytes)
        if neighbours is None:
            near = state.index.find(sig)
        else:
            candidates = {cid: state.index.signature_of(cid) for cid in state.index.candidates(sig)}  # stored originals
            candidates.update(original_at[p] for p in neighbours.get(pos, ()) if p in original_at)
            near = dedup.best_match(sig, candidates, state.index.threshold)
        if near:
            record["duplicate_of"] = near[0]
            reason = f"near copy ({near[1]:.0%} similar) of article {near[0]}" + (f"; {notes}" if notes else "")
            results.append(IngestResult(doc.origin, "near_duplicate", reason, aid))
        else:
            if neighbours is None:
                state.index.add(aid, sig)
            else:
                original_at[pos] = (aid, sig)
            results.append(IngestResult(doc.origin, "added", notes, aid))
        state.ids.add(aid)
        if url_key:
            state.url_keys[url_key] = aid
        state.input_keys[key] = aid
        inputs.append((key, aid))
        rows.append(record)
        sigs.append((aid, sig_bytes))
    return (
        pd.DataFrame(rows, columns=ARTICLE_COLUMNS),
        pd.DataFrame(sigs, columns=["article_id", "signature"]),
        pd.DataFrame(inputs, columns=["input_key", "article_id"]),
    )


def _take(documents: Iterable[RawDocument]) -> Iterator[RawDocument]:
    """Iterate over documents, emptying the list they came in (so nothing else keeps them alive)."""
    if isinstance(documents, list):
        documents.reverse()
        while documents:
            yield documents.pop()
    else:
        yield from documents


def read_inputs(paths: Iterable[str | Path]) -> tuple[list[RawDocument], list[IngestResult]]:
    """Read files, folders, URLs and feed URLs (``http(s)://``) into documents and rejections."""
    documents: list[RawDocument] = []
    rejected: list[IngestResult] = []
    local, remote = [], []
    for p in paths:
        (remote if str(p).startswith(("http://", "https://")) else local).append(p)
    items: list[Iterable] = [ingest.iter_documents(local)]
    if remote:
        from pipeline import fetch

        items.append(fetch.iter_url_documents(remote))
    for source in items:
        for item in source:
            (rejected if isinstance(item, IngestResult) else documents).append(item)
    return documents, rejected


def run(
    paths: Iterable[str | Path] | None = None,
    store_dir: str | Path = "store",
    *,
    documents: Iterable[RawDocument] | None = None,
    rejected: Iterable[IngestResult] = (),
    progress: Progress | None = None,
    stages: bool = True,
    workers: int | None = None,
    engine: str | Engine = "local",
    scheduler: str | None = None,
    partition_size: int = 50,
) -> RunReport:
    """Ingest ``paths`` (files, folders, URLs, feeds) or ready ``documents`` into the store at ``store_dir``.

    With ``stages`` (the default) every stage runs, on the new articles and on
    any stored article an ingest-only run left unannotated; with
    ``stages=False`` only ingest and duplicate detection run (the fast path
    for bulk loads). Running twice on the same input adds nothing twice. All
    writes happen in one transaction at the end: a run that fails or is
    killed leaves the store as it was.

    ``engine`` (``"local"``, ``"dask"`` or an engine object, see
    :mod:`pipeline.engines`) runs cleaning and the per-article stages
    partition by partition (``partition_size`` articles); ``workers`` and
    ``scheduler`` configure the engine it makes. The store's contents do not
    depend on the engine, the workers or the partition size.
    """
    if partition_size < 1:
        raise ValueError(f"partition_size must be at least 1, got {partition_size}")
    own_engine = isinstance(engine, str)
    engine_obj = make_engine(engine, workers=workers, scheduler=scheduler, warm=stages) if own_engine else engine
    started = time.perf_counter()
    try:
        owned = documents is None
        if owned:   # files and URLs are read before the store is locked
            documents, read_rejected = read_inputs(paths or [])
            rejected = list(rejected) + read_rejected
        read_seconds = time.perf_counter() - started
        # the duplicate decisions and the write see the same store; every read of it shares one connection
        with store.writer_lock(store_dir), store.read_session(store_dir):
            report = _run(store_dir, documents, owned, rejected, progress, stages, engine_obj, partition_size, started)
        report.phases = {"read inputs": read_seconds, **report.phases}
        return report
    finally:
        if own_engine:
            engine_obj.close()


def _run(store_dir, documents, owned: bool, rejected, progress, stages, engine: Engine, partition_size: int,
         started: float) -> RunReport:
    report = RunReport(run_id=uuid.uuid4().hex[:12])
    report.results.extend(rejected)
    tick = progress or (lambda stage, done, total: None)

    has_store = store.exists(store_dir)
    phase_started = time.perf_counter()
    state = DedupState.from_store(store_dir)
    report.phases["read store"] = time.perf_counter() - phase_started
    # our own list of raw pages is emptied as they are cleaned (freeing them); a caller's is left alone
    queue, documents = (_take(documents) if owned else iter(documents)), None
    phase_started = time.perf_counter()
    new_articles, new_sigs, new_inputs = prepare_articles(
        queue, state, report.results, engine=engine, stats=report.partitions,
        partition_size=partition_size, progress=tick)
    report.phases["clean"] = time.perf_counter() - phase_started   # with the duplicate decisions, in input order

    meta = {"last_run": report.run_id, "last_run_at": _now(), "signature_scheme": dedup.SIGNATURE_SCHEME,
            store.STAGE_VERSIONS_KEY: store.stage_versions_after(store_dir)}
    if not stages:
        report.seconds = time.perf_counter() - started
        new_articles = new_articles.drop(columns=["cluster_id"]).assign(annotated=0)
        store.write(
            store_dir,
            upsert={"articles": new_articles, "signatures": state.signatures_to_write(new_sigs)},
            append={"inputs": new_inputs, "ingest_log": _log_frame(report)},
            meta=meta,
        )
        return report

    known = store.read(store_dir, "articles", ARTICLE_COLUMNS + ["annotated"]) if has_store else pd.DataFrame(columns=ARTICLE_COLUMNS + ["annotated"])
    pending = known[known["annotated"].fillna(1).astype(int) == 0] if not known.empty else known
    if new_articles.empty and pending.empty:
        report.seconds = time.perf_counter() - started
        store.write(store_dir, upsert={"signatures": state.signatures_to_write(new_sigs)},
                    append={"inputs": new_inputs, "ingest_log": _log_frame(report)}, meta=meta)
        return report

    to_annotate = pd.concat([new_articles, pending[ARTICLE_COLUMNS]], ignore_index=True) if not pending.empty else new_articles
    phase_started = time.perf_counter()
    stage_tables = annotate_all(to_annotate, engine, partition_size, report.partitions, tick)
    report.phases["annotate"] = time.perf_counter() - phase_started

    all_articles = pd.concat([known[ARTICLE_COLUMNS], new_articles], ignore_index=True) if not known.empty else new_articles
    tick("topics", 0, 1)
    phase_started = time.perf_counter()
    assignments, clusters = update_topics(store_dir if has_store else None, all_articles)
    report.phases["topics"] = time.perf_counter() - phase_started
    tick("topics", 1, 1)

    report.seconds = time.perf_counter() - started
    articles_out = pd.concat([new_articles, pending[ARTICLE_COLUMNS]], ignore_index=True) if not pending.empty else new_articles
    store.write(
        store_dir,
        upsert={
            "articles": articles_out.drop(columns=["cluster_id"]).assign(annotated=1),
            "signatures": state.signatures_to_write(new_sigs),
            **stage_tables,
        },
        replace={"clusters": clusters, "assignments": assignments},
        append={"inputs": new_inputs, "ingest_log": _log_frame(report)},
        meta=meta,
    )
    report.phases["write"] = time.perf_counter() - started - report.seconds
    report.seconds = time.perf_counter() - started
    return report


def annotate_all(articles: pd.DataFrame, engine: Engine | None, partition_size: int,
                 stats: list[PartitionStats], tick: Progress) -> dict[str, pd.DataFrame]:
    """The per-article stages over ``articles``, partition by partition on ``engine``, then the global spelling step.

    One partition runs in this process (no worker to start for a handful of articles). Returns one
    table per per-article stage, rows in the articles' order.
    """
    total = len(articles)
    parts = [articles.iloc[i:i + partition_size] for i in range(0, total, partition_size)]
    mapped = engine.map(annotate_partition, parts) if engine is not None and len(parts) > 1 else map(annotate_partition, parts)
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in registry.per_article_tables()}
    done = 0
    tick("annotate", 0, total)
    for tables, part_stats in mapped:
        for name, frame in tables.items():
            frames[name].append(frame)
        stats.append(part_stats)
        done += part_stats.articles
        tick("annotate", done, total)
    out = {name: pd.concat(parts_, ignore_index=True) if parts_ else pd.DataFrame(columns=schema.stored_columns(name))
           for name, parts_ in frames.items()}
    if "actor_mentions" in out and not out["actor_mentions"].empty:  # one spelling per unlisted person across the run
        mentions = out["actor_mentions"].to_dict("records")
        out["actor_mentions"] = pd.DataFrame(actors.alias_across(mentions), columns=out["actor_mentions"].columns)
    return out


def update_topics(store_dir: str | Path | None, all_articles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Topic assignments and clusters for the whole corpus after a run.

    Articles without an assignment are placed in the stored clusters
    (``topics.assign``, no refit) while ``topics.needs_refit`` says the model
    still fits: the corpus has grown by at most 20% since the fit and at most
    30% of the new articles land in no cluster. Otherwise every article is
    refitted, warm-started from the stored clusters so that matching
    clusters keep their ids.
    """
    previous = store.read(store_dir, "clusters", topics.CLUSTER_COLUMNS) if store_dir is not None else None
    if previous is None or previous.empty:
        return topics.cluster(all_articles)
    if not topics.needs_refit(previous, len(all_articles)):
        stored = store.read(store_dir, "assignments", topics.ASSIGNMENT_COLUMNS)
        unassigned = all_articles.loc[~all_articles["article_id"].isin(set(stored["article_id"]))]
        placed = topics.assign(unassigned, previous)
        if not topics.needs_refit(previous, len(all_articles), placed):
            return pd.concat([stored, placed], ignore_index=True), previous
    return topics.cluster(all_articles, previous_clusters=previous)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _log_frame(report: RunReport) -> pd.DataFrame:
    at = _now()
    return pd.DataFrame(
        [{"run_id": report.run_id, "origin": r.origin, "status": r.status, "reason": r.reason, "article_id": r.article_id, "at": at} for r in report.results],
        columns=INGEST_LOG_COLUMNS,
    )


def retag_partition(part: tuple[str, pd.DataFrame, dict[str, list[dict]]]) -> pd.DataFrame:
    """One partition of a retag on a worker: (output table, articles, their stored actor mentions) → the table's rows."""
    output, articles, mentions = part
    return annotate(articles, stages=(output,), stored_mentions=mentions)[output]


def retag(store_dir: str | Path, stage: str, *, progress: Progress | None = None, batch: int = 500,
          engine: str | Engine = "local", workers: int | None = None, scheduler: str | None = None) -> int:
    """Re-run ``signals``, ``figures`` or ``topics`` over a whole store.

    For when a stage's lexicons or rules change: the stored articles and
    their stored actor mentions are reused (no new NER), and the stage's table
    is replaced in one transaction, so the store never holds half old, half
    new rows. Gives the same rows as a full run with the current code.
    ``topics`` refits every article, warm-started from the stored clusters so
    that matching clusters keep their ids. Returns the number of rows written.
    A per-article stage runs partition by partition (``batch`` articles) on
    ``engine`` (see :func:`run`); one partition runs in this process.
    """
    retaggable = registry.names("retag")
    if stage not in retaggable:
        raise ValueError(f"stage must be one of {sorted(retaggable)}, got {stage!r}")
    if not store.exists(store_dir):
        raise store.StoreMissing(f"no store at {store_dir}")
    if registry.get(stage).kind == "global":
        return _refit_topics(store_dir, progress)
    output = registry.get(stage).output
    articles = store.read(store_dir, "articles", ["article_id", "text", "date", "date_inferred"])
    mentions = store.read(store_dir, "actor_mentions", schema.columns("actor_mentions"))
    stored = {aid: group.drop(columns="article_id").to_dict("records") for aid, group in mentions.groupby("article_id", sort=False)}
    frames: list[pd.DataFrame] = []
    total = len(articles)
    parts = [articles.iloc[start:start + batch] for start in range(0, total, batch)]
    work = ((output, part, {aid: stored[aid] for aid in part["article_id"] if aid in stored}) for part in parts)
    own_engine = isinstance(engine, str) and len(parts) > 1
    engine_obj = make_engine(engine, workers=workers, scheduler=scheduler) if own_engine else engine
    try:
        mapped = engine_obj.map(retag_partition, work) if len(parts) > 1 else map(retag_partition, work)
        for part, frame in zip(parts, mapped):
            frames.append(frame)
            if progress:
                progress(stage, min(len(frames) * batch, total), total)
    finally:
        if own_engine:
            engine_obj.close()
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=schema.stored_columns(output))
    meta = {f"retagged_{stage}_at": _now(), store.STAGE_VERSIONS_KEY: store.stage_versions_after(store_dir, [stage])}
    store.write(store_dir, replace={output: table}, meta=meta)
    return len(table)


def _refit_topics(store_dir: str | Path, progress: Progress | None) -> int:
    """Refit topic clusters over every stored article (stable ids by centroid match)."""
    if progress:
        progress("topics", 0, 1)
    articles = store.read(store_dir, "articles", ARTICLE_COLUMNS)
    previous = store.read(store_dir, "clusters", topics.CLUSTER_COLUMNS)
    assignments, clusters = topics.cluster(articles, previous_clusters=None if previous.empty else previous)
    meta = {"retagged_topics_at": _now(), store.STAGE_VERSIONS_KEY: store.stage_versions_after(store_dir, ["topics"])}
    store.write(store_dir, replace={"clusters": clusters, "assignments": assignments}, meta=meta)
    if progress:
        progress("topics", 1, 1)
    return len(assignments)
