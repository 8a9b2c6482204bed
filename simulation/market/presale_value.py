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

from .valuation_tail import noise_tail, plain_normal_tail

__all__ = ["ValuationBelief", "order_value", "wait_value"]


def _plain_normal(noise) -> bool:
    """Whether a segment's ``valuation_noise`` is a normal without bounds and with a positive sd."""
    return (getattr(noise, "dist", None) == "normal" and noise.low is None and noise.high is None
            and noise.sd > 0)


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
        groups, normal = [], None
        if present.size > 1 and all(_plain_normal(self.noises[k]) for k in present):
            # every segment's surprise an unbounded normal: one normal per shopper, in one pass
            normal = tuple(np.take(np.array([float(getattr(n, name)) if _plain_normal(n) else np.nan
                                             for n in self.noises]), self.segment)
                           for name in ("mean_", "sd"))
        else:
            groups = ([(int(present[0]), slice(None))] if present.size == 1 else
                      [(int(k), np.flatnonzero(self.segment == k)) for k in present])
        object.__setattr__(self, "_mu", mu)
        object.__setattr__(self, "_groups", groups)
        object.__setattr__(self, "_normal", normal)

    def tail(self, threshold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``P(V >= c)`` and ``E[V · 1{V >= c}]`` for each shopper's threshold ``c``.

        ``threshold`` is shaped like ``mean`` or has rows of such thresholds (one
        row per threshold of each shopper): the answers are shaped like it.
        """
        mu = self._mu
        c = np.asarray(threshold, dtype=float)
        c = np.broadcast_to(c, c.shape[:-1] + mu.shape) if c.ndim > 1 else np.broadcast_to(c, mu.shape)
        if self._normal is not None:
            p, m = plain_normal_tail(*self._normal, c - mu)
            return p, mu * p + m
        p, m = np.empty(c.shape), np.empty(c.shape)
        for k, at in self._groups:
            mu_k = mu[at]
            pk, mk = noise_tail(self.noises[k], c[..., at] - mu_k)
            p[..., at], m[..., at] = pk, mu_k * pk + mk
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
    days = np.array([float(d) for _, d in later])
    prices = np.array([float(p) for p, _ in later])
    slopes = np.concatenate([delta[None, :] ** days[:, None], np.zeros((1, delta.size))])      # lines x shoppers
    cuts = np.concatenate([slopes[:-1] * (beta * member_factor)[None, :] * prices[:, None],
                           np.full((1, delta.size), -floor)])
    a_k, a_j = slopes[:, None, :], slopes[None, :, :]                 # line k against line j
    b_k, b_j = cuts[:, None, :], cuts[None, :, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = (b_k - b_j) / (a_k - a_j)
    hi = np.where(a_j > a_k, cross, np.inf).min(axis=1)               # a steeper line wins above the crossing
    lo = np.where(a_j < a_k, cross, -np.inf).max(axis=1)              # a flatter one below it
    first = np.arange(slopes.shape[0])
    earlier = (first[None, :] < first[:, None])[:, :, None]           # j < k
    never = ((a_j == a_k) & ((b_j < b_k) | ((b_j == b_k) & earlier))).any(axis=1)   # parallel: the lower cost wins
    hi = np.maximum(np.where(never, -np.inf, hi), lo)                 # an empty interval adds nothing
    p, m = belief.tail(np.concatenate([lo, hi]))
    n = slopes.shape[0]
    return (slopes * (m[:n] - m[n:]) - cuts * (p[:n] - p[n:])).sum(axis=0)
