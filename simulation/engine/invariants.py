"""Invariants that every finished run must satisfy (DESIGN §7).

Each check compares two independent bookkeepings (the ledger's daily flows and
the consumers' own arrays), so an error in either shows up.
"""

from __future__ import annotations

import numpy as np

from ..market.population import State

__all__ = ["check_invariants", "InvariantError"]


class InvariantError(AssertionError):
    """A run broke an invariant of the model."""


def _close(a: float, b: float, scale: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(scale))


def check_invariants(model) -> list[str]:
    """Broken invariants of a finished model, as messages (empty when all hold)."""
    led, pop, w = model.ledger, model.pop, model.weight
    out: list[str] = []
    initial = model.seller.strategy.inventory.initial_stock
    produced, shipped = led.total("produced"), led.total("shipped")
    leftover = model.stock * w
    if not _close(shipped + leftover, initial + produced, initial + produced):
        out.append(f"units sold + leftover ({shipped + leftover:.6g}) != initial + produced "
                   f"({initial + produced:.6g})")
    held = np.isin(pop.state, [State.DELIVERED, State.RETURNED]).sum() * w
    short = model.short_units * w          # last partial units: served consumers beyond whole units
    if not _close(held, shipped + short, shipped):
        out.append(f"consumers holding a unit ({held:.6g}) != units shipped ({shipped:.6g})"
                   + (f" + partial units ({short:.6g})" if short else ""))
    if led.flows["stock"].min() < -1e-6 * w or model.stock < -1e-9:
        out.append(f"stock went negative (min {led.flows['stock'].min():.6g})")
    received = float(pop.paid.sum(dtype=np.float64)) * w
    net = led.total("cash_in") - led.total("refunds")
    if not _close(received, net, led.total("cash_in")):
        out.append(f"money held from consumers ({received:.6g}) != received - refunds ({net:.6g})")
    orders = np.count_nonzero(pop.order_day >= 0) * w
    if not _close(orders, led.total("orders"), led.total("orders")):
        out.append(f"consumers with an order ({orders:.6g}) != orders booked ({led.total('orders'):.6g}): "
                   "someone ordered twice")
    balance_payers = np.count_nonzero((pop.deposit > 0) & np.isin(
        pop.state, [State.PAID, State.DELIVERED, State.RETURNED])) * w
    late_cancelled_payers = led.total("balances_paid") - balance_payers
    if led.total("balances_paid") > led.total("deposits") + 1e-9 or late_cancelled_payers < -1e-6 * w:
        out.append("a balance was paid without a deposit")
    if np.any((pop.deposit > 0) & (pop.order_day < 0)):
        out.append("a deposit without an order")
    return out
