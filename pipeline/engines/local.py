"""The local engine: the partitions over this machine's cores, in a process pool.

Workers are forked (pages shared copy-on-write, nothing re-imported). With ``warm`` the models are
loaded once in this process before the fork (:func:`pipeline.engines.warm_up`), so every worker
shares them instead of loading its own. At most ``2 × workers`` partitions are in flight, so memory stays
bounded whatever the corpus size; results come back in input order. One worker runs in-process.
A worker that dies ends the run with an error: the store is written once at the end, so it is left
as it was (the Dask engine, by contrast, runs a lost partition again).
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator

from pipeline.engines import default_workers, warm_up


_PR_SET_PDEATHSIG = 1   # prctl(2) option: the signal a process gets when its parent dies


def die_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this worker when the run's process dies, even by SIGKILL (Linux).

    Without it a killed run would leave its workers behind, holding the terminal's pipes.
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):   # not Linux: workers end when their task queue closes
        return
    if os.getppid() != parent_pid:      # the parent died before prctl took effect
        os._exit(1)


class LocalEngine:
    """Partitions over ``workers`` local processes (``fork``); 1 worker = in this process."""

    name = "local"

    def __init__(self, workers: int | None = None, *, warm: bool = True):
        self.workers = workers or default_workers()
        self.warm = warm
        if "fork" not in multiprocessing.get_all_start_methods():
            self.workers = 1   # no fork (Windows, macOS default): in-process, never a re-imported __main__
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            if self.warm:
                warm_up()
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("fork"),
                                             initializer=die_with_parent, initargs=(os.getpid(),))
        return self._pool

    def map(self, fn: Callable[[Any], Any], partitions: Iterable[Any]) -> Iterator[Any]:
        """``fn`` over every partition, in order; in-process with one worker."""
        if self.workers <= 1:
            for part in partitions:
                yield fn(part)
            return
        pool, in_flight = self._executor(), deque()
        parts = iter(partitions)
        for part in parts:
            in_flight.append(pool.submit(fn, part))
            if len(in_flight) >= 2 * self.workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()

    def worker_pids(self) -> list[int]:
        """The worker processes' ids (none before the first parallel map, or with one worker)."""
        if self._pool is None:
            return []
        return sorted(p.pid for p in (self._pool._processes or {}).values())  # stdlib keeps them there

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "LocalEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
