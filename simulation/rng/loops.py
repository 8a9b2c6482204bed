"""Compiled loops (Numba) for the keyed numbers of :mod:`simulation.rng`.

Each loop does in one pass what the NumPy code of :mod:`simulation.rng` does in a
dozen whole-array passes, and gives bit for bit the same numbers: SplitMix64's
output function is unsigned 64-bit integer arithmetic, its top 24 bits convert to
``float32`` exactly, and the one transcendental step, the logarithm of a Bernoulli
gap, stays in NumPy on both paths. :func:`simulation.rng.keyed_uniforms` and
:func:`simulation.rng.bernoulli_positions` call these loops once a large array has
loaded them (:data:`simulation.rng.COMPILED_FROM`); the NumPy code stays the reference,
and the tests check the two agree.

Importing this module imports Numba (about half a second); the loops are compiled on
their first call and cached next to this file, and reading them back from the cache
takes about as long again.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import _GAMMA, _M1, _M2, _S27, _S30, _S31, _TOP24, _UNIT24   # SplitMix64's constants, defined once

__all__ = ["keyed_uniforms_into", "one_minus_keyed_run", "gap_positions"]


@njit(cache=True, inline="always")
def _uniform(start, counter):
    z = start + np.uint64(counter) * _GAMMA
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return np.float32(z >> _TOP24) * _UNIT24


@njit(cache=True, boundscheck=False)
def keyed_uniforms_into(start, idx, out):
    """``out[j]``: the keyed uniform of counter ``idx[j]`` from state ``start`` (= key + γ)."""
    for j in range(idx.shape[0]):
        out[j] = _uniform(start, idx[j])
    return out


@njit(cache=True, boundscheck=False)
def one_minus_keyed_run(start, first, out):
    """``out[j] = 1 - u``, ``u`` the keyed uniform of counter ``first + j``: exact on the 2⁻²⁴ grid."""
    one = np.float32(1.0)
    for j in range(out.shape[0]):
        out[j] = one - _uniform(start, first + j)
    return out


@njit(cache=True, boundscheck=False)
def gap_positions(logs, scale, last, n, out):
    """Walk geometric gaps ``floor(logs[j] * scale) + 1`` (``float32`` product) on from ``last``.

    Writes the positions below ``n`` to ``out`` and returns how many, and whether the walk
    reached ``n`` (``False``: every gap was used and the walk goes on from ``out[m - 1]``).
    """
    m = 0
    for j in range(logs.shape[0]):
        last += np.intp(logs[j] * scale) + 1
        if last >= n:
            return m, True
        out[m] = last
        m += 1
    return m, False
