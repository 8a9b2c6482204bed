"""Figures, tables and the report of a scenario discovery (:mod:`simulation.explore.discovery`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..explore.discovery import Discovery
from .page import Section, write_page
from .style import LOSS, new_figure

__all__ = ["tradeoff_figure", "box_figure", "write_discovery"]


def tradeoff_figure(result: Discovery) -> Figure:
    """PRIM's peeling trajectory: coverage against density, coloured by the inputs restricted."""
    t = result.box.trajectory
    fig = new_figure(size=(7, 4.5))
    ax = fig.add_subplot()
    points = ax.scatter(t["coverage"], t["density"], c=t["n_restricted"], cmap="viridis", s=18)
    chosen = t.iloc[result.box.step]
    ax.scatter([chosen["coverage"]], [chosen["density"]], s=120, facecolors="none", edgecolors=LOSS,
               linewidths=2, label=f"chosen box (step {result.box.step})")
    ax.set_xlabel("coverage (share of all failures inside the box)")
    ax.set_ylabel("density (share of runs in the box that fail)")
    ax.set_title(f"{result.meta['strategy']}: where '{result.rule}'")
    fig.colorbar(points, ax=ax, label="inputs restricted")
    ax.legend(fontsize=8)
    return fig


def box_figure(result: Discovery) -> Figure | None:
    """The experiments on the two inputs the box restricts most, failures in red, the box drawn."""
    limits = result.box.limits
    if len(limits) == 0:
        return None
    share = (limits["high"] - limits["low"]) / (limits["max"] - limits["min"])
    order = limits.assign(share=share).sort_values("share")
    names = list(order["input"].head(2))
    x = result.experiments
    other = [c for c in x.columns if c not in ("point", "replication") and c not in names]
    if len(names) == 1:
        if not other:
            return None
        names.append(other[0])
    fig = new_figure(size=(7, 5))
    ax = fig.add_subplot()
    failed = result.failed
    ax.scatter(x.loc[~failed, names[0]], x.loc[~failed, names[1]], s=8, color="0.6", label="fine")
    ax.scatter(x.loc[failed, names[0]], x.loc[failed, names[1]], s=10, color=LOSS, label=f"{result.rule}")
    lims = result.box.limits.set_index("input")
    bounds = []
    for name in names:
        if name in lims.index:
            bounds.append((lims.loc[name, "low"], lims.loc[name, "high"]))
        else:
            bounds.append((float(np.min(x[name])), float(np.max(x[name]))))
    (x0, x1), (y0, y1) = bounds
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="black", linewidth=1.5))
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.legend(fontsize=8)
    return fig


def write_discovery(out_dir: Path | str, result: Discovery) -> dict[str, Path]:
    """Write ``experiments.parquet``, ``prim_box.csv``, ``prim_trajectory.csv`` and the report."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"experiments": out / "experiments.parquet"}
    result.experiments.assign(failed=result.failed).to_parquet(paths["experiments"], index=False)
    if result.box is None:
        sections = [Section("No failures", f"No experiment met '{result.rule}': there is no box to find.")]
    else:
        paths["box"] = out / "prim_box.csv"
        result.box.limits.to_csv(paths["box"], index=False)
        paths["trajectory"] = out / "prim_trajectory.csv"
        result.box.trajectory.to_csv(paths["trajectory"], index=False)
        figures = {"prim_tradeoff": (tradeoff_figure(result), "Each dot is one step of PRIM's peeling: "
                                     "further left the box is smaller and holds fewer of the failures, higher "
                                     "it is purer. The circled step is the box reported.")}
        scatter = box_figure(result)
        if scatter is not None:
            figures["prim_box"] = (scatter, "Each dot is one replication at one design point; the rectangle is "
                                   "the box on the two inputs it restricts most.")
        text = (f"{result.failed.mean():.0%} of the experiments meet '{result.rule}'. The box below holds "
                f"{result.box.coverage:.0%} of them (coverage); {result.box.density:.0%} of the experiments "
                f"inside it fail (density), against {result.failed.mean():.0%} overall; it covers "
                f"{result.box.mass:.0%} of the experiments (mass).")
        sections = [Section("Where the strategy fails", text, result.box.limits, figures)]
    paths.update(write_page(out, title=f"Scenario discovery for {result.meta['strategy']} — {result.meta['scenario']}",
                            meta=result.meta, sections=sections))
    return paths
