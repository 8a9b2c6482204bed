"""The command line fails early and loudly: output paths are checked before anything runs,
and a crash exits 3 with the traceback in a log, never 0 or 1."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "winter_apparel.yaml"


def presale(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulation", *map(str, args)], cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("option,value,says", [
    ("--summary-md", "", "--summary-md is empty"),
    ("--junit-xml", "{tmp}", "is a folder"),
    ("--junit-xml", "{tmp}/a-file.txt/gates.xml", "does not exist"),
    ("--junit-xml", "{tmp}/missing/gates.xml", "does not exist"),
])
def test_a_bad_output_path_fails_at_once_before_anything_runs(tmp_path, option, value, says):
    (tmp_path / "a-file.txt").write_text("x", encoding="utf-8")
    start = time.perf_counter()
    proc = presale("compare", SCENARIO, option, value.format(tmp=tmp_path), "--out", tmp_path / "out", cwd=tmp_path)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 2, proc.stderr
    assert says in proc.stderr and "nothing was run" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()
    assert elapsed < 10          # generous on a loaded machine; the check itself takes well under a second


def test_an_out_folder_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "results").write_text("x", encoding="utf-8")
    proc = presale("compare", SCENARIO, "--out", tmp_path / "results", cwd=tmp_path)
    assert proc.returncode == 2 and "is a file, not a folder" in proc.stderr


def test_a_crash_exits_3_with_one_line_and_a_log(tmp_path):
    code = ("import sys; import simulation.cli as cli; import simulation.cli.compare_batch as batch\n"
            "def boom(*a, **k):\n    raise RuntimeError('injected')\n"
            "batch.run_compare = boom\n"
            f"sys.argv = ['presale', 'compare', {str(SCENARIO)!r}, '--out', {str(tmp_path / 'out')!r}]\n"
            "cli.main()\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "presale crashed: RuntimeError: injected" in lines[0]
    log = Path(re.search(r"the traceback is in (\S+);", lines[0]).group(1))
    assert "Traceback" in log.read_text(encoding="utf-8") and "injected" in log.read_text(encoding="utf-8")
    log.unlink()


def test_version_and_short_help(tmp_path):
    from importlib.metadata import version

    proc = presale("--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == f"presale-sim {version('presale-sim')}"
    for args in (["-h"], ["compare", "-h"]):
        proc = presale(*args, cwd=tmp_path)
        assert proc.returncode == 0 and proc.stdout.startswith("Usage: ") and "-h, --help" in proc.stdout


def test_set_is_a_quick_what_if_checked_like_the_file(tmp_path):
    ok = presale("run", SCENARIO, "--population", "2000", "--set", "strategies.full_prepay.pricing.presale_price=749",
                 "--out", tmp_path / "r", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    import pandas as pd
    traj = pd.read_csv(tmp_path / "r" / "trajectory.csv")
    assert traj["price"].iloc[0] == 749
    for value, says in [("strategies.full_prepay.pricing.presal_price=749", "did you mean 'presale_price'"),
                        ("strategies.full_prepay.pricing.presale_price=-5", "must be greater than 0"),
                        ("nonsense", "expected PATH=VALUE")]:
        proc = presale("run", SCENARIO, "--set", value, cwd=tmp_path)
        assert proc.returncode == 2 and says in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_a_used_results_folder_is_kept_unless_resumed_or_forced(tmp_path):
    smoke = ROOT / "tests" / "fixtures" / "smoke.yaml"
    small = ["--population", "1000", "--replications", "2", "--workers", "1", "--quiet", "--out", tmp_path / "out"]
    assert presale("compare", smoke, *small, cwd=tmp_path).returncode in (0, 1)
    manifest = (tmp_path / "out" / "smoke" / "manifest.json").read_bytes()
    again = presale("compare", smoke, *small, cwd=tmp_path)
    assert again.returncode == 2 and "already holds a run" in again.stderr and "--resume" in again.stderr
    assert (tmp_path / "out" / "smoke" / "manifest.json").read_bytes() == manifest      # nothing overwritten
    assert presale("compare", smoke, *small, "--resume", cwd=tmp_path).returncode in (0, 1)
    assert presale("compare", smoke, *small, "--force", cwd=tmp_path).returncode in (0, 1)


def test_a_compare_into_a_folder_another_run_holds_refuses_at_once(tmp_path):
    from simulation.runs.lock import FolderLock

    smoke = ROOT / "tests" / "fixtures" / "smoke.yaml"
    with FolderLock(tmp_path / "out" / "smoke"):                 # held by this (live) process
        proc = presale("compare", smoke, "--population", "2000", "--replications", "4", "--out", tmp_path / "out",
                       cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert re.search(rf"out/smoke is in use by another run \(pid {__import__('os').getpid()} on \S+, started 20",
                     proc.stderr) and "nothing was run" in proc.stderr
    assert not (tmp_path / "out" / "smoke" / "manifest.json").exists()


def test_an_interrupted_compare_writes_a_partial_report_marked_incomplete(tmp_path):
    smoke = ROOT / "tests" / "fixtures" / "smoke.yaml"
    out = tmp_path / "out"
    code = ("import sys; import simulation.cli as cli; import simulation.runs.execution as ex\n"
            "real = ex._Tracker.advance\n"
            "def advance(self, *a):\n    real(self, *a)\n    raise KeyboardInterrupt\n"  # Ctrl-C after a chunk
            "ex._Tracker.advance = advance\n"
            f"sys.argv = ['presale', 'compare', {str(smoke)!r}, '--population', '2000', '--replications', '4',"
            f" '--workers', '1', '--quiet', '--out', {str(out)!r}]\n"
            "cli.main()\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert "interrupted; 1 of 4 replications finished and are kept; partial report, marked incomplete" in proc.stderr
    assert f"to finish: presale compare {smoke} --out {out} --resume" in proc.stderr
    report = (out / "smoke" / "report.md").read_text(encoding="utf-8")
    assert "INCOMPLETE: the run was interrupted after 1 of 4 replications" in report.splitlines()[2]
    assert "INCOMPLETE" in (out / "smoke" / "report.html").read_text(encoding="utf-8")


def test_two_files_whose_results_would_collide_are_named(tmp_path):
    smoke = (ROOT / "tests" / "fixtures" / "smoke.yaml").read_text(encoding="utf-8")
    for name in ("a/smoke.yaml", "b/smoke.yaml", "b/other.yaml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(smoke, encoding="utf-8")
    proc = presale("compare", "a/smoke.yaml", "b/smoke.yaml", "b/other.yaml", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        "a/smoke.yaml and b/smoke.yaml share the file name 'smoke', so both would write to out/smoke; rename one "
        "(or compare them in two runs with different --out); nothing was run",
        "a/smoke.yaml and b/other.yaml both have name: 'smoke', so their gates and summaries would be mixed up; "
        "give one of them another name; nothing was run"]
    assert not (tmp_path / "out").exists()
