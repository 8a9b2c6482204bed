"""Result directories that lose nothing, and the final result bundle.

A :class:`ResultStore` keeps the results of a batch of replications while it
runs, so that a run stopped by Ctrl-C, a crash or a killed machine can be
resumed without redoing finished work::

    results/
      manifest.json                      what ran: scenario hash, seed, versions, times, status
      scenario.json                      the validated scenario, canonical JSON
      ledger.jsonl                       one line per finished chunk (the commit record)
      chunks/chunk-000000-000009.parquet        outcomes of replications 0-9
      chunks/chunk-000000-000009-traj.parquet   their daily trajectories

Every file is written atomically (temporary file in the same directory,
``fsync``, ``os.replace``, ``fsync`` of the directory), and a chunk counts as
finished only once its ledger line is on disk. Failures of single
replications are deterministic (same seed, same error) and are kept in the
ledger, so a resumed run reports them exactly as an uninterrupted one.

:func:`write_bundle` writes the final tables of a comparison.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from .errors import PresaleError
from .scenario.schema import Scenario

__all__ = [
    "FAILURE_COLUMNS", "Manifest", "concat_tidy", "ResultFrames", "ResultStore", "failure_frame",
    "package_versions", "records_json", "scenario_hash", "sort_tidy", "write_bundle",
]

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


@dataclass(frozen=True)
class ResultFrames:
    """Outcomes, trajectories and failures read back from a :class:`ResultStore`."""

    outcomes: pd.DataFrame
    trajectories: pd.DataFrame
    failures: pd.DataFrame


# --- atomic files --------------------------------------------------------------------------------

def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # platforms that cannot open a directory
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_write(path: Path, write: Callable[[IO[bytes]], Any]) -> None:
    """Write ``path`` so that it holds either its old content or the whole new one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _write_text(path: Path, text: str) -> None:
    _atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def _write_parquet(path: Path, frame: pd.DataFrame) -> None:
    _atomic_write(path, lambda f: frame.to_parquet(f, index=False))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --- scenario identity and manifest --------------------------------------------------------------

def _canonical(scenario: Scenario) -> str:
    return json.dumps(scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario's canonical JSON: layout and comments of the
    scenario file do not change it, any value does."""
    return hashlib.sha256(_canonical(scenario).encode("utf-8")).hexdigest()


def _changes(old: Any, new: Any, path: str = "") -> list[str]:
    """Dotted paths where two plain JSON values differ, with both values."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in old:
                out.append(f"{sub} added")
            elif key not in new:
                out.append(f"{sub} removed")
            else:
                out += _changes(old[key], new[key], sub)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [c for i, (a, b) in enumerate(zip(old, new)) for c in _changes(a, b, f"{path}.{i}")]
    if old == new:
        return []
    old_text, new_text = (json.dumps(v, ensure_ascii=False)[:60] for v in (old, new))
    return [f"{path}: {old_text} -> {new_text}"]


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape the results."""
    import mesa
    import pydantic
    import pyarrow
    import scipy

    from . import __version__

    return {"simulation": __version__, "numpy": np.__version__, "pandas": pd.__version__,
            "mesa": mesa.__version__, "scipy": scipy.__version__, "pydantic": pydantic.__version__,
            "pyarrow": pyarrow.__version__, "python": platform.python_version()}


@dataclass(frozen=True)
class Manifest:
    """What a result directory holds and how it was produced (``manifest.json``).

    ``start_time`` is the start of the first session; ``wall_time_s`` adds up
    every session (a resumed run has ``sessions > 1``).
    """

    scenario: str
    scenario_file: str | None
    scenario_hash: str
    seed: int
    replications: int
    strategies: tuple[str, ...]
    population: int | None
    workers: int | None
    executor: str
    versions: dict[str, str] = field(default_factory=package_versions)
    start_time: str = field(default_factory=_now)
    end_time: str | None = None
    wall_time_s: float = 0.0
    complete: bool = False
    interrupted: bool = False
    n_failures: int = 0
    sessions: int = 1

    @classmethod
    def begin(cls, scenario: Scenario, *, strategies: Sequence[str], replications: int,
              workers: int | None, executor: str, source: str | os.PathLike[str] | None = None,
              previous: Manifest | None = None) -> Manifest:
        """The manifest of a session that starts now (continuing ``previous`` if given)."""
        new = cls(scenario=scenario.name, scenario_file=None if source is None else str(source),
                  scenario_hash=scenario_hash(scenario), seed=scenario.run.seed,
                  replications=replications, strategies=tuple(strategies),
                  population=scenario.run.population, workers=workers, executor=executor)
        if previous is None:
            return new
        return replace(new, start_time=previous.start_time, wall_time_s=previous.wall_time_s,
                       sessions=previous.sessions + 1)

    def end(self, *, wall_time_s: float, complete: bool, interrupted: bool, n_failures: int) -> Manifest:
        """This manifest once the session has stopped after ``wall_time_s`` seconds."""
        return replace(self, end_time=_now(), wall_time_s=round(self.wall_time_s + wall_time_s, 3),
                       complete=complete, interrupted=interrupted, n_failures=n_failures)

    def to_json(self) -> str:
        """The manifest as JSON text."""
        data = asdict(self)
        data["strategies"] = list(self.strategies)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Read a manifest written by :meth:`to_json` (unknown keys are ignored)."""
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in known}
        data["strategies"] = tuple(data.get("strategies", ()))
        return cls(**data)


# --- the store -----------------------------------------------------------------------------------

class ResultStore:
    """A result directory written chunk by chunk (see the module docstring for its layout).

    A run without ``resume`` starts the directory again; a run with ``resume``
    continues it.

    Parameters
    ----------
    directory
        The result directory; created on first use.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"ResultStore({str(self.directory)!r})"

    @property
    def chunks_dir(self) -> Path:
        return self.directory / "chunks"

    @property
    def ledger_path(self) -> Path:
        return self.directory / "ledger.jsonl"

    @property
    def manifest_path(self) -> Path:
        return self.directory / "manifest.json"

    @property
    def scenario_path(self) -> Path:
        return self.directory / "scenario.json"

    # ledger
    def ledger(self) -> list[dict[str, Any]]:
        """The finished chunks, in the order they finished.

        An entry counts once its closing newline is on disk: text after the last
        newline (a write cut short by a crash) is ignored; an unreadable complete
        line is an error.
        """
        try:
            *lines, _torn = self.ledger_path.read_bytes().split(b"\n")
        except FileNotFoundError:
            return []
        entries = []
        for number, line in enumerate(lines, start=1):
            try:
                entries.append(json.loads(line))
            except ValueError:
                raise PresaleError(f"{self.ledger_path}: line {number} is not a ledger entry") from None
        return entries

    def finished_replications(self) -> set[int]:
        """Replications whose chunk is recorded in the ledger."""
        return {int(r) for entry in self.ledger() for r in entry["replications"]}

    def _repair_ledger(self) -> None:
        """Cut a torn last line so that the next entry starts on a line of its own."""
        try:
            data = self.ledger_path.read_bytes()
        except FileNotFoundError:
            return
        if data and not data.endswith(b"\n"):
            with open(self.ledger_path, "r+b") as f:
                f.truncate(data.rfind(b"\n") + 1)
                f.flush()
                os.fsync(f.fileno())

    def _append_ledger(self, entry: Mapping[str, Any]) -> None:
        new = not self.ledger_path.exists()
        with open(self.ledger_path, "ab") as f:
            f.write(json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n")
            f.flush()
            os.fsync(f.fileno())
        if new:
            _fsync_dir(self.directory)

    # manifest and scenario
    def read_manifest(self) -> Manifest | None:
        """The manifest, or ``None`` when the directory has none yet."""
        try:
            return Manifest.from_json(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def write_manifest(self, manifest: Manifest) -> None:
        """Replace the manifest atomically."""
        _write_text(self.manifest_path, manifest.to_json())

    def check_scenario(self, scenario: Scenario, manifest: Manifest) -> None:
        """Raise :class:`PresaleError` unless ``scenario`` is the one ``manifest`` ran."""
        if manifest.scenario_hash == scenario_hash(scenario):
            return
        try:
            old = json.loads(self.scenario_path.read_text(encoding="utf-8"))
            changes = _changes(old, scenario.model_dump(mode="json"))
        except (FileNotFoundError, ValueError):
            changes = [f"scenario hash {manifest.scenario_hash[:12]} -> {scenario_hash(scenario)[:12]}"]
        shown = "; ".join(changes[:5]) + (f"; and {len(changes) - 5} more" if len(changes) > 5 else "")
        raise PresaleError(
            f"the scenario changed since this run started: {shown}. "
            f"{self.directory} holds results of the earlier scenario '{manifest.scenario}'; "
            "restore that scenario to resume, or write to a new directory")

    def clear(self) -> None:
        """Forget every finished chunk: the ledger first (so that nothing counts as
        finished any more), then the chunk files. Other files are left alone."""
        self.ledger_path.unlink(missing_ok=True)
        _fsync_dir(self.directory)
        for path in self.chunks_dir.glob("*"):
            if path.name.startswith(("chunk-", ".chunk-")) and path.is_file():
                path.unlink()

    def prepare(self, scenario: Scenario, *, resume: bool) -> Manifest | None:
        """Make the directory ready for a session of ``scenario``.

        Without ``resume`` the session starts again: finished chunks are
        forgotten (:meth:`clear`). With ``resume`` the previous manifest is
        returned (``None`` if there is none) after checking that it ran the same
        scenario (:class:`PresaleError` otherwise).
        """
        self.chunks_dir.mkdir(parents=True, exist_ok=True)
        _fsync_dir(self.directory)
        if not resume:
            self.clear()
            previous = None
        else:
            previous = self.read_manifest()
            if previous is not None:
                self.check_scenario(scenario, previous)
            elif self.ledger():
                raise PresaleError(f"{self.directory} has finished chunks but no manifest.json; "
                                   "cannot check which scenario they belong to")
            self._repair_ledger()
        _write_text(self.scenario_path, _canonical(scenario) + "\n")
        return previous

    # chunks
    def write_chunk(self, replications: Sequence[int], *, strategies: Sequence[str],
                    outcomes: pd.DataFrame, trajectories: pd.DataFrame,
                    failures: pd.DataFrame) -> dict[str, Any]:
        """Store the results of a chunk of consecutive replications and record it in
        the ledger (last, so that a crash leaves no half-recorded chunk). Returns the
        ledger entry."""
        stem = f"chunk-{min(replications):06d}-{max(replications):06d}"
        names = {}
        for key, frame, suffix in (("outcomes", outcomes, ""), ("trajectories", trajectories, "-traj")):
            names[key] = None
            if not frame.empty:
                names[key] = f"chunks/{stem}{suffix}.parquet"
                _write_parquet(self.directory / names[key], frame)
        entry = {"replications": [int(r) for r in replications], "strategies": list(strategies),
                 "n_outcomes": len(outcomes), "n_trajectory_rows": len(trajectories), **names,
                 "failures": _plain(failures.to_dict(orient="records")), "written_at": _now()}
        self._append_ledger(entry)
        return entry

    def load(self, *, strategies: Sequence[str] | None = None,
             replications: Iterable[int] | None = None) -> ResultFrames:
        """Every finished result, ordered by replication, strategy (and day).

        Parameters
        ----------
        strategies
            Keep these strategies, in this order; default those of the manifest.
        replications
            Keep these replications; default all finished ones.
        """
        entries = self.ledger()
        seen: set[int] = set()
        for entry in entries:
            again = seen.intersection(entry["replications"])
            if again:
                raise PresaleError(f"{self.ledger_path}: replications {sorted(again)[:5]} recorded twice")
            seen.update(entry["replications"])
        if strategies is None:
            manifest = self.read_manifest()
            strategies = (manifest.strategies if manifest is not None
                          else list(dict.fromkeys(s for e in entries for s in e["strategies"])))
        wanted = None if replications is None else set(replications)
        if wanted is not None:
            entries = [e for e in entries if wanted.intersection(e["replications"])]

        def read(key: str) -> pd.DataFrame:
            return concat_tidy(pd.read_parquet(self.directory / e[key]) for e in entries if e[key])

        def keep(frame: pd.DataFrame) -> pd.DataFrame:
            if frame.empty:
                return frame
            mask = frame["strategy"].isin(strategies)
            if wanted is not None:
                mask &= frame["replication"].isin(wanted)
            return sort_tidy(frame if mask.all() else frame[mask], strategies)

        failures = failure_frame(f for e in entries for f in e["failures"])
        return ResultFrames(keep(read("outcomes")), keep(read("trajectories")), keep(failures))


# --- final bundle --------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A JSON-ready value: NumPy scalars to Python, NaN/inf/NA to ``None``."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
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
    records = [{str(k): _plain(v) for k, v in row.items()}
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
    _write_parquet(paths["outcomes.parquet"], outcomes)
    _write_parquet(paths["trajectories.parquet"], trajectories)
    tables = {"summary": summary, "comparison": comparison}
    if failures is not None:
        tables["failures"] = failures
    for name, frame in tables.items():
        for suffix, text in (("csv", frame.to_csv(index=False)), ("json", records_json(frame))):
            paths[f"{name}.{suffix}"] = out / f"{name}.{suffix}"
            _write_text(paths[f"{name}.{suffix}"], text)
    if manifest is not None:
        paths["manifest.json"] = out / "manifest.json"
        _write_text(paths["manifest.json"], manifest.to_json() if isinstance(manifest, Manifest)
                    else json.dumps(_plain(manifest), indent=2, ensure_ascii=False, allow_nan=False,
                                    default=str) + "\n")
    return paths
