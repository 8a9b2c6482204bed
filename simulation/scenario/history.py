"""Last year's campaign as a validated table: the history file format.

A history is a CSV (or Parquet) file with one row per campaign day. It is read
here, at the edge, and checked once; every problem is reported at once as
``file:row:column: name: what is allowed`` in a
:class:`~simulation.errors.ScenarioError` (the row is the line of the CSV file,
the header being line 1).

Columns
-------
``day`` (required)
    Campaign day, an integer from 0 (the first warm-up day), strictly increasing.
``orders`` (required)
    Units ordered that day (presale orders and open-sale purchases), a count.
count series (optional)
    ``reservations``, ``deposits``, ``balances_paid``, ``presale_orders``,
    ``shipped``, ``cancellations``, ``returns``, ``lost_sales``: non-negative
    numbers per day, at market scale.
level series (optional)
    ``stock`` (units on hand at the end of the day, non-negative), ``price``
    (price paid, non-negative), ``marketing_cost`` (ad spend, non-negative).
``phase`` (optional)
    A label (``warm-up``, ``presale``, ``balance``, ``launch``, ``open sale``…),
    kept for reading only.
``competitor_price.NAME`` / ``competitor_sales.NAME`` (optional)
    A rival's price and units sold per day.

Empty cells are allowed in optional columns (a day not recorded); the calibration
then leaves that day out of that series' moments.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field

import numpy as np

from ..errors import Problem, ScenarioError

__all__ = ["History", "REQUIRED", "COUNT_SERIES", "LEVEL_SERIES", "load_history", "history_from_frame"]

REQUIRED = ("day", "orders")
COUNT_SERIES = ("reservations", "deposits", "balances_paid", "presale_orders", "orders", "shipped",
                "cancellations", "returns", "lost_sales")
LEVEL_SERIES = ("stock", "price", "marketing_cost")
_TEXT = ("phase",)
_PREFIXES = ("competitor_price.", "competitor_sales.")


@dataclass(frozen=True)
class History:
    """A validated history: ``day`` and one float array per series (NaN = not recorded).

    Attributes
    ----------
    source
        The file as the user named it (or a label).
    day
        Campaign days, strictly increasing integers from 0.
    series
        Column name -> values per day (market scale).
    phase
        Phase labels per day when the file has them.
    """

    source: str
    day: np.ndarray
    series: dict[str, np.ndarray] = field(default_factory=dict)
    phase: tuple[str, ...] | None = None

    @property
    def n_days(self) -> int:
        return int(self.day.size)

    def to_frame(self):
        """The history as a tidy DataFrame (one row per day)."""
        import pandas as pd

        data = {"day": self.day}
        if self.phase is not None:
            data["phase"] = list(self.phase)
        data.update(self.series)
        return pd.DataFrame(data)


def _allowed(name: str) -> bool:
    return (name in REQUIRED or name in COUNT_SERIES or name in LEVEL_SERIES or name in _TEXT
            or any(name.startswith(p) and len(name) > len(p) for p in _PREFIXES))


def _known_columns() -> str:
    return ", ".join(dict.fromkeys((*REQUIRED, *COUNT_SERIES, *LEVEL_SERIES, *_TEXT,
                                    "competitor_price.NAME", "competitor_sales.NAME")))


def _read_rows(path: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, rows of text cells, and the file line of each row."""
    if path.endswith(".parquet"):
        import pandas as pd

        frame = pd.read_parquet(path)
        rows = [["" if (isinstance(v, float) and math.isnan(v)) or v is None else str(v) for v in r]
                for r in frame.itertuples(index=False)]
        return [str(c) for c in frame.columns], rows, list(range(2, len(rows) + 2))
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return [], [], []
        rows, lines = [], []
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            rows.append(row)
            lines.append(reader.line_num)
    return [h.strip() for h in header], rows, lines


def load_history(path: str | os.PathLike[str]) -> History:
    """Read and validate a history file (CSV, or Parquet when the name ends in ``.parquet``).

    Raises
    ------
    ScenarioError
        With every problem found: missing file, unknown or missing columns,
        non-numeric cells, negative counts, days missing or out of order.
    """
    file = os.fspath(path)
    try:
        header, rows, lines = _read_rows(file)
    except FileNotFoundError:
        raise ScenarioError(Problem(file, None, None, "", "no such history file")) from None
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as error:
        raise ScenarioError(Problem(file, None, None, "", f"cannot read the history: {error}")) from None
    return _validate(file, header, rows, lines)


def history_from_frame(frame, *, source: str = "<frame>") -> History:
    """Validate a history given as a DataFrame (same rules as a file; rows counted from 2)."""
    rows = [["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in r]
            for r in frame.itertuples(index=False)]
    return _validate(source, [str(c) for c in frame.columns], rows, list(range(2, len(rows) + 2)))


def _validate(file: str, header: list[str], rows: list[list[str]], lines: list[int]) -> History:
    problems: list[Problem] = []
    at = lambda line, col, name, msg: problems.append(Problem(file, line, col, name, msg))  # noqa: E731
    if not header:
        raise ScenarioError(Problem(file, 1, None, "", "empty history: expected a header row with the "
                                    f"columns {', '.join(REQUIRED)} and a row per day"))
    for i, name in enumerate(header):
        if not _allowed(name):
            at(1, i + 1, name, f"unknown column '{name}'; allowed: {_known_columns()}")
        elif header.index(name) != i:
            at(1, i + 1, name, f"column '{name}' appears twice")
    for name in REQUIRED:
        if name not in header:
            at(1, None, name, f"missing required column '{name}'; the header has: {', '.join(header)}")
    if not rows:
        at(2, None, "", "no rows: expected one row per campaign day")
    columns: dict[str, np.ndarray] = {}
    phases: list[str] = []
    for j, name in enumerate(header):
        if not _allowed(name) or header.index(name) != j:
            continue
        values = np.full(len(rows), np.nan)
        for k, (row, line) in enumerate(zip(rows, lines)):
            cell = row[j].strip() if j < len(row) else ""
            if name in _TEXT:
                phases.append(cell)
                continue
            if cell == "":
                if name in REQUIRED:
                    at(line, j + 1, name, "empty cell; a required column needs a value on every day")
                continue
            try:
                v = float(cell)
            except ValueError:
                at(line, j + 1, name, f"expected a number, got '{cell}'")
                continue
            if not math.isfinite(v):
                at(line, j + 1, name, f"expected a finite number, got '{cell}'")
            elif v < 0 and name != "day":
                kind = "a count" if name in COUNT_SERIES else "a level"
                at(line, j + 1, name, f"negative value {cell}: {kind} must be 0 or more")
            else:
                values[k] = v
        if name not in _TEXT:
            columns[name] = values
    if "day" in columns:
        _check_days(columns["day"], lines, header.index("day") + 1, at)
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: (p.line or 0, p.col or 0)))
    day = columns.pop("day").astype(int)
    return History(file, day, columns, tuple(phases) if "phase" in header else None)


def _check_days(day: np.ndarray, lines: list[int], col: int, at) -> None:
    previous = None
    for v, line in zip(day, lines):
        if np.isnan(v):
            continue
        if v != int(v) or v < 0:
            at(line, col, "day", f"day {v:g} is not allowed: days are whole numbers from 0")
        elif previous is not None and v <= previous:
            at(line, col, "day", f"days out of order: day {v:g} comes after day {previous:g}; "
                                 "days must be strictly increasing, one row per day")
        previous = v if previous is None else max(previous, v)
