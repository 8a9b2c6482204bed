"""Statistics of an outcome across replications, and limits on them: the objective and the
constraints of an optimisation.

A statistic is written ``METRIC.STAT`` in the gate grammar's left-hand side
(:mod:`simulation.scenario.gate_grammar`): ``profit.mean``, ``profit.sd``,
``profit.p5`` (the 5 % quantile), ``profit.cvar5`` (the mean of the worst 5 %),
or an event of :data:`~simulation.analysis.risk.EVENTS` whose mean is its
probability (``p_stockout_early.mean``). Two short forms: ``cvar5`` is
``profit.cvar5`` (the CVaR of the glossary) and a bare event name is its
probability. A limit is ``STATISTIC (>=|<=|>|<) NUMBER``; it is parsed by the gate
parser (``>=`` read as ``>``: on a sample statistic the two differ on a set of
measure zero) and must HOLD, where a gate is a rule that fails.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import PresaleError
from ..scenario.gate_grammar import GateSyntaxError, parse_gate
from ..scenario.outcomes import OUTCOMES
from .estimators import cvar
from .risk import EVENTS, event_indicators

__all__ = ["LIMIT_HELP", "Statistic", "Limit", "parse_statistic", "parse_limit", "statistic_value",
           "bootstrap", "replication_values"]

STATISTICS = r"mean|sd|p\d{1,2}|cvar\d{1,2}"
"""Statistics a limit may name after ``METRIC.`` (a regular expression for :func:`parse_gate`)."""

LIMIT_HELP = ("write STATISTIC >= NUMBER or STATISTIC <= NUMBER; STATISTIC is METRIC.mean, METRIC.sd, "
              "METRIC.pN (N % quantile), METRIC.cvarN (mean of the worst N %), cvar5 (of profit), or an event "
              f"probability ({', '.join(EVENTS)}); e.g. 'cvar5 >= -1e6', 'p_stockout_early <= 0.1'")

#: Statistics for which less is better (a risk, a spread); for the rest more is better.
_LOWER_IS_BETTER_METRICS = {"lost_sales", "leftover_units", "refunds", "cancellation_rate", "return_rate",
                            "n_cancellations", "n_returns", "refund_liability_peak", "n_late", "holding_cost",
                            "marketing_cost", "cogs", "channel_fees", "gift_cost", "promotion_cost",
                            "cost_per_acquisition", *EVENTS}


@dataclass(frozen=True)
class Statistic:
    """One statistic of one metric across replications (``profit.cvar5``)."""

    metric: str
    stat: str = "mean"

    @property
    def name(self) -> str:
        return f"{self.metric}.{self.stat}"

    @property
    def is_event(self) -> bool:
        return self.metric in EVENTS

    @property
    def higher_is_better(self) -> bool:
        """More is better, except for a spread (``sd``) and for metrics that measure a loss or a risk."""
        return self.stat != "sd" and self.metric not in _LOWER_IS_BETTER_METRICS


@dataclass(frozen=True)
class Limit:
    """A bound a statistic must respect: ``statistic >= bound`` (``at_least``) or ``<=``."""

    text: str
    statistic: Statistic
    at_least: bool
    bound: float

    def holds(self, value: float) -> bool:
        """Whether ``value`` respects the bound (a NaN never does)."""
        return bool(value >= self.bound) if self.at_least else bool(value <= self.bound)

    def violation(self, value: float) -> float:
        """How far ``value`` lies beyond the bound (0 when it holds; ``inf`` for NaN)."""
        if not math.isfinite(value):
            return math.inf
        return max(0.0, self.bound - value) if self.at_least else max(0.0, value - self.bound)


def _expanded(lhs: str) -> str:
    """The short forms ``cvarN`` (of profit) and a bare event name, written out."""
    if re.fullmatch(r"cvar\d{1,2}|p\d{1,2}|sd|mean", lhs):
        return f"profit.{lhs}"
    if lhs in EVENTS:
        return f"{lhs}.mean"
    return lhs


def _checked(gate_metric: str, stat: str, text: str, option: str) -> Statistic:
    if gate_metric not in OUTCOMES and gate_metric not in EVENTS:
        from ..scenario.problems import did_you_mean

        hint = did_you_mean(gate_metric, [*OUTCOMES, *EVENTS])
        raise PresaleError(f"{option} {text!r}: unknown metric '{gate_metric}'"
                           + (f"; did you mean '{hint}'?" if hint else f"; metrics: {', '.join([*OUTCOMES, *EVENTS])}"))
    if gate_metric in EVENTS and stat != "mean":
        raise PresaleError(f"{option} {text!r}: '{gate_metric}' is an event: its statistic is its probability, "
                           f"'{gate_metric}' (or '{gate_metric}.mean')")
    for prefix in ("p", "cvar"):
        digits = stat[len(prefix):]
        if stat.startswith(prefix) and digits.isdigit() and not 0 < int(digits) < 100:
            raise PresaleError(f"{option} {text!r}: '.{stat}' needs a share between 1 and 99 %")
    return Statistic(gate_metric, stat)


def parse_limit(text: str, *, option: str = "--constraint") -> Limit:
    """A :class:`Limit` from ``STATISTIC OP NUMBER`` (see the module docstring).

    Raises
    ------
    PresaleError
        Naming ``option``, the text and what is allowed.
    """
    if not isinstance(text, str) or not text.strip():
        raise PresaleError(f"{option}: empty; {LIMIT_HELP}")
    found = re.search(r"(>=|<=|==|=|<|>)", text)
    if found is None or found[1] in ("=", "==") or len(re.findall(r"[<>]", text)) != 1:
        raise PresaleError(f"{option} {text!r}: expected one of >=, <=, >, <; {LIMIT_HELP}")
    lhs, rhs = text[:found.start()].strip(), text[found.end():].strip()
    at_least = found[1].startswith(">")
    if ":" in lhs:
        raise PresaleError(f"{option} {text!r}: a limit applies to the plan being optimised; "
                           f"leave out 'STRATEGY:'; {LIMIT_HELP}")
    try:
        gate = parse_gate(f"{_expanded(lhs)} {'>' if at_least else '<'} {rhs}", statistics=STATISTICS)
    except GateSyntaxError as e:
        why = str(e).split(": ", 1)[-1].split(". Gate syntax")[0]
        why = why.replace("only '.mean' is supported", "use mean, sd, pN or cvarN")
        raise PresaleError(f"{option} {text!r}: {why}; {LIMIT_HELP}") from None
    if gate.relative:
        raise PresaleError(f"{option} {text!r}: the bound must be a number in the metric's units "
                           f"(not relative to 'baseline'); {LIMIT_HELP}")
    return Limit(text.strip(), _checked(gate.metric, gate.statistic, text, option), at_least, gate.value)


def parse_statistic(text: str, *, option: str = "--objective") -> Statistic:
    """A :class:`Statistic` from ``METRIC.STAT`` or a short form, in the grammar of :func:`parse_limit`."""
    if not isinstance(text, str) or not text.strip() or re.search(r"[<>=:]", text):
        raise PresaleError(f"{option} {text!r}: expected a statistic such as profit.mean, profit.p5, cvar5 "
                           f"or p_stockout_early")
    try:
        return parse_limit(f"{text.strip()} >= 0", option=option).statistic
    except PresaleError as e:
        message = str(e).replace(f"{text.strip()} >= 0", text.strip()).replace(f"; {LIMIT_HELP}", "")
        raise PresaleError(message) from None


def statistic_value(values: np.ndarray, stat: str) -> float | np.ndarray:
    """The statistic ``stat`` of each column of ``values`` (a 1-D sample gives a number).

    NaN values are dropped column by column; an event's 0/1 flags give its probability.
    ``cvarN`` is the lower-tail CVaR of :func:`~simulation.analysis.estimators.cvar`.
    """
    x = np.asarray(values, dtype=float)
    flat = x.ndim == 1
    x = x.reshape(len(x), -1)
    n = (~np.isnan(x)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if stat == "mean":
            out = np.where(n > 0, np.nansum(x, axis=0) / np.maximum(n, 1), np.nan)
        elif stat == "sd":
            mean = np.nansum(x, axis=0) / np.maximum(n, 1)
            out = np.where(n > 1, np.sqrt(np.nansum((x - mean) ** 2, axis=0) / np.maximum(n - 1, 1)), np.nan)
        elif stat.startswith("cvar"):
            k = int(stat[4:]) / 100.0 * n
            m = np.floor(k).astype(int)
            ordered = np.sort(x, axis=0)                     # NaN last
            sums = np.vstack([np.zeros((1, x.shape[1])), np.nancumsum(ordered, axis=0)])
            cols = np.arange(x.shape[1])
            nxt = ordered[np.minimum(m, len(x) - 1), cols]
            total = sums[m, cols] + np.where(m < n, (k - m) * np.nan_to_num(nxt), 0.0)
            out = np.where(n > 0, total / k, np.nan)
        else:
            out = (np.nanquantile(x, int(stat[1:]) / 100.0, axis=0) if (n > 0).all()
                   else np.array([np.nanquantile(c, int(stat[1:]) / 100.0) if c[~np.isnan(c)].size else np.nan
                                  for c in x.T]))
    return float(out[0]) if flat else out


def bootstrap(values: np.ndarray, stat: str, *, rng: np.random.Generator, n_resamples: int = 1000) -> np.ndarray:
    """The statistic of each column over ``n_resamples`` resamplings of the rows (replications).

    Every column is resampled with the same rows, so differences between columns stay paired
    (common random numbers). Returns an array ``(n_resamples, columns)``.
    """
    x = np.asarray(values, dtype=float).reshape(len(values), -1)
    rows = rng.integers(0, len(x), size=(n_resamples, len(x)))
    return np.stack([statistic_value(x[r], stat) for r in rows])


def replication_values(outcomes: pd.DataFrame, statistic: Statistic, *, launch_day: float) -> pd.DataFrame:
    """One column per strategy, one row per replication: the per-replication values behind ``statistic``
    (the metric itself, or the event's 0/1 flag)."""
    if statistic.is_event:
        flags = event_indicators(outcomes, launch_day=launch_day)
        frame = flags[["strategy", "replication", statistic.metric]]
    else:
        frame = outcomes[["strategy", "replication", statistic.metric]]
    return frame.pivot(index="replication", columns="strategy", values=statistic.metric)
