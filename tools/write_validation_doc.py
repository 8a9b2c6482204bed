"""Write docs/validation.md from the validation cases' own numbers.

Runs every case of ``tests/validation/cases.py`` (the same functions the
validation tests assert) and writes one table per case: the closed form, its
parameters, and for each check the target, the simulated value ± its standard
error, the tolerance and the verdict.

Usage::

    python tools/write_validation_doc.py [--output docs/validation.md]

Exits with status 1 when a check fails (the document is written all the same).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "validation"))

import cases  # noqa: E402

HEADER = """\
# Model validation: results known in closed form

Each case below runs a toy market through the public API (a scenario file of
`scenarios/validation/`, `with_overrides`, `simulation.runs.runner.Replication` and its
outcomes and trajectories) and compares the simulation with a result known in
closed form. The numbers are written by `tools/write_validation_doc.py` from the
same functions that `tests/validation` asserts (`tests/validation/cases.py`).

**Tolerances.** A statistical check compares the mean over the scenario's
replications with the closed form and passes when |simulated − target| ≤
{k:g}·SE, SE being the standard error of that mean (sample standard deviation over
the replications / √R); where the closed form and the estimator differ by a known
deterministic amount (finite-difference truncation, the one-day time step) that
allowance is added and named in the tolerance column. An exact check compares
deterministic quantities replication by replication (floating-point rounding
only; the table shows means over replications). A sign check asks that a paired
difference lie on the predicted side of zero by more than {k:g}·SE. All runs use
the fixed seeds of the scenario files, so the numbers below are reproducible.

## How to re-run

```
python -m pytest tests/validation -q      # assert every check
python tools/write_validation_doc.py      # rewrite this page
```
"""


def _num(x: float) -> str:
    return f"{x:.6g}"


def _simulated(check: cases.Check) -> str:
    if check.is_exact:
        return f"{_num(check.simulated)}"
    return f"{_num(check.simulated)} ± {check.se:.2g}"


def _tolerance(check: cases.Check) -> str:
    if check.is_exact:
        return "exact"
    return f"{check.tolerance:.3g} ({check.rule})"


def _target(check: cases.Check) -> str:
    return _num(check.target) if check.relation == "≈" else f"{check.relation} {_num(check.target)}"


def case_section(number: int, case: cases.Case) -> str:
    """Markdown of one case: closed form, parameters and the checks table."""
    lines = [f"## {number}. {case.title}", "",
             f"Scenario: `{case.scenario_file}`. Validates: {case.mechanism}.", "",
             f"Closed form: {case.closed_form}.", "",
             "Parameters: " + "; ".join(f"{k} = {v}" for k, v in case.parameters.items()) + ".", "",
             "| check | target | simulated ± SE | tolerance | passed |",
             "|---|---:|---:|---|:---:|"]
    for c in case.checks:
        lines.append(f"| {c.quantity} | {_target(c)} | {_simulated(c)} | {_tolerance(c)} | "
                     f"{'yes' if c.passed else '**no**'} |")
    if case.notes:
        lines += ["", case.notes]
    return "\n".join(lines) + "\n"


def render(results: list[cases.Case]) -> str:
    """The whole page."""
    summary = ["## Summary", "", "| # | case | checks | passed |", "|---:|---|---:|:---:|"]
    for i, case in enumerate(results, start=1):
        passed = sum(c.passed for c in case.checks)
        summary.append(f"| {i} | {case.title} | {len(case.checks)} | "
                       f"{'all' if case.passed else f'**{passed}/{len(case.checks)}**'} |")
    parts = [HEADER.format(k=cases.K_SE), "\n".join(summary) + "\n"]
    parts += [case_section(i, case) for i, case in enumerate(results, start=1)]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Run the cases, write the page, report failures through the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "validation.md")
    args = parser.parse_args(argv)
    results = [case() for case in cases.CASES]
    args.output.write_text(render(results), encoding="utf-8")
    failed = [c.title for c in results if not c.passed]
    print(f"wrote {args.output}: {len(results)} cases, "
          + (f"FAILED: {', '.join(failed)}" if failed else "all checks passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
