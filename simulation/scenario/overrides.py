"""A scenario copied with some of its values changed, validated like a file."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from .loader import scenario_from_dict
from .paths import PathError, get_path, set_in
from .schema import Scenario

__all__ = ["with_overrides"]


def _as_written(data: dict, relation: dict[str, tuple[str, Any]], values: dict[str, Any]) -> dict:
    """``data`` with each strategy that ``extends`` another written as in the file (``extends``
    and its own keys, the overrides aimed at it set among them), so that resolving ``extends``
    again passes a changed lever on to the strategies that inherit it, as editing the file would.
    A strategy replaced whole (``strategies.NAME``) stands on its own; so does every strategy when
    the whole ``strategies`` mapping is given."""
    strategies = data.get("strategies")
    if not relation or not isinstance(strategies, dict) or "strategies" in values:
        return data
    own = {name: copy.deepcopy(mine) for name, (parent, mine) in relation.items()
           if name in strategies and parent in strategies}
    for path, value in values.items():
        parts = path.split(".")
        if parts[0] == "strategies" and parts[1] in own:
            if len(parts) == 2:
                del own[parts[1]]
            else:
                own[parts[1]] = set_in(own[parts[1]], parts[2:], value)
    written = {name: {"extends": relation[name][0], **own[name]} if name in own else body
               for name, body in strategies.items()}
    return {**data, "strategies": written}


def _drawn_by_uncertainty(path: str, uncertain: list[str]) -> str | None:
    """The uncertainty that draws ``path`` (or a value above it) anew in every replication."""
    return next((u for u in uncertain if path == u or path.startswith(u + ".")), None)


def with_overrides(scenario: BaseModel, overrides: dict[str, Any], *, source: str = "overrides") -> BaseModel:
    """A new validated scenario with each dotted path set to its value.

    The input is never mutated. A lever changed on a strategy that others
    ``extends`` reaches those that inherit it (not those that write it themselves),
    as editing the file would. Paths are checked first, so a typo raises
    :class:`PathError` naming it; so does a path whose value an entry of
    ``uncertainties`` draws anew in every replication (the override would have
    no effect: change or remove that entry instead). The result is validated
    like a file, cross-field rules included, and a
    :class:`~simulation.errors.ScenarioError` names each problem as
    ``source: dotted.path: message``.
    """
    for path in overrides:
        get_path(scenario, path)
    data = scenario.model_dump(by_alias=True, exclude_unset=False)
    values = {path: value.model_dump(by_alias=True) if isinstance(value, BaseModel) else value
              for path, value in overrides.items()}
    for path, value in values.items():
        data = set_in(data, path.split("."), value)
    uncertain = list(data.get("uncertainties") or {}) if isinstance(data, dict) else []
    for path in overrides:
        drawn = _drawn_by_uncertainty(path, uncertain)
        if drawn is not None:
            raise PathError(f"'{path}': the value is drawn in every replication from uncertainties.{drawn}, "
                            f"so overriding it has no effect; override 'uncertainties' (give "
                            f"'{drawn}' another distribution, or leave it out) instead")
    if not isinstance(scenario, Scenario):      # one section: its schema is all there is to check
        return type(scenario).model_validate(data)
    return scenario_from_dict(_as_written(data, scenario._extends, values), name=source)
