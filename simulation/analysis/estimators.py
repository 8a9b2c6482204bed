"""Estimators of one outcome across Monte Carlo replications.

``mean_ci`` (Student-t interval), ``quantiles``, ``cvar`` (expected value of the
lower tail) and ``probability`` (share with a Wilson interval). NaN values are
dropped; confidence levels must lie strictly between 0 and 1.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import special      # scipy.stats would add about 0.8 s to every start-up

__all__ = ["MeanCI", "Proportion", "check_confidence", "cvar", "mean_ci", "probability", "quantiles"]


class MeanCI(NamedTuple):
    """Mean of a sample with its Student-t confidence interval."""

    n: int
    mean: float
    sd: float
    se: float
    ci_low: float
    ci_high: float


class Proportion(NamedTuple):
    """Share of true flags with its Wilson score interval."""

    n: int
    n_true: int
    p: float
    ci_low: float
    ci_high: float


def check_confidence(confidence: float) -> None:
    """Raise ``ValueError`` unless ``0 < confidence < 1``."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")


def _clean(x: object, name: str = "x") -> np.ndarray:
    """Return ``x`` as a 1-d float array without NaN; reject infinities."""
    v = np.asarray(x, dtype=float).ravel()
    v = v[~np.isnan(v)]
    if np.isinf(v).any():
        raise ValueError(f"{name} contains infinite values")
    return v


def mean_ci(x: object, confidence: float = 0.95) -> MeanCI:
    """Sample mean with a two-sided Student-t confidence interval.

    Parameters
    ----------
    x : array_like
        Sample; NaN values are dropped.
    confidence : float
        Coverage of the interval, in (0, 1).

    Returns
    -------
    MeanCI
        ``n`` non-NaN values, ``mean``, ``sd`` (ddof=1), ``se`` = sd/sqrt(n) and
        ``mean -/+ t_{(1+confidence)/2, n-1} * se``. With n < 2 every field but
        ``n`` and ``mean`` is NaN (``mean`` too when n = 0).
    """
    check_confidence(confidence)
    v = _clean(x)
    n = v.size
    if n == 0:
        return MeanCI(0, math.nan, math.nan, math.nan, math.nan, math.nan)
    mean = float(v.mean())
    if n < 2:
        return MeanCI(1, mean, math.nan, math.nan, math.nan, math.nan)
    sd = float(v.std(ddof=1))
    se = sd / math.sqrt(n)
    half = float(special.stdtrit(n - 1, 0.5 + confidence / 2.0)) * se
    return MeanCI(n, mean, sd, se, mean - half, mean + half)


def quantiles(x: object, qs: object) -> np.ndarray:
    """Empirical quantiles with linear interpolation (Hyndman-Fan type 7).

    Parameters
    ----------
    x : array_like
        Sample; NaN values are dropped.
    qs : float or array_like
        Probabilities in [0, 1].

    Returns
    -------
    numpy.ndarray
        Quantiles, shaped like ``qs``; all NaN when ``x`` has no non-NaN value.
    """
    q = np.asarray(qs, dtype=float)
    if np.isnan(q).any() or (q < 0).any() or (q > 1).any():
        raise ValueError(f"quantile probabilities must lie in [0, 1], got {qs!r}")
    v = _clean(x)
    if v.size == 0:
        return np.full(q.shape, np.nan)
    return np.quantile(v, q)


def cvar(x: object, alpha: float = 0.05) -> float:
    """Lower-tail conditional value at risk (expected shortfall).

    The mean of the worst ``alpha`` share of outcomes, where low values are
    bad (as for profit). For a finite sample sorted as x_(1) <= ... <= x_(n),
    with k = alpha * n and m = floor(k), the fractional-weight definition is

        CVaR = ( x_(1) + ... + x_(m) + (k - m) * x_(m+1) ) / k,

    i.e. the average of the empirical quantile function over (0, alpha]. It is
    continuous in ``alpha``, equals the minimum when alpha * n <= 1 and the
    mean when alpha = 1.

    Parameters
    ----------
    x : array_like
        Sample; NaN values are dropped.
    alpha : float
        Tail share in (0, 1].

    Returns
    -------
    float
        The expected shortfall, NaN for an empty sample.
    """
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha must lie in (0, 1], got {alpha!r}")
    v = np.sort(_clean(x))
    n = v.size
    if n == 0:
        return math.nan
    k = alpha * n
    m = min(int(math.floor(k)), n)
    total = float(v[:m].sum())
    if m < n:
        total += (k - m) * float(v[m])
    return total / k


def probability(mask: object, confidence: float = 0.95) -> Proportion:
    """Share of true flags with a Wilson score interval.

    Parameters
    ----------
    mask : array_like of bool or of 0/1
        One flag per replication; NaN entries (undefined events) are dropped.
    confidence : float
        Coverage of the interval, in (0, 1).

    Returns
    -------
    Proportion
        With z = Phi^-1((1 + confidence) / 2) and p = n_true / n, the interval is
        ``(p + z^2/(2n) -/+ z * sqrt(p(1-p)/n + z^2/(4n^2))) / (1 + z^2/n)``.
        All of ``p`` and the bounds are NaN when n = 0.
    """
    check_confidence(confidence)
    v = _clean(mask, "mask")
    if not np.isin(v, (0.0, 1.0)).all():
        raise ValueError("mask must hold booleans or 0/1 values")
    n = v.size
    n_true = int(v.sum())
    if n == 0:
        return Proportion(0, 0, math.nan, math.nan, math.nan)
    p = n_true / n
    z = float(special.ndtri(0.5 + confidence / 2.0))
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if n_true == 0 else max(0.0, centre - half)
    high = 1.0 if n_true == n else min(1.0, centre + half)
    return Proportion(n, n_true, p, low, high)
