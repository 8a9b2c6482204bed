"""Result directories that lose nothing, and the final result bundle.

A :class:`ResultStore` keeps the results of a batch of replications while it
runs, so that a run stopped by Ctrl-C, a crash or a killed machine can be
resumed without redoing finished work::

    results/
      manifest.json                      what ran: scenario hash, seed, versions, times, status
      scenario.json                      the validated scenario, canonical JSON
      ledger.jsonl                       one line per finished chunk (the commit record,
                                         with each chunk file's size and SHA-256)
      chunks/chunk-000000-000009.parquet        outcomes of replications 0-9
      chunks/chunk-000000-000009-traj.parquet   their daily trajectories

Every file is written atomically (temporary file in the same directory,
``fsync``, ``os.replace``, ``fsync`` of the directory), and a chunk counts as
finished only once its ledger line is on disk. Failures of single
replications are deterministic (same seed, same error) and are kept in the
ledger, so a resumed run reports them exactly as an uninterrupted one. On resume,
a chunk whose file is missing or does not match its recorded size and checksum
is forgotten and run again (and :attr:`ResultStore.notes` says so), never read
as data. A write that fails (a full disk) raises :class:`ResultsNotSaved`
naming the file; the chunks finished before it are kept.

"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .atomic import atomic_write, fsync_dir, write_text
from ..errors import PresaleError
from .io import concat_tidy, failure_frame, plain, sort_tidy
from .manifest import Manifest, canonical_json, scenario_changes, scenario_hash, utc_now
from ..scenario.schema import Scenario

__all__ = ["ResultFrames", "ResultStore", "ResultsNotSaved"]


class ResultsNotSaved(PresaleError):
    """A results file could not be written (a full disk, a lost mount): the message names the
    file and the cause; the chunks finished before it are kept."""

    @classmethod
    def of(cls, path: Path, err: OSError) -> "ResultsNotSaved":
        return cls(f"cannot write {path}: {err.strerror or err}")


@dataclass(frozen=True)
class ResultFrames:
    """Outcomes, trajectories and failures read back from a :class:`ResultStore`."""

    outcomes: pd.DataFrame
    trajectories: pd.DataFrame
    failures: pd.DataFrame



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
        self.notes: list[str] = []
        """What :meth:`prepare` found and did (chunks that did not match the ledger)."""

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
        try:
            with open(self.ledger_path, "ab") as f:
                f.write(json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n")
                f.flush()
                os.fsync(f.fileno())
        except OSError as err:
            self._repair_ledger()         # a torn line must not glue onto the next entry
            raise ResultsNotSaved.of(self.ledger_path, err) from err
        if new:
            fsync_dir(self.directory)

    # manifest and scenario
    def read_manifest(self) -> Manifest | None:
        """The manifest, or ``None`` when the directory has none yet."""
        try:
            return Manifest.from_json(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def write_manifest(self, manifest: Manifest) -> None:
        """Replace the manifest atomically."""
        write_text(self.manifest_path, manifest.to_json())

    def check_scenario(self, scenario: Scenario, manifest: Manifest) -> None:
        """Raise :class:`PresaleError` unless ``scenario`` is the one ``manifest`` ran."""
        if manifest.scenario_hash == scenario_hash(scenario):
            return
        try:
            old = json.loads(self.scenario_path.read_text(encoding="utf-8"))
            changes = scenario_changes(old, scenario.model_dump(mode="json"))
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
        fsync_dir(self.directory)
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
        fsync_dir(self.directory)
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
            self._drop_mismatched()
        write_text(self.scenario_path, canonical_json(scenario) + "\n")
        return previous

    def _mismatch(self, entry: Mapping[str, Any]) -> str | None:
        """Why a ledger entry's chunk files cannot be read as data; ``None`` when they match."""
        for key in ("outcomes", "trajectories"):
            name = entry.get(key)
            if not name:
                continue
            path = self.directory / name
            recorded = (entry.get("files") or {}).get(name) or {}
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                return f"{path} is missing"
            if "bytes" in recorded and len(data) != recorded["bytes"]:
                return f"{path} has {len(data)} bytes, the ledger recorded {recorded['bytes']}"
            if "sha256" in recorded and hashlib.sha256(data).hexdigest() != recorded["sha256"]:
                return f"{path} does not match its checksum in the ledger"
        return None

    def _drop_mismatched(self) -> None:
        """Forget the chunks whose files do not match the ledger, so that they are run again."""
        entries = self.ledger()
        bad = [(e, why) for e in entries if (why := self._mismatch(e)) is not None]
        if not bad:
            return
        kept = [e for e in entries if all(e is not b for b, _ in bad)]
        write_text(self.ledger_path, "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in kept))
        for entry, why in bad:
            for key in ("outcomes", "trajectories"):
                if entry.get(key):
                    (self.directory / entry[key]).unlink(missing_ok=True)
            reps = entry["replications"]
            self.notes.append(f"{why}; replications {min(reps)}-{max(reps)} are run again")

    # chunks
    def write_chunk(self, replications: Sequence[int], *, strategies: Sequence[str],
                    outcomes: pd.DataFrame, trajectories: pd.DataFrame,
                    failures: pd.DataFrame) -> dict[str, Any]:
        """Store the results of a chunk of consecutive replications and record it in
        the ledger (last, so that a crash leaves no half-recorded chunk). Returns the
        ledger entry."""
        stem = f"chunk-{min(replications):06d}-{max(replications):06d}"
        names: dict[str, str | None] = {}
        files: dict[str, dict[str, Any]] = {}
        for key, frame, suffix in (("outcomes", outcomes, ""), ("trajectories", trajectories, "-traj")):
            names[key] = None
            if not frame.empty:
                names[key] = f"chunks/{stem}{suffix}.parquet"
                buffer = io.BytesIO()
                frame.to_parquet(buffer, index=False)
                data = buffer.getvalue()
                path = self.directory / names[key]
                try:
                    atomic_write(path, lambda f, data=data: f.write(data))
                except OSError as err:       # leave no file of a chunk the ledger does not record
                    for done in files:
                        (self.directory / done).unlink(missing_ok=True)
                    raise ResultsNotSaved.of(path, err) from err
                files[names[key]] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        entry = {"replications": [int(r) for r in replications], "strategies": list(strategies),
                 "n_outcomes": len(outcomes), "n_trajectory_rows": len(trajectories), **names, "files": files,
                 "failures": plain(failures.to_dict(orient="records")), "written_at": utc_now()}
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


