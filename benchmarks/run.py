"""Benchmarks of presale-sim: engine throughput, memory, a per-agent reference,
Monte Carlo throughput, where a day's time goes, and command-line start-up.

Run from the repository root after installing (``pip install .``)::

    .venv/bin/python benchmarks/run.py                 # everything but 10^7 (about 10 minutes)
    .venv/bin/python benchmarks/run.py --quick         # smaller sizes (about 1 minute)
    .venv/bin/python benchmarks/run.py --huge          # also one replication at 10^7 consumers
    .venv/bin/python benchmarks/run.py --out benchmarks/results.json

It prints a table and writes every figure as JSON (``--out``, default
``benchmarks/results.json``). Figures are wall-clock times of this machine
while it runs: the machine's load average is recorded with them, since other
work on the machine slows every figure down.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from simulation import load_scenario, with_overrides  # noqa: E402
from simulation.engine.invariants import check_invariants  # noqa: E402
from simulation.runs.io import concat_tidy  # noqa: E402
from simulation.engine.metrics import outcome_record  # noqa: E402
from simulation.market.population import build_population  # noqa: E402
from simulation.engine.model import DrawCache, PresaleModel  # noqa: E402
from simulation.rng import COMPILED_FROM, bernoulli_positions, compiled_loops, keyed_uniforms, stream  # noqa: E402
from simulation.runs.runner import Replication  # noqa: E402
from simulation.scenario.sampling import draw_parameters  # noqa: E402
from simulation.analysis.study import StudySettings, compare_strategies  # noqa: E402

from phases import PHASES, phase_timers  # noqa: E402
from reference import ReferenceModel, reference_outcomes  # noqa: E402

SCENARIO = ROOT / "scenarios" / "electronics_launch.yaml"
HORIZON = 90
REFERENCE_STRATEGY = "cautious_small_batch"
COMPARED = ("units_sold", "revenue_gross", "units_presold", "n_returns", "lost_sales", "competitor_units",
            "channel_fees", "aware_share", "profit")
"""Outcomes on which the engine and the per-agent reference must agree."""

TARGETS = {
    "reference_ratio": (">=", 100, "engine speed / per-agent reference speed at 10^4 consumers"),
    "consumer_days_per_s_1e6": (">=", 20e6, "consumer-days per second per core at 10^6"),
    "bytes_per_consumer_1e6": ("<=", 150, "peak memory per consumer at 10^6 (bytes)"),
    "huge_runs": ("==", True, "one replication at 10^7 consumers runs"),
    "cli_compare_1000_s": ("<", 120, "presale compare, 1,000 replications x all strategies, 2 workers (s)"),
    "help_s": ("<", 1.0, "presale --help (s)"),
    "validate_s": ("<", 1.0, "presale validate scenarios/*.yaml (s)"),
}

FIGURE_KEYS = (
    "engine.*.consumer_days_per_s", "engine.*.consumer_days_per_cpu_s", "engine.*.model_s",
    "engine.*.build_s", "engine.*.replication_consumer_days_per_s",
    "memory.bytes_per_consumer", "memory.rss_small_mb", "memory.rss_large_mb", "memory.bytes_per_consumer_batch",
    "reference.engine_s", "reference.reference_s", "reference.ratio", "reference.agree", "reference.floor.max_ratio",
    "monte_carlo.workers_1.replications_per_s", "monte_carlo.workers_2.replications_per_s",
    "monte_carlo.workers_1.cpu_ms_per_replication", "monte_carlo.workers_2.cpu_ms_per_replication",
    "monte_carlo.cli.wall_s", "monte_carlo.cli.cpu_s", "monte_carlo.cli.replications",
    "profile.step_s_per_day", "profile.phases.*.share",
    "overhead.per_replication_ms", "overhead.parts.*",
    "cli.help_s", "cli.validate_s",
    "targets.*.measured",
)
"""Dotted paths (``*``: every key at that level) that every results file holds."""


@dataclass(frozen=True)
class Config:
    """What to measure, and at which sizes."""

    sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    repeats_small: int = 5                 # best of this many runs below 10^5 consumers
    memory_sizes: tuple[int, int] = (10_000, 1_000_000)
    huge: int | None = None                # 10_000_000 with --huge
    reference_consumers: int = 10_000
    reference_replications: int = 40
    mc_replications: int = 200
    mc_population: int | None = None       # default: the scenario's own
    cli_replications: int = 1000
    cli_population: int | None = None
    profile_consumers: int = 1_000_000
    overhead_replications: int = 5
    cli_repeats: int = 3
    cli_workers: int = 2
    mode: str = "full"


FULL = Config()
QUICK = Config(sizes=(10_000, 100_000), memory_sizes=(10_000, 100_000), reference_replications=4,
               mc_replications=20, cli_replications=40, profile_consumers=100_000,
               overhead_replications=3, mode="quick")


# --- helpers ------------------------------------------------------------------------------------

def scenario_at(n: int | None, *, horizon: int | None = HORIZON):
    """The bundled electronics scenario with ``n`` simulated consumers and the benchmark horizon."""
    scenario = load_scenario(SCENARIO)
    overrides = {}
    if n is not None:
        overrides.update({"run.population": n, "market.size": max(n, int(scenario.market.size))})
    if horizon is not None:
        overrides["calendar.horizon_days"] = horizon
    return with_overrides(scenario, overrides) if overrides else scenario


def _git() -> dict:
    """Commit of the checkout and whether the package has uncommitted changes."""
    def git(*args):
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "package_modified": bool(git("status", "--porcelain", "--", "simulation"))}


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _run_model(rep: Replication, strategy: str) -> PresaleModel:
    """One strategy on the replication's population, drawing its own day draws."""
    model = PresaleModel(rep.scenario, strategy, replication=rep.replication, population=rep.population)
    model.run()
    broken = check_invariants(model)
    if broken:
        raise AssertionError("; ".join(broken))
    return model


def _best(fn, repeats: int) -> tuple[float, float]:
    """Best wall and CPU seconds of ``repeats`` calls."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


# --- 1. engine throughput -----------------------------------------------------------------------

def engine_throughput(n: int, *, repeats: int = 1) -> dict:
    """Consumer-days per second of one replication at ``n`` consumers.

    Each strategy runs alone on the replication's population with its own day
    draws (``model``); ``replication`` runs every strategy of the replication
    as a Monte Carlo batch does (in lockstep, each day's draws made once).
    """
    scenario = scenario_at(n)
    strategies = list(scenario.strategies)
    start = time.perf_counter()
    rep = Replication(scenario, 0)
    build = time.perf_counter() - start
    per_strategy = {}
    for s in strategies:
        wall, cpu = _best(lambda: _run_model(rep, s), repeats)
        per_strategy[s] = {"model_s": wall, "cpu_s": cpu, "consumer_days_per_s": n * HORIZON / wall}
    wall_total = sum(v["model_s"] for v in per_strategy.values())
    cpu_total = sum(v["cpu_s"] for v in per_strategy.values())
    days = n * HORIZON * len(strategies)

    def whole():
        r = Replication(scenario, 0)
        r.plan_batch(strategies)
        for s in strategies:
            r.simulate(s)
    rep_wall, _ = _best(whole, repeats)
    return {
        "consumers": n, "days": HORIZON, "strategies": len(strategies), "repeats": repeats,
        "build_s": build, "model_s": wall_total / len(strategies),
        "consumer_days_per_s": days / wall_total, "consumer_days_per_cpu_s": days / cpu_total,
        "replication_s": rep_wall, "replication_consumer_days_per_s": days / rep_wall,
        "population_mb": rep.population.nbytes() / 2**20, "per_strategy": per_strategy,
    }


# --- memory (fresh subprocesses) ----------------------------------------------------------------

_CHILD = r"""
import json, resource, sys, time
from simulation import load_scenario, with_overrides
from simulation.runs.runner import Replication
n = {n}
base = load_scenario({scenario!r})
scenario = with_overrides(base, {{"run.population": n, "market.size": max(n, int(base.market.size)),
                                  "calendar.horizon_days": {horizon}}})
mode = {mode!r}
start = time.perf_counter()
rep = Replication(scenario, 0)
build = time.perf_counter() - start
times = {{}}
if mode == "one":                      # the baseline strategy alone
    t = time.perf_counter()
    rep.model(scenario.baseline_name)
    times[scenario.baseline_name] = time.perf_counter() - t
elif mode == "seq":                    # every strategy, one after another
    for s in scenario.strategies:
        t = time.perf_counter()
        rep.model(s)
        times[s] = time.perf_counter() - t
else:                                  # every strategy in lockstep, as a Monte Carlo worker runs them
    t = time.perf_counter()
    rep.plan_batch(list(scenario.strategies))
    for s in scenario.strategies:
        rep.simulate(s)
    times["batch"] = time.perf_counter() - t
try:   # peak RSS of this process since exec (ru_maxrss would count the parent's before exec)
    with open("/proc/self/status") as f:
        peak_kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"n": n, "maxrss_kb": peak_kb, "build_s": build, "model_s": times}}))
"""
"""A fresh interpreter's job: one replication, every strategy, then its peak RSS (same
scenario as :func:`scenario_at`)."""


def child_run(n: int, mode: str = "one") -> dict:
    """Run one replication at ``n`` consumers in a fresh interpreter; its peak resident
    memory and times. ``mode``: ``one`` (the baseline strategy), ``seq`` (every strategy
    one after another) or ``batch`` (every strategy in lockstep)."""
    code = _CHILD.format(scenario=str(SCENARIO), n=int(n), horizon=HORIZON, mode=mode)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - start
    return result


def memory_per_consumer(small: int, large: int) -> dict:
    """Peak resident memory per consumer: (peak RSS at ``large`` - at ``small``) / (large - small),
    for one strategy alone and for every strategy in lockstep (a Monte Carlo worker)."""
    out = {"method": "peak resident set size (VmHWM) of a fresh interpreter running one replication at "
                     "each size; difference over difference of sizes",
           "small_n": small, "large_n": large}
    for key, mode in (("", "one"), ("_batch", "batch")):
        a, b = child_run(small, mode), child_run(large, mode)
        out[f"rss_small{key}_mb"] = a["maxrss_kb"] / 1024
        out[f"rss_large{key}_mb"] = b["maxrss_kb"] / 1024
        out[f"bytes_per_consumer{key}"] = (b["maxrss_kb"] - a["maxrss_kb"]) * 1024 / (large - small)
    return out


def huge_run(n: int) -> dict:
    """One replication at ``n`` (10^7) consumers in a fresh interpreter."""
    result = child_run(n, "seq")
    model_s = sum(result["model_s"].values())
    return {"consumers": n, "runs": True, "build_s": result["build_s"], "model_s": result["model_s"],
            "consumer_days_per_s": n * HORIZON * len(result["model_s"]) / model_s,
            "peak_rss_mb": result["maxrss_kb"] / 1024,
            "bytes_per_consumer_total": result["maxrss_kb"] * 1024 / n, "wall_s": result["wall_s"]}


# --- 2. the per-agent reference -----------------------------------------------------------------

def reference_comparison(n: int, replications: int, *, repeats: int = 3) -> dict:
    """Engine and per-agent reference on the same drawn scenarios and populations.

    Speed: run time of one model (construction included, population drawing
    excluded) of each. Agreement: for each compared outcome, the mean over
    replications of the paired difference engine - reference must lie within
    four standard errors of zero. Each replication also times the parts of an engine
    day that cap the ratio (:func:`_day_floor`), next to the reference's run.
    """
    scenario = scenario_at(n)
    eng_rows, ref_rows, eng_times, ref_times, floors = [], [], [], [], []
    for r in range(replications):
        rep = Replication(scenario, r)
        holder = {}
        wall, _ = _best(lambda: holder.__setitem__("m", _run_model(rep, REFERENCE_STRATEGY)), repeats)
        eng_times.append(wall)
        eng_rows.append(outcome_record(holder["m"]))
        floors.append(_day_floor(rep))
        start = time.perf_counter()
        ref = ReferenceModel(rep.scenario, REFERENCE_STRATEGY, population=rep.population, seed=1000 + r)
        ref.run()
        ref_times.append(time.perf_counter() - start)
        ref_rows.append(reference_outcomes(ref))
    agreement = {}
    for key in COMPARED:
        e = np.array([row[key] for row in eng_rows], dtype=float)
        f = np.array([row[key] for row in ref_rows], dtype=float)
        d = e - f
        se = float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else float("nan")
        mean = float(d.mean())
        ok = abs(mean) <= 4 * se + 1e-9 * max(1.0, abs(float(e.mean())))
        agreement[key] = {"engine_mean": float(e.mean()), "reference_mean": float(f.mean()),
                          "mean_difference": mean, "se": se,
                          "z": mean / se if se > 0 else 0.0, "ok": bool(ok)}
    engine_s, reference_s = statistics.median(eng_times), statistics.median(ref_times)
    per_day = {k: statistics.median(f[k] for f in floors) for k in ("draws", "offer", "step")}
    floor = {"draws_s_per_day": per_day["draws"], "offer_s_per_day": per_day["offer"],
             "engine_s_per_day": per_day["step"], "reference_s_per_day": reference_s / HORIZON,
             "max_ratio": reference_s / HORIZON / (per_day["draws"] + per_day["offer"])}
    return {
        "consumers": n, "days": HORIZON, "replications": replications, "strategy": REFERENCE_STRATEGY,
        "mechanisms": "the engine runs only the strategy cautious_small_batch, whose mechanisms the "
                      "reference implements (awareness, visits, logit choice with the rival and waiting, "
                      "warm-up reservations, capped prepaid presale, stock queue, lost sales, gift promotion, "
                      "member discount, shipping and late cancellations, production, returns); "
                      "no deposits, early-bird tiers or price promotions",
        "engine_s": engine_s, "reference_s": reference_s, "ratio": reference_s / engine_s,
        "engine_consumer_days_per_s": n * HORIZON / engine_s,
        "reference_consumer_days_per_s": n * HORIZON / reference_s,
        "agreement": agreement, "agree": all(v["ok"] for v in agreement.values()),
        "floor": floor,
    }


def _day_floor(rep: Replication) -> dict:
    """Seconds per day of the parts of an engine day no change to the consumer step can remove.

    The day's random numbers (its visitors and the keyed uniforms of the consumers in play,
    the same for every strategy: the common random numbers) and the seller's and
    competitors' Mesa agents, which the reference shares; with ``step``, the whole day. If all else cost nothing, the
    engine could be at most ``reference / (draws + offer)`` times faster than the reference.
    """
    with phase_timers() as totals:
        _run_model(rep, REFERENCE_STRATEGY)
    return {k: totals.get(k, 0.0) / HORIZON for k in ("draws", "offer", "step")}


# --- 3. Monte Carlo throughput ------------------------------------------------------------------

def monte_carlo(replications: int, workers: int, population: int | None = None) -> dict:
    """Replications per second of the bundled scenario (every strategy) through the API."""
    scenario = load_scenario(SCENARIO)
    if population is not None:
        scenario = with_overrides(scenario, {"run.population": population})
    start, cpu = time.perf_counter(), _cpu()
    study = compare_strategies(scenario, StudySettings(replications=replications, workers=workers))
    wall, cpu = time.perf_counter() - start, _cpu() - cpu
    assert study.complete, "some runs failed"
    runs = len(study.outcomes)
    return {"replications": replications, "workers": workers, "strategies": len(scenario.strategies),
            "population": scenario.run.population, "wall_s": wall, "cpu_s": cpu,
            "replications_per_s": replications / wall, "runs_per_s": runs / wall,
            "cpu_ms_per_replication": cpu / replications * 1000}


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (worker processes, subprocesses)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _presale() -> list[str]:
    exe = Path(sys.executable).with_name("presale")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "simulation"]


def cli_compare(replications: int, workers: int = 2, population: int | None = None) -> dict:
    """Wall time of ``presale compare`` on the bundled scenario (a subprocess, report included)."""
    out = Path(tempfile.mkdtemp(prefix="presale-bench-"))
    cmd = [*_presale(), "compare", str(SCENARIO.relative_to(ROOT)), "--replications", str(replications),
           "--workers", str(workers), "--out", str(out), "--quiet"]
    if population is not None:
        cmd += ["--population", str(population)]
    try:
        start, cpu = time.perf_counter(), _cpu()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        wall, cpu = time.perf_counter() - start, _cpu() - cpu
        manifest = next(out.rglob("manifest.json"), None)
        inner = json.loads(manifest.read_text())["wall_time_s"] if manifest else None
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if proc.returncode not in (0, 1):           # 1: a gate failed, still a full run
        raise RuntimeError(f"presale compare failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return {"command": " ".join(["presale", *cmd[len(_presale()):]]).replace(str(out), "/tmp/x"),
            "replications": replications, "workers": workers, "wall_s": wall,
            "run_wall_s": inner, "replications_per_s": replications / wall, "exit_code": proc.returncode,
            "cpu_s": cpu, "cpu_bound_wall_s": cpu / workers,
            "load_average_after": _load()}


# --- 4. where a day's time goes -----------------------------------------------------------------

def profile_day(n: int) -> dict:
    """Seconds per day in each phase of the day, every strategy of one replication at ``n``."""
    scenario = scenario_at(n)
    rep = Replication(scenario, 0)
    with phase_timers() as totals:
        for s in scenario.strategies:
            _run_model(rep, s)
    days = HORIZON * len(scenario.strategies)
    step = totals.pop("step")
    phases = {k: {"s_per_day": totals.get(k, 0.0) / days, "share": totals.get(k, 0.0) / step,
                  "what": PHASES[k]} for k in PHASES}
    other = step - sum(totals.get(k, 0.0) for k in PHASES)
    phases["other"] = {"s_per_day": other / days, "share": other / step, "what": "the rest of the step"}
    return {"consumers": n, "step_s_per_day": step / days, "ns_per_consumer_day": step / days / n * 1e9,
            "phases": phases}


def overhead(replications: int, population: int | None = None) -> dict:
    """Where one replication of a Monte Carlo batch spends its time, outside and inside the day step
    (the strategies share the replication's day draws, as in a batch)."""
    scenario = load_scenario(SCENARIO)
    if population is not None:
        scenario = with_overrides(scenario, {"run.population": population})
    parts = dict.fromkeys(("draw_parameters", "build_population", "model_runs", "invariants",
                           "tidy_frames", "chunk_concat_and_pickle"), 0.0)
    outcomes, trajectories = [], []
    for r in range(replications):
        t = time.perf_counter()
        drawn = draw_parameters(scenario, r)
        parts["draw_parameters"] += time.perf_counter() - t
        t = time.perf_counter()
        build_population(drawn.market, drawn.channels, drawn.run.population or int(round(drawn.market.size)),
                         rng=stream(drawn.run.seed, r, "population"))
        parts["build_population"] += time.perf_counter() - t
        rep = Replication(scenario, r)              # the same parameters and population again
        t = time.perf_counter()                     # the strategies in lockstep, as in a batch
        draws = DrawCache(rep.scenario.run.seed, r, rep.population.n)
        models = [PresaleModel(rep.scenario, s, replication=r, population=rep.population, draws=draws)
                  for s in scenario.strategies]
        for _ in range(rep.scenario.calendar.horizon_days):
            for model in models:
                model.step()
        for model in models:
            model.finish()
        parts["model_runs"] += time.perf_counter() - t
        for model in models:
            t = time.perf_counter()
            check_invariants(model)
            parts["invariants"] += time.perf_counter() - t
            t = time.perf_counter()
            record, trajectory = rep._record(model)
            parts["tidy_frames"] += time.perf_counter() - t
            outcomes.append(record)
            trajectories.append(trajectory)
    t = time.perf_counter()
    pickle.dumps((pd.DataFrame(outcomes), concat_tidy(trajectories)))   # as a chunk makes them
    parts["chunk_concat_and_pickle"] += time.perf_counter() - t
    per = {k: v / replications * 1000 for k, v in parts.items()}
    return {"population": scenario.run.population, "replications": replications,
            "per_replication_ms": sum(per.values()), "parts": per}


# --- 5. command-line start-up -------------------------------------------------------------------

def cli_times(repeats: int) -> dict:
    """Best wall time of ``presale --help`` and ``presale validate scenarios/*.yaml``."""
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios").glob("*.yaml"))
    out = {}
    for key, args in (("help_s", ["--help"]), ("validate_s", ["validate", *files])):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            proc = subprocess.run([*_presale(), *args], capture_output=True, text=True, cwd=ROOT)
            times.append(time.perf_counter() - start)
            if proc.returncode != 0:
                raise RuntimeError(f"presale {' '.join(args)} failed: {proc.stderr[-2000:]}")
        out[key] = min(times)
        out[key.replace("_s", "_all_s")] = times
    return out


# --- all of it ----------------------------------------------------------------------------------

def _targets(res: dict) -> dict:
    engine = res["engine"]
    big = engine.get(str(1_000_000))
    measured = {
        "reference_ratio": res["reference"]["ratio"],
        "consumer_days_per_s_1e6": big["consumer_days_per_s"] if big else None,
        "bytes_per_consumer_1e6": (res["memory"]["bytes_per_consumer"]
                                   if res["memory"]["large_n"] == 1_000_000 else None),
        "huge_runs": bool(res["huge"]["runs"]) if res.get("huge") else None,
        "cli_compare_1000_s": (res["monte_carlo"]["cli"]["wall_s"]
                               if (res["monte_carlo"]["cli"]["replications"], res["monte_carlo"]["cli"]["workers"])
                               == (1000, 2) else None),
        "help_s": res["cli"]["help_s"], "validate_s": res["cli"]["validate_s"],
    }
    out = {}
    for key, (op, target, what) in TARGETS.items():
        value = measured[key]
        met = None if value is None else {">=": value >= target, "<=": value <= target,
                                          "<": value < target, "==": value == target}[op]
        out[key] = {"what": what, "target": f"{op} {target}", "measured": value, "met": met}
    return out


def warm_compiled_loops() -> float:
    """Load the keyed numbers' compiled loops (import Numba, read the cached machine code):
    once per process, a start-up cost like the package's own import, kept out of the timings.
    Returns the seconds it took."""
    start = time.perf_counter()
    keyed_uniforms(1, np.arange(COMPILED_FROM))
    bernoulli_positions(1, 4 * COMPILED_FROM, 0.5)
    return time.perf_counter() - start


def run_all(config: Config, *, log=print) -> dict:
    """Every benchmark of ``config``; the results as a JSON-ready dict."""
    warm_s = warm_compiled_loops()
    res: dict = {"meta": {
        "compiled_loops_load_s": round(warm_s, 2), "compiled_loops": compiled_loops() is not None,
        "mode": config.mode, "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "python": platform.python_version(),
        "numpy": np.__version__, "pandas": pd.__version__, "machine": platform.machine(),
        "processor": platform.processor(), "cpu_count": os.cpu_count(), "load_average_start": _load(),
        "scenario": str(SCENARIO.relative_to(ROOT)), "horizon_days": HORIZON, "config": asdict(config),
        "git": _git(),
    }}
    sections = res["meta"]["section_s"] = {}

    def timed(name, fn, *args, **kwargs):
        start = time.perf_counter()
        value = fn(*args, **kwargs)
        sections[name] = round(time.perf_counter() - start, 2)
        return value

    res["engine"] = {}
    for n in config.sizes:
        log(f"engine at {n:,} consumers ...")
        res["engine"][str(n)] = timed(f"engine_{n}", engine_throughput, n,
                                      repeats=config.repeats_small if n < 100_000 else 1)
    log(f"memory at {config.memory_sizes[0]:,} and {config.memory_sizes[1]:,} consumers ...")
    res["memory"] = timed("memory", memory_per_consumer, *config.memory_sizes)
    res["huge"] = None
    if config.huge:
        log(f"one replication at {config.huge:,} consumers (takes a few minutes) ...")
        res["huge"] = timed("huge", huge_run, config.huge)
    log(f"per-agent reference at {config.reference_consumers:,} consumers ...")
    res["reference"] = timed("reference", reference_comparison, config.reference_consumers,
                             config.reference_replications)
    log("Monte Carlo throughput ...")
    res["monte_carlo"] = {f"workers_{w}": timed(f"monte_carlo_{w}", monte_carlo, config.mc_replications, w,
                                                config.mc_population) for w in (1, 2)}
    log(f"presale compare, {config.cli_replications} replications on {config.cli_workers} workers ...")
    res["monte_carlo"]["cli"] = timed("cli_compare", cli_compare, config.cli_replications, config.cli_workers,
                                      config.cli_population)
    log(f"profile of the day at {config.profile_consumers:,} consumers ...")
    res["profile"] = timed("profile", profile_day, config.profile_consumers)
    res["overhead"] = timed("overhead", overhead, config.overhead_replications, config.mc_population)
    log("command-line start-up ...")
    res["cli"] = timed("cli", cli_times, config.cli_repeats)
    res["meta"]["load_average_end"] = _load()
    res["targets"] = _targets(res)
    return res


def missing_keys(res: dict) -> list[str]:
    """Paths of :data:`FIGURE_KEYS` that ``res`` lacks or holds no figure for."""
    missing = []

    def walk(node, parts, path):
        if not parts:
            if isinstance(node, bool) or (isinstance(node, (int, float)) and math.isfinite(node)) \
                    or node is None and path.startswith("targets."):
                return
            missing.append(path)
            return
        head, rest = parts[0], parts[1:]
        if not isinstance(node, dict):
            missing.append(path)
            return
        keys = list(node) if head == "*" else [head]
        if not keys:
            missing.append(f"{path}.*")
        for k in keys:
            if k not in node:
                missing.append(f"{path}.{k}".lstrip("."))
            else:
                walk(node[k], rest, f"{path}.{k}".lstrip("."))

    for key in FIGURE_KEYS:
        walk(res, key.split("."), "")
    return missing


# --- the table ------------------------------------------------------------------------------------

def _m(x: float) -> str:
    return f"{x / 1e6:,.1f} M"


def table(res: dict) -> str:
    """The results as a plain-text table."""
    lines = [f"presale-sim benchmarks ({res['meta']['mode']}; {res['meta']['cpu_count']} cores; "
             f"load average {res['meta']['load_average_start']} -> {res['meta'].get('load_average_end')})", ""]
    lines.append("Engine, one replication, electronics_launch (3 strategies), 90 days, one process")
    lines.append(f"  {'consumers':>12} {'consumer-days/s':>16} {'per CPU-s':>12} {'s per model':>12} "
                 f"{'replication c-d/s':>18} {'build s':>8}")
    for n, e in res["engine"].items():
        lines.append(f"  {int(n):>12,} {_m(e['consumer_days_per_s']):>16} {_m(e['consumer_days_per_cpu_s']):>12} "
                     f"{e['model_s']:>12.3f} {_m(e['replication_consumer_days_per_s']):>18} {e['build_s']:>8.2f}")
    mem = res["memory"]
    lines += ["", f"Peak memory: {mem['bytes_per_consumer']:.0f} bytes per consumer for one strategy "
                  f"({mem['rss_small_mb']:.0f} MB at {mem['small_n']:,}, {mem['rss_large_mb']:.0f} MB at "
                  f"{mem['large_n']:,}; peak RSS of fresh processes); {mem['bytes_per_consumer_batch']:.0f} "
                  f"for every strategy in lockstep ({mem['rss_large_batch_mb']:.0f} MB at {mem['large_n']:,})"]
    if res.get("huge"):
        h = res["huge"]
        lines.append(f"10^7: {h['consumers']:,} consumers ran: {_m(h['consumer_days_per_s'])} consumer-days/s, "
                     f"build {h['build_s']:.1f} s, peak RSS {h['peak_rss_mb']:,.0f} MB "
                     f"({h['bytes_per_consumer_total']:.0f} bytes per consumer in all)")
    ref = res["reference"]
    lines += ["", f"Per-agent Mesa reference ({ref['consumers']:,} consumers, strategy {ref['strategy']}, "
                  f"{ref['replications']} replications; engine runs the same strategy)",
              f"  engine {ref['engine_s'] * 1000:.0f} ms, reference {ref['reference_s'] * 1000:.0f} ms "
              f"per run: engine is {ref['ratio']:.1f}x faster",
              f"  a day: engine {ref['floor']['engine_s_per_day'] * 1e6:.0f} us, of which the day's draws "
              f"{ref['floor']['draws_s_per_day'] * 1e6:.0f} us and the seller and competitors "
              f"{ref['floor']['offer_s_per_day'] * 1e6:.0f} us; reference {ref['floor']['reference_s_per_day'] * 1e6:.0f} us"
              f" (with nothing but draws and agents the engine would be {ref['floor']['max_ratio']:.0f}x faster)",
              f"  {'outcome':<15} {'engine':>14} {'reference':>14} {'diff/SE':>8}  agree"]
    for k, a in ref["agreement"].items():
        lines.append(f"  {k:<15} {a['engine_mean']:>14,.4g} {a['reference_mean']:>14,.4g} {a['z']:>8.2f}  "
                     f"{'yes' if a['ok'] else 'NO'}")
    mc = res["monte_carlo"]
    lines += ["", "Monte Carlo, bundled electronics_launch (every strategy)"]
    for w in (1, 2):
        m = mc[f"workers_{w}"]
        lines.append(f"  {w} worker{'s' if w > 1 else ' '}: {m['replications_per_s']:.2f} replications/s "
                     f"({m['runs_per_s']:.1f} runs/s; {m['replications']} replications in {m['wall_s']:.1f} s; "
                     f"{m['cpu_ms_per_replication']:.0f} CPU-ms per replication)")
    c = mc["cli"]
    lines.append(f"  {c['command']}: {c['wall_s']:.1f} s wall ({c['replications_per_s']:.2f} replications/s); "
                 f"{c['cpu_s']:.0f} CPU-s in all, {c['cpu_bound_wall_s']:.0f} s if its {c['workers']} "
                 f"worker(s) had the cores to themselves")
    p = res["profile"]
    lines += ["", f"Where a day goes at {p['consumers']:,} consumers ({p['step_s_per_day'] * 1000:.2f} ms per day, "
                  f"{p['ns_per_consumer_day']:.1f} ns per consumer-day)"]
    for k, v in sorted(p["phases"].items(), key=lambda kv: -kv[1]["share"]):
        lines.append(f"  {k:<11} {v['share'] * 100:5.1f} %  {v['s_per_day'] * 1000:7.3f} ms/day  {v['what']}")
    o = res["overhead"]
    lines += ["", f"One replication of a batch ({o['population']:,} consumers, 3 strategies): "
                  f"{o['per_replication_ms']:.0f} ms"]
    for k, v in o["parts"].items():
        lines.append(f"  {k:<24} {v:7.1f} ms")
    cli = res["cli"]
    lines += ["", f"presale --help {cli['help_s']:.2f} s; presale validate scenarios/*.yaml {cli['validate_s']:.2f} s",
              "", "Targets"]
    for k, t in res["targets"].items():
        val = t["measured"]
        shown = "not measured" if val is None else (f"{val:,.3g}" if not isinstance(val, bool) else str(val))
        verdict = "-" if t["met"] is None else ("met" if t["met"] else "NOT met")
        lines.append(f"  {t['what']:<72} {t['target']:>10}  {shown:>12}  {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer replications")
    parser.add_argument("--huge", action="store_true", help="also run one replication at 10^7 consumers")
    parser.add_argument("--out", type=Path, default=HERE / "results.json", help="JSON results file")
    parser.add_argument("--sizes", type=int, nargs="+", help="consumers of the engine throughput runs")
    parser.add_argument("--memory-sizes", type=int, nargs=2, help="the two sizes of the memory measurement")
    parser.add_argument("--reference-consumers", type=int)
    parser.add_argument("--reference-replications", type=int)
    parser.add_argument("--mc-replications", type=int, help="replications of the API Monte Carlo runs")
    parser.add_argument("--mc-population", type=int, help="population of the Monte Carlo runs")
    parser.add_argument("--cli-replications", type=int, help="replications of the presale compare run")
    parser.add_argument("--profile-consumers", type=int)
    parser.add_argument("--cli-workers", type=int, help="workers of the presale compare run (default 2)")
    parser.add_argument("--repeats", type=int, help="best of this many runs of small engine sizes and CLI calls")
    parser.add_argument("--sweep", action="store_true",
                        help="only the sweep benchmark: an LHS sweep of one strategy (see benchmarks/sweep_bench.py)")
    parser.add_argument("--sweep-size", type=int, nargs=4, default=(64, 100, 20_000, 2),
                        metavar=("POINTS", "REPLICATIONS", "CONSUMERS", "WORKERS"),
                        help="size of the sweep benchmark (default 64 100 20000 2)")
    args = parser.parse_args(argv)
    if args.sweep:
        return _sweep_main(args)
    config = QUICK if args.quick else FULL
    changes = {k: v for k, v in {
        "sizes": tuple(args.sizes) if args.sizes else None,
        "memory_sizes": tuple(args.memory_sizes) if args.memory_sizes else None,
        "reference_consumers": args.reference_consumers, "reference_replications": args.reference_replications,
        "mc_replications": args.mc_replications, "mc_population": args.mc_population,
        "cli_replications": args.cli_replications, "cli_population": args.mc_population,
        "profile_consumers": args.profile_consumers, "huge": 10_000_000 if args.huge else None,
        "cli_workers": args.cli_workers, "repeats_small": args.repeats, "cli_repeats": args.repeats,
    }.items() if v is not None}
    config = replace(config, **changes)
    res = run_all(config, log=lambda msg: print(msg, file=sys.stderr, flush=True))
    print(table(res))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2, default=float) + "\n")
    print(f"\nwrote {args.out}")
    return res


def _sweep_main(args) -> dict:
    from sweep_bench import sweep_benchmark, sweep_table

    points, replications, population, workers = args.sweep_size
    res = {"sweep": sweep_benchmark(points=points, replications=replications, population=population,
                                    workers=workers)}
    print(sweep_table(res["sweep"]))
    out = args.out if args.out != HERE / "results.json" else HERE / "sweep_results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2, default=float) + "\n")
    print(f"\nwrote {out}")
    return res


if __name__ == "__main__":
    main()
