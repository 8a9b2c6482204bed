"""Finished models are freed: nothing class-level keeps them alive across a long batch."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from simulation import load_scenario, with_overrides
from simulation.runs.runner import Replication

SMOKE = Path(__file__).parent / "fixtures" / "smoke.yaml"


def test_models_are_garbage_collected_after_their_run():
    scenario = with_overrides(load_scenario(SMOKE), {"run.population": 1000})
    refs = []
    for r in range(3):
        replication = Replication(scenario, r)
        for strategy in scenario.strategies:
            model = replication.model(strategy)
            refs.append(weakref.ref(model))
            refs.append(weakref.ref(model.seller))
        del model, replication
    gc.collect()
    assert len(refs) == 3 * 2 * 2
    assert [ref for ref in refs if ref() is not None] == []
