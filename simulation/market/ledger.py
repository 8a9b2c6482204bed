"""The ledger: the one place where money and units are booked, day by day.

Everything is booked at market scale (simulated counts times the weight).
"""

from __future__ import annotations

import numpy as np

__all__ = ["Ledger", "MONEY_IN", "MONEY_OUT"]

MONEY_IN = ("cash_in", "salvage")
"""Flows that bring money in: customer payments, salvage of leftovers and returns."""
MONEY_OUT = ("refunds", "cogs", "marketing", "fees", "holding", "gift_cost")
"""Flows that take money out."""
_INFO = ("forfeits", "promotion_cost")
_UNITS = ("produced", "shipped", "returned", "lost_sales", "orders", "presale_orders",
          "deposits", "balances_paid", "cancellations", "late_cancellations", "late_shipped",
          "reservations", "forfeit_count", "backorders_unserved", "undelivered")
_LEVELS = ("stock", "aware", "reserved_level", "refund_liability", "price")


class Ledger:
    """Daily flows and levels over ``horizon_days`` days."""

    def __init__(self, horizon_days: int, competitors: list[str]):
        self.horizon_days = horizon_days
        names = (*MONEY_IN, *MONEY_OUT, *_INFO, *_UNITS, *_LEVELS)
        self.flows: dict[str, np.ndarray] = {name: np.zeros(horizon_days) for name in names}
        self.competitor_sales = {c: np.zeros(horizon_days) for c in competitors}
        self.competitor_price = {c: np.zeros(horizon_days) for c in competitors}

    def book(self, name: str, day: int, amount: float) -> None:
        """Add ``amount`` to flow ``name`` on ``day``."""
        self.flows[name][day] += amount

    def set_level(self, name: str, day: int, value: float) -> None:
        """Record the end-of-day level ``name``."""
        self.flows[name][day] = value

    def total(self, name: str) -> float:
        """Sum of a flow over the campaign."""
        return float(self.flows[name].sum())

    def cash(self) -> np.ndarray:
        """Cumulative cash position at the end of each day."""
        f = self.flows
        net = sum(f[n] for n in MONEY_IN) - sum(f[n] for n in MONEY_OUT)
        return np.cumsum(net)
