"""Calibration: fit chosen scenario parameters to a past campaign by simulated moments.

The method of simulated moments on common random numbers: every candidate value
of the parameters is simulated over the *same* replications (the scenario's seed,
replications ``0..R-1``), so the simulated moments move smoothly with the
parameters and the optimiser is not chasing noise. The parameters are mapped to
the unit box and :func:`scipy.optimize.least_squares` (trust-region reflective,
bounded) minimises the weighted distance between observed and simulated moments.

Uncertainty is the sandwich formula of simulated moments,
``V = (1 + 1/R) A⁻¹ D'W S W D A⁻¹`` with ``A = D'W D``, where ``D`` is the
Jacobian of the mean simulated moments (central differences), ``S`` their
covariance across replications (the noise of one campaign: the history's own),
``W`` the diagonal weights and ``1/R`` the simulation correction. A parameter
whose moments barely move over its whole range, or whose interval would cover
most of it, is reported as *not identified* instead of as a number.

Every simulation goes through the runner of ``presale compare``
(:class:`~simulation.explore.moments.SimulatedMoments`): the points of each
finite-difference Jacobian, known together, run as one batch in parallel on the
workers; the estimates are identical for any number of workers, and with a
store a stopped calibration resumes from the batches it finished.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from ..errors import PresaleError
from ..runs.settings import RunnerOptions
from ..scenario.history import History
from ..scenario.overrides import with_overrides
from ..scenario.paths import get_path
from .moments import CalibrationStopped, MomentSpec, SimulatedMoments, moment_spec, moments_of

__all__ = ["FitParameter", "CalibrationSettings", "Calibration", "CalibrationStopped", "calibrate",
           "simulated_moments"]

_Z95 = 1.959963984540054
_HAS_WORKERS = "workers" in inspect.signature(optimize.least_squares).parameters   # SciPy >= 1.16


@dataclass(frozen=True)
class FitParameter:
    """A scenario parameter to estimate: its dotted path and the box it lies in."""

    path: str
    low: float
    high: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.low) and np.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"{self.path}: the bounds must be finite with LOW < HIGH, got {self.low}:{self.high}")


@dataclass(frozen=True)
class CalibrationSettings(RunnerOptions):
    """Options of :func:`calibrate`.

    Attributes
    ----------
    replications
        Replications simulated at every candidate (the common random numbers).
    strategy
        The strategy the campaign played (default: the scenario's baseline).
    block_days
        Days summed into one moment.
    max_evaluations
        Objective evaluations the optimiser may spend (each costs ``replications`` runs).
    min_sensitivity
        A parameter is not identified when moving it over its whole box moves the
        standardised moments by less than this (Euclidean norm, in standard deviations).
    max_width_share
        ... or when its 95 % interval would be wider than this share of its box.
    workers, executor, executor_kind, store_dir, resume, progress
        How the simulations run (keyword-only; :class:`~simulation.runs.settings.RunnerOptions`):
        worker processes (default all cores) or an executor, the folder every batch of
        candidates is saved in, whether to resume the calibration saved there, and a
        progress callback. The estimates do not depend on them.
    """

    replications: int = 8
    strategy: str | None = None
    block_days: int = 5
    max_evaluations: int = 40
    min_sensitivity: float = 1.0
    max_width_share: float = 0.9


@dataclass(frozen=True)
class Calibration:
    """The result of :func:`calibrate` (tidy tables and the calibrated scenario).

    Attributes
    ----------
    estimates
        One row per parameter: ``parameter, low, high, estimate, se, ci_low, ci_high, identified, sensitivity``.
    moments
        One row per moment: ``series, first_day, last_day, observed, simulated, simulated_sd, z``.
    fit
        One row per (series, day): ``observed, simulated, simulated_p5, simulated_p95``.
    goodness
        One row per series: ``n_days, observed_total, simulated_total, rmse, r2, chi2_per_moment``.
    scenario
        The scenario with each fitted value as a distribution reflecting its uncertainty.
    warnings
        Plain-English warnings (parameters not identified, optimiser not converged).
    """

    estimates: pd.DataFrame
    moments: pd.DataFrame
    fit: pd.DataFrame
    goodness: pd.DataFrame
    scenario: object
    warnings: tuple[str, ...] = ()
    n_evaluations: int = 0
    objective: float = float("nan")
    info: dict = field(default_factory=dict)


def simulated_moments(scenario, spec: MomentSpec, *, strategy: str, replications: int,
                      options: RunnerOptions | None = None):
    """Moments (replications x moments) of ``strategy`` on ``scenario`` as it is, and the
    trajectory of each replication."""
    with SimulatedMoments(scenario, spec, strategy=strategy, paths=(), replications=replications,
                          options=options) as sim:
        return sim(())


def _check_paths(scenario, params, strategy: str) -> None:
    for p in params:
        get_path(scenario, p.path)
        if p.path.startswith("strategies.") and not p.path.startswith(f"strategies.{strategy}."):
            raise PresaleError(f"--fit {p.path}: a lever of another strategy; the campaign played "
                               f"'{strategy}', so only its levers (strategies.{strategy}.…) and inputs "
                               "(market.…) can be fitted")


def _batch_map(sim: SimulatedMoments, candidate):
    """A ``map`` for :func:`scipy.optimize.least_squares`: the points of a finite-difference
    Jacobian are simulated together, in one batch, before the optimiser reads them."""
    def batch_map(fun, points):
        points = [np.array(p, dtype=float) for p in points]
        sim.many([candidate(p) for p in points])
        return [fun(p) for p in points]
    return batch_map


def calibrate(scenario, history: History, *, fit, settings: CalibrationSettings | None = None,
              source: str | None = None) -> Calibration:
    """Estimate the ``fit`` parameters of ``scenario`` from ``history`` by simulated moments.

    Parameters
    ----------
    scenario
        The loaded scenario; its seed fixes the common random numbers.
    history
        The campaign to match (:func:`simulation.scenario.history.load_history`).
    fit
        :class:`FitParameter` (or ``(path, low, high)``) for each value to estimate.
    settings
        :class:`CalibrationSettings`.
    source
        The scenario file, recorded in the manifests of the store.

    Raises
    ------
    CalibrationStopped
        Ctrl-C, results that could not be saved or simulated runs that failed;
        with a store, ``resume`` continues from the batches that finished.
    PresaleError
        A path that does not exist or is a lever of another strategy; a store
        that another run holds, or that holds another scenario's runs on resume.
    """
    s = settings or CalibrationSettings()
    params = [p if isinstance(p, FitParameter) else FitParameter(*p) for p in fit]
    if not params:
        raise ValueError("give at least one parameter to fit (PATH=LOW:HIGH)")
    strategy = s.strategy or scenario.baseline_name
    _check_paths(scenario, params, strategy)
    spec = moment_spec(history, block_days=s.block_days)
    if not spec.series:
        raise ValueError(f"{history.source}: no series the engine simulates has a recorded value")
    observed = moments_of(spec, history.series, history.day)
    low = np.array([p.low for p in params])
    span = np.array([p.high - p.low for p in params])

    def candidate(u):
        """The parameter values at ``u`` in the unit box (the key of a simulated candidate)."""
        return tuple(float(v) for v in low + span * np.round(np.clip(u, 0.0, 1.0), 12))

    u0 = np.array([np.clip((float(get_path(scenario, p.path)) - p.low) / (p.high - p.low), 0.05, 0.95)
                   if isinstance(get_path(scenario, p.path), (int, float)) else 0.5 for p in params])
    with SimulatedMoments(scenario, spec, strategy=strategy, paths=[p.path for p in params],
                          replications=s.replications, options=s, source=source) as sim:
        evaluate = lambda u: sim(candidate(u))  # noqa: E731
        sims0, _ = evaluate(u0)
        scale = np.sqrt(sims0.var(axis=0, ddof=1) + np.maximum(np.abs(observed), 1.0))  # Poisson-like floor
        residual = lambda u: (observed - evaluate(u)[0].mean(axis=0)) / scale  # noqa: E731
        parallel = {"workers": _batch_map(sim, candidate)} if _HAS_WORKERS else {}
        result = optimize.least_squares(residual, u0, bounds=(0.0, 1.0), diff_step=0.05,
                                         max_nfev=s.max_evaluations, x_scale=1.0, **parallel)
        u_hat = result.x
        sims, trajectories = evaluate(u_hat)
        jac_u = _jacobian(lambda us: [m.mean(axis=0) for m, _ in sim.many([candidate(u) for u in us])],
                          u_hat, step=0.05)
        sim.finish()
    estimates, warnings = _uncertainty(params, low + span * np.clip(u_hat, 0.0, 1.0), jac_u / span, sims, scale, s)
    if result.status <= 0:
        warnings.append(f"the optimiser stopped before converging ({result.message})")
    simulated = sims.mean(axis=0)
    moments = spec.frame(observed).assign(simulated=simulated, simulated_sd=sims.std(axis=0, ddof=1),
                                          z=(observed - simulated) / scale)
    fit = _fit_table(history, spec, trajectories)
    return Calibration(estimates, moments, fit, _goodness(fit, moments),
                       _calibrated_scenario(scenario, params, estimates), tuple(warnings),
                       n_evaluations=len(sim.cache), objective=float(np.sum(result.fun ** 2)),
                       info={"replications": s.replications, "strategy": strategy, "block_days": s.block_days})


def _jacobian(f_many, u, *, step):
    """Central differences in the unit box (one-sided at a bound); every point in one batch."""
    ups, downs = [], []
    for j in range(u.size):
        up, down = u.copy(), u.copy()
        up[j], down[j] = min(u[j] + step, 1.0), max(u[j] - step, 0.0)
        ups.append(up)
        downs.append(down)
    values = f_many([*ups, *downs])
    return np.column_stack([(values[j] - values[u.size + j]) / (ups[j][j] - downs[j][j]) for j in range(u.size)])


def _uncertainty(params, estimate, jac, sims, scale, s: CalibrationSettings):
    """Sandwich standard errors, intervals and the identification check."""
    r = sims.shape[0]
    g = jac / scale[:, None]                          # standardised Jacobian (per unit of parameter)
    span = np.array([p.high - p.low for p in params])
    sensitivity = np.linalg.norm(g * span, axis=0)    # moments moved over the whole box, in sd
    cov_m = np.cov(sims, rowvar=False, ddof=1).reshape(sims.shape[1], sims.shape[1]) / np.outer(scale, scale)
    identified = sensitivity >= s.min_sensitivity
    se = np.full(len(params), np.nan)
    if identified.any():
        gi = g[:, identified]
        a = gi.T @ gi
        if np.linalg.cond(a) < 1e12:
            a_inv = np.linalg.inv(a)
            v = (1.0 + 1.0 / r) * a_inv @ gi.T @ cov_m @ gi @ a_inv
            se[identified] = np.sqrt(np.maximum(np.diag(v), 0.0))
        else:
            identified[:] = False
    warnings = []
    for j, p in enumerate(params):
        if identified[j] and 2 * _Z95 * se[j] > s.max_width_share * span[j]:
            identified[j] = False
        if not identified[j]:
            warnings.append(f"{p.path} is not identified by this history: moving it over {p.low:g}:{p.high:g} "
                            f"changes the moments by {sensitivity[j]:.2g} sd; its value is not estimated")
    lo = np.where(identified, np.maximum(estimate - _Z95 * se, [p.low for p in params]), [p.low for p in params])
    hi = np.where(identified, np.minimum(estimate + _Z95 * se, [p.high for p in params]), [p.high for p in params])
    table = pd.DataFrame({"parameter": [p.path for p in params], "low": [p.low for p in params],
                          "high": [p.high for p in params],
                          "estimate": np.where(identified, estimate, np.nan),
                          "se": np.where(identified, se, np.nan), "ci_low": lo, "ci_high": hi,
                          "identified": identified, "sensitivity": sensitivity})
    return table, warnings


def _calibrated_scenario(scenario, params, estimates):
    """Each fitted value as a normal truncated to its box; a non-identified one as uniform over it."""
    values = {}
    for p, row in zip(params, estimates.itertuples()):
        if row.identified and row.se > 0:
            values[p.path] = {"dist": "normal", "mean": float(row.estimate), "sd": float(row.se),
                              "low": p.low, "high": p.high}
        elif row.identified:
            values[p.path] = float(row.estimate)
        else:
            values[p.path] = {"dist": "uniform", "low": p.low, "high": p.high}
    return with_overrides(scenario, values, source="calibrated scenario")


def _fit_table(history: History, spec: MomentSpec, trajectories) -> pd.DataFrame:
    frames = []
    for name in spec.masks:
        sim = np.array([t.set_index("day")[name].reindex(history.day).to_numpy() for t in trajectories])
        frames.append(pd.DataFrame({"series": name, "day": history.day, "observed": history.series[name],
                                    "simulated": sim.mean(axis=0),
                                    "simulated_p5": np.percentile(sim, 5, axis=0),
                                    "simulated_p95": np.percentile(sim, 95, axis=0)}))
    return pd.concat(frames, ignore_index=True)


def _goodness(fit: pd.DataFrame, moments: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, f in fit.groupby("series", sort=False):
        f = f.dropna(subset=["observed"])
        err = f["observed"] - f["simulated"]
        total = ((f["observed"] - f["observed"].mean()) ** 2).sum()
        m = moments[moments["series"] == name]
        rows.append({"series": name, "n_days": len(f), "observed_total": f["observed"].sum(),
                     "simulated_total": f["simulated"].sum(), "rmse": float(np.sqrt((err ** 2).mean())),
                     "r2": float(1 - (err ** 2).sum() / total) if total > 0 else float("nan"),
                     "chi2_per_moment": float((m["z"] ** 2).mean())})
    return pd.DataFrame(rows)
