"""Strategy inheritance: ``extends`` resolved on the raw data of a scenario file.

A strategy with ``extends: NAME`` starts from strategy NAME's levers (recursively)
and overrides the keys it gives: mappings merge key by key, lists and plain values
are replaced whole, and a mapping whose tag (``rule``, ``kind``, ``dist``) changes
is replaced whole.

Besides the merged data, :func:`resolve_extends` remembers what each strategy
wrote itself, so that a mistake inherited from a parent can be reported once, at
the parent's place, and which strategies have a broken chain (an unknown parent or
a cycle), whose missing fields are then not reported as mistakes of their own.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .problems import did_you_mean

__all__ = ["Extends", "resolve_extends", "deep_merge"]

_TAGS = ("rule", "kind", "dist")


def _retagged(base: Any, override: Any) -> bool:
    """True when ``override`` selects another kind of mapping than ``base`` (other rule, kind or dist)."""
    return isinstance(base, dict) and isinstance(override, dict) and any(
        tag in override and base.get(tag) != override[tag] for tag in _TAGS)


def deep_merge(base: Any, override: Any) -> Any:
    """``override`` on top of ``base``; a mapping whose tag (rule, kind, dist) changes is replaced whole."""
    if isinstance(base, dict) and isinstance(override, dict) and not _retagged(base, override):
        out = dict(base)
        for key, value in override.items():
            out[key] = deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(override)


@dataclass(frozen=True)
class Extends:
    """The outcome of resolving ``extends``.

    Attributes
    ----------
    data
        The scenario data with every ``extends`` resolved (and removed).
    problems
        ``(location, message)`` of each unknown parent and each cycle.
    parents
        Strategy -> the strategy it extends, for every ``extends`` that resolved.
    own
        Strategy -> what the strategy itself wrote (without ``extends``).
    broken
        Strategies whose chain of ``extends`` is broken (an unknown parent, a
        cycle) or passes through such a strategy: they lack levers they were
        meant to inherit.
    """

    data: Any
    problems: list[tuple[tuple, str]] = field(default_factory=list)
    parents: dict[Any, Any] = field(default_factory=dict)
    own: dict[Any, Any] = field(default_factory=dict)
    broken: frozenset[Any] = frozenset()

    def ancestors(self, name: Any) -> list[Any]:
        """The strategy ``name`` extends, the one that one extends, and so on."""
        chain: list[Any] = []
        while (name := self.parents.get(name)) is not None and name not in chain:
            chain.append(name)
        return chain

    def inherited_from(self, name: Any, path: Iterable[Any]) -> Any | None:
        """The parent from which strategy ``name`` inherits the entry at ``path`` unchanged.

        Parameters
        ----------
        name
            A strategy.
        path
            Keys and list indexes inside the strategy, like ``("inventory", "initial_stock")``.

        Returns
        -------
        The parent's name when the strategy does not write the entry (nor a list,
        value or retagged mapping containing it) itself; ``None`` otherwise.
        """
        parent = self.parents.get(name)
        if parent is None:
            return None
        own, base = self.own.get(name), self.data["strategies"].get(parent)
        for part in path:
            if not isinstance(own, dict) or _retagged(base, own):
                return None
            if part not in own:
                return parent
            own = own[part]
            base = base.get(part) if isinstance(base, dict) else None
        return None


def resolve_extends(data: Any) -> Extends:
    """Resolve ``extends`` in the raw ``strategies`` mapping of ``data``.

    ``data`` is not modified. Data without a ``strategies`` mapping is returned
    as it is (validation reports it).
    """
    if not isinstance(data, dict) or not isinstance(data.get("strategies"), dict):
        return Extends(data)
    raw: dict[Any, Any] = data["strategies"]
    names = ", ".join(map(str, raw))
    problems: list[tuple[tuple, str]] = []
    resolved: dict[Any, Any] = {}
    parents: dict[Any, Any] = {}
    own: dict[Any, Any] = {}
    broken: set[Any] = set()

    def resolve(name: Any, chain: tuple[Any, ...]) -> Any:
        if name in resolved:
            return resolved[name]
        body = raw[name]
        if not isinstance(body, dict) or "extends" not in body:
            resolved[name] = own[name] = body
            return body
        parent = body["extends"]
        rest = own[name] = {k: v for k, v in body.items() if k != "extends"}
        loc = ("strategies", name, "extends")
        if not isinstance(parent, str) or parent not in raw:
            problems.append((loc, _unknown_parent(parent, raw, names)))
            broken.add(name)
            resolved[name] = rest
        elif parent in chain:
            problems.append((loc, f"strategies extend each other in a cycle: {' -> '.join(map(str, (*chain, parent)))}"))
            broken.add(name)
            resolved[name] = rest
        else:
            merged = deep_merge(resolve(parent, (*chain, parent)), rest)
            parents[name] = parent
            if parent in broken:
                broken.add(name)
            resolved[name] = merged
        return resolved[name]

    for name in raw:
        resolve(name, (name,))
    out = dict(data)
    out["strategies"] = resolved
    return Extends(out, problems, parents, own, frozenset(broken))


def _unknown_parent(parent: Any, raw: dict[Any, Any], names: str) -> str:
    if not isinstance(parent, str):
        shown = "nothing" if parent is None else "a mapping" if isinstance(parent, dict) else (
            "a list" if isinstance(parent, list) else repr(parent))
        return f"extends must name one of the strategies, got {shown}; strategies: {names}"
    hint = did_you_mean(parent, [n for n in raw if isinstance(n, str)])
    extra = f"; did you mean '{hint}'? " if hint else "; "
    return f"extends unknown strategy '{parent}'{extra}strategies: {names}"
