"""The outcome metrics a scenario may name (in gates and decision rules), with their meaning.

The engine computes each of them for every replication
(:mod:`simulation.engine.metrics` implements exactly these names); the scenario layer
needs only the names and meanings, to check what a file refers to. Money and units are
at market scale.
"""

from __future__ import annotations

__all__ = ["OUTCOMES"]

OUTCOMES: dict[str, str] = {
    "revenue_gross": "money received from consumers (deposits, balances, purchases)",
    "refunds": "money paid back (refundable deposits, cancellations, returns)",
    "salvage_revenue": "salvage of leftover and returned units",
    "cogs": "cost of initial stock and of units produced",
    "marketing_cost": "advertising and events",
    "channel_fees": "channel commissions on money received, net of those given back with refunds",
    "holding_cost": "stock holding cost",
    "gift_cost": "cost of gifts handed out with orders",
    "promotion_cost": "discounts given, deposit inflation included (revenue foregone; informative)",
    "n_reserved": "reservations during warm-up",
    "units_presold": "presale orders placed",
    "n_deposits": "deposits paid",
    "n_balance_paid": "balances paid",
    "n_forfeits": "deposit holders who walked away and forfeited",
    "forfeited_deposits": "money kept from forfeited deposits",
    "n_cancellations": "orders cancelled (walk-aways, late, undelivered)",
    "units_produced": "units produced during the campaign",
    "units_sold": "units shipped to consumers",
    "lost_sales": "consumers turned away by a stockout or the presale cap who never bought ours afterwards (each counted once)",
    "n_returns": "units returned",
    "revenue_net": "revenue_gross - refunds",
    "profit": "revenue_net + salvage - cogs - marketing - fees - holding - gifts",
    "deposit_conversion_rate": "balances paid / deposits",
    "n_orders": "orders placed (presale and open sale)",
    "cancellation_rate": "cancellations / orders",
    "units_available": "initial stock + units produced",
    "sell_through": "units sold / units available",
    "first_stockout_day": "first day demand met an empty shelf (NaN: never)",
    "leftover_units": "units left at the horizon",
    "fill_rate": "units sold / (units sold + lost sales + orders cancelled late or undelivered)",
    "n_late": "presale orders shipped after the promised day or cancelled as late",
    "return_rate": "units returned / units sold",
    "cash_before_launch": "net money from consumers collected before the launch day",
    "cash_low_point": "lowest cumulative cash position",
    "refund_liability_peak": "largest money held that consumers may claim back",
    "competitor_units": "units bought from competitors",
    "market_share": "our units sold / (ours + competitors')",
    "cost_per_acquisition": "marketing cost / consumers who ordered",
    "aware_share": "share of the market aware of ours by the horizon (a rival alone does not count)",
}
