"""What happens to orders after they are placed: balances, shipping, late
cancellations, returns and the campaign's close. Each function applies one
mechanism of :mod:`simulation.market` to a model's population and books it."""

from __future__ import annotations

import numpy as np

from ..market.calendar import Phase
from ..market.deposits import balance_due, inflation_credit, pays_balance
from ..market.fulfilment import first_in_line, last_in_line, p_cancel_waiting
from ..market.population import State, in_states, locate
from .quotes import taste_shock, tastes_ours

__all__ = ["collect_balances", "cancel_while_waiting", "ship_orders", "process_returns", "close_campaign", "book_payment", "refund"]


def book_payment(model, idx: np.ndarray, amount: np.ndarray) -> None:
    """Receive ``amount`` from consumers ``idx``: cash in and channel fees."""
    w, day, pop = model.weight, model.day, model.pop
    pop.paid[idx] += amount.astype(np.float32)
    model.ledger.book("cash_in", day, float(amount.sum()) * w)
    model.ledger.book("fees", day, float((model.fee_rate[pop.channel[idx]] * amount).sum()) * w)


def refund(model, idx: np.ndarray, new_state: State | None, *, share: float = 1.0) -> float:
    """Refund what consumers ``idx`` paid (``share`` of it; all by default) and move them
    to ``new_state`` (``None``: they keep their state).

    The channel's commission on the money returned is given back (booked as a
    negative fee) unless the channel keeps it (``fee_refunded_with_refund: false``).
    """
    pop = model.pop
    paid = pop.paid[idx].astype(np.float64)
    paid *= share
    amount = float(paid.sum()) * model.weight
    model.ledger.book("refunds", model.day, amount)
    model.ledger.book("fees", model.day, -float((model.fee_back_rate[pop.channel[idx]] * paid).sum()) * model.weight)
    pop.paid[idx] -= paid.astype(np.float32)        # all of it: exactly 0 left
    if new_state is not None:
        pop.state[idx] = new_state
    return amount


def kept_taste(model, idx: np.ndarray) -> np.ndarray | float:
    """The taste for ours that deposit holders ``idx`` ordered on (money; 0 for none).

    Under ``presale_decision: option`` with a positive ``logit_scale``, a strategic shopper
    orders before the launch on its valuation plus the day's taste draw
    (:class:`simulation.engine.quotes.Quotes`); the draw is keyed by the consumer and the
    day it ordered, so it is read again here, the same number, with nothing stored.
    """
    if not tastes_ours(model, Phase.PRESALE):
        return 0.0
    pop = model.pop
    out = np.zeros(idx.shape[0])
    strategic = np.flatnonzero(pop.is_strategic[idx])
    days = pop.order_day[idx[strategic]]
    for day in np.unique(days):
        at = strategic[days == day]
        out[at] = taste_shock(model, model.draws.taste(int(day), idx[at]))
    return out


def collect_balances(model) -> None:
    """First balance day: deposit holders learn their valuation and pay or walk away.

    The valuation is the realised one plus the taste for ours the holder ordered on
    (:func:`kept_taste`)."""
    pop, w, day, led = model.pop, model.weight, model.day, model.ledger
    dep = model.seller.strategy.deposit
    idx = np.flatnonzero(pop.state == State.DEPOSITED)
    if idx.size == 0:
        return
    balance = balance_due(pop.price_agreed[idx], dep.amount, dep.inflation)
    pays = pays_balance(pop.valuation_real[idx] + kept_taste(model, idx), pop.price_sensitivity[idx], balance, dep.amount,
                        refundable=dep.refundable)
    payers, walkers = idx[pays], idx[~pays]
    book_payment(model, payers, balance[pays])
    credit = inflation_credit(pop.price_agreed[payers].astype(np.float64), dep.amount, dep.inflation)
    led.book("promotion_cost", day, float(credit.sum()) * w)
    pop.state[payers] = State.PAID
    led.book("balances_paid", day, payers.size * w)
    led.book("cancellations", day, walkers.size * w)
    if dep.refundable:
        refund(model, walkers, State.CANCELLED)
    else:
        led.book("forfeits", day, float(pop.paid[walkers].sum(dtype=np.float64)) * w)
        led.book("forfeit_count", day, walkers.size * w)
        pop.state[walkers] = State.CANCELLED


def _mark_returns(model, idx: np.ndarray, u: np.ndarray) -> None:
    back = idx[u < model.p_return]
    due = model.day + model.campaign.product.returns.delay_days
    model.pop.return_day[back] = due
    if due < model.horizon:
        model.returns_due[due] += back.size


def deliver(model, idx: np.ndarray, u_return: np.ndarray, *, keys: tuple[np.ndarray, ...]) -> None:
    """Hand units to consumers ``idx`` (ascending) from stock; draw who will return them.

    When the stock holds a last partial unit (a simulated consumer stands for a
    fractional number of real ones), the last consumer served gets it (the last in the
    queue ``keys``, aligned with ``idx``, as :func:`~simulation.market.fulfilment.first_in_line`
    orders it): the shelf clears exactly, the part of that consumer's demand it cannot
    meet is a lost sale, and the money paid for that part is refunded. The consumer holds
    that fraction of a unit (``model.partial_units``): a return gives back and salvages
    only it.
    """
    units = min(float(idx.size), max(model.stock, 0.0))
    short = idx.size - units
    model.pop.state[idx] = State.DELIVERED
    model.stock -= units
    model.ledger.book("shipped", model.day, units * model.weight)
    if short > 0:
        model.short_units += short
        model.ledger.book("lost_sales", model.day, short * model.weight)
        last = idx[[last_in_line(keys)]]
        refund(model, last, None, share=short)
        model.partial_units[int(last[0])] = 1.0 - short
    _mark_returns(model, idx, u_return)


def cancel_while_waiting(model, draws) -> None:
    """Paid presale orders waiting to ship: some buyers lose patience and cancel for a refund.

    The daily hazard grows with the days since ordering (``cancel_share_30_days``). It uses the
    day's ``leave`` draw, which no other decision of a waiting buyer reads on the same day.
    """
    ful = model.seller.strategy.fulfilment
    if not ful.cancellation_right or ful.cancel_share_30_days <= 0:
        return
    pop = model.pop
    idx = np.flatnonzero(pop.state == State.PAID)
    if idx.size == 0:
        return
    wait = model.day - pop.order_day[idx]
    quit_ = idx[draws.leave(idx) < p_cancel_waiting(wait, ful.cancel_share_30_days)]
    if quit_.size:
        refund(model, quit_, State.CANCELLED)
        model.ledger.book("cancellations", model.day, quit_.size * model.weight)


def ship_orders(model, draws) -> None:
    """Ship waiting presale orders first come first served; cancel late ones."""
    pop, w, day, led = model.pop, model.weight, model.day, model.ledger
    waiting = pop.state == State.PAID
    if not waiting.any():
        return
    served = first_in_line(waiting, keys=(pop.order_day,), capacity=model.stock, partial=True)
    idx = np.flatnonzero(served)
    deliver(model, idx, draws.event(idx), keys=(pop.order_day[idx],))
    if day > model.ship_day:
        led.book("late_shipped", day, idx.size * w)
    still = waiting & ~served
    if not still.any():
        return
    model.note_stockout()
    led.book("backorders_unserved", day, np.count_nonzero(still) * w)
    ful = model.seller.strategy.fulfilment
    if ful.cancellation_right and day > model.ship_day + ful.late_tolerance_days:
        late = np.flatnonzero(still)
        quit_ = late[draws.event(late) < ful.p_cancel_per_late_day]
        refund(model, quit_, State.CANCELLED)
        led.book("cancellations", day, quit_.size * w)
        led.book("late_cancellations", day, quit_.size * w)


def process_returns(model) -> None:
    """Returns due today come back: refund the price, salvage the unit."""
    pop = model.pop
    if model.returns_due[model.day] == 0:
        return
    _take_back(model, np.flatnonzero((pop.return_day == model.day) & (pop.state == State.DELIVERED)))


def _take_back(model, due: np.ndarray) -> None:
    """Units of consumers ``due`` (ascending) come back: refund, count and salvage them."""
    if due.size == 0:
        return
    refund(model, due, State.RETURNED)
    w = model.weight
    units = float(due.size)
    if model.partial_units:                  # a consumer who got a last partial unit returns only it
        held = np.fromiter(model.partial_units, dtype=np.int64, count=len(model.partial_units))
        _, back = locate(due, held)
        units -= float((1.0 - np.fromiter(model.partial_units.values(), dtype=float))[back].sum())
    model.ledger.book("returned", model.day, units * w)
    model.ledger.book("salvage", model.day, units * w * model.campaign.product.salvage_value)


def close_campaign(model) -> None:
    """After the last day: book the returns still to come, cancel and refund unshipped
    orders, salvage leftovers.

    A unit's return is decided when it is delivered; a return that falls due after
    the horizon is booked on the last day, so every unit sold carries its return.
    """
    pop, w, led = model.pop, model.weight, model.ledger
    model.day = last = model.horizon - 1
    _take_back(model, np.flatnonzero((pop.return_day > last) & (pop.state == State.DELIVERED)))
    open_orders = np.flatnonzero(in_states(pop.state, State.DEPOSITED, State.PAID))
    if open_orders.size:
        refund(model, open_orders, State.CANCELLED)
        led.book("cancellations", last, open_orders.size * w)
        led.book("undelivered", last, open_orders.size * w)
    led.book("salvage", last, model.stock * w * model.campaign.product.salvage_value)
