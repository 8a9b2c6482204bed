"""What to write instead, for the mistakes of a hand-written value that a type alone does not explain."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["value_hint"]

_PERCENT = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*%\s*$")


def value_hint(expected: str, value: Any) -> str:
    """``; write …`` after ``expected …, got …``, or ``""``.

    A percentage where a number is expected (``80%``: write 0.8) and nothing where a list
    or a mapping is expected (an empty ``reactions:``: write ``[]``).
    """
    if isinstance(value, str) and "number" in expected and (match := _PERCENT.match(value)):
        fraction = float(match.group(1)) / 100
        shown = f"{fraction:.10g}"
        return f"; write a share as a fraction: {shown} for {value.strip()}"
    if value is None and re.search(r"\ba list\b", expected):
        return "; for an empty list write []"
    if value is None and expected.startswith("a mapping"):
        return "; for an empty mapping write {}"
    return ""
