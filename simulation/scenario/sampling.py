"""Draw a concrete scenario for one replication.

Every distribution outside the consumer attributes of a segment, and every
entry of ``uncertainties``, is drawn once per replication from the stream
``param:<path>``. A strategy's path is keyed without the strategy name, so
every strategy of a replication gets the same draw (common random numbers).
"""

from __future__ import annotations

from typing import Any

from ..rng import stream
from .distributions import is_distribution
from .paths import set_in
from .schema import Scenario
from .sections import CONSUMER_ATTRIBUTES
from pydantic import TypeAdapter

from .distributions import Distribution

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
        data = set_in(data, list(parts), _draw(dist, parts, seed, replication))
    data = _walk(data, (), seed, replication)
    return Scenario.model_validate(data)
