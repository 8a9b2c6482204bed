"""The moments a calibration matches, and their simulated values at candidate parameters.

A moment is the total of one series over one block of ``block_days`` consecutive
campaign days, counting only the days the history recorded (a missing cell drops
that day from that series). Totals over blocks rather than single days keep the
moments few and their simulated noise small; the block keeps the shape of each
series over the campaign (warm-up, presale, launch, after).

:class:`SimulatedMoments` simulates candidate parameter values through the runner of
``presale compare`` (:func:`~simulation.runs.execution.run_many`): a candidate runs as
a sweep point (:func:`~simulation.explore.sweep.plan_sweep`), a strategy ``S@c0`` that
plays the campaign's strategy ``S`` on the scenario with the candidate's values set,
and the candidates known together (a finite-difference Jacobian's) run in one batch.
Every candidate runs on the same replications (common random numbers), on any number
of workers with identical results, and, with a store, each batch is saved as it runs
so that a stopped calibration resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import PresaleError
from ..runs.chunks import MAX_CHUNK_SIZE
from ..runs.dispatch import START_METHOD, process_pool, stop_workers
from ..runs.execution import run_many
from ..runs.lock import FolderLock
from ..runs.progress import ProgressEvent
from ..runs.settings import RunnerOptions
from ..runs.store import ResultStore, ResultsNotSaved
from ..scenario.history import COUNT_SERIES, History
from .sweep import plan_sweep

__all__ = ["MomentSpec", "moment_spec", "moments_of", "moments_by_strategy", "SimulatedMoments",
           "CalibrationStopped", "EVALUATIONS"]

EVALUATIONS = "evaluations"
"""Folder of a calibration's store holding one result store per batch of candidates."""


@dataclass(frozen=True)
class MomentSpec:
    """Which series and which days make each moment.

    Attributes
    ----------
    series
        Name of the series of each moment.
    first_day, last_day
        The block of days of each moment (inclusive).
    masks
        Series -> boolean mask over the history's days (recorded days).
    day
        The history's days.
    """

    series: tuple[str, ...]
    first_day: tuple[int, ...]
    last_day: tuple[int, ...]
    masks: dict
    day: np.ndarray

    @property
    def labels(self) -> list[str]:
        return [f"{s}[{a}-{b}]" for s, a, b in zip(self.series, self.first_day, self.last_day)]

    def frame(self, observed: np.ndarray):
        """The moments as a tidy DataFrame (one row per moment)."""
        import pandas as pd

        return pd.DataFrame({"series": self.series, "first_day": self.first_day,
                             "last_day": self.last_day, "observed": observed})


def moment_spec(history: History, *, block_days: int = 5, simulated: tuple[str, ...] = COUNT_SERIES) -> MomentSpec:
    """The moments of ``history``: every count series it records that the engine simulates."""
    series, first, last, masks = [], [], [], {}
    for name in COUNT_SERIES:
        if name not in history.series or name not in simulated:
            continue
        recorded = ~np.isnan(history.series[name])
        if not recorded.any():
            continue
        masks[name] = recorded
        days = history.day[recorded]
        for start in range(int(days.min()), int(days.max()) + 1, block_days):
            if ((days >= start) & (days < start + block_days)).any():
                series.append(name)
                first.append(start)
                last.append(min(start + block_days - 1, int(days.max())))
    return MomentSpec(tuple(series), tuple(first), tuple(last), masks, history.day)


def moments_of(spec: MomentSpec, daily: dict[str, np.ndarray], day: np.ndarray) -> np.ndarray:
    """The moments of one daily record (a history's series or a simulated trajectory's columns).

    ``daily[name][i]`` is the value of series ``name`` on day ``day[i]``.
    """
    out = np.empty(len(spec.series))
    position = {int(d): i for i, d in enumerate(day)}
    for k, (name, a, b) in enumerate(zip(spec.series, spec.first_day, spec.last_day)):
        days = spec.day[spec.masks[name]]
        days = days[(days >= a) & (days <= b)]
        idx = [position[int(d)] for d in days if int(d) in position]
        values = np.asarray(daily[name], dtype=float)
        out[k] = np.nansum(values[idx]) if idx else 0.0
    return out


def moments_by_strategy(spec: MomentSpec, trajectories: pd.DataFrame, strategies: Sequence[str]
                        ) -> dict[str, tuple[np.ndarray, list[pd.DataFrame]]]:
    """Each strategy's moments (replications x moments, in replication order) and the
    trajectory of each replication, from a runner's trajectories table."""
    by_strategy = dict(tuple(trajectories.groupby("strategy", sort=False)))
    out = {}
    for name in strategies:
        runs = [t.reset_index(drop=True) for _, t in by_strategy[name].groupby("replication", sort=True)]
        sims = [moments_of(spec, {c: t[c].to_numpy() for c in spec.masks}, t["day"].to_numpy()) for t in runs]
        out[name] = (np.array(sims).reshape(len(runs), len(spec.series)), runs)
    return out


class CalibrationStopped(PresaleError):
    """A calibration stopped before its end: Ctrl-C, results that could not be saved
    (``interrupted``), or simulated runs that failed. Batches that finished are kept
    in the store, and ``resume`` continues from them.
    """

    def __init__(self, message: str, *, interrupted: bool) -> None:
        super().__init__(message)
        self.interrupted = interrupted


class SimulatedMoments:
    """Simulated moments of candidate values of ``paths``, cached; a context manager.

    ``many(candidates)`` runs the candidates not yet simulated as one
    :func:`~simulation.runs.execution.run_many` batch and returns, for each, the
    moments of every replication (replications x moments) and the replications'
    trajectories. On entering, a process pool of ``options.workers`` is started
    (unless an executor is given or one worker runs in this process) and kept
    for every batch; with ``options.store_dir``, the folder is locked and each
    batch saved in ``store_dir/evaluations/<key>``, ``<key>`` made from the
    strategy, the paths and the candidates' exact values (without
    ``options.resume`` the saved batches are deleted first). A batch is cut in
    two chunks of replications per worker: few enough that saving them costs
    little, enough that the workers share the batch evenly and Ctrl-C keeps half
    of it.
    """

    def __init__(self, scenario, spec: MomentSpec, *, strategy: str, paths: Sequence[str], replications: int,
                 options: RunnerOptions | None = None, source: str | None = None) -> None:
        self.scenario, self.spec, self.strategy, self.paths = scenario, spec, strategy, tuple(paths)
        self.replications, self.options, self.source = replications, options or RunnerOptions(), source
        self.cache: dict[tuple[float, ...], tuple[np.ndarray, list[pd.DataFrame]]] = {}
        store_dir = self.options.store_dir
        self.root = None if store_dir is None else Path(store_dir) / EVALUATIONS
        self._pool: ProcessPoolExecutor | None = None
        self._lock: FolderLock | None = None
        self._started = time.perf_counter()

    def __enter__(self) -> SimulatedMoments:
        o = self.options
        if o.store_dir is not None:
            self._lock = FolderLock(o.store_dir)
            try:
                self._lock.acquire()
                if not o.resume and self.root.exists():
                    shutil.rmtree(self.root)
            except OSError as err:
                self._lock.release()
                raise ResultsNotSaved.of(Path(err.filename or o.store_dir), err) from err
        if o.executor is None and (o.workers or os.cpu_count() or 1) > 1:
            self._pool = process_pool(o.workers or os.cpu_count())
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if self._pool is not None:
            if kind is not None:
                stop_workers(self._pool)
            self._pool.shutdown(wait=kind is None, cancel_futures=True)
        if self._lock is not None:
            self._lock.release()

    def __call__(self, candidate: tuple[float, ...]) -> tuple[np.ndarray, list[pd.DataFrame]]:
        return self.many([candidate])[0]

    def many(self, candidates: Sequence[tuple[float, ...]]) -> list[tuple[np.ndarray, list[pd.DataFrame]]]:
        """The moments and trajectories of each candidate; those not simulated yet run in one batch."""
        todo = list(dict.fromkeys(c for c in candidates if c not in self.cache))
        if todo:
            self._run(todo)
        return [self.cache[c] for c in candidates]

    def finish(self) -> None:
        """Report the end of the calibration to the progress callback."""
        if self.options.progress is None:
            return
        n = len(self.cache)
        label = f"{self.scenario.name} calibration · {n} candidate{'s' if n != 1 else ''}"
        self.options.progress(ProgressEvent(label, self.replications, self.replications,
                                            time.perf_counter() - self._started, 0.0, None, finished=True))

    def _key(self, todo: list[tuple[float, ...]]) -> str:
        exact = [self.strategy, list(self.paths), [[float(v).hex() for v in c] for c in todo]]
        return hashlib.sha256(json.dumps(exact).encode("utf-8")).hexdigest()[:16]

    def _label(self, todo: list[tuple[float, ...]]) -> str:
        first, last = len(self.cache) + 1, len(self.cache) + len(todo)
        shown = f"candidate {first}" if first == last else f"candidates {first}-{last}"
        return f"{self.scenario.name} calibration · {shown}"

    def _relay(self, label: str):
        """Progress of one batch as part of the calibration: one line that ends with the calibration."""
        callback = self.options.progress
        if callback is None:
            return None
        return lambda event: callback(replace(event, scenario=label, finished=event.interrupted))

    def _run(self, todo: list[tuple[float, ...]]) -> None:
        o = self.options
        design = pd.DataFrame(todo, columns=list(self.paths), index=[f"c{i}" for i in range(len(todo))])
        plan = plan_sweep(self.scenario, self.strategy, design)
        names = plan.strategies[1:]                  # the candidates; not the unmodified strategy
        store = None if self.root is None else ResultStore(self.root / self._key(todo))
        label = self._label(todo)
        workers = o.workers or os.cpu_count() or 1
        results = run_many(plan.scenario, strategies=names, inputs=plan.inputs or None,
                           replications=self.replications, workers=o.workers, executor=o.executor or self._pool,
                           chunk_size=max(1, min(MAX_CHUNK_SIZE, math.ceil(self.replications / (2 * workers)))),
                           executor_kind=o.executor_kind or (f"process-pool ({START_METHOD})" if self._pool else None),
                           progress=self._relay(label), store=store, resume=o.resume, source=self.source)
        if results.interrupted:
            raise CalibrationStopped(f"{label}: {results.stopped or 'interrupted'}", interrupted=True)
        if len(results.failures):
            first = results.failures.iloc[0]
            raise CalibrationStopped(
                f"{label}: {len(results.failures)} simulated run(s) failed, the first in replication "
                f"{first['replication']}: {first['error_type']}: {first['message']}; a calibration needs "
                "every replication of every candidate", interrupted=False)
        moments = moments_by_strategy(self.spec, results.trajectories, names)
        for candidate, name in zip(todo, names):
            self.cache[candidate] = moments[name]
