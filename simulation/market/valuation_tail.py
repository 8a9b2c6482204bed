"""Upper tails of a valuation surprise, in closed form for every distribution family.

A consumer's realised valuation is ``V = mu + e``: the expected valuation ``mu`` it
knows before the product ships plus a surprise ``e`` drawn from its segment's
``valuation_noise``. Whoever weighs a choice that is settled only once ``V`` is known
(pay the balance or walk away, buy at the open-sale price or not) needs two
functions of a threshold ``y`` on the surprise:

* ``P(e >= y)``, the share of surprises at or above ``y``;
* ``E[e · 1{e >= y}]``, the partial mean above ``y``.

Every expectation of a piecewise-linear payoff of ``V`` is built from them: for a
normal surprise ``E[(V - c)+] = sd·phi(z) + (mu - c)·Phi(z)``, ``z = (mu - c)/sd``.
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["noise_tail", "noise_mean", "plain_normal_tail"]

_SQRT_2PI = np.sqrt(2.0 * np.pi)


def _phi(z: np.ndarray) -> np.ndarray:
    """Standard normal density (0 at ±inf)."""
    return np.exp(-0.5 * np.square(z)) / _SQRT_2PI


def _fixed(value: float, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    above = (value >= y).astype(float)
    return above, value * above


def _uniform(low: float, high: float, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if high == low:
        return _fixed(low, y)
    t = np.clip(y, low, high)
    return (high - t) / (high - low), (high * high - t * t) / (2.0 * (high - low))


def _normal(mean: float, sd: float, low: float | None, high: float | None,
            y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normal on ``[low, high]`` (``None``: unbounded); the plain normal is the case without bounds."""
    if sd == 0:
        return _fixed(mean, y)
    if low is None and high is None:
        return plain_normal_tail(mean, sd, y)
    a = -np.inf if low is None else (low - mean) / sd
    b = np.inf if high is None else (high - mean) / sd
    mass = special.ndtr(b) - special.ndtr(a)
    z = np.clip((y - mean) / sd, a, b)
    p = (special.ndtr(b) - special.ndtr(z)) / mass
    return p, mean * p + sd * (_phi(z) - _phi(b)) / mass


def plain_normal_tail(mean, sd, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The unbounded normal's ``P(e >= y)`` and ``E[e · 1{e >= y}]``; ``mean`` and ``sd`` (positive)
    may be arrays that broadcast against ``y``, one normal per consumer."""
    z = (y - mean) / sd
    p = 1.0 - special.ndtr(z)
    return p, mean * p + sd * _phi(z)


def _lognormal(median: float, sigma: float, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if sigma == 0:
        return _fixed(median, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(y > 0, (np.log(np.maximum(y, 1e-300)) - np.log(median)) / sigma, -np.inf)
    return special.ndtr(-z), median * np.exp(0.5 * sigma * sigma) * special.ndtr(sigma - z)


def _triangular(low: float, mode: float, high: float, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Density ``2(x - low)/(w(mode - low))`` up to the mode, ``2(high - x)/(w(high - mode))`` after."""
    w = high - low
    t = np.clip(y, low, high)
    left, right = mode - low, high - mode
    # survival and partial mean of the right piece from max(t, mode) to high
    r = np.maximum(t, mode)
    p = np.square(high - r) / (w * right) if right > 0 else np.zeros_like(t)
    m = (2.0 / (w * right)) * (high * (high**2 - r**2) / 2 - (high**3 - r**3) / 3) if right > 0 else np.zeros_like(t)
    if left > 0:   # the left piece from t to the mode, where t is below it
        s = np.minimum(t, mode)
        p = p + (left**2 - np.square(s - low)) / (w * left)
        m = m + (2.0 / (w * left)) * ((mode**3 - s**3) / 3 - low * (mode**2 - s**2) / 2)
    return p, m


def _beta(a: float, b: float, low: float, high: float, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.clip((y - low) / (high - low), 0.0, 1.0)
    p = special.betaincc(a, b, z)
    return p, low * p + (high - low) * (a / (a + b)) * special.betaincc(a + 1.0, b, z)


def _discrete(values: list[float], probs: list[float], y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p, m = np.zeros_like(y), np.zeros_like(y)
    for v, q in zip(values, probs):
        above = v >= y
        p += q * above
        m += (q * v) * above
    return p, m


def noise_tail(noise, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``P(e >= y)`` and ``E[e · 1{e >= y}]`` of a valuation surprise ``e``.

    Parameters
    ----------
    noise
        A segment's ``valuation_noise``: a fixed number or a distribution of
        :mod:`simulation.scenario.distributions` (uniform, normal with optional
        bounds, lognormal, triangular, beta, discrete).
    y
        Thresholds on the surprise (money); ``±inf`` allowed.

    Returns
    -------
    (p_above, mean_above)
        Float64 arrays shaped like ``y``.
    """
    y = np.asarray(y, dtype=float)
    kind = getattr(noise, "dist", None)
    if kind is None:
        return _fixed(float(noise), y)
    if kind == "uniform":
        return _uniform(noise.low, noise.high, y)
    if kind == "normal":
        return _normal(noise.mean_, noise.sd, noise.low, noise.high, y)
    if kind == "lognormal":
        return _lognormal(noise.median, noise.sigma, y)
    if kind == "triangular":
        return _triangular(noise.low, noise.mode, noise.high, y)
    if kind == "beta":
        return _beta(noise.a, noise.b, noise.low, noise.high, y)
    if kind == "discrete":
        return _discrete(noise.values, noise.probs, y)
    raise ValueError(f"no closed-form tail for a valuation_noise of dist {kind!r}")


def noise_mean(noise) -> float:
    """Expected surprise ``E[e]``."""
    return float(noise_tail(noise, np.array([-np.inf]))[1][0])
