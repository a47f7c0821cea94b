"""The Dask engine: the same partition functions on a ``dask.distributed`` cluster.

Without a scheduler address it starts a ``LocalCluster`` of ``workers`` processes, one thread
each (the stages hold the GIL: threads would not add speed). With ``scheduler="tcp://HOST:8786"``
it joins a running cluster whose workers have the project installed (see the README).

Every worker is warmed once by a worker plugin (:class:`WarmUp`), also when a nanny restarts a
worker that died. Partitions are submitted with retries and at most ``2 × workers`` in flight;
results are gathered in input order. If a worker is killed mid-run, the scheduler runs its
partitions again on another worker: each partition's result is taken exactly once, so no article
is lost or doubled.
"""
from __future__ import annotations

import logging
from collections import deque
from typing import Any, Callable, Iterable, Iterator

from distributed import Client, LocalCluster, WorkerPlugin

from pipeline.engines import default_workers, warm_up

RETRIES = 3   # a partition whose worker dies is run again this many times at most


class WarmUp(WorkerPlugin):
    """Worker plugin: load the stages' models once per worker process (on start and on restart)."""

    name = "pipeline-warm-up"
    idempotent = True

    def setup(self, worker) -> None:  # noqa: D401 - dask's plugin protocol
        warm_up()

    def teardown(self, worker) -> None:
        return None


class DaskEngine:
    """Partitions on a Dask cluster: a ``LocalCluster`` of ``workers`` processes, or the one at ``scheduler``."""

    name = "dask"

    def __init__(self, workers: int | None = None, *, scheduler: str | None = None, warm: bool = True):
        """Start (or join, with ``scheduler``) a cluster; ``warm`` loads the models in every worker."""
        self.scheduler = scheduler
        self._cluster = None
        if scheduler is None:
            self._cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1,
                                         processes=True, dashboard_address=":0", silence_logs=logging.ERROR)
            self.client = Client(self._cluster)
        else:
            self.client = Client(scheduler, timeout="30s")
        if warm:
            self.client.register_plugin(WarmUp())
        self.workers = max(1, len(self.client.scheduler_info()["workers"]))

    def worker_pids(self) -> dict[str, int]:
        """Each worker's address → its process id (for tests and the bench)."""
        import os

        return self.client.run(os.getpid)

    def map(self, fn: Callable[[Any], Any], partitions: Iterable[Any]) -> Iterator[Any]:
        """``fn`` over every partition on the cluster, results in input order."""
        in_flight: deque = deque()
        for part in partitions:
            in_flight.append(self.client.submit(fn, part, pure=False, retries=RETRIES))
            if len(in_flight) >= 2 * self.workers:
                yield self._take(in_flight.popleft())
        while in_flight:
            yield self._take(in_flight.popleft())

    def earlier_band_neighbours(self, signatures: list[tuple[int, bytes]], partition_size: int = 500) -> dict[int, set[int]]:
        """For each position, the earlier positions whose signature shares an LSH band: a shuffle on the band keys.

        ``signatures``: (position in input order, MinHash signature bytes). The band postings are made
        partition by partition on the workers, grouped by key with a task shuffle, and each group gives
        its pairs; only the pairs come back. The driver then decides duplicates in input order from these
        candidates (:func:`pipeline.stages.dedup.best_match`), exactly as the one-process index would.
        """
        import dask.bag as db

        from pipeline.stages import dedup

        if not signatures:
            return {}
        postings = db.from_sequence(signatures, partition_size=partition_size).map_partitions(dedup.band_postings)
        pairs = (postings.groupby(_first, shuffle="tasks")
                 .map(_positions_of_group)
                 .filter(_shared)
                 .map(dedup.earlier_in_group)
                 .flatten())
        neighbours: dict[int, set[int]] = {}
        for later, earlier in pairs.compute(scheduler=self.client):
            neighbours.setdefault(later, set()).add(earlier)
        return neighbours

    @staticmethod
    def _take(future) -> Any:
        result = future.result()
        future.release()
        return result

    def close(self) -> None:
        """Close the client, and the LocalCluster this engine started."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> "DaskEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _first(posting: tuple[int, int]) -> int:
    return posting[0]


def _positions_of_group(group: tuple[int, list[tuple[int, int]]]) -> tuple[int, list[int]]:
    return group[0], [pos for _, pos in group[1]]


def _shared(group: tuple[int, list[int]]) -> bool:
    return len(group[1]) > 1
