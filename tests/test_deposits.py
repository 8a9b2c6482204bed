"""Deposits (定金): inflation, the balance decision under valuation uncertainty,
forfeits and refunds.

Toy market: everyone expects a valuation of 220 and orders at the presale price
200 with a deposit of 30 credited twice (balance 140); the realised valuation is
220 + U(-150, 150), i.e. uniform on [70, 370], revealed on the first balance day.
Completion shares use 4 binomial standard errors; money identities are exact.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.market.deposits import balance_due, inflation_credit, pays_balance
from simulation.market.population import State
from simulation.engine.metrics import outcome_record, trajectory_frame

PRICE, DEPOSIT, INFLATION = 200.0, 30.0, 2.0
BALANCE = PRICE - INFLATION * DEPOSIT
LOW, HIGH = 70.0, 370.0
PRESALE, BALANCE_DAY = 5, 10


def _deposit_market(refundable: bool, **segment) -> dict:
    return {
        "strategies.base.pricing.presale_price": PRICE,
        "strategies.base.deposit": {"amount": DEPOSIT, "inflation": INFLATION, "refundable": refundable},
        "market.segments.all": {"share": 1.0, "valuation": 220,
                                "valuation_noise": {"dist": "uniform", "low": -150, "high": 150},
                                "channel_preference": {"web": 1.0}, **segment},
    }


def _uniform_tail(x: float) -> float:
    return (HIGH - x) / (HIGH - LOW)


# --------------------------------------------------------------------------- pure functions


def test_balance_due_with_inflation():
    np.testing.assert_allclose(balance_due(np.array([200.0, 50.0]), 30.0, 2.0), [140.0, 0.0])


def test_inflation_credit_is_what_inflation_takes_off():
    """Deposit 40 counted twice: the full 40 off while the balance is positive, only the price
    above the deposit once the balance is clamped at 0, nothing when the deposit exceeds the price."""
    price = np.array([200.0, 80.0, 50.0, 40.0, 30.0])
    credit = inflation_credit(price, 40.0, 2.0)
    np.testing.assert_allclose(credit, [40.0, 40.0, 10.0, 0.0, 0.0])
    paid = 40.0 + balance_due(price, 40.0, 2.0)
    np.testing.assert_allclose(credit, np.maximum(price - paid, 0.0))
    np.testing.assert_allclose(inflation_credit(price, 40.0, 1.0), 0.0)


@pytest.mark.parametrize(("refundable", "expected"), [(False, [False, True, True]), (True, [False, False, True])])
def test_pays_balance_threshold(refundable, expected):
    paid = pays_balance(np.array([139.0, 150.0, 171.0]), np.ones(3), np.full(3, 140.0), 30.0,
                        refundable=refundable)
    np.testing.assert_array_equal(paid, expected)


def test_pays_balance_scales_with_price_sensitivity():
    paid = pays_balance(np.array([200.0, 200.0]), np.array([1.0, 2.0]), np.full(2, 140.0), 30.0, refundable=False)
    np.testing.assert_array_equal(paid, [True, False])


# --------------------------------------------------------------------------- in the model


@pytest.mark.parametrize(("refundable", "threshold"), [(False, BALANCE), (True, BALANCE + DEPOSIT)])
def test_completion_share_and_walkers(run_toy, share_close, refundable, threshold):
    """Non-refundable: pay iff v >= balance (deposit sunk); refundable: iff v >= balance + deposit."""
    model = run_toy(_deposit_market(refundable))
    traj = trajectory_frame(model)
    out = outcome_record(model)
    n = model.pop.n
    assert out["n_deposits"] == n and traj.deposits[PRESALE] == n
    assert traj.revenue[PRESALE] == pytest.approx(DEPOSIT * n)
    payers, walkers = traj.balances_paid[BALANCE_DAY], traj.cancellations[BALANCE_DAY]
    assert payers + walkers == n
    share_close(payers / n, _uniform_tail(threshold), n)
    assert out["deposit_conversion_rate"] == pytest.approx(payers / n)
    assert traj.revenue[BALANCE_DAY] == pytest.approx(BALANCE * payers)
    if refundable:
        assert traj.refunds[BALANCE_DAY] == pytest.approx(DEPOSIT * walkers)
        assert out["forfeited_deposits"] == 0 and out["n_forfeits"] == 0
    else:
        assert traj.refunds[BALANCE_DAY] == 0
        assert out["forfeited_deposits"] == pytest.approx(DEPOSIT * walkers)
        assert out["n_forfeits"] == walkers
    assert out["units_sold"] == payers
    paid = model.pop.paid[model.pop.state == State.DELIVERED]
    np.testing.assert_allclose(paid, DEPOSIT + BALANCE)


def test_walkers_are_exactly_those_below_the_threshold(run_toy):
    model = run_toy(_deposit_market(False))
    pop = model.pop
    walked = pop.state == State.CANCELLED
    np.testing.assert_array_equal(walked, pop.valuation_real < BALANCE)


def test_no_deposit_means_full_prepayment(run_toy):
    model = run_toy({**_deposit_market(False), "strategies.base.deposit": None})
    traj = trajectory_frame(model)
    out = outcome_record(model)
    assert out["n_deposits"] == 0 and out["n_balance_paid"] == 0
    assert traj.revenue[PRESALE] == pytest.approx(PRICE * model.pop.n)


def test_untrusting_consumers_weigh_deposit_at_risk(run_toy):
    """Valuation 185, total price 200 - (2 - 1) * 30 = 170 after inflation. Trust 0: the
    non-refundable deposit counts as lost, so 185 - 170 - 30 < 0 and nobody orders; a
    refundable deposit carries no risk, so everyone orders."""
    none = run_toy(_deposit_market(False, trust=0.0, valuation=185))
    assert outcome_record(none)["n_deposits"] == 0
    everyone = run_toy(_deposit_market(True, trust=0.0, valuation=185))
    assert outcome_record(everyone)["n_deposits"] == everyone.pop.n


def test_inflation_lowers_the_felt_price(run_toy):
    """Valuation 185 under presale price 200: without inflation nobody orders; with a deposit
    of 30 counted twice the order costs 170 in total and everyone orders."""
    flat = run_toy({**_deposit_market(False, valuation=185),
                    "strategies.base.deposit": {"amount": DEPOSIT, "inflation": 1.0}})
    assert outcome_record(flat)["n_deposits"] == 0
    inflated = run_toy(_deposit_market(False, valuation=185))
    out = outcome_record(inflated)
    assert out["n_deposits"] == inflated.pop.n
    assert out["promotion_cost"] == pytest.approx((INFLATION - 1) * DEPOSIT * out["n_balance_paid"])


def test_refund_liability_holds_refundable_deposits(run_toy):
    """Refundable deposits, then fully paid orders (cancellable until shipped), are liabilities."""
    model = run_toy(_deposit_market(True))
    traj = trajectory_frame(model)
    n = model.pop.n
    assert traj.refund_liability[PRESALE] == pytest.approx(DEPOSIT * n)
    payers = traj.balances_paid[BALANCE_DAY]
    assert traj.refund_liability[BALANCE_DAY] == pytest.approx((DEPOSIT + BALANCE) * payers)


def test_inflated_deposit_above_tier_price_is_not_felt_as_cheaper(run_toy):
    """Tier price 50, deposit 40 counted twice: the order costs max(50 - 80, 0) + 40 = 40,
    so consumers valuing it at 30 must not order (deterministic choice)."""
    model = run_toy({"strategies.base.pricing": {"presale_price": 100,
                                                 "early_bird": [{"first_days": 1, "price": 50}]},
                     "strategies.base.deposit": {"amount": 40, "inflation": 2},
                     "market.segments.all.valuation": 30})
    assert outcome_record(model)["n_deposits"] == 0


@pytest.mark.parametrize(("valuation", "ordered"), [(39, False), (41, True)])
def test_order_under_a_clamped_balance_is_felt_at_what_it_costs(run_toy, valuation, ordered):
    """Tier price 50, deposit 40 counted twice: the order costs 40 in all (the deposit, no
    balance), so a valuation of 41 orders and one of 39 does not; inflation took 10 off the
    price, and that is the promotion cost booked per balance paid."""
    model = run_toy({"strategies.base.pricing": {"presale_price": 100,
                                                 "early_bird": [{"first_days": 1, "price": 50}]},
                     "strategies.base.deposit": {"amount": 40, "inflation": 2},
                     "market.segments.all.valuation": valuation})
    out = outcome_record(model)
    n = model.pop.n
    assert out["n_deposits"] == (n if ordered else 0)
    if ordered:
        assert out["n_balance_paid"] == n
        assert out["promotion_cost"] == pytest.approx(10.0 * n)
        np.testing.assert_allclose(model.pop.paid[model.pop.state == State.DELIVERED], 40.0)
