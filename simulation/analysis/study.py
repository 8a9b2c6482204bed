"""A comparison study: every strategy of a scenario over many replications,
then statistics, risk, paired comparison, gates and compliance warnings.

This is the Python form of ``presale compare``; a notebook can call it and
then enter any later stage (``summarize``, ``compare``, ``write_report``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from .compare import compare
from .compliance import compliance_warnings
from ..runs.execution import run_many
from ..errors import PresaleError
from .gates import evaluate_gates, gate_problems, parse_gates
from .risk import risk_table, summarize
from ..scenario.schema import Scenario

__all__ = ["AllRunsFailed", "Study", "StudySettings", "compare_strategies"]


@dataclass(frozen=True)
class StudySettings:
    """How to run a study. ``None`` means the scenario's own setting or the default."""

    replications: int | None = None
    workers: int | None = None
    executor: object | None = None
    executor_kind: str = "local"
    store_dir: Path | None = None
    resume: bool = False
    gates: tuple[str, ...] = ()
    progress: Callable | None = None
    stockout_within_days: int = 7
    leftover_threshold_share: float = 0.2


@dataclass
class Study:
    """Everything a comparison produced, as tidy frames."""

    scenario: Scenario
    outcomes: pd.DataFrame
    trajectories: pd.DataFrame
    failures: pd.DataFrame
    summary: pd.DataFrame
    risk: pd.DataFrame
    comparison: pd.DataFrame
    gates: pd.DataFrame
    warnings: list[tuple[str, str]]
    meta: dict = field(default_factory=dict)
    complete: bool = True
    interrupted: bool = False
    stopped: str | None = None
    """Why the run stopped early when it was not Ctrl-C (results that could not be saved)."""
    notes: tuple[str, ...] = ()
    """What the results folder needed on resume (chunks run again, a stale lock taken over)."""

    @property
    def gates_failed(self) -> bool:
        """Whether any gate failed."""
        return bool(len(self.gates)) and bool((self.gates["status"] != "pass").any())


def _gate_frame(outcomes: pd.DataFrame, gates: tuple[str, ...], baseline: str) -> pd.DataFrame:
    if not gates or outcomes.empty or outcomes["strategy"].nunique() < 2:
        return pd.DataFrame(columns=["gate", "strategy", "metric", "status", "message"])
    return evaluate_gates(outcomes, parse_gates(list(gates)), baseline=baseline)


def _check_gates(scenario: Scenario, extra: tuple[str, ...]) -> None:
    """Refuse, before anything runs, gates that name no outcome metric or strategy."""
    from ..scenario.outcomes import OUTCOMES

    texts = list(scenario.gates) + list(extra)
    found = gate_problems(texts, strategies=list(scenario.strategies), baseline=scenario.baseline_name,
                          metrics=list(OUTCOMES))
    if found:
        raise PresaleError("; ".join(message for _, message in found))


class AllRunsFailed(PresaleError):
    """Every run of a comparison failed; :attr:`study` holds the failures (nothing else).

    A script that starts worker processes without an ``if __name__ == "__main__":``
    guard ends here: each worker re-runs the script and fails.
    """

    def __init__(self, study: "Study") -> None:
        first = study.failures.iloc[0]
        super().__init__(f"every run failed, e.g. {first['strategy']} replication {first['replication']}: "
                         f"{first['error_type']}: {first['message']}")
        self.study = study


def compare_strategies(scenario: Scenario, settings: StudySettings | None = None, *,
                       source: str | None = None) -> Study:
    """Run and analyse every strategy of ``scenario`` on common random numbers.

    Parameters
    ----------
    scenario
        A loaded scenario.
    settings
        Replications, workers, executor, storage, extra gates and progress callback.
    source
        The scenario file, recorded in the report's metadata.

    Raises
    ------
    AllRunsFailed
        Every run failed (its ``study`` holds the failures); some failures alone
        give a study marked incomplete.
    """
    settings = settings or StudySettings()
    _check_gates(scenario, settings.gates)
    start = time.perf_counter()
    store = None
    if settings.store_dir is not None:
        from ..runs.store import ResultStore

        store = ResultStore(settings.store_dir)
    results = run_many(
        scenario, replications=settings.replications, workers=settings.workers,
        executor=settings.executor, progress=settings.progress, store=store, resume=settings.resume,
        source=source, executor_kind=settings.executor_kind,
    )
    outcomes = results.outcomes
    baseline = scenario.baseline_name
    launch = scenario.calendar.launch_day
    opts = dict(stockout_within_days=settings.stockout_within_days,
                leftover_threshold_share=settings.leftover_threshold_share)
    if outcomes.empty:        # interrupted before any replication finished, or every run failed
        summary = risk = comparison = pd.DataFrame()
        gates = _gate_frame(outcomes, (), baseline)
    else:
        summary = summarize(outcomes, launch_day=launch, **opts)
        risk = risk_table(outcomes, launch_day=launch, **opts)
        comparison = compare(outcomes, baseline=baseline) if outcomes["strategy"].nunique() > 1 else pd.DataFrame()
        gates = _gate_frame(outcomes, tuple(scenario.gates) + tuple(settings.gates), baseline)
    meta = {
        "scenario": scenario.name, "description": scenario.description, "file": source,
        "currency": scenario.currency, "seed": scenario.run.seed, "baseline": baseline,
        "replications": int(outcomes["replication"].nunique()) if len(outcomes) else 0,
        "population": scenario.run.population, "market_size": scenario.market.size,
        "launch_day": launch, "workers": results.workers,
        "wall_time_s": round(time.perf_counter() - start, 2), "complete": results.complete,
        "interrupted": results.interrupted, "n_expected": results.n_expected,
        "money_units": scenario.report.money_units,
    }
    study = Study(
        scenario=scenario, outcomes=outcomes, trajectories=results.trajectories,
        failures=results.failures, summary=summary, risk=risk, comparison=comparison, gates=gates,
        warnings=compliance_warnings(scenario), meta=meta, complete=results.complete,
        interrupted=results.interrupted, stopped=results.stopped, notes=results.notes,
    )
    if outcomes.empty and not results.interrupted and results.failures is not None and len(results.failures):
        raise AllRunsFailed(study)
    return study
