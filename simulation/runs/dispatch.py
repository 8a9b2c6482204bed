"""Chunks handed to an executor (or run inline), and the default local process pool."""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor, as_completed

from .chunks import ChunkResult, Inputs, run_chunk
from ..scenario.schema import Scenario

__all__ = ["Dispatch", "START_METHOD", "process_pool", "shared_pool", "stop_workers"]

START_METHOD = "spawn"
"""Start method of the default process pool; set on a private context, never globally."""


def _ignore_sigint() -> None:
    """Worker initializer: Ctrl-C is handled by the parent, which stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """The local pool of ``workers`` spawned processes, Ctrl-C left to the parent. A caller that runs
    many batches (an optimisation) makes one and injects it into each, instead of a pool per batch."""
    return ProcessPoolExecutor(max_workers=workers, initializer=_ignore_sigint,
                               mp_context=multiprocessing.get_context(START_METHOD))


@contextlib.contextmanager
def shared_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A local pool of ``workers`` processes for several studies in a row (each spawned worker
    imports the engine once, not once per study). Left by an error or Ctrl-C, its workers are
    stopped at once; left normally, it waits for them. A caller whose study was interrupted
    calls :func:`stop_workers` on it before leaving."""
    pool = process_pool(workers)
    try:
        yield pool
    except BaseException:
        stop_workers(pool)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True, cancel_futures=True)


class Dispatch:
    """Hands chunks to an executor (or runs them inline) and yields them as they finish.

    A default process pool is created, and stopped on close, by this object only;
    an injected executor is left running (only our pending futures are cancelled).
    """

    def __init__(self, scenario: Scenario, strategies: Sequence[str], *,
                 executor: Executor | None, workers: int, n_chunks: int,
                 inputs: Inputs | None = None, trajectories: bool = True) -> None:
        self.scenario, self.strategies, self.inputs = scenario, tuple(strategies), inputs
        self.trajectories = trajectories
        self.owned = executor is None and workers > 1 and n_chunks > 1
        if self.owned:
            executor = process_pool(min(workers, n_chunks))
        self.executor = executor
        self.futures: dict[Future, tuple[int, ...]] = {}

    def finished(self, chunks: Sequence[tuple[int, ...]]
                 ) -> Iterator[tuple[tuple[int, ...], ChunkResult | Exception]]:
        """Each chunk with its result, or with the exception that lost it (a worker
        that died, a cancelled task), as they finish."""
        if self.executor is None:
            for chunk in chunks:
                yield chunk, run_chunk(self.scenario, chunk, self.strategies, self.inputs, self.trajectories)
            return
        self.futures = {self.executor.submit(run_chunk, self.scenario, chunk, self.strategies, self.inputs,
                                              self.trajectories): chunk
                        for chunk in chunks}
        for future in as_completed(self.futures):
            try:
                err = future.exception()
            except CancelledError as cancelled:
                err = cancelled
            if err is not None and not isinstance(err, Exception):
                raise err
            yield self.futures[future], err if err is not None else future.result()

    def close(self, *, interrupted: bool) -> None:
        """Cancel what has not started; stop our own pool (at once if interrupted)."""
        for future in self.futures:
            future.cancel()
        if not self.owned:
            return
        if interrupted:
            stop_workers(self.executor)
        self.executor.shutdown(wait=not interrupted, cancel_futures=True)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's processes so that unfinished chunks are dropped at once."""
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
