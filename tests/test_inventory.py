"""Inventory: production arrivals, the presale-signal rule, stockouts and what
turned-away buyers do, holding cost and salvage.

Arrivals, costs and lost sales are exact in the toy market; the switch / wait /
leave split of turned-away buyers uses 4 binomial standard errors.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.market.inventory import arrivals, signal_quantity
from simulation.market.population import State
from simulation.engine.metrics import outcome_record, trajectory_frame
from simulation.scenario.strategy import SignalProduction

LAUNCH, BALANCE_DAY = 15, 10
NOBODY_BUYS = {"strategies.base.pricing.presale_price": 1e6, "product.list_price": 1e6}


# --------------------------------------------------------------------------- pure functions


def test_arrivals_after_lead_time_at_daily_capacity():
    out = arrivals(12_000, order_day=3, lead_time_days=4, daily_capacity=5000, horizon_days=12)
    np.testing.assert_array_equal(out, [0] * 7 + [5000, 5000, 2000, 0, 0])


def test_arrivals_beyond_horizon_never_arrive():
    out = arrivals(12_000, order_day=3, lead_time_days=6, daily_capacity=5000, horizon_days=11)
    np.testing.assert_array_equal(out, [0] * 9 + [5000, 5000])


def test_arrivals_round_a_fractional_lead_time():
    out = arrivals(10, order_day=0, lead_time_days=1.6, daily_capacity=100, horizon_days=4)
    np.testing.assert_array_equal(out, [0, 0, 10, 0])


@pytest.mark.parametrize(("a", "b", "orders", "expected"), [(1.1, 1000, 2000, 3200), (0.5, -2000, 1000, 0.0)])
def test_signal_quantity(a, b, orders, expected):
    assert signal_quantity(SignalProduction(rule="presale_signal", a=a, b=b), orders) == pytest.approx(expected)


# --------------------------------------------------------------------------- in the model


def test_fixed_production_holding_cost_and_salvage(run_toy):
    """Nothing sells: 12000 units ordered on day 3 arrive from day 7 at 5000 a day; every
    unit on the shelf at the end of a day costs 0.1; leftovers are salvaged at 7."""
    model = run_toy({
        **NOBODY_BUYS, "product.salvage_value": 7,
        "strategies.base.inventory": {
            "initial_stock": 500, "production": {"rule": "fixed", "quantity": 12_000, "order_day": 3},
            "lead_time_days": 4, "daily_capacity": 5000, "holding_cost_per_unit_day": 0.1},
    })
    traj = trajectory_frame(model)
    out = outcome_record(model)
    np.testing.assert_array_equal(traj.produced, arrivals(12_000, order_day=3, lead_time_days=4,
                                                           daily_capacity=5000, horizon_days=30))
    np.testing.assert_array_equal(traj.stock, 500 + np.cumsum(traj.produced))
    stock_days = 500 * 30 + 5000 * 23 + 5000 * 22 + 2000 * 21
    assert out["holding_cost"] == pytest.approx(0.1 * stock_days)
    assert out["leftover_units"] == 12_500
    assert out["salvage_revenue"] == pytest.approx(7 * 12_500)
    assert out["cogs"] == pytest.approx(40 * 12_500)
    assert out["units_available"] == 12_500 and out["sell_through"] == 0


def test_presale_signal_production(run_toy):
    """At the close of the presale, order a * presale orders + b, delivered after the lead time."""
    a, b = 0.5, 1000.0
    model = run_toy({
        "channels.web.conversion": 0.3,
        "strategies.base.inventory": {"initial_stock": 0, "production": {"rule": "presale_signal", "a": a, "b": b},
                                      "lead_time_days": 2, "daily_capacity": 4000},
    })
    traj = trajectory_frame(model)
    out = outcome_record(model)
    quantity = a * out["units_presold"] + b
    assert out["units_presold"] > 0
    assert out["units_produced"] == pytest.approx(quantity)
    np.testing.assert_allclose(traj.produced, arrivals(quantity, order_day=BALANCE_DAY, lead_time_days=2,
                                                        daily_capacity=4000, horizon_days=30))


def test_presale_signal_scaled_population(run_toy):
    """With each simulated consumer standing for several, quantities stay at market scale."""
    model = run_toy({
        "run.population": 5000, "channels.web.conversion": 0.3,
        "strategies.base.inventory": {"initial_stock": 0, "production": {"rule": "presale_signal", "a": 1.0, "b": 0},
                                      "lead_time_days": 0},
    })
    out = outcome_record(model)
    assert model.weight == 4.0
    assert out["units_produced"] == pytest.approx(out["units_presold"])
    assert out["units_presold"] == 4.0 * np.count_nonzero(model.pop.order_day[model.pop.order_day >= 0] < BALANCE_DAY)


def test_stockout_lost_sales_and_turned_away_buyers(run_toy, share_close):
    """All 20000 want to buy on the last day (the launch), 5000 units: 15000 lost sales,
    of which 30 % switch to the rival, 30 % wait and 40 % leave."""
    model = run_toy({
        **{"strategies.base.pricing.presale_price": 1e6},
        "strategies.base.inventory.initial_stock": 5000,
        "calendar": {"presale_start_day": 5, "balance_start_day": 10, "launch_day": LAUNCH, "burst_days": 0,
                     "horizon_days": LAUNCH + 1},
        "market.choice": {"logit_scale": 0.0, "stockout_switch_share": 0.3, "stockout_wait_share": 0.3},
        "competitors": {"rival": {"price": 100, "appeal": -10, "launch_day": LAUNCH}},
    })
    out = outcome_record(model)
    turned = 15_000
    assert out["units_sold"] == 5000 and out["lost_sales"] == turned
    assert out["first_stockout_day"] == LAUNCH
    states = np.bincount(model.pop.state, minlength=len(State))
    assert states[State.DELIVERED] == 5000
    share_close(states[State.COMPETITOR] / turned, 0.3, turned)
    share_close(states[State.AWARE] / turned, 0.3, turned)
    share_close(states[State.LEFT] / turned, 0.4, turned)
    assert out["competitor_units"] == states[State.COMPETITOR]
    assert out["fill_rate"] == pytest.approx(5000 / 20_000)


def test_turned_away_without_rival_leave_or_wait(run_toy, share_close):
    model = run_toy({
        "strategies.base.pricing.presale_price": 1e6, "strategies.base.inventory.initial_stock": 5000,
        "calendar": {"presale_start_day": 5, "balance_start_day": 10, "launch_day": LAUNCH, "burst_days": 0,
                     "horizon_days": LAUNCH + 1},
        "market.choice": {"logit_scale": 0.0, "stockout_switch_share": 0.3, "stockout_wait_share": 0.3},
    })
    states = np.bincount(model.pop.state, minlength=len(State))
    share_close(states[State.AWARE] / 15_000, 0.3, 15_000)
    assert states[State.AWARE] + states[State.LEFT] == 15_000


def test_waiting_buyers_come_back_when_stock_arrives(run_toy):
    """5000 units at the launch, 15000 more arriving three days later: with everyone waiting
    after a stockout, every consumer eventually gets one, so no sale is lost although 15,000
    were turned away at the launch."""
    model = run_toy({
        "strategies.base.pricing.presale_price": 1e6,
        "market.choice": {"logit_scale": 0.0, "stockout_switch_share": 0.0, "stockout_wait_share": 1.0},
        "strategies.base.inventory": {"initial_stock": 5000, "production": {"rule": "fixed", "quantity": 15_000,
                                      "order_day": LAUNCH}, "lead_time_days": 3},
    })
    traj = trajectory_frame(model)
    out = outcome_record(model)
    assert traj.shipped[LAUNCH] == 5000 and traj.shipped[LAUNCH + 3] == 15_000
    assert traj.lost_sales.min() >= 0 and out["lost_sales"] == 0
    assert out["units_sold"] == 20_000 and out["leftover_units"] == 0


def test_presale_quantity_cap_turns_away_orders(run_toy):
    model = run_toy({"strategies.base.pricing.presale_quantity": 8000,
                     "market.choice": {"logit_scale": 0.0, "stockout_switch_share": 0.0, "stockout_wait_share": 0.0}})
    out = outcome_record(model)
    assert out["units_presold"] == 8000
    assert out["lost_sales"] == 12_000
    assert np.count_nonzero(model.pop.state == State.LEFT) == 12_000
