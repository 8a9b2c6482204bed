"""Sweeps: one strategy at many design points, every point on the same replications.

A design point is a variant of the scenario. A point's lever values
(``strategies.S.…``) make a strategy ``S@p003`` that copies ``S`` with them set;
its input values (``market.…``, or a path an entry of ``uncertainties`` draws)
are input overrides the runner applies to a copy of the scenario for that
strategy (:class:`~simulation.runs.execution.ExecutionSettings` ``inputs``; an
uncertain input is fixed at the point's value). The unmodified strategy ``S``
runs beside the points as the reference. Everything then goes through
:func:`~simulation.runs.execution.run_many` in one batch, so the points share
the replications' random streams (common random numbers: differences between
points are paired), and the store, resume, progress callback and executors are
those of ``presale compare``. A point's input values are written in its
strategy's description, so they are part of the scenario a resumed run checks.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from ..analysis.compare import compare
from ..analysis.risk import regret, summarize
from ..errors import PresaleError
from ..runs.execution import run_many
from ..scenario.outcomes import OUTCOMES
from ..scenario.overrides import with_overrides
from ..scenario.paths import PathError, get_path, set_in
from ..scenario.schema import Scenario
from .design import Axis, make_design

__all__ = ["ANALYSED_METRICS", "SweepSettings", "Sweep", "sweep", "sweep_design", "plan_sweep", "point_strategy", "SweepPlan"]

ANALYSED_METRICS = ("profit", "revenue_net", "units_sold", "sell_through", "leftover_units", "lost_sales",
                    "fill_rate", "first_stockout_day", "cancellation_rate", "cash_low_point")
"""Metrics of a sweep's summary and paired comparison by default (every metric stays in the outcomes)."""

SEPARATOR = "@"
"""Joins a strategy and a design point in the name of the point's strategy."""


def point_strategy(strategy: str, point: str) -> str:
    """Name of the strategy that runs ``strategy`` at design ``point``."""
    return f"{strategy}{SEPARATOR}{point}"


@dataclass(frozen=True)
class SweepSettings:
    """How to run a sweep. ``None`` means the scenario's own setting or the default.

    Attributes
    ----------
    strategy
        The strategy swept; default the scenario's baseline.
    axes
        The swept inputs (:func:`~simulation.explore.design.parse_axis`).
    design, points
        ``grid``, ``lhs`` or ``sobol``, and the number of sampled points.
    replications, workers, executor, executor_kind, store_dir, resume, progress
        As for :class:`~simulation.analysis.study.StudySettings`.
    reference
        Design point the paired comparison is against; default the unmodified strategy.
    metric
        Metric of the regret table (best point per replication).
    metrics
        Metrics of the summary and the paired comparison; default
        :data:`ANALYSED_METRICS` and ``metric`` (a comparison per point and metric
        costs about 5 ms, which adds up over many points).
    trajectories
        Keep every run's daily trajectory too (off: a sweep's tables are per
        replication, and the days of many points cost time and room).
    """

    strategy: str | None = None
    axes: tuple[Axis, ...] = ()
    design: str = "grid"
    points: int | None = None
    replications: int | None = None
    workers: int | None = None
    executor: object | None = None
    executor_kind: str = "local"
    store_dir: Path | None = None
    resume: bool = False
    progress: Callable | None = None
    reference: str | None = None
    metric: str = "profit"
    metrics: tuple[str, ...] | None = None
    trajectories: bool = False


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep runs: the scenario with one strategy per point, and the input overrides."""

    scenario: Scenario
    strategy: str
    design: pd.DataFrame
    strategies: tuple[str, ...]
    inputs: dict[str, dict[str, Any]]


@dataclass
class Sweep:
    """Everything a sweep produced, as tidy frames.

    Attributes
    ----------
    design
        One row per point (index ``point``), one column per swept path.
    outcomes
        One row per (point, replication): ``point``, ``strategy``, ``replication``,
        the swept paths, then every outcome metric. The reference's rows have
        point ``reference`` and the unmodified values.
    summary
        One row per (point, metric): mean, CI, quantiles, CVaR.
    comparison
        One row per (point, metric): the paired difference against the reference.
    regret
        One row per point: its regret against the best point, replication by replication.
    """

    scenario: Scenario
    strategy: str
    design: pd.DataFrame
    outcomes: pd.DataFrame
    failures: pd.DataFrame
    summary: pd.DataFrame
    comparison: pd.DataFrame
    regret: pd.DataFrame
    meta: dict = field(default_factory=dict)
    complete: bool = True
    interrupted: bool = False


def _uncertain_above(path: str, scenario: Scenario) -> list[str]:
    return [u for u in scenario.uncertainties if path == u or path.startswith(u + ".")]


def plan_sweep(scenario: Scenario, strategy: str, design: pd.DataFrame) -> SweepPlan:
    """The scenario and input overrides that run ``strategy`` at every point of ``design``.

    Raises
    ------
    PresaleError
        A path that does not exist, or that sets a lever of another strategy.
    """
    if strategy not in scenario.strategies:
        raise PresaleError(f"--strategy: unknown strategy '{strategy}'; "
                           f"scenario '{scenario.name}' has {', '.join(scenario.strategies)}")
    prefix = f"strategies.{strategy}."
    for path in design.columns:
        if path.startswith("strategies.") and not path.startswith(prefix):
            raise PresaleError(f"--param {path}: sets a lever of another strategy; a sweep of "
                               f"'{strategy}' varies its own levers ({prefix}…) and inputs (market.…)")
        try:
            get_path(scenario, path)
        except PathError as e:
            raise PresaleError(f"--param {e}") from None
    levers = [p for p in design.columns if p.startswith(prefix)]
    inputs_paths = [p for p in design.columns if p not in levers]
    base = scenario.strategies[strategy].model_dump(by_alias=True)
    strategies = {name: s.model_dump(by_alias=True) for name, s in scenario.strategies.items()}
    inputs: dict[str, dict[str, Any]] = {}
    for point, row in design.iterrows():
        name = point_strategy(strategy, str(point))
        data = copy.deepcopy(base)
        for path in levers:
            data = set_in(data, path[len(prefix):].split("."), row[path])
        shown = ", ".join(f"{p}={row[p]:g}" for p in design.columns)
        data["description"] = f"{strategy} at sweep point {point}: {shown}"
        strategies[name] = data
        if inputs_paths:
            fixed = {p: row[p] for p in inputs_paths}
            drawn = {u for p in inputs_paths for u in _uncertain_above(p, scenario)}
            if drawn:
                fixed = {"uncertainties": {u: d.model_dump(by_alias=True)
                                           for u, d in scenario.uncertainties.items() if u not in drawn},
                         **fixed}
            inputs[name] = fixed
    points_scenario = with_overrides(scenario, {"strategies": strategies}, source=f"sweep of '{strategy}'")
    names = (strategy, *(point_strategy(strategy, str(p)) for p in design.index))
    return SweepPlan(points_scenario, strategy, design, names, inputs)


def _typed_axes(scenario: Scenario, axes: tuple[Axis, ...]) -> list[Axis]:
    """Axes whose input is a whole number in the scenario are sampled as whole numbers."""
    out = []
    for axis in axes:
        try:
            value = get_path(scenario, axis.path)
        except PathError as e:
            raise PresaleError(f"--param {e}") from None
        whole = isinstance(value, int) and not isinstance(value, bool)
        out.append(replace(axis, integer=axis.integer or whole))
    return out


def tidy_outcomes(outcomes: pd.DataFrame, plan: SweepPlan) -> pd.DataFrame:
    """Runner outcomes keyed by (point, replication) with the swept values as columns.

    An input that ``uncertainties`` draws is fixed at the points; in the reference's
    rows it holds the value drawn in that replication (the runner records drawn
    inputs by their dotted path), else NaN.
    """
    by_name = {point_strategy(plan.strategy, str(p)): str(p) for p in plan.design.index}
    by_name[plan.strategy] = "reference"
    frame = outcomes.copy()
    frame.insert(0, "point", frame["strategy"].map(by_name))
    values = plan.design.copy()
    values.loc["reference"] = [float("nan") if _uncertain_above(p, plan.scenario) else get_path(plan.scenario, p)
                               for p in plan.design.columns]
    swept = frame[["point"]].join(values, on="point")
    for path in plan.design.columns:
        drawn = frame.pop(path) if path in frame.columns else None
        frame[path] = swept[path] if drawn is None else swept[path].fillna(drawn)
    keys = ["point", "strategy", "replication", *plan.design.columns]
    return frame[keys + [c for c in frame.columns if c not in keys]]


def _regret_per_replication(outcomes: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Regret of each point: replication by replication, the best point's value minus its own."""
    points = outcomes[outcomes["point"] != "reference"]
    wide = points.pivot(index="replication", columns="point", values=metric).dropna()
    by_replication = {f"r{r}": points[points["replication"] == r].assign(strategy=points["point"])
                      for r in wide.index}
    table = regret(by_replication, metric=metric)
    per_rep = table[[f"r{r}" for r in wide.index]]
    best = wide.idxmax(axis=1).value_counts()
    return pd.DataFrame({"point": table["strategy"], "mean_regret": per_rep.mean(axis=1).to_numpy(),
                         "max_regret": table["max_regret"].to_numpy(),
                         "best_share": table["strategy"].map(best).fillna(0).to_numpy() / len(wide)}
                        ).sort_values("mean_regret", kind="stable").reset_index(drop=True)


def sweep(scenario: Scenario, settings: SweepSettings, *, source: str | None = None) -> Sweep:
    """Run a strategy at every point of a design, on common random numbers.

    Parameters
    ----------
    scenario
        A loaded scenario.
    settings
        The strategy, axes, design and how to run (:class:`SweepSettings`).
    source
        The scenario file, recorded in the manifest.
    """
    design = make_design(_typed_axes(scenario, settings.axes), settings.design, points=settings.points,
                         seed=scenario.run.seed)
    return sweep_design(scenario, design, settings, source=source)


def sweep_design(scenario: Scenario, design: pd.DataFrame, settings: SweepSettings, *,
                 source: str | None = None) -> Sweep:
    """Run a strategy at the points of a design made elsewhere (a sensitivity design).

    ``design`` has one row per point (index ``point``) and one column per dotted
    path; ``settings.axes``, ``design`` and ``points`` are not used.
    """
    strategy = settings.strategy or scenario.baseline_name
    unknown = [m for m in (settings.metric, *(settings.metrics or ())) if m not in OUTCOMES]
    if unknown:
        raise PresaleError(f"--metric: unknown metric '{unknown[0]}'; metrics: {', '.join(OUTCOMES)}")
    plan = plan_sweep(scenario, strategy, design)
    reference = strategy if settings.reference in (None, "reference") else point_strategy(strategy, settings.reference)
    if reference not in plan.strategies:
        raise PresaleError(f"--reference: unknown point '{settings.reference}'; points are "
                           f"{', '.join(map(str, design.index))} (or 'reference', the unmodified strategy)")
    store = None
    if settings.store_dir is not None:
        from ..runs.store import ResultStore

        store = ResultStore(settings.store_dir)
    results = run_many(plan.scenario, strategies=plan.strategies, inputs=plan.inputs or None,
                       replications=settings.replications, workers=settings.workers,
                       executor=settings.executor, executor_kind=settings.executor_kind,
                       progress=settings.progress, store=store, resume=settings.resume, source=source,
                       trajectories=settings.trajectories)
    meta = {"scenario": scenario.name, "strategy": strategy, "design": settings.design,
            "points": len(design), "replications": int(results.outcomes["replication"].nunique())
            if len(results.outcomes) else 0, "seed": scenario.run.seed, "population": scenario.run.population,
            "currency": scenario.currency, "reference": settings.reference or "reference",
            "file": source, "wall_time_s": round(results.wall_time_s, 2), "complete": results.complete}
    empty = pd.DataFrame()
    if results.outcomes.empty:
        return Sweep(scenario, strategy, design, results.outcomes, results.failures, empty, empty, empty,
                     meta, results.complete, results.interrupted)
    outcomes = tidy_outcomes(results.outcomes, plan)
    launch = scenario.calendar.launch_day
    metrics = list(dict.fromkeys(settings.metrics or (settings.metric, *ANALYSED_METRICS)))
    summary = summarize(results.outcomes, launch_day=launch, metrics=metrics)
    comparison = (compare(results.outcomes, baseline=reference, metrics=metrics)
                  if results.outcomes["strategy"].nunique() > 1 else empty)
    names = {s: (s.split(SEPARATOR, 1)[1] if SEPARATOR in s else "reference") for s in plan.strategies}
    for frame in (summary, comparison):
        if len(frame):
            frame.insert(0, "point", frame["strategy"].map(names))
    regret_table = _regret_per_replication(outcomes, settings.metric) if len(design) > 1 else empty
    return Sweep(scenario, strategy, design, outcomes, results.failures, summary, comparison, regret_table,
                 meta, results.complete, results.interrupted)
