"""The compiled loops of the keyed numbers give bit for bit the numbers of the NumPy reference.

Both paths must agree exactly, not within a tolerance: which path draws depends on the size
of an array (:data:`simulation.rng.COMPILED_FROM`), and a run's results must not depend on it.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import simulation.rng as rng
from simulation.rng import bernoulli_positions_numpy, compiled_loops, key_of, keyed_uniforms, keyed_uniforms_numpy
from simulation import load_scenario, with_overrides
from simulation.runs.runner import Replication


@pytest.fixture
def loops():
    found = compiled_loops()
    assert found is not None, "Numba is a dependency: the compiled loops must load"
    return found


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint32])
def test_keyed_uniforms_equal_the_numpy_reference(loops, dtype):
    gen = np.random.default_rng(3)
    for _ in range(40):
        key = int(gen.integers(0, 2**63)) * 2 + int(gen.integers(0, 2))
        idx = gen.integers(0, 2**31 - 1, size=int(gen.integers(0, 6000))).astype(dtype)
        got = loops.keyed_uniforms_into(rng._start(key), idx, np.empty(idx.size, dtype=np.float32))
        assert np.array_equal(got, keyed_uniforms_numpy(key, idx))
    idx = np.arange(1_000_000)                 # several of the NumPy code's chunks
    key = key_of(7, 1, "day:choice", 3)
    assert np.array_equal(keyed_uniforms(key, idx), keyed_uniforms_numpy(key, idx))


def test_bernoulli_positions_equal_the_numpy_reference(loops):
    gen = np.random.default_rng(4)
    cases = [(int(gen.integers(1, 400_000)), float(gen.uniform(0.0, 1.0))) for _ in range(60)]
    cases += [(int(gen.integers(1, 400_000)), float(10 ** gen.uniform(-5, -1))) for _ in range(60)]
    cases += [(10, 0.999999), (1, 0.5), (2_000_000, 0.3)]
    for n, p in cases:
        key = int(gen.integers(0, 2**63))
        assert np.array_equal(rng._bernoulli(key, n, p, loops), bernoulli_positions_numpy(key, n, p)), (key, n, p)


def test_a_walk_that_runs_past_its_block_goes_on_the_same_way(loops):
    """Each block of gaps carries on from the last position of the one before: the branch a
    Bernoulli draw takes when it picks more than its block holds."""
    key, scale = key_of(2, 0, "day:visit", 5), np.float32(1.0 / np.log1p(-0.2))
    last, counter, n = -1, 0, 10**9
    for _ in range(3):
        got, done = rng._gaps_compiled(loops, key, counter, 700, scale, last, n)
        want, want_done = rng._gaps_numpy(None, key, counter, 700, scale, last, n)
        assert not done and not want_done and np.array_equal(got, want) and got.size == 700
        last, counter = int(got[-1]), counter + 700
    got, done = rng._gaps_compiled(loops, key, counter, 700, scale, last, last + 2000)
    want, want_done = rng._gaps_numpy(None, key, counter, 700, scale, last, last + 2000)
    assert done and want_done and np.array_equal(got, want) and 0 < got.size < 700


def test_a_campaign_is_the_same_whichever_path_draws(monkeypatch):
    scenario = with_overrides(load_scenario("scenarios/electronics_launch.yaml"), {"run.population": 6000})
    strategies = list(scenario.strategies)

    def run():
        rep = Replication(scenario, 1)
        rep.plan_batch(strategies)
        return [rep.simulate_record(s) for s in strategies]

    monkeypatch.setattr(rng, "_compiled_module", False)
    numpy_only = run()
    monkeypatch.setattr(rng, "_compiled_module", None)
    monkeypatch.setattr(rng, "COMPILED_FROM", 0)          # every array through the loops
    compiled = run()
    assert rng._compiled_module is not False
    for (o_np, t_np), (o_c, t_c) in zip(numpy_only, compiled):
        assert pd.Series(o_np).equals(pd.Series(o_c))      # NaN where both are NaN
        assert t_np.equals(t_c)


def test_presale_compiled_0_keeps_numpy(monkeypatch):
    monkeypatch.setenv("PRESALE_COMPILED", "0")
    monkeypatch.setattr(rng, "_compiled_module", None)
    assert compiled_loops() is None
    monkeypatch.delenv("PRESALE_COMPILED")
    monkeypatch.setattr(rng, "_compiled_module", None)
    assert compiled_loops() is not None


def test_without_the_loops_the_numpy_code_draws(monkeypatch):
    key, idx = key_of(3, 0, "day:leave", 9), np.arange(5000)
    want = keyed_uniforms_numpy(key, idx)
    monkeypatch.setitem(sys.modules, "simulation.rng.loops", None)      # as if Numba could not load
    monkeypatch.delattr(rng, "loops", raising=False)
    monkeypatch.setattr(rng, "_compiled_module", None)
    assert compiled_loops() is None
    assert np.array_equal(keyed_uniforms(key, idx), want)


def test_small_arrays_load_nothing_but_use_the_loops_once_loaded(monkeypatch, loops):
    key, small = key_of(3, 1, "day:queue", 2), np.arange(rng.COMPILED_FROM - 1)
    monkeypatch.setattr(rng, "_compiled_module", None)
    keyed_uniforms(key, small)
    rng.bernoulli_positions(key, 1000, 0.1)
    assert rng._compiled_module is None                  # nothing loaded for small arrays

    calls = []

    class Spy:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(loops, name)

    monkeypatch.setattr(rng, "_compiled_module", Spy())
    assert np.array_equal(keyed_uniforms(key, small), keyed_uniforms_numpy(key, small))
    assert np.array_equal(rng.bernoulli_positions(key, 1000, 0.1), bernoulli_positions_numpy(key, 1000, 0.1))
    assert calls == ["keyed_uniforms_into", "one_minus_keyed_run", "gap_positions"]
