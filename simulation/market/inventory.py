"""Production plans: when produced units arrive."""

from __future__ import annotations

import numpy as np

__all__ = ["arrivals", "signal_quantity"]


def arrivals(quantity: float, *, order_day: int, lead_time_days: float, daily_capacity: float,
             horizon_days: int) -> np.ndarray:
    """Units arriving each day for an order of ``quantity`` placed on ``order_day``.

    Production starts ``lead_time_days`` later and delivers up to ``daily_capacity``
    a day; what would arrive after the horizon never arrives.
    """
    out = np.zeros(horizon_days)
    start = order_day + int(round(lead_time_days))
    remaining = max(float(quantity), 0.0)
    day = start
    while remaining > 0 and day < horizon_days:
        batch = min(remaining, daily_capacity)
        out[day] = batch
        remaining -= batch
        day += 1
    return out


def signal_quantity(rule, presale_orders: float) -> float:
    """Quantity ordered from the presale signal: ``a * orders + b``, at least 0."""
    return max(rule.a * presale_orders + rule.b, 0.0)
