"""What a batch of replications is asked to do (:class:`ExecutionSettings`) and what it
produced (:class:`Results`); :mod:`.execution` runs it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import PresaleError
from .progress import ProgressCallback

__all__ = ["ExecutionSettings", "Results", "RunnerOptions"]


@dataclass(frozen=True)
class ExecutionSettings:
    """How to run a batch. ``None`` means the scenario's own setting or the default.

    Attributes
    ----------
    strategies
        Strategies to run, in report order; default all of the scenario's.
    replications
        Number of replications; default ``scenario.run.replications`` (when
        resuming, the number the run started with).
    workers
        Worker processes of the default pool (default ``os.cpu_count()``); ``1``
        runs in this process without a pool. With an injected executor it only
        guides the chunk size.
    chunk_size
        Replications per work unit; default from replications and workers.
    resume
        Continue the run saved in the store instead of refusing a non-empty one.
    source
        The scenario file, recorded in the manifest.
    executor_kind
        Name of the executor recorded in the manifest; default derived.
    inputs
        Input overrides by strategy (dotted path -> value): such a strategy runs
        on a copy of the scenario with them set, on the same random streams.
        Sweeps over market or uncertain inputs use it; the store does not record
        them, so their caller checks a resumed run's inputs.
    trajectories
        Keep each run's daily trajectory (a sweep keeps only the outcomes).
    """

    strategies: tuple[str, ...] | None = None
    replications: int | None = None
    workers: int | None = None
    chunk_size: int | None = None
    resume: bool = False
    source: str | os.PathLike[str] | None = None
    executor_kind: str | None = None
    inputs: Mapping[str, Mapping[str, Any]] | None = None
    trajectories: bool = True

    def __post_init__(self) -> None:
        if self.strategies is not None:
            object.__setattr__(self, "strategies", tuple(self.strategies))
        for name in ("replications", "workers", "chunk_size"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise PresaleError(f"{name} must be a positive whole number, got {value!r}")


@dataclass(frozen=True)
class Results:
    """What a batch of replications produced.

    Attributes
    ----------
    outcomes
        One row per (strategy, replication), ordered by replication then strategy.
    trajectories
        One row per (strategy, replication, day), in the same order.
    failures
        One row per failed (strategy, replication): seed, error type, message, traceback.
    complete
        Every expected replication ran without failure.
    interrupted
        The batch stopped before its end: Ctrl-C, or a chunk that could not be saved
        (see ``stopped``).
    wall_time_s
        Seconds this call took.
    workers
        Worker count used (``None`` when an injected executor decides).
    n_expected
        Replications expected.
    stopped
        Why the batch stopped early when it was not Ctrl-C (e.g. ``cannot write
        results/x/chunks/chunk-000008-000015.parquet: No space left on device``).
    notes
        What the store found on resume (chunks that did not match the ledger and
        were run again, a stale lock taken over).
    """

    outcomes: pd.DataFrame
    trajectories: pd.DataFrame
    failures: pd.DataFrame
    complete: bool
    interrupted: bool
    wall_time_s: float
    workers: int | None
    n_expected: int
    stopped: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RunnerOptions:
    """How a capability built on :func:`~simulation.runs.execution.run_many` hands it its
    batches; the settings of such a capability extend it (keyword-only fields).

    Attributes
    ----------
    workers
        Worker processes (default ``os.cpu_count()``); ``1`` runs in this process.
    executor
        Any :class:`concurrent.futures.Executor` (a Dask client's), used as it is
        and left running.
    executor_kind
        Name of the executor recorded in the manifests; default derived.
    store_dir
        Save every batch as it runs in this folder (chunks, manifest, ledger).
    resume
        Continue the work saved in ``store_dir`` instead of starting again.
    progress
        Called with a :class:`~simulation.runs.progress.ProgressEvent` as work finishes.
    """

    workers: int | None = None
    executor: Executor | None = None
    executor_kind: str | None = None
    store_dir: Path | None = None
    resume: bool = False
    progress: ProgressCallback | None = None

    def __post_init__(self) -> None:
        if self.workers is not None and (not isinstance(self.workers, int) or self.workers < 1):
            raise PresaleError(f"workers must be a positive whole number, got {self.workers!r}")
