"""Scenario distributions: quantile functions written out agree with SciPy's."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.scenario.distributions import Triangular


@pytest.mark.parametrize("low, mode, high", [(0, 0.3, 1), (10, 10, 20), (-5, 3, 3), (0.15, 0.25, 0.35),
                                             (1e6, 1.2e6, 2e6)])
def test_triangular_quantiles_are_scipys_to_the_bit(low, mode, high):
    t = Triangular(dist="triangular", low=low, mode=mode, high=high)
    u = np.concatenate([[0.0, 1e-300, 0.5, np.nextafter(1.0, 0.0)], np.random.default_rng(3).random(20_000)])
    np.testing.assert_array_equal(t.ppf(u), np.asarray(t.frozen().ppf(u), dtype=float))
    assert float(t.ppf(0.25)) == float(t.frozen().ppf(0.25))
