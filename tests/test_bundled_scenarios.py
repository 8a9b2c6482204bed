"""Contract tests of the bundled example scenarios in ``scenarios/``.

Every file must load, name an existing baseline, offer at least three
strategies and carry gates that refer to real strategies and outcomes; every
strategy of every file must run one replication on a small population. The
runner checks the invariants of DESIGN §7 after each run and raises
``InvariantError`` when one breaks, so a passing run has kept them.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import pytest

from simulation import ScenarioError, load_scenario, with_overrides
from simulation.analysis.gates import parse_gates
from simulation.engine.metrics import METRICS
from simulation.runs.runner import Replication

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
FILES = sorted(SCENARIO_DIR.glob("*.yaml"))
SMALL_POPULATION = 3000


@lru_cache(maxsize=None)
def scenario(path: Path):
    """The loaded scenario of a bundled file."""
    return load_scenario(path)


@lru_cache(maxsize=None)
def small_replication(path: Path) -> Replication:
    """Replication 0 of a bundled file on a small population (shared by its strategies)."""
    return Replication(with_overrides(scenario(path), {"run.population": SMALL_POPULATION}), 0)


def _file_strategy_pairs() -> list:
    pairs = []
    for path in FILES:
        try:
            names = list(scenario(path).strategies)
        except ScenarioError:  # reported by the loading test; keep collection going
            names = []
        pairs += [pytest.param(path, name, id=f"{path.stem}-{name}") for name in names]
    return pairs


def test_there_are_bundled_scenarios():
    assert len(FILES) >= 3, f"expected at least three scenario files in {SCENARIO_DIR}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_loads_with_baseline_and_three_strategies(path):
    sc = scenario(path)
    assert sc.baseline is not None, "bundled scenarios name their baseline explicitly"
    assert sc.baseline in sc.strategies
    assert len(sc.strategies) >= 3
    assert sc.uncertainties, "bundled scenarios show parameter uncertainty"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_gates_refer_to_strategies_and_outcomes(path):
    sc = scenario(path)
    gates = parse_gates(sc.gates)
    assert gates, "bundled scenarios carry at least one gate"
    for gate in gates:
        assert gate.metric in METRICS, f"{gate.text!r}: unknown outcome {gate.metric!r}"
        if gate.strategy is not None:
            assert gate.strategy in sc.strategies, f"{gate.text!r}: unknown strategy"
            assert gate.strategy != sc.baseline, f"{gate.text!r} compares the baseline with itself"


@pytest.mark.parametrize(("path", "strategy"), _file_strategy_pairs())
def test_strategy_runs_on_a_small_population(path, strategy):
    run = small_replication(path).simulate(strategy)  # raises InvariantError on a broken invariant
    out = run.outcome
    assert len(out) == 1
    row = out.iloc[0]
    assert row["strategy"] == strategy
    assert row["replication"] == 0
    assert row["units_sold"] >= 0
    assert 0.0 <= row["sell_through"] <= 1.0
    assert math.isfinite(row["profit"])
    assert row["units_sold"] + row["leftover_units"] == pytest.approx(row["units_available"], rel=1e-6)
    days = scenario(path).calendar.horizon_days
    assert len(run.trajectory) == days
    assert (run.trajectory["strategy"] == strategy).all()
