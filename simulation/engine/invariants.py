"""Invariants that every finished run must satisfy (DESIGN §7).

Each check compares two independent bookkeepings (the ledger's daily flows and
the consumers' own arrays), so an error in either shows up.
"""

from __future__ import annotations

import numpy as np

from ..market.population import State, in_states

__all__ = ["check_invariants", "InvariantError"]


class InvariantError(AssertionError):
    """A run broke an invariant of the model."""


def _close(a: float, b: float, scale: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(scale))


def check_invariants(model) -> list[str]:
    """Broken invariants of a finished model, as messages (empty when all hold).

    Every consumer array is read once or twice (funnel states are contiguous ranges,
    :func:`~simulation.market.population.in_states`); a strategy whose consumers hold no
    deposit skips the deposit checks' passes.
    """
    led, pop, w = model.ledger, model.pop, model.weight
    total = led.total
    out: list[str] = []
    initial = model.seller.strategy.inventory.initial_stock
    produced, shipped = total("produced"), total("shipped")
    leftover = model.stock * w
    if not _close(shipped + leftover, initial + produced, initial + produced):
        out.append(f"units sold + leftover ({shipped + leftover:.6g}) != initial + produced "
                   f"({initial + produced:.6g})")
    state = pop.state
    held = np.count_nonzero(in_states(state, State.DELIVERED, State.RETURNED)) * w
    short = model.short_units * w          # last partial units: served consumers beyond whole units
    if not _close(held, shipped + short, shipped):
        out.append(f"consumers holding a unit ({held:.6g}) != units shipped ({shipped:.6g})"
                   + (f" + partial units ({short:.6g})" if short else ""))
    lowest = led.flows["stock"].min()
    if lowest < -1e-6 * w or model.stock < -1e-9:
        out.append(f"stock went negative (min {lowest:.6g})")
    received = float(pop.paid.sum(dtype=np.float64)) * w
    cash_in = total("cash_in")
    net = cash_in - total("refunds")
    if not _close(received, net, cash_in):
        out.append(f"money held from consumers ({received:.6g}) != received - refunds ({net:.6g})")
    ordered = pop.order_day >= 0
    orders, booked = np.count_nonzero(ordered) * w, total("orders")
    if not _close(orders, booked, booked):
        out.append(f"consumers with an order ({orders:.6g}) != orders booked ({booked:.6g}): "
                   "someone ordered twice")
    deposited = pop.deposit > 0
    any_deposit = bool(deposited.any())
    balance_payers = (np.count_nonzero(deposited & in_states(state, State.PAID, State.RETURNED)) * w
                      if any_deposit else 0)
    balances_paid = total("balances_paid")
    late_cancelled_payers = balances_paid - balance_payers
    if balances_paid > total("deposits") + 1e-9 or late_cancelled_payers < -1e-6 * w:
        out.append("a balance was paid without a deposit")
    if any_deposit and np.any(deposited & ~ordered):
        out.append("a deposit without an order")
    return out
