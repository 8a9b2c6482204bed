"""Write a tidy DataFrame to CSV, JSON (records, NaN as null) or Parquet by file suffix."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

__all__ = ["write_table", "records"]


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with explicit keys; NaN becomes ``None`` and NumPy scalars plain Python."""
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else
                        v.item() if hasattr(v, "item") else v) for k, v in row.items()})
    return out


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` in the format its suffix names (.csv, .json, .parquet)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".json":
        path.write_text(json.dumps(records(frame), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        raise ValueError(f"unsupported table format '{suffix}' (use .csv, .json or .parquet)")
    return path
