"""Prices: the public price path, early-bird tiers, member prices, and the
best later price a strategic consumer waits for."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calendar import Phase

__all__ = ["public_price_path", "later_prices", "TierOffer", "tier_offer"]


def public_price_path(pricing, list_price: float, phase: np.ndarray) -> np.ndarray:
    """Regular price on each day, before tiers, member discounts and promotions.

    Up to the launch the announced presale price; from the launch the list price,
    changed by the ``schedule`` from each of its days on.
    """
    presale = pricing.presale_price or list_price
    path = np.where(phase >= Phase.LAUNCH, list_price, presale).astype(float)
    for point in pricing.schedule:
        path[point.day:] = np.where(phase[point.day:] >= Phase.LAUNCH, point.price, path[point.day:])
    return path


def later_prices(path: np.ndarray, phase: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each day, the lowest open-sale price on a later day and how many days away.

    Returns ``(price, days_ahead)``; ``days_ahead`` is 0 where no later open-sale day exists.
    """
    n = path.shape[0]
    price = np.full(n, np.inf)
    ahead = np.zeros(n, dtype=int)
    best, best_day = np.inf, -1
    for t in range(n - 1, -1, -1):
        price[t], ahead[t] = best, (best_day - t if best_day >= 0 else 0)
        if phase[t] >= Phase.LAUNCH and path[t] <= best:
            best, best_day = path[t], t
    return price, ahead


@dataclass(frozen=True)
class TierOffer:
    """Today's presale price: ``price`` for up to ``capacity`` orders (market
    scale, ``inf`` when unlimited), then ``fallback``."""

    price: float
    capacity: float
    fallback: float


def tier_offer(tiers: list, presale_price: float, *, presale_day: int, orders: float) -> TierOffer:
    """The open early-bird tier, given the presale day index and orders so far."""
    open_tiers = [
        t for t in tiers
        if (t.first_days is not None and presale_day < t.first_days)
        or (t.first_orders is not None and orders < t.first_orders)
    ]
    if not open_tiers:
        return TierOffer(presale_price, np.inf, presale_price)
    first = open_tiers[0]
    if first.first_orders is None:
        return TierOffer(first.price, np.inf, first.price)
    fallback = open_tiers[1].price if len(open_tiers) > 1 else presale_price
    return TierOffer(first.price, first.first_orders - orders, fallback)
