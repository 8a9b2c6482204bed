"""compare_strategies when nothing finished: AllRunsFailed naming the first failure, holding an
honest empty study, never a crash in the statistics."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation import load_scenario, with_overrides
from simulation.runs import chunks
from simulation.analysis.study import AllRunsFailed, StudySettings, compare_strategies

SMOKE = Path(__file__).parent / "fixtures" / "smoke.yaml"


class _Broken:
    def __init__(self, scenario, replication):
        raise RuntimeError("engine fault")


def test_a_study_whose_every_run_failed_raises_with_the_failures(monkeypatch):
    from simulation.analysis.study import AllRunsFailed

    monkeypatch.setattr(chunks, "Replication", _Broken)
    scenario = with_overrides(load_scenario(SMOKE), {"run.population": 1000})
    with pytest.raises(AllRunsFailed, match="every run failed, e.g. base replication 0: RuntimeError: engine fault") as info:
        compare_strategies(scenario, StudySettings(replications=3, workers=1, gates=("profit.mean < baseline -1%",)))
    study = info.value.study
    assert not study.complete and not study.interrupted
    assert study.outcomes.empty and study.summary.empty and study.risk.empty and study.gates.empty
    assert len(study.failures) == 3 * 2 and set(study.failures["error_type"]) == {"RuntimeError"}
    assert study.meta["replications"] == 0 and study.meta["complete"] is False
