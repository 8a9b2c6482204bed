"""The confirmation of an optimised plan on fresh replications.

The search and the race choose a plan on replications ``0..R-1`` of the scenario's
seed; choosing the best of many estimates flatters it (the winner's curse). The
confirmation runs the plan again beside every hand-written strategy on
replications of another seed, derived from the scenario's (:func:`confirmation_seed`),
so they are independent of the ones it was chosen on; the plan and the strategies
share them (common random numbers), so the comparisons are paired. Intervals and
the probability that each limit holds come from a paired bootstrap over the
replications (the same resampled replications for every strategy).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.limits import Limit, Statistic, bootstrap, replication_values, statistic_value
from ..rng import stream
from ..runs.execution import run_many
from ..runs.store import ResultStore
from ..scenario.overrides import with_overrides
from ..scenario.schema import Scenario
from .candidates import BatchInterrupted, RunOptions
from .levers import LeverSpace
from .sweep import plan_sweep, point_strategy

__all__ = ["confirmation_seed", "confirm", "OPTIMISED_POINT"]

OPTIMISED_POINT = "optimised"
N_RESAMPLES = 2000


def confirmation_seed(seed: int) -> int:
    """The seed of the confirmation replications: drawn from the scenario's seed, never equal to it."""
    value = int(stream(seed, 0, "confirmation").integers(0, 2**31 - 1))
    return value if value != seed else value + 1


def confirm(scenario: Scenario, space: LeverSpace, values: tuple, *, objective: Statistic,
            limits: tuple[Limit, ...], higher_is_better: bool, replications: int,
            options: RunOptions = RunOptions()) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Run the plan ``values`` and every strategy of ``scenario`` on fresh replications.

    Returns
    -------
    table
        One row per statistic (the objective, then each limit): ``role, statistic, limit,
        estimate, ci_low, ci_high, bound, p_holds`` for the optimised plan.
    comparison
        One row per hand-written strategy: its objective, the optimised plan's minus it
        (``diff``, 95 % paired bootstrap CI), ``verdict`` (better, worse or tie for the
        optimised plan), whether the strategy meets every limit, and its value of each limit's statistic.
    outcomes
        The runs' outcomes (strategy × replication); the plan is ``S@optimised``.
    """
    seed = confirmation_seed(scenario.run.seed)
    fresh = with_overrides(scenario, {"run.seed": seed}, source=f"'{scenario.name}' on fresh replications")
    design = pd.DataFrame([dict(zip(space.paths, values))], columns=space.paths,
                          index=pd.Index([OPTIMISED_POINT], name="point"))
    plan = plan_sweep(fresh, space.strategy, design)
    plan_name = point_strategy(space.strategy, OPTIMISED_POINT)
    names = (plan_name, *scenario.strategies)
    store = None if options.store_dir is None else ResultStore(Path(options.store_dir) / "confirmation")
    results = run_many(plan.scenario, strategies=names, replications=replications, workers=options.workers,
                       executor=options.executor, executor_kind=options.executor_kind,
                       progress=options.progress, store=store, resume=options.resume, source=options.source,
                       trajectories=False)
    if results.interrupted:
        raise BatchInterrupted(results.stopped or "interrupted")
    launch = scenario.calendar.launch_day
    rng = stream(seed, 0, "bootstrap")

    def resampled(statistic: Statistic) -> tuple[np.ndarray, np.ndarray]:
        wide = replication_values(results.outcomes, statistic, launch_day=launch).reindex(columns=list(names))
        matrix = wide.to_numpy(dtype=float)
        return statistic_value(matrix, statistic.stat), bootstrap(matrix, statistic.stat, rng=rng,
                                                                    n_resamples=N_RESAMPLES)

    rows = []
    estimate, boot = resampled(objective)
    rows.append(_row("objective", objective.name, "", estimate[0], boot[:, 0], None))
    meets = np.ones(len(names), dtype=bool)
    limit_values = {}
    for limit in limits:
        est, b = resampled(limit.statistic)
        limit_values[limit.text] = est
        rows.append(_row("limit", limit.statistic.name, limit.text, est[0], b[:, 0], limit))
        meets &= np.array([limit.holds(v) for v in est])
    sign = 1.0 if higher_is_better else -1.0
    comparison = []
    for j, name in enumerate(names[1:], start=1):
        diff = boot[:, 0] - boot[:, j]
        low, high = np.nanpercentile(diff, [2.5, 97.5])
        gain_low, gain_high = sorted((sign * low, sign * high))
        verdict = "better" if gain_low > 0 else "worse" if gain_high < 0 else "tie"
        comparison.append({"strategy": name, "objective": estimate[j], "optimised": estimate[0],
                           "diff": estimate[0] - estimate[j], "diff_ci_low": low, "diff_ci_high": high,
                           "verdict": verdict, "meets_limits": bool(meets[j]),
                           **{text: est[j] for text, est in limit_values.items()}})
    return pd.DataFrame(rows), pd.DataFrame(comparison), results.outcomes


def _row(role: str, statistic: str, text: str, estimate: float, boot: np.ndarray, limit: Limit | None) -> dict:
    low, high = np.nanpercentile(boot, [2.5, 97.5])
    p_holds = float(np.mean([limit.holds(v) for v in boot])) if limit is not None else np.nan
    return {"role": role, "statistic": statistic, "limit": text, "estimate": float(estimate),
            "ci_low": float(low), "ci_high": float(high),
            "bound": limit.bound if limit is not None else np.nan, "p_holds": p_holds,
            "holds": limit.holds(estimate) if limit is not None else None}
