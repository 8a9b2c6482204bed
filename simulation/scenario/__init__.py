"""Scenario files: schema, distributions, loader, dotted paths and sampling."""

from .loader import load_scenario, scenario_from_dict
from .paths import get_path, with_overrides
from .schema import Scenario

__all__ = ["Scenario", "load_scenario", "scenario_from_dict", "get_path", "with_overrides"]
