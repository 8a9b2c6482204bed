"""Promotions: who is eligible and what each buyer pays.

Every promotion kind applies through the same signature, in a fixed order:
flash sale (replaces the price when lower), percent off, amount off,
spend-threshold (满减), coupon, gift. Prices never go below zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Quote", "eligible", "quote", "APPLY_ORDER"]

APPLY_ORDER = ("flash_sale", "percent_off", "amount_off", "threshold", "coupon", "gift")


@dataclass
class Quote:
    """What each consumer in a subset would pay today."""

    price: np.ndarray          # price after promotions
    discount: np.ndarray       # money saved by promotions (per consumer)
    by_promotion: np.ndarray   # (n_promotions, n) money saved per promotion
    gift_value: np.ndarray
    gift_cost: np.ndarray


def eligible(promo, *, segment: np.ndarray, channel: np.ndarray, is_member: np.ndarray,
             segment_ids: dict[str, int], channel_ids: dict[str, int]) -> np.ndarray:
    """Mask of consumers a promotion targets."""
    mask = np.ones(segment.shape[0], dtype=bool)
    if promo.segments is not None:
        mask &= np.isin(segment, [segment_ids[s] for s in promo.segments])
    if promo.channels is not None:
        mask &= np.isin(channel, [channel_ids[c] for c in promo.channels])
    if promo.members_only:
        mask &= is_member
    return mask


def _flash_sale(p, price, mask, ctx):
    new = np.where(mask, np.minimum(price, p.price), price)
    return new


def _percent_off(p, price, mask, ctx):
    return np.where(mask, price * (1.0 - p.rate), price)


def _amount_off(p, price, mask, ctx):
    return np.where(mask, price - p.amount, price)


def _threshold(p, price, mask, ctx):
    off = p.amount * np.floor(price / p.threshold) if p.stackable else np.where(price >= p.threshold, p.amount, 0.0)
    return np.where(mask, price - off, price)


def _coupon(p, price, mask, ctx):
    return np.where(mask, price - p.amount, price)


def _gift(p, price, mask, ctx):
    ctx["gift_value"] += np.where(mask, p.value, 0.0)
    ctx["gift_cost"] += np.where(mask, p.cost, 0.0)
    return price


_RULES = {"flash_sale": _flash_sale, "percent_off": _percent_off, "amount_off": _amount_off,
          "threshold": _threshold, "coupon": _coupon, "gift": _gift}


def quote(base: np.ndarray, promotions: list, masks: list[np.ndarray]) -> Quote:
    """Apply the active ``promotions`` (with their eligibility ``masks``) to ``base`` prices."""
    n = base.shape[0]
    ctx = {"gift_value": np.zeros(n), "gift_cost": np.zeros(n)}
    price = base.astype(float)
    by_promo = np.zeros((len(promotions), n))
    order = sorted(range(len(promotions)), key=lambda i: APPLY_ORDER.index(promotions[i].kind))
    for i in order:
        before = price
        price = np.maximum(_RULES[promotions[i].kind](promotions[i], price, masks[i], ctx), 0.0)
        by_promo[i] = before - price
    return Quote(price=price, discount=base - price, by_promotion=by_promo,
                 gift_value=ctx["gift_value"], gift_cost=ctx["gift_cost"])
