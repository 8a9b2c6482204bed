"""Waterfall from gross revenue to profit, one panel per strategy."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .formatting import DEFAULT_CURRENCY
from .style import GAIN, LOSS, compact, money_axis, new_figure, resolve_colors, report_style

__all__ = ["waterfall_steps", "profit_waterfall"]

# (label, outcomes column, sign); the first is the opening total.
_STEPS: tuple[tuple[str, str, int], ...] = (
    ("Gross revenue", "revenue_gross", 1), ("Refunds", "refunds", -1),
    ("Salvage", "salvage_revenue", 1), ("COGS", "cogs", -1),
    ("Marketing", "marketing_cost", -1), ("Channel fees", "channel_fees", -1),
    ("Holding", "holding_cost", -1), ("Gifts", "gift_cost", -1),
)


def waterfall_steps(outcomes: pd.DataFrame, *, tolerance: float = 1e-6) -> pd.DataFrame:
    """Mean signed steps from gross revenue to profit, per strategy.

    Parameters
    ----------
    outcomes
        One row per (strategy, replication) with the money columns.
    tolerance
        Relative size below which an unexplained remainder is dropped; a larger
        remainder appears as an ``Other`` step so the steps always add up to profit.

    Returns
    -------
    pandas.DataFrame
        Index strategy (order of appearance); one column per step (``Gross revenue``
        first, signed deltas next) and ``Profit`` last. The steps before ``Profit``
        sum to ``Profit``.
    """
    names = list(pd.unique(outcomes["strategy"].astype(str)))
    num = outcomes.drop(columns=["strategy"]).apply(pd.to_numeric, errors="coerce")
    means = num.groupby(outcomes["strategy"].astype(str)).mean().reindex(names)
    steps = pd.DataFrame(index=pd.Index(names, name="strategy"))
    for label, column, sign in _STEPS:
        if column in means:
            steps[label] = sign * means[column].fillna(0.0)
    profit = means["profit"].fillna(0.0)
    other = profit - steps.sum(axis=1)
    scale = max(1.0, float(steps.abs().to_numpy().max(initial=0.0)))
    if (other.abs() > tolerance * scale).any():
        steps["Other"] = other
    steps["Profit"] = profit
    return steps


@report_style
def profit_waterfall(outcomes: pd.DataFrame, *,
                     colors: Mapping[str, str] | None = None,
                     currency: str = DEFAULT_CURRENCY) -> Figure:
    """Waterfall from mean gross revenue to mean profit, one panel per strategy.

    Parameters
    ----------
    outcomes
        One row per (strategy, replication) with the money columns.
    colors
        Strategy colours in display order (panel order).
    currency
        Currency symbol for the axis label.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per strategy, sharing the money axis. In each, the first bar
        (gross revenue) plus the signed heights of the middle bars equals the height
        of the last bar (profit).
    """
    colors = resolve_colors(pd.unique(outcomes["strategy"].astype(str)), colors)
    steps = waterfall_steps(outcomes).reindex(list(colors))
    n = len(colors)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    fig = new_figure(size=(9.0, 5.0 if nrows == 1 else 0.6 + 3.6 * nrows))
    grid = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel())
    for ax in grid[n:]:
        fig.delaxes(ax)
    labels = list(steps.columns)
    x = np.arange(len(labels))
    font = 8 if ncols <= 2 else 7
    y_lo, y_hi = 0.0, 0.0
    for ax, name in zip(grid, colors):
        row = steps.loc[name].to_numpy(dtype=float)
        running = 0.0
        for i, value in enumerate(row):
            total = i == 0 or i == len(row) - 1
            bottom = 0.0 if total else running
            color = colors[name] if total else (GAIN if value >= 0 else LOSS)
            ax.bar(x[i], value, bottom=bottom, width=0.7, color=color,
                   edgecolor="black", linewidth=0.5, zorder=3)
            end = value if total else running + value
            if i < len(row) - 1:
                ax.plot([x[i] - 0.35, x[i + 1] + 0.35], [end, end], color="0.5",
                        linewidth=0.6, zorder=2)
            top = max(bottom, bottom + value)
            sign = "" if total else ("+" if value >= 0 else "−")
            text = f"{sign}{compact(abs(value) if sign else value)}"
            ax.annotate(text, (x[i], top), xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=font,
                        rotation=0 if ncols <= 2 else 90)
            running = end
            y_lo, y_hi = min(y_lo, bottom, bottom + value), max(y_hi, top)
        ax.axhline(0.0, color="black", linewidth=0.8)
        if ncols == 1:
            ax.set_xticks(x, labels, fontsize=9)
        else:
            ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=8)
        ax.set_title(name, color=colors[name], fontweight="bold")
        ax.grid(True, axis="y", alpha=0.3)
        money_axis(ax)
    pad = 0.16 * ((y_hi - y_lo) or 1.0)
    grid[0].set_ylim(y_lo - (pad if y_lo < 0 else 0.0), y_hi + pad)
    for ax in grid[:n:ncols]:
        ax.set_ylabel(f"Mean per replication ({currency})")
    fig.suptitle("From gross revenue to profit (mean per replication)")
    return fig
