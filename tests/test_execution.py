"""Tests of simulation.runs.execution: many replications on any executor, failures,
Ctrl-C, progress reporting."""

from __future__ import annotations

import io
import multiprocessing
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

import simulation.runs.chunks as chunks
from simulation import PresaleError, load_scenario, simulate, with_overrides
from simulation.runs.execution import (
    ExecutionSettings,
    chunk_replications,
    default_chunk_size,
    run_many,
)
from simulation.runs.chunks import MAX_CHUNK_SIZE
from simulation.runs.io import FAILURE_COLUMNS
from simulation.cli.progress_bar import ProgressBar
from simulation.runs.progress import ProgressEvent, format_duration, format_event
from simulation.runs.runner import Replication

SMOKE = Path(__file__).parent / "fixtures" / "smoke.yaml"
"""A two-strategy campaign: deposit with inflation (``base``) vs full prepayment (``prepay``)."""

N_REPLICATIONS = 6


def smoke_scenario(population: int = 2000):
    """The smoke scenario with a small simulated population."""
    return with_overrides(load_scenario(SMOKE), {"run.population": population})


@pytest.fixture(scope="module")
def scenario():
    return smoke_scenario()


@pytest.fixture(scope="module")
def reference(scenario):
    """One worker, in process, default chunks."""
    return run_many(scenario, replications=N_REPLICATIONS, workers=1)


def assert_same_results(a, b) -> None:
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)
    pd.testing.assert_frame_equal(a.trajectories, b.trajectories)


class InlineExecutor(Executor):
    """Runs each task when submitted; optionally fails the ``fail_at``-th submission."""

    def __init__(self, fail_at: int | None = None):
        self.fail_at, self.n_submitted = fail_at, 0

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        self.n_submitted += 1
        if self.n_submitted == self.fail_at:
            future.set_exception(OSError("worker lost"))
        else:
            future.set_result(fn(*args, **kwargs))
        return future


class FailingReplication(Replication):
    """Strategy ``prepay`` raises in replication 2; building replication 4 raises."""

    def __init__(self, scenario, replication):
        if replication == 4:
            raise ArithmeticError("no population for replication 4")
        super().__init__(scenario, replication)

    def simulate_record(self, strategy):
        if strategy == "prepay" and self.replication == 2:
            raise ValueError("stock went negative")
        return super().simulate_record(strategy)


# --- results ----------------------------------------------------------------------------------------

def test_reference_run_is_complete_and_tidy(scenario, reference):
    out, traj = reference.outcomes, reference.trajectories
    assert reference.complete and not reference.interrupted
    assert reference.failures.empty and list(reference.failures.columns) == list(FAILURE_COLUMNS)
    assert reference.n_expected == N_REPLICATIONS and reference.workers == 1
    expected_keys = [(s, r) for r in range(N_REPLICATIONS) for s in scenario.strategies]
    assert list(zip(out["strategy"], out["replication"])) == expected_keys
    horizon = scenario.calendar.horizon_days
    assert len(traj) == len(expected_keys) * horizon
    assert list(traj["day"][:horizon]) == list(range(horizon))
    assert list(out.index) == list(range(len(out)))


def test_outcomes_equal_single_runs(scenario, reference):
    """Each (strategy, replication) of a batch is the run simulate() gives on its own."""
    for strategy, replication in [("base", 0), ("prepay", 3)]:
        alone = simulate(scenario, strategy, replication)
        row = reference.outcomes[(reference.outcomes["strategy"] == strategy)
                                 & (reference.outcomes["replication"] == replication)]
        pd.testing.assert_frame_equal(row.reset_index(drop=True), alone.outcome)


@pytest.mark.parametrize("options", [
    {"workers": 1, "chunk_size": 1},
    {"workers": 1, "chunk_size": 4},
    {"workers": 2, "chunk_size": 2},
], ids=["inline-chunk1", "inline-chunk4", "process-pool-chunk2"])
def test_identical_for_any_workers_and_chunk_size(scenario, reference, options):
    results = run_many(scenario, replications=N_REPLICATIONS, **options)
    assert results.complete
    assert_same_results(results, reference)


@pytest.mark.parametrize("make_executor", [lambda: ThreadPoolExecutor(3), InlineExecutor],
                         ids=["threads", "submit-only"])
def test_identical_on_injected_executor(scenario, reference, make_executor):
    executor = make_executor()
    results = run_many(scenario, replications=N_REPLICATIONS, executor=executor, chunk_size=1)
    executor.shutdown()
    assert results.complete and results.workers is None
    assert_same_results(results, reference)


def test_strategies_subset_keeps_given_order(scenario, reference):
    results = run_many(scenario, ExecutionSettings(strategies=["prepay", "base"], replications=3),
                       workers=1)
    assert list(results.outcomes["strategy"][:4]) == ["prepay", "base", "prepay", "base"]
    only = run_many(scenario, strategies=["prepay"], replications=3, workers=1)
    expected = reference.outcomes[(reference.outcomes["strategy"] == "prepay")
                                  & (reference.outcomes["replication"] < 3)]
    pd.testing.assert_frame_equal(only.outcomes, expected.reset_index(drop=True))


def test_bad_settings_are_refused(scenario):
    with pytest.raises(PresaleError, match="unknown strategies nope"):
        run_many(scenario, strategies=["nope"], replications=1, workers=1)
    with pytest.raises(PresaleError, match="chunk_size must be a positive"):
        run_many(scenario, chunk_size=0)
    with pytest.raises(TypeError, match="unknown option"):
        run_many(scenario, replication=3)


# --- failures -------------------------------------------------------------------------------------

def test_failures_are_recorded_and_the_rest_continue(scenario, reference, monkeypatch):
    monkeypatch.setattr(chunks, "Replication", FailingReplication)
    results = run_many(scenario, replications=N_REPLICATIONS, workers=1, chunk_size=4)
    failures = results.failures
    assert not results.complete and not results.interrupted
    assert list(zip(failures["strategy"], failures["replication"])) == [
        ("prepay", 2), ("base", 4), ("prepay", 4)]
    assert list(failures["error_type"]) == ["ValueError", "ArithmeticError", "ArithmeticError"]
    assert failures["message"][0] == "stock went negative"
    assert "ValueError: stock went negative" in failures["traceback"][0]
    assert (failures["seed"] == scenario.run.seed).all()
    ok = ~(((reference.outcomes["strategy"] == "prepay") & (reference.outcomes["replication"] == 2))
           | (reference.outcomes["replication"] == 4))
    pd.testing.assert_frame_equal(results.outcomes, reference.outcomes[ok].reset_index(drop=True))


def test_a_lost_chunk_is_recorded_as_failures(scenario, reference):
    results = run_many(scenario, replications=N_REPLICATIONS, executor=InlineExecutor(fail_at=2),
                       chunk_size=2)
    assert not results.complete
    assert sorted(set(results.failures["replication"])) == [2, 3]
    assert set(results.failures["error_type"]) == {"OSError"}
    kept = reference.outcomes[~reference.outcomes["replication"].isin([2, 3])]
    pd.testing.assert_frame_equal(results.outcomes, kept.reset_index(drop=True))


# --- Ctrl-C ---------------------------------------------------------------------------------------

def interrupt_after_first_chunk(events: list):
    def callback(event: ProgressEvent) -> None:
        events.append(event)
        if event.done > 0 and not event.finished:
            if sum(e.done > 0 and not e.finished for e in events) == 1:
                raise KeyboardInterrupt
    return callback


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_keeps_finished_chunks(scenario, reference, workers):
    events: list[ProgressEvent] = []
    before = set(multiprocessing.active_children())
    results = run_many(scenario, replications=N_REPLICATIONS, workers=workers, chunk_size=1,
                       progress=interrupt_after_first_chunk(events))
    assert results.interrupted and not results.complete
    assert events[-1].finished and events[-1].interrupted
    done = results.outcomes["replication"].unique()
    assert len(done) == 1
    kept = reference.outcomes[reference.outcomes["replication"] == done[0]]
    pd.testing.assert_frame_equal(results.outcomes, kept.reset_index(drop=True))
    started = [c for c in multiprocessing.active_children() if c not in before]
    for child in started:
        child.join(timeout=30)
    assert not [c for c in started if c.is_alive()], "Ctrl-C left worker processes running"


# --- chunks and progress -----------------------------------------------------------------------------

def test_chunks_are_consecutive_and_bounded():
    assert chunk_replications([0, 1, 2, 3, 4], 2) == [(0, 1), (2, 3), (4,)]
    assert chunk_replications([7, 0, 1, 5, 6, 8, 9], 3) == [(0, 1), (5, 6, 7), (8, 9)]
    assert default_chunk_size(10, 1) == 2
    assert default_chunk_size(40, 2) == 3
    assert default_chunk_size(10_000, 2) == MAX_CHUNK_SIZE
    assert default_chunk_size(1, 8) == 1


def test_chunks_are_even_and_fill_every_worker():
    sizes = [len(c) for c in chunk_replications(range(100), 7, workers=2)]
    assert sizes == [7] * 4 + [6] * 12              # 16 chunks: 50 replications per worker
    assert chunk_replications(range(10), 4) == [(0, 1, 2, 3), (4, 5, 6), (7, 8, 9)]
    assert chunk_replications(range(3), 8, workers=4) == [(0,), (1,), (2,)]
    assert chunk_replications([0, 1, 5, 6, 7], 8, workers=2) == [(0, 1), (5, 6, 7)]


def test_progress_events(scenario):
    events: list[ProgressEvent] = []
    run_many(scenario, replications=5, workers=1, chunk_size=2, progress=events.append)
    assert [e.done for e in events] == [0, 2, 4, 5, 5]
    assert all(e.total == 5 and e.scenario == "smoke" for e in events)
    assert [e.finished for e in events] == [False, False, False, False, True]
    assert events[0].eta_s is None and events[1].rate > 0 and events[1].eta_s > 0
    assert events[3].eta_s == 0


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def event(done: int, **kw) -> ProgressEvent:
    return ProgressEvent("smoke", done, 200, elapsed_s=done / 35.2, rate=35.2,
                         eta_s=(200 - done) / 35.2, **kw)


def test_progress_line_updates_in_place_on_a_terminal():
    out = Terminal()
    line = ProgressBar(stream=out)
    line(event(120))
    line(event(200, finished=True))
    ProgressBar("winter", stream=out)(event(10))
    text = out.getvalue()
    assert text.startswith("\rsmoke: 120/200 replications · 35.2/s · ETA 3s")
    assert text.count("\r") == 3 and text.count("\n") == 1
    assert text.endswith("\rwinter: 10/200 replications · 35.2/s · ETA 6s")


def test_progress_line_writes_only_the_last_line_elsewhere():
    out = io.StringIO()
    line = ProgressBar(stream=out)
    line(event(120))
    assert out.getvalue() == ""
    line(event(150, finished=True, interrupted=True, n_failed=2))
    assert out.getvalue() == "smoke: 150/200 replications · 35.2/s · 2 failed · interrupted\n"


def test_formatting():
    assert format_duration(1.2) == "2s"
    assert format_duration(185) == "3m05s"
    assert format_duration(3720) == "1h02m"
    assert format_event(event(200, finished=True)).endswith("done in 6s")


def _pid() -> int:
    import os
    return os.getpid()


def test_a_shared_pool_serves_several_studies_with_the_same_workers(scenario, reference):
    from simulation.runs.dispatch import shared_pool

    with shared_pool(2) as pool:
        first = run_many(scenario, replications=N_REPLICATIONS, workers=2, executor=pool)
        workers = set(pool._processes)
        second = run_many(scenario, replications=N_REPLICATIONS, workers=2, executor=pool)
        assert workers and set(pool._processes) == workers     # the second study started no worker
    assert_same_results(first, reference)
    assert_same_results(second, reference)


def test_a_shared_pool_left_by_an_error_stops_its_workers():
    from simulation.runs.dispatch import shared_pool

    with pytest.raises(KeyboardInterrupt):
        with shared_pool(2) as pool:
            pool.submit(_pid).result()
            processes = list(pool._processes.values())
            raise KeyboardInterrupt
    for process in processes:
        process.join(timeout=5)
    assert processes and not any(p.is_alive() for p in processes)
