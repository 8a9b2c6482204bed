"""Plain-text tables for the terminal."""

from __future__ import annotations

import unicodedata

import pandas as pd

from .formatting import DEFAULT_CURRENCY
from .decision_box import DecisionText
from .tables import Table, headline

__all__ = ["display_width", "text_table", "headline_table", "decision_box"]


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_table(table: Table, *, gap: int = 2) -> str:
    """Columns padded to a common width; numeric columns right-aligned.

    Parameters
    ----------
    table
        The table to render.
    gap
        Spaces between columns.

    Returns
    -------
    str
        Header, a dashed rule and one line per row, without trailing spaces.
    """
    cells = [table.columns, *table.rows]
    widths = [max(display_width(str(row[i])) for row in cells) for i in range(len(table.columns))]

    def pad(text: str, width: int, align: str) -> str:
        fill = " " * (width - display_width(text))
        return fill + text if align == "r" else text + fill

    def line(row: list[str]) -> str:
        parts = [pad(str(c), w, a) for c, w, a in zip(row, widths, table.align)]
        return (" " * gap).join(parts).rstrip()

    rule = (" " * gap).join("-" * w for w in widths)
    return "\n".join([line(table.columns), rule, *(line(r) for r in table.rows)])


def headline_table(risk: pd.DataFrame, comparison: pd.DataFrame | None, *,
                   baseline: str | None, currency: str = DEFAULT_CURRENCY, units: str = "auto") -> str:
    """The headline table (profit mean [CI], CVaR, P(loss), sell-through, verdict).

    Parameters
    ----------
    risk
        One row per strategy.
    comparison
        Paired differences against the baseline; may be empty or ``None``.
    baseline
        Name of the baseline strategy.
    currency
        Currency symbol for the money headers.
    units
        Money style (:data:`~.formatting.MONEY_UNITS`).

    Returns
    -------
    str
        Aligned plain text without colour codes; missing values show as ``-``.
    """
    return text_table(headline(risk, comparison, baseline=baseline, currency=currency, na="-", units=units))


def decision_box(decision: DecisionText, *, width: int = 100) -> str:
    """The decision as a framed block of plain text, lines wrapped at ``width``."""
    import textwrap

    body = textwrap.wrap(decision.headline, width - 4)
    for label, text in decision.lines:
        body += textwrap.wrap(f"{label}: {text}", width - 4, initial_indent="- ", subsequent_indent="  ")
    rule = "=" * min(width, max(len(line) for line in body) + 2)
    return "\n".join([rule, *(f"  {line}" for line in body), rule])
