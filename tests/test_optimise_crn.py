"""Every candidate of an optimisation runs on the same replications (common random numbers)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simulation import load_scenario
from simulation.analysis.limits import parse_limit, parse_statistic
from simulation.explore.candidates import Candidates, RunOptions
from simulation.explore.levers import lever_space, parse_lever

NEWSVENDOR = Path(__file__).parent / "data" / "newsvendor.yaml"
LEVER = "strategies.stock.inventory.initial_stock"


def candidates():
    sc = load_scenario(NEWSVENDOR)
    space = lever_space(sc, "stock", [parse_lever(f"{LEVER}=200:400:1")])
    return Candidates(sc, space, parse_statistic("profit.mean"), (parse_limit("p_stockout_early <= 0.2"),),
                      RunOptions(workers=1))


def test_a_plan_gets_the_same_values_in_every_batch():
    cands = candidates()
    cands.evaluate([(250.0,), (350.0,)], replications=6)
    cands.evaluate([(390.0,), (350.0,), (300.0,)], replications=10)     # another batch, other neighbours
    first = cands.values[((350.0,), 6)]
    again = cands.values[((350.0,), 10)].iloc[:6]
    pd.testing.assert_frame_equal(first, again)
    assert first["profit"].nunique() > 1          # the replications differ from one another


def test_the_unmodified_strategy_equals_its_own_plan_in_the_same_batch():
    cands = candidates()
    cands.evaluate([(300.0,), (250.0,)], replications=6)    # 300 is the strategy's own stock
    own = cands.values[((300.0,), 6)]["profit"].to_numpy()
    assert (own == cands.reference[0].to_numpy()).all()
    other = cands.values[((250.0,), 6)]["profit"].to_numpy()
    assert not (own == other).all()


def test_the_reference_is_identical_in_every_search_batch():
    cands = candidates()
    for stock in (220.0, 260.0, 380.0):
        cands.evaluate([(stock,)], replications=5)
    for batch in cands.reference[1:]:
        pd.testing.assert_series_equal(batch, cands.reference[0])
    assert len(cands.trace) == 3 and cands.batches == 3
