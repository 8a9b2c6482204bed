"""Prices: the public price path, early-bird tiers, member prices, and the
best later price a strategic consumer waits for."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calendar import Phase

__all__ = ["public_price_path", "later_prices", "later_steps", "TierOffer", "tier_offer"]


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


def later_steps(path: np.ndarray, phase: np.ndarray) -> list[tuple[tuple[float, int], ...]]:
    """For each day, the announced later open-sale prices worth waiting for.

    A later day is worth considering only if its price is below every open-sale price
    between now and then (waiting past a cheaper day for a dearer one never pays):
    the steps are ``(price, days_ahead)`` pairs with prices falling and days rising.
    The last step is the lowest later price (:func:`later_prices`).
    """
    n = path.shape[0]
    out: list[tuple[tuple[float, int], ...]] = [()] * n
    chain: list[tuple[float, int]] = []      # (price, day) of the record lows seen from day t + 1 on
    for t in range(n - 2, -1, -1):
        u = t + 1
        if phase[u] >= Phase.LAUNCH:
            price = float(path[u])
            chain = [(price, u)] + [step for step in chain if step[0] < price]
        out[t] = tuple((price, day - t) for price, day in chain)
    return out


@dataclass(frozen=True)
class TierOffer:
    """Today's presale prices as a chain of levels served first come, first served.

    ``levels`` holds ``(price, capacity)`` pairs: the first level's price applies
    to the next ``capacity`` orders (market scale), then the second level's, and
    so on; the last level's capacity is ``inf``.
    """

    levels: tuple[tuple[float, float], ...]

    @classmethod
    def flat(cls, price: float) -> "TierOffer":
        """One unlimited price."""
        return cls(((float(price), np.inf),))

    @property
    def price(self) -> float:
        """Price of the first level (the public price today)."""
        return self.levels[0][0]



def tier_offer(tiers: list, presale_price: float, *, presale_day: int, orders: float) -> TierOffer:
    """The open early-bird tiers, given the presale day index and orders so far.

    The first open tier applies. A tier by order count covers the orders up to its
    ``first_orders`` (cumulative), so consecutive tiers by order count become
    consecutive levels, each with the orders left below its limit; the chain ends
    at the first tier by days (open all day) or else at the presale price.
    """
    levels: list[tuple[float, float]] = []
    reached = orders
    for t in tiers:
        if t.first_orders is None:
            if presale_day < t.first_days:
                levels.append((float(t.price), np.inf))
                return TierOffer(tuple(levels))
        elif reached < t.first_orders:
            levels.append((float(t.price), float(t.first_orders - reached)))
            reached = float(t.first_orders)
    levels.append((float(presale_price), np.inf))
    return TierOffer(tuple(levels))
