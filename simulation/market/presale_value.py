"""What a presale order and waiting for the open sale are worth to a consumer who
plans ahead (the participation condition of ``market.choice.presale_decision: option``).

Before the launch a consumer knows only its expected valuation ``mu``; the realised
valuation ``V = mu + e`` (``e`` its segment's ``valuation_noise``) is learnt before
the balance is due and before the open sale. A consumer who knows the announced
price path compares, in money (``beta`` its price sensitivity):

* a presale order: pay the deposit ``d`` now, learn ``V``, pay the balance ``B``
  only if ``V >= beta·B`` (the engine's balance rule), so it is worth
  ``E[(V - beta·B)+] - beta·d`` (refundable deposit: ``E[(V - beta·(B + d))+]``;
  full prepayment: ``E[V] - beta·P``), the valuation discounted by
  ``patience**days`` until shipping; what comes only with the product (a deal's felt
  saving, a gift) counts with the probability that the balance is paid;
* waiting: learn ``V`` and then take the best of the announced later open-sale
  prices or nothing, ``E[max(u0, max_t patience**t · (V - beta·p_t))]``.

The myopic rule (``presale_decision: myopic``) compares ``mu`` with the effective
price instead and weighs waiting with ``mu`` as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .valuation_tail import noise_tail

__all__ = ["ValuationBelief", "order_value", "wait_value"]


@dataclass(frozen=True)
class ValuationBelief:
    """What shoppers know of their valuation before the launch: ``V = mean + e``.

    ``segment[i]`` indexes ``noises``, the ``valuation_noise`` of each segment.
    """

    mean: np.ndarray
    segment: np.ndarray
    noises: Sequence

    def __post_init__(self):
        mu = self.mean.astype(float)
        present = np.flatnonzero(np.bincount(self.segment, minlength=len(self.noises)))
        groups = ([(int(present[0]), slice(None))] if present.size == 1 else
                  [(int(k), np.flatnonzero(self.segment == k)) for k in present])
        object.__setattr__(self, "_mu", mu)
        object.__setattr__(self, "_groups", groups)

    def tail(self, threshold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``P(V >= c)`` and ``E[V · 1{V >= c}]`` for each shopper's threshold ``c``."""
        mu = self._mu
        c = np.broadcast_to(np.asarray(threshold, dtype=float), mu.shape)
        p, m = np.empty_like(mu), np.empty_like(mu)
        for k, at in self._groups:
            pk, mk = noise_tail(self.noises[k], c[at] - mu[at])
            p[at], m[at] = pk, mu[at] * pk + mk
        return p, m


def order_value(belief: ValuationBelief, price: np.ndarray, *, price_sensitivity: np.ndarray,
                value_discount: np.ndarray | float, deposit: float | None, inflation: float = 1.0,
                refundable: bool = False, bonus: np.ndarray | float = 0.0) -> np.ndarray:
    """Worth of a presale order at total ``price`` to shoppers who learn ``V`` before the balance.

    ``value_discount`` multiplies the valuation (``patience**days`` until shipping);
    money is not discounted, as in :func:`simulation.market.utility.ours_utility`.
    Without a deposit (full prepayment) nothing is settled later: ``E[V] - beta·P``.
    ``bonus`` is what comes only with the product (a deal's felt saving, a gift): it
    counts with the probability that the balance is paid.
    """
    beta = price_sensitivity.astype(float)
    price = np.asarray(price, dtype=float)
    if deposit is None:
        threshold, pay_if_kept, pay_now = np.full(beta.shape, -np.inf), price, 0.0
    else:
        balance = np.maximum(price - inflation * deposit, 0.0)
        pay_if_kept = balance + deposit if refundable else balance
        pay_now = 0.0 if refundable else deposit
        threshold = beta * pay_if_kept
    p_keep, value_kept = belief.tail(threshold)
    return value_discount * value_kept + bonus * p_keep - beta * (pay_if_kept * p_keep + pay_now)


def wait_value(belief: ValuationBelief, later: Sequence[tuple[float, int]], *, price_sensitivity: np.ndarray,
               patience: np.ndarray, member_factor: np.ndarray, floor: float) -> np.ndarray:
    """Worth of waiting to learn ``V``, then taking the best announced later price or nothing.

    ``later`` holds ``(price, days_ahead)`` of the open-sale steps worth waiting for
    (:func:`simulation.market.pricing.later_steps`). The payoff once ``V`` is known is
    the upper envelope of the lines ``a_t·V - b_t`` (``a_t = patience**t``,
    ``b_t = a_t·beta·m·p_t``) and the flat line ``floor``; line ``k`` is on top on the
    interval ``[lo_k, hi_k)`` bounded by its crossings with the steeper lines (above)
    and the flatter ones (below), so the expectation is, exactly,
    ``sum_k a_k·E[V·1{lo_k <= V < hi_k}] - b_k·P(lo_k <= V < hi_k)``.
    A handful of price steps makes this a few array operations per step pair.
    """
    beta = price_sensitivity.astype(float)
    delta = patience.astype(float)
    slopes = [delta ** float(days) for _, days in later] + [np.zeros_like(delta)]
    cuts = [a * beta * member_factor * float(p) for a, (p, _) in zip(slopes, later)] + [np.full_like(delta, -floor)]
    total = np.zeros_like(delta)
    for k, (a_k, b_k) in enumerate(zip(slopes, cuts)):
        lo, hi = np.full_like(delta, -np.inf), np.full_like(delta, np.inf)
        for j, (a_j, b_j) in enumerate(zip(slopes, cuts)):
            if j == k:
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                cross = (b_k - b_j) / (a_k - a_j)
            hi = np.where(a_j > a_k, np.minimum(hi, cross), hi)        # a steeper line wins above the crossing
            lo = np.where(a_j < a_k, np.maximum(lo, cross), lo)        # a flatter one below it
            never = (a_j == a_k) & ((b_j < b_k) | ((b_j == b_k) & (j < k)))   # parallel: the lower cost wins
            hi = np.where(never, -np.inf, hi)
        hi = np.maximum(hi, lo)                                         # an empty interval adds nothing
        p_lo, m_lo = belief.tail(lo)
        p_hi, m_hi = belief.tail(hi)
        total += a_k * (m_lo - m_hi) - b_k * (p_lo - p_hi)
    return total
