"""The ``presale`` command line: the only package that prints or exits.

One module per command (:mod:`.validate`, :mod:`.run`, :mod:`.compare`,
:mod:`.schema`); :mod:`.app` holds what they share. Heavy modules are imported
inside the commands so that ``--help`` is instant.
"""

from __future__ import annotations

import sys

# each module registers its command; this order is the order of ``presale --help``
from . import validate, schema, run, compare, sweep, sensitivity, discover  # noqa: F401,I001
from .app import app, err

__all__ = ["app", "main"]


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err("interrupted")
        sys.exit(130)
