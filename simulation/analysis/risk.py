"""Statistics of simulated outcomes across Monte Carlo replications.

Input is a tidy ``outcomes`` frame, one row per (``strategy``, ``replication``)
with numeric metric columns such as ``profit`` or ``first_stockout_day`` (NaN
when no stockout happened). Tables: ``summarize``, ``risk_table`` and
``regret``, built from the estimators of :mod:`simulation.analysis.estimators`
(``mean_ci``, ``quantiles``, ``cvar``, ``probability``; re-exported here).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .estimators import MeanCI, Proportion, check_confidence, cvar, mean_ci, probability, quantiles

__all__ = ["EVENTS", "KEY_COLUMNS", "input_columns", "MeanCI", "Proportion", "RISK_TABLE_MEANS", "SUMMARY_COLUMNS",
           "cvar", "event_indicators", "mean_ci", "metric_columns", "probability", "quantiles",
           "regret", "risk_table", "strategies", "summarize", "validate_outcomes"]

KEY_COLUMNS: tuple[str, str] = ("strategy", "replication")
SUMMARY_COLUMNS: list[str] = ["strategy", "metric", "n", "mean", "sd", "se", "ci_low",
                              "ci_high", "p5", "p50", "p95", "cvar"]

#: Event flags derived per replication; their mean is a probability.
EVENTS: dict[str, str] = {
    "p_loss": "profit < 0",
    "p_stockout_early": "first_stockout_day < launch_day + stockout_within_days "
    "(NaN first_stockout_day means no stockout)",
    "p_leftover_high": "leftover_units > leftover_threshold_share * units_available",
}

#: Columns of ``risk_table`` holding the plain mean of an outcome column.
RISK_TABLE_MEANS: dict[str, str] = {
    "refund_liability": "refund_liability_peak",
    "cash_before_launch": "cash_before_launch",
    "cash_low_point": "cash_low_point",
    "sell_through": "sell_through",
    "lost_sales": "lost_sales",
    "cancellation_rate": "cancellation_rate",
    "return_rate": "return_rate",
}


def validate_outcomes(outcomes: pd.DataFrame) -> None:
    """Check the outcomes contract.

    Raises
    ------
    ValueError
        If ``outcomes`` is not a non-empty DataFrame with ``strategy`` and
        ``replication`` columns and unique (strategy, replication) keys.
    """
    if not isinstance(outcomes, pd.DataFrame):
        raise ValueError(f"outcomes must be a pandas DataFrame, got {type(outcomes).__name__}")
    missing = [c for c in KEY_COLUMNS if c not in outcomes.columns]
    if missing:
        raise ValueError(f"outcomes lacks key column(s) {missing}; expected {list(KEY_COLUMNS)}")
    if outcomes.empty:
        raise ValueError("outcomes is empty")
    dup = outcomes.duplicated(list(KEY_COLUMNS))
    if dup.any():
        first = outcomes.loc[dup, list(KEY_COLUMNS)].iloc[0].tolist()
        raise ValueError(f"outcomes has {int(dup.sum())} duplicate (strategy, replication) "
                         f"rows, first {first}")


def metric_columns(outcomes: pd.DataFrame) -> list[str]:
    """Numeric columns of ``outcomes`` other than the key columns and the drawn inputs
    (named by their dotted path, e.g. ``market.awareness.imitation``), in frame order."""
    return [c for c in outcomes.columns
            if c not in KEY_COLUMNS and "." not in c and pd.api.types.is_numeric_dtype(outcomes[c])]


def input_columns(outcomes: pd.DataFrame) -> list[str]:
    """The columns of values drawn from ``uncertainties``, one per dotted path."""
    return [c for c in outcomes.columns if "." in c]


def strategies(outcomes: pd.DataFrame) -> list[str]:
    """Strategy names in order of first appearance."""
    return list(pd.unique(outcomes["strategy"]))


def event_indicators(outcomes: pd.DataFrame, *, launch_day: float | None = None,
                     stockout_within_days: float = 7,
                     leftover_threshold_share: float = 0.2) -> pd.DataFrame:
    """Per-replication event flags (1.0 true, 0.0 false, NaN undefined).

    Returns the key columns plus each event of ``EVENTS`` whose inputs exist:
    ``p_loss`` needs ``profit``; ``p_stockout_early`` needs ``first_stockout_day``
    and a ``launch_day``; ``p_leftover_high`` needs ``leftover_units`` and
    ``units_available``. A flag is NaN where one of its inputs is NaN, except
    that a NaN ``first_stockout_day`` means "no stockout" (flag 0).
    """
    validate_outcomes(outcomes)
    if leftover_threshold_share < 0:
        raise ValueError(f"leftover_threshold_share must be >= 0, got {leftover_threshold_share}")
    out = outcomes[list(KEY_COLUMNS)].copy()
    cols = outcomes.columns

    def flag(cond: pd.Series, valid: pd.Series) -> pd.Series:
        return cond.astype(float).where(valid)

    if "profit" in cols:
        profit = outcomes["profit"].astype(float)
        out["p_loss"] = flag(profit < 0, profit.notna())
    if "first_stockout_day" in cols and launch_day is not None:
        day = outcomes["first_stockout_day"].astype(float)
        out["p_stockout_early"] = (day < launch_day + stockout_within_days).astype(float)
    if "leftover_units" in cols and "units_available" in cols:
        left = outcomes["leftover_units"].astype(float)
        avail = outcomes["units_available"].astype(float)
        out["p_leftover_high"] = flag(left > leftover_threshold_share * avail,
                                      left.notna() & avail.notna())
    return out


def _profile(x: np.ndarray, confidence: float, cvar_alpha: float) -> tuple[float, ...]:
    """(n, mean, sd, se, ci_low, ci_high, p5, p50, p95, cvar) of one sample."""
    return (*mean_ci(x, confidence), *quantiles(x, [0.05, 0.5, 0.95]), cvar(x, cvar_alpha))


def summarize(outcomes: pd.DataFrame, *, metrics: Sequence[str] | None = None,
              confidence: float = 0.95, launch_day: float | None = None,
              stockout_within_days: float = 7, leftover_threshold_share: float = 0.2,
              cvar_alpha: float = 0.05) -> pd.DataFrame:
    """Tidy per-(strategy, metric) statistics across replications.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        One row per (strategy, replication).
    metrics : sequence of str, optional
        Metric columns and/or event names from ``EVENTS``. Default: every
        numeric metric column followed by every event that can be computed.
    confidence : float
        Coverage of the confidence intervals.
    launch_day, stockout_within_days, leftover_threshold_share : float
        Event definitions, see ``event_indicators``.
    cvar_alpha : float
        Tail share of the ``cvar`` column.

    Returns
    -------
    pandas.DataFrame
        Columns strategy, metric, n, mean, sd, se, ci_low, ci_high, p5, p50,
        p95, cvar. NaN values are dropped per metric and ``n`` counts the rest.
        For metric columns the interval is the Student-t CI of the mean. For
        event rows ``mean`` is the probability, the interval is Wilson's and
        the quantile and CVaR columns are NaN.
    """
    check_confidence(confidence)
    events = event_indicators(outcomes, launch_day=launch_day,
                              stockout_within_days=stockout_within_days,
                              leftover_threshold_share=leftover_threshold_share)
    available = metric_columns(outcomes)
    computable = [e for e in EVENTS if e in events.columns]
    if metrics is None:
        metrics = available + [e for e in computable if e not in available]
    else:
        metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        for m in metrics:
            if m in EVENTS and m not in available and m not in computable:
                raise ValueError(f"event {m!r} ({EVENTS[m]}) cannot be computed: "
                                 "missing input column or launch_day")
            if m not in available and m not in EVENTS:
                raise ValueError(f"unknown metric {m!r}; numeric columns are {available}")
    rows = []
    for strategy in strategies(outcomes):
        sel = (outcomes["strategy"] == strategy).to_numpy()
        for m in metrics:
            if m in available:
                x = outcomes.loc[sel, m].to_numpy(dtype=float)
                rows.append((strategy, m, *_profile(x, confidence, cvar_alpha)))
            else:
                x = events.loc[sel, m].to_numpy(dtype=float)
                s = mean_ci(x, confidence)
                pr = probability(x, confidence)
                rows.append((strategy, m, pr.n, pr.p, s.sd, s.se, pr.ci_low, pr.ci_high,
                             math.nan, math.nan, math.nan, math.nan))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def risk_table(outcomes: pd.DataFrame, *, launch_day: float | None,
               stockout_within_days: float = 7, leftover_threshold_share: float = 0.2,
               cvar_alpha: float = 0.05, confidence: float = 0.95) -> pd.DataFrame:
    """Headline risk figures, one row per strategy.

    Returns
    -------
    pandas.DataFrame
        Columns strategy, n_replications, profit_mean, profit_ci_low,
        profit_ci_high (Student-t), profit_p5, profit_p50, profit_p95,
        profit_cvar (lower-tail CVaR at ``cvar_alpha``), the event
        probabilities p_loss, p_stockout_early, p_leftover_high (see
        ``EVENTS``), then the means listed in ``RISK_TABLE_MEANS``
        (refund_liability is the mean of refund_liability_peak). A figure
        whose input column is absent (or ``launch_day`` None for
        p_stockout_early) is NaN.
    """
    events = event_indicators(outcomes, launch_day=launch_day,
                              stockout_within_days=stockout_within_days,
                              leftover_threshold_share=leftover_threshold_share)
    rows = []
    for strategy in strategies(outcomes):
        sel = (outcomes["strategy"] == strategy).to_numpy()
        row: dict[str, object] = {"strategy": strategy, "n_replications": int(sel.sum())}
        x = (outcomes.loc[sel, "profit"].to_numpy(dtype=float)
             if "profit" in outcomes.columns else np.array([]))
        stats_ = dict(zip(SUMMARY_COLUMNS[2:], _profile(x, confidence, cvar_alpha)))
        row.update({f"profit_{k}": stats_[k] for k in
                    ("mean", "ci_low", "ci_high", "p5", "p50", "p95", "cvar")})
        for e in EVENTS:
            row[e] = (probability(events.loc[sel, e].to_numpy(dtype=float), confidence).p
                      if e in events.columns else math.nan)
        for name, col in RISK_TABLE_MEANS.items():
            row[name] = (mean_ci(outcomes.loc[sel, col].to_numpy(dtype=float), confidence).mean
                         if col in outcomes.columns else math.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def regret(outcomes_by_scenario: Mapping[str, pd.DataFrame], *, metric: str = "profit",
           higher_is_better: bool = True) -> pd.DataFrame:
    """Regret of each strategy across uncertain scenarios.

    In each scenario the regret of a strategy is the best strategy's mean of
    ``metric`` minus its own mean (reversed when ``higher_is_better`` is
    False), so the best strategy has regret 0.

    Returns
    -------
    pandas.DataFrame
        One row per strategy: column ``strategy``, one regret column per
        scenario (named after it), ``max_regret`` and ``worst_scenario``;
        sorted by ``max_regret`` (minimax-regret choice first).
    """
    if not isinstance(outcomes_by_scenario, Mapping) or not outcomes_by_scenario:
        raise ValueError("outcomes_by_scenario must be a non-empty mapping of name -> outcomes")
    reserved = {"strategy", "max_regret", "worst_scenario"}
    table: dict[str, pd.Series] = {}
    names: list[str] | None = None
    for scenario, df in outcomes_by_scenario.items():
        if scenario in reserved:
            raise ValueError(f"scenario name {scenario!r} is reserved; rename it")
        validate_outcomes(df)
        if metric not in metric_columns(df):
            raise ValueError(f"scenario {scenario!r} has no numeric column {metric!r}")
        means = df.groupby("strategy", sort=False)[metric].mean()
        if names is None:
            names = list(means.index)
        elif set(means.index) != set(names):
            raise ValueError(f"scenario {scenario!r} has strategies {sorted(means.index)}, "
                             f"expected {sorted(names)}")
        means = means.reindex(names)
        if means.isna().any():
            raise ValueError(f"scenario {scenario!r}: {metric!r} is all NaN for "
                             f"{list(means.index[means.isna()])}")
        table[scenario] = means.max() - means if higher_is_better else means - means.min()
    wide = pd.DataFrame(table)
    out = wide.reset_index(names="strategy")
    out["max_regret"] = wide.max(axis=1).to_numpy()
    out["worst_scenario"] = wide.idxmax(axis=1).to_numpy()
    return out.sort_values("max_regret", kind="stable").reset_index(drop=True)
