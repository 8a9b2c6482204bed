"""A lock on a results folder, so that two runs never write into the same one.

The lock is a file, ``.lock``, holding the holder's pid, host, start time and
command. It is made whole or not at all (written aside, then hard-linked into
place, which fails if a lock is already there). A second run refuses at once,
naming the holder; the lock of a process that is gone (its pid is not running
on this host, or runs a later process) is stale and taken over.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import PresaleError

__all__ = ["FolderLock", "FolderLocked", "LOCK_NAME", "lock_holder"]

LOCK_NAME = ".lock"


class FolderLocked(PresaleError):
    """The results folder is in use by another run."""


def _process_start(pid: int) -> str | None:
    """The start time of process ``pid`` in clock ticks since boot (Linux), ``None`` elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def _alive(holder: Mapping[str, Any]) -> bool:
    """Whether the process that wrote ``holder`` may still run (``True`` when it cannot be told)."""
    if holder.get("host") != socket.gethostname():
        return True                       # another machine: its processes cannot be seen from here
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:               # running, as another user
        return True
    recorded, now = holder.get("process_start"), _process_start(pid)
    return recorded is None or now is None or recorded == now


def _read(path: Path) -> dict[str, Any] | None:
    """The lock's holder; ``None`` without a lock; ``{}`` for an unreadable one."""
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def describe(holder: Mapping[str, Any]) -> str:
    """``pid 123 on host, started 2026-… (presale compare …)``."""
    text = f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, started {holder.get('started_at', '?')}"
    return text + (f" ({holder['command']})" if holder.get("command") else "")


def lock_holder(directory: str | os.PathLike[str]) -> str | None:
    """Who holds the lock of ``directory`` while that process runs; ``None`` when free or stale."""
    holder = _read(Path(directory) / LOCK_NAME)
    return describe(holder) if holder and _alive(holder) else None


class FolderLock:
    """The lock of one results folder, held from :meth:`acquire` to :meth:`release`
    (or as a context manager).

    Parameters
    ----------
    directory
        The results folder; created if missing.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.path = Path(directory) / LOCK_NAME
        self.took_over: str | None = None
        self._token: str | None = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock, or take over a stale one.

        Raises
        ------
        FolderLocked
            Another live process holds it.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._token = secrets.token_hex(8)
        pid = os.getpid()
        mine = {"pid": pid, "host": socket.gethostname(), "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "process_start": _process_start(pid), "command": " ".join(sys.argv)[:200], "token": self._token}
        for _ in range(3):
            if self._link(mine):
                return
            holder = _read(self.path)
            if holder is None:
                continue                          # released meanwhile: try again
            if holder and _alive(holder):
                raise FolderLocked(
                    f"{self.path.parent} is in use by another run ({describe(holder)}); wait for it to "
                    f"finish or write to another folder (if that process is gone, delete {self.path})")
            self.took_over = describe(holder) if holder else "an unreadable lock"
            self.path.unlink(missing_ok=True)     # stale: the process that held it is gone
        raise FolderLocked(f"{self.path.parent}: could not take the lock {self.path}; another run keeps taking it")

    def _link(self, content: Mapping[str, Any]) -> bool:
        """Put the lock in place, whole, unless one is there already."""
        tmp = self.path.with_name(f".lock.{os.getpid()}-{self._token}.tmp")
        tmp.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        try:
            os.link(tmp, self.path)
            return True
        except FileExistsError:
            return False
        except OSError:                   # a file system without hard links
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                return False
            with open(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(content, ensure_ascii=False))
            return True
        finally:
            tmp.unlink(missing_ok=True)

    def release(self) -> None:
        """Remove the lock if it is still this one's."""
        if self._token is not None and (_read(self.path) or {}).get("token") == self._token:
            self.path.unlink(missing_ok=True)
        self._token = None
