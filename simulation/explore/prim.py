"""PRIM (Patient Rule Induction Method; Friedman and Fisher, 1999) for scenario discovery.

Given an experiments table ``x`` (one row per run, one column per uncertain
input) and a boolean outcome ``y`` (the run failed), PRIM looks for a box — a
range of each input — where failures are concentrated. It starts from the box
that holds every run and *peels*: at each step it removes the slice of the box,
``peel_alpha`` of its runs at the low or the high end of one input, whose
removal raises the share of failures inside the box the most; it stops when the
box would hold less than ``min_mass`` of the runs. Every step is kept (the
*peeling trajectory*) with

- **coverage**: the share of all failures that lie in the box,
- **density**: the share of the runs in the box that fail,
- **mass**: the share of all runs in the box,

so an analyst can trade coverage for density as in EMA Workbench's
``prim.Prim``. :func:`prim` picks the step of highest coverage whose density
reaches ``threshold`` (or else the densest). Pasting and multiple boxes (EMA's
covering) are left out: one box.

Why not a library: EMA Workbench 3.0 resolves on Python 3.12 but brings ten
packages (scikit-learn, statsmodels, seaborn, Platypus-Opt, …) for this one
algorithm, and ``PRIM`` 1.0.0 (a 2024 wheel of David Hadka's port) is licensed
GPL-3, which an Apache-2.0 package cannot depend on. The method is short; the
tests check it against planted boxes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PrimBox", "prim"]


@dataclass(frozen=True)
class PrimBox:
    """A box found by PRIM.

    Attributes
    ----------
    limits
        One row per input the box restricts: ``input``, ``low``, ``high`` (inclusive),
        and the input's full range ``min``, ``max``.
    coverage, density, mass
        Of the chosen box (see the module docstring).
    trajectory
        One row per peeling step: ``step``, ``coverage``, ``density``, ``mass``,
        ``n_restricted`` (inputs the box restricts).
    step
        The chosen step of the trajectory.
    """

    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    trajectory: pd.DataFrame
    step: int

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        """Which rows of ``x`` lie in the box."""
        inside = np.ones(len(x), dtype=bool)
        for row in self.limits.itertuples(index=False):
            values = x[row.input].to_numpy(dtype=float)
            inside &= (values >= row.low) & (values <= row.high)
        return inside


def _check(x: pd.DataFrame, y: np.ndarray, peel_alpha: float, min_mass: float) -> None:
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)}")
    if not len(x):
        raise ValueError("no experiments")
    if not 0 < peel_alpha < 0.5:
        raise ValueError(f"peel_alpha must lie in (0, 0.5), got {peel_alpha}")
    if not 0 < min_mass < 1:
        raise ValueError(f"min_mass must lie in (0, 1), got {min_mass}")
    if not y.any():
        raise ValueError("no experiment fails the rule: there is nothing to find")


def prim(x: pd.DataFrame, y: np.ndarray, *, peel_alpha: float = 0.05, min_mass: float = 0.05,
         threshold: float = 0.8) -> PrimBox:
    """Find the box of inputs where ``y`` is concentrated.

    Parameters
    ----------
    x
        Experiments: one numeric column per input.
    y
        Boolean outcome of each experiment (True: the case of interest, e.g. a loss).
    peel_alpha
        Share of the box's runs removed at each peel.
    min_mass
        Stop before the box holds less than this share of the runs.
    threshold
        Density the chosen box should reach.
    """
    y = np.asarray(y, dtype=bool)
    _check(x, y, peel_alpha, min_mass)
    values = x.to_numpy(dtype=float)
    n, total = len(y), y.sum()
    lows, highs = values.min(axis=0).copy(), values.max(axis=0).copy()
    inside = np.ones(n, dtype=bool)
    steps = [(lows.copy(), highs.copy(), inside.copy())]
    while True:
        best = None
        for j in range(values.shape[1]):
            col = values[inside, j]
            for side in ("low", "high"):
                low = side == "low"
                cut = np.quantile(col, peel_alpha if low else 1 - peel_alpha)
                keep = inside & ((values[:, j] >= cut) if low else (values[:, j] <= cut))
                if keep.sum() == inside.sum():          # ties at the end: peel them
                    keep = inside & ((values[:, j] > cut) if low else (values[:, j] < cut))
                m = keep.sum()
                if m == inside.sum() or m < min_mass * n or m == 0:
                    continue
                density = y[keep].mean()
                if best is None or density > best[0]:
                    best = (density, j, side, cut, keep)
        if best is None:
            break
        _, j, side, cut, keep = best
        inside = keep
        if side == "low":
            lows[j] = values[inside, j].min()
        else:
            highs[j] = values[inside, j].max()
        steps.append((lows.copy(), highs.copy(), inside.copy()))
    full_low, full_high = values.min(axis=0), values.max(axis=0)
    rows = []
    for i, (lo, hi, box) in enumerate(steps):
        rows.append({"step": i, "coverage": y[box].sum() / total, "density": y[box].mean(),
                     "mass": box.mean(), "n_restricted": int(((lo > full_low) | (hi < full_high)).sum())})
    trajectory = pd.DataFrame(rows)
    dense = trajectory[trajectory["density"] >= threshold]
    step = int(dense.sort_values(["coverage", "step"], ascending=[False, True])["step"].iloc[0]
               if len(dense) else trajectory["density"].idxmax())
    lo, hi, _ = steps[step]
    restricted = (lo > full_low) | (hi < full_high)
    limits = pd.DataFrame({"input": x.columns[restricted], "low": lo[restricted], "high": hi[restricted],
                           "min": full_low[restricted], "max": full_high[restricted]})
    chosen = trajectory.iloc[step]
    return PrimBox(limits, float(chosen["coverage"]), float(chosen["density"]), float(chosen["mass"]),
                   trajectory, step)
