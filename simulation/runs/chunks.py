"""The work unit of a batch: a chunk of consecutive replications, every strategy in each."""

from __future__ import annotations

import math
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .io import concat_tidy, failure_frame
from .runner import Replication
from ..scenario.overrides import with_overrides
from ..scenario.schema import Scenario

__all__ = ["CHUNKS_PER_WORKER", "MAX_CHUNK_SIZE", "ChunkResult", "chunk_replications", "default_chunk_size",
           "failure_record", "run_chunk", "Inputs"]

MAX_CHUNK_SIZE = 8
"""Replications in one chunk at most: a chunk is the unit of progress, of saving and of what
Ctrl-C drops, so it stays a few seconds long (writing it costs about 2 % of the run)."""
CHUNKS_PER_WORKER = 8
"""Chunks per worker aimed at, so that progress moves and work is saved often."""


@dataclass(frozen=True)
class ChunkResult:
    """Tidy results of one chunk of replications."""

    replications: tuple[int, ...]
    outcomes: pd.DataFrame
    trajectories: pd.DataFrame
    failures: pd.DataFrame


def failure_record(strategy: str, replication: int, seed: int, err: BaseException) -> dict[str, Any]:
    """A failures-table row: what failed, its seed and the error with its traceback."""
    return {"strategy": strategy, "replication": replication, "seed": seed,
            "error_type": type(err).__name__, "message": str(err),
            "traceback": "".join(traceback.format_exception(err))}


Inputs = Mapping[str, Mapping[str, object]]
"""Input overrides by strategy: a strategy listed runs on the scenario with these dotted
paths set (a design point of a sweep over market or uncertain inputs)."""


def _groups(scenario: Scenario, strategies: Sequence[str], inputs: Inputs | None
            ) -> list[tuple[Scenario | Exception, tuple[str, ...]]]:
    """Strategies grouped by the scenario they run on, in first-seen order."""
    keyed: dict[str, tuple[Mapping[str, object], list[str]]] = {}
    for s in strategies:
        overrides = (inputs or {}).get(s) or {}
        keyed.setdefault(repr(sorted(overrides.items())), (overrides, []))[1].append(s)
    groups: list[tuple[Scenario | Exception, tuple[str, ...]]] = []
    for overrides, names in keyed.values():
        try:
            variant = with_overrides(scenario, dict(overrides)) if overrides else scenario
        except Exception as err:
            variant = err
        groups.append((variant, tuple(names)))
    return groups


def run_chunk(scenario: Scenario, replications: Sequence[int], strategies: Sequence[str],
              inputs: Inputs | None = None, keep_trajectories: bool = True) -> ChunkResult:
    """Simulate every strategy in each of ``replications`` (the work unit).

    Each replication's parameters and population are drawn once and shared by
    its strategies, which step day by day together so that each day's draws are
    made once (:meth:`~simulation.runs.runner.Replication.plan_batch`). Strategies
    with ``inputs`` run on their own copy of the scenario, still on the streams
    of the replication (common random numbers). Without ``keep_trajectories`` only the
    outcomes are kept. An exception in one (strategy, replication) is recorded as
    a failure and the rest go on.
    """
    records, trajectories, failures = [], [], []
    seed = scenario.run.seed
    groups = _groups(scenario, strategies, inputs)
    for r in replications:
        for variant, names in groups:
            try:
                if isinstance(variant, Exception):
                    raise variant
                replication = Replication(variant, r)
            except Exception as err:
                failures += [failure_record(s, r, seed, err) for s in names]
                continue
            replication.plan_batch(names, trajectories=keep_trajectories)
            for s in names:
                try:
                    record, trajectory = replication.simulate_record(s)
                except Exception as err:
                    failures.append(failure_record(s, r, seed, err))
                    continue
                records.append(record)
                trajectories.append(trajectory)
            del replication               # free its population and draws before the next
    return ChunkResult(tuple(replications), pd.DataFrame(records) if records else pd.DataFrame(),
                       concat_tidy(trajectories),
                       failure_frame(failures))


def default_chunk_size(n_replications: int, workers: int) -> int:
    """About :data:`CHUNKS_PER_WORKER` chunks per worker, between 1 and :data:`MAX_CHUNK_SIZE`
    replications each."""
    return max(1, min(MAX_CHUNK_SIZE, math.ceil(n_replications / (CHUNKS_PER_WORKER * workers))))


def chunk_replications(replications: Sequence[int], size: int, workers: int = 1) -> list[tuple[int, ...]]:
    """Split replications into chunks of at most ``size`` consecutive ones, as even as possible.

    Each run of consecutive replications is cut into as few chunks as ``size`` allows, their
    sizes differing by one at most (larger first). When the replications are one run, the
    number of chunks is also a multiple of ``workers`` (while there are replications to fill
    them): the last round of chunks then keeps every worker busy instead of leaving one to
    finish a chunk alone (100 replications in chunks of 7 on 2 workers were 51 against 49
    replications; in 16 chunks of 6 or 7 they are 50 and 50).
    """
    runs: list[list[int]] = []
    for r in sorted(replications):
        if runs and r == runs[-1][-1] + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    counts = [math.ceil(len(run) / size) for run in runs]
    if len(runs) == 1 and workers > 1:
        counts[0] = min(len(runs[0]), -(-counts[0] // workers) * workers)
    chunks: list[tuple[int, ...]] = []
    for run, k in zip(runs, counts):
        q, extra = divmod(len(run), k)
        start = 0
        for i in range(k):
            end = start + q + (i < extra)
            chunks.append(tuple(run[start:end]))
            start = end
    return chunks
