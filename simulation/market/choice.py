"""Random-utility (logit) choice among a few alternatives, one uniform per consumer."""

from __future__ import annotations

import numpy as np

__all__ = ["choose", "logit_shares"]


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
