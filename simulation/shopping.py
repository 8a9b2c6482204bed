"""The daily shopping step: who shops, what they choose, what they pay.

Warm-up: choosing ours means reserving (no money). Presale: an order with a
deposit or full prepayment. Balance window: ours is closed. From the launch:
a purchase from stock, delivered at once.

Limited offers are served first come, first served to shoppers in a random
queue: the levels of the early-bird tiers by order count (one after another),
each flash sale's quantity and each promotion's budget, each limit on its own.
Everyone is first quoted every offer still open; where, in queue order, a limit
no longer has room for a shopper, it closes for that shopper and everyone
behind, who are quoted again without it (at the next tier's price for a tier)
and choose again on the same random draw. Buyers beyond the stock (or the
presale cap) are turned away: lost sales, of whom a share buys a competitor's
product and a share stays to try again.
"""

from __future__ import annotations

import numpy as np

from .market.calendar import Phase
from .market.choice import choose
from .market.deposits import inflation_credit
from .market.fulfilment import first_in_line, first_shortfall
from .market.population import State
from .market.promotions import eligible, quote
from .market.utility import Shoppers, ours_utility, utility_matrix
from .orders import book_payment, deliver

__all__ = ["shop"]

_GOLDEN = np.float32(0.618034)
_EPS = 1e-9


def _shoppers(model, idx: np.ndarray, phase: Phase) -> Shoppers:
    pop = model.pop
    md = model.seller.strategy.pricing.member_discount
    return Shoppers(
        valuation=(pop.valuation if phase < Phase.LAUNCH else pop.valuation_real)[idx],
        price_sensitivity=pop.price_sensitivity[idx], deal_proneness=pop.deal_proneness[idx],
        patience=pop.patience[idx], trust=pop.trust[idx], loyalty=pop.loyalty[idx],
        is_strategic=pop.is_strategic[idx],
        member_factor=np.where(pop.is_member[idx], np.float32(1 - md), np.float32(1)),
    )


def _promotion_masks(model, idx: np.ndarray, u_redeem: np.ndarray) -> tuple[list, list]:
    """Today's active promotions and, for each, the mask of shoppers it applies to."""
    pop = model.pop
    promos, masks = [], []
    for i, p in model.seller.offer.promotions:
        mask = eligible(p, segment=pop.segment[idx], channel=pop.channel[idx], is_member=pop.is_member[idx],
                        segment_ids=model.segment_ids, channel_ids=model.channel_ids)
        if p.kind == "coupon":
            held = (pop.u_coupon[idx] + _GOLDEN * np.float32(i + 1)) % np.float32(1.0) < p.issue_share
            mask &= held & (u_redeem < p.p_redeem)
        promos.append((i, p))
        masks.append(mask)
    return promos, masks


def _at_risk(model, price: np.ndarray, phase: Phase) -> np.ndarray | float:
    if phase >= Phase.LAUNCH:
        return 0.0
    dep = model.seller.strategy.deposit
    if dep is None:
        return price
    return 0.0 if dep.refundable else dep.amount


def _felt_price(model, price: np.ndarray, discount: np.ndarray, phase: Phase):
    """What an order costs in all and what promotions and deposit inflation take off.

    With a deposit (before the launch) an order costs ``deposit + balance_due``;
    the inflation credit is what inflation actually takes off the price (see
    :func:`simulation.market.deposits.inflation_credit`).
    """
    dep = model.seller.strategy.deposit
    if dep is None or phase >= Phase.LAUNCH:
        return price, discount
    credit = inflation_credit(price, dep.amount, dep.inflation)
    return np.maximum(price - credit, dep.amount), discount + credit


def _utilities(model, s: Shoppers, q, phase: Phase, *, now_price: float) -> np.ndarray:
    offer = model.seller.offer
    delay = max(model.ship_day - model.day, 0) if phase < Phase.LAUNCH else 0
    if phase == Phase.BALANCE:
        ours = np.full(q.price.shape[0], -np.inf, dtype=np.float32)
    else:
        cost, saved = _felt_price(model, q.price, q.discount, phase)
        ours = ours_utility(s, cost, saved, q.gift_value, delay_days=delay,
                            upfront_at_risk=_at_risk(model, q.price, phase))
    comps = [(c.price, c.appeal) if c.is_launched else None for c in model.competitors]
    return utility_matrix(s, ours, competitors=comps, later_price=offer.later_price,
                          later_days=offer.later_days, now_price=now_price,
                          outside_utility=model.campaign.market.choice.outside_utility)


def _subset(s: Shoppers, sel: np.ndarray) -> Shoppers:
    return Shoppers(**{k: v[sel] for k, v in vars(s).items()})


class _Quotes:
    """Today's shoppers: what each is quoted under the offers still open to them, and chooses.

    Everyone is first quoted ``base_price`` with every active promotion.
    """

    def __init__(self, model, s: Shoppers, phase: Phase, *, u_choice: np.ndarray, promos: list,
                 masks: list, base_price: float):
        self.model, self.s, self.phase, self.u_choice = model, s, phase, u_choice
        self.promos, self.masks = promos, masks
        self.scale = model.campaign.market.choice.logit_scale
        self.decide(None, base_price=base_price, on=np.ones(len(promos), dtype=bool))

    def decide(self, sel: np.ndarray | None, *, base_price: float, on: np.ndarray) -> None:
        """Quote shoppers ``sel`` (positions; ``None`` for all) ``base_price`` and the
        promotions still ``on``, and let them choose on their own draws."""
        s = self.s if sel is None else _subset(self.s, sel)
        rows = np.flatnonzero(on)
        masks = [self.masks[j] if sel is None else self.masks[j][sel] for j in rows]
        q = quote(np.float32(base_price) * s.member_factor, [self.promos[j][1] for j in rows], masks)
        u = self.u_choice if sel is None else self.u_choice[sel]
        choice = choose(_utilities(self.model, s, q, self.phase, now_price=base_price), u, scale=self.scale)
        if sel is None:
            self.price, self.discount, self.gift_cost, self.choice = q.price, q.discount, q.gift_cost, choice
            self.by_promo = np.zeros((len(self.promos), choice.shape[0]))
            self.by_promo[rows] = q.by_promotion
            return
        self.price[sel], self.discount[sel], self.gift_cost[sel], self.choice[sel] = (
            q.price, q.discount, q.gift_cost, choice)
        self.by_promo[:, sel] = 0.0
        self.by_promo[np.ix_(rows, sel)] = q.by_promotion


def _limits(model, quotes: _Quotes, cand: np.ndarray, *, shelf: float, tier_room: float, on: np.ndarray):
    """What shoppers ``cand`` (in queue order) use of each limit open now, and its room.

    Rows: the shelf (stock, or presale orders left), the open tier level (orders
    today, counted from the first tier level), then each open promotion's
    quantity (orders whose price it lowers) and budget (its discount). Returns
    ``(usage, room, what)``; ``what[r]`` is ``None`` for the shelf, ``-1`` for the
    tier and the promotion's position among today's promotions otherwise.
    """
    w = model.weight
    offer = model.seller.offer
    wants = quotes.choice[cand] == 0
    usage, room, what = [wants], [shelf], [None]
    if np.isfinite(tier_room):
        usage.append(wants), room.append(tier_room), what.append(-1)
    for j, (i, _) in enumerate(quotes.promos):
        if not on[j]:
            continue
        if np.isfinite(offer.units_left[i]):
            usage.append(wants & (quotes.by_promo[j, cand] > 0))
            room.append(np.floor(offer.units_left[i] / w + _EPS))
            what.append(j)
        if np.isfinite(offer.budget_left[i]):
            usage.append(np.where(wants, quotes.by_promo[j, cand], 0.0))
            room.append(offer.budget_left[i] / w)
            what.append(j)
    return np.vstack(usage).astype(float), np.array(room, dtype=float), what


def _level_room(levels: tuple, weight: float) -> np.ndarray:
    """Whole simulated orders from today's first one up to the end of each tier level."""
    return np.floor(np.cumsum([cap for _, cap in levels]) / weight + _EPS)


def _serve_limited(model, quotes: _Quotes, queue: np.ndarray, phase: Phase, *, level: int) -> np.ndarray:
    """Close each limited offer where it runs out in the queue and let those behind choose again.

    ``level`` is the tier level everyone was first quoted. A limit closes at the
    first shopper in line it has no room for: from there on, everyone whose quote
    used it is quoted again without it (the next tier level for a tier) and
    chooses again on the same draw, until no open limit runs out before the shelf
    (stock, or the presale cap) does. Returns the mask, over today's promotions,
    of those that ran out in front of a buyer.
    """
    w = model.weight
    offer = model.seller.offer
    levels = offer.limited.levels
    on = np.ones(len(quotes.promos), dtype=bool)
    stopped = np.zeros(len(quotes.promos), dtype=bool)
    level_room = _level_room(levels, w)
    shelf = np.floor((model.stock if phase >= Phase.LAUNCH else offer.order_capacity / w) + _EPS)
    cand = np.flatnonzero(quotes.choice == 0)
    usage, room, _ = _limits(model, quotes, cand, shelf=shelf, tier_room=level_room[level], on=on)
    if first_shortfall(usage[1:], room[1:])[1] < 0:     # in any order: no limit but the shelf binds
        return stopped
    cand = cand[np.argsort(queue[cand], kind="stable")]
    in_line = np.zeros(queue.shape[0], dtype=bool)
    in_line[cand] = True
    position = np.arange(queue.shape[0])
    while True:
        usage, room, what = _limits(model, quotes, cand, shelf=shelf, tier_room=level_room[level], on=on)
        t, r = first_shortfall(usage, room)
        if r <= 0:                      # nothing runs out, or the shelf empties first
            break
        at = cand[t]
        behind = (queue > queue[at]) | ((queue == queue[at]) & (position >= at))
        j = what[r]
        if j == -1:
            ordered = np.count_nonzero(quotes.choice[cand[:t]] == 0)
            level += 1
            while level < len(levels) - 1 and level_room[level] <= ordered:
                level += 1
        else:
            behind &= quotes.by_promo[j] > 0
            on[j], stopped[j] = False, True
        sel = np.flatnonzero(behind)
        quotes.decide(sel, base_price=levels[level][0], on=on)
        joined = sel[(quotes.choice[sel] == 0) & ~in_line[sel]]
        if joined.size:
            in_line[joined] = True
            cand = np.flatnonzero(in_line)
            cand = cand[np.argsort(queue[cand], kind="stable")]
    return stopped


def shop(model, draws) -> None:
    """Run today's choices and apply them."""
    pop = model.pop
    phase = Phase(int(model.phase[model.day]))
    active = (pop.state == State.AWARE) | (pop.state == State.RESERVED)
    visit = draws.visit < model.conversion[pop.channel]
    if phase == Phase.PRESALE:
        visit |= pop.state == State.RESERVED
    idx = np.flatnonzero(active & visit)
    if idx.size == 0:
        return
    s = _shoppers(model, idx, phase)
    u_choice, u_redeem, queue = draws.choice[idx], draws.event[idx], draws.visit[idx]
    promos, masks = _promotion_masks(model, idx, u_redeem)
    levels = model.seller.offer.limited.levels
    level = int(np.argmax(_level_room(levels, model.weight) > 0))   # the first with a whole order left
    quotes = _Quotes(model, s, phase, u_choice=u_choice, promos=promos, masks=masks,
                     base_price=levels[level][0])
    sells = phase == Phase.PRESALE or phase >= Phase.LAUNCH
    stopped = (_serve_limited(model, quotes, queue, phase, level=level) if sells
               else np.zeros(len(promos), dtype=bool))
    _apply(model, idx, quotes, phase, draws, queue=queue, shoppers=s, stopped=stopped)


def _apply(model, idx, quotes: _Quotes, phase, draws, *, queue, shoppers, stopped) -> None:
    pop, w, day, led = model.pop, model.weight, model.day, model.ledger
    n_comp = len(model.competitors)
    choice = quotes.choice
    wants = choice == 0
    if phase == Phase.WARMUP:
        reserve = idx[wants & (pop.state[idx] != State.RESERVED)]
        pop.state[reserve] = State.RESERVED
        led.book("reservations", day, reserve.size * w)
        wants = np.zeros_like(wants)
    cap = model.stock if phase >= Phase.LAUNCH else model.seller.offer.order_capacity / w
    buy = first_in_line(wants, keys=(queue,), capacity=cap)
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
        if phase >= Phase.LAUNCH:
            deliver(model, b, draws.leave[b])
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
    u_leave = draws.leave[idx]
    ch = model.campaign.market.choice
    if turned.any():
        if phase >= Phase.LAUNCH:
            model.note_stockout()
        first_time = idx[turned & ~pop.was_turned_away[idx]]
        pop.was_turned_away[first_time] = True
        led.book("lost_sales", day, first_time.size * w)
        switch = turned & (u_leave < ch.stockout_switch_share)
        leave = turned & (u_leave >= ch.stockout_switch_share + ch.stockout_wait_share)
        if n_comp:
            util = _utilities(model, _subset(shoppers, switch), _zero_quote(np.count_nonzero(switch)), phase,
                              now_price=model.seller.offer.price)
            best = np.argmax(util[1:1 + n_comp], axis=0) + 1
            ok = np.isfinite(util[best, np.arange(best.size)])
            choice = choice.copy()
            sw = np.flatnonzero(switch)
            choice[sw[ok]] = best[ok]
            leave |= np.isin(np.arange(idx.size), sw[~ok])
        else:
            leave |= switch
        pop.state[idx[leave]] = State.LEFT
    for k, comp in enumerate(model.competitors, start=1):
        chosen = idx[(choice == k)]
        if chosen.size:
            pop.state[chosen] = State.COMPETITOR
            led.competitor_sales[comp.name][day] += chosen.size * w
    outside = choice == n_comp + 2
    pop.state[idx[outside & (u_leave < ch.leave_rate)]] = State.LEFT


class _ZeroQuote:
    def __init__(self, m: int):
        self.price = np.zeros(m, dtype=np.float32)
        self.discount = self.price
        self.gift_value = self.price


def _zero_quote(m: int) -> _ZeroQuote:
    return _ZeroQuote(m)
