"""Comparative statics: move one lever or input, everything else equal, and check the sign.

Each check runs a bundled scenario twice per replication, before and after the move,
on common random numbers (replication ``r`` of both gets the same consumers and
draws), and asserts the paired mean difference lies beyond zero by at least three
standard errors: a direction no real market shows fails, noise does not.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from simulation import load_scenario, with_overrides
from simulation.runs.runner import Replication

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
REPLICATIONS = 30
POPULATION = 4000


def small(name: str, overrides: Mapping[str, Any] | None = None):
    """A bundled scenario at a small population, with ``overrides``."""
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    return with_overrides(sc, {"run.population": POPULATION, **(overrides or {})})


_RUNS: dict[tuple[int, str, int], tuple[Any, Any]] = {}


def run(scenario, strategy: str, replication: int):
    """Replication ``replication`` of ``strategy`` under ``scenario`` (the same object), simulated
    once: a check that reads several outcomes of the same runs does not simulate them again."""
    key = (id(scenario), strategy, replication)
    if key not in _RUNS:         # the scenario is kept with its run, so its id is not reused
        _RUNS[key] = (scenario, Replication(scenario, replication).simulate(strategy))
    return _RUNS[key][1]


def paired_difference(before, after, strategy: str, measure: Callable[[Any], float], *,
                      replications: int = REPLICATIONS) -> tuple[float, float]:
    """Mean and standard error of ``measure(after run) - measure(before run)`` over replications.

    ``measure`` gets the tidy :class:`~simulation.runs.runner.Run` (trajectory, outcome).
    """
    diffs = np.array([measure(run(after, strategy, r)) - measure(run(before, strategy, r))
                      for r in range(replications)])
    return float(diffs.mean()), float(diffs.std(ddof=1) / math.sqrt(replications))


def outcome(metric: str) -> Callable[[Any], float]:
    """``measure`` reading one outcome metric."""
    return lambda run: float(run.outcome.iloc[0][metric])


def expect_sign(mean: float, se: float, sign: int) -> None:
    """The paired difference lies beyond 0 by 3 standard errors, in the direction of ``sign``."""
    assert sign * mean > 3 * se, f"paired difference {mean:.4g} (SE {se:.3g}) is not {'>' if sign > 0 else '<'} 0"
