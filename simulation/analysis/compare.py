"""Paired comparison of strategies against a baseline.

Replication r of every strategy is simulated on the same random numbers
(common random numbers), so the noise shared by two strategies cancels in the
per-replication difference. ``compare`` therefore matches rows on
``replication`` and builds a paired Student-t interval for the mean
difference (strategy - baseline), which is typically far narrower than the
unpaired interval (see ``unpaired_se``).

Verdicts
--------
The direction of a metric comes from ``HIGHER_IS_BETTER`` (overridable per
call). With a practical margin m = ``rel_tolerance`` * |baseline mean|:

* direction True (higher is better): "better" if ci_low > m, "worse" if
  ci_high < -m, else "same";
* direction False (lower is better): "better" if ci_high < -m, "worse" if
  ci_low > m, else "same";
* direction None (metric not in the registry, no value judgement): "higher"
  if ci_low > m, "lower" if ci_high < -m, else "same".

A metric with fewer than two valid pairs gets verdict "same".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .risk import mean_ci, metric_columns, strategies, validate_outcomes

__all__ = ["COMPARE_COLUMNS", "HIGHER_IS_BETTER", "compare", "metric_direction",
           "paired_values", "unpaired_se", "verdict"]

_HIGHER = (
    "profit", "revenue_gross", "revenue_net", "salvage_revenue", "sell_through",
    "fill_rate", "market_share", "units_sold", "cash_before_launch", "cash_low_point",
)
_LOWER = (
    "refunds", "cogs", "marketing_cost", "channel_fees", "holding_cost", "gift_cost",
    "promotion_cost", "lost_sales", "leftover_units", "n_cancellations",
    "cancellation_rate", "return_rate", "n_returns", "n_late", "refund_liability_peak",
    "cost_per_acquisition",
)

#: Whether a higher value of a metric is desirable. Metrics absent from the
#: registry have no direction and get the neutral verdicts higher/lower/same.
HIGHER_IS_BETTER: dict[str, bool] = {**dict.fromkeys(_HIGHER, True),
                                     **dict.fromkeys(_LOWER, False)}

COMPARE_COLUMNS: list[str] = [
    "strategy", "baseline", "metric", "direction", "n_pairs", "baseline_mean",
    "strategy_mean", "diff_mean", "diff_se", "diff_ci_low", "diff_ci_high",
    "rel_diff", "verdict",
]


def metric_direction(metric: str,
                     higher_is_better: Mapping[str, bool | None] | None = None) -> bool | None:
    """Direction of ``metric``: an override from ``higher_is_better``, else the registry."""
    if higher_is_better is not None and metric in higher_is_better:
        return higher_is_better[metric]
    return HIGHER_IS_BETTER.get(metric)


def verdict(ci_low: float, ci_high: float, direction: bool | None, *,
            margin: float = 0.0) -> str:
    """Verdict for a difference interval; see the module docstring.

    Parameters
    ----------
    ci_low, ci_high : float
        Confidence interval of strategy - baseline. NaN bounds give "same".
    direction : bool or None
        True if higher is better, False if lower is better, None if neutral.
    margin : float
        Non-negative practical margin in metric units.
    """
    if margin < 0 or math.isnan(margin):
        raise ValueError(f"margin must be a non-negative number, got {margin!r}")
    above = bool(ci_low > margin)
    below = bool(ci_high < -margin)
    if direction is None:
        return "higher" if above else "lower" if below else "same"
    if above:
        return "better" if direction else "worse"
    if below:
        return "worse" if direction else "better"
    return "same"


def paired_values(outcomes: pd.DataFrame, metric: str, *, strategy: str,
                  baseline: str) -> pd.DataFrame:
    """Baseline and strategy values of ``metric`` matched on replication.

    Only replications present for both strategies, with non-NaN values for
    both, are kept.

    Returns
    -------
    pandas.DataFrame
        Columns replication, baseline, strategy, diff (strategy - baseline),
        sorted by replication.
    """
    validate_outcomes(outcomes)
    _check_metric(outcomes, metric)
    names = strategies(outcomes)
    for s in (strategy, baseline):
        if s not in names:
            raise ValueError(f"unknown strategy {s!r}; strategies are {names}")
    wide = outcomes.pivot(index="replication", columns="strategy", values=metric)
    return _pairs(wide, strategy, baseline)


def _pairs(wide: pd.DataFrame, strategy: str, baseline: str) -> pd.DataFrame:
    pair = pd.DataFrame({"baseline": wide[baseline].astype(float),
                         "strategy": wide[strategy].astype(float)}).dropna().sort_index()
    pair["diff"] = pair["strategy"] - pair["baseline"]
    return pair.rename_axis("replication").reset_index()


def _check_metric(outcomes: pd.DataFrame, metric: str) -> None:
    if metric not in metric_columns(outcomes):
        raise ValueError(f"unknown metric {metric!r}; numeric columns are "
                         f"{metric_columns(outcomes)}")


def compare(outcomes: pd.DataFrame, *, baseline: str, metrics: Sequence[str] | None = None,
            confidence: float = 0.95, rel_tolerance: float = 0.0,
            higher_is_better: Mapping[str, bool | None] | None = None) -> pd.DataFrame:
    """Compare every strategy with ``baseline`` on paired replications.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        One row per (strategy, replication).
    baseline : str
        Name of the reference strategy.
    metrics : sequence of str, optional
        Metric columns to compare; default every numeric metric column.
    confidence : float
        Coverage of the paired t interval.
    rel_tolerance : float
        Practical margin as a share of |baseline mean|; a difference must
        clear it (with its whole interval) to count as better/worse.
    higher_is_better : mapping, optional
        Per-metric direction overrides (True, False or None) of
        ``HIGHER_IS_BETTER``.

    Returns
    -------
    pandas.DataFrame
        One row per (strategy != baseline, metric) with the columns of
        ``COMPARE_COLUMNS``. Means are taken over the n_pairs replications
        present and non-NaN for both strategies, so diff_mean =
        strategy_mean - baseline_mean. rel_diff = diff_mean / |baseline_mean|
        (NaN if baseline_mean is 0).
    """
    validate_outcomes(outcomes)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    if not rel_tolerance >= 0:
        raise ValueError(f"rel_tolerance must be >= 0, got {rel_tolerance!r}")
    names = strategies(outcomes)
    if baseline not in names:
        raise ValueError(f"baseline {baseline!r} is not among the strategies {names}")
    if metrics is None:
        metrics = metric_columns(outcomes)
    else:
        metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        for m in metrics:
            _check_metric(outcomes, m)
    rows = []
    others = [s for s in names if s != baseline]
    for m in metrics:
        wide = outcomes.pivot(index="replication", columns="strategy", values=m)
        direction = metric_direction(m, higher_is_better)
        for s in others:
            pair = _pairs(wide, s, baseline)
            d = mean_ci(pair["diff"].to_numpy(), confidence)
            b_mean = float(pair["baseline"].mean()) if len(pair) else math.nan
            s_mean = float(pair["strategy"].mean()) if len(pair) else math.nan
            rel = d.mean / abs(b_mean) if b_mean != 0 and not math.isnan(b_mean) else math.nan
            margin = rel_tolerance * abs(b_mean) if not math.isnan(b_mean) else 0.0
            rows.append((s, baseline, m, direction, d.n, b_mean, s_mean, d.mean, d.se,
                         d.ci_low, d.ci_high, rel, verdict(d.ci_low, d.ci_high, direction,
                                                           margin=margin)))
    out = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    order = {s: i for i, s in enumerate(others)}
    return (out.sort_values("strategy", key=lambda c: c.map(order), kind="stable")
            .reset_index(drop=True))


def unpaired_se(outcomes: pd.DataFrame, a: str, b: str, metric: str = "profit") -> float:
    """Standard error of mean(a) - mean(b) ignoring the pairing.

    Welch form sqrt(s_a^2 / n_a + s_b^2 / n_b) over the non-NaN values of each
    strategy. With common random numbers the paired standard error
    (``compare``'s ``diff_se``) is usually much smaller.
    """
    validate_outcomes(outcomes)
    _check_metric(outcomes, metric)
    names = strategies(outcomes)
    var_over_n = []
    for s in (a, b):
        if s not in names:
            raise ValueError(f"unknown strategy {s!r}; strategies are {names}")
        x = outcomes.loc[outcomes["strategy"] == s, metric].to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        if x.size < 2:
            return math.nan
        var_over_n.append(x.var(ddof=1) / x.size)
    return math.sqrt(sum(var_over_n))
