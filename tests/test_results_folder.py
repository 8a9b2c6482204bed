"""Faults tried on purpose on a results folder: a second run at once (lock), a corrupted or
truncated chunk before a resume (checksums in the ledger), a full disk (injected, and on a
real 2 MB tmpfs where the tests run as root)."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import simulation.runs.store as store_module
from simulation.runs.execution import resume, run_many
from simulation.runs.lock import LOCK_NAME, FolderLock, FolderLocked, lock_holder
from simulation.runs.store import ResultStore
from test_execution import SMOKE, assert_same_results, smoke_scenario

ROOT = Path(__file__).resolve().parents[1]
N = 4


@pytest.fixture(scope="module")
def scenario():
    return smoke_scenario()


@pytest.fixture(scope="module")
def clean(scenario):
    return run_many(scenario, replications=N, workers=1)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _write_lock(directory: Path, pid: int) -> None:
    import socket

    directory.mkdir(parents=True, exist_ok=True)
    (directory / LOCK_NAME).write_text(json.dumps({"pid": pid, "host": socket.gethostname(),
                                                   "started_at": "2026-01-02T03:04:05+00:00"}))


# --- lock -------------------------------------------------------------------------------------------

def test_a_second_run_into_a_held_folder_refuses_at_once_naming_the_holder(tmp_path, scenario):
    with FolderLock(tmp_path):
        assert lock_holder(tmp_path).startswith(f"pid {os.getpid()} on ")
        with pytest.raises(FolderLocked, match=rf"in use by another run \(pid {os.getpid()} on .*started 20"):
            run_many(scenario, replications=N, workers=1, store=ResultStore(tmp_path))
        assert not (tmp_path / "ledger.jsonl").exists()       # refused before anything ran
    assert not (tmp_path / LOCK_NAME).exists() and lock_holder(tmp_path) is None


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path, scenario, clean):
    pid = _dead_pid()
    _write_lock(tmp_path, pid)
    assert lock_holder(tmp_path) is None
    results = run_many(scenario, replications=N, workers=1, store=ResultStore(tmp_path))
    assert results.complete and any(f"stale lock of pid {pid}" in n for n in results.notes)
    assert_same_results(results, clean)
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_lock_of_a_live_process_is_respected(tmp_path):
    _write_lock(tmp_path, os.getppid())
    with pytest.raises(FolderLocked, match=f"pid {os.getppid()}"):
        FolderLock(tmp_path).acquire()
    assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getppid()   # left alone


# --- checksums ----------------------------------------------------------------------------------------

def test_a_corrupted_or_truncated_chunk_is_run_again_on_resume_never_read(tmp_path, scenario, clean):
    run_many(scenario, replications=N, workers=1, chunk_size=1, store=ResultStore(tmp_path))
    chunks = tmp_path / "chunks"
    truncated = chunks / "chunk-000001-000001.parquet"
    truncated.write_bytes(truncated.read_bytes()[:100])
    flipped = chunks / "chunk-000002-000002-traj.parquet"
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0xFF                                  # same size, other content
    flipped.write_bytes(bytes(data))
    (chunks / "chunk-000003-000003.parquet").unlink()
    results = resume(tmp_path, scenario, workers=1)
    notes = "\n".join(results.notes)
    assert f"{truncated} has 100 bytes" in notes and "replications 1-1 are run again" in notes
    assert f"{flipped} does not match its checksum" in notes and "replications 2-2" in notes
    assert "chunk-000003-000003.parquet is missing" in notes
    assert results.complete
    assert_same_results(results, clean)
    assert len(ResultStore(tmp_path).ledger()) == N


# --- a full disk ----------------------------------------------------------------------------------------

def _full_after(calls: int):
    """An ``atomic_write`` for the store that fails with ENOSPC from the ``calls``-th call on."""
    real, count = store_module.atomic_write, [0]

    def write(path, writer):
        count[0] += 1
        if count[0] >= calls:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, writer)
    return write


def test_a_full_disk_stops_the_batch_keeps_finished_chunks_and_resume_finishes(tmp_path, scenario, clean,
                                                                                monkeypatch):
    monkeypatch.setattr(store_module, "atomic_write", _full_after(5))      # two chunks of two files fit
    first = run_many(scenario, replications=N, workers=1, chunk_size=1, store=ResultStore(tmp_path))
    assert first.interrupted and not first.complete
    assert first.stopped == f"cannot write {tmp_path / 'chunks' / 'chunk-000002-000002.parquet'}: " \
                            "No space left on device"
    assert sorted(first.outcomes["replication"].unique()) == [0, 1]
    assert ResultStore(tmp_path).finished_replications() == {0, 1}
    assert not (tmp_path / LOCK_NAME).exists()
    monkeypatch.undo()
    results = resume(tmp_path, scenario, workers=1)
    assert results.complete
    assert_same_results(results, clean)


def _presale(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulation", *map(str, args)], cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180)


@pytest.fixture
def tiny_tmpfs(tmp_path):
    """A 2 MB tmpfs (root only, where mount works)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_compare_on_a_full_tmpfs_says_which_file_exits_3_and_resume_finishes(tmp_path, tiny_tmpfs):
    filler = tiny_tmpfs / "filler"
    filler.write_bytes(b"\0" * (2 * 1024 * 1024 - 100 * 1024))       # room for about one chunk
    out = tiny_tmpfs / "out"
    proc = _presale("compare", SMOKE, "--population", "2000", "--replications", "4", "--workers", "1",
                    "--quiet", "--out", out, cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert re.search(r"cannot write \S+/out/smoke/chunks/chunk-\S+\.parquet: No space left on device; "
                     r"\d of 4 replications finished and are kept; to finish: presale compare .* --resume",
                     lines[0]), lines[0]
    store = ResultStore(out / "smoke")
    kept = store.finished_replications()
    assert 0 < len(kept) < 4
    recorded = {f for e in store.ledger() for f in (e["outcomes"], e["trajectories"])}
    assert {f"chunks/{p.name}" for p in (out / "smoke" / "chunks").iterdir()} == recorded   # no stray file
    filler.unlink()                                                    # space freed
    results = resume(out / "smoke", smoke_scenario(), workers=1)
    assert results.complete and store.finished_replications() == set(range(4))
