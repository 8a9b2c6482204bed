"""Sensitivity: which uncertain inputs drive a strategy's outcomes.

The inputs are the scenario's ``uncertainties`` (or ranges given as sweep axes,
``PATH=low:high``, taken as uniform). SALib samples the unit cube (Morris
trajectories or Saltelli's Sobol' design) and each column is mapped through its
input's ``ppf``, clipped to the quantiles [0.001, 0.999] so that unbounded
distributions stay finite. Every design point then runs as a sweep point
(:func:`~simulation.explore.sweep.sweep_design`): the same runner, store and
resume, every point on the same replications. An input not in the design stays
uncertain (drawn per replication), so it shows up as noise.

A point's response is the mean over its replications of a metric (profit,
sell-through), the CVaR of profit over them, or the share of them with a
stock-out. SALib estimates the indices with bootstrap confidence intervals, and
:func:`noise_table` reports the Monte Carlo noise of the replications: the share
of the variance between points that replication noise alone would give. An
index smaller than that noise is not a signal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..analysis.estimators import cvar
from ..errors import PresaleError
from ..rng import stream
from ..scenario.schema import Scenario
from ..scenario.sweeps import Axis
from .sweep import Sweep, SweepSettings, sweep_design

__all__ = ["SENSITIVITY_METRICS", "METHODS", "Factor", "factors_of", "unit_design", "analyze", "responses",
           "noise_table", "Sensitivity", "sensitivity"]

METHODS = ("morris", "sobol", "screen")
INDEX_COLUMNS = {"morris": ["mu_star", "mu_star_conf", "mu", "sigma"], "sobol": ["S1", "S1_conf", "ST", "ST_conf"]}
CLIP = 1e-3
"""Unit-cube values are clipped to [CLIP, 1 - CLIP] before the ppf."""


def _p_stockout(x: pd.Series) -> float:
    return float(x.notna().mean())


def _profit_cvar(x: pd.Series) -> float:
    return cvar(x.to_numpy(dtype=float), 0.05)


SENSITIVITY_METRICS: dict[str, tuple[str, Callable[[pd.Series], float]]] = {
    "profit": ("profit", lambda x: float(x.mean())),
    "sell_through": ("sell_through", lambda x: float(x.mean())),
    "profit_cvar": ("profit", _profit_cvar),
    "p_stockout": ("first_stockout_day", _p_stockout),
}
"""Response name -> (outcome column, statistic over a point's replications)."""


@dataclass(frozen=True)
class Factor:
    """An uncertain input: its path and the map from the unit interval to its values."""

    path: str
    ppf: Callable[[np.ndarray], np.ndarray]


def factors_of(scenario: Scenario, axes: Sequence[Axis] = (), *, minimum: int = 2) -> list[Factor]:
    """The inputs to study: ``axes`` (uniform on ``low:high``) if given, else the
    uncertainties, of which there must be ``minimum`` at least."""
    if axes:
        listed = [a.path for a in axes if not a.is_interval]
        if listed:
            raise PresaleError(f"--param {listed[0]}: give a range low:high for a sensitivity input")
        return [Factor(a.path, lambda u, a=a: a.low + np.asarray(u) * (a.high - a.low)) for a in axes]
    if len(scenario.uncertainties) < minimum:
        raise PresaleError(f"scenario '{scenario.name}' has {len(scenario.uncertainties)} uncertain input(s); "
                           f"at least {minimum} needed: add uncertainties or give --param PATH=low:high")
    return [Factor(path, dist.ppf) for path, dist in scenario.uncertainties.items()]


def _problem(n_inputs: int) -> dict:
    return {"num_vars": n_inputs, "names": [f"x{i}" for i in range(n_inputs)], "bounds": [[0.0, 1.0]] * n_inputs}


def unit_design(method: str, n_inputs: int, n: int, *, seed: int) -> np.ndarray:
    """SALib's design in the unit cube: ``morris`` (``n`` trajectories, 4 levels) or
    ``sobol`` (Saltelli, ``n`` base points, first and total order: n·(d+2) rows)."""
    from SALib.sample import morris, sobol

    rng = stream(seed, 0, f"design:{method}")
    if method == "morris":
        return morris.sample(_problem(n_inputs), n, num_levels=4, seed=rng)
    return sobol.sample(_problem(n_inputs), n, calc_second_order=False, scramble=True, seed=rng)


def analyze(method: str, unit: np.ndarray, y: np.ndarray, *, seed: int) -> pd.DataFrame:
    """SALib's indices of one response, one row per input (``x0``, ``x1`` …).

    Morris: ``mu_star`` (mean absolute elementary effect, in the response's units),
    its CI half-width, ``sigma`` (interactions / non-linearity). Sobol': first-order
    ``S1`` and total ``ST`` with CI half-widths.
    """
    from SALib.analyze import morris, sobol

    rng = stream(seed, 0, f"bootstrap:{method}")
    problem = _problem(unit.shape[1])
    if method == "morris":
        res = morris.analyze(problem, unit, y, num_levels=4, conf_level=0.95, seed=rng)
        return pd.DataFrame({"mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"],
                             "mu": res["mu"], "sigma": res["sigma"]})
    res = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=rng)
    return pd.DataFrame({"S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"]})


def responses(outcomes: pd.DataFrame, points: Sequence[str]) -> pd.DataFrame:
    """One row per point (in design order), one column per response, plus each
    response's standard error over the point's replications (``<name>_se``)."""
    rows = outcomes[outcomes["point"] != "reference"].groupby("point", sort=False)
    out = {}
    for name, (column, stat) in SENSITIVITY_METRICS.items():
        out[name] = rows[column].apply(stat)
        if name in ("profit", "sell_through"):
            out[f"{name}_se"] = rows[column].std(ddof=1) / np.sqrt(rows[column].count())
        elif name == "p_stockout":
            p = out[name]
            out[f"{name}_se"] = np.sqrt(p * (1 - p) / rows[column].size())
    return pd.DataFrame(out).reindex(list(points))


def noise_table(table: pd.DataFrame) -> pd.DataFrame:
    """Monte Carlo noise of each response: variance between points, the mean squared
    standard error of a point's value, and their ratio ``noise_share`` (the share of
    the variance between points that replication noise alone explains). The CVaR of
    a handful of replications has no simple standard error: its noise is left NaN."""
    rows = []
    for name in SENSITIVITY_METRICS:
        between = float(np.var(table[name], ddof=1))
        noise = float(np.mean(table[f"{name}_se"] ** 2)) if f"{name}_se" in table else np.nan
        rows.append({"response": name, "variance_between_points": between, "mean_se2": noise,
                     "noise_share": noise / between if between > 0 else np.nan})
    return pd.DataFrame(rows)


@dataclass
class Sensitivity:
    """Indices (one row per (method, response, input)), noise and the sweep they came from."""

    indices: pd.DataFrame
    noise: pd.DataFrame
    runs: list[Sweep] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def _run(scenario: Scenario, method: str, factors: list[Factor], n: int, settings: SweepSettings,
         source: str | None) -> tuple[pd.DataFrame, pd.DataFrame, Sweep]:
    unit = unit_design(method, len(factors), n, seed=scenario.run.seed)
    values = np.clip(unit, CLIP, 1 - CLIP)
    design = pd.DataFrame({f.path: np.asarray(f.ppf(values[:, i]), dtype=float) for i, f in enumerate(factors)})
    design.index = pd.Index([f"p{i:04d}" for i in range(len(design))], name="point")
    store = None if settings.store_dir is None else settings.store_dir / method
    result = sweep_design(scenario, design, replace(settings, store_dir=store))
    if result.interrupted or result.outcomes.empty:
        return pd.DataFrame(), pd.DataFrame(), result
    table = responses(result.outcomes, list(design.index))
    if table[list(SENSITIVITY_METRICS)].isna().any().any():
        raise PresaleError(f"{method}: some design points have no results (failed runs); see the failures")
    frames = []
    for name in SENSITIVITY_METRICS:
        y = table[name].to_numpy(dtype=float)
        if np.ptp(y) == 0:              # the same at every point (e.g. never a stock-out): nothing to rank
            idx = pd.DataFrame(np.nan, index=range(len(factors)), columns=INDEX_COLUMNS[method])
        else:
            idx = analyze(method, unit, y, seed=scenario.run.seed)
        idx.insert(0, "input", [f.path for f in factors])
        idx.insert(0, "response", name)
        idx.insert(0, "method", method)
        frames.append(idx)
    noise = noise_table(table)
    noise.insert(0, "method", method)
    return pd.concat(frames, ignore_index=True), noise, result


def sensitivity(scenario: Scenario, settings: SweepSettings, *, method: str = "screen", n: int = 8,
                keep_share: float = 0.1, source: str | None = None) -> Sensitivity:
    """Which uncertain inputs drive ``settings.strategy``'s outcomes.

    Parameters
    ----------
    scenario
        A loaded scenario.
    settings
        Strategy, optional ``axes`` (inputs as ``low:high`` ranges; default the
        scenario's uncertainties), replications per point, workers, executor, store.
    method
        ``morris`` (screening: ``n`` trajectories, n·(d+1) points), ``sobol``
        (first-order and total indices: n·(d+2) points) or ``screen`` (Morris, then
        Sobol' on the inputs whose ``mu_star`` for some response reaches
        ``keep_share`` of that response's largest).
    n
        Trajectories (Morris) or base points (Sobol'); a power of two suits Sobol'.
    """
    if method not in METHODS:
        raise PresaleError(f"--method: unknown method '{method}'; use one of {', '.join(METHODS)}")
    factors = factors_of(scenario, settings.axes)
    settings = replace(settings, strategy=settings.strategy or scenario.baseline_name)
    frames, noises, runs = [], [], []
    meta = {"scenario": scenario.name, "strategy": settings.strategy, "method": method, "n": n,
            "inputs": ", ".join(f.path for f in factors)}
    for step in (("morris", "sobol") if method == "screen" else (method,)):
        if step == "sobol" and method == "screen":
            morris = frames[-1]
            top = morris.groupby("response")["mu_star"].transform("max")
            keep = set(morris.loc[morris["mu_star"] >= keep_share * top, "input"])
            factors = [f for f in factors if f.path in keep]
            meta["kept_after_morris"] = ", ".join(f.path for f in factors)
            if len(factors) < 2:
                meta["sobol"] = "skipped: fewer than 2 inputs kept"
                break
        indices, noise, run = _run(scenario, step, factors, n, settings, source)
        runs.append(run)
        if indices.empty:
            break
        frames.append(indices)
        noises.append(noise)
    meta["replications"] = runs[-1].meta.get("replications") if runs else 0
    meta["complete"] = all(r.complete for r in runs)
    return Sensitivity(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(),
                       pd.concat(noises, ignore_index=True) if noises else pd.DataFrame(), runs, meta)
