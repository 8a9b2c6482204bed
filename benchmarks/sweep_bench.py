"""The sweep benchmark: a Latin-hypercube sweep of one strategy's levers through the runner.

Two figures: the wall time of the whole sweep on ``workers`` processes (``presale sweep``'s
code path, :func:`simulation.explore.sweep.sweep`, with its result store), and the share of the
workers' time spent outside the model's day steps (``PresaleModel.step``). The pool's processes
cannot be timed from here, so the day steps are timed in this process on the first
``profile_replications`` replications of the same sweep (the day-phase timers), scaled to all
replications, and compared with wall time x workers:

    outside share = 1 - day-step seconds per replication x replications / (wall x workers)

Everything else counts as outside: planning the sweep's scenario, starting the pool, drawing
parameters and populations, building and finishing models, invariants, tidy frames, pickling,
the store, the analysis, and workers waiting (load from other work on the machine too, so the
load average is recorded). The in-process share of the profile run is reported beside it, with
the time outside the day steps per model run, before the sweep's analysis, and its parts
(:func:`phases.outside_timers`): the figure that does not depend on the number of points,
replications and workers, nor on other work's load as much.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from simulation import load_scenario, with_overrides
from simulation.explore.design import parse_axis
from simulation.explore.sweep import SweepSettings, sweep

from phases import OUTSIDE, outside_timers, phase_timers

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "electronics_launch.yaml"
STRATEGY = "cautious_small_batch"
AXES = (f"strategies.{STRATEGY}.pricing.presale_price=1299:1599",
        f"strategies.{STRATEGY}.inventory.initial_stock=8000:25000")


def sweep_benchmark(*, points: int, replications: int, population: int, workers: int,
                    profile_replications: int = 2) -> dict:
    """Wall time of the sweep on ``workers`` processes and the share of time outside the day steps."""
    scenario = with_overrides(load_scenario(SCENARIO), {"run.population": population})
    axes = tuple(parse_axis(a) for a in AXES)
    base = SweepSettings(strategy=STRATEGY, axes=axes, design="lhs", points=points)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = sweep(scenario, SweepSettings(**{**base.__dict__, "replications": replications,
                                                  "workers": workers, "store_dir": Path(tmp) / "sweep"}))
        wall_s = time.perf_counter() - start
    assert result.complete, result.failures
    profiled = min(profile_replications, replications)
    with phase_timers() as totals, outside_timers() as parts:
        start = time.perf_counter()
        sweep(scenario, SweepSettings(**{**base.__dict__, "replications": profiled, "workers": 1}))
        inline_s = time.perf_counter() - start
    step_s = totals["step"]
    runs = (points + 1) * replications
    profiled_runs = (points + 1) * profiled
    per_run = {k: parts[k] / profiled_runs * 1000 for k in OUTSIDE if k != "analysis"}
    steps_all_s = step_s / profiled * replications
    return {"scenario": SCENARIO.name, "strategy": STRATEGY, "design": "lhs", "points": points,
            "replications": replications, "population": population, "workers": workers,
            "runs": runs, "wall_s": wall_s, "runs_per_s": runs / wall_s,
            "day_steps_s": steps_all_s, "outside_day_steps_share": 1 - steps_all_s / (wall_s * workers),
            "profile": {"replications": profiled, "inline_s": inline_s, "day_steps_s": step_s,
                        "outside_day_steps_share": 1 - step_s / inline_s,
                        "outside_per_run_ms": (inline_s - step_s - parts["analysis"]) / profiled_runs * 1000,
                        "outside_per_run_parts_ms": per_run, "analysis_s": parts["analysis"]},
            "load_average": list(os.getloadavg())}


def sweep_table(res: dict) -> str:
    """The benchmark's figures as text."""
    p = res["profile"]
    return "\n".join([
        f"Sweep: {res['points']}-point LHS x {res['replications']} replications of {res['strategy']} "
        f"(+ the reference) at {res['population']:,} consumers, {res['workers']} workers",
        f"  wall time                         {res['wall_s']:8.1f} s  ({res['runs_per_s']:.1f} runs/s)",
        f"  outside the day steps             {res['outside_day_steps_share'] * 100:8.1f} %  "
        f"(day steps {res['day_steps_s']:.0f} s of {res['wall_s'] * res['workers']:.0f} worker-seconds)",
        f"  in-process profile                {p['outside_day_steps_share'] * 100:8.1f} %  "
        f"outside ({p['replications']} replications: {p['inline_s']:.1f} s, day steps {p['day_steps_s']:.1f} s)",
        f"  outside the day steps per run     {p['outside_per_run_ms']:8.2f} ms  (before the analysis, "
        f"{p['analysis_s']:.1f} s once), of which",
        *(f"    {k:<31} {v:8.2f} ms" for k, v in p["outside_per_run_parts_ms"].items()),
        f"  load average                      {' '.join(f'{x:.2f}' for x in res['load_average'])}",
    ])
