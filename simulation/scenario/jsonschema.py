"""The JSON Schema of scenario files (committed under ``schemas/``).

``extends`` is resolved before validation, so the models know nothing of it. The
schema adds it: a strategy with ``extends`` is checked against a *partial*
copy of the strategy schema, in which nothing is required (the rest is
inherited) and a tagged mapping may leave its tag out (``production: {a: 0}``
keeps the parent's rule), while unknown keys and wrong types are still errors.
"""

from __future__ import annotations

import json
from typing import Any

from .schema import Scenario

__all__ = ["scenario_json_schema"]

_REF = "#/$defs/"
_PARTIAL = "Partial"
_EXTENDS = {
    "description": "Name of another strategy to start from: its levers are inherited, mappings merge "
                   "key by key, lists and values given here replace the inherited ones.",
    "title": "Extends",
    "type": "string",
}


def scenario_json_schema() -> str:
    """The schema as stable, indented JSON text ending with a newline."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$id"] = "https://presale-sim.org/schemas/scenario.schema.json"
    schema["title"] = "Presale scenario"
    defs = schema["$defs"]
    partial = {_PARTIAL + name: _partial(defs[name]) for name in _reachable(defs, "Strategy")}
    defs.update({name: partial[name] for name in _reachable(partial, _PARTIAL + "Strategy", keep=partial)})
    variant = defs[_PARTIAL + "Strategy"]
    variant["properties"]["extends"] = _EXTENDS
    variant["required"] = ["extends"]
    variant["description"] = "A strategy that extends another: only the levers it changes."
    schema["properties"]["strategies"]["additionalProperties"] = {
        "if": {"required": ["extends"]},
        "then": {"$ref": _REF + _PARTIAL + "Strategy"},
        "else": {"$ref": _REF + "Strategy"},
    }
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].removeprefix(_REF)} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _reachable(defs: dict[str, Any], start: str, *, keep: dict[str, Any] | None = None) -> list[str]:
    """``start`` and every definition it refers to, directly or not (only those in ``keep``, if given)."""
    seen, todo = [], [start]
    while todo:
        name = todo.pop()
        if name not in seen and (keep is None or name in keep):
            seen.append(name)
            todo += sorted(_refs(defs[name]) - set(seen))
    return sorted(seen)


def _partial(node: Any) -> Any:
    """A copy of ``node`` with nothing required, except inside lists (a list replaces the parent's whole)."""
    if isinstance(node, list):
        return [_partial(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("items", "prefixItems"):
            out[key] = value
        elif key == "required":
            continue
        elif key == "$ref" and isinstance(value, str):
            out[key] = _REF + _PARTIAL + value.removeprefix(_REF)
        elif key == "discriminator":
            continue                    # the tag may be inherited
        elif key == "oneOf":
            out["anyOf"] = _partial(value)
        else:
            out[key] = _partial(value)
    return out
