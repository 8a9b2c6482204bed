"""Tornado figures, tables and the report of a sensitivity analysis
(:mod:`simulation.explore.sensitivity`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..explore.sensitivity import SENSITIVITY_METRICS, Sensitivity
from .page import Section, write_page
from .style import new_figure

__all__ = ["tornado", "write_sensitivity"]

_BARS = {"morris": (("mu_star", "mu_star_conf", "μ* (mean |elementary effect|)"),),
         "sobol": (("ST", "ST_conf", "total index ST"), ("S1", "S1_conf", "first-order index S1"))}


def tornado(indices: pd.DataFrame, *, method: str, response: str = "profit") -> Figure:
    """Horizontal bars of each input's index for one response, largest on top, with
    95 % bootstrap CIs; Sobol' shows the total index with the first-order index inside it."""
    rows = indices[(indices["method"] == method) & (indices["response"] == response)]
    first = _BARS[method][0][0]
    rows = rows.sort_values(first)
    fig = new_figure(size=(8, 1.2 + 0.5 * len(rows)))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    for k, (col, conf, label) in enumerate(_BARS[method]):
        height = 0.7 if k == 0 else 0.35
        ax.barh(y, rows[col], height=height, xerr=rows[conf], alpha=0.8 if k else 0.5, label=label,
                error_kw={"elinewidth": 1, "capsize": 3})
    ax.set_yticks(y, rows["input"])
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_title(f"{method}: what drives {response}")
    ax.legend(fontsize=8, loc="lower right")
    return fig


def write_sensitivity(out_dir: Path | str, result: Sensitivity) -> dict[str, Path]:
    """Write ``sensitivity_indices.csv``, ``sensitivity_noise.csv`` and the report."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"indices": out / "sensitivity_indices.csv", "noise": out / "sensitivity_noise.csv"}
    result.indices.to_csv(paths["indices"], index=False)
    result.noise.to_csv(paths["noise"], index=False)
    if result.indices.empty:
        return paths
    sections = []
    for method in result.indices["method"].unique():
        cols = [c for group in _BARS[method] for c in group[:2]]
        table = result.indices[result.indices["method"] == method][["response", "input", *cols]]
        figures = {f"tornado_{method}_{r}": (tornado(result.indices, method=method, response=r),
                                             f"{method}: inputs ranked by their effect on {r}; bars are 95 % "
                                             "bootstrap intervals.")
                   for r in SENSITIVITY_METRICS}
        text = ("Morris screening: μ* is the mean absolute change of the response when one input moves "
                "across its range (in the response's units); σ large against μ* means interactions or "
                "curvature. Inputs with small μ* can be left uncertain." if method == "morris" else
                "Sobol' indices: S1 is the share of the response's variance an input explains alone, ST "
                "with its interactions; ST near zero means the input does not matter.")
        sections.append(Section(f"{method.capitalize()} indices", text, table, figures))
    noise = result.noise
    sections.append(Section(
        "Monte Carlo noise", "Each point's response is estimated from a few replications. noise_share is the "
        "share of the variance between design points that replication noise alone would give: indices "
        "below it are not distinguishable from noise; more replications per point lower it.", noise))
    paths.update(write_page(out, title=f"Sensitivity of {result.meta.get('strategy')} — {result.meta.get('scenario')}",
                            meta=result.meta, sections=sections))
    return paths
