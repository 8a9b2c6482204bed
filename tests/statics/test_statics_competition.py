"""The rival has a market of its own: our advertising wins our orders, its price moves our share."""

from __future__ import annotations

from pairing import expect_sign, outcome, paired_difference, small

from simulation import load_scenario
from pairing import SCENARIOS

AMPLE = {"strategies.full_prepay.inventory.initial_stock": 600000}   # more than the whole market: no stock-outs


def doubled_advertising() -> dict:
    """Every daily budget and one-day event of the winter baseline, twice over (contacts and cost)."""
    marketing = load_scenario(SCENARIOS / "winter_apparel.yaml").strategies["full_prepay"].marketing
    budget = {ch: {phase: 2 * amount for phase, amount in b.model_dump().items()} for ch, b in marketing.budget.items()}
    events = [{**e.model_dump(), "contacts": 2 * e.contacts, "cost": 2 * e.cost} for e in marketing.events]
    return {"strategies.full_prepay.marketing.budget": budget, "strategies.full_prepay.marketing.events": events}


def rival_units(run) -> float:
    return float(run.outcome.iloc[0]["competitor_units"])


def test_more_advertising_brings_more_of_our_orders_and_fewer_of_the_rivals():
    before = small("winter_apparel", AMPLE)
    after = small("winter_apparel", {**AMPLE, **doubled_advertising()})
    ours, ours_se = paired_difference(before, after, "full_prepay", outcome("n_orders"))
    expect_sign(ours, ours_se, +1)
    rival, rival_se = paired_difference(before, after, "full_prepay", rival_units)
    expect_sign(rival, rival_se, -1)


def test_a_cheaper_rival_lowers_our_share():
    before = small("winter_apparel", AMPLE)
    after = small("winter_apparel", {**AMPLE, "competitors.rival_brand.price": 779,
                                     "competitors.rival_brand.price_floor": 629})
    mean, se = paired_difference(before, after, "full_prepay", outcome("market_share"))
    expect_sign(mean, se, -1)
