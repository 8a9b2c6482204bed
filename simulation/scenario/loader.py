"""The only code that reads scenario files.

:func:`load_scenario` reads YAML, resolves ``extends``, validates against the
frozen schema, applies the cross-field rules, and raises one
:class:`~simulation.errors.ScenarioError` listing every problem, each located
as ``file:line:col: dotted.path: message``.

Every problem of a file is reported at once: when some fields are invalid, the
cross-field rules still run on the parts that are valid (see :mod:`.partial`).
A mistake that a strategy inherits through ``extends`` is reported once, where it
is written, not again for every strategy that extends it.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import ValidationError

from ..errors import Problem, ScenarioError
from .extends import Extends, resolve_extends
from .partial import INVALID, salvage
from .problems import Located, locate_validation_error, problem_at
from .rules import check_rules
from .schema import Scenario
from .yamlsource import Locator, read_yaml_document

__all__ = ["load_scenario", "scenario_from_dict"]

# What a strategy with a broken ``extends`` lacks because it inherited nothing.
_INHERITABLE = {"missing", "union_tag_not_found"}


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.col or 0, p.path))


def _validate(data: Any, locator: Locator | None, file: str | None) -> Scenario:
    ext = resolve_extends(data)
    found = [Located(loc, "extends", problem_at(loc, msg, locator=locator, file=file)) for loc, msg in ext.problems]
    errors: list[Located] = []
    try:
        scenario = Scenario.model_validate(ext.data)
    except ValidationError as err:
        errors = locate_validation_error(err, locator=locator, file=file, root_model=Scenario)
        found += [f for f in errors if not (f.kind in _INHERITABLE and _strategy_of(f.path) in ext.broken)]
        scenario = salvage(Scenario, ext.data)
    if scenario is not INVALID:
        for f in check_rules(_without(scenario, ext.broken)):
            problem = problem_at(f.loc, f.message, locator=locator, file=file, key=f.at_key)
            found.append(Located(tuple(f.loc), "rule", problem))
    problems = [f.problem for f in _once(found, ext)] or [f.problem for f in errors]
    if problems:
        raise ScenarioError(_sorted(problems))
    scenario._extends = {name: (parent, ext.own[name]) for name, parent in ext.parents.items()}
    return scenario


def _strategy_of(path: tuple) -> Any:
    return path[1] if len(path) >= 2 and path[0] == "strategies" else None


def _without(scenario: Scenario, broken: frozenset) -> Scenario:
    """``scenario`` with the strategies whose ``extends`` is broken left out of the rules."""
    strategies = scenario.strategies
    if not broken or not isinstance(strategies, dict):
        return scenario
    kept = {name: INVALID if name in broken else s for name, s in strategies.items()}
    return scenario.model_copy(update={"strategies": kept})


def _once(found: list[Located], ext: Extends) -> list[Located]:
    """Leave out the problems a strategy has only through the strategy it extends.

    That is the parent's very problem at an entry the strategy inherits unchanged,
    and a missing field under an entry that is wrong in a parent, grandparent...
    (the strategy lacks what it meant to inherit).
    """
    in_strategies = [(f, _strategy_of(f.path), f.path[2:]) for f in found]
    seen = {(name, rest, f.problem.message) for f, name, rest in in_strategies if name is not None}
    wrong = {(name, rest) for f, name, rest in in_strategies if name is not None}
    kept = []
    for f, name, rest in in_strategies:
        if name is not None:
            parent = ext.inherited_from(name, rest)
            if parent is not None and (parent, rest, f.problem.message) in seen:
                continue
            if f.kind in _INHERITABLE and any((ancestor, rest[:end]) in wrong
                                              for ancestor in ext.ancestors(name) for end in range(len(rest) + 1)):
                continue
        kept.append(f)
    return kept


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
