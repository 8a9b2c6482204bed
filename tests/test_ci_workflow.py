"""The example CI workflow's comparison passes on the bundled scenarios (fewer replications here)."""

from __future__ import annotations

import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _compare_command() -> list[str]:
    workflow = yaml.safe_load((ROOT / "docs" / "ci-workflow.yml").read_text(encoding="utf-8"))
    runs = [step["run"] for step in workflow["jobs"]["compare"]["steps"]
            if str(step.get("run", "")).startswith("presale compare")]
    assert len(runs) == 1, runs
    return shlex.split(runs[0])


def test_the_example_workflow_passes_on_the_bundled_scenarios(tmp_path):
    words = _compare_command()
    assert words[:2] == ["presale", "compare"] and "scenarios/*.yaml" in words
    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    assert len(files) >= 3
    args = [w for w in words[2:] if w != "scenarios/*.yaml"]
    args = [str(tmp_path / "summary.md") if w == "$GITHUB_STEP_SUMMARY" else w for w in args]
    args = [str(tmp_path / "gates.xml") if w == "gates.xml" else w for w in args]
    # Later options win: fewer replications (and consumers) than the workflow's keep the test quick.
    proc = subprocess.run([sys.executable, "-m", "simulation", "compare", *files, *args,
                           "--replications", "30", "--population", "5000", "--out", str(tmp_path / "results")],
                          cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    cases = list(ET.parse(tmp_path / "gates.xml").getroot().iter("testcase"))
    assert len(cases) >= len(files) and not any(c.find("failure") is not None for c in cases)
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").count("### Presale what-if") == len(files)
