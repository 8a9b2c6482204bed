"""Prices: the public price path, early-bird tiers, member prices, schedules and
strategic waiting for an announced lower price.

Counts at a tier or member price are exact (deterministic toy market); the
strategic-waiting share uses 4 binomial standard errors.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.market.calendar import Phase, phase_by_day
from simulation.market.pricing import later_prices, later_steps, public_price_path, tier_offer
from simulation.engine.metrics import trajectory_frame
from simulation.scenario.sections import Calendar
from simulation.scenario.strategy import Pricing, Tier

CAL = Calendar(presale_start_day=2, balance_start_day=4, launch_day=6, burst_days=2, horizon_days=12)
PRESALE, LAUNCH = 5, 15
TOY_PRESALE_FIRST = {"presale_start_day": 0, "balance_start_day": 10, "launch_day": 15, "horizon_days": 30}


def _pricing(**kw) -> Pricing:
    return Pricing.model_validate(kw)


# --------------------------------------------------------------------------- pure functions


def test_phase_by_day():
    labels = [Phase(p).label for p in phase_by_day(CAL)]
    assert labels == ["warmup"] * 2 + ["presale"] * 2 + ["balance"] * 2 + ["launch"] * 2 + ["after"] * 4


def test_price_path_presale_then_list_then_schedule():
    path = public_price_path(_pricing(presale_price=80, schedule=[{"day": 9, "price": 70}]), 100.0,
                             phase_by_day(CAL))
    np.testing.assert_array_equal(path, [80] * 6 + [100] * 3 + [70] * 3)


def test_schedule_point_before_launch_sets_open_sale_price_only():
    path = public_price_path(_pricing(schedule=[{"day": 3, "price": 90}]), 100.0, phase_by_day(CAL))
    np.testing.assert_array_equal(path, [100] * 6 + [90] * 6)


def test_later_prices_find_lowest_later_open_sale_price():
    phase = phase_by_day(CAL)
    path = np.array([80] * 6 + [100, 100, 90, 95, 70, 70], dtype=float)
    price, ahead = later_prices(path, phase)
    assert price[0] == 70 and ahead[0] == 10
    assert price[7] == 70 and ahead[7] == 3
    assert price[10] == 70 and ahead[10] == 1
    assert price[11] == np.inf and ahead[11] == 0


def _later_steps_by_definition(path, phase):
    """Every later open-sale day whose price is below all open-sale prices between now and then."""
    out = []
    for t in range(path.shape[0]):
        steps, low = [], np.inf
        for u in range(t + 1, path.shape[0]):
            if phase[u] >= Phase.LAUNCH and path[u] < low:
                low = float(path[u])
                steps.append((low, u - t))
        out.append(tuple(steps))
    return out


def test_later_steps_are_the_record_lows_ahead_on_random_paths():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 90))
        phase = np.sort(rng.integers(0, 5, n)).astype(np.int8)
        path = rng.choice([100.0, 95.0, 90.0, 80.0, 70.0], n)
        assert later_steps(path, phase) == _later_steps_by_definition(path, phase)


def test_tier_offer_by_orders_and_days():
    tiers = [Tier(first_orders=100, price=70), Tier(first_orders=300, price=80)]
    offer = tier_offer(tiers, 100.0, presale_day=0, orders=40)
    assert offer.price == 70 and offer.levels == ((70, 60), (80, 200), (100, np.inf))
    offer = tier_offer(tiers, 100.0, presale_day=0, orders=150)
    assert offer.price == 80 and offer.levels == ((80, 150), (100, np.inf))
    assert tier_offer(tiers, 100.0, presale_day=0, orders=300).price == 100
    by_days = [Tier(first_days=2, price=75)]
    assert tier_offer(by_days, 100.0, presale_day=1, orders=1e9).price == 75
    assert tier_offer(by_days, 100.0, presale_day=2, orders=0).price == 100


def test_tier_offer_chains_consecutive_order_tiers():
    """Each tier by order count is a level with the orders left below its limit; a tier by
    days ends the chain, a closed one is skipped."""
    tiers = [Tier(first_orders=100, price=70), Tier(first_orders=300, price=80)]
    assert tier_offer(tiers, 100.0, presale_day=0, orders=40).levels == ((70, 60), (80, 200), (100, np.inf))
    assert tier_offer(tiers, 100.0, presale_day=0, orders=300).levels == ((100, np.inf),)
    mixed = [Tier(first_orders=100, price=70), Tier(first_days=3, price=75), Tier(first_orders=500, price=80)]
    assert tier_offer(mixed, 100.0, presale_day=2, orders=40).levels == ((70, 60), (75, np.inf))
    assert tier_offer(mixed, 100.0, presale_day=3, orders=40).levels == ((70, 60), (80, 400), (100, np.inf))


# --------------------------------------------------------------------------- in the model


@pytest.mark.parametrize("population", [20_000, 6_000])
def test_early_bird_by_orders_caps_tier_orders(run_toy, population):
    """Everyone orders on the first presale day: the first 5000 (market scale) at 80, the rest at 100."""
    model = run_toy({"run.population": population,
                     "strategies.base.pricing.early_bird": [{"first_orders": 5000, "price": 80}]})
    pop, w = model.pop, model.weight
    at_tier = np.count_nonzero(pop.price_agreed == 80) * w
    assert at_tier == pytest.approx(5000, abs=w)
    assert np.count_nonzero(pop.price_agreed == 100) * w == pytest.approx(20_000 - at_tier)
    assert trajectory_frame(model).revenue[PRESALE] == pytest.approx(80 * at_tier + 100 * (20_000 - at_tier))


def test_consecutive_order_tiers_each_capped_within_one_day(run_toy):
    model = run_toy({"strategies.base.pricing.early_bird": [
        {"first_orders": 5000, "price": 80}, {"first_orders": 9000, "price": 90}]})
    counts = {p: np.count_nonzero(model.pop.price_agreed == p) for p in (80, 90, 100)}
    assert counts == {80: 5000, 90: 4000, 100: 11_000}
    assert trajectory_frame(model).revenue[PRESALE] == pytest.approx(80 * 5000 + 90 * 4000 + 100 * 11_000)


def test_three_order_tiers_in_one_day_on_a_sampled_population(run_toy):
    """6 000 simulated consumers for 20 000: every tier is filled to its limit in market units."""
    model = run_toy({"run.population": 6_000, "strategies.base.pricing.early_bird": [
        {"first_orders": 5000, "price": 70}, {"first_orders": 9000, "price": 80},
        {"first_orders": 12_000, "price": 90}]})
    w = model.weight
    units = {p: np.count_nonzero(model.pop.price_agreed == p) * w for p in (70, 80, 90, 100)}
    for price, expected in {70: 5000, 80: 4000, 90: 3000, 100: 8000}.items():
        assert units[price] == pytest.approx(expected, abs=w)
    assert sum(units.values()) == pytest.approx(20_000)


def test_consecutive_order_tiers_over_several_days(run_toy):
    """About 1000 orders a day (no warm-up, conversion 0.05): each tier ends exactly
    when its cumulative order count is reached."""
    model = run_toy({"channels.web.conversion": 0.05,
                     "calendar": {**TOY_PRESALE_FIRST},
                     "strategies.base.pricing.early_bird": [
                         {"first_orders": 1500, "price": 80}, {"first_orders": 3000, "price": 90}]})
    pop = model.pop
    assert np.count_nonzero(pop.price_agreed == 80) == 1500
    assert np.count_nonzero(pop.price_agreed == 90) == 1500
    presale = (pop.order_day >= 0) & (pop.order_day < 10)
    days_90 = np.unique(pop.order_day[pop.price_agreed == 90])
    days_100 = np.unique(pop.order_day[presale & (pop.price_agreed == 100)])
    assert days_90.max() <= days_100.min(), "the presale price follows the last tier"


def test_early_bird_by_days_and_member_price(run_toy, share_close):
    """Tier price 80 on the first two presale days, 100 after; members pay 90 % of each."""
    model = run_toy({"channels.web.conversion": 0.3,
                     "strategies.base.pricing": {"early_bird": [{"first_days": 2, "price": 80}],
                                                 "member_discount": 0.1},
                     "market.segments.all.membership_share": 0.4})
    pop = model.pop
    share_close(pop.is_member.mean(), 0.4, pop.n)
    ordered = pop.order_day >= 0
    early = ordered & (pop.order_day < PRESALE + 2)
    assert np.count_nonzero(early) > 0 and np.count_nonzero(ordered & ~early) > 0
    expected = np.where(early, 80.0, 100.0) * np.where(pop.is_member, 0.9, 1.0)
    np.testing.assert_allclose(pop.price_agreed[ordered], expected[ordered], rtol=1e-6)


def test_schedule_sets_open_sale_prices(run_toy):
    model = run_toy({"channels.web.conversion": 0.1,
                     "strategies.base.pricing": {"presale_price": 1e6, "schedule": [
                         {"day": 18, "price": 85}, {"day": 22, "price": 70}]}})
    pop = model.pop
    traj = trajectory_frame(model)
    np.testing.assert_array_equal(traj.price[LAUNCH:], [100] * 3 + [85] * 4 + [70] * 8)
    ordered = pop.order_day >= 0
    assert pop.order_day[ordered].min() == LAUNCH
    expected = np.select([pop.order_day >= 22, pop.order_day >= 18], [70.0, 85.0], 100.0)
    np.testing.assert_array_equal(pop.price_agreed[ordered], expected[ordered])


def test_list_price_override_in_strategy(run_toy):
    model = run_toy({"strategies.base.pricing": {"presale_price": 1e6, "list_price": 120}})
    assert np.all(model.pop.price_agreed[model.pop.order_day >= 0] == 120)


@pytest.mark.parametrize("patience", [0.95, 0.9])
def test_strategic_consumers_wait_for_announced_lower_price(run_toy, share_close, patience):
    """Valuations uniform on [50, 250]; price 100 at launch, 80 announced five days later.
    Buying now beats waiting iff v >= (p1 - d**5 p2) / (1 - d**5)."""
    p1, p2, delay = 100.0, 80.0, 5
    model = run_toy({
        "strategies.base.pricing": {"presale_price": 1e6, "schedule": [{"day": LAUNCH + delay, "price": p2}]},
        "market.segments.all": {"share": 1.0, "valuation": {"dist": "uniform", "low": 50, "high": 250},
                                "patience": patience, "strategic_share": 1.0, "channel_preference": {"web": 1.0}},
    })
    traj = trajectory_frame(model)
    n = model.pop.n
    discount = patience**delay
    threshold = (p1 - discount * p2) / (1 - discount)
    share_close(traj.orders[LAUNCH] / n, (250 - threshold) / 200, n)
    assert traj.orders[LAUNCH + 1:LAUNCH + delay].sum() == 0, "the others wait for the lower price"
    share_close(traj.orders[LAUNCH + delay] / n, (threshold - p2) / 200, n)


def test_non_strategic_consumers_do_not_wait(run_toy, share_close):
    model = run_toy({
        "strategies.base.pricing": {"presale_price": 1e6, "schedule": [{"day": 20, "price": 80}]},
        "market.segments.all": {"share": 1.0, "valuation": {"dist": "uniform", "low": 50, "high": 250},
                                "patience": 0.9, "strategic_share": 0.0, "channel_preference": {"web": 1.0}},
    })
    share_close(trajectory_frame(model).orders[LAUNCH] / model.pop.n, 150 / 200, model.pop.n)
