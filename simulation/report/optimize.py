"""Figures, tables, the optimised scenario file and the report of an optimisation
(:mod:`simulation.explore.optimize`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure

from ..explore.optimize import Optimization
from ..scenario.paths import get_path, set_in
from ..scenario.yamlsource import read_yaml
from .page import Section, write_page
from .style import new_figure

__all__ = ["convergence_figure", "frontier_figure", "optimised_strategy", "write_optimization"]


def convergence_figure(result: Optimization) -> Figure:
    """Each search evaluation's objective (feasible or not) and the best feasible one so far."""
    c = result.convergence
    fig = new_figure()
    ax = fig.add_subplot()
    feasible = c["feasible"].astype(bool)
    ax.scatter(c.loc[feasible, "evaluation"], c.loc[feasible, "objective"], s=12, alpha=0.6, label="feasible plan")
    ax.scatter(c.loc[~feasible, "evaluation"], c.loc[~feasible, "objective"], s=12, alpha=0.6, marker="x",
               color="0.6", label="breaks a limit")
    ax.step(c["evaluation"], c["best_feasible"], where="post", color="C3", linewidth=2, label="best feasible so far")
    ax.set_xlabel("evaluation")
    ax.set_ylabel(result.objective.name)
    ax.set_title(f"{result.strategy}: search ({result.meta.get('replications')} replications per plan)")
    ax.legend(fontsize=8)
    return fig


def frontier_figure(result: Optimization) -> Figure:
    """The objective against the risk statistic over the feasible search plans, frontier joined."""
    risk = result.pareto
    search = result.trace[(result.trace["stage"] == "search")].drop_duplicates("candidate")
    fig = new_figure()
    ax = fig.add_subplot()
    ok = search["feasible"].astype(bool)
    ax.scatter(search.loc[ok, risk.name], search.loc[ok, "objective"], s=12, alpha=0.5, label="feasible plan")
    ax.scatter(search.loc[~ok, risk.name], search.loc[~ok, "objective"], s=12, alpha=0.5, marker="x",
               color="0.6", label="breaks a limit")
    if len(result.frontier):
        ax.plot(result.frontier[risk.name], result.frontier["objective"], "-o", color="C3", label="frontier")
    chosen = search[search[result.levers[0].path].isin([result.best[result.levers[0].path]])]
    for path in result.best:
        chosen = chosen[chosen[path] == result.best[path]]
    if len(chosen):
        ax.scatter(chosen[risk.name], chosen["objective"], s=90, marker="*", color="k", zorder=5, label="chosen plan")
    ax.set_xlabel(f"{risk.name} ({'higher' if risk.higher_is_better else 'lower'} is better)")
    ax.set_ylabel(result.objective.name)
    ax.set_title(f"{result.strategy}: {result.objective.name} against {risk.name}")
    ax.legend(fontsize=8)
    return fig


def _nested(path: list[str], value) -> dict:
    out = value
    for key in reversed(path):
        out = {key: out}
    return out


def optimised_strategy(result: Optimization) -> dict:
    """The new strategy's data: ``extends`` the optimised one, only the optimised levers written.

    A lever inside a list (``early_bird.0.price``) writes the whole list, since ``extends``
    replaces lists.
    """
    from ..scenario.extends import deep_merge

    body: dict = {"extends": result.strategy,
                  "description": f"{result.strategy} with {', '.join(p.split('.', 2)[2] for p in result.best)} "
                                 f"optimised for {result.objective.name}"
                                 + (f" under {'; '.join(lim.text for lim in result.limits)}" if result.limits else "")}
    prefix = f"strategies.{result.strategy}."
    data = result.scenario.strategies[result.strategy].model_dump(mode="json", by_alias=True)
    for path, value in result.best.items():
        data = set_in(data, path[len(prefix):].split("."), value)
    for path in result.best:
        keys = path[len(prefix):].split(".")
        cut = next((i for i, k in enumerate(keys) if k.isdigit()), len(keys))
        whole = data
        for k in keys[:cut]:
            whole = whole[k]
        body = deep_merge(body, _nested(keys[:cut], whole))
    return body


def optimised_yaml(result: Optimization, *, source: str | None) -> str:
    """The scenario file (or the scenario, without one) with the strategy ``S_optimised`` added."""
    if source is not None:
        data, _ = read_yaml(source)
    else:
        data = result.scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    name = f"{result.strategy}_optimised"
    data.setdefault("strategies", {})[name] = optimised_strategy(result)
    head = (f"# {result.scenario.name} with '{name}', written by presale optimize: "
            f"{result.objective.name} {'minimised' if result.meta.get('direction') == 'minimise' else 'maximised'}"
            + (f" under {'; '.join(lim.text for lim in result.limits)}" if result.limits else "") + "\n")
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _plan_table(result: Optimization) -> pd.DataFrame:
    return pd.DataFrame({"lever": list(result.best),
                         "original": [get_path(result.scenario, p) for p in result.best],
                         "optimised": list(result.best.values()),
                         "low": [lv.low for lv in result.levers], "high": [lv.high for lv in result.levers]})


def write_optimization(out_dir: Path | str, result: Optimization, *, source: str | None = None) -> dict[str, Path]:
    """Write the tables (CSV), ``optimised.yaml`` (only for a feasible plan) and the report."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / f"{name}.csv" for name in ("evaluations", "convergence", "race", "confirmation",
                                                   "comparison", "frontier")}
    result.trace.to_csv(paths["evaluations"], index=False)
    result.convergence.to_csv(paths["convergence"], index=False)
    result.race.to_csv(paths["race"], index=False)
    result.confirmation.to_csv(paths["confirmation"], index=False)
    result.comparison.to_csv(paths["comparison"], index=False)
    result.frontier.to_csv(paths["frontier"], index=False)
    if result.feasible:
        paths["scenario"] = out / "optimised.yaml"
        paths["scenario"].write_text(optimised_yaml(result, source=source), encoding="utf-8")
    verdict = ("The plan meets every limit on the race's replications." if result.feasible else
               "No plan met every limit: the plan shown breaks them least; no optimised.yaml was written.")
    sections = [
        Section("Chosen plan", f"{verdict} Only the levers below differ from '{result.strategy}'.",
                _plan_table(result)),
        Section("Confirmation on fresh replications",
                "The chosen plan on replications of another seed, independent of those it was chosen on: "
                "each statistic with a 95 % bootstrap interval over the replications, and the share of "
                "bootstrap resamples in which each limit holds (p_holds). A plan chosen on the edge of a "
                "limit holds it about half the time on fresh replications; tighten the limit for a margin.",
                result.confirmation),
        Section("Against the hand-written strategies",
                "The optimised plan minus each strategy on the same fresh replications (paired bootstrap "
                "95 % CI); verdict 'better' when the interval lies entirely on the plan's side.",
                result.comparison),
        Section("Convergence", "Every plan the search evaluated, on the same replications, and the best "
                "feasible objective so far.", None,
                {"convergence": (convergence_figure(result),
                                 "Objective of each evaluation; the line is the best feasible plan so far.")}),
        Section("Race", "The best plans of the search on more replications; a plan leaves the race when its "
                "paired interval lies entirely below the leader's or it breaks a limit in 97.5 % of the "
                "bootstrap resamples.", result.race),
    ]
    if result.pareto is not None:
        sections.append(Section(f"Frontier: {result.objective.name} against {result.pareto.name}",
                                "Feasible plans of the search that no other beats on both.",
                                result.frontier.drop(columns=["stage", "batch", "evaluation"], errors="ignore"),
                                {"frontier": (frontier_figure(result),
                                              f"{result.objective.name} against {result.pareto.name} over the "
                                              "plans evaluated; the line joins the frontier.")}))
    title = f"Optimisation of {result.strategy} — {result.scenario.name}"
    meta = {k: v for k, v in result.meta.items() if not isinstance(v, float) or np.isfinite(v)}
    paths.update(write_page(out, title=title, meta=meta, sections=sections))
    return paths
