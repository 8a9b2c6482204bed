"""Designs: which values each swept input (an :class:`~simulation.scenario.sweeps.Axis`)
takes at each design point.

A grid design is the Cartesian
product of the axes' values; ``lhs`` and ``sobol`` sample the unit cube with
:mod:`scipy.stats.qmc` and map each column onto its interval (the ``ppf`` of a
uniform distribution). Sampling uses a stream of the scenario's seed, so a
design is reproducible.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ..errors import PresaleError
from ..rng import stream
from ..scenario.sweeps import Axis, parse_axis

__all__ = ["Axis", "DESIGNS", "parse_axis", "make_design"]

DESIGNS = ("grid", "lhs", "sobol")


def _typed(values: np.ndarray, axis: Axis) -> list:
    if axis.integer:
        return [int(round(v)) for v in values]
    return [float(v) for v in values]


def make_design(axes: list[Axis], design: str = "grid", *, points: int | None = None,
                seed: int = 0) -> pd.DataFrame:
    """The design points: one row per point, one column per axis path.

    Parameters
    ----------
    axes
        The swept inputs.
    design
        ``grid`` (every combination of the axes' values), ``lhs`` (Latin
        hypercube) or ``sobol`` (scrambled Sobol' sequence).
    points
        Number of points of a sampled design (required for ``lhs``/``sobol``).
    seed
        The scenario's seed: sampled designs draw from its ``"design"`` stream.

    Returns
    -------
    pandas.DataFrame
        Index ``point`` (``p000``, ``p001``, ...), one column per axis.
    """
    if design not in DESIGNS:
        raise PresaleError(f"--design: unknown design '{design}'; use one of {', '.join(DESIGNS)}")
    if not axes:
        raise PresaleError("--param: give at least one PATH=SPEC to sweep")
    paths = [a.path for a in axes]
    if len(set(paths)) != len(paths):
        raise PresaleError(f"--param: a path is given twice in {', '.join(paths)}")
    if design == "grid":
        spread = [a.path for a in axes if a.is_interval]
        if spread:
            raise PresaleError(f"--param {spread[0]}: low:high is an interval for --design lhs or sobol; "
                               "a grid needs values (v1,v2,...) or a range with a step (low:high:step)")
        rows = list(itertools.product(*(a.values for a in axes)))
        columns = {a.path: _typed(np.array([r[i] for r in rows], dtype=float), a) for i, a in enumerate(axes)}
    else:
        if points is None or points < 2:
            raise PresaleError(f"--points: a {design} design needs at least 2 points, got {points}")
        listed = [a.path for a in axes if not a.is_interval]
        if listed:
            raise PresaleError(f"--param {listed[0]}: a {design} design samples an interval; give low:high")
        rng = stream(seed, 0, f"design:{design}")
        engine = (qmc.LatinHypercube(d=len(axes), rng=rng) if design == "lhs"
                  else qmc.Sobol(d=len(axes), scramble=True, rng=rng))
        unit = engine.random(points)
        columns = {a.path: _typed(a.low + unit[:, i] * (a.high - a.low), a) for i, a in enumerate(axes)}
    frame = pd.DataFrame(columns)
    width = max(3, len(str(len(frame) - 1)))
    frame.index = pd.Index([f"p{i:0{width}d}" for i in range(len(frame))], name="point")
    return frame
