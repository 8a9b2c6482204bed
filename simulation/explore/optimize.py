"""Optimisation: the best plan of one strategy's levers under limits on risk.

Four steps, each on the runner of ``presale compare`` through sweep design points
(:mod:`.candidates`):

1. **Search.** Differential evolution (:func:`scipy.optimize.differential_evolution`,
   ``vectorized=True`` with ``updating='deferred'``): each generation's whole
   population is one batch, every candidate on the same replications (common random
   numbers), so the objective is a smooth, deterministic function of the levers and the
   optimiser compares plans, not luck. Levers with a step or whole-number levers use
   the optimiser's ``integrality``. Limits are :class:`scipy.optimize.NonlinearConstraint`
   handled by the feasibility rules of Lampinen (a feasible plan beats an infeasible one;
   between infeasible ones, the smaller violation wins), so no penalty weight is tuned.
2. **Race.** The best ``race_top`` distinct plans, and the best one whose limits hold in
   97.5 % of the bootstrap resamples (a plan with a margin), run again on twice the replications,
   then twice again (``race_rounds``); after each round a plan whose paired bootstrap
   interval of the objective lies entirely below the leader's, or that breaks a limit in
   97.5 % of the bootstrap resamples, drops out. The leader of the last round wins.
3. **Confirmation** on fresh replications (:mod:`.confirmation`): the objective and each
   limit with a CI and the probability that it holds, and a paired comparison with the
   unmodified strategy and every hand-written one.
4. **Frontier** (``pareto``): the plans evaluated by the search that no other feasible
   plan beats on both the objective and a risk statistic.

Every random draw comes from the scenario's seed: the optimiser's (stream ``optimise``),
the replications' and the bootstrap's.
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from scipy import optimize as sciopt

from ..analysis.limits import Limit, Statistic, bootstrap, parse_limit, parse_statistic
from ..errors import PresaleError
from ..rng import stream
from ..runs.dispatch import process_pool
from ..runs.lock import FolderLock
from ..scenario.paths import get_path
from ..scenario.schema import Scenario
from .candidates import BatchInterrupted, Candidates, RunOptions
from .confirmation import confirm
from .levers import Lever, LeverSpace, lever_space, parse_lever

__all__ = ["OptimizeSettings", "Optimization", "optimize", "pareto_frontier"]

_WORST = 1e300
PENALTY = 10.0
"""Penalty method: the objective loses ten times its size per unit of relative violation."""


@dataclass(frozen=True)
class OptimizeSettings:
    """What to optimise and how. ``None`` means the scenario's own setting or the default.

    Attributes
    ----------
    strategy
        The strategy whose levers move; default the baseline.
    levers
        :class:`~simulation.explore.levers.Lever` or ``PATH=LOW:HIGH[:STEP]`` texts.
    objective, minimize
        The statistic to maximise (``profit.mean``, ``cvar5``, ``profit.p5`` ...), or minimise.
    constraints
        Limits that must hold, ``STATISTIC >= NUMBER`` or ``<=`` (:mod:`simulation.analysis.limits`).
    budget
        Candidate evaluations the search may spend (the population times the generations).
    population_size
        Candidates per generation; default ``max(8, 5 × levers)``.
    replications
        Replications of each search candidate; default the scenario's.
    race_top, race_rounds
        Plans raced after the search, and rounds (each doubles the replications).
    confirm_replications
        Fresh replications of the confirmation; default four times ``replications``.
    pareto
        A risk statistic (``cvar5``, ``p_stockout_early``): report the frontier of the
        objective against it.
    constraint_handling
        ``feasibility`` (Lampinen's rules through ``NonlinearConstraint``) or ``penalty``
        (the objective less ``PENALTY`` × |objective| per unit of relative violation).
    workers, executor, executor_kind, store_dir, resume, progress
        As for :class:`~simulation.explore.sweep.SweepSettings`; each batch is stored in
        its own folder under ``store_dir``.
    """

    strategy: str | None = None
    levers: tuple[Lever | str, ...] = ()
    objective: str = "profit.mean"
    minimize: bool = False
    constraints: tuple[str, ...] = ()
    budget: int = 200
    population_size: int | None = None
    replications: int | None = None
    race_top: int = 4
    race_rounds: int = 2
    confirm_replications: int | None = None
    pareto: str | None = None
    constraint_handling: str = "feasibility"
    workers: int | None = None
    executor: object | None = None
    executor_kind: str | None = None
    store_dir: Path | None = None
    resume: bool = False
    progress: Callable | None = None


@dataclass
class Optimization:
    """What an optimisation found, as tidy frames.

    Attributes
    ----------
    best
        The chosen plan: lever path -> value.
    feasible
        The chosen plan meets every limit on the race's replications.
    trace
        One row per evaluation (search and race): lever values, objective, each limit's
        statistic, violation, feasibility.
    convergence
        One row per search evaluation: its objective and the best feasible objective so far.
    race
        One row per (round, plan): replications, objective, limits, and whether it stays in.
    confirmation
        The objective and each limit of the chosen plan on fresh replications, with CIs and
        the probability that each limit holds.
    comparison
        The chosen plan against the unmodified strategy and every hand-written one (paired).
    frontier
        With ``pareto``: the non-dominated plans of the search (else empty).
    reference
        Per batch of the search, the unmodified strategy's objective (the same in every batch).
    """

    scenario: Scenario
    strategy: str
    levers: tuple[Lever, ...]
    objective: Statistic
    limits: tuple[Limit, ...]
    best: dict
    feasible: bool
    trace: pd.DataFrame
    convergence: pd.DataFrame
    race: pd.DataFrame
    confirmation: pd.DataFrame
    comparison: pd.DataFrame
    frontier: pd.DataFrame
    reference: pd.DataFrame
    confirmation_outcomes: pd.DataFrame = field(default_factory=pd.DataFrame)
    pareto: Statistic | None = None
    meta: dict = field(default_factory=dict)


def _levers(settings: OptimizeSettings) -> list[Lever]:
    return [lever if isinstance(lever, Lever) else parse_lever(lever) for lever in settings.levers]


def optimize(scenario: Scenario, settings: OptimizeSettings, *, source: str | None = None) -> Optimization:
    """Find the plan of ``settings.strategy``'s levers that maximises the objective under the limits.

    Raises
    ------
    PresaleError
        A bad lever, objective, limit or option (naming the option); a batch that was
        interrupted (:class:`~simulation.explore.candidates.BatchInterrupted`, finished
        batches are kept in the store and ``resume`` continues).
    """
    strategy = settings.strategy or scenario.baseline_name
    space = lever_space(scenario, strategy, _levers(settings))
    objective = parse_statistic(settings.objective)
    limits = tuple(parse_limit(text) for text in settings.constraints)
    pareto = parse_statistic(settings.pareto, option="--pareto") if settings.pareto else None
    if settings.constraint_handling not in ("feasibility", "penalty"):
        raise PresaleError(f"constraint_handling: 'feasibility' or 'penalty', got {settings.constraint_handling!r}")
    for name, value, low in (("--budget", settings.budget, 2), ("--race-top", settings.race_top, 1)):
        if not isinstance(value, int) or value < low:
            raise PresaleError(f"{name}: at least {low}, got {value!r}")
    replications = settings.replications or scenario.run.replications
    if replications < 2:
        raise PresaleError(f"--replications: at least 2 (the limits are statistics across replications), "
                           f"got {replications}")
    options = RunOptions(settings.workers, settings.executor, settings.executor_kind, settings.store_dir,
                         settings.resume, settings.progress, source)
    sign = -1.0 if settings.minimize else 1.0
    cands = Candidates(scenario, space, objective, limits, options, tracked=(pareto,) if pareto else ())
    with contextlib.ExitStack() as stack:
        if settings.store_dir is not None:
            stack.enter_context(FolderLock(settings.store_dir))
        workers = settings.workers or os.cpu_count() or 1
        if settings.executor is None and workers > 1:          # one pool for every batch
            pool = stack.enter_context(process_pool(workers))
            cands.options = replace(options, executor=pool, workers=workers)
        result = _optimise(scenario, space, cands, settings, sign=sign, replications=replications, pareto=pareto)
    result.meta.update(file=source)
    return result


def _optimise(scenario, space, cands, settings, *, sign, replications, pareto) -> Optimization:
    rng = stream(scenario.run.seed, 0, "optimise")
    n_pop = settings.population_size or max(8, 5 * len(space.levers))
    popsize = max(1, math.ceil(n_pop / len(space.levers)))
    generations = max(1, settings.budget // (popsize * len(space.levers)) - 1)
    _search(cands, space, sign=sign, replications=replications, popsize=popsize, generations=generations, rng=rng,
            penalty=settings.constraint_handling == "penalty")
    winner, race = _race(cands, settings, sign=sign, replications=replications,
                         rng=stream(scenario.run.seed, 0, "race"))
    trace = cands.table()
    rows = trace[trace["candidate"] == cands.name(winner)]
    clear = race.empty or not bool(race[race["candidate"] == cands.name(winner)]["clearly_breaks_a_limit"].iloc[-1])
    feasible = bool(rows["feasible"].iloc[-1]) or (bool(rows["feasible"].iloc[0]) and clear)
    confirmation, comparison, outcomes = confirm(
        scenario, space, winner, objective=cands.objective, limits=cands.limits,
        higher_is_better=sign > 0, replications=settings.confirm_replications or 4 * replications,
        options=cands.options)
    reference = pd.DataFrame({"batch": range(len(cands.reference)),
                              "replications": [len(r) for r in cands.reference],
                              "objective": [_stat(cands.objective, r) for r in cands.reference]})
    meta = {"scenario": scenario.name, "strategy": space.strategy, "objective": cands.objective.name,
            "direction": "minimise" if sign < 0 else "maximise",
            "constraints": "; ".join(lim.text for lim in cands.limits) or "none",
            "levers": ", ".join(f"{lv.path}={lv.low:g}:{lv.high:g}" + (f":{lv.step:g}" if lv.step else "")
                                for lv in space.levers),
            "replications": replications, "seed": scenario.run.seed, "currency": scenario.currency,
            "evaluations": int((trace["stage"] == "search").sum()), "batches": cands.batches,
            "runs": cands.runs, "run_time_s": round(cands.wall_time_s, 2)}
    return Optimization(scenario, space.strategy, space.levers, cands.objective, cands.limits,
                        dict(zip(space.paths, winner)), feasible, trace,
                        _convergence(trace, sign), race, confirmation, comparison,
                        pareto_frontier(trace, pareto, sign=sign) if pareto else pd.DataFrame(),
                        reference, outcomes, pareto, meta)


def _stat(statistic: Statistic, values: pd.Series) -> float:
    from ..analysis.limits import statistic_value

    return statistic_value(values.to_numpy(dtype=float), statistic.stat)


def _search(cands: Candidates, space: LeverSpace, *, sign: float, replications: int, popsize: int,
            generations: int, rng: np.random.Generator, penalty: bool = False) -> None:
    """Differential evolution, one batch per generation (the population of the deferred update)."""

    def rows(x: np.ndarray) -> pd.DataFrame:
        points = [space.values(column) for column in np.atleast_2d(x.T)]
        return cands.evaluate(points, replications=replications)

    def energy(x: np.ndarray) -> np.ndarray:
        if np.size(x) == 0:
            return np.zeros(0)
        table = rows(x)
        values = sign * table["objective"].to_numpy(dtype=float)
        if penalty:
            scales = [abs(lim.bound) or 1.0 for lim in cands.limits]
            relative = sum(np.array([lim.violation(v) for v in table[lim.text]]) / scale
                           for lim, scale in zip(cands.limits, scales))
            values = values - PENALTY * np.abs(values) * relative
        return np.where(np.isfinite(values), -values, _WORST)

    def limit_values(x: np.ndarray) -> np.ndarray:
        table = rows(x)
        out = []
        for limit in cands.limits:
            v = table[limit.text].to_numpy(dtype=float)
            out.append(np.where(np.isfinite(v), v, -_WORST if limit.at_least else _WORST))
        return np.array(out)

    constraints = ()
    if cands.limits and not penalty:
        lb = [lim.bound if lim.at_least else -np.inf for lim in cands.limits]
        ub = [np.inf if lim.at_least else lim.bound for lim in cands.limits]
        constraints = (sciopt.NonlinearConstraint(limit_values, lb, ub),)
    current = _current(cands.scenario, space)
    sciopt.differential_evolution(
        energy, space.bounds(), popsize=popsize, maxiter=generations, rng=rng, polish=False,
        updating="deferred", vectorized=True, integrality=space.integrality(), constraints=constraints,
        x0=current, init="latinhypercube", tol=0.0, atol=0.0)


def _current(scenario: Scenario, space: LeverSpace) -> np.ndarray | None:
    """The strategy's own lever values as the optimiser's point, when they lie in the box."""
    values = tuple(get_path(scenario, p) for p in space.paths)
    inside = all(lv.low <= v <= lv.high for lv, v in zip(space.levers, values))
    return space.coordinates(values) if inside else None


def _ranked(table: pd.DataFrame, sign: float) -> pd.DataFrame:
    """Feasible plans first, by objective; then the others by violation (Lampinen's rules)."""
    score = np.where(table["feasible"], (sign * table["objective"]).fillna(-np.inf), -table["violation"])
    return table.assign(_score=score).sort_values(["feasible", "_score"], ascending=[False, False], kind="stable")


def _race(cands: Candidates, settings: OptimizeSettings, *, sign: float, replications: int,
          rng: np.random.Generator) -> tuple[tuple, pd.DataFrame]:
    """Race the best plans of the search on more replications; return the winner and the rounds."""
    trace = [r for r in cands.trace if r["stage"] == "search"]
    table = _ranked(pd.DataFrame(trace), sign).drop_duplicates("candidate")
    survivors = [r for r in table["values"].head(settings.race_top)]
    safe = _safest(cands, table, replications=replications, rng=rng)
    if safe is not None and safe not in survivors:
        survivors.append(safe)
    rounds = []
    n = replications
    leader = survivors[0]
    for round_ in range(1, settings.race_rounds + 1):
        n *= 2
        result = cands.evaluate(survivors, replications=n, stage="race").assign(values=survivors)
        keep, broken = _survivors(cands, survivors, n=n, sign=sign, rng=rng)
        ranked = _ranked(result[[not b for b in broken]] if not all(broken) else result, sign)
        leader = ranked["values"].iloc[0]
        keep[survivors.index(leader)] = True
        rounds.append(result.drop(columns="values").assign(round=round_, clearly_breaks_a_limit=broken, stays=keep))
        survivors = [c for c, k in zip(survivors, keep) if k]
        if len(survivors) == 1:
            break
    race = pd.concat(rounds, ignore_index=True) if rounds else pd.DataFrame()
    return leader, race


def _safest(cands: Candidates, table: pd.DataFrame, *, replications: int,
            rng: np.random.Generator) -> tuple | None:
    """The best search plan whose every limit holds in 97.5 % of the bootstrap resamples of the
    search replications: an entrant of the race with a margin, in case the plans on the edge of
    a limit break it on more replications."""
    feasible = [v for v, ok in zip(table["values"], table["feasible"]) if ok]
    if not cands.limits or not feasible:
        return None
    frames = [cands.values[(c, replications)] for c in feasible]
    sure = np.ones(len(feasible), dtype=bool)
    for limit in cands.limits:
        matrix = np.column_stack([f[limit.statistic.metric].to_numpy(dtype=float) for f in frames])
        b = bootstrap(matrix, limit.statistic.stat, rng=rng, n_resamples=400)
        sure &= ((b >= limit.bound) if limit.at_least else (b <= limit.bound)).mean(axis=0) >= 0.975
    return feasible[int(np.argmax(sure))] if sure.any() else None


def _survivors(cands: Candidates, plans: list[tuple], *, n: int, sign: float,
               rng: np.random.Generator) -> tuple[list[bool], list[bool]]:
    """Which plans stay in the race, and which clearly break a limit (in 97.5 % of the bootstrap
    resamples). A plan leaves when it clearly breaks a limit or when its paired interval of the
    objective lies entirely below the best plan's that does not."""
    frames = [cands.values[(c, n)] for c in plans]

    def resampled(statistic: Statistic) -> np.ndarray:
        matrix = np.column_stack([f[statistic.metric].to_numpy(dtype=float) for f in frames])
        return bootstrap(matrix, statistic.stat, rng=rng, n_resamples=1000)

    broken = np.zeros(len(plans), dtype=bool)
    for limit in cands.limits:
        b = resampled(limit.statistic)
        holds = (b >= limit.bound) if limit.at_least else (b <= limit.bound)
        broken |= holds.mean(axis=0) < 0.025
    boot = sign * resampled(cands.objective)
    candidates = np.flatnonzero(~broken) if (~broken).any() else np.arange(len(plans))
    j = candidates[np.nanargmax(np.nanmean(boot[:, candidates], axis=0))]
    worse = np.nanpercentile(boot - boot[:, [j]], 97.5, axis=0) < 0
    keep = ~(worse | broken)
    keep[j] = True
    return keep.tolist(), broken.tolist()


def _convergence(trace: pd.DataFrame, sign: float) -> pd.DataFrame:
    """Search evaluations in order, with the best feasible objective found so far."""
    search = trace[trace["stage"] == "search"].reset_index(drop=True)
    feasible_value = (sign * search["objective"]).where(search["feasible"])
    best = feasible_value.cummax().ffill() * sign
    return pd.DataFrame({"evaluation": np.arange(1, len(search) + 1), "candidate": search["candidate"],
                         "batch": search["batch"], "objective": search["objective"],
                         "feasible": search["feasible"], "best_feasible": best})


def pareto_frontier(trace: pd.DataFrame, risk: Statistic, *, sign: float = 1.0) -> pd.DataFrame:
    """The feasible search plans that no other feasible plan beats on both the objective and ``risk``.

    ``risk`` counts as better when higher unless it is a risk or a spread
    (:attr:`~simulation.analysis.limits.Statistic.higher_is_better`). Sorted by ``risk``.
    """
    search = trace[(trace["stage"] == "search") & trace["feasible"]].drop_duplicates("candidate")
    if search.empty:
        return search
    a = sign * search["objective"].to_numpy(dtype=float)
    b = (1.0 if risk.higher_is_better else -1.0) * search[risk.name].to_numpy(dtype=float)
    keep = [i for i in range(len(a))
            if not np.any((a >= a[i]) & (b >= b[i]) & ((a > a[i]) | (b > b[i])))]
    return search.iloc[keep].sort_values(risk.name, kind="stable").reset_index(drop=True)


__all__ += ["BatchInterrupted"]
