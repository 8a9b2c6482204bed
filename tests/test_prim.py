"""PRIM recovers planted boxes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.explore.prim import prim
from simulation.rng import stream


def planted(n: int = 3000, *, noise: float = 0.0, seed: int = 4):
    rng = stream(seed, 0, "test:prim")
    x = pd.DataFrame(rng.uniform(0, 1, size=(n, 4)), columns=["a", "b", "c", "d"])
    y = ((x["a"] > 0.6) & (x["b"] < 0.3)).to_numpy()
    flip = rng.uniform(size=n) < noise
    return x, y ^ flip


@pytest.mark.parametrize("noise, threshold", [(0.0, 0.95), (0.05, 0.85)])
def test_prim_recovers_a_planted_box(noise, threshold):
    """a > 0.6 and b < 0.3 fail (a share ``noise`` of labels flipped at random); c, d play no part."""
    x, y = planted(noise=noise)
    box = prim(x, y, peel_alpha=0.05, threshold=threshold)
    limits = box.limits.set_index("input")
    assert limits.loc["a", "low"] == pytest.approx(0.6, abs=0.05)
    assert limits.loc["b", "high"] == pytest.approx(0.3, abs=0.05)
    assert box.density >= threshold
    truth = ((x["a"] > 0.6) & (x["b"] < 0.3)).to_numpy()
    assert box.coverage >= 0.9 * y[truth].sum() / y.sum()      # nearly all the failures the planted box holds
    # inputs that play no part are barely restricted
    for c in ("c", "d"):
        if c in limits.index:
            assert limits.loc[c, "high"] - limits.loc[c, "low"] > 0.8
    assert box.contains(x).mean() == pytest.approx(box.mass)


def test_trajectory_is_monotone_in_mass_and_starts_full():
    x, y = planted()
    box = prim(x, y)
    t = box.trajectory
    assert t.loc[0, "coverage"] == 1 and t.loc[0, "mass"] == 1
    assert t.loc[0, "density"] == pytest.approx(y.mean())
    assert (np.diff(t["mass"]) < 0).all()
    assert t["mass"].iloc[-1] >= 0.05 - 1e-9


def test_prim_refuses_bad_input():
    x, y = planted(n=50)
    with pytest.raises(ValueError, match="nothing to find"):
        prim(x, np.zeros(50, dtype=bool))
    with pytest.raises(ValueError, match="rows"):
        prim(x, y[:10])
    with pytest.raises(ValueError, match="peel_alpha"):
        prim(x, y, peel_alpha=0.7)
