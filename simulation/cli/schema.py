"""``presale schema``: the JSON Schema of scenario files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import app, err


@app.command()
def schema(out: Annotated[Optional[Path], typer.Option(help="Write to this file instead of printing.")] = None) -> None:
    """Print the JSON Schema of scenario files."""
    from ..scenario.jsonschema import scenario_json_schema

    text = scenario_json_schema()
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        err(f"wrote {out}")
