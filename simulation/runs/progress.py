"""Progress of a batch of replications: the event the library reports, and its
one-line text.

The library never prints: :func:`simulation.runs.execution.run_many` calls a
``progress(event)`` callback after every finished chunk. The command line renders
the events (:class:`simulation.cli.progress_bar.ProgressBar`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ProgressEvent", "ProgressCallback", "format_event", "format_duration"]


@dataclass(frozen=True)
class ProgressEvent:
    """Where a batch of replications stands.

    Attributes
    ----------
    scenario
        Name of the scenario being run.
    done, total
        Replications finished (including those resumed from a result directory)
        and replications expected.
    elapsed_s
        Seconds since the batch started.
    rate
        Replications finished per second in this session (0 before the first chunk).
    eta_s
        Estimated seconds to go, ``None`` while no rate is known.
    n_failed
        Replications in which at least one strategy failed.
    finished
        ``True`` on the last event of the batch, whether it completed or was interrupted.
    interrupted
        ``True`` when the batch stopped early (Ctrl-C).
    """

    scenario: str
    done: int
    total: int
    elapsed_s: float
    rate: float
    eta_s: float | None
    n_failed: int = 0
    finished: bool = False
    interrupted: bool = False


ProgressCallback = Callable[[ProgressEvent], None]


def format_duration(seconds: float) -> str:
    """A short duration: ``"42s"``, ``"3m05s"``, ``"1h02m"``."""
    s = max(0, int(math.ceil(seconds)))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def format_event(event: ProgressEvent) -> str:
    """One line describing ``event``, e.g. ``"smoke: 120/200 replications · 35.2/s · ETA 2s"``."""
    parts = [f"{event.scenario}: {event.done}/{event.total} replications"]
    if event.rate > 0:
        parts.append(f"{event.rate:.1f}/s")
    if event.n_failed:
        parts.append(f"{event.n_failed} failed")
    if event.interrupted:
        parts.append("interrupted")
    elif event.finished:
        parts.append(f"done in {format_duration(event.elapsed_s)}")
    elif event.eta_s is not None:
        parts.append(f"ETA {format_duration(event.eta_s)}")
    return " · ".join(parts)
