"""Competitors: price reactions and the rival's own awareness."""

from __future__ import annotations

import math

__all__ = ["reacted_price", "rival_hazard", "rival_initial_hazard"]


def rival_initial_hazard(initial_share: float) -> float:
    """Cumulative hazard at which a share ``initial_share`` knows the rival (infinite for everyone)."""
    return math.inf if initial_share >= 1.0 else -math.log1p(-initial_share)


def rival_hazard(innovation: float, imitation: float, buyer_share: float) -> float:
    """Today's awareness hazard of a rival: its advertising plus its buyers' word of mouth (Bass)."""
    return innovation + imitation * buyer_share


def reacted_price(base: float, reactions: list, *, day: int, our_prices: list[float],
                  our_promo_days: list[bool], floor: float | None) -> float:
    """A competitor's price on ``day`` after its reaction rules.

    ``match_price``: if our price ``delay_days`` ago was below theirs, they set
    ours less ``undercut``. ``counter_promotion``: if we ran a promotion within the
    ``duration_days`` ending ``delay_days`` ago, they take ``percent_off``. The
    price never goes below ``floor`` nor above the base price.
    """
    price = base
    for r in reactions:
        seen = day - r.delay_days
        if r.kind == "match_price" and 0 <= seen < len(our_prices):
            if our_prices[seen] < price:
                price = our_prices[seen] * (1.0 - r.undercut)
        elif r.kind == "counter_promotion":
            window = range(max(seen - r.duration_days + 1, 0), seen + 1)
            if any(0 <= d < len(our_promo_days) and our_promo_days[d] for d in window):
                price = price * (1.0 - r.percent_off)
    if floor is not None:
        price = max(price, floor)
    return min(price, base)
