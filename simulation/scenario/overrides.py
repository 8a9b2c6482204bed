"""A scenario copied with some of its values changed, validated like a file."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .loader import scenario_from_dict
from .paths import PathError, get_path, set_in
from .schema import Scenario

__all__ = ["with_overrides"]


def _drawn_by_uncertainty(path: str, uncertain: list[str]) -> str | None:
    """The uncertainty that draws ``path`` (or a value above it) anew in every replication."""
    return next((u for u in uncertain if path == u or path.startswith(u + ".")), None)


def with_overrides(scenario: BaseModel, overrides: dict[str, Any], *, source: str = "overrides") -> BaseModel:
    """A new validated scenario with each dotted path set to its value.

    The input is never mutated. Paths are checked first, so a typo raises
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
    for path, value in overrides.items():
        if isinstance(value, BaseModel):
            value = value.model_dump(by_alias=True)
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
    return scenario_from_dict(data, name=source)
