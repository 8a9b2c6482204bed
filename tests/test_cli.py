"""The ``presale`` command line end to end, as a strategist or a CI job runs it:
real processes, no standard input, exit codes and files checked."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
import yaml

FIXTURE = Path(__file__).parent / "fixtures" / "smoke.yaml"
SMALL = ["--population", "4000", "--replications", "12", "--workers", "1", "--quiet"]


def presale(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulation", *map(str, args)], cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)


def scenario_with(tmp_path: Path, name: str, **strategies) -> Path:
    """The smoke scenario with extra strategies (each extends ``base``)."""
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    data["strategies"] = {"base": data["strategies"]["base"],
                          **{k: {"extends": "base", **v} for k, v in strategies.items()}}
    data["baseline"] = "base"
    data.pop("gates", None)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def assert_no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    """One comparison of a worse and an equal variant, with a gate and CI outputs."""
    tmp = tmp_path_factory.mktemp("gated")
    # 'worse' gives away 150 of a 450 presale price; 'same' restates the base price.
    path = scenario_with(tmp, "variants", worse={"pricing": {"presale_price": 300}},
                         same={"pricing": {"presale_price": 450}})
    proc = presale("compare", path, *SMALL, "--out", tmp / "out", "--fail-if", "profit.mean < baseline -2%",
                   "--junit-xml", tmp / "gates.xml", "--summary-md", tmp / "summary.md", cwd=tmp)
    return tmp, proc


def test_a_worse_variant_fails_the_gate_with_exit_1(gated):
    tmp, proc = gated
    assert_no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failed = [line for line in proc.stdout.splitlines() if "GATE FAILED" in line]
    assert len(failed) == 1 and "[worse]" in failed[0], proc.stdout
    # The message names the metric, the paired difference and its interval.
    comparison = pd.read_csv(tmp / "out" / "variants" / "comparison.csv")
    row = comparison[(comparison.strategy == "worse") & (comparison.metric == "profit")].iloc[0]
    assert row.diff_ci_high < -0.02 * abs(row.baseline_mean)
    expected = f"profit: worse vs base paired diff {row.diff_mean:,.0f}"
    assert expected in failed[0] and f"95% CI [{row.diff_ci_low:,.0f}, {row.diff_ci_high:,.0f}]" in failed[0], failed[0]


def test_an_equal_variant_passes_and_ci_outputs_say_so(gated):
    tmp, proc = gated
    cases = {c.get("name"): c for c in ET.parse(tmp / "gates.xml").getroot().iter("testcase")}
    worse = [c for n, c in cases.items() if "worse" in n]
    same = [c for n, c in cases.items() if "same" in n]
    assert worse and all(c.find("failure") is not None for c in worse)
    assert same and all(c.find("failure") is None for c in same)
    summary = (tmp / "summary.md").read_text(encoding="utf-8")
    assert "worse" in summary and "same" in summary
    comparison = pd.read_csv(tmp / "out" / "variants" / "comparison.csv")
    same_profit = comparison[(comparison.strategy == "same") & (comparison.metric == "profit")].iloc[0]
    assert same_profit.diff_mean == 0 and same_profit.verdict == "same"


def test_the_terminal_and_the_ci_summary_open_with_the_decision(gated):
    tmp, proc = gated
    out = proc.stdout
    # 'same' restates the baseline, so their paired difference is 0 everywhere: a tie, and the
    # baseline (first of equals) stays; 'worse' loses measurably.
    assert "Keep the baseline base" in out, out
    assert "- Tied with: same" in out and "- Not worse:" in out, out
    assert out.index("Keep the baseline base") < out.index("Profit mean [CI]")
    summary = (tmp / "summary.md").read_text(encoding="utf-8")
    assert "> **Keep the baseline base" in summary


def test_equal_variant_alone_exits_0(tmp_path):
    path = scenario_with(tmp_path, "equal", same={"pricing": {"presale_price": 450}})
    proc = presale("compare", path, *SMALL, "--out", tmp_path / "out",
                   "--fail-if", "profit.mean < baseline -2%", cwd=tmp_path)
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "GATE FAILED" not in proc.stdout
    manifest = json.loads((tmp_path / "out" / "equal" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is True


def test_a_results_folder_given_as_scenario_says_how_to_resume(gated):
    """``--resume DIR`` reads DIR as a scenario file; the message shows the command that resumes."""
    tmp, _ = gated
    for folder in (tmp / "out", tmp / "out" / "variants"):
        proc = presale("compare", tmp / "variants.yaml", "--resume", folder, cwd=tmp)
        assert_no_traceback(proc)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert f"{folder}: is a folder of results, not a scenario file" in proc.stderr
        assert f"presale compare {tmp / 'variants.yaml'} --out {tmp / 'out'} --resume" in proc.stderr


def test_the_report_and_tables_are_written(gated):
    tmp, _ = gated
    out = tmp / "out" / "variants"
    for name in ("report.html", "report.md", "summary.csv", "summary.json", "comparison.json",
                 "outcomes.parquet", "trajectories.parquet", "manifest.json"):
        assert (out / name).stat().st_size > 0, name
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert len(outcomes) == 3 * 12 and set(outcomes.strategy) == {"base", "worse", "same"}
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert {"profit_distribution.png", "risk_return.png", "orders_stock.png", "cash.png",
            "waterfall.png"} <= set(figures)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "<img src=\"figures/" not in html


@pytest.mark.parametrize("gate", ["profit.mean < baseline - two%", "profit.median < baseline", "nope"])
def test_a_malformed_gate_is_bad_input(tmp_path, gate):
    path = scenario_with(tmp_path, "g", same={"pricing": {"presale_price": 450}})
    proc = presale("compare", path, *SMALL, "--out", tmp_path / "out", "--fail-if", gate, cwd=tmp_path)
    assert_no_traceback(proc)
    assert proc.returncode == 2 and proc.stderr.strip(), proc.stderr
    assert not (tmp_path / "out").exists()


def test_validate_and_run(tmp_path):
    proc = presale("validate", FIXTURE, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("ok:"), proc.stdout + proc.stderr
    proc = presale("run", FIXTURE, "--strategy", "prepay", "--population", "3000", "--out", tmp_path / "r",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "profit" in proc.stdout and "sell-through" in proc.stdout
    trajectory = pd.read_csv(tmp_path / "r" / "trajectory.csv")
    outcome = json.loads((tmp_path / "r" / "outcome.json").read_text(encoding="utf-8"))
    assert len(trajectory) == 60 and {"day", "phase", "stock", "cash"} <= set(trajectory.columns)
    assert (outcome[0] if isinstance(outcome, list) else outcome)["strategy"] == "prepay"


def test_unknown_strategy_and_bad_scenario_are_bad_input(tmp_path):
    proc = presale("run", FIXTURE, "--strategy", "prepai", cwd=tmp_path)
    assert proc.returncode == 2 and "did you mean 'prepay'" in proc.stderr, proc.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(FIXTURE.read_text(encoding="utf-8").replace("presale_price: 450", "presal_price: 450"),
                      encoding="utf-8")
    for command in ("validate", "run", "compare"):
        proc = presale(command, broken, cwd=tmp_path)
        assert_no_traceback(proc)
        assert proc.returncode == 2, (command, proc.stderr)
        assert f"{broken}:" in proc.stderr and "presal_price" in proc.stderr and "presale_price" in proc.stderr
    assert not (tmp_path / "results").exists()


def test_gate_mistakes_are_found_before_anything_runs(tmp_path):
    path = scenario_with(tmp_path, "gates", same={"pricing": {"presale_price": 450}})
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "gates:\n- proft.mean < baseline -2%\n- 'nobody: profit.mean < 0'\n", encoding="utf-8")
    lines = len(text.splitlines())
    proc = presale("validate", path, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{path}:{lines + 2}:3: gates[0]: gate 'proft.mean < baseline -2%': unknown metric 'proft'; " \
           "did you mean 'profit'?" in proc.stderr
    assert f"{path}:{lines + 3}:3: gates[1]: " in proc.stderr and "unknown strategy 'nobody'" in proc.stderr
    proc = presale("compare", scenario_with(tmp_path, "flag", same={}), *SMALL, "--out", tmp_path / "out",
                   "--fail-if", "sell_thru.mean < baseline -1%", cwd=tmp_path)
    assert_no_traceback(proc)
    assert proc.returncode == 2 and "did you mean 'sell_through'?" in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()


def test_runs_that_all_fail_exit_3_with_the_cause_and_no_report(tmp_path):
    # Valid as written, but every replication draws a launch day before the balance window opens.
    path = scenario_with(tmp_path, "doomed", same={"pricing": {"presale_price": 450}})
    path.write_text(path.read_text(encoding="utf-8")
                    + "uncertainties:\n  calendar.launch_day: {dist: uniform, low: 1, high: 5}\n", encoding="utf-8")
    proc = presale("compare", path, *SMALL, "--out", tmp_path / "out", cwd=tmp_path)
    assert_no_traceback(proc)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "every run failed, e.g. base replication 0: PresaleError:" in proc.stderr
    assert "launch_day" in proc.stderr
    out = tmp_path / "out" / "doomed"
    failures = pd.read_csv(out / "failures.csv")
    assert len(failures) == 2 * 12 and not (out / "report.html").exists()
