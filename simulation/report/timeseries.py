"""Figures over campaign days: cumulative orders and stock, cash position.

Each strategy is drawn as the median over replications with a shaded band from the
5th to the 95th percentile; vertical lines mark the days on which the campaign
phase changes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from .formatting import DEFAULT_CURRENCY
from .style import NEUTRAL, count_axis, money_axis, new_figure, resolve_colors, report_style

__all__ = ["quantile_bands", "phase_starts", "orders_and_stock", "cash_position"]

_QUANTILES = (0.05, 0.5, 0.95)


def quantile_bands(trajectories: pd.DataFrame, column: str, *,
                   cumulative: bool = False) -> pd.DataFrame:
    """P5, median and P95 of ``column`` across replications, per strategy and day.

    Parameters
    ----------
    trajectories
        Daily trajectories (strategy, replication, day, ``column``).
    column
        The variable to summarise.
    cumulative
        Accumulate a daily flow within each replication before summarising.

    Returns
    -------
    pandas.DataFrame
        Index (strategy, day); columns ``p5``, ``p50``, ``p95``.
    """
    df = trajectories[["strategy", "replication", "day", column]].copy()
    df["strategy"] = df["strategy"].astype(str)
    df[column] = pd.to_numeric(df[column], errors="coerce").astype(float)
    if cumulative:
        df = df.sort_values(["strategy", "replication", "day"])
        df[column] = df.groupby(["strategy", "replication"], sort=False)[column].cumsum()
    bands = df.groupby(["strategy", "day"])[column].quantile(list(_QUANTILES)).unstack()
    bands.columns = ["p5", "p50", "p95"]
    return bands


def phase_starts(trajectories: pd.DataFrame, *, include_first: bool = False) -> pd.DataFrame:
    """First day of every phase, per strategy.

    The day is the median over replications of the first day spent in the phase.

    Parameters
    ----------
    trajectories
        Daily trajectories with a ``phase`` column.
    include_first
        Keep the phase in which the campaign starts (no phase change there).

    Returns
    -------
    pandas.DataFrame
        Columns strategy, phase, day, sorted by strategy and day.
    """
    if "phase" not in trajectories or trajectories.empty:
        return pd.DataFrame({"strategy": [], "phase": [], "day": []})
    df = trajectories[["strategy", "replication", "day", "phase"]].copy()
    df["strategy"] = df["strategy"].astype(str)
    df["phase"] = df["phase"].astype(str)
    first = df.groupby(["strategy", "replication", "phase"])["day"].min()
    start = first.groupby(["strategy", "phase"]).median().round().reset_index()
    day0 = df.groupby("strategy")["day"].min()
    if not include_first:
        start = start[start["day"] > start["strategy"].map(day0)]
    return start.sort_values(["strategy", "day"]).reset_index(drop=True)


def _draw_phases(axes: list[Axes], starts: pd.DataFrame, colors: Mapping[str, str],
                 *, x_span: float) -> bool:
    """Vertical phase-change lines on ``axes`` and phase names above the first one."""
    if starts.empty:
        return False
    n_strategies = len(colors)
    day0 = starts["day"].min()
    last_x, level = -np.inf, 0
    for (day, phase), grp in starts.groupby(["day", "phase"], sort=True):
        shared = grp["strategy"].nunique() >= n_strategies
        color = NEUTRAL if shared or len(grp) > 1 else colors.get(grp["strategy"].iloc[0], NEUTRAL)
        for ax in axes if day > day0 else []:
            ax.axvline(day, color=color, linestyle="--", linewidth=0.9, alpha=0.8, zorder=1)
        level = 1 - level if day - last_x < 0.09 * x_span else 0
        last_x = day
        top = axes[0]
        top.text(day, 1.01 + 0.075 * level, f" {phase}", color=color, fontsize=8,
                 ha="left", va="bottom",
                 transform=blended_transform_factory(top.transData, top.transAxes))
    return len(starts["day"].unique()) > 1


def _draw_bands(ax: Axes, bands: pd.DataFrame, colors: Mapping[str, str]) -> None:
    for name, color in colors.items():
        if name not in bands.index.get_level_values(0):
            continue
        b = bands.loc[name]
        ax.fill_between(b.index, b["p5"], b["p95"], color=color, alpha=0.16, linewidth=0)
        ax.plot(b.index, b["p50"], color=color, linewidth=2.0, label=name)


def _legend(fig: Figure, colors: Mapping[str, str], extra: list) -> None:
    handles = [Line2D([], [], color=c, linewidth=2.0, label=n) for n, c in colors.items()]
    handles.append(Patch(color="0.5", alpha=0.25, label="P5–P95 across replications"))
    handles += extra
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4),
               frameon=False, fontsize=9)


def _stockout_days(outcomes: pd.DataFrame | None) -> pd.DataFrame:
    """Median first stock-out day among replications that stock out, and their share."""
    if outcomes is None or "first_stockout_day" not in outcomes:
        return pd.DataFrame({"day": [], "share": []})
    day = pd.to_numeric(outcomes["first_stockout_day"], errors="coerce").astype(float)
    grouped = day.groupby(outcomes["strategy"].astype(str))
    out = pd.DataFrame({"day": grouped.median(),
                        "share": grouped.apply(lambda s: s.notna().mean())})
    return out[out["day"].notna()]


def _label_stockouts(ax: Axes, marks: list[tuple[str, float, float, float]],
                     colors: Mapping[str, str], *, right_of: float, near: float) -> None:
    """Label stock-out markers with their share of runs, stacking the labels of nearby markers."""
    anchors: list[tuple[float, float]] = []
    for name, day, level, share in sorted(marks, key=lambda m: -m[2]):
        cluster = [a for a in anchors if abs(day - a[0]) < near]
        base = cluster[0][1] if cluster else level
        anchors.append((day, base))
        right = day > right_of
        ax.annotate(f"{share:.0%} of runs", (day, base), xytext=(-8 if right else 8, 8 + 12 * len(cluster)),
                    textcoords="offset points", ha="right" if right else "left", fontsize=8,
                    color=colors[name], zorder=6,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})


@report_style
def orders_and_stock(trajectories: pd.DataFrame, outcomes: pd.DataFrame | None = None, *,
                     colors: Mapping[str, str] | None = None) -> Figure:
    """Cumulative orders (top) and stock on hand (bottom) over campaign days.

    Parameters
    ----------
    trajectories
        Daily trajectories with ``orders``, ``stock`` and ``phase``.
    outcomes
        Per-replication outcomes; its ``first_stockout_day`` places a marker at the
        median first stock-out day of each strategy (replications without a
        stock-out are left out of the median). ``None`` draws no markers.
    colors
        Strategy colours in display order (see :func:`style.resolve_colors`).

    Returns
    -------
    matplotlib.figure.Figure
        Two stacked axes sharing the day axis.
    """
    colors = resolve_colors(pd.unique(trajectories["strategy"].astype(str)), colors)
    fig = new_figure(size=(9.0, 6.0))
    ax_orders, ax_stock = fig.subplots(2, 1, sharex=True)
    _draw_bands(ax_orders, quantile_bands(trajectories, "orders", cumulative=True), colors)
    stock = quantile_bands(trajectories, "stock")
    _draw_bands(ax_stock, stock, colors)
    days = trajectories["day"].astype(float)
    x_span = float(days.max() - days.min()) or 1.0
    extra: list = []
    starts = phase_starts(trajectories, include_first=True)
    if _draw_phases([ax_orders, ax_stock], starts, colors, x_span=x_span):
        extra.append(Line2D([], [], color=NEUTRAL, linestyle="--", label="phase change"))
    marks: list[tuple[str, float, float, float]] = []
    for name, row in _stockout_days(outcomes).iterrows():
        if name not in colors or name not in stock.index.get_level_values(0):
            continue
        s = stock.loc[name]["p50"]
        day = float(row["day"])
        level = float(np.interp(day, s.index.astype(float), s.to_numpy()))
        ax_stock.plot([day], [level], marker="v", markersize=10, color=colors[name],
                      markeredgecolor="black", linestyle="none", zorder=5)
        marks.append((name, day, level, float(row["share"])))
    _label_stockouts(ax_stock, marks, colors, right_of=float(days.min()) + 0.8 * x_span, near=0.08 * x_span)
    if marks:
        extra.append(Line2D([], [], marker="v", color="0.4", markeredgecolor="black",
                            linestyle="none", markersize=9,
                            label="median first stock-out (share of runs)"))
    ax_orders.set_ylabel("Cumulative orders (units)")
    ax_stock.set_ylabel("Stock on hand (units)")
    ax_stock.set_xlabel("Campaign day")
    for ax in (ax_orders, ax_stock):
        count_axis(ax)
        ax.grid(True, alpha=0.3)
        ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
    ax_stock.set_xlim(days.min(), days.max())
    fig.suptitle("Orders and stock over the campaign (median and P5–P95 band)")
    _legend(fig, colors, extra)
    return fig


@report_style
def cash_position(trajectories: pd.DataFrame, *, colors: Mapping[str, str] | None = None,
                  currency: str = DEFAULT_CURRENCY) -> Figure:
    """Cumulative cash position over campaign days with a zero line.

    Parameters
    ----------
    trajectories
        Daily trajectories with ``cash`` and ``phase``.
    colors
        Strategy colours in display order.
    currency
        Currency symbol for the axis label.

    Returns
    -------
    matplotlib.figure.Figure
        One axes.
    """
    colors = resolve_colors(pd.unique(trajectories["strategy"].astype(str)), colors)
    fig = new_figure()
    ax = fig.subplots()
    _draw_bands(ax, quantile_bands(trajectories, "cash"), colors)
    ax.axhline(0.0, color="black", linewidth=1.1, zorder=2)
    days = trajectories["day"].astype(float)
    x_span = float(days.max() - days.min()) or 1.0
    extra = [Line2D([], [], color="black", linewidth=1.1, label="zero cash")]
    starts = phase_starts(trajectories, include_first=True)
    if _draw_phases([ax], starts, colors, x_span=x_span):
        extra.append(Line2D([], [], color=NEUTRAL, linestyle="--", label="phase change"))
    ax.set_xlim(days.min(), days.max())
    ax.set_xlabel("Campaign day")
    ax.set_ylabel(f"Cumulative cash position ({currency})")
    money_axis(ax)
    ax.grid(True, alpha=0.3)
    fig.suptitle("Cash position over the campaign (median and P5–P95 band)")
    _legend(fig, colors, extra)
    return fig
