"""Scenario discovery: in which futures does a strategy fail?

The uncertain inputs (the scenario's ``uncertainties``, or ranges given as
``PATH=low:high``) are sampled with a Latin hypercube in the unit cube and
mapped through their ``ppf``; every point runs as a sweep point on the same
replications (:func:`~simulation.explore.sweep.sweep_design`). Each (point,
replication) is one experiment: its input values (those of the design, and
the values the replication drew for any other uncertain input), and whether it fails a rule
such as ``profit < 0`` or ``first_stockout_day < 30`` (an outcome metric, a
comparison, a number; a missing value, e.g. no stock-out, never fails). PRIM
(:mod:`.prim`) then finds the box of inputs where the failures concentrate,
with its coverage and density.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ..analysis.risk import input_columns
from ..errors import PresaleError
from ..rng import stream
from ..scenario.outcomes import OUTCOMES
from ..scenario.schema import Scenario
from .prim import PrimBox, prim
from .sensitivity import CLIP, factors_of
from .sweep import Sweep, SweepSettings, sweep_design

__all__ = ["FailureRule", "parse_rule", "Discovery", "discover"]

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_RULE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*$")


@dataclass(frozen=True)
class FailureRule:
    """``metric op value``: a run fails when its outcome satisfies it."""

    metric: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"

    def apply(self, outcomes: pd.DataFrame) -> np.ndarray:
        """Which rows fail (a missing value never does)."""
        values = outcomes[self.metric].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            return np.where(np.isnan(values), False, _OPS[self.op](values, self.value))


def parse_rule(text: str) -> FailureRule:
    """A :class:`FailureRule` from ``"profit < 0"``; :class:`PresaleError` names what is allowed."""
    match = _RULE.match(text)
    if not match:
        raise PresaleError(f"--fail-when '{text}': expected METRIC OP NUMBER with OP one of <, <=, >, >= "
                           "(e.g. 'profit < 0', 'first_stockout_day < 30')")
    metric, op, value = match.groups()
    if metric not in OUTCOMES:
        raise PresaleError(f"--fail-when '{text}': unknown metric '{metric}'; metrics: {', '.join(OUTCOMES)}")
    return FailureRule(metric, op, float(value))


@dataclass
class Discovery:
    """The experiments, which failed, and the box PRIM found (``None`` if nothing failed)."""

    rule: FailureRule
    experiments: pd.DataFrame
    failed: np.ndarray
    box: PrimBox | None
    sweep: Sweep
    meta: dict = field(default_factory=dict)


def discover(scenario: Scenario, settings: SweepSettings, *, rule: str, points: int = 64,
             threshold: float = 0.8, peel_alpha: float = 0.05, min_mass: float = 0.05,
             source: str | None = None) -> Discovery:
    """Find the box of uncertain inputs where ``settings.strategy`` fails ``rule``.

    Parameters
    ----------
    scenario
        A loaded scenario.
    settings
        Strategy, optional ``axes`` (inputs as ``low:high``; default the
        uncertainties), replications per point, workers, executor, store.
    rule
        Failure rule, e.g. ``"profit < 0"``.
    points
        Latin-hypercube points; experiments = points × replications.
    threshold, peel_alpha, min_mass
        PRIM's settings (:func:`~simulation.explore.prim.prim`).
    """
    failure = parse_rule(rule)
    if points < 2:
        raise PresaleError(f"--points: discovery needs at least 2 points, got {points}")
    factors = factors_of(scenario, settings.axes, minimum=1)
    unit = qmc.LatinHypercube(d=len(factors), rng=stream(scenario.run.seed, 0, "design:discovery")).random(points)
    unit = np.clip(unit, CLIP, 1 - CLIP)
    design = pd.DataFrame({f.path: np.asarray(f.ppf(unit[:, i]), dtype=float) for i, f in enumerate(factors)})
    design.index = pd.Index([f"p{i:04d}" for i in range(len(design))], name="point")
    strategy = settings.strategy or scenario.baseline_name
    result = sweep_design(scenario, design, replace(settings, strategy=strategy), source=source)
    meta = {"scenario": scenario.name, "strategy": strategy, "rule": str(failure), "points": points,
            "replications": result.meta.get("replications"), "inputs": ", ".join(design.columns),
            "complete": result.complete}
    rows = result.outcomes[result.outcomes["point"] != "reference"] if len(result.outcomes) else result.outcomes
    if rows.empty:
        return Discovery(failure, pd.DataFrame(), np.zeros(0, dtype=bool), None, result, meta)
    drawn = [c for c in input_columns(rows) if c not in design.columns and rows[c].notna().all()]
    experiments = rows[["point", "replication", *design.columns, *drawn]].reset_index(drop=True)
    failed = failure.apply(rows)
    meta["failure_share"] = round(float(failed.mean()), 4)
    box = (prim(experiments[[*design.columns, *drawn]], failed, peel_alpha=peel_alpha, min_mass=min_mass,
                threshold=threshold) if failed.any() else None)
    return Discovery(failure, experiments, failed, box, result, meta)

