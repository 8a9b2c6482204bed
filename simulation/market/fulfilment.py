"""Queues and limits served first come, first served; returns."""

from __future__ import annotations

import numpy as np

__all__ = ["first_in_line", "first_shortfall", "last_in_line", "p_cancel_waiting", "p_return"]


def first_in_line(candidates: np.ndarray, *, keys: tuple[np.ndarray, ...], capacity: float,
                  partial: bool = False) -> np.ndarray:
    """Mask of the ``floor(capacity)`` candidates first in line.

    ``keys`` order the queue, last key primary (as :func:`numpy.lexsort`);
    all candidates are served when there is room for them. With ``partial``,
    a fractional remainder of ``capacity`` (the last partial unit on a shelf)
    serves one more candidate: ``ceil(capacity)``.
    """
    idx = np.flatnonzero(candidates)
    if idx.size <= capacity + 1e-9:
        return candidates.copy()
    room = int(np.ceil(capacity - 1e-9) if partial else np.floor(capacity + 1e-9))
    served = np.zeros_like(candidates)
    if room > 0:
        order = np.lexsort(tuple(k[idx] for k in keys))
        served[idx[order[:room]]] = True
    return served


def last_in_line(keys: tuple[np.ndarray, ...]) -> int:
    """Position of the candidate :func:`first_in_line` serves last among all of them (``keys``
    aligned, last key primary): the largest primary key, then the next, ties to the later
    position. A few passes, where a full sort would do the same."""
    at = np.arange(keys[0].shape[0])
    for key in reversed(keys):
        k = key[at]
        at = at[k == k.max()]
    return int(at[-1])


def first_shortfall(usage: np.ndarray, room: np.ndarray) -> tuple[int, int]:
    """Where a queue first meets a limit that no longer has room for it.

    Parameters
    ----------
    usage
        ``(n_limits, n)``: what each consumer in line, in queue order, would use
        of each limit (an order, a unit of a quantity, money of a budget).
    room
        ``(n_limits,)``: what is left of each limit (``inf`` when unlimited).

    Returns
    -------
    (position, limit)
        The first position whose use, added to the use of everyone ahead of it,
        exceeds a limit's room, and that limit (the lowest index when several
        run out at the same position); ``(n, -1)`` when every limit suffices.
    """
    n = usage.shape[1]
    if n == 0 or usage.shape[0] == 0:
        return n, -1
    room = np.asarray(room, dtype=float)
    over = np.cumsum(usage, axis=1, dtype=float) > (room + 1e-9 * np.maximum(np.abs(room), 1.0))[:, None]
    hit = over.any(axis=1)
    if not hit.any():
        return n, -1
    first = np.where(hit, over.argmax(axis=1), n)
    limit = int(np.argmin(first))
    return int(first[limit]), limit


def p_return(rating: float, curve) -> float:
    """Return probability at ``rating`` on the piecewise-linear curve."""
    return float(np.interp(rating, curve.ratings, curve.p_return))


def p_cancel_waiting(wait_days: np.ndarray, share_30_days: float) -> np.ndarray:
    """Daily probability that a consumer who ordered ``wait_days`` ago cancels before shipping.

    The hazard grows linearly with the wait, ``a * t``, so the share cancelled over a wait of
    ``T`` days is ``1 - exp(-a T (T + 1) / 2)``; ``a`` is set so that a 30-day wait cancels
    ``share_30_days``.
    """
    if share_30_days <= 0:
        return np.zeros(np.shape(wait_days))
    a = -np.log1p(-min(share_30_days, 1 - 1e-12)) / (30 * 31 / 2)
    return -np.expm1(-a * np.maximum(np.asarray(wait_days, dtype=float), 0.0))
