"""One seed, one ``SeedSequence`` tree, named streams.

Every random number in a run comes from a stream identified by
``(seed, replication, name, *extra)``. Streams never depend on the strategy or on
the worker that runs them, so replication ``r`` of every strategy sees the same
population, the same parameter draws and the same per-consumer daily draws
(common random numbers), and results do not depend on the number of processes.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["stream", "name_key"]


def name_key(name: str) -> int:
    """Stable 32-bit key of a stream name (independent of ``PYTHONHASHSEED``)."""
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, replication: int, name: str, *extra: int) -> np.random.Generator:
    """Return the generator of one named stream.

    Parameters
    ----------
    seed
        The scenario's seed.
    replication
        Replication index (0-based).
    name
        Stream name, e.g. ``"population"``, ``"day"``, ``"param:market.size"``.
    *extra
        Further non-negative integers, e.g. the day index.
    """
    key = (int(replication), name_key(name), *(int(e) for e in extra))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=key)))
