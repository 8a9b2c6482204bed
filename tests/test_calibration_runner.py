"""Calibration through the runner of compare: candidates simulated at their values on common
random numbers, the same estimates on one worker or two, an interrupted calibration that
resumes to the estimates of an uninterrupted one, and the command line's options.

CI size: a market of 500 consumers, three replications per candidate, a handful of
evaluations; one test starts a pool of two processes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from simulation import CalibrationSettings, calibrate
from simulation.cli import app
from simulation.errors import PresaleError
from simulation.explore.calibrate import CalibrationStopped
from simulation.explore.moments import SimulatedMoments, moment_spec, moments_of
from simulation.runs.lock import FolderLock
from simulation.runs.progress import ProgressEvent
from simulation.runs.runner import simulate
from simulation.scenario import load_scenario, with_overrides
from simulation.scenario.history import history_from_frame

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "scenarios/histories/toy_market.yaml"
HISTORY = ROOT / "scenarios/histories/toy_synthetic.csv"
FIT = [("market.awareness.innovation", 0.001, 0.05), ("market.awareness.imitation", 0.05, 1.0)]
PATHS = [p for p, _, _ in FIT]
SMALL = {"replications": 3, "max_evaluations": 4}


@pytest.fixture(scope="module")
def scenario():
    return with_overrides(load_scenario(TOY), {"market.size": 500, "strategies.prepay.inventory.initial_stock": 500})


@pytest.fixture(scope="module")
def history(scenario):
    world = with_overrides(scenario, {"market.awareness.innovation": 0.02, "market.awareness.imitation": 0.5,
                                      "run.seed": 4242})
    frame = simulate(world, world.baseline_name, 0).trajectory[["day", "reservations", "presale_orders", "orders"]]
    return history_from_frame(frame, source="synthetic seed 4242")


@pytest.fixture(scope="module")
def serial(scenario, history):
    return calibrate(scenario, history, fit=FIT, settings=CalibrationSettings(**SMALL, workers=1))


def test_candidates_run_at_their_values_on_the_replications_of_simulate(scenario, history):
    spec = moment_spec(history)
    candidates = [(0.01, 0.3), (0.03, 0.6)]
    with SimulatedMoments(scenario, spec, strategy="prepay", paths=PATHS, replications=2,
                          options=CalibrationSettings(workers=1)) as sim:
        batch = sim.many(candidates)
    assert len(sim.cache) == 2
    for values, (moments, trajectories) in zip(candidates, batch):
        world = with_overrides(scenario, dict(zip(PATHS, values)))
        for r in range(2):
            t = simulate(world, "prepay", r).trajectory
            expected = moments_of(spec, {c: t[c].to_numpy() for c in spec.masks}, t["day"].to_numpy())
            np.testing.assert_array_equal(moments[r], expected)
            np.testing.assert_array_equal(trajectories[r]["orders"].to_numpy(), t["orders"].to_numpy())
    assert not np.array_equal(batch[0][0], batch[1][0])       # the values reached the simulation


def test_two_workers_give_the_estimates_of_one(scenario, history, serial):
    parallel = calibrate(scenario, history, fit=FIT, settings=CalibrationSettings(**SMALL, workers=2))
    assert np.isfinite(serial.estimates["sensitivity"]).all()
    pd.testing.assert_frame_equal(parallel.estimates, serial.estimates, check_exact=True)
    pd.testing.assert_frame_equal(parallel.moments, serial.moments, check_exact=True)
    pd.testing.assert_frame_equal(parallel.fit, serial.fit, check_exact=True)
    assert parallel.n_evaluations == serial.n_evaluations


def test_an_interrupted_calibration_resumes_to_the_same_estimates(scenario, history, serial, tmp_path):
    stored = CalibrationSettings(**SMALL, workers=1, store_dir=tmp_path)
    seen: list[str] = []

    def stop(event: ProgressEvent) -> None:
        seen.append(event.scenario)
        if len(set(seen)) == 3 and event.done > 0 and not event.finished:   # the third batch saved a chunk
            raise KeyboardInterrupt

    with pytest.raises(CalibrationStopped, match="interrupted") as stopped:
        calibrate(scenario, history, fit=FIT, settings=CalibrationSettings(**{**stored.__dict__, "progress": stop}))
    assert stopped.value.interrupted
    assert not (tmp_path / ".lock").exists()
    first: dict[str, ProgressEvent] = {}

    def record(event: ProgressEvent) -> None:
        first.setdefault(event.scenario, event)

    resumed = calibrate(scenario, history, fit=FIT,
                        settings=CalibrationSettings(**{**stored.__dict__, "resume": True, "progress": record}))
    pd.testing.assert_frame_equal(resumed.estimates, serial.estimates, check_exact=True)
    pd.testing.assert_frame_equal(resumed.fit, serial.fit, check_exact=True)
    batches = list(first.values())
    assert [e.done == e.total for e in batches[:2]] == [True, True]     # read back, not run again
    assert 0 < batches[2].done < batches[2].total                       # half of the stopped batch kept


def test_a_lever_of_another_strategy_is_refused(scenario, history):
    prepay = scenario.strategies["prepay"].model_dump(by_alias=True)
    two = with_overrides(scenario, {"strategies": {"prepay": prepay, "other": prepay}})
    with pytest.raises(PresaleError, match="lever of another strategy"):
        calibrate(two, history, fit=[("strategies.other.pricing.presale_price", 50, 120)],
                  settings=CalibrationSettings(**SMALL, workers=1))


@pytest.fixture()
def cli(tmp_path):
    """The options of a quick ``presale calibrate`` of the toy market at 500 consumers."""
    small = tmp_path / "toy500.yaml"
    small.write_text(TOY.read_text(encoding="utf-8").replace("4000", "500"), encoding="utf-8")
    return ["calibrate", str(HISTORY), "--scenario", str(small), "--fit", "market.awareness.imitation=0.05:1.0",
            "--replications", "2", "--max-evaluations", "2", "--workers", "1"]


def test_cli_resume_reads_the_saved_candidates_back(cli, tmp_path):
    out = tmp_path / "cal"
    first = CliRunner().invoke(app, [*cli, "--out", str(out), "--quiet"])
    assert first.exit_code == 0, first.output
    estimates = (out / "estimates.csv").read_text()
    saved = sorted(p.name for p in (out / "evaluations").iterdir())
    assert saved and all((out / "evaluations" / name / "manifest.json").is_file() for name in saved)
    again = CliRunner().invoke(app, [*cli, "--out", str(out), "--resume"])
    assert again.exit_code == 0, again.output
    assert (out / "estimates.csv").read_text() == estimates
    assert sorted(p.name for p in (out / "evaluations").iterdir()) == saved
    assert "candidates" in again.output and "done in" in again.output          # the progress line


@pytest.mark.parametrize("extra, message", [
    (["--scheduler", "tcp://127.0.0.1:1", "--executor", "local"], "needs --executor dask"),
    (["--fit", "market.awareness.imitation=1:0"], "LOW < HIGH"),
    (["--strategy", "nope"], "unknown strategy 'nope'"),
])
def test_cli_bad_input_exits_2(extra, message, cli, tmp_path):
    result = CliRunner().invoke(app, [*cli, "--out", str(tmp_path / "cal"), *extra])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_cli_refuses_a_folder_another_run_is_using(cli, tmp_path):
    out = tmp_path / "cal"
    with FolderLock(out):
        result = CliRunner().invoke(app, [*cli, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "in use by another run" in result.output
    assert not (out / "evaluations").exists()


def test_cli_help_documents_the_runner_options():
    result = CliRunner().invoke(app, ["calibrate", "--help"])
    assert result.exit_code == 0
    for option in ("--workers", "--executor", "--scheduler", "--resume", "--quiet", "--out"):
        assert option in result.output, option
