"""Dotted paths into a frozen scenario or its plain data: read one, set one by copy.

``strategies.early_bird.deposit.amount`` names a field; mapping keys and list
indexes are path parts too (``strategies.base.promotions.0.rate``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

__all__ = ["PathError", "get_path", "set_in"]


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
