"""One seed, one ``SeedSequence`` tree, named streams, and keyed per-consumer numbers.

Every random number in a run comes from a stream identified by
``(seed, replication, name, *extra)``. Streams never depend on the strategy or on
the worker that runs them, so replication ``r`` of every strategy sees the same
population, the same parameter draws and the same per-consumer daily draws
(common random numbers), and results do not depend on the number of processes.

The per-consumer daily numbers are counter-based (:class:`KeyedUniforms`): the
number of consumer ``i`` under a key is a pure function of ``(key, i)``, SplitMix64's
output function applied to ``key + (i + 1)·γ``. Drawing it for a subset of consumers
gives exactly the numbers they would have had in a full draw, so a day step draws
only for the consumers in play, and common random numbers hold by construction.

Compiled loops (:mod:`simulation.rng.loops`) give bit for bit the numbers of the NumPy
code here, faster. The first array of at least :data:`COMPILED_FROM` numbers loads them,
and from then on they draw every array; a job made only of smaller arrays, and every job
when ``PRESALE_COMPILED=0`` is set, stays in NumPy and never waits for the compiler.
"""

from __future__ import annotations

import os
import zlib

import numpy as np

__all__ = ["stream", "name_key", "mix64", "key_of", "KeyedUniforms", "keyed_uniforms", "keyed_uniforms_numpy",
           "exponential", "bernoulli_positions", "bernoulli_positions_numpy", "exponential_order_statistics",
           "COMPILED_FROM", "compiled_loops"]

_GAMMA = np.uint64(0x9E3779B97F4A7C15)        # SplitMix64's increment (the golden ratio)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_TOP24 = np.uint64(40)
_UNIT24 = np.float32(2.0 ** -24)


def name_key(name: str) -> int:
    """Stable 32-bit key of a stream name (independent of ``PYTHONHASHSEED``)."""
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, replication: int, name: str, *extra: int) -> np.random.Generator:
    """Return the generator of one named stream.

    Parameters
    ----------
    seed
        The scenario's seed.
    replication
        Replication index (0-based).
    name
        Stream name, e.g. ``"population"``, ``"day"``, ``"param:market.size"``.
    *extra
        Further non-negative integers, e.g. the day index.
    """
    key = (int(replication), name_key(name), *(int(e) for e in extra))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=key)))


def mix64(x: int) -> int:
    """SplitMix64's output function on one 64-bit integer (a bijection with full avalanche)."""
    m = (1 << 64) - 1
    x &= m
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & m
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & m
    return x ^ (x >> 31)


def key_of(seed: int, replication: int, name: str, *extra: int) -> int:
    """A 64-bit key for ``(seed, replication, name, *extra)``, each part mixed in turn."""
    key = mix64(int(seed) * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019)
    for part in (int(replication), name_key(name), *(int(e) for e in extra)):
        key = mix64(key ^ mix64(part + 0x9E3779B97F4A7C15))
    return key


_CHUNK = 16384
"""Numbers computed per pass: the temporaries of a chunk stay in the CPU's cache (about 2x faster
than whole-array passes at 10⁶ numbers)."""


COMPILED_FROM = 512
"""The first array of at least this many numbers loads the compiled loops, which then draw
every array of the process. A job made only of smaller arrays never loads Numba (about a
second and 100 MB per process)."""

_compiled_module = None


def compiled_loops():
    """The compiled loops (:mod:`simulation.rng.loops`), or ``None`` when switched off by
    ``PRESALE_COMPILED=0`` or when they cannot be loaded (Numba missing, or no folder to cache
    the machine code in): the NumPy code then gives the same numbers, more slowly."""
    global _compiled_module
    if _compiled_module is None:
        _compiled_module = False
        if os.environ.get("PRESALE_COMPILED", "1") != "0":
            try:
                from . import loops as module
            except (ImportError, RuntimeError, OSError):    # no Numba, or nowhere to cache its code
                pass
            else:
                _compiled_module = module
    return _compiled_module or None


def _start(key: int) -> np.uint64:
    """The generator's state before the counter 1: ``key + γ``."""
    return np.uint64((int(key) + int(_GAMMA)) & 0xFFFFFFFFFFFFFFFF)


def keyed_uniforms(key: int, idx: np.ndarray) -> np.ndarray:
    """Uniforms in [0, 1) (float32, 24 random bits) of consumers ``idx`` under ``key``.

    The number of consumer ``i`` is SplitMix64's output for the counter ``i + 1`` of a
    generator whose state starts at ``key``: a pure function of ``(key, i)``, vectorised
    over ``idx`` with in-place unsigned 64-bit arithmetic (wrapping modulo 2⁶⁴).
    """
    return _keyed(key, _start(key), np.asarray(idx))


def _keyed(key: int, start: np.uint64, idx: np.ndarray) -> np.ndarray:
    if (loops := _loops_for(idx.shape[0])) is not None:
        return loops.keyed_uniforms_into(start, idx, np.empty(idx.shape[0], dtype=np.float32))
    return keyed_uniforms_numpy(key, idx)


def _loops_for(size: float):
    """The compiled loops for an array of ``size`` numbers: once loaded, for every array (they
    cost a microsecond a call where NumPy's code costs tens); before, only from
    :data:`COMPILED_FROM` numbers on, which loads them."""
    if _compiled_module:
        return _compiled_module
    return compiled_loops() if size >= COMPILED_FROM else None


def keyed_uniforms_numpy(key: int, idx: np.ndarray) -> np.ndarray:
    """:func:`keyed_uniforms` in NumPy alone: the reference the compiled loop is checked against."""
    idx = np.asarray(idx)
    n = idx.shape[0]
    out = np.empty(n, dtype=np.float32)
    x = np.empty(min(n, _CHUNK), dtype=np.uint64)
    t = np.empty_like(x)
    start = _start(key)                       # key + γ: the counter i + 1
    for lo in range(0, n, _CHUNK):
        hi = min(lo + _CHUNK, n)
        xs, ts = x[:hi - lo], t[:hi - lo]
        xs[...] = idx[lo:hi]
        xs *= _GAMMA
        xs += start
        np.right_shift(xs, _S30, out=ts)
        xs ^= ts
        xs *= _M1
        np.right_shift(xs, _S27, out=ts)
        xs ^= ts
        xs *= _M2
        np.right_shift(xs, _S31, out=ts)
        xs ^= ts
        xs >>= _TOP24
        chunk = out[lo:hi]
        chunk[...] = xs
        chunk *= _UNIT24
    return out


class KeyedUniforms:
    """The uniforms of one ``(seed, replication, name, *extra)``, for any subset of consumers."""

    __slots__ = ("key", "_start")

    def __init__(self, seed: int, replication: int, name: str, *extra: int):
        self.key = key_of(seed, replication, name, *extra)
        self._start = _start(self.key)

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        """Uniforms of consumers ``idx`` (any order, repeats allowed)."""
        return _keyed(self.key, self._start, np.asarray(idx))



def exponential(u: np.ndarray) -> np.ndarray:
    """Unit exponentials (float64) from uniforms on the 2⁻²⁴ grid of :func:`keyed_uniforms`.

    Each uniform is moved to the middle of its grid cell, so the result is never 0 and
    never infinite.
    """
    return -np.log1p(-(u.astype(np.float64) + 2.0 ** -25))


def bernoulli_positions(key: int, n: int, p: float) -> np.ndarray:
    """The indices ``0 <= i < n`` that a Bernoulli(``p``) process picks under ``key``, ascending.

    Each index is picked independently with probability ``p``. The gaps between picks are
    geometric, ``floor(ln U / ln(1 - p))`` with ``U = 1 - u``, the ``j``-th from the keyed
    uniform ``u`` at counter ``j``, so the work is in proportion to the picks, ``p·n``, not
    to ``n``, and the picks depend on ``(key, n, p)`` only. The 24-bit uniforms cut the
    gap's law off where its tail falls below 2⁻²⁴ (float32 logarithms, as accurate as the
    grid).
    """
    return _bernoulli(key, n, p, _loops_for(p * n))


def bernoulli_positions_numpy(key: int, n: int, p: float) -> np.ndarray:
    """:func:`bernoulli_positions` in NumPy alone: the reference the compiled loops are checked against."""
    return _bernoulli(key, n, p, None)


def _bernoulli(key: int, n: int, p: float, loops) -> np.ndarray:
    if n <= 0 or p <= 0:
        return np.empty(0, dtype=np.intp)
    if p >= 1:
        return np.arange(n, dtype=np.intp)
    scale = np.float32(1.0 / np.log1p(-p))
    expected = p * n
    block = int(expected + 6.0 * np.sqrt(expected) + 32)
    walk = _gaps_numpy if loops is None else _gaps_compiled
    parts, last, counter = [], -1, 0
    while last < n - 1:
        inside, done = walk(loops, key, counter, block, scale, last, n)
        parts.append(inside)
        if done:
            break
        last, counter = int(inside[-1]), counter + block
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def _gaps_numpy(loops, key, counter, block, scale, last, n):
    """The positions of ``block`` gaps from counter ``counter`` on, after ``last``, below ``n``,
    and whether the walk reached ``n``."""
    u = keyed_uniforms_numpy(key, np.arange(counter, counter + block))
    np.subtract(np.float32(1), u, out=u)              # 1 - u: in (0, 1], exact on the grid
    np.log(u, out=u)
    u *= scale
    steps = u.astype(np.intp)                           # a floor: the quotient is not negative
    steps += 1
    at = last + np.cumsum(steps)
    inside = at[at < n]
    return inside, inside.size < at.size


def _gaps_compiled(loops, key, counter, block, scale, last, n):
    """:func:`_gaps_numpy` with the uniforms and the walk compiled; the logarithm stays in NumPy."""
    u = loops.one_minus_keyed_run(_start(key), counter, np.empty(block, dtype=np.float32))
    np.log(u, out=u)
    out = np.empty(block, dtype=np.intp)
    m, done = loops.gap_positions(u, scale, last, n, out)
    return out[:m], done


def exponential_order_statistics(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` unit exponentials, drawn already sorted (ascending).

    Rényi's representation: the ``k``-th smallest of ``n`` unit exponentials is the sum of
    ``k`` independent exponential spacings, the ``j``-th of mean ``1 / (n - j)``. Handed
    out by a random permutation, they are ``n`` independent unit exponentials, with no sort.
    """
    spacings = rng.standard_exponential(n)
    spacings /= np.arange(n, 0, -1, dtype=np.float64)
    return np.cumsum(spacings, out=spacings)
