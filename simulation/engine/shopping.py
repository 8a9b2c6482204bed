"""The daily shopping step: who shops, what they choose, what they pay.

Warm-up: choosing ours means reserving (no money). Presale: an order with a
deposit or full prepayment. Balance window: ours is closed, and choosing it
means waiting for the launch. From the launch: a purchase from stock,
delivered at once.

Shoppers are the consumers aware of ours, and those unaware of ours who know a
rival on sale (each rival has a market of its own); a shopper weighs only the
products they know.

Limited offers (tier levels, flash quantities, budgets) are served first come,
first served (:mod:`simulation.engine.limited_offers`). Buyers beyond the stock (or the
presale cap) are turned away: lost sales, of whom a share buys a competitor's
product and a share stays to try again.
"""

from __future__ import annotations

import numpy as np

from .limited_offers import level_room, serve_limited
from ..market.calendar import Phase
from ..market.fulfilment import first_in_line
from ..market.population import State, in_states, locate
from .orders import book_payment, deliver
from .quotes import Quotes, promotion_masks, shoppers_of, subset, utilities, zero_quote

__all__ = ["shop", "visitors"]


def shop(model, draws) -> None:
    """Run today's choices and apply them."""
    phase = Phase(int(model.phase[model.day]))
    idx, queue = visitors(model, draws, phase)
    if idx.size == 0:
        return
    s = shoppers_of(model, idx, phase)
    u_choice, u_redeem = draws.choice(idx), draws.event(idx)
    promos, masks = promotion_masks(model, idx, s, u_redeem)
    levels = model.seller.offer.limited.levels
    level = int(np.argmax(level_room(levels, model.weight) > 0))   # the first with a whole order left
    quotes = Quotes(model, s, phase, u_choice=u_choice, promos=promos, masks=masks,
                     base_price=levels[level][0], index=idx)
    sells = phase == Phase.PRESALE or phase >= Phase.LAUNCH
    stopped = (serve_limited(model, quotes, queue, phase, level=level) if sells
               else np.zeros(len(promos), dtype=bool))
    _apply(model, idx, quotes, phase, draws, queue=queue, shoppers=s, stopped=stopped)


def visitors(model, draws, phase: Phase) -> tuple[np.ndarray, np.ndarray]:
    """Today's shoppers, ascending, and their places in the day's queue.

    Of the consumers who come today (:meth:`~simulation.engine.model.DayDraws.visitors`),
    those aware of ours shop, and those unaware of ours who know a rival on sale; in the
    presale, consumers who reserved in the warm-up shop every day. Each shopper's place
    in the queue is their ``queue`` uniform: first come, first served in random order,
    whatever the channel and the reason to come.
    """
    pop = model.pop
    come = draws.visitors(model.channel_members, model.visit_p)
    state = pop.state[come]
    shops = in_states(state, State.AWARE, State.RESERVED)
    launched = [c for c in model.competitors if c.is_launched]
    if launched and model.n_unaware:
        unaware = np.flatnonzero(state == State.UNAWARE)
        knows = np.zeros(unaware.size, dtype=bool)
        for comp in launched:
            knows |= comp.knows(come[unaware])
        shops[unaware[knows]] = True
    idx = np.sort(come[shops], kind="stable")     # sorted runs, one per channel: a merge
    if phase == Phase.PRESALE:
        idx = _with_reserved(model, idx)
    return idx, draws.queue(idx)


def _with_reserved(model, idx: np.ndarray) -> np.ndarray:
    """``idx`` (ascending) and the consumers still holding a reservation, ascending."""
    pool = model.reserved_pool()
    reserved = pool[model.pop.state[pool] == State.RESERVED]
    if reserved.size == 0:
        return idx
    at, here = locate(idx, reserved)
    return np.insert(idx, at[~here], reserved[~here])


def _apply(model, idx, quotes: Quotes, phase, draws, *, queue, shoppers, stopped) -> None:
    pop, w, day, led = model.pop, model.weight, model.day, model.ledger
    n_comp = len(model.competitors)
    choice = quotes.choice
    wants = choice == 0
    if phase == Phase.WARMUP:
        reserve = idx[wants & (pop.state[idx] != State.RESERVED)]
        pop.state[reserve] = State.RESERVED
        led.book("reservations", day, reserve.size * w)
        wants = np.zeros_like(wants)
    elif phase == Phase.BALANCE:       # ours cannot be bought: choosing it is waiting for the launch
        wants = np.zeros_like(wants)
    from_stock = phase >= Phase.LAUNCH
    cap = model.stock if from_stock else model.seller.offer.order_capacity / w
    buy = first_in_line(wants, keys=(queue,), capacity=cap, partial=from_stock)
    turned = wants & ~buy
    b = idx[buy]
    presale_units = b.size * w if phase == Phase.PRESALE else 0.0
    if b.size:
        paid_now = quotes.price[buy]
        pop.order_day[b] = day
        pop.price_agreed[b] = paid_now
        dep = model.seller.strategy.deposit
        if phase == Phase.PRESALE and dep is not None:
            paid_now = np.full(b.size, dep.amount, dtype=np.float64)
            pop.deposit[b] = dep.amount
            pop.state[b] = State.DEPOSITED
            led.book("deposits", day, b.size * w)
        else:
            pop.state[b] = State.PAID
        book_payment(model, b, np.asarray(paid_now, dtype=np.float64))
        led.book("orders", day, b.size * w)
        led.book("promotion_cost", day, float(quotes.discount[buy].sum()) * w)
        led.book("gift_cost", day, float(quotes.gift_cost[buy].sum()) * w)
        led.book("presale_orders", day, presale_units)
        _recover_lost_sales(model, b)
        if phase >= Phase.LAUNCH:
            deliver(model, b, draws.leave(b), keys=(queue[buy],))
    if b.size or stopped.any():
        n_promos = len(model.seller.strategy.promotions)
        rows = [i for i, _ in quotes.promos]
        given = quotes.by_promo[:, buy]
        spent, units, closed = np.zeros(n_promos), np.zeros(n_promos), np.zeros(n_promos, dtype=bool)
        spent[rows] = given.sum(axis=1) * w
        units[rows] = np.count_nonzero(given > 0, axis=1) * w
        closed[rows] = stopped
        model.seller.record_sales(by_promotion=spent, units_by_promotion=units, presale_orders=presale_units,
                                  stopped=closed)
    u_leave = draws.leave(idx)
    ch = model.campaign.market.choice
    if turned.any():
        if phase >= Phase.LAUNCH:
            model.note_stockout()
        first_time = idx[turned & (pop.turned_away_day[idx] < 0)]
        pop.turned_away_day[first_time] = day
        led.book("lost_sales", day, first_time.size * w)
        switch = turned & (u_leave < ch.stockout_switch_share)
        leave = turned & (u_leave >= ch.stockout_switch_share + ch.stockout_wait_share)
        if n_comp:
            util = utilities(model, subset(shoppers, switch), zero_quote(np.count_nonzero(switch)), phase,
                              now_price=model.seller.offer.price)
            best = np.argmax(util[1:1 + n_comp], axis=0) + 1
            ok = np.isfinite(util[best, np.arange(best.size)])
            choice = choice.copy()
            sw = np.flatnonzero(switch)
            choice[sw[ok]] = best[ok]
            leave[sw[~ok]] = True
        else:
            leave |= switch
        pop.state[idx[leave]] = State.LEFT
    strangers = 0                         # rival buyers who never knew ours
    for k, comp in enumerate(model.competitors, start=1):
        picked = choice == k
        chosen = idx[picked]
        if chosen.size:
            strangers += np.count_nonzero(picked & ~shoppers.knows_ours)
            pop.state[chosen] = State.COMPETITOR
            led.competitor_sales[comp.name][day] += chosen.size * w
    model.n_unaware -= strangers
    model.never_aware_buyers += strangers
    outside = (choice == n_comp + 2) & shoppers.knows_ours   # one who knows only a rival stays unaware of ours
    pop.state[idx[outside & (u_leave < ch.leave_rate)]] = State.LEFT


def _recover_lost_sales(model, buyers: np.ndarray) -> None:
    """Buyers whom ours turned away before: not a lost sale after all.

    A lost sale is a consumer turned away who never buys ours afterwards. It is
    booked on the day of the first refusal and taken back from that day when
    the consumer buys, so every day's count stays a count of consumers.
    """
    days = model.pop.turned_away_day[buyers]
    back = days >= 0
    if back.any():
        model.ledger.flows["lost_sales"] -= np.bincount(days[back], minlength=model.horizon) * model.weight
        model.pop.turned_away_day[buyers[back]] = -1
