"""Presale what-if engine: agent-based simulation of presale campaigns.

Public API::

    scenario = load_scenario("scenarios/winter_apparel.yaml")
    run = simulate(scenario, "inflated_deposit", replication=0)
    run.trajectory, run.outcome

Names are imported on first use so that the command line starts quickly.

The package is layered; each layer imports only the ones listed before it:

- ``errors``, ``rng``: exceptions, and the seed tree with its named streams;
- ``scenario/``: the file format: schema, loader (the only file reader), overrides, sampling;
- ``market/``: the domain as pure vectorised functions; never Mesa;
- ``engine/``: the Mesa model and its day (agents, quotes, shopping, orders, metrics);
- ``runs/``: replications on an executor, the result store and its files;
- ``analysis/``: across replications: estimators, risk, paired comparison, gates;
- ``explore/``: over many scenarios: sweeps, sensitivity, calibration, optimisation;
- ``report/``: tables, figures, Markdown, HTML and JUnit;
- ``cli/``: the command line, the only package that prints or exits.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "PresaleError": "errors", "ScenarioError": "errors",
    "Run": "runs.runner", "simulate": "runs.runner", "run_one": "runs.runner",
    "Scenario": "scenario", "load_scenario": "scenario", "scenario_from_dict": "scenario",
    "with_overrides": "scenario",
    "compare_strategies": "analysis.study", "StudySettings": "analysis.study",
    "decide": "analysis.decision", "Decision": "analysis.decision", "DecisionRule": "scenario.decision",
    "sweep": "explore.sweep", "SweepSettings": "explore.sweep",
    "optimize": "explore.optimize", "OptimizeSettings": "explore.optimize",
    "calibrate": "explore.calibrate", "CalibrationSettings": "explore.calibrate",
    "load_history": "scenario.history",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'simulation' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
