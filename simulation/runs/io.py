"""Tidy result tables and the final result bundle of a comparison.

:func:`write_bundle` writes the final tables; :mod:`simulation.runs.store` keeps the
results of a run chunk by chunk while it runs.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .atomic import write_parquet, write_text
from .manifest import Manifest

__all__ = ["FAILURE_COLUMNS", "concat_tidy", "failure_frame", "plain", "records_json", "sort_tidy", "write_bundle"]

FAILURE_COLUMNS = ("strategy", "replication", "seed", "error_type", "message", "traceback")
"""Columns of a failures table: one row per failed (strategy, replication)."""


# --- tidy tables ---------------------------------------------------------------------------------

def failure_frame(records: Iterable[Mapping[str, Any]] = ()) -> pd.DataFrame:
    """A failures table (:data:`FAILURE_COLUMNS`) from records."""
    frame = pd.DataFrame(list(records), columns=list(FAILURE_COLUMNS))
    return frame.astype({"strategy": str, "replication": "int64", "seed": "int64",
                         "error_type": str, "message": str, "traceback": str})


def sort_tidy(frame: pd.DataFrame, strategies: Sequence[str]) -> pd.DataFrame:
    """Rows ordered by replication, then strategy (in the order of ``strategies``),
    then day when there is a ``day`` column; a fresh ``RangeIndex``."""
    if frame.empty:
        return frame.reset_index(drop=True)
    rank = frame["strategy"].map({s: i for i, s in enumerate(strategies)}).to_numpy(dtype=float)
    keys = [frame["replication"].to_numpy(), rank]
    if "day" in frame.columns:
        keys.append(frame["day"].to_numpy())
    return frame.take(np.lexsort(keys[::-1])).reset_index(drop=True)


def concat_tidy(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Rows of the non-empty ``frames`` one after the other (an empty frame if none)."""
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()



# --- final bundle --------------------------------------------------------------------------------

def plain(value: Any) -> Any:
    """A JSON-ready value: NumPy scalars to Python, NaN/inf/NA to ``None``."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    return value


def records_json(frame: pd.DataFrame) -> str:
    """A table as a JSON list of records with explicit keys; NaN and infinities become ``null``."""
    records = [{str(k): plain(v) for k, v in row.items()}
               for row in frame.astype(object).to_dict(orient="records")]
    return json.dumps(records, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_bundle(out_dir: str | os.PathLike[str], *, outcomes: pd.DataFrame,
                 trajectories: pd.DataFrame, summary: pd.DataFrame, comparison: pd.DataFrame,
                 manifest: Manifest | Mapping[str, Any] | None = None,
                 failures: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write the tables of a comparison to ``out_dir``, each file atomically.

    Files: ``outcomes.parquet``, ``trajectories.parquet``, ``summary.csv``,
    ``summary.json``, ``comparison.csv``, ``comparison.json``; ``manifest.json``
    unless ``manifest`` is ``None`` (a :class:`ResultStore` in the same directory
    keeps its own); ``failures.csv`` and ``failures.json`` when ``failures`` is
    given. Returns the paths by file name.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in ("outcomes.parquet", "trajectories.parquet")}
    write_parquet(paths["outcomes.parquet"], outcomes)
    write_parquet(paths["trajectories.parquet"], trajectories)
    tables = {"summary": summary, "comparison": comparison}
    if failures is not None:
        tables["failures"] = failures
    for name, frame in tables.items():
        for suffix, text in (("csv", frame.to_csv(index=False)), ("json", records_json(frame))):
            paths[f"{name}.{suffix}"] = out / f"{name}.{suffix}"
            write_text(paths[f"{name}.{suffix}"], text)
    if manifest is not None:
        paths["manifest.json"] = out / "manifest.json"
        write_text(paths["manifest.json"], manifest.to_json() if isinstance(manifest, Manifest)
                    else json.dumps(plain(manifest), indent=2, ensure_ascii=False, allow_nan=False,
                                    default=str) + "\n")
    return paths
