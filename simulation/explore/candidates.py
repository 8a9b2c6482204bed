"""Candidate plans evaluated in batches, every candidate on the same replications.

A batch of candidates (lever values of one strategy) is a sweep design: each
candidate becomes a design point ``S@c0007`` (:func:`~simulation.explore.sweep.plan_sweep`)
and the whole batch, with the unmodified strategy ``S`` beside it, goes through
:func:`~simulation.runs.execution.run_many` once. Replication ``r`` of every
candidate of every batch draws the same random numbers (common random numbers),
so the optimiser compares plans, not luck. A candidate already evaluated on as
many replications is not run again. Each batch may have a result store of its
own (``DIR/search-003``), so an interrupted optimisation resumes batch by batch.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..analysis.limits import Limit, Statistic, replication_values, statistic_value
from ..errors import PresaleError
from ..runs.execution import run_many
from ..runs.store import ResultStore
from ..scenario.schema import Scenario
from .levers import LeverSpace
from .sweep import plan_sweep, point_strategy

__all__ = ["RunOptions", "Candidates", "BatchInterrupted"]


class BatchInterrupted(PresaleError):
    """A batch stopped before its end (Ctrl-C, results that could not be saved): what finished is kept."""


@dataclass(frozen=True)
class RunOptions:
    """How batches run: as for :class:`~simulation.explore.sweep.SweepSettings`."""

    workers: int | None = None
    executor: Executor | None = None
    executor_kind: str | None = None
    store_dir: Path | None = None
    resume: bool = False
    progress: Callable | None = None
    source: str | None = None


@dataclass
class Candidates:
    """Evaluates candidate plans of ``space.strategy`` in batches and remembers every evaluation.

    Attributes
    ----------
    trace
        One row per evaluation (candidate × replication count), in order:
        ``evaluation, candidate, stage, batch, replications``, the lever values, the objective,
        each limit's statistic, ``violation`` (sum over limits of how far beyond its bound)
        and ``feasible``.
    values
        Per evaluated candidate and replication count: replication × statistic values.
    reference
        Per batch: the unmodified strategy's per-replication values of the objective's metric
        (identical in every batch of one replication count: the common random numbers).
    """

    scenario: Scenario
    space: LeverSpace
    objective: Statistic
    limits: tuple[Limit, ...]
    options: RunOptions = RunOptions()
    tracked: tuple[Statistic, ...] = ()
    trace: list[dict] = field(default_factory=list)
    values: dict[tuple, pd.DataFrame] = field(default_factory=dict)
    reference: list[pd.DataFrame] = field(default_factory=list)
    names: dict[tuple, str] = field(default_factory=dict)
    batches: int = 0
    wall_time_s: float = 0.0
    runs: int = 0

    @property
    def statistics(self) -> list[Statistic]:
        """Every statistic computed for a candidate: the objective, the limits', the tracked ones."""
        return list(dict.fromkeys([self.objective, *(lim.statistic for lim in self.limits), *self.tracked]))

    @property
    def metrics(self) -> list[Statistic]:
        """One statistic per per-replication series needed (the metric or the event)."""
        return list({s.metric: Statistic(s.metric) for s in self.statistics}.values())

    def name(self, values: tuple) -> str:
        """The candidate's stable name (``c0007``), given in order of first evaluation."""
        return self.names.setdefault(values, f"c{len(self.names):04d}")

    def evaluate(self, candidates: list[tuple], *, replications: int, stage: str = "search") -> pd.DataFrame:
        """Evaluate ``candidates`` (tuples of lever values) on replications ``0..replications-1``.

        Returns one row per candidate, in the order given (see :attr:`trace` for the columns).
        """
        todo = list(dict.fromkeys(c for c in candidates if (c, replications) not in self.values))
        if todo:
            self._run(todo, replications=replications, stage=stage)
        rows = {(r["values"], r["replications"]): r for r in self.trace}
        return pd.DataFrame([self._public(rows[(c, replications)]) for c in candidates])

    def table(self) -> pd.DataFrame:
        """Every evaluation so far (:attr:`trace`)."""
        return pd.DataFrame([self._public(r) for r in self.trace])

    def _public(self, row: dict) -> dict:
        return {k: v for k, v in row.items() if k != "values"}

    def _design(self, todo: list[tuple]) -> pd.DataFrame:
        design = pd.DataFrame([dict(zip(self.space.paths, c)) for c in todo], columns=self.space.paths)
        design.index = pd.Index([self.name(c) for c in todo], name="point")
        return design

    def _run(self, todo: list[tuple], *, replications: int, stage: str) -> None:
        opts = self.options
        plan = plan_sweep(self.scenario, self.space.strategy, self._design(todo))
        store = None
        if opts.store_dir is not None:
            store = ResultStore(Path(opts.store_dir) / f"{stage}-{self.batches:03d}")
        label = f"{self.scenario.name} · {stage} batch {self.batches}"
        progress = (None if opts.progress is None else
                    lambda event: opts.progress(dataclasses.replace(event, scenario=label)))
        results = run_many(plan.scenario, strategies=plan.strategies, replications=replications,
                           workers=opts.workers, executor=opts.executor, executor_kind=opts.executor_kind,
                           progress=progress, store=store, resume=opts.resume, source=opts.source,
                           trajectories=False)
        if results.interrupted:
            raise BatchInterrupted(results.stopped or "interrupted")
        self.wall_time_s += results.wall_time_s
        self.runs += len(results.outcomes) + len(results.failures)
        launch = self.scenario.calendar.launch_day
        series = {s.metric: replication_values(results.outcomes, s, launch_day=launch) for s in self.metrics}
        self.reference.append(series[self.objective.metric][self.space.strategy].reindex(range(replications)))
        for candidate in todo:
            column = point_strategy(self.space.strategy, self.name(candidate))
            frame = pd.DataFrame({m: (s[column] if column in s else pd.Series(dtype=float))
                                  for m, s in series.items()}).reindex(range(replications))
            self.values[(candidate, replications)] = frame
            self.trace.append(self._row(candidate, frame, replications=replications, stage=stage))
        self.batches += 1

    def _row(self, candidate: tuple, frame: pd.DataFrame, *, replications: int, stage: str) -> dict:
        stats = {s.name: statistic_value(frame[s.metric].to_numpy(), s.stat) for s in self.statistics}
        violation = float(sum(lim.violation(stats[lim.statistic.name]) for lim in self.limits))
        return {"evaluation": len(self.trace), "candidate": self.name(candidate), "stage": stage,
                "batch": self.batches, "replications": replications,
                **dict(zip(self.space.paths, candidate)), "objective": stats[self.objective.name],
                **{lim.text: stats[lim.statistic.name] for lim in self.limits},
                **{s.name: stats[s.name] for s in self.tracked},
                "violation": violation, "feasible": violation == 0.0 and bool(np.isfinite(stats[self.objective.name])),
                "values": candidate}
