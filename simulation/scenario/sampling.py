"""Draw a concrete scenario for one replication.

Every distribution outside the consumer attributes of a segment, and every
entry of ``uncertainties``, is drawn once per replication from the stream
``param:<path>``. A strategy's path is keyed without the strategy name, so
every strategy of a replication gets the same draw (common random numbers).
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from ..errors import PresaleError
from ..rng import stream
from .distributions import Distribution
from .paths import get_path, set_in
from .rules import check_rules
from .schema import Scenario
from .sections import CONSUMER_ATTRIBUTES

__all__ = ["draw_parameters", "param_key"]

_DIST = TypeAdapter(Distribution)


def param_key(parts: tuple) -> str:
    """The stream key of a parameter path (strategy names replaced by ``*``)."""
    parts = tuple(str(p) for p in parts)
    if len(parts) > 1 and parts[0] == "strategies":
        parts = ("strategies", "*", *parts[2:])
    return ".".join(parts)


def _is_consumer_attribute(parts: tuple) -> bool:
    return (len(parts) >= 4 and parts[0] == "market" and parts[1] == "segments"
            and parts[3] in CONSUMER_ATTRIBUTES)


def _draw(dist_data: dict, parts: tuple, seed: int, replication: int) -> float:
    u = stream(seed, replication, "param:" + param_key(parts)).random()
    return float(_DIST.validate_python(dist_data).ppf(u))


def _walk(node: Any, parts: tuple, seed: int, replication: int) -> Any:
    if isinstance(node, dict):
        if "dist" in node and not _is_consumer_attribute(parts):
            return _draw(node, parts, seed, replication)
        if _is_consumer_attribute(parts):
            return node
        return {k: _walk(v, (*parts, k), seed, replication) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, (*parts, i), seed, replication) for i, v in enumerate(node)]
    return node


def draw_parameters(scenario: Scenario, replication: int) -> Scenario:
    """The scenario with every replication-level distribution drawn.

    Consumer-attribute distributions stay (they describe the population).
    The result has no ``uncertainties`` left.
    """
    data = scenario.model_dump(by_alias=True)
    seed = scenario.run.seed
    uncertainties = data.pop("uncertainties", {}) or {}
    data["uncertainties"] = {}
    for path, dist in sorted(uncertainties.items()):
        parts = tuple(path.split("."))
        value = _draw(dist, parts, seed, replication)
        current = get_path(scenario, path)
        if isinstance(current, int) and not isinstance(current, bool):
            value = int(round(value))        # whole-number fields (days) take the nearest integer
        data = set_in(data, list(parts), value)
    data = _walk(data, (), seed, replication)
    population, size = data["run"].get("population"), data["market"]["size"]
    if population is not None and population > size:
        # a small draw of the market: one simulated consumer per real one in this replication,
        # rather than a replication that fails (and an average over the survivors)
        data["run"]["population"] = max(1, int(size))
    drawn = Scenario.model_validate(data)
    broken = check_rules(drawn)
    if broken:
        detail = "; ".join(f"{'.'.join(map(str, f.loc))}: {f.message}" for f in broken)
        raise PresaleError(f"replication {replication} drew parameters that break the scenario's rules: {detail}")
    return drawn
