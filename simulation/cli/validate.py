"""``presale validate``: check scenario files, every problem at once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import app, load_all


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")]) -> None:
    """Check scenario files and report every problem (exit 2 if any)."""
    for path, sc in zip(files, load_all(files)):
        typer.echo(f"ok: {path}: '{sc.name}', {len(sc.strategies)} strategies, baseline '{sc.baseline_name}'")
