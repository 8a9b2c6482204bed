"""The fit report of a calibration: observed-vs-simulated figures and a Markdown page."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from .style import new_figure

__all__ = ["fit_figure", "fit_markdown"]


def fit_figure(fit: pd.DataFrame, series: str) -> Figure:
    """One series day by day: the history's values and the simulated mean with its 5–95 % band."""
    f = fit[fit["series"] == series]
    fig = new_figure(size=(7.0, 3.2))
    ax = fig.add_subplot()
    ax.fill_between(f["day"], f["simulated_p5"], f["simulated_p95"], color="tab:blue", alpha=0.2,
                    label="simulated 5–95 %")
    ax.plot(f["day"], f["simulated"], color="tab:blue", label="simulated mean")
    ax.plot(f["day"], f["observed"], "o", color="black", markersize=3.5, label="observed")
    ax.set_xlabel("campaign day")
    ax.set_ylabel(f"{series} per day")
    ax.set_title(f"{series}: observed vs simulated at the fitted parameters")
    ax.legend(frameon=False, fontsize=8)
    return fig


def _table(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    fmt = lambda v: f"{v:.4g}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def fit_markdown(result, *, history: str, figures: dict[str, str]) -> str:
    """The fit report in Markdown; ``figures`` maps a series to its image path (relative)."""
    parts = [f"# Calibration to {history}", "",
             f"Method of simulated moments on common random numbers: {result.info['replications']} replications "
             f"of strategy '{result.info['strategy']}' at every candidate, moments = each series summed over "
             f"{result.info['block_days']}-day blocks; {result.n_evaluations} parameter points simulated; "
             f"objective {result.objective:.4g}.", "", "## Estimates (95 % intervals)", "",
             _table(result.estimates), ""]
    if result.warnings:
        parts += ["## Warnings", "", *(f"- {w}" for w in result.warnings), ""]
    parts += ["## Goodness of fit per series", "", _table(result.goodness), "", "## Observed vs simulated", ""]
    for series, path in figures.items():
        parts += [f"![{series}]({path})", ""]
    parts += ["## Moments used", "", _table(result.moments), ""]
    return "\n".join(parts)
