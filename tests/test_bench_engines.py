"""The engines bench's memory figure (pipeline/bench_engines.py): the peak of a run's whole process tree, with
the pages forked workers share with the driver counted once."""
import multiprocessing
import time

from pipeline.engines import TreeMemory


def _hold(megabytes: int, seconds: float) -> None:
    block = bytearray(megabytes * 2 ** 20)  # written pages: resident in this worker only
    block[:: 4096] = b"x" * len(block[:: 4096])
    time.sleep(seconds)


def test_a_workers_memory_counts_in_the_runs_peak():
    fork = multiprocessing.get_context("fork")
    with TreeMemory(interval=0.05) as alone:
        time.sleep(0.3)
    with TreeMemory(interval=0.05) as with_worker:
        worker = fork.Process(target=_hold, args=(160, 1.0))
        worker.start()
        worker.join()
    assert with_worker.peak_mb - alone.peak_mb > 140


def test_pages_shared_by_forked_workers_count_once():
    shared = bytearray(200 * 2 ** 20)
    shared[:: 4096] = b"y" * len(shared[:: 4096])   # the driver's pages (a model, say), inherited by each worker
    fork = multiprocessing.get_context("fork")
    with TreeMemory(interval=0.05) as alone:
        time.sleep(0.3)
    with TreeMemory(interval=0.05) as with_workers:
        workers = [fork.Process(target=time.sleep, args=(1.0,)) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    # RSS would add this process's resident pages again for each worker (the 200 MB block twice more, at least);
    # PSS splits the shared pages between the processes that map them, so the total hardly moves
    assert with_workers.peak_mb - alone.peak_mb < 150, (alone.peak_mb, with_workers.peak_mb)
    del shared
