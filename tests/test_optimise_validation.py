"""The optimiser against the newsvendor, whose best stock is known in closed form.

Scenario ``tests/data/newsvendor.yaml``: demand D ~ U[a, b] = U[200, 400] (the market size,
one consumer each, everyone buys at p = 100 while stock lasts), unit cost c = 25, salvage
s = 0. Expected profit is largest at the critical-ratio quantile Q* = a + CR·(b − a),
CR = (p − c)/(p − s) = 0.75, so Q* = 350; a limit P(stock-out) ≤ α (a stock-out iff D > Q)
moves it to Q_α = b − α·(b − a) when that is larger.

Tolerance. The optimiser picks the plan on R replications, so its answer is the sample
quantile of R demands, whose standard error is (b − a)·sqrt(q(1 − q)/R) at quantile q (the
density of D is 1/(b − a)); the checks allow 4 of them, with R the race's replications,
on which the winner is chosen.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from simulation import OptimizeSettings, load_scenario, optimize

NEWSVENDOR = Path(__file__).parent / "data" / "newsvendor.yaml"
LEVER = "strategies.stock.inventory.initial_stock"
A, B, PRICE, COST, SALVAGE = 200.0, 400.0, 100.0, 25.0, 0.0
CR = (PRICE - COST) / (PRICE - SALVAGE)
SEARCH_REPLICATIONS = 40
RACE_REPLICATIONS = 2 * SEARCH_REPLICATIONS


def settings(*constraints: str) -> OptimizeSettings:
    return OptimizeSettings(strategy="stock", levers=(f"{LEVER}={A:g}:{B:g}:1",), constraints=constraints,
                            budget=24, population_size=8, replications=SEARCH_REPLICATIONS, race_top=3,
                            race_rounds=1, confirm_replications=40, workers=1)


def quantile_se(q: float, replications: int) -> float:
    return (B - A) * math.sqrt(q * (1 - q) / replications)


def expected_profit(q: float) -> float:
    """E[p·min(D, Q) + s·(Q − min(D, Q)) − c·Q] for D ~ U[a, b], a ≤ Q ≤ b."""
    sold = q - (q - A) ** 2 / (2 * (B - A))
    return PRICE * sold + SALVAGE * (q - sold) - COST * q


@pytest.fixture(scope="module")
def unconstrained():
    return optimize(load_scenario(NEWSVENDOR), settings())


@pytest.fixture(scope="module")
def limited():
    return optimize(load_scenario(NEWSVENDOR), settings("p_stockout_early <= 0.05"))


def test_the_best_stock_is_the_critical_ratio_quantile(unconstrained):
    best = A + CR * (B - A)
    tolerance = 4 * quantile_se(CR, RACE_REPLICATIONS)
    chosen = unconstrained.best[LEVER]
    assert unconstrained.feasible
    assert abs(chosen - best) <= tolerance, (chosen, best, tolerance)
    # what a stock within the tolerance can lose: (p − s)·δ²/(2(b − a)) at most
    assert expected_profit(chosen) >= expected_profit(best) - (PRICE - SALVAGE) * tolerance ** 2 / (2 * (B - A))


def test_a_tighter_stockout_limit_raises_the_best_stock(unconstrained, limited):
    alpha = 0.05
    bound = B - alpha * (B - A)
    assert limited.feasible
    assert limited.best[LEVER] > unconstrained.best[LEVER]
    assert abs(limited.best[LEVER] - bound) <= 4 * quantile_se(1 - alpha, RACE_REPLICATIONS)
    row = limited.confirmation.set_index("statistic").loc["p_stockout_early.mean"]
    assert row["limit"] == "p_stockout_early <= 0.05" and 0.0 <= row["p_holds"] <= 1.0
    assert row["ci_low"] <= row["estimate"] <= row["ci_high"]


def test_the_optimised_plan_is_compared_with_every_hand_written_strategy(unconstrained):
    assert list(unconstrained.comparison["strategy"]) == ["stock", "lean"]
    lean = unconstrained.comparison.set_index("strategy").loc["lean"]
    assert lean["verdict"] == "better" and lean["diff_ci_low"] > 0   # 220 units is far below Q*


def test_the_convergence_trace_never_gets_worse(unconstrained):
    best = unconstrained.convergence["best_feasible"].dropna().to_numpy()
    assert len(best) and np.all(np.diff(best) >= 0)
