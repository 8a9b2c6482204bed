"""Who comes to shop each day: a Bernoulli pick per channel, in proportion to the visitors.

A consumer of channel ``c`` comes on a day with probability ``conversion[c]``, independently
of everyone else and of other days (:func:`simulation.rng.bernoulli_positions`,
:meth:`simulation.engine.model.DayDraws.visitors`); the strategies of a replication share
the day's visitors; the shoppers' places in the queue are uniform whatever the channel.
Statistical tolerances are 4 standard errors, on fixed keys.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simulation.engine.model import DayDraws, DrawCache
from simulation.rng import bernoulli_positions, key_of


@pytest.mark.parametrize("p", [0.003, 0.08, 0.5, 0.97])
def test_each_index_is_picked_with_probability_p(p):
    n, days = 2_000, 600
    counts = np.zeros(n)
    for day in range(days):
        picked = bernoulli_positions(key_of(7, 0, "visits", day), n, p)
        assert np.all(np.diff(picked) > 0) and (picked.size == 0 or (picked[0] >= 0 and picked[-1] < n))
        counts[picked] += 1
    se = math.sqrt(p * (1 - p) / (n * days))
    assert abs(counts.mean() / days - p) <= 4 * se
    # no index favoured: the counts are binomial(days, p), so their dispersion is 1
    dispersion = counts.var(ddof=1) / (days * p * (1 - p))
    assert abs(dispersion - 1) <= 4 * math.sqrt(2 / (n - 1))


def test_gaps_between_picks_are_geometric():
    p = 0.12
    gaps = np.diff(bernoulli_positions(key_of(3, 1, "visits", 0), 5_000_000, p)) - 1
    k = np.arange(30)
    observed = np.bincount(gaps, minlength=30)[:30]
    expected = gaps.size * p * (1 - p) ** k
    tail_obs, tail_exp = gaps.size - observed.sum(), gaps.size - expected.sum()
    chi2 = ((observed - expected) ** 2 / expected).sum() + (tail_obs - tail_exp) ** 2 / tail_exp
    assert stats.chi2.sf(chi2, df=30) > 1e-4


def test_picks_depend_on_the_key_and_the_size_only():
    key = key_of(1, 2, "visits", 3)
    a = bernoulli_positions(key, 100_000, 0.2)
    assert np.array_equal(a, bernoulli_positions(key, 100_000, 0.2))
    assert np.array_equal(bernoulli_positions(key, 50_000, 0.2), a[a < 50_000])   # a prefix of the same process
    assert not np.array_equal(a, bernoulli_positions(key_of(1, 2, "visits", 4), 100_000, 0.2))
    assert bernoulli_positions(key, 10, 0.0).size == 0 and np.array_equal(bernoulli_positions(key, 10, 1.0), np.arange(10))


def test_each_channel_comes_with_its_own_probability_and_days_are_independent():
    rng = np.random.default_rng(0)
    n = 60_000
    channel = rng.integers(0, 3, n).astype(np.uint8)
    p = (0.03, 0.12, 0.4)
    members = DrawCache(4, 0, n).channel_members(channel, 3)
    assert all(np.array_equal(m, np.flatnonzero(channel == c)) for c, m in enumerate(members))
    came = [np.zeros(n, dtype=bool) for _ in range(2)]
    for day, out in enumerate(came):
        idx = DayDraws(4, 0, day).visitors(members, p)
        assert np.unique(idx).size == idx.size
        out[idx] = True
    for c, pc in enumerate(p):
        group = channel == c
        share = came[0][group].mean()
        assert abs(share - pc) <= 4 * math.sqrt(pc * (1 - pc) / group.sum())
        both = (came[0] & came[1])[group].mean()          # independent days: P(both) = p^2
        assert abs(both - pc * pc) <= 4 * math.sqrt(pc * pc * (1 - pc * pc) / group.sum())


def test_the_day_s_visitors_are_drawn_once_and_shared():
    channel = np.repeat(np.arange(2, dtype=np.uint8), 5_000)
    cache = DrawCache(9, 1, channel.size)
    members = cache.channel_members(channel, 2)
    day = cache.get(5)
    first = day.visitors(members, (0.1, 0.2))
    assert day.visitors(members, (0.1, 0.2)) is first
    assert not np.array_equal(day.visitors(members, (0.1, 0.3)), first)   # other probabilities, other visitors
    again = DrawCache(9, 1, channel.size)
    assert np.array_equal(again.get(5).visitors(again.channel_members(channel, 2), (0.1, 0.2)), first)
