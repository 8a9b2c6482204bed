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


WINTER = Path(__file__).parents[1] / "scenarios" / "winter_apparel.yaml"


def _edited(tmp_path: Path, old: str, new: str) -> object:
    """The winter scenario with the first ``old`` (full_prepay's line) edited in the file."""
    text = WINTER.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "edited.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_scenario(path)


@pytest.mark.parametrize("path,old,new,value", [
    ("strategies.full_prepay.pricing.presale_price", "presale_price: 799 ", "presale_price: 749 ", 749),
    ("strategies.full_prepay.inventory.initial_stock", "initial_stock: 25000 ", "initial_stock: 30000 ", 30000),
], ids=["price", "stock"])
def test_a_lever_changed_on_a_parent_reaches_its_children_as_editing_the_file_would(tmp_path, path, old, new,
                                                                                     value):
    scenario = load_scenario(WINTER)
    assert scenario.strategy_parents == {"inflated_deposit": "full_prepay", "refundable_early_bird": "full_prepay",
                                         "inflated_deposit_big_batch": "inflated_deposit"}
    overridden = with_overrides(scenario, {path: value})
    edited = _edited(tmp_path, old, new)
    assert overridden.strategies == edited.strategies
    assert overridden.strategy_parents == scenario.strategy_parents       # a second override reaches them too


def test_a_child_that_writes_the_lever_itself_keeps_its_own_value():
    scenario = load_scenario(WINTER)
    overridden = with_overrides(scenario, {"strategies.full_prepay.inventory.initial_stock": 30000})
    stock = {name: s.inventory.initial_stock for name, s in overridden.strategies.items()}
    # the children inherit the new stock, the grandchild too; the big batch writes its own
    assert stock == {"full_prepay": 30000, "inflated_deposit": 30000, "refundable_early_bird": 30000,
                     "inflated_deposit_big_batch": 120000}
    child = with_overrides(scenario, {"strategies.inflated_deposit.pricing.presale_price": 759})
    prices = {name: s.pricing.presale_price for name, s in child.strategies.items()}
    assert prices == {"full_prepay": 799, "inflated_deposit": 759, "refundable_early_bird": 799,
                      "inflated_deposit_big_batch": 759}
