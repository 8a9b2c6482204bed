"""The ``decision:`` section (how the report picks a strategy) and the ``report:`` section.

A rule has an *objective*, the quantity to maximise (or minimise), and *constraints*
that a strategy must meet to be eligible. Both name a **statistic** of the
replications: ``METRIC.STAT`` with a metric of :data:`~.outcomes.OUTCOMES` and a
statistic of :data:`STATISTICS` (``profit.mean``, ``profit.cvar5``), or one of the
shorthands of :data:`SHORTHANDS` (``cvar5`` is ``profit.cvar5``; ``p_loss``,
``p_stockout_early`` and ``p_leftover_high`` are event probabilities).

A constraint reads ``NAME OP LIMIT`` with ``OP`` one of ``>= <= > <`` and ``LIMIT``
either a number in the statistic's units (``cvar5 >= -1e6``,
``p_stockout_early <= 0.1``) or relative to the baseline strategy:
``baseline``, ``baseline -5%`` (5 % of the baseline's absolute value) or
``baseline +0.05`` (an amount in the statistic's units).

The default rule: highest mean profit among the strategies whose profit CVaR 5 %
is at most 5 % of its absolute value below the baseline's and whose probability
of an early stock-out is at most 5 percentage points above the baseline's
(:data:`DEFAULT_CONSTRAINTS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator

from .base import Section
from .outcomes import OUTCOMES

__all__ = ["STATISTICS", "EVENT_STATISTICS", "SHORTHANDS", "DEFAULT_CONSTRAINTS", "Constraint",
           "DecisionRule", "ReportSettings", "parse_constraint", "parse_statistic"]

#: Statistics of a metric across replications (columns of the analysis summary).
STATISTICS: dict[str, str] = {
    "mean": "mean across replications",
    "p5": "5th percentile", "p50": "median", "p95": "95th percentile",
    "cvar5": "mean of the worst 5 % of replications (CVaR 5 %)",
}

#: Event probabilities across replications; the names of ``analysis.risk.EVENTS``
#: (a test keeps the two in step; this layer may not import the analysis layer).
EVENT_STATISTICS: dict[str, str] = {
    "p_loss": "probability of a loss (profit < 0)",
    "p_stockout_early": "probability of a stock-out within 7 days of the launch",
    "p_leftover_high": "probability that more than 20 % of the available units are left",
}

#: Short names a rule may use, and the statistic each stands for.
SHORTHANDS: dict[str, tuple[str, str]] = {
    "cvar5": ("profit", "cvar5"),
    **{name: (name, "mean") for name in EVENT_STATISTICS},
}

DEFAULT_CONSTRAINTS: tuple[str, ...] = ("cvar5 >= baseline -5%", "p_stockout_early <= baseline +0.05")
"""Gate of the default rule: the tail (CVaR 5 %) may be at most 5 % worse than the
baseline's, the chance of an early stock-out at most 5 points higher."""

_OPS = (">=", "<=", ">", "<")
_CONSTRAINT = re.compile(r"^\s*(?P<name>[A-Za-z_][\w.]*)\s*(?P<op>>=|<=|>|<)\s*(?P<limit>.+?)\s*$")
_RELATIVE = re.compile(r"^baseline(?:\s*(?P<sign>[+-])\s*(?P<amount>\d+(?:\.\d*)?(?:e[+-]?\d+)?)"
                       r"\s*(?P<pct>%)?)?$", re.IGNORECASE)


def parse_statistic(name: str) -> tuple[str, str]:
    """``(metric, statistic)`` named by ``name``.

    Raises
    ------
    ValueError
        Naming what is allowed, when the metric or the statistic is unknown.
    """
    if name in SHORTHANDS:
        return SHORTHANDS[name]
    metric, dot, stat = name.rpartition(".")
    if not dot:
        raise ValueError(f"unknown statistic '{name}'; use METRIC.STAT (e.g. profit.mean) or one of "
                         f"{', '.join(SHORTHANDS)}")
    if metric in EVENT_STATISTICS and stat == "mean":
        return metric, stat
    if metric not in OUTCOMES:
        raise ValueError(f"unknown metric '{metric}' in '{name}'; metrics are the outcome names "
                         f"(e.g. profit, revenue_net, sell_through; see docs/scenario-format.md)")
    if stat not in STATISTICS:
        raise ValueError(f"unknown statistic '{stat}' in '{name}'; allowed: {', '.join(STATISTICS)}")
    return metric, stat


@dataclass(frozen=True)
class Constraint:
    """A parsed constraint: ``metric.statistic op limit`` (absolute or relative to the baseline)."""

    text: str
    metric: str
    statistic: str
    op: str
    amount: float
    relative: bool = False
    percent: bool = False

    def limit(self, baseline_value: float) -> float:
        """The limit in the statistic's units, given the baseline's value."""
        if not self.relative:
            return self.amount
        step = abs(baseline_value) * self.amount / 100 if self.percent else self.amount
        return baseline_value + step

    def holds(self, value: float, baseline_value: float) -> bool:
        """Whether ``value`` meets the constraint (a NaN value does not)."""
        limit = self.limit(baseline_value)
        return {">=": value >= limit, "<=": value <= limit, ">": value > limit, "<": value < limit}[self.op]


def parse_constraint(text: str) -> Constraint:
    """Parse ``"NAME OP LIMIT"``; see the module docstring.

    Raises
    ------
    ValueError
        Saying which part is wrong and what is allowed.
    """
    m = _CONSTRAINT.match(str(text))
    if m is None:
        raise ValueError(f"cannot read constraint '{text}'; write NAME OP LIMIT with OP one of "
                         f"{' '.join(_OPS)}, e.g. 'cvar5 >= -1e6' or 'p_stockout_early <= baseline +0.05'")
    metric, stat = parse_statistic(m["name"])
    limit = m["limit"]
    rel = _RELATIVE.match(limit)
    if rel is not None:
        amount = float(rel["amount"] or 0.0) * (-1 if rel["sign"] == "-" else 1)
        return Constraint(str(text), metric, stat, m["op"], amount, relative=True, percent=bool(rel["pct"]))
    try:
        amount = float(limit)
    except ValueError:
        raise ValueError(f"constraint '{text}': limit '{limit}' is not a number; use a number "
                         "(e.g. -1e6, 0.1) or 'baseline', 'baseline -5%', 'baseline +0.05'") from None
    return Constraint(str(text), metric, stat, m["op"], amount)


class DecisionRule(Section):
    """How the report picks a strategy: best ``objective`` among those meeting ``constraints``."""

    objective: str = "profit.mean"
    """Statistic to optimise, ``METRIC.STAT`` or a shorthand."""
    sense: Literal["max", "min"] = "max"
    """Whether the objective is maximised or minimised."""
    constraints: list[str] = Field(default_factory=lambda: list(DEFAULT_CONSTRAINTS))
    """Conditions for a strategy to be eligible; ``[]`` for none."""

    @field_validator("objective")
    @classmethod
    def _known_objective(cls, value: str) -> str:
        parse_statistic(value)
        return value

    @field_validator("constraints")
    @classmethod
    def _known_constraints(cls, value: list[str]) -> list[str]:
        problems = []
        for i, text in enumerate(value):
            try:
                parse_constraint(text)
            except ValueError as e:
                problems.append(f"[{i}] {e}")
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @property
    def parsed_constraints(self) -> tuple[Constraint, ...]:
        """The constraints, parsed."""
        return tuple(parse_constraint(t) for t in self.constraints)

    def describe(self) -> str:
        """The rule in one line of text."""
        best = "highest" if self.sense == "max" else "lowest"
        text = f"{best} {self.objective}"
        if self.constraints:
            text += " among strategies with " + " and ".join(self.constraints)
        return text


class ReportSettings(Section):
    """How reports show numbers."""

    money_units: Literal["auto", "wan", "k", "plain"] = "auto"
    """``wan``: 万 and 亿 (1e4, 1e8); ``k``: k, M, B; ``plain``: every digit;
    ``auto``: ``wan`` for ¥/元/CNY/RMB, ``k`` otherwise."""
