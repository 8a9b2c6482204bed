"""Exceptions raised by the package and the problems they report.

A scenario file can contain several mistakes at once. They are collected as
:class:`Problem` records and raised together in a single :class:`ScenarioError`,
whose text has one line per problem::

    campaign.yaml:12:18: market.size: expected a number, got 'large'
    campaign.yaml:20:3: pricing.presal_price: unknown key 'presal_price'; did you mean 'presale_price'?
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["PresaleError", "Problem", "ScenarioError"]


class PresaleError(Exception):
    """Base class of every error the package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One mistake found in a scenario file.

    Attributes
    ----------
    file
        The file as the user named it.
    line, col
        1-based position of the offending text, or ``None`` when unknown.
    path
        Dotted path of the offending entry, e.g. ``"market.segments[0].share"``;
        empty for the file as a whole.
    message
        Plain-English description of the mistake.
    """

    file: str
    line: int | None
    col: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        parts = [p for p in (where, self.path) if p]
        parts.append(self.message)
        return ": ".join(parts)


class ScenarioError(PresaleError):
    """A scenario file could not be used; carries every problem found.

    Parameters
    ----------
    problems
        One problem or several, in the order they should be shown.
    """

    def __init__(self, problems: Problem | Iterable[Problem]) -> None:
        if isinstance(problems, Problem):
            problems = (problems,)
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
