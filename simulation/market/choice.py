"""Random-utility (logit) choice among a few alternatives, one uniform per consumer."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..rng import exponential

__all__ = ["choose", "choose_given_taste", "gumbel", "logit_shares"]


def gumbel(u: np.ndarray) -> np.ndarray:
    """Standard Gumbel numbers (float64, ``P(G <= g) = exp(-exp(-g))``) from keyed uniforms.

    ``G = -log E`` with ``E`` a unit exponential (:func:`simulation.rng.exponential`,
    never 0 nor infinite), so every ``G`` is finite.
    """
    return -np.log(exponential(u))


def logit_shares(utilities: np.ndarray, scale: float) -> np.ndarray:
    """Choice probabilities of alternatives (rows) for each consumer (columns).

    ``scale`` is money per unit of Gumbel noise; 0 puts all mass on the best
    alternative (ties to the first). ``-inf`` marks an unavailable alternative.
    """
    u = np.asarray(utilities, dtype=float)
    if scale == 0:
        out = np.zeros_like(u)
        out[np.argmax(u, axis=0), np.arange(u.shape[1])] = 1.0
        return out
    z = np.exp((u - u.max(axis=0, keepdims=True)) / scale)
    return z / z.sum(axis=0, keepdims=True)


def choose(utilities: np.ndarray, u: np.ndarray, *, scale: float) -> np.ndarray:
    """Index of the chosen alternative for each consumer.

    Draws by inverting the logit distribution with one uniform ``u`` per
    consumer, which has the same law as adding Gumbel noise and taking the
    best. A consumer's draw is monotone in its uniform, so two strategies on
    the same uniforms make tightly paired choices.
    """
    utilities = np.asarray(utilities, dtype=np.float32)
    if scale == 0:
        return np.argmax(utilities, axis=0).astype(np.int8)
    z = np.exp((utilities - utilities.max(axis=0, keepdims=True)) / np.float32(scale))
    cum = np.empty_like(z)                 # np.cumsum(z, axis=0), row by row: same sums, faster
    np.copyto(cum[0], z[0])
    for k in range(1, z.shape[0]):
        np.add(cum[k - 1], z[k], out=cum[k])
    threshold = u.astype(np.float32) * cum[-1]
    idx = (cum <= threshold).sum(axis=0)
    return np.minimum(idx, utilities.shape[0] - 1).astype(np.int8)


def choose_given_taste(utilities: np.ndarray, u: np.ndarray, *, scale: float, tasted: Sequence[int],
                       who: np.ndarray) -> np.ndarray:
    """Like :func:`choose`, but for consumers ``who`` the rows ``tasted`` already hold their taste draw.

    The rows ``tasted`` of those consumers carry no further noise: the best of them,
    ``M`` (ties to the first), competes with the other rows, which keep their Gumbel
    noise of ``scale``. The best of the others is ``L + scale·G`` (``L`` their log-sum,
    ``G`` standard Gumbel) and which of them is best is independent of how good it is,
    so, exactly, the tasted row wins with probability ``exp(-exp((L - M) / scale))``,
    and otherwise the others are a logit among themselves. One uniform does both: below
    that probability it picks the tasted row; above it, rescaled to ``[0, 1)``, it picks
    among the others as :func:`choose` does. Consumers not in ``who`` choose as in
    :func:`choose`. ``scale`` must be positive.
    """
    out = choose(utilities, u, scale=scale)
    sel = np.flatnonzero(who)
    if sel.size == 0:
        return out
    util = np.asarray(utilities, dtype=np.float64)[:, sel]
    tasted = list(tasted)
    others = [r for r in range(util.shape[0]) if r not in tasted]
    best = np.argmax(util[tasted], axis=0)
    top = util[tasted].max(axis=0)
    rest = util[others]
    peak = rest.max(axis=0)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        logsum = peak + scale * np.log(np.exp((rest - peak) / scale).sum(axis=0))
        p_win = np.exp(-np.exp((logsum - top) / scale))
    p_win = np.where(np.isneginf(top), 0.0, p_win)
    uu = np.asarray(u, dtype=np.float64)[sel]
    wins = uu < p_win
    with np.errstate(divide="ignore", invalid="ignore"):
        u_rest = np.where(wins, 0.0, (uu - p_win) / (1.0 - p_win))
    u_rest = np.clip(u_rest, 0.0, np.nextafter(1.0, 0.0))
    among = choose(rest, u_rest, scale=scale)
    out[sel] = np.where(wins, np.asarray(tasted)[best], np.asarray(others)[among]).astype(np.int8)
    return out
