"""with_overrides: a what-if is validated like a file, and an override that would do nothing is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation import load_scenario, with_overrides
from simulation.errors import ScenarioError
from simulation.scenario.paths import PathError

SMOKE = Path(__file__).parent / "fixtures" / "smoke.yaml"


@pytest.fixture(scope="module")
def uncertain():
    return with_overrides(load_scenario(SMOKE), {
        "uncertainties": {"market.awareness.imitation": {"dist": "uniform", "low": 0.2, "high": 0.4},
                          "market.segments.fans.valuation.mean": {"dist": "normal", "mean": 600, "sd": 50}}})


def test_an_override_applies_by_copy(uncertain):
    cheaper = with_overrides(uncertain, {"strategies.base.deposit.amount": 30})
    assert cheaper.strategies["base"].deposit.amount == 30
    assert uncertain.strategies["base"].deposit.amount == 50


@pytest.mark.parametrize("path", ["market.awareness.imitation", "market.segments.fans.valuation.mean"])
def test_a_value_drawn_per_replication_cannot_be_overridden(uncertain, path):
    with pytest.raises(PathError, match=f"drawn in every replication from uncertainties.{path}, so overriding"):
        with_overrides(uncertain, {path: 0.3})


def test_the_uncertainty_itself_can_be_replaced(uncertain):
    fixed = with_overrides(uncertain, {"uncertainties": {}, "market.awareness.imitation": 0.3})
    assert fixed.market.awareness.imitation == 0.3 and fixed.uncertainties == {}


def test_cross_field_rules_are_checked_and_located(uncertain):
    with pytest.raises(ScenarioError) as err:
        with_overrides(uncertain, {"calendar.launch_day": 15, "run.population": 10**6}, source="what-if")
    text = str(err.value)
    assert "what-if: calendar.launch_day:" in text and "balance_start_day (20)" in text
    assert "what-if: run.population:" in text and "market.size" in text


def test_a_wrong_type_is_a_scenario_error_not_a_raw_validation_error(uncertain):
    with pytest.raises(ScenarioError, match=r"overrides: strategies\.base\.deposit\.amount: "):
        with_overrides(uncertain, {"strategies.base.deposit.amount": "fifty"})


def test_true_is_not_a_number(tmp_path):
    from simulation import load_scenario as load

    path = tmp_path / "bool.yaml"
    path.write_text(SMOKE.read_text(encoding="utf-8").replace("initial_stock: 3000", "initial_stock: true"),
                    encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load(path)
    (problem,) = err.value.problems
    assert problem.path == "strategies.base.inventory.initial_stock" and problem.message == "expected a number, got true"
    with pytest.raises(ScenarioError, match=r"product\.rating: expected a number or a distribution .*, got true"):
        with_overrides(load(SMOKE), {"product.rating": True})
