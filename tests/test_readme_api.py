"""The README's Python API example runs as a script, as written (smaller here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## The Python API"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_api_example_runs_as_a_script(tmp_path):
    code = readme_example()
    assert 'if __name__ == "__main__":' in code
    small = (code.replace("replications=100", "replications=3").replace("replications=40", "replications=2")
             .replace('load_scenario("scenarios/winter_apparel.yaml")',
                      'with_overrides(load_scenario("scenarios/winter_apparel.yaml"), {"run.population": 2000})'))
    assert small != code
    script = tmp_path / "example.py"
    script.write_text(small, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "full_prepay" in proc.stdout and "inflated_deposit" in proc.stdout


def test_all_runs_failing_raises_instead_of_an_empty_study(tmp_path):
    """A script without the guard: every worker re-runs it and fails; the caller gets an exception."""
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from simulation import compare_strategies, load_scenario, with_overrides, StudySettings\n"
        "from simulation.analysis.study import AllRunsFailed\n"
        f"sc = with_overrides(load_scenario({str(ROOT / 'tests' / 'fixtures' / 'smoke.yaml')!r}), "
        "{'run.population': 1000})\n"
        "try:\n"
        "    compare_strategies(sc, StudySettings(replications=2, workers=2))\n"
        "except AllRunsFailed as e:\n"
        "    print('RAISED', e)\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=600)
    assert "RAISED every run failed" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
