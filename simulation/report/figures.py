"""Report figures, each returned as a detached :class:`matplotlib.figure.Figure`.

All functions accept ``colors`` (strategy name to colour, in display order) so a
strategy keeps its colour across figures; figures with money axes also accept
``currency``, the symbol shown in their axis labels.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .formatting import DEFAULT_CURRENCY
from .frontier import risk_return
from .style import LOSS, compact, money_axis, new_figure, resolve_colors, report_style
from .timeseries import cash_position, orders_and_stock
from .paired_waterfall import paired_waterfall
from .waterfall import profit_waterfall, waterfall_steps

__all__ = [
    "FIGURE_TITLES", "FIGURE_CAPTIONS", "profit_distribution", "risk_return",
    "orders_and_stock", "cash_position", "waterfall_steps", "profit_waterfall", "make_figures",
]

FIGURE_TITLES: dict[str, str] = {
    "profit_distribution": "Profit distribution",
    "risk_return": "Risk–return frontier",
    "orders_stock": "Orders and stock over time",
    "cash": "Cash position over time",
    "waterfall": "From gross revenue to profit",
    "paired_waterfall": "Why profits differ from the baseline's",
}

FIGURE_CAPTIONS: dict[str, str] = {
    "profit_distribution": (
        "Each dot is one replication and each box spans its middle 50 %; the diamond "
        "marks the mean and the red bar the 5th percentile, so further right is more "
        "profitable and a wider spread is riskier."),
    "risk_return": (
        "Higher is more expected profit and further right is a better worst-5 % outcome "
        "(CVaR); strategies on the dashed frontier are not beaten on both at once, and "
        "vertical bars are confidence intervals of the mean."),
    "orders_stock": (
        "Lines follow the median replication and shaded bands the 5th–95th percentile "
        "range; dashed verticals mark phase changes and triangles the median day on which "
        "stock first ran out."),
    "cash": (
        "The median cumulative cash position with its 5th–95th percentile band; time "
        "spent below the zero line is a funding need before sales income catches up."),
    "waterfall": (
        "Mean money flow per replication from gross revenue to profit: green bars add, "
        "red bars subtract, and the last bar equals the mean profit."),
    "paired_waterfall": (
        "Each bar is the mean over replications of a strategy's money flow minus the baseline's "
        "in the same replication (common random numbers), signed by its effect on profit, with "
        "its 95 % confidence interval; the bars add up to the last one, the profit difference."),
}

@report_style
def profit_distribution(outcomes: pd.DataFrame, metric: str = "profit", *,
                        colors: Mapping[str, str] | None = None,
                        currency: str = DEFAULT_CURRENCY) -> Figure:
    """Distribution of a money outcome per strategy: box, replications, mean and P5.

    Parameters
    ----------
    outcomes
        One row per (strategy, replication).
    metric
        Money column to show, ``"profit"`` by default.
    colors
        Strategy colours in display order (first strategy on top).
    currency
        Currency symbol for the axis label.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one horizontal row per strategy.
    """
    colors = resolve_colors(pd.unique(outcomes["strategy"].astype(str)), colors)
    names = list(colors)
    values = pd.to_numeric(outcomes[metric], errors="coerce").astype(float)
    groups = {str(k): g.dropna().to_numpy()
              for k, g in values.groupby(outcomes["strategy"].astype(str))}
    data = [groups.get(n, np.array([])) for n in names]
    fig = new_figure(size=(9.0, max(3.6, 1.6 + 0.9 * len(names))))
    ax = fig.subplots()
    pos = np.arange(len(names), dtype=float)
    boxes = ax.boxplot(data, positions=pos, orientation="horizontal", widths=0.55,
                       showfliers=False, patch_artist=True, manage_ticks=False,
                       medianprops={"color": "black", "linewidth": 1.2})
    rng = np.random.default_rng(0)
    labels = []
    for i, (name, vals) in enumerate(zip(names, data)):
        color = colors[name]
        boxes["boxes"][i].set(facecolor=color, alpha=0.28, edgecolor=color)
        jitter = rng.uniform(-0.17, 0.17, size=len(vals))
        ax.scatter(vals, pos[i] + jitter, s=12, color=color, alpha=0.55, linewidths=0, zorder=3)
        mean = float(np.mean(vals)) if len(vals) else math.nan
        p5 = float(np.percentile(vals, 5)) if len(vals) else math.nan
        ax.plot([mean], [pos[i]], marker="D", markersize=8, markerfacecolor="white",
                markeredgecolor="black", linestyle="none", zorder=5)
        ax.plot([p5], [pos[i]], marker="|", markersize=22, markeredgewidth=3,
                color=LOSS, linestyle="none", zorder=4)
        labels.append(f"{name}\nmean {compact(mean)} · P5 {compact(p5)}"
                      if len(vals) else name)
    ax.set_yticks(pos, labels)
    ax.set_ylim(len(names) - 0.5, -0.5)
    lo, hi = ax.get_xlim()
    zero = lo < 0 < hi or abs(lo) < 0.1 * (hi - lo)
    if zero:
        ax.axvline(0.0, color="0.25", linestyle=":", linewidth=1.2, zorder=2)
    ax.set_xlabel(f"{metric.replace('_', ' ').capitalize()} per replication ({currency})")
    money_axis(ax, "x")
    ax.grid(True, axis="x", alpha=0.3)
    n = max((len(v) for v in data), default=0)
    ax.set_title(f"{metric.replace('_', ' ').capitalize()} distribution across {n} replications")
    handles = [
        Line2D([], [], marker="D", markerfacecolor="white", markeredgecolor="black",
               linestyle="none", markersize=8, label="mean"),
        Line2D([], [], marker="|", color=LOSS, markeredgewidth=3, markersize=14,
               linestyle="none", label="5th percentile (P5)"),
    ]
    if zero:
        handles.append(Line2D([], [], color="0.25", linestyle=":", label="break-even (zero)"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False,
               fontsize=9)
    return fig


def make_figures(outcomes: pd.DataFrame, trajectories: pd.DataFrame, *,
                 risk: pd.DataFrame, colors: Mapping[str, str] | None = None,
                 currency: str = DEFAULT_CURRENCY, baseline: str | None = None) -> dict[str, Figure]:
    """All report figures, keyed as in :data:`FIGURE_TITLES`.

    Parameters
    ----------
    outcomes, trajectories, risk
        The run's result frames.
    colors
        Strategy colours in display order, shared by all figures.
    currency
        Currency symbol for money axes.
    baseline
        Strategy of the paired waterfall's reference (default: the first of ``colors``).

    Returns
    -------
    dict
        Figure name to figure, in report order.
    """
    kw = {"colors": colors, "currency": currency}
    return {
        "profit_distribution": profit_distribution(outcomes, **kw),
        "risk_return": risk_return(risk, **kw),
        "orders_stock": orders_and_stock(trajectories, outcomes, colors=colors),
        "cash": cash_position(trajectories, **kw),
        "waterfall": profit_waterfall(outcomes, **kw),
        "paired_waterfall": paired_waterfall(outcomes, baseline=baseline, **kw),
    }
