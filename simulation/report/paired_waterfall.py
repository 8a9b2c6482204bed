"""Why a strategy wins or loses: a paired waterfall of the profit difference against the baseline.

Replication *r* of a strategy and of the baseline share their random numbers, so the
difference of each money flow is taken replication by replication; every bar is the
mean of those paired differences with its Student-t confidence interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..analysis.risk import mean_ci
from .formatting import DEFAULT_CURRENCY
from .style import GAIN, LOSS, compact, money_axis, new_figure, resolve_colors, report_style

__all__ = ["PAIRED_STEPS", "paired_steps", "paired_waterfall"]

#: (label, outcomes column, sign on profit), in the order of the bridge to profit.
PAIRED_STEPS: tuple[tuple[str, str, int], ...] = (
    ("Revenue", "revenue_gross", 1), ("Refunds", "refunds", -1), ("Fees", "channel_fees", -1),
    ("Promotions (gifts)", "gift_cost", -1), ("Marketing", "marketing_cost", -1), ("COGS", "cogs", -1),
    ("Holding", "holding_cost", -1), ("Salvage", "salvage_revenue", 1),
)


def paired_steps(outcomes: pd.DataFrame, *, baseline: str, confidence: float = 0.95) -> pd.DataFrame:
    """Paired mean differences (strategy - baseline) of each step to profit, with CIs.

    Parameters
    ----------
    outcomes
        One row per (strategy, replication) with the money columns and ``profit``.
    baseline
        The strategy every other one is paired with.
    confidence
        Coverage of the intervals.

    Returns
    -------
    pandas.DataFrame
        Columns strategy, step, diff_mean, ci_low, ci_high: one row per strategy other
        than the baseline and step, each signed by its effect on profit (a rise in
        refunds is negative). An ``Other`` step holds any remainder larger than a
        millionth of the largest step; the last step, ``Profit``, is the sum of the others.
    """
    wide = {c: outcomes.pivot(index="replication", columns="strategy", values=c)
            for _, c, _ in PAIRED_STEPS + (("", "profit", 1),) if c in outcomes}
    rows = []
    for name in pd.unique(outcomes["strategy"].astype(str)):
        if name == baseline:
            continue
        diffs = {label: sign * (wide[c][name] - wide[c][baseline]).to_numpy(dtype=float)
                 for label, c, sign in PAIRED_STEPS if c in wide}
        profit = (wide["profit"][name] - wide["profit"][baseline]).to_numpy(dtype=float)
        other = profit - np.sum(list(diffs.values()), axis=0)
        scale = max(1.0, max((np.nanmax(np.abs(v)) for v in diffs.values()), default=0.0))
        if np.nanmax(np.abs(other)) > 1e-6 * scale:
            diffs["Other"] = other
        diffs["Profit"] = profit
        for label, d in diffs.items():
            ci = mean_ci(d, confidence)
            rows.append((name, label, ci.mean, ci.ci_low, ci.ci_high))
    return pd.DataFrame(rows, columns=["strategy", "step", "diff_mean", "ci_low", "ci_high"])


@report_style
def paired_waterfall(outcomes: pd.DataFrame, *, baseline: str | None = None,
                     colors: Mapping[str, str] | None = None,
                     currency: str = DEFAULT_CURRENCY) -> Figure:
    """One panel per strategy: how each money flow moves its profit away from the baseline's.

    Parameters
    ----------
    outcomes
        One row per (strategy, replication).
    baseline
        The baseline strategy; default the first of ``colors`` (else of ``outcomes``).
    colors
        Strategy colours in display order.
    currency
        Currency symbol for the axis label.

    Returns
    -------
    matplotlib.figure.Figure
        Floating bars (green raises profit, red lowers it) with the confidence interval
        of each paired mean difference as an error bar; the last bar, the profit
        difference, starts at zero.
    """
    colors = resolve_colors(pd.unique(outcomes["strategy"].astype(str)), colors)
    baseline = baseline if baseline is not None else next(iter(colors))
    others = [s for s in colors if s != baseline]
    if not others:
        fig = new_figure(size=(9.0, 2.0))
        fig.text(0.5, 0.5, "One strategy only: nothing to compare with the baseline.", ha="center")
        return fig
    steps = paired_steps(outcomes, baseline=baseline)
    ncols = min(len(others), 2)
    nrows = math.ceil(len(others) / ncols)
    fig = new_figure(size=(10.0, 0.8 + 4.2 * nrows))
    grid = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel())
    for ax in grid[len(others):]:
        fig.delaxes(ax)
    for ax, name in zip(grid, others):
        rows = steps[steps["strategy"] == name]
        x = np.arange(len(rows))
        running = 0.0
        for i, r in enumerate(rows.itertuples(index=False)):
            total = r.step == "Profit"
            bottom = 0.0 if total else running
            color = colors[name] if total else (GAIN if r.diff_mean >= 0 else LOSS)
            ax.bar(x[i], r.diff_mean, bottom=bottom, width=0.7, color=color, edgecolor="black",
                   linewidth=0.5, zorder=3)
            end = bottom + r.diff_mean
            if math.isfinite(r.ci_low) and math.isfinite(r.ci_high):
                ax.errorbar(x[i], end, yerr=[[r.diff_mean - r.ci_low], [r.ci_high - r.diff_mean]],
                            color="black", capsize=3, linewidth=0.9, zorder=4)
            ax.annotate(f"{'+' if r.diff_mean >= 0 else '−'}{compact(abs(r.diff_mean))}",
                        (x[i], max(bottom, end)), xytext=(0, 3), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7)
            running = end
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.set_xticks(x, list(rows["step"]), rotation=40, ha="right", fontsize=8)
        ax.set_title(f"{name} − {baseline}", color=colors[name], fontweight="bold")
        ax.grid(True, axis="y", alpha=0.3)
        money_axis(ax)
    for ax in grid[:len(others):ncols]:
        ax.set_ylabel(f"Paired mean difference ({currency})")
    fig.suptitle(f"Why profits differ: each flow against {baseline}, replication by replication "
                 "(bars: 95 % CI)")
    return fig
