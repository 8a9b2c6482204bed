"""Presale what-if engine: agent-based simulation of presale campaigns.

Public API::

    scenario = load_scenario("scenarios/winter_apparel.yaml")
    run = simulate(scenario, "inflated_deposit", replication=0)
    run.trajectory, run.outcome

Names are imported on first use so that the command line starts quickly.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "PresaleError": "errors", "ScenarioError": "errors",
    "Run": "runner", "simulate": "runner", "run_one": "runner",
    "Scenario": "scenario", "load_scenario": "scenario", "scenario_from_dict": "scenario",
    "with_overrides": "scenario",
    "compare_strategies": "study", "StudySettings": "study",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'simulation' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
