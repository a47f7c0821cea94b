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
                                         processes=True, dashboard_address=None, silence_logs=logging.ERROR)
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
