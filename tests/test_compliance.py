"""Compliance warnings: each rule fires just past its limit and not at it."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation import load_scenario, with_overrides
from simulation.analysis.compliance import compliance_warnings

SMOKE = Path(__file__).parent / "fixtures" / "smoke.yaml"


@pytest.fixture(scope="module")
def smoke():
    return load_scenario(SMOKE)


def _warnings(scenario, overrides, strategy="base"):
    return [m for s, m in compliance_warnings(with_overrides(scenario, overrides)) if s == strategy]


def test_the_smoke_strategies_are_compliant(smoke):
    assert compliance_warnings(smoke) == []


@pytest.mark.parametrize("amount, warned", [(90, False), (90.5, True), (200, True)])
def test_deposit_above_a_fifth_of_the_presale_price(smoke, amount, warned):
    found = _warnings(smoke, {"strategies.base.deposit.amount": amount})   # presale price 450: cap 90
    assert bool(found) == warned
    if warned:
        assert "art. 586" in found[0] and f"deposit {amount:g}" in found[0]


@pytest.mark.parametrize("ship_day, right, warned", [(40, False, False), (41, False, True), (41, True, False)])
def test_ship_date_beyond_30_days_needs_a_cancellation_right(smoke, ship_day, right, warned):
    found = _warnings(smoke, {"strategies.base.fulfilment.promised_ship_day": ship_day,   # presale opens day 10
                              "strategies.base.fulfilment.cancellation_right": right})
    assert bool(found) == warned
    if warned:
        assert "31 days" in found[0] and "FTC" in found[0]


def test_a_list_price_never_charged_is_flagged(smoke):
    # From the launch on the price is cut to 420 by the schedule, with a percent-off in
    # the first days: the 500 list price is only ever a reference.
    never = _warnings(smoke, {"strategies.base.pricing.schedule": [{"day": 25, "price": 420}]})
    assert len(never) == 1 and "never charged" in never[0]
    # The smoke strategy charges 500 from day 28 to 44: no warning.
    assert _warnings(smoke, {}) == []
