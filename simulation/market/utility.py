"""Utilities (in money) of the alternatives an aware consumer weighs each day.

Alternatives, as rows: ours, each competitor, wait for the announced later
price (strategic consumers only), nothing today.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Shoppers", "ours_utility", "ours_extras", "utility_matrix"]


@dataclass
class Shoppers:
    """Attributes of today's shoppers (a subset of the population)."""

    valuation: np.ndarray       # the valuation they act on today
    price_sensitivity: np.ndarray
    deal_proneness: np.ndarray
    patience: np.ndarray
    trust: np.ndarray
    loyalty: np.ndarray
    is_strategic: np.ndarray
    member_factor: np.ndarray   # 1 - member discount for members, else 1
    is_member: np.ndarray       # bool
    segment: np.ndarray         # segment index (whose valuation_noise they expect)
    channel: np.ndarray         # home channel index
    knows_ours: np.ndarray      # bool: aware of our product (else only a rival brought them to shop)
    knows_rivals: np.ndarray    # bool, one column per competitor: knows that rival


def ours_utility(s: Shoppers, price: np.ndarray, discount: np.ndarray, gift_value: np.ndarray, *,
                 delay_days: int, upfront_at_risk: np.ndarray | float) -> np.ndarray:
    """Buying ours: discounted valuation − price + deal bonus + gift − presale risk.

    The valuation is discounted by ``patience ** delay_days`` for the wait until
    delivery; a share ``1 - trust`` of money paid ahead and not refundable is felt
    as lost.
    """
    value = s.valuation if delay_days == 0 else s.valuation * s.patience ** np.float32(delay_days)
    return (value - s.price_sensitivity * price + s.deal_proneness * discount + gift_value
            - (1.0 - s.trust) * upfront_at_risk)


def ours_extras(s: Shoppers, discount: np.ndarray, gift_value: np.ndarray, *,
                upfront_at_risk: np.ndarray | float) -> np.ndarray:
    """The terms of :func:`ours_utility` beyond valuation and price: deal bonus + gift − presale risk."""
    return s.deal_proneness * discount + gift_value - (1.0 - s.trust) * upfront_at_risk


def utility_matrix(s: Shoppers, ours: np.ndarray, *, competitors: list[tuple[float, float]],
                   later, now_price: float, outside_utility: float) -> np.ndarray:
    """Stack the utilities of every alternative.

    ``competitors`` holds ``(price, appeal)`` of each launched rival (``None`` for
    one not launched). ``later`` holds the announced later open-sale prices as
    ``(price, days_ahead)`` pairs. Waiting is open to strategic consumers when one
    of them is below today's price: its utility is the best patience-discounted
    surplus over the whole path, ``max_t patience**t * (v - p_t)``.
    """
    m = ours.shape[0]
    rows = [ours]
    for comp in competitors:
        if comp is None:
            rows.append(np.full(m, -np.inf, dtype=np.float32))
        else:
            price, appeal = comp
            rows.append(s.valuation + appeal + s.loyalty - s.price_sensitivity * price)
    steps = [(p, d) for p, d in later if np.isfinite(p) and p < now_price and d > 0]
    if steps:
        wait = np.full(m, -np.inf, dtype=np.float32)
        for price, days in steps:
            np.maximum(wait, s.patience ** np.float32(days)
                       * (s.valuation - s.price_sensitivity * np.float32(price) * s.member_factor), out=wait)
        rows.append(np.where(s.is_strategic, wait, -np.inf))
    else:
        rows.append(np.full(m, -np.inf, dtype=np.float32))
    rows.append(np.full(m, outside_utility, dtype=np.float32))
    out = np.empty((len(rows), m), dtype=np.float32)
    for k, r in enumerate(rows):
        out[k] = r
    return out
