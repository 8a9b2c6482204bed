"""Common random numbers make paired differences tight.

Two nearly equal strategies (presale price 450 against 449) run over the same
replications. Paired by replication, the standard error of their profit
difference is a small fraction of the unpaired one; run on independent random
numbers (the variant shifted to other replications) it is not, so the gain
comes from the pairing and not from the strategies being alike.

The gain shrinks as the strategies move apart: every consumer whose choice the
change flips goes on a path of their own. The unpaired SE is about 9.5 times the
paired one at ¥1 apart (96 replications) and about 4.6 times at ¥5 apart (160).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulation import load_scenario, with_overrides
from simulation.runs.execution import run_many

SMOKE = Path(__file__).parent / "fixtures" / "smoke.yaml"
R = 48


@pytest.fixture(scope="module")
def profits():
    smoke = load_scenario(SMOKE)
    variant = smoke.strategies["base"].model_dump()
    variant["pricing"]["presale_price"] = 449
    scenario = with_overrides(smoke, {
        "run.population": 4000,
        "strategies.prepay": variant,
        "uncertainties": {"market.awareness.imitation": {"dist": "uniform", "low": 0.2, "high": 0.4}},
    })
    outcomes = run_many(scenario, replications=2 * R, workers=1).outcomes
    by = outcomes.pivot(index="replication", columns="strategy", values="profit")
    return by["base"].to_numpy(), by["prepay"].to_numpy()


def _unpaired_se(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size))


def _paired_se(a: np.ndarray, b: np.ndarray) -> float:
    return float((a - b).std(ddof=1) / np.sqrt(a.size))


def test_paired_difference_is_much_tighter_than_unpaired(profits):
    base, variant = profits[0][:R], profits[1][:R]
    assert not np.array_equal(base, variant)
    assert _paired_se(base, variant) < _unpaired_se(base, variant) / 5


def test_without_common_numbers_pairing_does_not_help(profits):
    base, variant = profits[0][:R], profits[1][R:]        # replication r against r + R
    assert _paired_se(base, variant) > _unpaired_se(base, variant) / 2
