"""Validation suite: the engine against results known in closed form.

The cases live in ``cases.py`` beside this file (one function per case, each
returning a :class:`cases.Case` record), so that ``tools/write_validation_doc.py``
writes ``docs/validation.md`` from the very same computations the tests assert.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases  # noqa: E402  (needs the path above under any pytest import mode)


def assert_case_passed(case: cases.Case) -> None:
    """Fail with every failing check of ``case`` listed (target, simulated ± SE, tolerance)."""
    assert case.checks, f"{case.title}: no checks"
    failures = case.failures
    assert not failures, f"{case.title} ({case.scenario_file}):\n" + "\n".join(c.describe() for c in failures)


@pytest.fixture(scope="session")
def assert_valid() -> Callable[[cases.Case], None]:
    """``assert_valid(case)``: every check of a validation case passes."""
    return assert_case_passed
