"""The daily shopping step: who shops, what they choose, what they pay.

Warm-up: choosing ours means reserving (no money). Presale: an order with a
deposit or full prepayment. Balance window: ours is closed. From the launch:
a purchase from stock, delivered at once. Offers with a limited capacity (an
early-bird tier by order count, a flash sale with a quantity) go to shoppers
in a random queue; those beyond it reconsider at the fallback price with the
same random draw. Buyers beyond the stock (or the presale cap) are turned
away: lost sales, of whom a share buys a competitor's product and a share
stays to try again.
"""

from __future__ import annotations

import numpy as np

from .market.calendar import Phase
from .market.choice import choose
from .market.fulfilment import first_in_line
from .market.population import State
from .market.promotions import eligible, quote
from .market.utility import Shoppers, ours_utility, utility_matrix
from .orders import book_payment, deliver

__all__ = ["shop"]

_GOLDEN = np.float32(0.618034)


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


def _promotion_masks(model, idx: np.ndarray, u_redeem: np.ndarray, *, with_flash: bool):
    pop = model.pop
    promos, masks = [], []
    for i, p in model.seller.offer.promotions:
        if p.kind == "flash_sale" and not with_flash:
            continue
        mask = eligible(p, segment=pop.segment[idx], channel=pop.channel[idx], is_member=pop.is_member[idx],
                        segment_ids=model.segment_ids, channel_ids=model.channel_ids)
        if p.kind == "coupon":
            held = (pop.u_coupon[idx] + _GOLDEN * np.float32(i + 1)) % np.float32(1.0) < p.issue_share
            mask &= held & (u_redeem < p.p_redeem)
        promos.append((i, p))
        masks.append(mask)
    return promos, masks


def _quote(model, idx, s: Shoppers, base_price: float, u_redeem, *, with_flash: bool):
    promos, masks = _promotion_masks(model, idx, u_redeem, with_flash=with_flash)
    q = quote(np.float32(base_price) * s.member_factor, [p for _, p in promos], masks)
    by_promo = np.zeros((len(model.seller.strategy.promotions), idx.size))
    for row, (i, _) in enumerate(promos):
        by_promo[i] = q.by_promotion[row]
    q.by_promotion = by_promo
    return q


def _at_risk(model, price: np.ndarray, phase: Phase) -> np.ndarray | float:
    if phase >= Phase.LAUNCH:
        return 0.0
    dep = model.seller.strategy.deposit
    if dep is None:
        return price
    return 0.0 if dep.refundable else dep.amount


def inflation_bonus(model, phase: Phase) -> float:
    """Money a deposit's inflation takes off the total price: ``(k - 1) * d``."""
    dep = model.seller.strategy.deposit
    if dep is None or phase >= Phase.LAUNCH:
        return 0.0
    return (dep.inflation - 1.0) * dep.amount


def _utilities(model, s: Shoppers, q, phase: Phase) -> np.ndarray:
    offer = model.seller.offer
    delay = max(model.ship_day - model.day, 0) if phase < Phase.LAUNCH else 0
    if phase == Phase.BALANCE:
        ours = np.full(q.price.shape[0], -np.inf, dtype=np.float32)
    else:
        bonus = inflation_bonus(model, phase)
        ours = ours_utility(s, q.price - bonus, q.discount + bonus, q.gift_value, delay_days=delay,
                            upfront_at_risk=_at_risk(model, q.price, phase))
    comps = [(c.price, c.appeal) if c.is_launched else None for c in model.competitors]
    return utility_matrix(s, ours, competitors=comps, later_price=offer.later_price,
                          later_days=offer.later_days, now_price=offer.price,
                          outside_utility=model.campaign.market.choice.outside_utility)


def _subset(s: Shoppers, mask: np.ndarray) -> Shoppers:
    return Shoppers(**{k: v[mask] for k, v in vars(s).items()})


def shop(model, draws) -> None:
    """Run today's choices and apply them."""
    pop, day = model.pop, model.day
    phase = Phase(int(model.phase[day]))
    offer = model.seller.offer
    active = (pop.state == State.AWARE) | (pop.state == State.RESERVED)
    visit = draws.visit < model.conversion[pop.channel]
    if phase == Phase.PRESALE:
        visit |= pop.state == State.RESERVED
    idx = np.flatnonzero(active & visit)
    if idx.size == 0:
        return
    s = _shoppers(model, idx, phase)
    u_choice, u_redeem, queue = draws.choice[idx], draws.event[idx], draws.visit[idx]
    limited_cap = min(offer.limited.capacity, offer.flash_capacity)
    q = _quote(model, idx, s, offer.limited.price, u_redeem, with_flash=True)
    choice = choose(_utilities(model, s, q, phase), u_choice, scale=model.campaign.market.choice.logit_scale)
    price, discount, gift_cost, by_promo = q.price, q.discount, q.gift_cost, q.by_promotion
    uses_limited = q.uses_flash | (offer.limited.capacity < np.inf)
    if np.isfinite(limited_cap) and phase != Phase.BALANCE:
        wants = (choice == 0) & uses_limited
        granted = first_in_line(wants, keys=(queue,), capacity=limited_cap / model.weight)
        over = wants & ~granted
        if over.any():
            sub = _subset(s, over)
            q2 = _quote(model, idx[over], sub, offer.limited.fallback, u_redeem[over], with_flash=False)
            choice[over] = choose(_utilities(model, sub, q2, phase), u_choice[over],
                                  scale=model.campaign.market.choice.logit_scale)
            price, discount, gift_cost = price.copy(), discount.copy(), gift_cost.copy()
            price[over], discount[over], gift_cost[over] = q2.price, q2.discount, q2.gift_cost
            by_promo = by_promo.copy()
            by_promo[:, over] = q2.by_promotion
            uses_limited = uses_limited & ~over
    _apply(model, idx, choice, phase, draws, price=price, discount=discount, gift_cost=gift_cost,
           by_promo=by_promo, uses_flash=q.uses_flash & uses_limited, queue=queue, shoppers=s)


def _apply(model, idx, choice, phase, draws, *, price, discount, gift_cost, by_promo, uses_flash,
           queue, shoppers) -> None:
    pop, w, day, led = model.pop, model.weight, model.day, model.ledger
    n_comp = len(model.competitors)
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
    if b.size:
        paid_now = price[buy]
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
        led.book("promotion_cost", day, float(discount[buy].sum()) * w)
        led.book("gift_cost", day, float(gift_cost[buy].sum()) * w)
        presale_units = b.size * w if phase == Phase.PRESALE else 0.0
        led.book("presale_orders", day, presale_units)
        model.seller.record_sales(by_promotion=by_promo[:, buy].sum(axis=1) * w,
                                  flash_units=np.count_nonzero(uses_flash & buy) * w,
                                  presale_orders=presale_units)
        if phase >= Phase.LAUNCH:
            deliver(model, b, draws.leave[b])
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
            util = _utilities(model, _subset(shoppers, switch), _zero_quote(np.count_nonzero(switch)), phase)
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
