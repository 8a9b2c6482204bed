"""The ``sweeps:`` section and the grammar of a sweep axis.

An axis is a dotted path into the scenario and a spec: a list of values
(``20,30,40``), a range with a step (``600:800:50``, both ends included) or an
interval for sampled designs (``600:800``). The command line takes ``PATH=SPEC``;
a scenario's ``sweeps:`` section names stored sweeps a CI job can run::

    sweeps:
      presale_price:
        strategy: full_prepay
        params: {strategies.full_prepay.pricing.presale_price: "699:849:50"}
        replications: 40
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, field_validator

from ..errors import PresaleError
from .base import Section

__all__ = ["Axis", "parse_axis", "SweepSpec", "SWEEP_DESIGNS"]

SWEEP_DESIGNS = ("grid", "lhs", "sobol")


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


class SweepSpec(Section):
    """A stored sweep: run it with ``presale sweep FILE --name NAME``."""

    strategy: str
    """The strategy swept; its levers are ``strategies.<strategy>.…`` paths."""
    params: dict[str, list[float] | str] = Field(min_length=1)
    """Dotted path -> values (a list), ``"low:high:step"`` (a grid range) or ``"low:high"`` (lhs, sobol)."""
    design: Literal["grid", "lhs", "sobol"] = "grid"
    points: Annotated[int, Field(ge=2)] | None = None
    """Number of points of an ``lhs`` or ``sobol`` design."""
    replications: Annotated[int, Field(ge=1)] | None = None
    """Replications per point (default: ``run.replications``)."""
    reference: str | None = None
    """Design point (``p003``) the paired comparison is against; default the unmodified strategy."""
    metric: str = "profit"
    """Metric of the figures and the regret table."""

    @field_validator("params")
    @classmethod
    def _specs(cls, params: dict[str, list[float] | str]) -> dict[str, list[float] | str]:
        for path, spec in params.items():
            text = ",".join(f"{v!r}" for v in spec) if isinstance(spec, list) else spec
            try:
                parse_axis(f"{path}={text}", where="params")
            except PresaleError as e:
                raise ValueError(str(e)) from None
        return params

    def axes(self) -> tuple[Axis, ...]:
        """The swept inputs."""
        return tuple(parse_axis(f"{p}=" + (",".join(map(repr, s)) if isinstance(s, list) else s), where="params")
                     for p, s in self.params.items())
