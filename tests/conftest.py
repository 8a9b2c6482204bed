"""Shared test fixtures: a toy market with closed-form answers, and binomial tolerances.

The toy market is one segment of identical consumers in one channel, everyone
shopping every day (conversion 1) and choosing deterministically (logit scale 0),
no awareness spread, no returns, stock for everybody, and one simulated consumer
per real one. Each test switches on the one mechanism it checks with dotted-path
overrides, so its expected value can be worked out by hand.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from simulation.engine.model import PresaleModel
from simulation.runs.runner import Replication
from simulation.scenario import scenario_from_dict
from simulation.scenario.paths import set_in
from simulation.scenario.schema import Scenario

N_TOY = 20_000
"""Consumers in the toy market (simulated one to one)."""

TOY_CALENDAR = {"presale_start_day": 5, "balance_start_day": 10, "launch_day": 15, "burst_days": 3,
                "horizon_days": 30}

TOY: dict[str, Any] = {
    "name": "toy",
    "run": {"seed": 11, "replications": 1, "population": N_TOY},
    "calendar": TOY_CALENDAR,
    "product": {"list_price": 100, "unit_cost": 40, "rating": 4.8, "salvage_value": 0,
                "returns": {"ratings": [4.2, 4.8], "p_return": [0.0, 0.0]}},
    "market": {
        "size": N_TOY,
        "segments": {"all": {"share": 1.0, "valuation": 150, "channel_preference": {"web": 1.0}}},
        "awareness": {"initial_aware_share": 1.0, "innovation": 0.0, "imitation": 0.0},
        "choice": {"logit_scale": 0.0, "leave_rate": 0.0},
    },
    "channels": {"web": {"conversion": 1.0}},
    "strategies": {"base": {"inventory": {"initial_stock": N_TOY}, "fulfilment": {"cancel_share_30_days": 0.0}}},
}

def binomial_tolerance(p: float, n: float, k: float = 4.0) -> float:
    """``k`` binomial standard errors of a share estimated from ``n`` trials."""
    return k * math.sqrt(max(p * (1.0 - p), 0.0) / n)


def assert_share(observed: float, expected: float, n: float, k: float = 4.0) -> None:
    """Assert that a share estimated from ``n`` trials is within ``k`` standard errors."""
    tol = binomial_tolerance(expected, n, k)
    assert abs(observed - expected) <= tol, (
        f"share {observed:.5f} differs from {expected:.5f} by more than {k} SE ({tol:.5f}, n={n:g})")


def toy_data(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The toy scenario as plain data with each dotted path set to its value."""
    data = copy.deepcopy(TOY)
    for path, value in (overrides or {}).items():
        data = set_in(data, path.split("."), copy.deepcopy(value))
    return data


def toy_scenario(overrides: Mapping[str, Any] | None = None) -> Scenario:
    """The validated toy scenario with ``overrides``."""
    return scenario_from_dict(toy_data(overrides), name="toy")


def finished(scenario: Scenario | Mapping[str, Any], strategy: str = "base",
             replication: int = 0) -> PresaleModel:
    """A finished model of ``strategy`` (a scenario, or toy overrides)."""
    if not isinstance(scenario, Scenario):
        scenario = toy_scenario(scenario)
    return Replication(scenario, replication).model(strategy)


@pytest.fixture(scope="session")
def run_toy() -> Callable[..., PresaleModel]:
    """Factory: ``run_toy({"dotted.path": value, ...}, strategy="base") -> finished model``."""
    return finished


@pytest.fixture(scope="session")
def share_close() -> Callable[..., None]:
    """``share_close(observed, expected, n, k=4)``: binomial tolerance assertion."""
    return assert_share


@pytest.fixture(scope="session")
def make_toy() -> Callable[..., Scenario]:
    """Factory: ``make_toy({"dotted.path": value, ...}) -> validated toy scenario``."""
    return toy_scenario
