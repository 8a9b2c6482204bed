"""Funnel-state helpers of simulation.market.population."""

from __future__ import annotations

import itertools

import numpy as np

from simulation.market.population import State, in_states, locate


def test_in_states_is_the_inclusive_range_for_every_pair_of_states():
    state = np.array([s for s in State], dtype=np.uint8).repeat(3)
    for first, last in itertools.combinations_with_replacement(list(State), 2):
        np.testing.assert_array_equal(in_states(state, first, last), (state >= first) & (state <= last),
                                      err_msg=f"{first.name}..{last.name}")


def test_locate_finds_consumers_in_an_ascending_array_as_np_isin_does():
    rng = np.random.default_rng(8)
    for _ in range(200):
        ascending = np.unique(rng.integers(0, 300, rng.integers(0, 60)))
        idx = rng.choice(320, size=rng.integers(1, 20), replace=False)
        at, found = locate(ascending, idx)
        np.testing.assert_array_equal(found, np.isin(idx, ascending))
        np.testing.assert_array_equal(at, np.searchsorted(ascending, idx))
