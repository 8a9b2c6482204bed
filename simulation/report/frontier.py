"""Risk–return figure: expected profit against the CVaR 5 % of profit."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .formatting import DEFAULT_CURRENCY
from .style import money_axis, new_figure, resolve_colors, report_style

__all__ = ["risk_return"]


def _frontier(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of points not dominated on both coordinates, by increasing ``x``."""
    keep = [i for i in range(len(x))
            if not any((x[j] >= x[i] and y[j] >= y[i]) and (x[j] > x[i] or y[j] > y[i])
                       for j in range(len(x)))]
    return np.array(sorted(keep, key=lambda i: x[i]), dtype=int)


_FONT = 10.0
# (dx, dy) offsets in points, ha, va: right, left, above, below, then diagonals.
_CANDIDATES = (
    (11, 0, "left", "center"), (-11, 0, "right", "center"), (0, 11, "center", "bottom"),
    (0, -11, "center", "top"), (9, 9, "left", "bottom"), (9, -9, "left", "top"),
    (-9, 9, "right", "bottom"), (-9, -9, "right", "top"),
)


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_points(ax: Axes, points: list[tuple[str, float, float, float, float]],
                  colors: Mapping[str, str]) -> None:
    """Name each point where its label hits neither another label nor a marker.

    Label sizes are estimated from the font size; the first candidate position that
    stays inside the axes and is free is taken, else the one with the fewest clashes.
    """
    ax.get_xlim(), ax.get_ylim()  # settle autoscaling before mapping to display space
    px = ax.figure.dpi / 72.0
    frame = ax.get_window_extent()
    bounds = (frame.x0, frame.y0, frame.x1, frame.y1)
    obstacles: list[tuple[float, ...]] = []
    for _, x, y, low, high in points:
        mx, my = ax.transData.transform((x, y))
        y0, y1 = ax.transData.transform((x, low))[1], ax.transData.transform((x, high))[1]
        obstacles.append((mx - 6 * px, my - 6 * px, mx + 6 * px, my + 6 * px))
        obstacles.append((mx - 5 * px, min(y0, y1), mx + 5 * px, max(y0, y1)))
    placed: list[tuple[float, ...]] = []
    for name, x, y, _, _ in points:
        mx, my = ax.transData.transform((x, y))
        w, h = (0.66 * _FONT * len(name) + 4) * px, 1.5 * _FONT * px
        best, best_score = _CANDIDATES[0], np.inf
        for cand in _CANDIDATES:
            dx, dy, ha, va = cand
            x0 = mx + dx * px - {"left": 0, "center": w / 2, "right": w}[ha]
            y0 = my + dy * px - {"bottom": 0, "center": h / 2, "top": h}[va]
            box = (x0, y0, x0 + w, y0 + h)
            inside = (box[0] >= bounds[0] and box[2] <= bounds[2]
                      and box[1] >= bounds[1] and box[3] <= bounds[3])
            score = sum(_overlaps(box, o) for o in obstacles + placed) + (0 if inside else 5)
            if score < best_score:
                best, best_score, best_box = cand, score, box
            if score == 0:
                break
        placed.append(best_box)
        dx, dy, ha, va = best
        ax.annotate(name, (x, y), xytext=(dx, dy), textcoords="offset points",
                    fontsize=_FONT, fontweight="bold", color=colors[name], ha=ha, va=va,
                    zorder=6, bbox={"boxstyle": "round,pad=0.15", "fc": "white",
                                    "ec": "none", "alpha": 0.8})


@report_style
def risk_return(risk: pd.DataFrame, metric: str = "profit", *,
                colors: Mapping[str, str] | None = None,
                currency: str = DEFAULT_CURRENCY) -> Figure:
    """Expected profit against the CVaR 5 % of profit, one labelled point per strategy.

    Parameters
    ----------
    risk
        One row per strategy with ``<metric>_mean``, ``<metric>_cvar`` and optionally
        ``<metric>_ci_low`` / ``<metric>_ci_high`` (drawn as error bars).
    metric
        Prefix of the risk columns, ``"profit"`` by default.
    colors
        Strategy colours in display order.
    currency
        Currency symbol for the axis labels.

    Returns
    -------
    matplotlib.figure.Figure
        One axes.
    """
    colors = resolve_colors(pd.unique(risk["strategy"].astype(str)), colors)
    fig = new_figure()
    ax = fig.subplots()
    df = risk.assign(strategy=risk["strategy"].astype(str)).set_index("strategy")
    mean = pd.to_numeric(df[f"{metric}_mean"], errors="coerce").astype(float)
    cvar = pd.to_numeric(df[f"{metric}_cvar"], errors="coerce").astype(float)
    lo = pd.to_numeric(df.get(f"{metric}_ci_low", mean), errors="coerce").astype(float)
    hi = pd.to_numeric(df.get(f"{metric}_ci_high", mean), errors="coerce").astype(float)
    ok = [n for n in colors if n in df.index and np.isfinite(mean[n]) and np.isfinite(cvar[n])]
    points = []
    for name in ok:
        yerr = [[max(mean[name] - lo[name], 0.0)], [max(hi[name] - mean[name], 0.0)]]
        yerr = np.nan_to_num(np.asarray(yerr, dtype=float))
        ax.errorbar([cvar[name]], [mean[name]], yerr=yerr, fmt="o", markersize=9,
                    color=colors[name], markeredgecolor="black", capsize=5,
                    elinewidth=1.6, zorder=4)
        points.append((name, cvar[name], mean[name], mean[name] - yerr[0, 0],
                       mean[name] + yerr[1, 0]))
    handles = [Line2D([], [], marker="o", color="0.4", linestyle="none",
                      markeredgecolor="black", label="mean with CI (error bar)")]
    if len(ok) >= 2:
        x, y = cvar[ok].to_numpy(), mean[ok].to_numpy()
        idx = _frontier(x, y)
        if len(idx) >= 2:
            ax.plot(x[idx], y[idx], color="0.35", linestyle="--", linewidth=1.2, zorder=2)
            handles.append(Line2D([], [], color="0.35", linestyle="--",
                                  label="efficient frontier"))
    if not ok:
        ax.text(0.5, 0.5, "CVaR not available", transform=ax.transAxes, ha="center",
                color="0.4")
    ax.margins(x=0.25, y=0.2)
    for line, (a, b) in ((ax.axhline, ax.get_ylim()), (ax.axvline, ax.get_xlim())):
        if a < 0 < b:
            line(0.0, color="0.25", linestyle=":", linewidth=1.0, zorder=1)
    _label_points(ax, points, colors)
    ax.set_xlabel(f"CVaR 5 % of {metric}: mean of the worst 5 % of replications ({currency})")
    ax.set_ylabel(f"Expected {metric} ({currency})")
    money_axis(ax, "x")
    money_axis(ax, "y")
    ax.grid(True, alpha=0.3)
    ax.set_title("Risk–return: expected profit vs. downside (up and right is better)")
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles),
               frameon=False, fontsize=9)
    return fig
