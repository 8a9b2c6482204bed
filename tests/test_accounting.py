"""Money and units booked line by line: fee reversals, returns after the horizon,
lost sales, the last partial unit on the shelf, an uncertain market size.

Each test works in the toy market of ``conftest.py`` (identical consumers who all
want the product), where the right booking can be worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.engine.invariants import check_invariants
from simulation.engine.metrics import outcome_record
from simulation.errors import ScenarioError

N_TOY = 20_000          # the toy market's consumers (tests/conftest.py)

FEE = 0.1
ALL_RETURNED = {"product.returns": {"ratings": [4.2, 4.8], "p_return": [1.0, 1.0], "delay_days": 2},
                "channels.web.fee_rate": FEE}


def test_a_refund_gives_back_the_fee_on_the_money_it_returns(run_toy, make_toy):
    """Everything is returned: the platform keeps no commission on it."""
    m = run_toy(ALL_RETURNED)
    out = outcome_record(m)
    assert out["revenue_gross"] == pytest.approx(N_TOY * 100)
    assert out["refunds"] == pytest.approx(out["revenue_gross"])
    assert out["channel_fees"] == pytest.approx(0.0, abs=1e-6)
    assert check_invariants(m) == []


def test_fees_are_charged_on_net_sales_when_part_comes_back(run_toy, make_toy):
    m = run_toy({**ALL_RETURNED, "product.returns.p_return": [0.3, 0.3]})
    out = outcome_record(m)
    assert 0 < out["refunds"] < out["revenue_gross"]
    assert out["channel_fees"] == pytest.approx(FEE * (out["revenue_gross"] - out["refunds"]))


def test_a_channel_may_keep_its_fee_on_refunds(run_toy, make_toy):
    m = run_toy({**ALL_RETURNED, "channels.web.fee_refunded_with_refund": False})
    out = outcome_record(m)
    assert out["channel_fees"] == pytest.approx(FEE * out["revenue_gross"])


def test_cancelled_refundable_deposits_give_back_their_fee(run_toy, make_toy):
    """Nobody pays the balance (valuations fall below it): every refundable deposit comes back."""
    m = run_toy({"channels.web.fee_rate": FEE, "market.segments.all.valuation_noise": -120,
                  "strategies.base.deposit": {"amount": 20, "refundable": True}})
    out = outcome_record(m)
    assert out["n_deposits"] == pytest.approx(N_TOY)
    assert out["refunds"] == pytest.approx(out["revenue_gross"]) and out["refunds"] > 0
    assert out["channel_fees"] == pytest.approx(0.0, abs=1e-6)


def test_returns_due_after_the_horizon_are_booked(run_toy, make_toy):
    """Units shipped at launch come back 20 days later, after the 30-day horizon."""
    p = 0.3
    m = run_toy({"product.returns": {"ratings": [4.2, 4.8], "p_return": [p, p], "delay_days": 20}})
    out = outcome_record(m)
    assert out["units_sold"] == pytest.approx(N_TOY)
    se = np.sqrt(p * (1 - p) / N_TOY)
    assert abs(out["return_rate"] - p) < 4 * se
    assert out["refunds"] == pytest.approx(out["n_returns"] * 100)
    assert check_invariants(m) == []


LAUNCH_ONLY = {
    "strategies.base.pricing.presale_price": 200,          # nobody buys before the launch
    "strategies.base.inventory": {"initial_stock": 5000,
                                  "production": {"rule": "fixed", "quantity": 5000, "order_day": 17}},
    "market.choice.stockout_switch_share": 0.0, "market.choice.stockout_wait_share": 1.0,
}


def test_lost_sales_are_the_consumers_turned_away_who_never_bought(run_toy, make_toy):
    """20,000 want it at launch; 5,000 on the shelf, 5,000 more two days later; all wait."""
    m = run_toy(LAUNCH_ONLY)
    out = outcome_record(m)
    assert out["units_sold"] == pytest.approx(10_000)
    assert out["lost_sales"] == pytest.approx(N_TOY - 10_000)
    assert out["fill_rate"] == pytest.approx(0.5)


def test_the_last_partial_unit_leaves_the_shelf(run_toy, make_toy):
    """Market 56.3, 56 simulated consumers who all buy, stock 56: everything sells."""
    m = run_toy({"market.size": 56.3, "run.population": 56,
                  "strategies.base.pricing.presale_price": 200,
                  "strategies.base.inventory.initial_stock": 56})
    out = outcome_record(m)
    assert out["units_sold"] == pytest.approx(56.0)
    assert out["leftover_units"] == pytest.approx(0.0, abs=1e-9)
    assert out["lost_sales"] == pytest.approx(0.3)
    assert check_invariants(m) == []


PARTIAL = {"market.size": 56.3, "run.population": 56, "strategies.base.pricing.presale_price": 200,
           "strategies.base.inventory.initial_stock": 56}


@pytest.mark.parametrize("returned", [0.0, 1.0])
def test_the_buyer_of_the_last_partial_unit_pays_and_returns_only_its_part(returned, run_toy):
    """56 units reach 56.3 buyers at the list price of ¥100 (market 56.3, 56 simulated consumers,
    stock 56; the presale price of ¥200 keeps everyone for the open sale): the money kept is
    exactly ¥5,600, and when everything comes back 56 units are returned and salvaged, not 56.3."""
    m = run_toy({**PARTIAL, "product.salvage_value": 30, "channels.web.fee_rate": FEE,
                  "product.returns": {"ratings": [4.2, 4.8], "p_return": [returned, returned], "delay_days": 2}})
    out = outcome_record(m)
    assert out["units_sold"] == pytest.approx(56.0)
    assert out["revenue_gross"] - out["refunds"] == pytest.approx(56.0 * 100 * (1 - returned), abs=1e-6)
    assert m.ledger.total("returned") == pytest.approx(56.0 * returned)
    assert out["salvage_revenue"] == pytest.approx(56.0 * 30 * returned)
    assert out["channel_fees"] == pytest.approx(FEE * 56.0 * 100 * (1 - returned), abs=1e-6)   # fee back with the money
    assert check_invariants(m) == []


@pytest.mark.parametrize("size,stock", [(1000.7, 333.3), (999.2, 998.9), (5000, 1234.5), (777.7, 10.2)])
def test_stock_and_lost_sales_are_never_both_left_at_the_end_of_a_day(size, stock, run_toy):
    m = run_toy({"market.size": size, "run.population": 400,
                  "strategies.base.pricing.presale_price": 200,
                  "strategies.base.inventory.initial_stock": stock})
    lost, left = m.ledger.flows["lost_sales"], m.ledger.flows["stock"]
    assert not np.any((lost > 1e-9) & (left > 1e-9))
    assert check_invariants(m) == []


def test_an_uncertain_market_size_below_the_population_runs_every_replication(make_toy):
    """A draw below the population simulates one consumer per real one: no replication fails."""
    from simulation.runs.execution import run_many

    sc = make_toy({"run.population": 5000, "market.size": 20000,
                   "uncertainties": {"market.size": {"dist": "normal", "mean": 6000, "sd": 3000, "low": 500}}})
    res = run_many(sc, replications=12, workers=1)
    out = res.outcomes
    assert res.complete and len(out) == 12
    small = out["market.size"] < 5000
    assert small.any() and (~small).any()
    # everyone wants the product and there is stock for 20,000: every real consumer buys
    assert out["units_sold"].to_numpy() == pytest.approx(out["market.size"].to_numpy(), rel=1e-6)


def test_the_drawn_inputs_are_stored_with_each_replications_outcomes(run_toy, make_toy):
    """Each uncertain input's value is a column named by its path, the same for every strategy."""
    from simulation.analysis.risk import metric_columns
    from simulation.runs.execution import run_many
    from simulation.scenario.sampling import draw_parameters

    sc = make_toy({"run.population": 2000, "market.size": 20000,
                       "strategies.cheaper": {"extends": "base", "pricing": {"presale_price": 90}},
                       "uncertainties": {"market.awareness.initial_aware_share": {"dist": "uniform", "low": 0.2,
                                                                                 "high": 0.9},
                                         "product.rating": {"dist": "uniform", "low": 4.0, "high": 5.0}}})
    out = run_many(sc, replications=4, workers=1).outcomes
    for path in ("market.awareness.initial_aware_share", "product.rating"):
        assert path in out.columns and path not in metric_columns(out)
        by_rep = out.groupby("replication")[path]
        assert (by_rep.nunique() == 1).all()                      # common to the strategies
        used = [float(draw_parameters(sc, r).market.awareness.initial_aware_share if "aware" in path
                      else draw_parameters(sc, r).product.rating) for r in range(4)]
        assert by_rep.first().tolist() == pytest.approx(used)
        assert by_rep.first().nunique() == 4                       # drawn anew in each replication
