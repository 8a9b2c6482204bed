"""Run many replications of a scenario, every strategy on common random numbers.

The work unit is a *chunk* of consecutive replications. For each replication
of a chunk, :class:`~simulation.runs.runner.Replication` draws the parameters and
the population once and every strategy runs on them. Chunks go to any
:class:`concurrent.futures.Executor` (a local process pool by default, a Dask
client's ``get_executor()`` for a cluster) and only ``submit`` and
``as_completed`` are used. Random streams depend on the replication alone, and
results are put back in (replication, strategy) order, so they are identical
for any number of workers and any chunk size.

A replication that raises is recorded in ``Results.failures`` and the others go
on. Ctrl-C stops the batch, keeps what finished and returns with
``interrupted=True``. With a :class:`~simulation.runs.store.ResultStore`, every chunk is
saved as soon as it finishes and a stopped run can be resumed; the store's folder
is locked for the batch (:mod:`.lock`), and a chunk that cannot be saved (a full
disk) stops the batch like Ctrl-C, with ``stopped`` saying why.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import pandas as pd

from .chunks import ChunkResult, chunk_replications, default_chunk_size, failure_record, run_chunk
from .dispatch import START_METHOD, Dispatch
from ..errors import PresaleError
from .io import concat_tidy, failure_frame, sort_tidy
from .lock import FolderLock
from .manifest import Manifest
from .progress import ProgressCallback, ProgressEvent
from .settings import ExecutionSettings, Results
from ..scenario.schema import Scenario
from .store import ResultFrames, ResultStore, ResultsNotSaved

__all__ = ["ExecutionSettings", "Results", "ChunkResult", "run_chunk", "run_many", "resume",
           "chunk_replications", "default_chunk_size"]



class _Tracker:
    """Counts finished replications and reports them to the progress callback."""

    def __init__(self, callback: ProgressCallback | None, scenario: str, *, total: int, done: int) -> None:
        self.callback, self.scenario, self.total = callback, scenario, total
        self.done = self.start_done = done
        self.failed: set[int] = set()
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def emit(self, *, finished: bool = False, interrupted: bool = False) -> None:
        if self.callback is None:
            return
        elapsed = self.elapsed()
        ran = self.done - self.start_done
        rate = ran / elapsed if ran and elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else None
        self.callback(ProgressEvent(self.scenario, self.done, self.total, elapsed, rate, eta,
                                    len(self.failed), finished, interrupted))

    def advance(self, replications: Sequence[int], failed: Sequence[int]) -> None:
        self.done += len(replications)
        self.failed.update(failed)
        self.emit()


def _settings(settings: ExecutionSettings | None, options: dict[str, Any]) -> ExecutionSettings:
    settings = settings or ExecutionSettings()
    unknown = set(options) - {f.name for f in fields(ExecutionSettings)}
    if unknown:
        raise TypeError(f"run_many() got unknown option(s) {', '.join(sorted(unknown))}; "
                        f"options: {', '.join(f.name for f in fields(ExecutionSettings))}")
    return replace(settings, **options) if options else settings


def _check_strategies(scenario: Scenario, strategies: Sequence[str]) -> None:
    unknown = [s for s in strategies if s not in scenario.strategies]
    if unknown or not strategies:
        raise PresaleError(f"unknown strategies {', '.join(unknown) or '(none given)'}; "
                           f"scenario '{scenario.name}' has {', '.join(scenario.strategies)}")


def _executor_kind(executor: Executor | None, workers: int) -> str:
    if executor is not None:
        return type(executor).__name__
    return "inline" if workers == 1 else f"process-pool ({START_METHOD})"


@dataclass(frozen=True)
class _Plan:
    """What a session runs: strategies, replications expected, those already finished."""

    strategies: tuple[str, ...]
    n_replications: int
    done: frozenset[int]
    manifest: Manifest | None


def _plan(scenario: Scenario, settings: ExecutionSettings, store: ResultStore | None, *,
          workers: int | None, executor_kind: str) -> _Plan:
    strategies = settings.strategies or tuple(scenario.strategies)
    n = settings.replications or scenario.run.replications
    if store is None:
        _check_strategies(scenario, strategies)
        return _Plan(strategies, n, frozenset(), None)
    previous = store.prepare(scenario, resume=settings.resume)
    if previous is not None:
        if settings.strategies is not None and settings.strategies != previous.strategies:
            raise PresaleError(f"{store.directory} holds strategies {', '.join(previous.strategies)}; "
                               "resume it with the same strategies")
        strategies = previous.strategies
        n = settings.replications or previous.replications
    _check_strategies(scenario, strategies)
    manifest = Manifest.begin(scenario, strategies=strategies, replications=n, source=settings.source,
                              workers=workers, executor=executor_kind, previous=previous)
    store.write_manifest(manifest)
    return _Plan(strategies, n, frozenset(store.finished_replications() & set(range(n))), manifest)


def _keyed(frame: pd.DataFrame, strategies: Sequence[str], columns: list[str]) -> pd.DataFrame:
    """``frame`` in tidy order; an empty table keeps its key columns."""
    return sort_tidy(frame, strategies) if len(frame.columns) else pd.DataFrame(columns=columns)


def _tables(plan: _Plan, finished: Sequence[ChunkResult], lost: Sequence[dict[str, Any]],
            store: ResultStore | None) -> ResultFrames:
    """The tables of the run, in (replication, strategy[, day]) order; from the store if any."""
    if store is not None:
        frames = store.load(strategies=plan.strategies, replications=range(plan.n_replications))
    else:
        frames = ResultFrames(*(concat_tidy(getattr(c, name) for c in finished)
                                for name in ("outcomes", "trajectories", "failures")))
    failures = concat_tidy([frames.failures, failure_frame(lost)])
    return ResultFrames(_keyed(frames.outcomes, plan.strategies, ["strategy", "replication"]),
                        _keyed(frames.trajectories, plan.strategies, ["strategy", "replication", "day"]),
                        sort_tidy(failures, plan.strategies) if len(failures) else failure_frame())


def run_many(scenario: Scenario, settings: ExecutionSettings | None = None, *,
             executor: Executor | None = None, progress: ProgressCallback | None = None,
             store: ResultStore | None = None, **options: Any) -> Results:
    """Run every strategy of ``scenario`` over many replications.

    Parameters
    ----------
    scenario
        A loaded scenario (picklable, as every validated scenario is).
    settings
        Strategies, replications, workers, chunk size, resume, source
        (:class:`ExecutionSettings`).
    executor
        Any :class:`concurrent.futures.Executor`; default a process pool of
        ``workers`` (spawned) processes, or none at all for one worker.
    progress
        Called with a :class:`~simulation.runs.progress.ProgressEvent` after every
        chunk and once at the end.
    store
        Save each chunk as it finishes, and a manifest, in this result
        directory. Without ``resume`` the directory starts again.
    **options
        Fields of :class:`ExecutionSettings`, overriding those of ``settings``
        (``run_many(s, replications=50, workers=2)``).

    Returns
    -------
    Results
        Tables in (replication, strategy[, day]) order; with a store, everything
        the store holds for the requested strategies and replications.

    Raises
    ------
    PresaleError
        Unknown strategies; resuming a store that holds results of a different
        scenario or of other strategies; a store whose folder another run holds
        (:class:`~simulation.runs.lock.FolderLocked`) or that cannot be written.
    """
    settings = _settings(settings, options)
    if store is None:
        return _run_many(scenario, settings, executor=executor, progress=progress, store=None)
    lock = FolderLock(store.directory)
    try:
        lock.acquire()
    except OSError as err:
        raise ResultsNotSaved.of(lock.path, err) from err
    try:
        results = _run_many(scenario, settings, executor=executor, progress=progress, store=store)
    finally:
        lock.release()
    if lock.took_over:
        results = replace(results, notes=(f"took over the stale lock of {lock.took_over}", *results.notes))
    return results


def _run_many(scenario: Scenario, settings: ExecutionSettings, *, executor: Executor | None,
              progress: ProgressCallback | None, store: ResultStore | None) -> Results:
    started = time.perf_counter()
    workers = settings.workers or (os.cpu_count() or 1)
    reported_workers = None if executor is not None and settings.workers is None else workers
    try:
        plan = _plan(scenario, settings, store, workers=reported_workers,
                     executor_kind=settings.executor_kind or _executor_kind(executor, workers))
    except OSError as err:
        raise ResultsNotSaved.of(Path(err.filename or store.directory), err) from err
    chunks = chunk_replications([r for r in range(plan.n_replications) if r not in plan.done],
                                settings.chunk_size or default_chunk_size(plan.n_replications, workers),
                                workers=reported_workers or 1)   # an injected executor's size is unknown
    tracker = _Tracker(progress, scenario.name, total=plan.n_replications, done=len(plan.done))
    tracker.emit()
    finished: list[ChunkResult] = []
    lost: list[dict[str, Any]] = []
    interrupted = False
    stopped = None
    dispatch = Dispatch(scenario, plan.strategies, executor=executor, workers=workers, n_chunks=len(chunks),
                        inputs=settings.inputs, trajectories=settings.trajectories)
    try:
        for chunk, result in dispatch.finished(chunks):
            if isinstance(result, Exception):
                lost += [failure_record(s, r, scenario.run.seed, result) for r in chunk for s in plan.strategies]
                tracker.advance(chunk, chunk)
                continue
            if store is not None:
                try:
                    store.write_chunk(chunk, strategies=plan.strategies, outcomes=result.outcomes,
                                      trajectories=result.trajectories, failures=result.failures)
                except ResultsNotSaved as err:
                    interrupted, stopped = True, str(err)
                    break
            finished.append(result)
            tracker.advance(chunk, result.failures["replication"].tolist())
    except KeyboardInterrupt:
        interrupted = True
    finally:
        dispatch.close(interrupted=interrupted)

    tables = _tables(plan, finished, lost, store)
    complete = not interrupted and tables.failures.empty
    wall_time_s = time.perf_counter() - started
    if store is not None:
        try:
            store.write_manifest(plan.manifest.end(wall_time_s=wall_time_s, complete=complete,
                                                   interrupted=interrupted, n_failures=len(tables.failures)))
        except OSError as err:      # the manifest of the start stays: resume still finds the run
            interrupted, complete = True, False
            stopped = stopped or str(ResultsNotSaved.of(store.manifest_path, err))
    tracker.emit(finished=True, interrupted=interrupted)
    return Results(tables.outcomes, tables.trajectories, tables.failures, complete=complete,
                   interrupted=interrupted, wall_time_s=wall_time_s, workers=reported_workers,
                   n_expected=plan.n_replications, stopped=stopped,
                   notes=tuple(store.notes) if store is not None else ())


def resume(directory: str | os.PathLike[str], scenario: Scenario, settings: ExecutionSettings | None = None,
           *, executor: Executor | None = None, progress: ProgressCallback | None = None,
           **options: Any) -> Results:
    """Continue the run saved in ``directory``: check that ``scenario`` is the one it
    started with, run the replications not yet finished, return all results.

    Strategies and replications default to those of the saved run; see
    :func:`run_many` for the other parameters.
    """
    settings = replace(_settings(settings, options), resume=True)
    return run_many(scenario, settings, executor=executor, progress=progress,
                    store=ResultStore(directory))
