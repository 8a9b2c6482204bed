"""The root :class:`Scenario` and the strategy inheritance (``extends``)."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import Field

from .base import Section
from .distributions import Distribution
from .sections import Calendar, Channel, Competitor, Market, Product, RunSettings
from .strategy import Strategy

__all__ = ["Scenario", "merge_extends"]


class Scenario(Section):
    """A presale campaign and the strategies to test on it."""

    name: str
    description: str = ""
    currency: str = "¥"
    run: RunSettings = Field(default_factory=RunSettings)
    calendar: Calendar
    product: Product
    market: Market
    channels: dict[str, Channel] = Field(min_length=1)
    competitors: dict[str, Competitor] = Field(default_factory=dict)
    strategies: dict[str, Strategy] = Field(min_length=1)
    baseline: str | None = None
    """Strategy the others are compared with; defaults to the first one."""
    uncertainties: dict[str, Distribution] = Field(default_factory=dict)
    """Dotted path -> distribution, drawn once per replication."""
    gates: list[str] = Field(default_factory=list)
    """Comparison gates, e.g. ``"profit.mean < baseline -2%"``."""

    @property
    def baseline_name(self) -> str:
        """The baseline strategy's name."""
        return self.baseline or next(iter(self.strategies))


_TAGS = ("rule", "kind", "dist")


def _deep_merge(base: Any, override: Any) -> Any:
    """``override`` on top of ``base``; a mapping whose tag (rule, kind, dist) changes is replaced whole."""
    retagged = isinstance(base, dict) and isinstance(override, dict) and any(
        tag in override and base.get(tag) != override[tag] for tag in _TAGS)
    if isinstance(base, dict) and isinstance(override, dict) and not retagged:
        out = dict(base)
        for key, value in override.items():
            out[key] = _deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(override)


def merge_extends(data: Any) -> tuple[Any, list[tuple[tuple, str]]]:
    """Resolve ``extends`` in the raw ``strategies`` mapping.

    A strategy with ``extends: NAME`` starts from strategy NAME's levers
    (recursively) and overrides the keys it gives; lists are replaced whole.

    Returns
    -------
    data, problems
        The data with every ``extends`` resolved, and (location, message) pairs.
    """
    problems: list[tuple[tuple, str]] = []
    if not isinstance(data, dict) or not isinstance(data.get("strategies"), dict):
        return data, problems
    raw = data["strategies"]
    resolved: dict[str, Any] = {}

    def resolve(name: str, chain: tuple[str, ...]) -> Any:
        if name in resolved:
            return resolved[name]
        body = raw[name]
        if not isinstance(body, dict) or "extends" not in body:
            resolved[name] = body
            return body
        parent = body["extends"]
        rest = {k: v for k, v in body.items() if k != "extends"}
        loc = ("strategies", name, "extends")
        if not isinstance(parent, str) or parent not in raw:
            from .problems import did_you_mean

            hint = did_you_mean(str(parent), list(raw)) if isinstance(parent, str) else None
            extra = f"; did you mean '{hint}'?" if hint else ""
            problems.append((loc, f"extends unknown strategy '{parent}'{extra} strategies: {', '.join(raw)}"))
            resolved[name] = rest
        elif parent in chain:
            problems.append((loc, f"strategies extend each other in a cycle: {' -> '.join((*chain, parent))}"))
            resolved[name] = rest
        else:
            resolved[name] = _deep_merge(resolve(parent, (*chain, parent)), rest)
        return resolved[name]

    for name in raw:
        resolve(name, (name,))
    out = dict(data)
    out["strategies"] = resolved
    return out, problems
