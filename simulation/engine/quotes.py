"""What each of today's shoppers is quoted, what it feels like, and what they choose.

A shopper is quoted a base price (the open tier level, or today's price) with
every active promotion that applies to them, and chooses among ours, the
competitors, waiting and nothing on their own uniform draw.
"""

from __future__ import annotations

import numpy as np

from ..market.calendar import Phase
from ..market.population import State
from ..market.choice import choose, choose_given_taste, gumbel
from ..market.deposits import inflation_credit
from ..market.promotions import eligible, quote
from ..market.presale_value import ValuationBelief, order_value, wait_value
from ..market.utility import Shoppers, ours_utility, utility_matrix

__all__ = ["Quotes", "shoppers_of", "known_rivals", "promotion_masks", "utilities", "subset", "zero_quote"]


def shoppers_of(model, idx: np.ndarray, phase: Phase) -> Shoppers:
    """Attributes of consumers ``idx`` as they shop today (expected valuation before the launch)."""
    pop = model.pop
    md = model.seller.strategy.pricing.member_discount
    a = pop.profiles(idx)
    return Shoppers(
        valuation=a["valuation"] if phase < Phase.LAUNCH else a["valuation_real"],
        price_sensitivity=a["price_sensitivity"], deal_proneness=a["deal_proneness"],
        patience=a["patience"], trust=a["trust"], loyalty=a["loyalty"], is_strategic=a["is_strategic"],
        member_factor=np.where(a["is_member"], np.float32(1 - md), np.float32(1)),
        is_member=a["is_member"], segment=a["segment"], channel=a["channel"],
        knows_ours=pop.state[idx] != State.UNAWARE,
        knows_rivals=known_rivals(model, idx),
    )


def known_rivals(model, idx: np.ndarray) -> np.ndarray:
    """Which rivals each consumer of ``idx`` knows today (rows: consumers, columns: competitors)."""
    out = np.empty((idx.shape[0], len(model.competitors)), dtype=bool)
    for k, comp in enumerate(model.competitors):
        out[:, k] = comp.knows(idx)
    return out


def promotion_masks(model, idx: np.ndarray, s: Shoppers, u_redeem: np.ndarray) -> tuple[list, list]:
    """Today's active promotions and, for each, the mask of shoppers ``idx`` (attributes ``s``) it applies to."""
    promos, masks = [], []
    for i, p in model.seller.offer.promotions:
        mask = eligible(p, segment=s.segment, channel=s.channel, is_member=s.is_member,
                        segment_ids=model.segment_ids, channel_ids=model.channel_ids)
        if p.kind == "coupon":
            held = model.draws.coupon(p.name or f"#{i}")[idx] < p.issue_share   # by name, else position
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


def tastes_ours(model, phase: Phase) -> bool:
    """Whether strategic shoppers draw an explicit taste for ours today (see :func:`_plan_ahead`)."""
    choice = model.campaign.market.choice
    return phase < Phase.LAUNCH and choice.presale_decision == "option" and choice.logit_scale > 0


def taste_shock(model, u: np.ndarray) -> np.ndarray:
    """Taste for ours, in money, of shoppers whose ``taste`` uniforms are ``u``: ``logit_scale`` x a standard Gumbel."""
    return float(model.campaign.market.choice.logit_scale) * gumbel(u)


def utilities(model, s: Shoppers, q, phase: Phase, *, now_price: float,
              taste: np.ndarray | None = None) -> np.ndarray:
    """Utilities (rows: ours, competitors, wait, nothing) of shoppers ``s`` quoted ``q``.

    ``taste`` is each shopper's taste for ours in money (:func:`_plan_ahead`); ``None`` for none.
    """
    offer = model.seller.offer
    delay = max(model.ship_day - model.day, 0) if phase < Phase.LAUNCH else 0
    if phase == Phase.BALANCE:
        ours = _ours_at_launch(model, s)
    else:
        cost, saved = _felt_price(model, q.price, q.discount, phase)
        ours = ours_utility(s, cost, saved, q.gift_value, delay_days=delay,
                            upfront_at_risk=_at_risk(model, q.price, phase))
    comps = [(c.price, c.appeal) if c.is_launched else None for c in model.competitors]
    u = utility_matrix(s, ours, competitors=comps, later=offer.later_steps, now_price=now_price,
                       outside_utility=model.campaign.market.choice.outside_utility)
    if phase < Phase.LAUNCH and model.campaign.market.choice.presale_decision == "option":
        _plan_ahead(model, s, q, u, phase, delay=delay, taste=taste)
    _only_known(u, s)
    return u


def _ours_at_launch(model, s: Shoppers) -> np.ndarray:
    """Ours while it cannot be bought (the balance window): buying it at the launch price on the launch day.

    Choosing it means waiting for ours, so a consumer who prefers ours is not
    handed to a rival that is on sale meanwhile unless the rival beats waiting.
    """
    launch = model.campaign.calendar.launch_day
    if launch >= model.horizon:
        return np.full(s.valuation.shape[0], -np.inf, dtype=np.float32)
    price = np.float32(model.seller.path[launch]) * s.member_factor
    none = np.zeros_like(price)
    return ours_utility(s, price, none, none, delay_days=launch - model.day, upfront_at_risk=0.0)


def _only_known(u: np.ndarray, s: Shoppers) -> None:
    """Rule out what a shopper does not know: ours and waiting for ours, and each rival."""
    unknown = ~s.knows_ours
    if unknown.any():
        u[0, unknown] = -np.inf
        u[-2, unknown] = -np.inf
    for k in range(s.knows_rivals.shape[1]):
        u[1 + k, ~s.knows_rivals[:, k]] = -np.inf


def _plan_ahead(model, s: Shoppers, q, u: np.ndarray, phase: Phase, *, delay: int,
                taste: np.ndarray | None = None) -> None:
    """Rows ours and wait of the shoppers who know the price path, under the participation condition.

    A presale order is worth what it brings once the realised valuation is known (the
    balance is paid only if it covers it); waiting is worth learning the valuation and then
    taking the best announced later price or nothing (:mod:`simulation.market.presale_value`).

    ``taste`` (money, one per shopper of ``s``) is the shopper's taste for ours today: it is
    part of the valuation on which the order is placed and later exercised (a depositor
    keeps it at the balance, :func:`simulation.engine.orders.collect_balances`), and of the
    valuation with which waiting for ours is weighed, so both rows are computed at
    ``mu + taste`` and take no logit noise on top (:func:`Quotes.decide`). The felt saving
    of a deal and a gift come only with the product, so they count with the probability
    that the balance is paid; the deposit felt at risk (``1 - trust``) counts in full.

    An order (or reservation) worth no more than waiting is not placed: it would pay money
    ahead for nothing more than waiting brings. This settles the one tie that has weight,
    a refundable deposit that could never be worth completing against waiting that could
    never pay (both worth exactly 0).
    """
    knows = np.flatnonzero(s.is_strategic & s.knows_ours)     # the others cannot choose ours nor wait for it
    if knows.size == 0:
        return
    k = subset(s, knows)
    choice = model.campaign.market.choice
    mean = k.valuation if taste is None else k.valuation + taste[knows]
    belief = ValuationBelief(mean, k.segment,
                             [seg.valuation_noise for seg in model.campaign.market.segments.values()])
    if phase != Phase.BALANCE:
        dep = model.seller.strategy.deposit
        price = q.price[knows]
        _, saved = _felt_price(model, price, q.discount[knows], phase)
        value = order_value(belief, price, price_sensitivity=k.price_sensitivity,
                            value_discount=k.patience.astype(float) ** delay,
                            deposit=None if dep is None else dep.amount,
                            inflation=1.0 if dep is None else dep.inflation,
                            refundable=dep is not None and dep.refundable,
                            bonus=k.deal_proneness * saved + q.gift_value[knows])
        u[0, knows] = value - (1.0 - k.trust) * _at_risk(model, price, phase)
    elif taste is not None:              # ours at the launch price: the taste for ours comes with it
        ahead = max(model.campaign.calendar.launch_day - model.day, 0)
        u[0, knows] += taste[knows] * k.patience.astype(float) ** ahead
    later = [(p, d) for p, d in model.seller.offer.later_steps if np.isfinite(p) and d > 0]
    if later:
        u[-2, knows] = wait_value(belief, later, price_sensitivity=k.price_sensitivity, patience=k.patience,
                                  member_factor=k.member_factor, floor=float(choice.outside_utility))
    if phase != Phase.BALANCE:           # an order worth no more than waiting is not placed
        u[0, knows] = np.where(u[0, knows] > u[-2, knows], u[0, knows], -np.inf)


def subset(s: Shoppers, sel: np.ndarray) -> Shoppers:
    """The shoppers ``sel`` (a mask or positions) of ``s``."""
    return Shoppers(**{k: v[sel] for k, v in vars(s).items()})


class Quotes:
    """Today's shoppers: what each is quoted under the offers still open to them, and chooses.

    Everyone is first quoted ``base_price`` with every active promotion.

    Before the launch under ``presale_decision: option`` (and a positive ``logit_scale``),
    a strategic shopper's logit noise of ours is an explicit taste draw (the day's
    ``taste`` uniform of consumer ``index``, :func:`taste_shock`), taken into the worth
    of ordering and of waiting (:func:`_plan_ahead`); its other alternatives keep their
    logit noise (:func:`simulation.market.choice.choose_given_taste`).
    """

    def __init__(self, model, s: Shoppers, phase: Phase, *, u_choice: np.ndarray, promos: list,
                 masks: list, base_price: float, index: np.ndarray | None = None):
        self.model, self.s, self.phase, self.u_choice = model, s, phase, u_choice
        self.promos, self.masks = promos, masks
        self.scale = model.campaign.market.choice.logit_scale
        self.taste = self.tasted = None
        planners = s.is_strategic & s.knows_ours
        if tastes_ours(model, phase) and planners.any():
            if index is None:
                raise ValueError("a strategic shopper's taste for ours needs the shoppers' consumer indices")
            self.tasted = planners
            self.taste = np.zeros(s.is_strategic.shape[0])
            at = np.flatnonzero(self.tasted)
            self.taste[at] = taste_shock(model, model.draws.get(model.day).taste(index[at]))
        self.decide(None, base_price=base_price, on=np.ones(len(promos), dtype=bool))

    def decide(self, sel: np.ndarray | None, *, base_price: float, on: np.ndarray) -> None:
        """Quote shoppers ``sel`` (positions; ``None`` for all) ``base_price`` and the
        promotions still ``on``, and let them choose on their own draws."""
        s = self.s if sel is None else subset(self.s, sel)
        rows = np.flatnonzero(on)
        masks = [self.masks[j] if sel is None else self.masks[j][sel] for j in rows]
        q = quote(np.float32(base_price) * s.member_factor, [self.promos[j][1] for j in rows], masks)
        u = self.u_choice if sel is None else self.u_choice[sel]
        if self.taste is None:
            choice = choose(utilities(self.model, s, q, self.phase, now_price=base_price), u, scale=self.scale)
        else:
            taste = self.taste if sel is None else self.taste[sel]
            util = utilities(self.model, s, q, self.phase, now_price=base_price, taste=taste)
            choice = choose_given_taste(util, u, scale=self.scale, tasted=(0, util.shape[0] - 2),
                                        who=self.tasted if sel is None else self.tasted[sel])
        if sel is None:
            self.price, self.discount, self.gift_cost, self.choice = q.price, q.discount, q.gift_cost, choice
            self.by_promo = np.zeros((len(self.promos), choice.shape[0]))
            self.by_promo[rows] = q.by_promotion
            return
        self.price[sel], self.discount[sel], self.gift_cost[sel], self.choice[sel] = (
            q.price, q.discount, q.gift_cost, choice)
        self.by_promo[:, sel] = 0.0
        self.by_promo[np.ix_(rows, sel)] = q.by_promotion


class _ZeroQuote:
    """No price, no discount, no gift: for weighing only the other alternatives."""

    def __init__(self, m: int):
        self.price = np.zeros(m, dtype=np.float32)
        self.discount = self.price
        self.gift_value = self.price


def zero_quote(m: int) -> _ZeroQuote:
    """A quote of nothing for ``m`` shoppers."""
    return _ZeroQuote(m)
