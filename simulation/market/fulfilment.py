"""Shipping presale orders, late cancellations and returns."""

from __future__ import annotations

import numpy as np

__all__ = ["first_in_line", "p_return"]


def first_in_line(candidates: np.ndarray, *, keys: tuple[np.ndarray, ...], capacity: float) -> np.ndarray:
    """Mask of the ``floor(capacity)`` candidates first in line.

    ``keys`` order the queue, last key primary (as :func:`numpy.lexsort`);
    all candidates are served when there is room for them.
    """
    idx = np.flatnonzero(candidates)
    if idx.size <= capacity + 1e-9:
        return candidates.copy()
    room = int(np.floor(capacity + 1e-9))
    served = np.zeros_like(candidates)
    if room > 0:
        order = np.lexsort(tuple(k[idx] for k in keys))
        served[idx[order[:room]]] = True
    return served


def p_return(rating: float, curve) -> float:
    """Return probability at ``rating`` on the piecewise-linear curve."""
    return float(np.interp(rating, curve.ratings, curve.p_return))
