"""The benchmark suite runs end to end at a tiny size (so it cannot rot), and the
fast paths it measures give exactly what the plain ones give.

No timing is asserted: figures depend on the machine.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation import load_scenario, with_overrides
from simulation.engine.model import PresaleModel
from simulation.runs.runner import Replication

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
TINY = ["--quick", "--sizes", "2000", "--memory-sizes", "2000", "4000", "--reference-consumers", "2000",
        "--reference-replications", "24", "--mc-replications", "2", "--mc-population", "1000",
        "--cli-replications", "2", "--cli-workers", "1", "--profile-consumers", "2000", "--repeats", "1"]


@pytest.fixture(scope="module")
def bench():
    """``benchmarks/run.py`` as a module."""
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("benchmarks_run", BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module          # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)
    sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def results(bench, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "results.json"
    bench.main([*TINY, "--out", str(out)])
    return json.loads(out.read_text())


def test_every_figure_is_in_the_results_file(bench, results):
    assert bench.missing_keys(results) == []
    assert set(results["targets"]) == set(bench.TARGETS)
    assert set(results["profile"]["phases"]) == {*bench.PHASES, "other"}
    assert results["reference"]["replications"] == 24 and results["monte_carlo"]["cli"]["exit_code"] in (0, 1)


def test_missing_figures_are_reported(bench, results):
    broken = json.loads(json.dumps(results))
    del broken["memory"]["bytes_per_consumer"]
    broken["cli"]["help_s"] = None
    assert bench.missing_keys(broken) == ["memory.bytes_per_consumer", "cli.help_s"]


def test_reference_and_engine_agree_within_sampling_error(results):
    agreement = results["reference"]["agreement"]
    assert set(agreement) == {"units_sold", "revenue_gross", "units_presold", "n_returns", "lost_sales",
                              "competitor_units", "channel_fees", "aware_share", "profit"}
    for name, a in agreement.items():
        assert a["ok"], (name, a)
        assert abs(a["mean_difference"]) <= 4 * a["se"] + 1e-9 * abs(a["engine_mean"])
    assert results["reference"]["agree"]


def test_reference_refuses_mechanisms_it_lacks(bench):
    from reference import ReferenceModel

    scenario = bench.scenario_at(500)
    rep = Replication(scenario, 0)
    with pytest.raises(ValueError, match="deposits, early-bird tiers"):
        ReferenceModel(rep.scenario, "aggressive_early_bird", population=rep.population)


# --- fast paths: exactly the plain results -------------------------------------------------------

def test_strategies_in_lockstep_give_what_each_gives_alone():
    """A batch steps its strategies day by day on shared draws; each result equals a solo run."""
    scenario = with_overrides(load_scenario(Path(__file__).parent / "fixtures" / "smoke.yaml"),
                              {"run.population": 3000})
    strategies = list(scenario.strategies)
    batch = Replication(scenario, 2)
    batch.plan_batch(strategies[::-1])
    together = {s: batch.simulate(s) for s in strategies}
    for s in strategies:
        alone = Replication(scenario, 2).simulate(s)
        pd.testing.assert_frame_equal(together[s].trajectory, alone.trajectory, check_exact=True)
        pd.testing.assert_frame_equal(together[s].outcome, alone.outcome, check_exact=True)
    again = batch.simulate(strategies[0])        # asked again after the batch: a solo run
    pd.testing.assert_frame_equal(again.outcome, together[strategies[0]].outcome, check_exact=True)


def test_a_failing_strategy_in_a_batch_stops_only_itself(monkeypatch):
    scenario = with_overrides(load_scenario(Path(__file__).parent / "fixtures" / "smoke.yaml"),
                              {"run.population": 1000})
    first, second = list(scenario.strategies)[:2]
    original = PresaleModel.step

    def step(self):
        if self.strategy_name == first and self.steps == 3:
            raise RuntimeError("broken on day 3")
        original(self)

    monkeypatch.setattr(PresaleModel, "step", step)
    rep = Replication(scenario, 0)
    rep.plan_batch([first, second])
    with pytest.raises(RuntimeError, match="broken on day 3"):
        rep.simulate(first)
    monkeypatch.setattr(PresaleModel, "step", original)
    pd.testing.assert_frame_equal(rep.simulate(second).outcome, Replication(scenario, 0).simulate(second).outcome)


def test_sweep_benchmark_runs_at_a_tiny_size(bench, tmp_path):
    out = tmp_path / "sweep.json"
    res = bench.main(["--sweep", "--sweep-size", "3", "2", "500", "1", "--out", str(out)])["sweep"]
    assert json.loads(out.read_text())["sweep"]["runs"] == res["runs"] == (3 + 1) * 2
    assert 0 < res["profile"]["outside_day_steps_share"] < 1 and res["outside_day_steps_share"] < 1
    from phases import OUTSIDE                   # benchmarks/ is on the path while ``bench`` is

    parts = res["profile"]["outside_per_run_parts_ms"]
    assert set(parts) == set(OUTSIDE) - {"analysis"} and all(v >= 0 for v in parts.values())
    assert res["profile"]["analysis_s"] > 0
    assert res["profile"]["day_steps_s"] > 0 and res["wall_s"] > 0


def test_the_compiled_probe_makes_the_engines_choices(bench):
    """benchmarks/compiled_probe.py times a compiled copy of the regular-sale choice against the
    engine's functions; its figures mean something only while both choose alike, shopper by shopper."""
    import compiled_probe as probe               # benchmarks/ is on the path while ``bench`` is

    for later in (probe.LATER, ()):
        s = probe.shoppers(3000, seed=5)
        u = np.random.default_rng(6).random(3000).astype(np.float32)
        plain = probe.numpy_block(s, u, later)
        assert np.array_equal(probe.compiled_block(s, u, later), plain)
        assert len(np.unique(plain)) == 4 - (not later)      # every alternative is chosen by someone
