"""What a result directory ran: the scenario's identity, the versions, the sessions."""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd

from ..scenario.schema import Scenario

__all__ = ["Manifest", "canonical_json", "package_versions", "scenario_changes", "scenario_hash", "utc_now"]


def utc_now() -> str:
    """The current time, UTC, ISO 8601 to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def canonical_json(scenario: Scenario) -> str:
    """The validated scenario as canonical JSON (sorted keys, no spaces)."""
    return json.dumps(scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario's canonical JSON: layout and comments of the
    scenario file do not change it, any value does."""
    return hashlib.sha256(canonical_json(scenario).encode("utf-8")).hexdigest()


def scenario_changes(old: Any, new: Any, path: str = "") -> list[str]:
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
                out += scenario_changes(old[key], new[key], sub)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [c for i, (a, b) in enumerate(zip(old, new)) for c in scenario_changes(a, b, f"{path}.{i}")]
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
    from importlib.metadata import version

    return {"simulation": version("presale-sim"), "numpy": np.__version__, "pandas": pd.__version__,
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
    start_time: str = field(default_factory=utc_now)
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
        return replace(self, end_time=utc_now(), wall_time_s=round(self.wall_time_s + wall_time_s, 3),
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


