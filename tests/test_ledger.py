"""The ledger: cash position and money identities, by hand on a toy market and
on a full scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulation.market.ledger import MONEY_IN, MONEY_OUT, Ledger
from simulation.engine.metrics import outcome_record, trajectory_frame

SMOKE = Path(__file__).parent / "fixtures" / "smoke.yaml"


def test_ledger_books_flows_and_cash():
    led = Ledger(3, ["rival"])
    led.book("cash_in", 0, 100.0)
    led.book("cash_in", 0, 50.0)
    led.book("cogs", 1, 70.0)
    led.book("refunds", 2, 10.0)
    led.book("salvage", 2, 5.0)
    led.set_level("stock", 1, 9.0)
    led.set_level("stock", 1, 8.0)
    np.testing.assert_allclose(led.cash(), [150.0, 80.0, 75.0])
    assert led.total("cash_in") == 150.0 and led.flows["stock"][1] == 8.0


def test_profit_by_hand(run_toy):
    """Everyone buys at 100 through a channel taking 10 %; 20000 units bought up front at 40;
    warm-up ads 10 a day for 5 days; holding 0.01 a unit-day while on the shelf (days 0-14)."""
    model = run_toy({
        "strategies.base.pricing.presale_price": 1e6,
        "channels.web.fee_rate": 0.1,
        "strategies.base.marketing": {"budget": {"web": {"warmup": 10}}},
        "strategies.base.inventory": {"initial_stock": 20_000, "holding_cost_per_unit_day": 0.01},
    })
    out = outcome_record(model)
    n = 20_000
    assert out["revenue_gross"] == pytest.approx(100.0 * n)
    assert out["channel_fees"] == pytest.approx(10.0 * n)
    assert out["cogs"] == pytest.approx(40.0 * n)
    assert out["marketing_cost"] == pytest.approx(50.0)
    assert out["holding_cost"] == pytest.approx(0.01 * n * 15)
    assert out["profit"] == pytest.approx(100.0 * n - 10.0 * n - 40.0 * n - 50.0 - 0.01 * n * 15)
    assert out["cash_low_point"] == pytest.approx(-(40.0 * n + 50.0 + 0.01 * n * 15))  # eve of the launch
    assert out["cash_before_launch"] == 0.0
    assert out["sell_through"] == 1.0 and out["leftover_units"] == 0
    assert out["cost_per_acquisition"] == pytest.approx(50.0 / n)


@pytest.fixture(scope="module")
def smoke_model():
    from simulation import load_scenario, with_overrides
    from simulation.runs.runner import Replication

    scenario = with_overrides(load_scenario(SMOKE), {"run.population": 4000})
    return Replication(scenario, 0).model("base")


def test_money_identities(smoke_model):
    out = outcome_record(smoke_model)
    assert out["revenue_net"] == pytest.approx(out["revenue_gross"] - out["refunds"])
    assert out["profit"] == pytest.approx(
        out["revenue_net"] + out["salvage_revenue"] - out["cogs"] - out["marketing_cost"]
        - out["channel_fees"] - out["holding_cost"] - out["gift_cost"])
    assert out["refunds"] > 0 and out["salvage_revenue"] > 0 and out["channel_fees"] > 0


def test_cash_position_is_cumulative_in_minus_out(smoke_model):
    flows = smoke_model.ledger.flows
    daily = sum(flows[k] for k in ("cash_in", "salvage")) - sum(
        flows[k] for k in ("refunds", "cogs", "marketing", "fees", "holding", "gift_cost"))
    traj = trajectory_frame(smoke_model)
    np.testing.assert_allclose(traj.cash, np.cumsum(daily))
    out = outcome_record(smoke_model)
    assert out["profit"] == pytest.approx(traj.cash.iloc[-1])
    assert out["cash_low_point"] == pytest.approx(min(traj.cash.min(), 0.0))
    assert set(MONEY_IN) == {"cash_in", "salvage"}
    assert set(MONEY_OUT) == {"refunds", "cogs", "marketing", "fees", "holding", "gift_cost"}


def test_trajectory_sums_match_outcomes(smoke_model):
    traj = trajectory_frame(smoke_model)
    out = outcome_record(smoke_model)
    for column, metric in [("revenue", "revenue_gross"), ("refunds", "refunds"), ("shipped", "units_sold"),
                           ("orders", "n_orders"), ("deposits", "n_deposits"), ("produced", "units_produced"),
                           ("lost_sales", "lost_sales"), ("returns", "n_returns"),
                           ("marketing_cost", "marketing_cost"), ("presale_orders", "units_presold"),
                           ("cancellations", "n_cancellations"), ("balances_paid", "n_balance_paid")]:
        assert traj[column].sum() == pytest.approx(out[metric]), column
    launch = smoke_model.campaign.calendar.launch_day
    assert out["cash_before_launch"] == pytest.approx(traj.revenue[:launch].sum() - traj.refunds[:launch].sum())
