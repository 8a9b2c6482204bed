"""Dotted paths into a frozen scenario: read one, or copy with overrides.

``strategies.early_bird.deposit.amount`` names a field; mapping keys and list
indexes are path parts too (``strategies.base.promotions.0.rate``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

__all__ = ["PathError", "get_path", "with_overrides", "set_in"]


class PathError(KeyError):
    """A dotted path that names no field."""

    def __str__(self) -> str:
        return str(self.args[0])


def _step(node: Any, part: str, path: str, done: str) -> Any:
    if isinstance(node, BaseModel):
        fields = type(node).model_fields
        name = next((n for n, f in fields.items() if part in (n, f.alias)), None)
        if name is None:
            from .problems import did_you_mean

            hint = did_you_mean(part, list(fields))
            raise PathError(f"'{path}': no field '{part}'" + (f"; did you mean '{hint}'?" if hint else ""))
        return getattr(node, name)
    if isinstance(node, dict):
        if part not in node:
            raise PathError(f"'{path}': no key '{part}' (keys: {', '.join(map(str, node))})")
        return node[part]
    if isinstance(node, (list, tuple)):
        if not part.isdigit() or int(part) >= len(node):
            raise PathError(f"'{path}': '{part}' is not an index below {len(node)}")
        return node[int(part)]
    if node is None:
        raise PathError(f"'{path}': there is no '{part}' because '{done}' is not set (null)")
    raise PathError(f"'{path}': '{part}' goes below a plain value")


def get_path(obj: Any, path: str) -> Any:
    """The value at a dotted ``path``; raises :class:`PathError`."""
    node = obj
    parts = path.split(".")
    for i, part in enumerate(parts):
        node = _step(node, part, path, ".".join(parts[:i]))
    return node


def set_in(data: Any, parts: list[str], value: Any) -> Any:
    """A copy of plain ``data`` (dicts and lists) with ``value`` at ``parts``."""
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    if isinstance(data, list):
        out = list(data)
        out[int(head)] = set_in(out[int(head)], rest, value)
        return out
    out = dict(data)
    out[head] = set_in(out.get(head, {}), rest, value)
    return out


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
    from .loader import scenario_from_dict
    from .schema import Scenario

    if not isinstance(scenario, Scenario):      # one section: its schema is all there is to check
        return type(scenario).model_validate(data)
    return scenario_from_dict(data, name=source)
