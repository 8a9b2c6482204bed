"""The contract every bundled scenario and strategy must keep (DESIGN §7).

Each scenario file in ``scenarios/`` (plus the smoke fixture) × each of its
strategies runs on 3000 simulated consumers for 2 replications. The engine's own
:func:`check_invariants` must find nothing, and the same invariants are checked
again here by independent computation from the trajectory, the outcome record
and the consumers' arrays.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from simulation import load_scenario, with_overrides
from simulation.engine.invariants import check_invariants
from simulation.engine.metrics import outcome_record, trajectory_frame
from simulation.runs.runner import Replication

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "scenarios").glob("*.yaml")) + [Path(__file__).parent / "fixtures" / "smoke.yaml"]
POPULATION, REPLICATIONS = 3000, 2
MAY_BE_UNDEFINED = {"first_stockout_day", "deposit_conversion_rate", "cancellation_rate", "sell_through",
                    "fill_rate", "return_rate", "market_share", "cost_per_acquisition"}
"""Ratios and days that are NaN when their denominator or event is absent."""


def _strategy_names(path: Path) -> list[str]:
    """Strategy names read straight from the file (validation happens in the test)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return list(data["strategies"])
    except Exception:  # an unreadable file still yields one case, which fails on loading
        return ["<unreadable>"]


CASES = [pytest.param(path, name, id=f"{path.stem}-{name}") for path in FILES for name in _strategy_names(path)]


@pytest.fixture(scope="module")
def replications():
    """Loaded scenarios and their replications, shared by the strategies of a file."""
    cache: dict[Path, list[Replication]] = {}

    def get(path: Path) -> list[Replication]:
        if path not in cache:
            scenario = with_overrides(load_scenario(path), {"run.population": POPULATION})
            cache[path] = [Replication(scenario, r) for r in range(REPLICATIONS)]
        return cache[path]

    return get


def _independent_checks(model, traj: pd.DataFrame, out: dict[str, float]) -> list[str]:
    """DESIGN §7 recomputed from the tidy results and the population."""
    problems = []
    w = model.weight
    tol = 1e-6
    initial = model.seller.strategy.inventory.initial_stock
    produced = traj.produced.sum()
    sold = traj.shipped.sum()
    leftover = out["leftover_units"]

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= tol * max(1.0, abs(a), abs(b))

    if not close(sold + leftover, initial + produced):
        problems.append(f"sold {sold} + leftover {leftover} != initial {initial} + produced {produced}")
    stock_path = initial + np.cumsum(traj.produced - traj.shipped)
    if not np.allclose(traj.stock, stock_path, rtol=tol, atol=tol * w):
        problems.append("stock path differs from initial + produced - shipped")
    if traj.stock.min() < -tol * w:
        problems.append(f"stock negative: {traj.stock.min()}")
    if not close(traj.revenue.sum() - traj.refunds.sum(), out["revenue_net"]):
        problems.append("revenue_gross - refunds != revenue_net")
    if not close(out["revenue_gross"] - out["refunds"], out["revenue_net"]):
        problems.append("outcome revenue_gross - refunds != revenue_net")
    held = float(model.pop.paid.sum(dtype=np.float64)) * w
    if not close(held, out["revenue_net"]):
        problems.append(f"money held from consumers {held} != revenue_net {out['revenue_net']}")
    if not close(traj.cash.iloc[-1], out["profit"]):
        problems.append("final cash position != profit")
    if np.any(np.cumsum(traj.balances_paid) > np.cumsum(traj.deposits) + tol * w):
        problems.append("more balances paid than deposits at some day")
    pop, cal = model.pop, model.campaign.calendar
    presale_order = (pop.order_day >= cal.presale_start_day) & (pop.order_day < cal.balance_start_day)
    if model.seller.strategy.deposit is None:
        if traj.deposits.sum() > 0 or traj.balances_paid.sum() > 0 or np.any(pop.deposit > 0):
            problems.append("deposits or balances under a full-prepayment strategy")
    elif np.any(presale_order & (pop.deposit <= 0)):
        problems.append("a presale order without a deposit (its balance was paid without one)")
    if not close(np.count_nonzero(pop.order_day >= 0) * w, traj.orders.sum()):
        problems.append("consumers with an order != orders booked (someone ordered twice)")
    if traj.orders.sum() > model.campaign.market.size * (1 + tol):
        problems.append("more orders than consumers")
    if traj.returns.sum() > sold + tol * w or traj.cancellations.sum() > traj.orders.sum() + tol * w:
        problems.append("more returns than units sold or more cancellations than orders")
    flows = ["revenue", "refunds", "marketing_cost", "shipped", "produced", "orders", "lost_sales"]
    if (traj[flows] < -tol).any().any():
        problems.append("a daily flow is negative")
    return problems


@pytest.mark.parametrize(("path", "strategy"), CASES)
def test_contract(replications, path, strategy):
    for rep in replications(path):
        model = rep.model(strategy)
        assert check_invariants(model) == []
        traj, out = trajectory_frame(model), outcome_record(model)
        assert _independent_checks(model, traj, out) == [], f"replication {rep.replication}"
        assert traj.day.tolist() == list(range(model.campaign.calendar.horizon_days))
        assert all(np.isfinite(v) for k, v in out.items() if k not in MAY_BE_UNDEFINED), out


def test_smoke_fixture_is_always_included():
    assert any(p.name == "smoke.yaml" for p in FILES)


@pytest.mark.parametrize(("column", "day", "delta"), [("shipped", 30, 1.0), ("stock", 40, -1e9), ("refunds", 5, 10.0),
                                                     ("balances_paid", 20, 1e6), ("orders", 12, 50.0)])
def test_independent_checks_catch_broken_books(replications, column, day, delta):
    """The recomputation is not vacuous: a tampered trajectory is reported."""
    model = replications(FILES[-1])[0].model("base")
    traj, out = trajectory_frame(model), outcome_record(model)
    assert _independent_checks(model, traj, out) == []
    traj.loc[day, column] += delta
    assert _independent_checks(model, traj, out) != []
