"""Files written so that a crash leaves either the old content or the whole new one.

Temporary file in the same directory, ``fsync``, ``os.replace``, then ``fsync`` of
the directory (where the platform allows it).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "fsync_dir", "write_parquet", "write_text"]


def fsync_dir(directory: Path) -> None:
    """Flush a directory's entries (new and renamed files) to disk."""
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


def atomic_write(path: Path, write: Callable[[IO[bytes]], Any]) -> None:
    """Write ``path`` so that it holds either its old content or the whole new one.

    An :class:`OSError` (a full disk) names ``path``, not the temporary file, which is removed.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OSError(err.errno, err.strerror or str(err), str(path)) from err
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def write_parquet(path: Path, frame) -> None:
    """Write a data frame as Parquet atomically."""
    atomic_write(path, lambda f: frame.to_parquet(f, index=False))
