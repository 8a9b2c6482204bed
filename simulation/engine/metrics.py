"""Outcomes of one replication: a registry of named, documented metrics.

Every metric has the same signature ``f(model) -> float`` and reads only the
ledger and the population of a finished :class:`~simulation.engine.model.PresaleModel`.
Money and units are at market scale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..market.calendar import Phase
from ..market.population import State
from ..scenario.outcomes import OUTCOMES

if TYPE_CHECKING:                       # pandas loads lazily, when a trajectory is built
    import pandas as pd

__all__ = ["METRICS", "metric", "outcome_record", "trajectory_frame"]

METRICS: dict[str, tuple[Callable, str]] = {}


def metric(name: str):
    """Register ``f(model) -> float`` as outcome ``name``, one of :data:`OUTCOMES` (its meaning)."""
    def wrap(fn):
        METRICS[name] = (fn, OUTCOMES[name])
        return fn
    return wrap


def _t(name):
    return lambda m: m.ledger.total(name)


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


def _count(m, *states) -> float:
    return float(np.isin(m.pop.state, states).sum()) * m.weight


for _name, _flow in [
    ("revenue_gross", "cash_in"),
    ("refunds", "refunds"),
    ("salvage_revenue", "salvage"),
    ("cogs", "cogs"),
    ("marketing_cost", "marketing"),
    ("channel_fees", "fees"),
    ("holding_cost", "holding"),
    ("gift_cost", "gift_cost"),
    ("promotion_cost", "promotion_cost"),
    ("n_reserved", "reservations"),
    ("units_presold", "presale_orders"),
    ("n_deposits", "deposits"),
    ("n_balance_paid", "balances_paid"),
    ("n_forfeits", "forfeit_count"),
    ("forfeited_deposits", "forfeits"),
    ("n_cancellations", "cancellations"),
    ("units_produced", "produced"),
    ("units_sold", "shipped"),
    ("lost_sales", "lost_sales"),
    ("n_returns", "returned"),
]:
    metric(_name)(_t(_flow))


@metric("revenue_net")
def _revenue_net(m):
    return m.ledger.total("cash_in") - m.ledger.total("refunds")


@metric("profit")
def _profit(m):
    return float(m.ledger.cash()[-1])


@metric("deposit_conversion_rate")
def _dcr(m):
    return _ratio(m.ledger.total("balances_paid"), m.ledger.total("deposits"))


@metric("n_orders")
def _orders(m):
    return m.ledger.total("orders")


@metric("cancellation_rate")
def _cancel_rate(m):
    return _ratio(m.ledger.total("cancellations"), m.ledger.total("orders"))


@metric("units_available")
def _available(m):
    return m.seller.strategy.inventory.initial_stock + m.ledger.total("produced")


@metric("sell_through")
def _sell_through(m):
    return min(_ratio(m.ledger.total("shipped"), _available(m)), 1.0)   # a cleared shelf: 1 to the last bit


@metric("first_stockout_day")
def _stockout(m):
    return float("nan") if m.first_stockout_day is None else float(m.first_stockout_day)


@metric("leftover_units")
def _leftover(m):
    return float(m.stock * m.weight)


@metric("fill_rate")
def _fill(m):
    sold = m.ledger.total("shipped")
    unmet = m.ledger.total("lost_sales") + m.ledger.total("late_cancellations") + m.ledger.total("undelivered")
    return _ratio(sold, sold + unmet)


@metric("n_late")
def _late(m):
    return m.ledger.total("late_shipped") + m.ledger.total("late_cancellations")


@metric("return_rate")
def _return_rate(m):
    return _ratio(m.ledger.total("returned"), m.ledger.total("shipped"))


@metric("cash_before_launch")
def _cash_before(m):
    launch = m.campaign.calendar.launch_day
    f = m.ledger.flows
    return float(f["cash_in"][:launch].sum() - f["refunds"][:launch].sum())


@metric("cash_low_point")
def _cash_low(m):
    return float(min(m.ledger.cash().min(), 0.0))


@metric("refund_liability_peak")
def _liability(m):
    return float(m.ledger.flows["refund_liability"].max())


@metric("competitor_units")
def _comp_units(m):
    return float(sum(v.sum() for v in m.ledger.competitor_sales.values()))


@metric("market_share")
def _share(m):
    ours = m.ledger.total("shipped")
    return _ratio(ours, ours + _comp_units(m))


@metric("cost_per_acquisition")
def _cpa(m):
    return _ratio(m.ledger.total("marketing"), m.ledger.total("orders"))


@metric("aware_share")
def _aware(m):
    return float(np.count_nonzero(m.pop.state != State.UNAWARE) - m.never_aware_buyers) / m.pop.n


def outcome_record(model) -> dict[str, float]:
    """Every registered metric of a finished model."""
    return {name: float(fn(model)) for name, (fn, _) in METRICS.items()}


_TRAJECTORY = {
    "price": "price", "n_aware": "aware", "n_reserved": "reserved_level", "reservations": "reservations",
    "deposits": "deposits", "balances_paid": "balances_paid", "orders": "orders",
    "presale_orders": "presale_orders", "shipped": "shipped", "stock": "stock", "produced": "produced",
    "lost_sales": "lost_sales", "cancellations": "cancellations", "refunds": "refunds",
    "returns": "returned", "revenue": "cash_in", "marketing_cost": "marketing",
    "refund_liability": "refund_liability",
}


_PHASE_LABELS = np.array([p.label for p in Phase], dtype=object)


def trajectory_frame(model, keys: dict | None = None) -> pd.DataFrame:
    """One row per day: phase, prices, funnel, orders, stock, money and competitors.

    ``keys`` (e.g. strategy and replication) become the first columns, the same
    value on every row.
    """
    import pandas as pd

    f = model.ledger.flows
    data = dict(keys or {})
    data["day"] = np.arange(model.horizon)
    data["phase"] = _PHASE_LABELS[model.phase]
    data.update({col: f[src] for col, src in _TRAJECTORY.items()})
    data["cash"] = model.ledger.cash()
    for name in model.ledger.competitor_price:
        data[f"competitor_price.{name}"] = model.ledger.competitor_price[name]
        data[f"competitor_sales.{name}"] = model.ledger.competitor_sales[name]
    return pd.DataFrame(data)
