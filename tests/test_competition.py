"""Competitors: launch day, price matching with delay, undercut and floor, and
counter-promotions. Prices are exact; the toy market chooses deterministically."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.market.competition import reacted_price
from simulation.engine.metrics import trajectory_frame
from simulation.scenario.sections import CounterPromotion, MatchPrice

LAUNCH = 15


def _match(delay: int = 3, undercut: float = 0.0) -> MatchPrice:
    return MatchPrice(kind="match_price", delay_days=delay, undercut=undercut)


def _counter(delay: int = 2, off: float = 0.2, duration: int = 3) -> CounterPromotion:
    return CounterPromotion(kind="counter_promotion", delay_days=delay, percent_off=off, duration_days=duration)


# --------------------------------------------------------------------------- pure function


@pytest.mark.parametrize(("day", "expected"), [(4, 95.0), (5, 95.0), (6, 72.0), (9, 72.0)])
def test_match_price_after_delay_with_undercut(day, expected):
    ours = [100.0] * 3 + [80.0] * 7
    price = reacted_price(95.0, [_match(3, 0.1)], day=day, our_prices=ours[:day + 1],
                          our_promo_days=[False] * (day + 1), floor=None)
    assert price == pytest.approx(expected)


def test_match_price_respects_floor_and_never_raises_price():
    ours = [60.0] * 5
    assert reacted_price(95.0, [_match(0)], day=4, our_prices=ours, our_promo_days=[False] * 5,
                         floor=75.0) == 75.0
    assert reacted_price(95.0, [_match(0)], day=4, our_prices=[200.0] * 5, our_promo_days=[False] * 5,
                         floor=None) == 95.0
    assert reacted_price(95.0, [], day=4, our_prices=ours, our_promo_days=[False] * 5, floor=120.0) == 95.0


def test_counter_promotion_window():
    promo_days = [False, False, True, True] + [False] * 8
    prices = [reacted_price(100.0, [_counter(2, 0.2, 3)], day=d, our_prices=[100.0] * (d + 1),
                            our_promo_days=promo_days[:d + 1], floor=None) for d in range(12)]
    assert prices == [100.0] * 4 + [80.0] * 4 + [100.0] * 4


# --------------------------------------------------------------------------- in the model


def test_no_competitor_sales_before_its_launch_day(run_toy):
    """The rival is far better than ours (appeal 200) but only sells from day 20."""
    model = run_toy({"strategies.base.pricing.presale_price": 1e6, "channels.web.conversion": 0.1,
                     "competitors": {"rival": {"price": 100, "appeal": 200, "launch_day": 20}}})
    traj = trajectory_frame(model)
    sales = traj["competitor_sales.rival"].to_numpy()
    assert sales[:20].sum() == 0 and sales[20] > 0
    assert np.all(traj.orders[20:] == 0)


def test_match_price_in_the_model(run_toy):
    """Our price drops to 80 on day 18; the rival follows three days later at 80 less 10 %,
    but not below its floor of 75; customers follow the cheaper product."""
    model = run_toy({
        "strategies.base.pricing": {"presale_price": 1e6, "schedule": [{"day": 18, "price": 80}]},
        "channels.web.conversion": 0.05,
        "competitors": {"rival": {"price": 95, "appeal": 0, "launch_day": 12, "price_floor": 75,
                                  "reactions": [{"kind": "match_price", "delay_days": 3, "undercut": 0.1}]}},
    })
    traj = trajectory_frame(model)
    np.testing.assert_array_equal(traj["competitor_price.rival"][12:], [95.0] * 9 + [75.0] * 9)
    sales = traj["competitor_sales.rival"].to_numpy()
    assert np.all(sales[12:LAUNCH] > 0) and np.all(sales[18:21] == 0) and np.all(sales[21:] > 0)
    assert np.all(traj.orders[18:21] > 0) and np.all(traj.orders[21:] == 0)


def test_counter_promotion_in_the_model(run_toy):
    model = run_toy({
        "strategies.base.pricing.presale_price": 1e6,
        "strategies.base.promotions": [{"kind": "percent_off", "rate": 0.1, "start_day": 16, "end_day": 18}],
        "competitors": {"rival": {"price": 95, "launch_day": 12, "reactions": [
            {"kind": "counter_promotion", "delay_days": 2, "percent_off": 0.2, "duration_days": 3}]}},
    })
    traj = trajectory_frame(model)
    np.testing.assert_allclose(traj["competitor_price.rival"][12:], [95.0] * 6 + [76.0] * 4 + [95.0] * 8)


def test_competitor_price_as_distribution_is_drawn_per_replication(run_toy):
    spec = {"competitors": {"rival": {"price": {"dist": "uniform", "low": 80, "high": 120}, "launch_day": 20}}}
    prices = {float(trajectory_frame(run_toy(spec, replication=r))["competitor_price.rival"][20]) for r in range(4)}
    assert len(prices) == 4 and all(80 <= p <= 120 for p in prices)
