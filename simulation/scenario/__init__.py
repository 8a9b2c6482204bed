"""Scenario files: schema, distributions, loader, dotted paths, overrides and sampling."""

from .loader import load_scenario, scenario_from_dict
from .overrides import with_overrides
from .paths import get_path
from .schema import Scenario

__all__ = ["Scenario", "load_scenario", "scenario_from_dict", "get_path", "with_overrides"]
