"""The JSON Schema of scenario files (committed under ``schemas/``)."""

from __future__ import annotations

import json

from .schema import Scenario

__all__ = ["scenario_json_schema"]


def scenario_json_schema() -> str:
    """The schema as stable, indented JSON text ending with a newline."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$id"] = "https://presale-sim.org/schemas/scenario.schema.json"
    schema["title"] = "Presale scenario"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
