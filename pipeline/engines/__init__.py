"""Engines: where the stages' partitions run.

An engine maps a plain, picklable function over partitions (lists of records or DataFrames) and
yields the results **in input order**; :mod:`pipeline.run` stays the orchestrator and the single
writer of the store. Two engines:

- ``local`` (:class:`pipeline.engines.local.LocalEngine`): this machine's cores, a process pool
  (``fork``), each worker warmed once (spaCy, the signal model, the lexicons);
- ``dask`` (:class:`pipeline.engines.dask.DaskEngine`): a ``dask.distributed`` cluster, a
  ``LocalCluster`` when no scheduler address is given. A lost worker's partitions are run again
  elsewhere, and results come back in order, so no article is lost or doubled.

The global steps (duplicates across partitions, topics) run in :mod:`pipeline.run` on what the
partitions return; see ``docs/scale.md`` for what is serial and what it costs.
"""
from __future__ import annotations

import resource
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Protocol

ENGINES = ("local", "dask")


class EngineError(RuntimeError):
    """An engine cannot run: its cluster is unreachable or its workers cannot run the stages (said how to fix)."""


class Engine(Protocol):
    """What :mod:`pipeline.run` asks of an engine."""

    name: str
    workers: int

    def map(self, fn: Callable[[Any], Any], partitions: Iterable[Any]) -> Iterator[Any]:
        """``fn`` over every partition, results yielded in input order."""

    def close(self) -> None:
        """Release the workers (a no-op for an engine given an outside cluster's address)."""


def make_engine(name: str = "local", *, workers: int | None = None, scheduler: str | None = None,
                warm: bool = True) -> Engine:
    """The engine called ``name`` (``local`` or ``dask``), validated here, at the edge.

    ``workers``: processes (default: the machine's cores, at most 8; for ``dask`` with a
    ``scheduler`` it is read from the cluster). ``scheduler``: a Dask scheduler address
    (``tcp://HOST:8786``); only for ``dask``. ``warm``: load the stages' models in every worker
    before the first partition (off for an ingest-only run).
    """
    if name not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {name!r}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if scheduler is not None and name != "dask":
        raise ValueError("--scheduler needs --engine dask")
    if name == "local":
        from pipeline.engines.local import LocalEngine

        return LocalEngine(workers, warm=warm)
    from pipeline.engines.dask import DaskEngine

    return DaskEngine(workers, scheduler=scheduler, warm=warm)


def default_workers() -> int:
    """The machine's cores, at most 8."""
    import os

    return max(1, min(8, os.cpu_count() or 1))


def warm_up() -> None:
    """Load every per-article stage's models and lexicons once in this process (a worker's initializer)."""
    import pandas as pd

    from pipeline import run

    run.annotate(pd.DataFrame([{"article_id": "warm-up", "date": None, "date_inferred": None,
                                "text": "NATO said on Monday that Russia moved 1,000 troops to the border."}]))


@dataclass
class PartitionStats:
    """What one partition cost on its worker: seconds per stage, the worker's peak memory."""

    worker: str
    seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    articles: int = 0


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeMemory:
    """The peak memory of this process and every process it started (workers, a LocalCluster's nannies),
    sampled in a thread while the ``with`` block runs: the sum of their proportional set sizes (PSS), so a
    model's pages that forked workers share are counted once, not once per worker as RSS counts them."""

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _total_mb(self) -> float:
        import psutil

        me = psutil.Process()
        total = 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                total += proc.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, AttributeError):
                continue   # a worker that just ended; AttributeError: no PSS on this platform
        return total / 2 ** 20

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._total_mb())
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """``fn()`` and its wall time in seconds."""
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started
