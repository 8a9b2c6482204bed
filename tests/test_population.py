"""Funnel-state helpers of simulation.market.population."""

from __future__ import annotations

import itertools

import numpy as np

from simulation.market.population import State, in_states


def test_in_states_is_the_inclusive_range_for_every_pair_of_states():
    state = np.array([s for s in State], dtype=np.uint8).repeat(3)
    for first, last in itertools.combinations_with_replacement(list(State), 2):
        np.testing.assert_array_equal(in_states(state, first, last), (state >= first) & (state <= last),
                                      err_msg=f"{first.name}..{last.name}")
