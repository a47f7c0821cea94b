"""The tables of a store as the dashboard and the exports read them (no stage is imported here)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import names, registry, schema, store
from pipeline.schema import effective_date  # noqa: F401 - the one definition, re-exported for readers

#: The tables :func:`load_tables` reads: the articles, the topics stage's, and every per-article stage's (from the
#: registry, so a new stage's table is read without an edit here).
READ_TABLES = ("articles", "clusters", "assignments") + registry.per_article_tables()


#: The tables whose rows sit in their article's month folder of a Parquet store (a window of months reads those).
_BY_ARTICLE_MONTH = ("articles", "assignments") + registry.per_article_tables()


def load_tables(store_dir: str | Path, months: tuple[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """Every pipeline table of a store, with its declared columns present (empty tables included), and the
    ``claims`` table grouped from the figures (``figures.claim_id`` links each figure to its claim).

    ``articles.cluster_id`` is read from the latest topic assignments (the
    topics stage refits over the whole corpus, so it is not stored per article).
    ``months`` (``YYYY-MM`` bounds, inclusive; a Parquet store only): the articles dated in those months and
    their rows, for a store too large to read whole (:mod:`pipeline.read.window`); claims are then grouped
    over those articles.
    """
    tables = {name: read_table(store_dir, name, months if name in _BY_ARTICLE_MONTH else None) for name in READ_TABLES}
    articles, assignments = tables["articles"], tables["assignments"]
    cluster_of = dict(zip(assignments["article_id"], assignments["cluster_id"]))
    articles["cluster_id"] = [int(cluster_of.get(a, -1)) for a in articles["article_id"]]
    # One spelling per unlisted person across the whole store (not only within the batch a run annotated), so
    # counts, the network and quotes add up however the articles arrived: "Mykhailo Podolyak" and "Mykhailo
    # Podoliak" in two runs are one actor (the same names in signals' source and target).
    respell = names.spelling_map(tables["actor_mentions"])
    if respell:
        tables["actor_mentions"]["actor"] = tables["actor_mentions"]["actor"].replace(respell)
        for column in ("source_actor", "target_actor"):
            tables["signals"][column] = tables["signals"][column].replace(respell)
    declared = [c for c in schema.columns("articles") if c != "annotated"]
    tables["articles"] = articles[declared + [c for c in articles.columns if c not in declared]]
    # Claims: the global step over all figures (one commitment reported across articles), grouped here on read
    # over the whole store (so a claim keeps its id and all its articles whatever is filtered); each figure gets
    # its claim_id. The claims stage is pure pandas (no model), so a page load stays light.
    from pipeline.stages import claims as claims_stage

    tables["claims"], claim_ids = claims_stage.group(tables["figures"], tables["articles"])
    tables["figures"]["claim_id"] = claim_ids.astype(object) if len(claim_ids) else pd.Series(dtype=object)
    # Analyst corrections are laid over the signals on every read (they change every page at once and survive
    # run and retag); each signal says whether it was corrected.
    from pipeline import corrections

    found = corrections.read(store_dir)
    found["attached"] = corrections.attached(tables["signals"], found).astype(bool) if len(found) else pd.Series(dtype=bool)
    tables["signal_corrections"] = found
    tables["signals"] = corrections.apply(tables["signals"], found, tables["articles"])
    return tables


def read_table(store_dir: str | Path, name: str, months: tuple[str, str] | None = None) -> pd.DataFrame:
    """Table ``name`` of a store with its declared columns (:func:`pipeline.schema.conform`): empty when the store
    has no such table yet; a :class:`~pipeline.schema.SchemaError` when the stored table lacks a declared column.
    ``months``: only the rows of those month partitions (a Parquet store)."""
    frame = store.read(store_dir, name, months=months)
    if not len(frame.columns):   # the store has no such table yet (the SQLite reader gives no columns then)
        return schema.empty(name)
    return schema.conform(name, frame)


@dataclass(frozen=True)
class StaleStage:
    """A stage whose rows in a store were written by another version of it than this pipeline's."""

    stage: str
    stored: int | None      # the version that wrote the store's rows; None when the store does not record it
    current: int            # this pipeline's version
    remedy: str             # the command that brings the rows up to date


def stale_stages(store_dir: str | Path) -> list[StaleStage]:
    """The stages whose stored rows are not those this pipeline's stages would write (empty when up to date).

    A retaggable stage (``signals``, ``figures``, ``topics``) is brought up to date by ``retag``; the ingest
    and actor stages by running the sources into a new store.
    """
    recorded = store.stage_versions(store_dir)
    stale = []
    for stage in registry.STAGES:
        stored = recorded.get(stage.name)
        if stored == stage.version:
            continue
        remedy = (f"python -m pipeline retag {stage.name} --store {store_dir}" if stage.retag
                  else "python -m pipeline run SOURCES --store NEW_DIR (a new store from the same sources)")
        stale.append(StaleStage(stage.name, stored, stage.version, remedy))
    return stale
