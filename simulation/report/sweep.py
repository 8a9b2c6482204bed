"""Figures, tables and the report of a sweep (:mod:`simulation.explore.sweep`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..explore.sweep import Sweep
from .formatting import currency_of, fmt_diff, fmt_interval, fmt_metric, fmt_pct, is_count, is_money, money_units
from .page import Section, write_page
from .style import compact, count_axis, money_axis, new_figure

__all__ = ["sweep_line", "sweep_heatmap", "sweep_figures", "sweep_table", "sweep_display", "write_sweep"]

SWEEP_METRICS = ("profit", "revenue_net", "sell_through", "units_sold", "leftover_units")
MAX_LINES = 6


def _points(result: Sweep, metric: str) -> pd.DataFrame:
    """One row per design point: swept values, mean, paired difference and its CI."""
    rows = result.comparison[(result.comparison["metric"] == metric) & (result.comparison["point"] != "reference")]
    table = rows.set_index("point")[["baseline_mean", "strategy_mean", "diff_mean", "diff_ci_low",
                                     "diff_ci_high", "verdict"]]
    return result.design.join(table, how="inner")


def sweep_line(result: Sweep, *, path: str, metric: str = "profit") -> Figure:
    """``metric`` against one swept input, with paired bands.

    Each line is the mean of ``metric`` at the points; its band is the reference's
    mean plus the confidence interval of the paired difference, so two points whose
    bands do not overlap the reference line differ from it beyond noise. With other
    swept inputs on a grid, one line per combination of them (at most six).
    """
    points = _points(result, metric)
    fig = new_figure()
    ax = fig.add_subplot()
    others = [c for c in result.design.columns if c != path]
    groups = list(points.groupby(others, sort=True)) if others else [((), points)]
    line = len(groups) <= MAX_LINES
    for key, group in (groups if line else [((), points)]):
        group = group.sort_values(path)
        label = ", ".join(f"{o.split('.')[-1]}={v:g}" for o, v in zip(others, np.atleast_1d(key))) or metric
        x = group[path].to_numpy(dtype=float)
        low = group["baseline_mean"] + group["diff_ci_low"]
        high = group["baseline_mean"] + group["diff_ci_high"]
        if line:
            (drawn,) = ax.plot(x, group["strategy_mean"], marker="o", label=label)
            ax.fill_between(x, low, high, alpha=0.2, color=drawn.get_color())
        else:
            ax.errorbar(x, group["strategy_mean"], yerr=[group["strategy_mean"] - low, high - group["strategy_mean"]],
                        fmt="o", alpha=0.7, label=f"{metric} (paired 95 % CI)")
    reference = float(points["baseline_mean"].iloc[0]) if len(points) else np.nan
    ax.axhline(reference, color="0.4", linestyle="--", linewidth=1, label="reference")
    ax.set_xlabel(path)
    ax.set_ylabel(f"{metric} (mean)")
    _metric_axis(ax, metric)
    ax.set_title(f"{result.strategy}: {metric} against {path.split('.')[-1]}")
    ax.legend(fontsize=8)
    return fig


def _metric_axis(ax, metric: str) -> None:
    """Short money ticks (``31.2M``) or counts with separators on the metric's axis."""
    if is_money(metric):
        money_axis(ax)
    elif is_count(metric):
        count_axis(ax)


def sweep_heatmap(result: Sweep, *, x: str, y: str, metric: str = "profit") -> Figure:
    """Mean ``metric`` over a grid of two swept inputs; a cell whose paired CI against
    the reference contains zero is marked ``≈``."""
    points = _points(result, metric)
    grid = points.pivot_table(index=y, columns=x, values="strategy_mean", aggfunc="mean")
    same = points.assign(same=points["verdict"] == "same").pivot_table(index=y, columns=x, values="same",
                                                                       aggfunc="max")
    fig = new_figure()
    ax = fig.add_subplot()
    image = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(grid.columns)), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(range(len(grid.index)), [f"{v:g}" for v in grid.index])
    for i in range(len(grid.index)):
        for j in range(len(grid.columns)):
            value = grid.iat[i, j]
            if np.isfinite(value):
                mark = " ≈" if bool(same.iat[i, j]) else ""
                text = compact(value) if is_money(metric) else fmt_metric(metric, value)
                light = image.norm(value) > 0.6                  # viridis is light at the top: dark text there
                ax.text(j, i, f"{text}{mark}", ha="center", va="center", fontsize=7,
                        color="black" if light else "white")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{result.strategy}: mean {metric}")
    bar = fig.colorbar(image, ax=ax, label=metric)
    _metric_axis(bar.ax, metric)
    return fig


def sweep_figures(result: Sweep, *, metric: str = "profit") -> dict[str, tuple[Figure, str]]:
    """The sweep's figures with captions: a line per swept input, a heat map for a two-input grid."""
    if result.comparison.empty:
        return {}
    figures: dict[str, tuple[Figure, str]] = {}
    columns = list(result.design.columns)
    for i, path in enumerate(columns):
        figures[f"sweep_{metric}_{i}"] = (
            sweep_line(result, path=path, metric=metric),
            f"Mean {metric} against {path}. Bands: the reference's mean plus the 95 % CI of the paired "
            "difference (same replications), so a band clear of the dashed reference line is a real change.")
    if len(columns) == 2 and result.meta.get("design") == "grid":
        figures[f"sweep_{metric}_heatmap"] = (
            sweep_heatmap(result, x=columns[0], y=columns[1], metric=metric),
            f"Mean {metric} on the grid; ≈ marks points not distinguishable from the reference.")
    return figures


def sweep_table(result: Sweep, metric: str = "profit") -> pd.DataFrame:
    """One row per point: swept values, mean, paired difference with its CI, verdict and regret."""
    points = _points(result, metric).reset_index()
    points = points.drop(columns=["baseline_mean"]).rename(columns={"strategy_mean": f"{metric}_mean"})
    if len(result.regret):
        points = points.merge(result.regret, on="point", how="left")
    return points


def sweep_display(result: Sweep, metric: str = "profit", *, regret: bool = True) -> pd.DataFrame:
    """:func:`sweep_table` as text for a reader: money in the scenario's units (``3,209万``),
    differences signed, the paired 95 % CI in one column, shares as percentages.

    Swept inputs are headed by their last name when that is unambiguous.
    """
    table = sweep_table(result, metric)
    units = money_units(currency_of(result.meta))
    swept = list(result.design.columns)
    short = [c.split(".")[-1] for c in swept]
    names = short if len(set(short)) == len(short) else swept
    out = pd.DataFrame({"point": table["point"]})
    for column, name in zip(swept, names):
        out[name] = [f"{float(v):,.6g}" for v in table[column]]
    out[f"{metric} (mean)"] = [fmt_metric(metric, v, units=units) for v in table[f"{metric}_mean"]]
    out["vs reference"] = [fmt_diff(metric, v, units=units) for v in table["diff_mean"]]
    out["95 % CI"] = [fmt_interval(metric, lo, hi, signed=True, units=units)
                      for lo, hi in zip(table["diff_ci_low"], table["diff_ci_high"])]
    out["verdict"] = table["verdict"]
    if regret and "mean_regret" in table:
        out["mean regret"] = [fmt_metric(metric, v, units=units) for v in table["mean_regret"]]
        out["max regret"] = [fmt_metric(metric, v, units=units) for v in table["max_regret"]]
        out["best in"] = [fmt_pct(v, decimals=0) for v in table["best_share"]]
    return out


def write_sweep(out_dir: Path | str, result: Sweep, *, metric: str = "profit") -> dict[str, Path]:
    """Write the sweep's tables (Parquet, CSV) and report (Markdown, HTML, figures)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"outcomes": out / "sweep_outcomes.parquet", "design": out / "design.csv",
             "summary": out / "sweep_summary.csv", "comparison": out / "sweep_comparison.csv",
             "regret": out / "regret.csv"}
    result.outcomes.to_parquet(paths["outcomes"], index=False)
    result.design.reset_index().to_csv(paths["design"], index=False)
    result.summary.to_csv(paths["summary"], index=False)
    result.comparison.to_csv(paths["comparison"], index=False)
    result.regret.to_csv(paths["regret"], index=False)
    if result.comparison.empty:
        return paths
    sections = [
        Section("Design points", f"Mean {metric} at every point, its paired difference with the reference "
                "(the unmodified strategy, or the chosen point) on the same replications with a 95 % CI, "
                "and its regret: how far below the best point it falls, replication by replication "
                "(best in: the share of replications in which it is the best).",
                sweep_display(result, metric), sweep_figures(result, metric=metric)),
    ]
    for other in SWEEP_METRICS:
        if other != metric and other in set(result.comparison["metric"]):
            sections.append(Section(f"{other}", "", sweep_display(result, other, regret=False)))
    title = f"Sweep of {result.strategy} — {result.scenario.name}"
    paths.update(write_page(out, title=title, meta=result.meta, sections=sections))
    return paths
