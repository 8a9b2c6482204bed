"""The only code that reads scenario files.

:func:`load_scenario` reads YAML, resolves ``extends``, validates against the
frozen schema, applies the cross-field rules, and raises one
:class:`~simulation.errors.ScenarioError` listing every problem, each located
as ``file:line:col: dotted.path: message``.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import ValidationError

from ..errors import Problem, ScenarioError
from .problems import problem_at, problems_from_validation_error
from .rules import check_rules
from .schema import Scenario, merge_extends
from .yamlsource import Locator, read_yaml_document

__all__ = ["load_scenario", "scenario_from_dict"]


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.col or 0, p.path))


def _validate(data: Any, locator: Locator | None, file: str | None) -> Scenario:
    data, inherited = merge_extends(data)
    problems = [problem_at(loc, msg, locator=locator, file=file) for loc, msg in inherited]
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        problems += problems_from_validation_error(err, locator=locator, file=file, root_model=Scenario)
        raise ScenarioError(_sorted(problems)) from None
    problems += [problem_at(loc, msg, locator=locator, file=file) for loc, msg in check_rules(scenario)]
    if problems:
        raise ScenarioError(_sorted(problems))
    return scenario


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario file.

    Raises
    ------
    ScenarioError
        With every problem found in the file (missing file, invalid YAML,
        wrong types, unknown keys, broken cross-field rules).
    """
    doc = read_yaml_document(path)
    problems = list(doc.problems)
    try:
        scenario = _validate(doc.data, doc.locator, doc.locator.file)
    except ScenarioError as err:
        raise ScenarioError(_sorted(problems + list(err.problems))) from None
    if problems:
        raise ScenarioError(_sorted(problems))
    return scenario


def scenario_from_dict(data: dict, *, name: str = "<dict>") -> Scenario:
    """Validate a scenario given as plain Python data (same rules as files)."""
    return _validate(data, None, name)
