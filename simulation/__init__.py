"""Presale what-if engine: agent-based simulation of presale campaigns.

Public API::

    scenario = load_scenario("scenarios/winter_apparel.yaml")
    run = simulate(scenario, "deposit_inflation", replication=0)
    run.trajectory, run.outcome
"""

from .errors import PresaleError, ScenarioError
from .runner import Run, simulate, run_one
from .scenario import Scenario, load_scenario, scenario_from_dict, with_overrides

__all__ = [
    "PresaleError", "ScenarioError", "Run", "Scenario", "load_scenario", "scenario_from_dict",
    "simulate", "run_one", "with_overrides",
]
__version__ = "0.1.0"
