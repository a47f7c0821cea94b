"""The stage registry: every stage's name, kind, inputs, output table and version, in run order.

``run`` (``pipeline.run.annotate``), ``retag``, ``extract`` and ``bench`` loop over it. A stage's code is
``pipeline/stages/<name>.py``, its tests ``tests/test_<name>.py``; its output table is declared in
``pipeline/schema.py``. A new per-article stage is one module with
``extract(text, *, date=None, mentions=None) -> list[dict]`` (rows of its table, without ``article_id``),
one entry here, its table in the schema, and its tests.

Kinds: ``ingest`` stages run inside ingest on each raw document (clean, dates, dedup); ``per_article``
stages run on batches of stored articles (``annotate``); ``global`` stages run over the whole corpus
(topics). This module imports no stage: :attr:`Stage.module` imports one when it is asked for.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Stage:
    """One registered stage."""

    name: str                   # module pipeline/stages/<name>.py, tests tests/test_<name>.py
    kind: str                   # "ingest" | "per_article" | "global"
    output: str                 # the table it writes (declared in pipeline/schema.py)
    inputs: tuple[str, ...]     # tables (or "documents") it reads
    version: int                # raise when its output changes for the same input
    extract: bool = False       # offered by `python -m pipeline extract`
    retag: bool = False         # offered by `python -m pipeline retag` (re-run over a store)
    bench: bool = True          # measured by `python -m pipeline bench`

    @property
    def module(self) -> ModuleType:
        """The stage's module, imported on first use."""
        return importlib.import_module(f"pipeline.stages.{self.name}")


STAGES: tuple[Stage, ...] = (
    Stage("clean", "ingest", "articles", ("documents",), 2),          # 2: credits, bylines, author bios (#20)
    Stage("dates", "ingest", "articles", ("documents",), 3, extract=True, bench=False),  # 2: no caption dates; 3: print-edition citations (#16)
    Stage("dedup", "ingest", "signatures", ("articles",), 1),
    Stage("actors", "per_article", "actor_mentions", ("articles",), 3, extract=True),  # 2: post-NER checks (#20); 3: NER reads windows, not a plain sentence-initial word (#22); one spelling per person is applied on read
    Stage("signals", "per_article", "signals", ("articles", "actor_mentions"), 3, extract=True, retag=True),  # 3: non-political vetoes (#18)
    Stage("figures", "per_article", "figures", ("articles", "actor_mentions"), 2, extract=True, retag=True),  # 2: counts of the #19 classes
    Stage("topics", "global", "clusters", ("articles",), 1, retag=True),
)


#: How a stage receives another stage's table: the keyword argument of its ``extract`` that carries the rows
#: of that table for the article (``inputs`` name tables; "articles" is the text and date themselves).
INPUT_ARGUMENTS = {"actor_mentions": "mentions"}


class UnknownStage(KeyError):
    """No stage of that name is registered."""


def get(name: str) -> Stage:
    """The registered stage ``name``."""
    for stage in STAGES:
        if stage.name == name:
            return stage
    raise UnknownStage(f"no stage {name!r} (registered: {', '.join(s.name for s in STAGES)})")


def per_article() -> tuple[Stage, ...]:
    """The per-article stages, in run order (a stage comes after the stages whose tables it reads)."""
    return tuple(s for s in STAGES if s.kind == "per_article")


def names(flag: str) -> tuple[str, ...]:
    """Names of the stages with ``flag`` set (``"extract"``, ``"retag"`` or ``"bench"``)."""
    return tuple(s.name for s in STAGES if getattr(s, flag))


def versions() -> dict[str, int]:
    """Every registered stage's current version, by name (recorded in a store by the runs that write it)."""
    return {s.name: s.version for s in STAGES}


def per_article_tables() -> tuple[str, ...]:
    """The tables the per-article stages write (rows replaced article by article), in run order."""
    return tuple(s.output for s in per_article())


#: :func:`per_article_tables` of the registry as shipped.
PER_ARTICLE_TABLES = per_article_tables()
