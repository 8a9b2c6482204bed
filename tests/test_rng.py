"""The keyed per-consumer random numbers: a pure function of the keys, of sound quality.

The statistical checks here run at 10⁶ numbers per test (fast); ``tools/rng_battery.py``
runs the same battery at 10⁸ numbers and docs/random-numbers.md records its result.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulation.engine.model import AwarenessThresholds, DayDraws, DrawCache
from simulation.rng import KeyedUniforms, exponential_order_statistics, key_of, keyed_uniforms, mix64

N = 1_000_000


def splitmix_by_hand(key: int, i: int) -> float:
    """The number of consumer ``i`` under ``key``, one integer at a time (the definition)."""
    state = (key + (i + 1) * 0x9E3779B97F4A7C15) & ((1 << 64) - 1)
    return (mix64(state) >> 40) * 2.0 ** -24


def test_numbers_follow_the_splitmix64_definition():
    key = key_of(11, 3, "day:visit", 40)
    idx = np.array([0, 1, 2, 16383, 16384, 99_999, 9_999_999])
    got = keyed_uniforms(key, idx)
    assert got.dtype == np.float32
    assert [float(x) for x in got] == [splitmix_by_hand(key, int(i)) for i in idx]


def test_a_consumers_number_does_not_depend_on_who_else_is_drawn():
    draws = KeyedUniforms(5, 2, "day:choice", 17)
    full = draws(np.arange(50_000))
    rng = np.random.default_rng(0)
    for size in (1, 7, 16_385, 40_000):
        subset = rng.choice(50_000, size=size, replace=False)
        assert np.array_equal(draws(subset), full[subset])
    assert np.array_equal(draws(np.array([9, 9, 3])), full[[9, 9, 3]])


def test_keys_differ_by_seed_replication_purpose_and_day():
    base = ("day:visit", 3)
    keys = {key_of(1, 0, *base), key_of(2, 0, *base), key_of(1, 1, *base), key_of(1, 0, "day:leave", 3),
            key_of(1, 0, "day:visit", 4)}
    assert len(keys) == 5


@pytest.mark.parametrize("key", [key_of(1, 0, "day:visit", 0), key_of(20241015, 7, "day:leave", 79), 0])
def test_uniform_in_256_bins(key):
    u = keyed_uniforms(key, np.arange(N))
    assert 0.0 <= u.min() and u.max() < 1.0
    counts = np.bincount((u * 256).astype(int), minlength=256)
    assert stats.chisquare(counts).pvalue > 1e-4


def _serial_r(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.astype(np.float64), b.astype(np.float64))[0, 1])


def test_no_correlation_between_neighbours_days_and_purposes():
    """|r| below 5 SE (1/sqrt(N)) between consecutive consumers, consecutive days, two purposes."""
    idx = np.arange(N)
    today = KeyedUniforms(3, 0, "day:visit", 10)(idx)
    bound = 5 / np.sqrt(N)
    assert abs(_serial_r(today[:-1], today[1:])) < bound
    assert abs(_serial_r(today, KeyedUniforms(3, 0, "day:visit", 11)(idx))) < bound
    assert abs(_serial_r(today, KeyedUniforms(3, 0, "day:leave", 10)(idx))) < bound
    assert abs(_serial_r(today, KeyedUniforms(3, 1, "day:visit", 10)(idx))) < bound


def test_pairs_of_neighbours_fill_a_grid_evenly():
    u = KeyedUniforms(9, 4, "day:choice", 2)(np.arange(2 * N))
    cells = (u[0::2] * 16).astype(int) * 16 + (u[1::2] * 16).astype(int)
    assert stats.chisquare(np.bincount(cells, minlength=256)).pvalue > 1e-4


def test_exponential_order_statistics_are_sorted_unit_exponentials():
    """Positive, finite, ascending; mean 1 and variance 1 within 5 standard errors, and
    distributed as a unit exponential (KS)."""
    e = exponential_order_statistics(np.random.default_rng(4), N)
    assert e[0] > 0 and np.isfinite(e).all() and np.all(np.diff(e) >= 0)
    assert abs(e.mean() - 1) < 5 / np.sqrt(N) and abs(e.var() - 1) < 5 * np.sqrt(8 / N)
    assert stats.kstest(e, "expon").pvalue > 1e-3


def test_awareness_thresholds_are_unit_exponentials_in_every_group():
    groups = np.random.default_rng(2).integers(0, 4, 200_000).astype(np.uint8)
    t = AwarenessThresholds(5, 0, groups, 4)
    e = np.empty(groups.size)
    e[t.order] = t.sorted
    for g in range(4):
        assert stats.kstest(e[groups == g], "expon").pvalue > 1e-4     # the level of the uniformity tests above
    assert abs(stats.spearmanr(np.arange(groups.size), e).statistic) < 4 / np.sqrt(groups.size)


def test_day_draws_are_the_keyed_sources_of_the_day():
    draws = DayDraws(4, 1, 12)
    idx = np.arange(100)
    for name in DayDraws.PURPOSES:
        assert np.array_equal(getattr(draws, name)(idx), KeyedUniforms(4, 1, f"day:{name}", 12)(idx))


def test_awareness_thresholds_cross_in_order_within_each_group():
    groups = np.array([0, 1, 0, 1, 1, 0, 2, 2], dtype=np.uint8)
    t = AwarenessThresholds(1, 0, groups, 4)
    assert list(t.bounds) == [0, 3, 6, 8, 8]
    assert all((groups[t.order[lo:hi]] == g).all() for g, (lo, hi) in enumerate(zip(t.bounds[:-1], t.bounds[1:])))
    assert list(t.crossing(np.zeros(4))) == [0, 0, 0, 0]
    assert list(t.crossing(np.full(4, np.inf))) == [3, 3, 2, 0]


def test_rival_thresholds_are_unit_exponentials_drawn_sorted():
    """Rényi's representation: cumulative exponential spacings are the order statistics of
    unit exponentials; handed out by a random permutation, each consumer's threshold is a unit
    exponential, independent of its index (KS test, and no trend along the index)."""
    n = 200_000
    thresholds, order = DrawCache(3, 1, n).rival_thresholds("rival")
    assert np.all(np.diff(thresholds) >= 0) and np.array_equal(np.sort(order), np.arange(n))
    e = np.empty(n)
    e[order] = thresholds
    assert stats.kstest(e, "expon").pvalue > 1e-3
    assert abs(stats.spearmanr(np.arange(n), e).statistic) < 4 / np.sqrt(n)
    again = DrawCache(3, 1, n).rival_thresholds("rival")
    assert np.array_equal(again[0], thresholds) and np.array_equal(again[1], order)
