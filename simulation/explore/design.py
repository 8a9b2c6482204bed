"""Sweep axes and designs: which values each swept input takes at each design point.

An axis is a dotted path into the scenario and a spec: a list of values
(``20,30,40``), a range with a step (``600:800:50``, both ends included) or an
interval for sampled designs (``600:800``). A grid design is the Cartesian
product of the axes' values; ``lhs`` and ``sobol`` sample the unit cube with
:mod:`scipy.stats.qmc` and map each column onto its interval (the ``ppf`` of a
uniform distribution). Sampling uses a stream of the scenario's seed, so a
design is reproducible.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ..errors import PresaleError
from ..rng import stream

__all__ = ["Axis", "DESIGNS", "parse_axis", "make_design"]

DESIGNS = ("grid", "lhs", "sobol")


@dataclass(frozen=True)
class Axis:
    """One swept input.

    Attributes
    ----------
    path
        Dotted path into the scenario (``strategies.S.pricing.presale_price``).
    values
        The values of a grid axis (a list or a stepped range), else ``None``.
    low, high
        The interval of a sampled axis, else ``None``.
    integer
        Round sampled values to whole numbers (the input is a count).
    """

    path: str
    values: tuple[float, ...] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False

    @property
    def is_interval(self) -> bool:
        """Given as ``low:high`` (sampled designs only)."""
        return self.values is None


def _number(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PresaleError(f"{where}: '{text}' is not a number") from None
    if not math.isfinite(value):
        raise PresaleError(f"{where}: '{text}' is not a finite number")
    return value


def parse_axis(text: str, *, integer: bool = False, where: str = "--param") -> Axis:
    """An :class:`Axis` from ``PATH=SPEC``.

    SPEC is ``v1,v2,...`` (values), ``low:high:step`` (a range, both ends
    included) or ``low:high`` (an interval, for ``lhs``/``sobol`` designs).

    Raises
    ------
    PresaleError
        Naming ``where``, the text and what is allowed.
    """
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    allowed = "PATH=v1,v2,... or PATH=low:high:step (grid) or PATH=low:high (lhs, sobol)"
    if not sep or not path or not spec:
        raise PresaleError(f"{where} '{text}': expected {allowed}")
    where = f"{where} {path}"
    if ":" in spec:
        parts = [_number(p, where) for p in spec.split(":")]
        if len(parts) not in (2, 3):
            raise PresaleError(f"{where}: '{spec}' has {len(parts)} parts; expected low:high or low:high:step")
        low, high = parts[0], parts[1]
        if not low < high:
            raise PresaleError(f"{where}: low ({low:g}) must be below high ({high:g})")
        if len(parts) == 2:
            return Axis(path, low=low, high=high, integer=integer)
        step = parts[2]
        if step <= 0:
            raise PresaleError(f"{where}: the step must be positive, got {step:g}")
        count = int(math.floor((high - low) / step + 1e-9)) + 1
        if count > 10_000:
            raise PresaleError(f"{where}: '{spec}' gives {count} values; at most 10000")
        values = tuple(round(low + i * step, 12) for i in range(count))
        return Axis(path, values=values, integer=integer)
    values = tuple(_number(p, where) for p in spec.split(",") if p.strip())
    if not values:
        raise PresaleError(f"{where}: no values in '{spec}'")
    return Axis(path, values=values, integer=integer)


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
