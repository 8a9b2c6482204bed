"""Promotions: the price arithmetic of each kind, their order, windows, targeting,
quantities, budgets and the promotion cost booked.

Model tests run a toy open sale (nothing before the launch) where every shopper
buys, so who paid what is exact; the coupon redemption share uses 4 binomial
standard errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter

from simulation.market.promotions import eligible, quote
from simulation.engine.metrics import outcome_record, trajectory_frame
from simulation.scenario.strategy import Promotion

LAUNCH = 15
_PROMO = TypeAdapter(Promotion)


def promo(kind: str, **kw):
    """A validated promotion (window defaults to days 0-1)."""
    return _PROMO.validate_python({"kind": kind, "start_day": 0, "end_day": 1, **kw})


def _priced(kind: str, base: float, **kw) -> float:
    return float(quote(np.array([base]), [promo(kind, **kw)], [np.array([True])]).price[0])


# --------------------------------------------------------------------------- pure arithmetic


@pytest.mark.parametrize(("kind", "base", "kw", "expected"), [
    ("percent_off", 100.0, {"rate": 0.2}, 80.0),
    ("amount_off", 100.0, {"amount": 15}, 85.0),
    ("amount_off", 10.0, {"amount": 15}, 0.0),
    ("threshold", 100.0, {"threshold": 100, "amount": 20}, 80.0),
    ("threshold", 99.0, {"threshold": 100, "amount": 20}, 99.0),
    ("threshold", 250.0, {"threshold": 100, "amount": 20}, 230.0),
    ("threshold", 250.0, {"threshold": 100, "amount": 20, "stackable": True}, 210.0),
    ("threshold", 99.0, {"threshold": 100, "amount": 20, "stackable": True}, 99.0),
    ("coupon", 100.0, {"amount": 12}, 88.0),
    ("flash_sale", 100.0, {"price": 60}, 60.0),
    ("flash_sale", 50.0, {"price": 60}, 50.0),
    ("gift", 100.0, {"value": 10, "cost": 4}, 100.0),
])
def test_price_arithmetic_of_each_kind(kind, base, kw, expected):
    assert _priced(kind, base, **kw) == pytest.approx(expected)


def test_promotions_apply_in_fixed_order_and_discounts_add_up():
    """Given in reverse order: flash 180, then -10 % = 162, -12 = 150, 满减 150/20 = 130, coupon -5 = 125."""
    promos = [promo("coupon", amount=5), promo("threshold", threshold=150, amount=20),
              promo("amount_off", amount=12), promo("percent_off", rate=0.1), promo("flash_sale", price=180),
              promo("gift", value=8, cost=3)]
    q = quote(np.array([200.0, 200.0]), promos, [np.array([True, False])] * len(promos))
    np.testing.assert_allclose(q.price, [125.0, 200.0])
    np.testing.assert_allclose(q.by_promotion[:, 0], [5, 20, 12, 18, 20, 0])
    np.testing.assert_allclose(q.by_promotion.sum(axis=0), q.discount)
    np.testing.assert_allclose(q.gift_value, [8.0, 0.0])
    np.testing.assert_allclose(q.gift_cost, [3.0, 0.0])
    np.testing.assert_array_equal(q.by_promotion[4] > 0, [True, False])      # the flash sale lowered the first price only


def test_eligibility_by_segment_channel_and_membership():
    segment = np.array([0, 0, 1, 1])
    channel = np.array([0, 1, 0, 1])
    member = np.array([True, False, True, False])
    ids = {"segment_ids": {"a": 0, "b": 1}, "channel_ids": {"web": 0, "app": 1}}
    np.testing.assert_array_equal(
        eligible(promo("percent_off", rate=0.1, segments=["b"]), segment=segment, channel=channel,
                 is_member=member, **ids), [False, False, True, True])
    np.testing.assert_array_equal(
        eligible(promo("percent_off", rate=0.1, channels=["app"], segments=["a", "b"]), segment=segment,
                 channel=channel, is_member=member, **ids), [False, True, False, True])
    np.testing.assert_array_equal(
        eligible(promo("percent_off", rate=0.1, members_only=True, channels=["web"]), segment=segment,
                 channel=channel, is_member=member, **ids), [True, False, True, False])


# --------------------------------------------------------------------------- in the model

TWO_SEGMENTS = {
    "strategies.base.pricing.presale_price": 1e6,
    "channels.web.conversion": 0.2,
    "channels.app": {"conversion": 0.2},
    "market.segments": {
        name: {"share": 0.5, "valuation": 150, "membership_share": 0.5,
               "channel_preference": {"web": 0.5, "app": 0.5}}
        for name in ("a", "b")
    },
}


def _run(run_toy, *promotions, **extra):
    return run_toy({**TWO_SEGMENTS, "strategies.base.promotions": list(promotions), **extra})


def _bought(model):
    return model.pop.order_day >= 0


def test_window_and_segment_targeting(run_toy):
    model = _run(run_toy, {"kind": "percent_off", "rate": 0.2, "start_day": 17, "end_day": 20, "segments": ["a"]})
    pop, bought = model.pop, _bought(model)
    in_window = (pop.order_day >= 17) & (pop.order_day < 20)
    expected = np.where(in_window & (pop.segment == 0), 80.0, 100.0)
    np.testing.assert_allclose(pop.price_agreed[bought], expected[bought])
    assert np.count_nonzero(bought & in_window & (pop.segment == 0)) > 0
    out = outcome_record(model)
    assert out["promotion_cost"] == pytest.approx(20.0 * np.count_nonzero(bought & (pop.price_agreed == 80)))


def test_channel_and_members_only_targeting(run_toy):
    model = _run(run_toy, {"kind": "amount_off", "amount": 10, "start_day": LAUNCH, "end_day": LAUNCH + 2,
                           "channels": ["app"], "members_only": True})
    pop, bought = model.pop, _bought(model)
    targeted = (pop.channel == 1) & pop.is_member & (pop.order_day < LAUNCH + 2)
    expected = np.where(targeted, 90.0, 100.0)
    np.testing.assert_allclose(pop.price_agreed[bought], expected[bought])
    assert np.count_nonzero(bought & targeted) > 0


def test_coupon_issue_and_redemption_share(run_toy, share_close):
    model = _run(run_toy, {"kind": "coupon", "amount": 10, "start_day": LAUNCH, "end_day": LAUNCH + 3,
                           "issue_share": 0.5, "p_redeem": 0.6})
    pop = model.pop
    window = _bought(model) & (pop.order_day < LAUNCH + 3)
    redeemed = np.count_nonzero(pop.price_agreed[window] == 90)
    share_close(redeemed / np.count_nonzero(window), 0.5 * 0.6, np.count_nonzero(window))
    assert np.all(pop.price_agreed[_bought(model) & ~window] == 100)


def test_two_coupons_are_issued_independently(run_toy, share_close):
    """Coupons of 10 (to half the consumers) and 5 (to 30 %), always redeemed: a buyer pays
    85 with both, 90, 95 or 100; holding both has probability 0.5 x 0.3."""
    window = {"start_day": LAUNCH, "end_day": LAUNCH + 3}
    model = _run(run_toy, {"kind": "coupon", "name": "big", "amount": 10, "issue_share": 0.5, **window},
                 {"kind": "coupon", "name": "small", "amount": 5, "issue_share": 0.3, **window})
    pop = model.pop
    paid = pop.price_agreed[_bought(model) & (pop.order_day < LAUNCH + 3)]
    n = paid.size
    for price, share in ((85, 0.15), (90, 0.35), (95, 0.15), (100, 0.35)):
        share_close(np.count_nonzero(paid == price) / n, share, n)


def test_a_coupon_goes_to_the_same_consumers_under_every_strategy():
    from simulation.engine.model import DrawCache

    a, b = DrawCache(7, 3, 1000), DrawCache(7, 3, 1000)
    np.testing.assert_array_equal(a.coupon("members"), b.coupon("members"))
    assert not np.array_equal(a.coupon("members"), a.coupon("fans"))
    assert not np.array_equal(a.coupon("members"), DrawCache(7, 4, 1000).coupon("members"))


def test_flash_sale_quantity_then_regular_price(run_toy):
    """Everyone buys on the launch day: the first 3000 at the flash price, the rest at 100,
    and the sold-out flash sale stays closed."""
    model = _run(run_toy, {"kind": "flash_sale", "price": 60, "quantity": 3000, "start_day": LAUNCH,
                           "end_day": LAUNCH + 5},
                 **{"channels.web.conversion": 1.0, "channels.app.conversion": 1.0})
    pop = model.pop
    assert np.count_nonzero(pop.price_agreed == 60) == 3000
    assert np.count_nonzero(pop.price_agreed == 100) == pop.n - 3000
    assert outcome_record(model)["promotion_cost"] == pytest.approx(40.0 * 3000)


def test_gift_cost_booked_per_targeted_order(run_toy):
    model = _run(run_toy, {"kind": "gift", "value": 5, "cost": 3, "start_day": LAUNCH, "end_day": LAUNCH + 2,
                           "members_only": True})
    pop = model.pop
    gifted = _bought(model) & pop.is_member & (pop.order_day < LAUNCH + 2)
    out = outcome_record(model)
    assert out["gift_cost"] == pytest.approx(3.0 * np.count_nonzero(gifted))
    assert out["promotion_cost"] == 0.0
    np.testing.assert_array_equal(pop.price_agreed[_bought(model)], 100.0)


def test_gift_value_wins_buyers(run_toy):
    """Price 150 equals the valuation: with a gift worth 1 buying beats nothing (deterministic choice)."""
    base = {"product.list_price": 150.0, "strategies.base.pricing.presale_price": 1e6,
            "channels.web.conversion": 1.0}
    without = run_toy(base)
    assert trajectory_frame(without).orders[LAUNCH] == without.pop.n  # ties go to ours
    with_gift = run_toy({**base, "product.list_price": 151.0, "strategies.base.promotions": [
        {"kind": "gift", "value": 2, "cost": 1, "start_day": LAUNCH, "end_day": LAUNCH + 1}]})
    assert trajectory_frame(with_gift).orders[LAUNCH] == with_gift.pop.n
    no_gift = run_toy({**base, "product.list_price": 151.0})
    assert trajectory_frame(no_gift).orders[LAUNCH] == 0


def test_budget_cap_stops_the_promotion(run_toy):
    budget = 30_000.0
    model = _run(run_toy, {"kind": "amount_off", "amount": 10, "start_day": LAUNCH, "end_day": 30,
                           "budget": budget})
    pop, bought = model.pop, _bought(model)
    discounted = bought & (pop.price_agreed == 90)
    days = np.unique(pop.order_day[discounted])
    last = days.max()
    spent_before_last = 10.0 * np.count_nonzero(discounted & (pop.order_day < last))
    assert spent_before_last < budget, "the promotion ran on a day after its budget was spent"
    assert 10.0 * np.count_nonzero(discounted) >= budget
    assert np.count_nonzero(bought & (pop.order_day > last)) > 0
    assert np.all(pop.price_agreed[bought & (pop.order_day > last)] == 100)
    assert outcome_record(model)["promotion_cost"] == pytest.approx(10.0 * np.count_nonzero(discounted))


def test_budget_cap_is_never_exceeded(run_toy):
    budget = 30_000.0
    model = _run(run_toy, {"kind": "amount_off", "amount": 10, "start_day": LAUNCH, "end_day": 30,
                           "budget": budget})
    assert outcome_record(model)["promotion_cost"] <= budget + 10.0


@pytest.mark.parametrize("population", [20_000, 6_000])
def test_budget_stops_at_the_first_discount_that_does_not_fit(run_toy, population):
    """10 % off for members (price 90, 9 off) and non-members (10 off), budget 30 005: the
    discount given never exceeds the budget, stops within one discount of it, and once a
    buyer found it spent nobody gets it again, on that day or later."""
    budget = 30_005.0
    model = _run(run_toy, {"kind": "percent_off", "rate": 0.1, "start_day": LAUNCH, "end_day": 30,
                           "budget": budget},
                 **{"run.population": population, "strategies.base.pricing.member_discount": 0.1})
    pop, w, bought = model.pop, model.weight, _bought(model)
    full = np.where(pop.is_member, 90.0, 100.0)
    discounted = bought & ~np.isclose(pop.price_agreed, full)
    np.testing.assert_allclose(pop.price_agreed[discounted], 0.9 * full[discounted], rtol=1e-6)
    cost = outcome_record(model)["promotion_cost"]
    assert cost == pytest.approx(float((full - pop.price_agreed)[bought].sum()) * w)
    assert budget - 10.0 * w < cost <= budget + 1e-6
    last = pop.order_day[discounted].max()
    assert np.count_nonzero(bought & (pop.order_day > last)) > 0
    assert not np.any(discounted & (pop.order_day > last))
    same_day = bought & (pop.order_day == last)
    assert np.count_nonzero(same_day & ~discounted) > 0, "the budget ran out during its last day"


def test_presale_promotion_applies_to_presale_orders(run_toy):
    model = run_toy({"strategies.base.promotions": [
        {"kind": "percent_off", "rate": 0.25, "start_day": 5, "end_day": 10}]})
    traj = trajectory_frame(model)
    n = model.pop.n
    assert traj.orders[5] == n and traj.revenue[5] == pytest.approx(75.0 * n)


def test_flash_sale_alongside_early_bird_tier(run_toy):
    """Presale day 5: 100 flash units at 60, then the tier (first 5000 orders) at 80, then 100."""
    model = run_toy({"strategies.base.pricing.early_bird": [{"first_orders": 5000, "price": 80}],
                     "strategies.base.promotions": [{"kind": "flash_sale", "price": 60, "quantity": 100,
                                                     "start_day": 5, "end_day": 6}]})
    counts = {p: np.count_nonzero(model.pop.price_agreed == p) for p in (60, 80, 100)}
    assert counts == {60: 100, 80: 4900, 100: 15_000}


def test_flash_sale_quantity_not_cut_by_early_bird_tier(run_toy):
    model = run_toy({"strategies.base.pricing.early_bird": [{"first_orders": 5000, "price": 80}],
                     "strategies.base.promotions": [{"kind": "flash_sale", "price": 60, "quantity": 8000,
                                                     "start_day": 5, "end_day": 6}]})
    assert np.count_nonzero(model.pop.price_agreed == 60) == 8000


def test_threshold_applies_after_member_discount(run_toy):
    """满减 100 off 20: non-members pay 100 - 20 = 80; members' price 90 is below the threshold."""
    model = _run(run_toy, {"kind": "threshold", "threshold": 100, "amount": 20, "start_day": LAUNCH,
                           "end_day": 30}, **{"strategies.base.pricing.member_discount": 0.1})
    pop, bought = model.pop, _bought(model)
    expected = np.where(pop.is_member, 90.0, 80.0)
    np.testing.assert_allclose(pop.price_agreed[bought], expected[bought], rtol=1e-6)
    assert np.count_nonzero(bought & pop.is_member) > 0 and np.count_nonzero(bought & ~pop.is_member) > 0


def test_two_flash_sales_keep_their_own_quantities(run_toy):
    """Everyone buys on the launch day: flash A (60, 1000 units) is cheaper, so B (70, 3000
    units) sells only once A is gone; each sells exactly its quantity."""
    model = _run(run_toy,
                 {"kind": "flash_sale", "price": 60, "quantity": 1000, "start_day": LAUNCH, "end_day": 30},
                 {"kind": "flash_sale", "price": 70, "quantity": 3000, "start_day": LAUNCH, "end_day": 30},
                 **{"channels.web.conversion": 1.0, "channels.app.conversion": 1.0})
    counts = {p: np.count_nonzero(model.pop.price_agreed == p) for p in (60, 70, 100)}
    assert counts == {60: 1000, 70: 3000, 100: model.pop.n - 4000}
    assert outcome_record(model)["promotion_cost"] == pytest.approx(40.0 * 1000 + 30.0 * 3000)


def test_flash_sale_not_used_up_by_shoppers_turned_away(run_toy):
    """Stock for 2000 on the launch day (the rest arrives the next day): the flash sale sells
    2000 units, stays open, and sells its last 1000 the next day to shoppers who came back."""
    model = _run(run_toy, {"kind": "flash_sale", "price": 60, "quantity": 3000, "start_day": LAUNCH,
                           "end_day": 30},
                 **{"channels.web.conversion": 1.0, "channels.app.conversion": 1.0,
                    "strategies.base.inventory": {
                        "initial_stock": 2000, "lead_time_days": LAUNCH + 1,
                        "production": {"rule": "fixed", "quantity": 20_000, "order_day": 0}}})
    pop = model.pop
    flash = pop.price_agreed == 60
    assert np.count_nonzero(flash & (pop.order_day == LAUNCH)) == 2000
    assert np.count_nonzero(flash & (pop.order_day == LAUNCH + 1)) == 1000
    assert np.count_nonzero(pop.order_day == LAUNCH + 1) > 1000
