"""Replications on a Dask cluster give exactly the results of a local run.

One local cluster of two single-threaded worker processes serves the library
tests (reached both as a cluster started by ``dask_executor`` and through its
scheduler address, as a remote cluster is); the command-line test starts its own.
Random streams are keyed by replication, never by worker, so the tables must be
equal value for value, not just close.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from simulation import PresaleError, load_scenario, with_overrides  # noqa: E402
from simulation.cli.compare_batch import resolve_executor, run_compare  # noqa: E402
from simulation.runs.execution import resume, run_many  # noqa: E402
from simulation.runs.executors import DaskExecutor, dask_executor  # noqa: E402
from simulation.runs.store import ResultStore  # noqa: E402
from simulation.runs.progress import ProgressEvent  # noqa: E402

SMOKE = Path(__file__).parent / "fixtures" / "smoke.yaml"
N_REPLICATIONS = 6
SMALL = ["--population", "2000", "--replications", str(N_REPLICATIONS), "--quiet"]


def presale(*args, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulation", *map(str, args)], cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)


def assert_same_results(a, b) -> None:
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)
    pd.testing.assert_frame_equal(a.trajectories, b.trajectories)


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def scenario():
    return with_overrides(load_scenario(SMOKE), {"run.population": 2000})


@pytest.fixture(scope="module")
def reference(scenario):
    """Inline: one worker, this process."""
    return run_many(scenario, replications=N_REPLICATIONS, workers=1)


@pytest.fixture(scope="module")
def pool():
    """A local cluster of two worker processes, one thread each, no dashboard."""
    with dask_executor(workers=2) as executor:
        yield executor


# --- identical results --------------------------------------------------------------------------

def test_local_cluster_has_the_requested_workers(pool):
    assert isinstance(pool, DaskExecutor) and pool.local
    assert pool.n_threads == 2
    assert pool.address.startswith("tcp://127.0.0.1:")


def test_local_workers_keep_the_default_malloc_settings(pool):
    """Dask's MALLOC_TRIM_THRESHOLD_ would make every large array a fresh mmap."""
    assert pool.submit(os.getenv, "MALLOC_TRIM_THRESHOLD_").result() is None
    assert pool.submit(os.getenv, "OMP_NUM_THREADS").result() == "1"


def test_dask_equals_the_inline_run(scenario, reference, pool):
    results = run_many(scenario, replications=N_REPLICATIONS, executor=pool, chunk_size=1)
    assert results.complete and results.failures.empty
    assert_same_results(results, reference)


def test_dask_through_a_scheduler_address_equals_the_inline_run(scenario, reference, pool):
    """The remote path: probe, version check, a client of its own on a running cluster."""
    with dask_executor(scheduler=pool.address) as remote:
        assert not remote.local and remote.n_threads == 2
        results = run_many(scenario, replications=N_REPLICATIONS, executor=remote, chunk_size=2)
    assert results.complete
    assert_same_results(results, reference)


def test_a_cluster_running_another_version_is_refused(pool, monkeypatch):
    import simulation.runs.executors as executors

    monkeypatch.setattr(executors, "_local_version", lambda: "9.9.9")
    with pytest.raises(PresaleError, match=r"must run presale-sim 9\.9\.9, the version here; found "
                                           r"scheduler: \S+; tcp://127\.0\.0\.1:\d+: \S+; tcp://"), \
            dask_executor(scheduler=pool.address):
        pass


def test_ctrl_c_then_resume_on_dask_equals_the_inline_run(tmp_path, scenario, reference, pool):
    events: list[ProgressEvent] = []

    def stop_after_first_chunk(event: ProgressEvent) -> None:
        events.append(event)
        if event.done > 0 and not event.finished:
            raise KeyboardInterrupt

    first = run_many(scenario, replications=N_REPLICATIONS, executor=pool, chunk_size=1,
                     progress=stop_after_first_chunk, store=ResultStore(tmp_path))
    assert first.interrupted and not first.complete
    assert events[-1].finished and events[-1].interrupted
    assert 1 <= first.outcomes["replication"].nunique() < N_REPLICATIONS
    results = resume(tmp_path, scenario, executor=pool, chunk_size=1)
    assert results.complete and not results.interrupted
    assert_same_results(results, reference)


# --- the command line -----------------------------------------------------------------------------

def test_cli_dask_writes_the_outcomes_of_the_local_pool(tmp_path):
    dask_run = presale("compare", SMOKE, *SMALL, "--executor", "dask", "--workers", "2",
                       "--out", tmp_path / "dask", cwd=tmp_path)
    # Inline; test_execution shows the local process pool gives the same tables.
    local_run = presale("compare", SMOKE, *SMALL, "--executor", "local", "--workers", "1",
                        "--out", tmp_path / "local", cwd=tmp_path)
    for proc in (dask_run, local_run):
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr and "WARNING" not in proc.stderr, proc.stderr
    for table in ("outcomes.parquet", "trajectories.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask" / "smoke" / table),
                                      pd.read_parquet(tmp_path / "local" / "smoke" / table))
    manifest = (tmp_path / "dask" / "smoke" / "manifest.json").read_text(encoding="utf-8")
    assert '"executor": "dask (local cluster)"' in manifest and '"workers": 2' in manifest


def compare_in_process(scenario, out: Path, **options) -> tuple[int, list[str]]:
    """``presale compare`` of the smoke scenario without a new interpreter: exit code, messages."""
    messages: list[str] = []
    settings = dict(replications=2, workers=None, population=None, seed=None, out=out, gates=(),
                    junit_xml=None, summary_md=None, resume=False, executor=None, scheduler=None,
                    quiet=True, override=lambda sc, **_: sc, echo=messages.append, err=messages.append)
    code = run_compare([SMOKE], [scenario], **{**settings, **options})
    return code, messages


def test_compare_with_an_unreachable_scheduler_is_bad_input(tmp_path, scenario):
    address = f"tcp://127.0.0.1:{closed_port()}"
    code, messages = compare_in_process(scenario, tmp_path, scheduler=address)
    assert code == 2 and len(messages) == 1
    assert messages[0].startswith(f"cannot start the dask executor: cannot reach the Dask scheduler at {address}: "
                                  "nothing listens on port"), messages[0]
    assert not (tmp_path / "smoke").exists()


# --- what the user gets wrong ---------------------------------------------------------------------

def test_scheduler_alone_implies_dask():
    assert resolve_executor(None, scheduler=None, workers=None) == "local"
    assert resolve_executor(None, scheduler="tcp://h:8786", workers=None) == "dask"
    assert resolve_executor("dask", scheduler=None, workers=3) == "dask"


@pytest.mark.parametrize(("executor", "scheduler", "workers", "message"), [
    ("ray", None, None, "--executor: unknown executor 'ray'; use 'local' or 'dask'"),
    ("local", "tcp://h:8786", None, "--scheduler is the address of a Dask scheduler; it needs --executor dask"),
    ("dask", "tcp://h:8786", 4, "--workers sets the size of the local pool or local Dask cluster"),
])
def test_contradictory_executor_options_are_refused(executor, scheduler, workers, message):
    with pytest.raises(PresaleError, match=re.escape(message)):
        resolve_executor(executor, scheduler=scheduler, workers=workers)


@pytest.mark.parametrize(("address", "message"), [
    ("nonsense", "--scheduler 'nonsense' is not a Dask scheduler address"),
    (f"tcp://127.0.0.1:{closed_port()}", "connection refused"),
    ("tcp://no-such-host.invalid:8786", "unknown host 'no-such-host.invalid'"),
], ids=["not-an-address", "closed-port", "unknown-host"])   # fixed ids: the closed port differs per process
def test_a_bad_scheduler_address_says_what_is_wrong(address, message):
    with pytest.raises(PresaleError, match=message), dask_executor(scheduler=address, connect_timeout_s=2):
        pass


def test_a_silent_service_is_not_waited_for_long():
    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(PresaleError, match="did not answer within 1 s"), \
                dask_executor(scheduler=address, connect_timeout_s=1):
            pass


def test_without_the_extra_the_message_says_what_to_install(monkeypatch, tmp_path, scenario):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(PresaleError, match=r"pip install '\.\[dask\]'"), dask_executor():
        pass
    code, messages = compare_in_process(scenario, tmp_path, executor="dask")
    assert code == 2
    assert messages == [messages[0]] and "cannot start the dask executor" in messages[0]
    assert "pip install '.[dask]'" in messages[0]


def test_dask_is_imported_only_when_used():
    code = ("import sys, simulation, simulation.cli.app, simulation.cli.compare_batch, simulation.runs.executors; "
            "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
