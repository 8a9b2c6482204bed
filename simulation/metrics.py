"""Outcomes of one replication: a registry of named, documented metrics.

Every metric has the same signature ``f(model) -> float`` and reads only the
ledger and the population of a finished :class:`~simulation.model.PresaleModel`.
Money and units are at market scale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .market.calendar import Phase
from .market.population import State

if TYPE_CHECKING:                       # pandas loads lazily: the loader checks gate metrics by name
    import pandas as pd

__all__ = ["METRICS", "metric", "outcome_record", "trajectory_frame"]

METRICS: dict[str, tuple[Callable, str]] = {}


def metric(name: str, doc: str):
    """Register ``f(model) -> float`` as outcome ``name``."""
    def wrap(fn):
        METRICS[name] = (fn, doc)
        return fn
    return wrap


def _t(name):
    return lambda m: m.ledger.total(name)


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


def _count(m, *states) -> float:
    return float(np.isin(m.pop.state, states).sum()) * m.weight


for _name, _flow, _doc in [
    ("revenue_gross", "cash_in", "money received from consumers (deposits, balances, purchases)"),
    ("refunds", "refunds", "money paid back (refundable deposits, cancellations, returns)"),
    ("salvage_revenue", "salvage", "salvage of leftover and returned units"),
    ("cogs", "cogs", "cost of initial stock and of units produced"),
    ("marketing_cost", "marketing", "advertising and events"),
    ("channel_fees", "fees", "channel commissions on money received"),
    ("holding_cost", "holding", "stock holding cost"),
    ("gift_cost", "gift_cost", "cost of gifts handed out with orders"),
    ("promotion_cost", "promotion_cost", "discounts given, deposit inflation included (revenue foregone; informative)"),
    ("n_reserved", "reservations", "reservations during warm-up"),
    ("units_presold", "presale_orders", "presale orders placed"),
    ("n_deposits", "deposits", "deposits paid"),
    ("n_balance_paid", "balances_paid", "balances paid"),
    ("n_forfeits", "forfeit_count", "deposit holders who walked away and forfeited"),
    ("forfeited_deposits", "forfeits", "money kept from forfeited deposits"),
    ("n_cancellations", "cancellations", "orders cancelled (walk-aways, late, undelivered)"),
    ("units_produced", "produced", "units produced during the campaign"),
    ("units_sold", "shipped", "units shipped to consumers"),
    ("lost_sales", "lost_sales", "consumers turned away by a stockout or the presale cap (each counted once)"),
    ("n_returns", "returned", "units returned"),
]:
    metric(_name, _doc)(_t(_flow))


@metric("revenue_net", "revenue_gross - refunds")
def _revenue_net(m):
    return m.ledger.total("cash_in") - m.ledger.total("refunds")


@metric("profit", "revenue_net + salvage - cogs - marketing - fees - holding - gifts")
def _profit(m):
    return float(m.ledger.cash()[-1])


@metric("deposit_conversion_rate", "balances paid / deposits")
def _dcr(m):
    return _ratio(m.ledger.total("balances_paid"), m.ledger.total("deposits"))


@metric("n_orders", "orders placed (presale and open sale)")
def _orders(m):
    return m.ledger.total("orders")


@metric("cancellation_rate", "cancellations / orders")
def _cancel_rate(m):
    return _ratio(m.ledger.total("cancellations"), m.ledger.total("orders"))


@metric("units_available", "initial stock + units produced")
def _available(m):
    return m.seller.strategy.inventory.initial_stock + m.ledger.total("produced")


@metric("sell_through", "units sold / units available")
def _sell_through(m):
    return _ratio(m.ledger.total("shipped"), _available(m))


@metric("first_stockout_day", "first day demand met an empty shelf (NaN: never)")
def _stockout(m):
    return float("nan") if m.first_stockout_day is None else float(m.first_stockout_day)


@metric("leftover_units", "units left at the horizon")
def _leftover(m):
    return float(m.stock * m.weight)


@metric("fill_rate", "units sold / (units sold + lost sales + orders cancelled late or undelivered)")
def _fill(m):
    sold = m.ledger.total("shipped")
    unmet = m.ledger.total("lost_sales") + m.ledger.total("late_cancellations") + m.ledger.total("undelivered")
    return _ratio(sold, sold + unmet)


@metric("n_late", "presale orders shipped after the promised day or cancelled as late")
def _late(m):
    return m.ledger.total("late_shipped") + m.ledger.total("late_cancellations")


@metric("return_rate", "units returned / units sold")
def _return_rate(m):
    return _ratio(m.ledger.total("returned"), m.ledger.total("shipped"))


@metric("cash_before_launch", "net money from consumers collected before the launch day")
def _cash_before(m):
    launch = m.campaign.calendar.launch_day
    f = m.ledger.flows
    return float(f["cash_in"][:launch].sum() - f["refunds"][:launch].sum())


@metric("cash_low_point", "lowest cumulative cash position")
def _cash_low(m):
    return float(min(m.ledger.cash().min(), 0.0))


@metric("refund_liability_peak", "largest money held that consumers may claim back")
def _liability(m):
    return float(m.ledger.flows["refund_liability"].max())


@metric("competitor_units", "units bought from competitors")
def _comp_units(m):
    return float(sum(v.sum() for v in m.ledger.competitor_sales.values()))


@metric("market_share", "our units sold / (ours + competitors')")
def _share(m):
    ours = m.ledger.total("shipped")
    return _ratio(ours, ours + _comp_units(m))


@metric("cost_per_acquisition", "marketing cost / consumers who ordered")
def _cpa(m):
    return _ratio(m.ledger.total("marketing"), m.ledger.total("orders"))


@metric("aware_share", "share of the market aware by the horizon")
def _aware(m):
    return float(np.count_nonzero(m.pop.state != State.UNAWARE)) / m.pop.n


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
