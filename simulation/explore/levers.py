"""The levers an optimisation moves, and the box the optimiser searches.

A lever is ``PATH=LOW:HIGH[:STEP]`` (the grammar of a sweep axis,
:func:`~simulation.scenario.sweeps.parse_axis`), PATH a lever of the optimised
strategy (``strategies.S.inventory.initial_stock``). A lever with a STEP takes
the values ``LOW, LOW + STEP, …, HIGH`` and is searched as the whole number of
steps; a lever whose value in the scenario is a whole number (a stock, a cap) is
searched over whole numbers; any other lever is continuous.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import PresaleError
from ..scenario.paths import PathError, get_path
from ..scenario.schema import Scenario
from ..scenario.sweeps import parse_axis

__all__ = ["Lever", "LeverSpace", "parse_lever", "lever_space"]

LEVER_SPEC = "PATH=LOW:HIGH (continuous, or whole numbers when the scenario's value is one) or PATH=LOW:HIGH:STEP"


@dataclass(frozen=True)
class Lever:
    """One optimised lever: its dotted path, interval, step (or ``None``) and whether it is a whole number."""

    path: str
    low: float
    high: float
    step: float | None = None
    integer: bool = False

    @property
    def n_steps(self) -> int:
        return int(math.floor((self.high - self.low) / self.step + 1e-9)) if self.step else 0

    def bounds(self) -> tuple[float, float]:
        """The optimiser's interval: steps counted from LOW, whole numbers, or the interval itself."""
        if self.step:
            return 0.0, float(self.n_steps)
        if self.integer:
            return float(math.ceil(self.low)), float(math.floor(self.high))
        return self.low, self.high

    @property
    def is_discrete(self) -> bool:
        return bool(self.step) or self.integer

    def value(self, x: float) -> int | float:
        """The lever's value at the optimiser's coordinate ``x``."""
        lo, hi = self.bounds()
        x = min(max(float(x), lo), hi)
        if self.step:
            v = round(self.low + round(x) * self.step, 12)
        else:
            v = round(x) if self.integer else x
        return int(round(v)) if self.integer else float(v)

    def coordinate(self, value: float) -> float:
        """The optimiser's coordinate of a lever value (nearest step), clipped to the box."""
        lo, hi = self.bounds()
        x = (value - self.low) / self.step if self.step else value
        return float(min(max(round(x) if self.is_discrete else x, lo), hi))


def parse_lever(text: str) -> Lever:
    """A :class:`Lever` from ``PATH=LOW:HIGH[:STEP]`` (not yet checked against a scenario)."""
    axis = parse_axis(text, where="--lever")
    if axis.is_interval:
        return Lever(axis.path, float(axis.low), float(axis.high))
    spec = text.partition("=")[2].strip()
    if spec.count(":") != 2:
        raise PresaleError(f"--lever {axis.path}: '{spec}' is a list of values; expected {LEVER_SPEC}")
    low, high, step = (float(p) for p in spec.split(":"))
    return Lever(axis.path, low, high, step)


@dataclass(frozen=True)
class LeverSpace:
    """The levers of one strategy as the optimiser's box."""

    strategy: str
    levers: tuple[Lever, ...]

    @property
    def paths(self) -> list[str]:
        return [lever.path for lever in self.levers]

    def bounds(self) -> list[tuple[float, float]]:
        return [lever.bounds() for lever in self.levers]

    def integrality(self) -> np.ndarray:
        return np.array([lever.is_discrete for lever in self.levers])

    def values(self, x: np.ndarray) -> tuple:
        """The lever values at the optimiser's point ``x``."""
        return tuple(lever.value(v) for lever, v in zip(self.levers, np.atleast_1d(x)))

    def coordinates(self, values: tuple) -> np.ndarray:
        return np.array([lever.coordinate(v) for lever, v in zip(self.levers, values)])


def lever_space(scenario: Scenario, strategy: str, levers: list[Lever] | tuple[Lever, ...]) -> LeverSpace:
    """Check ``levers`` against ``scenario`` and type them (whole numbers where the scenario has one).

    Raises
    ------
    PresaleError
        An unknown strategy, a path that is not a numeric lever of ``strategy``, a lever given twice.
    """
    if strategy not in scenario.strategies:
        raise PresaleError(f"--strategy: unknown strategy '{strategy}'; "
                           f"scenario '{scenario.name}' has {', '.join(scenario.strategies)}")
    if not levers:
        raise PresaleError(f"--lever: give at least one {LEVER_SPEC}, e.g. "
                           f"--lever strategies.{strategy}.pricing.presale_price=699:899")
    prefix = f"strategies.{strategy}."
    typed, seen = [], set()
    for lever in levers:
        if lever.path in seen:
            raise PresaleError(f"--lever {lever.path}: given twice")
        seen.add(lever.path)
        if not lever.path.startswith(prefix):
            raise PresaleError(f"--lever {lever.path}: not a lever of '{strategy}'; an optimised lever is a "
                               f"path under {prefix}… (market inputs are not the seller's to choose)")
        try:
            current = get_path(scenario, lever.path)
        except PathError as e:
            raise PresaleError(f"--lever {e}") from None
        if isinstance(current, bool) or not isinstance(current, (int, float)):
            raise PresaleError(f"--lever {lever.path}: holds {current!r}, not a number; a lever to optimise "
                               "is a number (a price, a stock, an amount, a share)")
        integer = isinstance(current, int)
        if integer and lever.step is not None and not float(lever.step).is_integer():
            raise PresaleError(f"--lever {lever.path}: a whole number in the scenario; its step must be whole, "
                               f"got {lever.step:g}")
        if integer and not lever.step and math.ceil(lever.low) > math.floor(lever.high):
            raise PresaleError(f"--lever {lever.path}: no whole number between {lever.low:g} and {lever.high:g}")
        typed.append(Lever(lever.path, lever.low, lever.high, lever.step, integer))
    return LeverSpace(strategy, tuple(typed))
