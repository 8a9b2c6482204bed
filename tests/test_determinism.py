"""Same seed, same results; common random numbers across strategies.

Runs the smoke scenario on a small population: identical frames for the same
seed, different ones for another seed or replication, the same population and
parameter draws for every strategy of a replication, and results of a strategy
that do not depend on which other strategies the scenario holds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pandas.testing import assert_frame_equal

from simulation import load_scenario, scenario_from_dict, simulate, with_overrides
from simulation.runs.runner import Replication
from simulation.scenario.sampling import draw_parameters

SMOKE = Path(__file__).parent / "fixtures" / "smoke.yaml"
POPULATION = 2000


@pytest.fixture(scope="module")
def scenario():
    """The smoke scenario with parameter uncertainty added, on a small population."""
    return with_overrides(load_scenario(SMOKE), {
        "run.population": POPULATION,
        "market.awareness.innovation": {"dist": "uniform", "low": 0.003, "high": 0.008},
        "strategies.base.inventory.lead_time_days": {"dist": "discrete", "values": [3, 5, 8], "probs": [0.3, 0.4, 0.3]},
        "strategies.prepay.inventory.lead_time_days": {"dist": "discrete", "values": [3, 5, 8], "probs": [0.3, 0.4, 0.3]},
        "uncertainties": {"product.rating": {"dist": "uniform", "low": 4.2, "high": 4.9}},
    })


def _without_strategy_key(frame):
    return frame.drop(columns=["strategy"]).reset_index(drop=True)


def test_same_seed_identical_results(scenario):
    first, second = simulate(scenario, "base", 1), simulate(scenario, "base", 1)
    assert_frame_equal(first.trajectory, second.trajectory)
    assert_frame_equal(first.outcome, second.outcome)


def test_same_seed_identical_after_reload(scenario):
    reloaded = with_overrides(scenario_from_dict(scenario.model_dump(by_alias=True)), {})
    assert_frame_equal(simulate(scenario, "prepay", 0).outcome, simulate(reloaded, "prepay", 0).outcome)


def test_different_seed_different_results(scenario):
    other = with_overrides(scenario, {"run.seed": scenario.run.seed + 1})
    a, b = simulate(scenario, "base", 0), simulate(other, "base", 0)
    assert not a.trajectory.equals(b.trajectory)
    assert a.outcome["revenue_gross"].iloc[0] != b.outcome["revenue_gross"].iloc[0]


def test_different_replications_differ(scenario):
    a, b = simulate(scenario, "base", 0), simulate(scenario, "base", 1)
    assert a.outcome["revenue_gross"].iloc[0] != b.outcome["revenue_gross"].iloc[0]


def test_population_and_parameters_common_to_strategies(scenario):
    """Replication r draws one population and one set of parameters for all its strategies."""
    rep = Replication(scenario, 2)
    base, prepay = rep.model("base"), rep.model("prepay")
    for name in ("segment", "channel", "is_member", "is_strategic", "valuation", "valuation_real",
                 "patience", "initial_state"):
        np.testing.assert_array_equal(getattr(base.pop, name), getattr(prepay.pop, name), err_msg=name)
    drawn = rep.scenario
    assert drawn.strategies["base"].inventory.lead_time_days == drawn.strategies["prepay"].inventory.lead_time_days
    assert drawn.market.awareness.innovation == draw_parameters(scenario, 2).market.awareness.innovation
    assert base.rating == prepay.rating == float(drawn.product.rating)


def test_population_rebuilt_identically_without_sharing(scenario):
    """A replication built afresh (e.g. in another process) gives the same consumers."""
    a, b = Replication(scenario, 3).population, Replication(scenario, 3).population
    np.testing.assert_array_equal(a.valuation, b.valuation)
    np.testing.assert_array_equal(a.channel, b.channel)


def test_parameter_draws_vary_across_replications(scenario):
    values = {draw_parameters(scenario, r).market.awareness.innovation for r in range(5)}
    assert len(values) == 5 and all(0.003 <= v <= 0.008 for v in values)


def test_identical_strategies_give_identical_results(scenario):
    """Two strategies with the same levers are the same run (strategy names do not key streams)."""
    twin = with_overrides(scenario, {"strategies": {"base": scenario.strategies["base"].model_dump(by_alias=True),
                                                    "twin": scenario.strategies["base"].model_dump(by_alias=True)}})
    a, b = simulate(twin, "base", 1), simulate(twin, "twin", 1)
    assert_frame_equal(_without_strategy_key(a.trajectory), _without_strategy_key(b.trajectory))
    assert_frame_equal(_without_strategy_key(a.outcome), _without_strategy_key(b.outcome))


@pytest.mark.parametrize("layout", ["alone", "reversed", "with_extra"])
def test_results_do_not_depend_on_other_strategies(scenario, layout):
    strategies = {name: s.model_dump(by_alias=True) for name, s in scenario.strategies.items()}
    if layout == "alone":
        chosen = {"prepay": strategies["prepay"]}
    elif layout == "reversed":
        chosen = dict(reversed(list(strategies.items())))
    else:
        extra = {**strategies["base"], "pricing": {**strategies["base"]["pricing"], "presale_price": 430}}
        chosen = {"extra": extra, **strategies}
    variant = with_overrides(scenario, {"strategies": chosen, "baseline": None})
    reference = simulate(scenario, "prepay", 1)
    result = simulate(variant, "prepay", 1)
    assert_frame_equal(reference.trajectory, result.trajectory)
    assert_frame_equal(reference.outcome, result.outcome)


def test_shared_population_not_changed_by_earlier_strategies(scenario):
    """Strategies run one after another on a replication's shared population."""
    rep = Replication(scenario, 1)
    rep.simulate("base")
    after_base = rep.simulate("prepay")
    fresh = simulate(scenario, "prepay", 1)
    assert_frame_equal(after_base.trajectory, fresh.trajectory)
    assert_frame_equal(after_base.outcome, fresh.outcome)
