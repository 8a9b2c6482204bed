"""The ``presale`` command line: the only package that prints or exits.

One module per command (:mod:`.validate`, :mod:`.run`, :mod:`.compare`, :mod:`.check`,
:mod:`.schema`); :mod:`.app` holds what they share. Heavy modules are imported
inside the commands so that ``--help`` is instant.
"""

from __future__ import annotations

import sys
from pathlib import Path

# each module registers its command; this order is the order of ``presale --help``
from . import validate, schema, run, compare, check, sweep, sensitivity, discover, calibrate, optimize  # noqa: F401,I001
from .app import app, err

__all__ = ["app", "main"]


def main() -> None:
    """Console entry point.

    An unexpected error never exits 0 or 1 (ok, a gate failed): it prints one line,
    writes the traceback to a log file and exits 3, as Ctrl-C does.
    """
    try:
        app()
    except KeyboardInterrupt:                        # outside a batch (a batch keeps what finished itself)
        err("interrupted; finished work in a results folder is kept (--resume continues it)")
        sys.exit(3)
    except Exception as error:                       # a crash: not the user's input, not a gate
        log = _crash_log()
        err(f"presale crashed: {type(error).__name__}: {error}; the traceback is in {log}; "
            "finished work in the results folder is kept (--resume continues it)")
        sys.exit(3)


def _crash_log() -> str:
    """Write the current exception's traceback to a new log file; return its path."""
    import tempfile
    import time
    import traceback

    name = f"presale-crash-{time.strftime('%Y%m%d-%H%M%S')}-{__import__('os').getpid()}.log"
    path = Path(tempfile.gettempdir()) / name
    path.write_text(" ".join(sys.argv) + "\n\n" + traceback.format_exc(), encoding="utf-8")
    return str(path)
