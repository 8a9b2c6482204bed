"""Release gates evaluated on simulated outcomes.

The grammar (``profit.mean < baseline -2%`` …) and parsing live in
:mod:`simulation.scenario.gate_grammar` and are re-exported here. Decision rule: with a
two-sided interval at ``confidence``, a relative gate with threshold t (metric
units) fails iff the paired difference interval (strategy - baseline, matched
per replication) lies entirely beyond t: ``diff_ci_high < t`` for ``<``,
``diff_ci_low > t`` for ``>``. An absolute gate uses the Student-t interval of
the strategy's own mean instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from .compare import paired_values
from ..scenario.gate_grammar import (GATE_HELP, Gate, GateSyntaxError, _decimals, _fmt, gate_problem, gate_problems, parse_gate,
                           parse_gates)
from .risk import mean_ci, metric_columns, strategies, validate_outcomes

__all__ = ["GATE_COLUMNS", "GATE_HELP", "Gate", "GateSyntaxError", "evaluate_gates", "gate_problem", "gate_problems",
           "parse_gate", "parse_gates"]

GATE_COLUMNS: list[str] = [
    "gate", "strategy", "metric", "reference", "threshold", "baseline_mean",
    "strategy_mean", "strategy_ci_low", "strategy_ci_high", "n", "diff_mean",
    "diff_ci_low", "diff_ci_high", "status", "message",
]


def _evaluate_one(outcomes: pd.DataFrame, gate: Gate, strategy: str, baseline: str,
                  confidence: float) -> dict[str, object]:
    below = gate.op == "<"
    side = "below" if below else "above"
    values = outcomes.loc[outcomes["strategy"] == strategy, gate.metric]
    own = mean_ci(values.to_numpy(dtype=float), confidence)
    row: dict[str, object] = {"gate": gate.text, "strategy": strategy, "metric": gate.metric,
                              "reference": "baseline" if gate.relative else "absolute",
                              "strategy_mean": own.mean, "strategy_ci_low": own.ci_low,
                              "strategy_ci_high": own.ci_high}
    if gate.relative:
        pair = paired_values(outcomes, gate.metric, strategy=strategy, baseline=baseline)
        d = mean_ci(pair["diff"].to_numpy(), confidence)
        if d.n < 2:
            raise ValueError(f"gate {gate.text!r}: {strategy!r} vs {baseline!r} has {d.n} "
                             "paired replication(s); at least 2 are needed")
        b_mean = float(pair["baseline"].mean())
        t = gate.threshold(b_mean)
        failed = d.ci_high < t if below else d.ci_low > t
        rel = f" ({d.mean / abs(b_mean):+.1%})" if b_mean != 0 else ""
        k = _decimals([d.mean, d.ci_low, d.ci_high, t])
        message = (f"{gate.metric}: {strategy} vs {baseline} paired diff {_fmt(d.mean, decimals=k)}{rel}, "
                   f"{confidence:.0%} CI [{_fmt(d.ci_low, decimals=k)}, {_fmt(d.ci_high, decimals=k)}], "
                   f"{'lies' if failed else 'is not entirely'} {side} the gate "
                   f"baseline {gate.describe()} ({_fmt(t, decimals=k)})")
        row.update(threshold=t, baseline_mean=b_mean, n=d.n, diff_mean=d.mean,
                   diff_ci_low=d.ci_low, diff_ci_high=d.ci_high)
    else:
        if own.n < 2:
            raise ValueError(f"gate {gate.text!r}: {strategy!r} has {own.n} non-NaN "
                             "replication(s); at least 2 are needed")
        t = gate.threshold()
        failed = own.ci_high < t if below else own.ci_low > t
        k = _decimals([own.mean, own.ci_low, own.ci_high, t])
        message = (f"{gate.metric}: {strategy} mean {_fmt(own.mean, decimals=k)}, "
                   f"{confidence:.0%} CI [{_fmt(own.ci_low, decimals=k)}, {_fmt(own.ci_high, decimals=k)}], "
                   f"{'lies' if failed else 'is not entirely'} {side} the gate "
                   f"{_fmt(t, decimals=k)}")
        row.update(threshold=t, baseline_mean=math.nan, n=own.n, diff_mean=math.nan,
                   diff_ci_low=math.nan, diff_ci_high=math.nan)
    row.update(status="fail" if failed else "pass", message=message)
    return row


def evaluate_gates(outcomes: pd.DataFrame, gates: str | Iterable[str | Gate], *,
                   baseline: str, confidence: float = 0.95) -> pd.DataFrame:
    """Evaluate gates for every selected strategy.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        One row per (strategy, replication).
    gates : str, Gate or iterable of them
        Gate strings are parsed with ``parse_gate``.
    baseline : str
        Reference strategy of relative gates.
    confidence : float
        Coverage of the two-sided intervals used by the decision rule.

    Returns
    -------
    pandas.DataFrame
        One row per (gate, strategy) with the columns of ``GATE_COLUMNS``;
        ``status`` is "pass" or "fail" and ``message`` states the metric, the
        estimate with its interval and the threshold. For absolute gates the
        diff_* columns are NaN and the strategy_* columns carry the decision.

    Raises
    ------
    ValueError
        Unknown baseline, strategy or metric, a relative gate selecting the
        baseline itself, or fewer than 2 replications to decide on.
    """
    validate_outcomes(outcomes)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    parsed = parse_gates(gates)
    names = strategies(outcomes)
    if baseline not in names:
        raise ValueError(f"baseline {baseline!r} is not among the strategies {names}")
    available = metric_columns(outcomes)
    rows = []
    for gate in parsed:
        problem = gate_problem(gate, strategies=names, baseline=baseline, metrics=available)
        if problem is not None:
            raise ValueError(problem)
        targets = [s for s in names if s != baseline] if gate.strategy is None else [gate.strategy]
        rows.extend(_evaluate_one(outcomes, gate, s, baseline, confidence) for s in targets)
    return pd.DataFrame(rows, columns=GATE_COLUMNS)
