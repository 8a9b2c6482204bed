"""Fulfilment: shipping presale orders, late shipments, cancellations past the
tolerance with refunds, and returns at the rating's probability.

Everyone prepays 100 on the first presale day; production is ordered on day 0
and its lead time decides when orders ship (promised: the launch, day 15).
Daily cancellations are checked as Binomial(waiting, p_cancel) with 4 standard
errors; return shares with 4 binomial standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulation.market.fulfilment import first_in_line, first_shortfall, last_in_line, p_return
from simulation.market.population import State
from simulation.engine.metrics import outcome_record, trajectory_frame
from simulation.scenario.sections import ReturnCurve

LAUNCH, TOLERANCE, P_CANCEL = 15, 7, 0.3
CALENDAR = {"presale_start_day": 5, "balance_start_day": 10, "launch_day": LAUNCH, "burst_days": 3,
            "horizon_days": 40}


def _late_production(lead_time_days: int, *, cancellation_right: bool = True) -> dict:
    return {
        "calendar": CALENDAR,
        "strategies.base.inventory": {"initial_stock": 0, "lead_time_days": lead_time_days, "daily_capacity": 5000,
                                      "production": {"rule": "fixed", "quantity": 20_000, "order_day": 0}},
        "strategies.base.fulfilment": {"late_tolerance_days": TOLERANCE, "p_cancel_per_late_day": P_CANCEL,
                                       "cancellation_right": cancellation_right, "cancel_share_30_days": 0.0},
    }


# --------------------------------------------------------------------------- pure functions


def test_first_in_line_serves_by_key_up_to_capacity():
    candidates = np.array([True, True, False, True, True])
    order_day = np.array([3, 1, 0, 2, 1])
    served = first_in_line(candidates, keys=(order_day,), capacity=2.7)
    np.testing.assert_array_equal(served, [False, True, False, False, True])
    np.testing.assert_array_equal(first_in_line(candidates, keys=(order_day,), capacity=4), candidates)
    assert not first_in_line(candidates, keys=(order_day,), capacity=0.5).any()


def test_last_in_line_is_the_last_that_first_in_line_serves():
    """Keys with many ties (two of them, last primary): serving all but one leaves out exactly
    the candidate last_in_line names."""
    rng = np.random.default_rng(4)
    for n in (1, 2, 7, 50):
        keys = (rng.integers(0, 3, n), rng.integers(0, 4, n))
        everyone = np.ones(n, dtype=bool)
        served = first_in_line(everyone, keys=keys, capacity=n - 1)
        if n > 1:
            assert np.flatnonzero(~served).tolist() == [last_in_line(keys)]
        assert last_in_line(keys) == np.lexsort((np.arange(n), *keys))[-1]


def test_first_shortfall_finds_the_first_limit_to_run_out():
    """Orders count one each, a budget counts money: the budget (room 25) runs out at the
    third consumer (10 + 10 + 10 > 25), before the quantity (room 3) at the fourth."""
    usage = np.array([[1, 1, 1, 1, 1], [10.0, 10.0, 10.0, 0.0, 10.0]])
    assert first_shortfall(usage, np.array([3.0, 25.0])) == (2, 1)
    assert first_shortfall(usage, np.array([3.0, 40.0])) == (3, 0)
    assert first_shortfall(usage, np.array([5.0, 40.0])) == (5, -1), "use equal to the room fits"
    assert first_shortfall(usage, np.array([np.inf, np.inf])) == (5, -1)
    assert first_shortfall(usage, np.array([2.0, 20.0])) == (2, 0), "ties go to the first limit"
    assert first_shortfall(usage, np.array([0.0, 40.0])) == (0, 0)
    assert first_shortfall(np.zeros((2, 0)), np.array([1.0, 1.0])) == (0, -1)


@pytest.mark.parametrize(("rating", "expected"), [
    (5.0, 0.045), (4.8, 0.045), (4.5, 0.1125), (4.2, 0.18), (3.0, 0.18)])
def test_return_curve_defaults(rating, expected):
    assert p_return(rating, ReturnCurve()) == pytest.approx(expected)


# --------------------------------------------------------------------------- in the model


def test_on_time_production_ships_on_the_promised_day(run_toy):
    model = run_toy(_late_production(5))
    out = outcome_record(model)
    traj = trajectory_frame(model)
    assert traj.shipped[LAUNCH] == 20_000 and out["n_late"] == 0 and out["n_cancellations"] == 0


def test_lagging_production_ships_late_within_tolerance(run_toy):
    """Arrivals of 5000 a day from day 14: 10000 ship on day 15, then 5000 late on 16 and 17."""
    model = run_toy(_late_production(14))
    traj = trajectory_frame(model)
    out = outcome_record(model)
    np.testing.assert_array_equal(traj.shipped[LAUNCH:LAUNCH + 4], [10_000, 5000, 5000, 0])
    assert out["n_late"] == 10_000
    assert out["n_cancellations"] == 0 and out["refunds"] == 0
    assert out["first_stockout_day"] == LAUNCH


def test_cancellations_past_tolerance_are_refunded(run_toy):
    """Arrivals from day 26; from day 23 (past 15 + 7) each waiting order cancels with 0.3 a day."""
    model = run_toy(_late_production(26))
    traj = trajectory_frame(model)
    out = outcome_record(model)
    shipped, cancelled = traj.shipped.to_numpy(), traj.cancellations.to_numpy()
    first_cancel_day = LAUNCH + TOLERANCE + 1
    assert cancelled[:first_cancel_day].sum() == 0
    waiting = 20_000.0
    for day in range(first_cancel_day, 30):
        waiting -= shipped[day]
        expected = waiting * P_CANCEL
        assert abs(cancelled[day] - expected) <= 4 * math.sqrt(waiting * P_CANCEL * (1 - P_CANCEL)) + 1e-9, day
        waiting -= cancelled[day]
    assert waiting == 0
    assert out["n_cancellations"] == cancelled.sum() and cancelled.sum() > 0
    assert out["refunds"] == pytest.approx(100.0 * cancelled.sum())
    assert out["n_late"] == pytest.approx(out["units_sold"] + cancelled.sum())
    assert np.count_nonzero(model.pop.state == State.CANCELLED) == cancelled.sum()
    assert np.all(model.pop.paid[model.pop.state == State.CANCELLED] == 0)


def test_no_cancellation_without_the_right(run_toy):
    model = run_toy(_late_production(26, cancellation_right=False))
    out = outcome_record(model)
    assert out["n_cancellations"] == 0 and out["refunds"] == 0
    assert out["units_sold"] == 20_000 and out["n_late"] == 20_000


def test_orders_never_shipped_are_refunded_at_the_horizon(run_toy):
    """Production arrives after the horizon: every order is cancelled and refunded at the close."""
    model = run_toy(_late_production(45, cancellation_right=False))
    out = outcome_record(model)
    assert out["units_sold"] == 0 and out["n_cancellations"] == 20_000
    assert out["refunds"] == pytest.approx(100.0 * 20_000) and out["revenue_net"] == 0


def test_promised_ship_day_later_than_launch(run_toy):
    model = run_toy({"strategies.base.fulfilment.promised_ship_day": 20, "calendar": CALENDAR})
    traj = trajectory_frame(model)
    assert traj.shipped[:20].sum() == 0 and traj.shipped[20] == 20_000


@pytest.mark.parametrize("rating", [4.0, 4.5, 4.9])
def test_returns_at_the_ratings_probability(run_toy, share_close, rating):
    """Everyone buys at the launch; returns come back 7 days later, refunded and salvaged."""
    model = run_toy({"product.rating": rating, "product.returns": {}, "product.salvage_value": 10,
                     "strategies.base.pricing.presale_price": 1e6})
    traj = trajectory_frame(model)
    out = outcome_record(model)
    sold, returned = out["units_sold"], out["n_returns"]
    assert sold == model.pop.n
    share_close(returned / sold, p_return(rating, ReturnCurve()), sold)
    assert traj.returns[LAUNCH + 7] == returned
    assert out["refunds"] == pytest.approx(100.0 * returned)
    assert out["salvage_revenue"] == pytest.approx(10.0 * returned)
    assert np.count_nonzero(model.pop.state == State.RETURNED) == returned


def test_custom_return_curve_and_delay(run_toy, share_close):
    model = run_toy({"product.rating": 3.5,
                     "product.returns": {"ratings": [3.0, 4.0], "p_return": [0.5, 0.1], "delay_days": 3},
                     "strategies.base.pricing.presale_price": 1e6})
    traj = trajectory_frame(model)
    out = outcome_record(model)
    assert traj.returns[LAUNCH + 3] == out["n_returns"]
    share_close(out["return_rate"], 0.3, out["units_sold"])
