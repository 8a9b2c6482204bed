"""Bass-style awareness: advertising (innovation) plus word of mouth (imitation)."""

from __future__ import annotations

import numpy as np

__all__ = ["bass_hazard", "ad_innovation_rate", "imitation_rate"]


def bass_hazard(innovation: np.ndarray | float, imitation: float, adopter_share: float) -> np.ndarray:
    """Daily probability that an unaware consumer becomes aware.

    ``1 - exp(-(p + q * adopters / N))`` with complete mixing.
    """
    return -np.expm1(-(np.asarray(innovation, dtype=float) + imitation * adopter_share))


def ad_innovation_rate(contacts: np.ndarray, awareness_per_contact: np.ndarray,
                       reachable_market: np.ndarray) -> np.ndarray:
    """Innovation rate per channel for its reachable consumers.

    ``contacts`` bought today (market scale) spread uniformly over the channel's
    reachable consumers (market scale); each contact makes an unaware consumer
    aware with ``awareness_per_contact``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = contacts * awareness_per_contact / reachable_market
    return np.where(reachable_market > 0, rate, 0.0)


def imitation_rate(q: float, rating: float, *, effect: float, reference: float) -> float:
    """Word-of-mouth rate shifted by the product rating."""
    return q * max(0.0, 1.0 + effect * (rating - reference))
