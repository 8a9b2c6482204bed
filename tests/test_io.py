"""Tests of result directories (simulation.runs.store, simulation.runs.manifest: atomic chunks,
ledger, manifest, resume after Ctrl-C or SIGKILL) and of the final bundle (simulation.runs.io)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simulation.runs.chunks as chunks
from simulation import PresaleError, load_scenario, with_overrides
from simulation.runs.execution import resume, run_many
from simulation.runs.io import records_json, sort_tidy, write_bundle
from simulation.runs.manifest import Manifest, scenario_hash
from simulation.runs.store import ResultStore
from simulation.runs.runner import Replication
from test_execution import (
    SMOKE,
    FailingReplication,
    InlineExecutor,
    assert_same_results,
    interrupt_after_first_chunk,
    smoke_scenario,
)

N_REPLICATIONS = 8


@pytest.fixture(scope="module")
def scenario():
    return smoke_scenario()


@pytest.fixture(scope="module")
def clean(scenario):
    """An uninterrupted run without a store."""
    return run_many(scenario, replications=N_REPLICATIONS, workers=1)


def stop_after_first_chunk(scenario, directory: Path, **options):
    return run_many(scenario, replications=N_REPLICATIONS, workers=1, chunk_size=3,
                    store=ResultStore(directory), progress=interrupt_after_first_chunk([]), **options)


# --- scenario identity ---------------------------------------------------------------------------

def test_scenario_hash_ignores_layout_but_not_values(tmp_path, scenario):
    text = SMOKE.read_text(encoding="utf-8")
    assert "name: smoke\n" in text
    commented = tmp_path / "commented.yaml"
    commented.write_text("# a comment\n\n" + text.replace("name: smoke\n", "name:   smoke   # same\n"),
                         encoding="utf-8")
    a, b = load_scenario(SMOKE), load_scenario(commented)
    assert scenario_hash(a) == scenario_hash(b)
    assert len(scenario_hash(a)) == 64
    assert scenario_hash(with_overrides(a, {"market.size": 100001})) != scenario_hash(a)
    assert scenario_hash(with_overrides(a, {"run.population": 2000})) == scenario_hash(scenario)


def test_sort_tidy_restores_replication_strategy_day_order(clean):
    for frame in (clean.outcomes, clean.trajectories):
        shuffled = frame.sample(frac=1.0, random_state=3)
        assert not shuffled.index.equals(frame.index)
        pd.testing.assert_frame_equal(sort_tidy(shuffled, ["base", "prepay"]), frame)
    reordered = sort_tidy(clean.outcomes, ["prepay", "base"])
    assert list(reordered["strategy"][:4]) == ["prepay", "base", "prepay", "base"]


# --- store ---------------------------------------------------------------------------------------

def test_store_holds_exactly_the_run(tmp_path, scenario, clean):
    store = ResultStore(tmp_path / "run")
    results = run_many(scenario, replications=N_REPLICATIONS, workers=1, chunk_size=3, store=store)
    assert results.complete
    assert_same_results(results, clean)
    loaded = store.load()
    pd.testing.assert_frame_equal(loaded.outcomes, clean.outcomes)
    pd.testing.assert_frame_equal(loaded.trajectories, clean.trajectories)

    names = sorted(p.name for p in (tmp_path / "run" / "chunks").iterdir())
    assert names == ["chunk-000000-000002-traj.parquet", "chunk-000000-000002.parquet",
                     "chunk-000003-000005-traj.parquet", "chunk-000003-000005.parquet",
                     "chunk-000006-000007-traj.parquet", "chunk-000006-000007.parquet"]
    assert not [p for p in (tmp_path / "run").rglob("*.tmp")]
    entries = store.ledger()
    assert [e["replications"] for e in entries] == [[0, 1, 2], [3, 4, 5], [6, 7]]
    assert entries[0]["n_outcomes"] == 6 and entries[0]["n_trajectory_rows"] == 6 * 60
    assert entries[0]["strategies"] == ["base", "prepay"]
    assert store.finished_replications() == set(range(N_REPLICATIONS))


def test_manifest_describes_the_run(tmp_path, scenario):
    store = ResultStore(tmp_path)
    run_many(scenario, replications=3, workers=1, store=store, source="scenarios/smoke.yaml")
    data = json.loads(store.manifest_path.read_text())
    assert data["scenario"] == "smoke" and data["scenario_file"] == "scenarios/smoke.yaml"
    assert data["scenario_hash"] == scenario_hash(scenario)
    assert (data["seed"], data["replications"], data["population"]) == (7, 3, 2000)
    assert data["strategies"] == ["base", "prepay"]
    assert set(data["versions"]) == {"simulation", "numpy", "pandas", "mesa", "scipy", "pydantic",
                                     "pyarrow", "python"}
    assert data["workers"] == 1 and data["executor"] == "inline"
    assert data["complete"] is True and data["interrupted"] is False and data["n_failures"] == 0
    assert data["end_time"] >= data["start_time"] and data["wall_time_s"] > 0
    assert Manifest.from_json(store.manifest_path.read_text()).strategies == ("base", "prepay")
    stored = json.loads(store.scenario_path.read_text())
    assert stored == scenario.model_dump(mode="json")


def test_a_torn_last_ledger_line_is_ignored_and_repaired(tmp_path, scenario, clean):
    store = ResultStore(tmp_path)
    stop_after_first_chunk(scenario, tmp_path)
    with open(store.ledger_path, "ab") as f:
        f.write(b'{"replications": [3, 4, 5], "strat')
    assert store.finished_replications() == {0, 1, 2}
    results = resume(tmp_path, scenario, workers=1, chunk_size=2)
    assert results.complete
    assert_same_results(results, clean)
    lines = store.ledger_path.read_text().splitlines()
    assert [json.loads(line)["replications"][0] for line in lines] == [0, 3, 5, 7]


def test_a_corrupt_ledger_line_in_the_middle_is_an_error(tmp_path, scenario):
    store = ResultStore(tmp_path)
    run_many(scenario, replications=2, workers=1, chunk_size=1, store=store)
    lines = store.ledger_path.read_bytes().split(b"\n")
    store.ledger_path.write_bytes(b"\n".join([lines[0][:10], *lines[1:]]))
    with pytest.raises(PresaleError, match="line 1 is not a ledger entry"):
        store.ledger()


def test_a_run_without_resume_starts_again(tmp_path, scenario, clean):
    store = ResultStore(tmp_path)
    run_many(scenario, replications=N_REPLICATIONS, workers=1, chunk_size=3, store=store)
    stale = tmp_path / "chunks" / ".chunk-000000-000002.parquet.1-ab.tmp"
    stale.write_bytes(b"torn")
    results = run_many(scenario, replications=2, workers=1, chunk_size=1, store=store)
    assert store.finished_replications() == {0, 1}
    assert sorted(p.name for p in store.chunks_dir.iterdir()) == [
        "chunk-000000-000000-traj.parquet", "chunk-000000-000000.parquet",
        "chunk-000001-000001-traj.parquet", "chunk-000001-000001.parquet"]
    pd.testing.assert_frame_equal(results.outcomes, clean.outcomes[clean.outcomes["replication"] < 2])
    assert store.read_manifest().sessions == 1


def test_refuses_to_resume_a_changed_scenario(tmp_path, scenario):
    stop_after_first_chunk(scenario, tmp_path)
    changed = with_overrides(scenario, {"product.unit_cost": 210})
    with pytest.raises(PresaleError, match="the scenario changed since this run started: "
                                           r"product.unit_cost: 200(\.0)? -> 210"):
        resume(tmp_path, changed, workers=1)
    with pytest.raises(PresaleError, match="holds strategies base, prepay"):
        resume(tmp_path, scenario, workers=1, strategies=["base"])


# --- resume ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("options", [{"workers": 1}, {"workers": 1, "chunk_size": 1}],
                         ids=["same-chunks", "other-chunks"])
def test_resume_after_ctrl_c_equals_an_uninterrupted_run(tmp_path, scenario, clean, options):
    first = stop_after_first_chunk(scenario, tmp_path)
    assert first.interrupted and not first.complete and len(first.outcomes) == 6
    manifest = ResultStore(tmp_path).read_manifest()
    assert manifest.interrupted and not manifest.complete
    results = resume(tmp_path, scenario, **options)
    assert results.complete and not results.interrupted and results.n_expected == N_REPLICATIONS
    assert_same_results(results, clean)
    manifest = ResultStore(tmp_path).read_manifest()
    assert manifest.complete and manifest.sessions == 2
    assert manifest.start_time <= manifest.end_time


def test_resume_of_an_empty_directory_starts_the_run(tmp_path, scenario, clean):
    results = resume(tmp_path / "new", scenario, replications=3, workers=1)
    assert results.complete
    pd.testing.assert_frame_equal(results.outcomes, clean.outcomes[clean.outcomes["replication"] < 3])
    assert ResultStore(tmp_path / "new").read_manifest().sessions == 1


def test_resume_of_a_finished_run_runs_nothing(tmp_path, scenario, clean):
    run_many(scenario, replications=N_REPLICATIONS, workers=1, store=ResultStore(tmp_path))
    before = ResultStore(tmp_path).ledger()
    events = []
    results = resume(tmp_path, scenario, workers=1, progress=events.append)
    assert ResultStore(tmp_path).ledger() == before
    assert [e.done for e in events] == [N_REPLICATIONS, N_REPLICATIONS]
    assert_same_results(results, clean)


class BuildFails(FailingReplication):
    """Only building replication 4 fails."""

    simulate = Replication.simulate


def test_failures_survive_a_resume(tmp_path, scenario, monkeypatch):
    monkeypatch.setattr(chunks, "Replication", FailingReplication)
    uninterrupted = run_many(scenario, replications=N_REPLICATIONS, workers=1)
    first = stop_after_first_chunk(scenario, tmp_path)
    assert list(first.failures["replication"]) == [2]
    # replication 2 no longer fails: its failure must come from the ledger, not from a rerun
    monkeypatch.setattr(chunks, "Replication", BuildFails)
    results = resume(tmp_path, scenario, workers=1)
    assert not results.complete
    assert_same_results(results, uninterrupted)
    pd.testing.assert_frame_equal(results.failures.drop(columns="traceback"),
                                  uninterrupted.failures.drop(columns="traceback"))
    assert ResultStore(tmp_path).read_manifest().n_failures == 3


def test_lost_chunks_are_rerun_on_resume(tmp_path, scenario, clean):
    first = run_many(scenario, replications=N_REPLICATIONS, executor=InlineExecutor(fail_at=2),
                     chunk_size=3, store=ResultStore(tmp_path))
    assert sorted(set(first.failures["replication"])) == [3, 4, 5]
    assert ResultStore(tmp_path).finished_replications() == {0, 1, 2, 6, 7}
    results = resume(tmp_path, scenario, workers=1)
    assert results.complete
    assert_same_results(results, clean)


KILLED_REPLICATIONS = 24
CHILD = """
import sys
from simulation import load_scenario, with_overrides
from simulation.runs.execution import run_many
from simulation.runs.store import ResultStore
scenario = with_overrides(load_scenario(sys.argv[1]), {"run.population": 2000})
run_many(scenario, replications=int(sys.argv[3]), workers=1, chunk_size=2, store=ResultStore(sys.argv[2]))
"""


def test_resume_after_sigkill_equals_an_uninterrupted_run(tmp_path, scenario):
    directory = tmp_path / "run"
    store = ResultStore(directory)
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(SMOKE), str(directory),
                              str(KILLED_REPLICATIONS)], cwd=root, env=env)
    deadline = time.monotonic() + 60
    while not store.finished_replications() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)  # no-op if the run already ended
    returncode = child.wait()
    assert store.finished_replications(), f"no chunk finished (exit code {returncode})"
    results = resume(directory, scenario, workers=1)
    assert results.complete and results.n_expected == KILLED_REPLICATIONS
    clean = run_many(scenario, replications=KILLED_REPLICATIONS, workers=1)
    assert_same_results(results, clean)
    assert store.finished_replications() == set(range(KILLED_REPLICATIONS))


# --- final bundle ---------------------------------------------------------------------------------

def test_write_bundle(tmp_path, clean):
    summary = pd.DataFrame({"strategy": ["base", "prepay"], "metric": ["profit"] * 2,
                            "mean": [1.5, np.nan], "n": np.array([8, 8], dtype=np.int64)})
    comparison = pd.DataFrame({"strategy": ["prepay"], "baseline": ["base"], "metric": ["profit"],
                               "diff": [np.inf], "significant": [np.bool_(True)]})
    paths = write_bundle(tmp_path / "out", outcomes=clean.outcomes, trajectories=clean.trajectories,
                         summary=summary, comparison=comparison,
                         manifest={"scenario": "smoke", "wall_time_s": float("nan")})
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(paths) == sorted([
        "outcomes.parquet", "trajectories.parquet", "summary.csv", "summary.json",
        "comparison.csv", "comparison.json", "manifest.json"])
    pd.testing.assert_frame_equal(pd.read_parquet(paths["outcomes.parquet"]), clean.outcomes)
    pd.testing.assert_frame_equal(pd.read_parquet(paths["trajectories.parquet"]), clean.trajectories)
    assert json.loads(paths["summary.json"].read_text()) == [
        {"strategy": "base", "metric": "profit", "mean": 1.5, "n": 8},
        {"strategy": "prepay", "metric": "profit", "mean": None, "n": 8}]
    assert json.loads(paths["comparison.json"].read_text()) == [
        {"strategy": "prepay", "baseline": "base", "metric": "profit", "diff": None, "significant": True}]
    pd.testing.assert_frame_equal(pd.read_csv(paths["summary.csv"]), summary)
    assert json.loads(paths["manifest.json"].read_text()) == {"scenario": "smoke", "wall_time_s": None}


def test_write_bundle_keeps_the_store_manifest(tmp_path, scenario):
    store = ResultStore(tmp_path)
    results = run_many(scenario, replications=2, workers=1, store=store)
    before = store.manifest_path.read_text()
    paths = write_bundle(tmp_path, outcomes=results.outcomes, trajectories=results.trajectories,
                         summary=pd.DataFrame(), comparison=pd.DataFrame(), failures=results.failures)
    assert "manifest.json" not in paths and store.manifest_path.read_text() == before
    assert pd.read_csv(paths["failures.csv"]).columns.tolist() == list(results.failures.columns)
    assert json.loads(paths["failures.json"].read_text()) == []
    resumed = resume(tmp_path, scenario, workers=1)  # the bundle files do not disturb the store
    assert_same_results(resumed, results)


def test_records_json_of_an_empty_table():
    assert json.loads(records_json(pd.DataFrame())) == []
