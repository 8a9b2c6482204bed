"""Comparative statics of the market and the money, as paired differences on the bundled scenarios.

Each test runs one strategy of a bundled scenario twice over the same replications
(common random numbers: the same consumers and draws in replication *r* of both
arms) on a small population, changing one lever between the arms. The direction of
the change holds when the 95 % confidence interval of the mean paired difference
lies entirely on the expected side of zero. Seeds are the scenarios' own, so a
result never changes from one run to the next.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from simulation import load_scenario, with_overrides
from simulation.analysis.estimators import mean_ci
from simulation.runs.execution import run_many

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
REPLICATIONS = 30
POPULATION = 2000
AMPLE_STOCK = 2_000_000


@lru_cache(maxsize=None)
def _scenario(stem: str):
    return with_overrides(load_scenario(SCENARIOS / f"{stem}.yaml"), {"run.population": POPULATION})


def _outcomes(stem: str, strategy: str, overrides: dict) -> pd.DataFrame:
    scenario = _scenario(stem)
    if overrides:
        scenario = with_overrides(scenario, overrides)
    out = run_many(scenario, strategies=(strategy,), replications=REPLICATIONS, workers=1).outcomes
    assert len(out) == REPLICATIONS, "every replication must run"
    return out.set_index("replication")


def _paired(stem: str, strategy: str, metric: str, *, base: dict, changed: dict):
    """Mean paired difference (changed - base) of ``metric`` with its 95 % interval."""
    a = _outcomes(stem, strategy, base)[metric]
    b = _outcomes(stem, strategy, {**base, **changed})[metric]
    return mean_ci((b - a).to_numpy())


def test_deeper_promotion_sells_more_units():
    """满减 in the winter burst from ¥40 to ¥80 off per full ¥300 (ample stock in both arms)."""
    key = "strategies.full_prepay"
    ample = {f"{key}.inventory.initial_stock": AMPLE_STOCK}
    deeper = {f"{key}.promotions": [{"name": "burst_manjian", "kind": "threshold", "threshold": 300,
                                    "amount": 80, "stackable": True, "start_day": 30, "end_day": 33}]}
    diff = _paired("winter_apparel", "full_prepay", "units_sold", base=ample, changed=deeper)
    assert diff.ci_low > 0, diff


def test_lower_rating_brings_more_returns():
    """Winter jacket rated 4.3 instead of 4.8 stars: a higher return rate and more units returned."""
    good, poor = {"product.rating": 4.8}, {"product.rating": 4.3}
    rate = _paired("winter_apparel", "full_prepay", "return_rate", base=good, changed=poor)
    assert rate.ci_low > 0, rate
    count = _paired("winter_apparel", "full_prepay", "n_returns", base=good, changed=poor)
    assert count.ci_low > 0, count


def test_less_stock_loses_more_sales_and_leaves_less():
    """The winter big batch made with 50 000 units instead of 90 000 (nothing produced later)."""
    key = "strategies.inflated_deposit_big_batch.inventory.initial_stock"
    lost = _paired("winter_apparel", "inflated_deposit_big_batch", "lost_sales",
                   base={key: 90000}, changed={key: 50000})
    assert lost.ci_low > 0, lost
    left = _paired("winter_apparel", "inflated_deposit_big_batch", "leftover_units",
                   base={key: 90000}, changed={key: 50000})
    assert left.ci_high < 0, left


def test_a_refund_gives_back_the_fee_on_the_money_it_returns():
    """Fees settle on net sales: with one fee rate on every channel, fees = rate x (received - refunded).

    The refundable early-bird deposit refunds walk-aways, late cancellations and returns;
    raising the return curve refunds more of the same sales, and the fees fall with them.
    """
    stem, strategy = "winter_apparel", "refundable_early_bird"
    rate = 0.1
    same_fee = {f"channels.{c}.fee_rate": rate for c in _scenario(stem).channels}
    out = _outcomes(stem, strategy, same_fee)
    assert (out["refunds"] > 0).all()
    np.testing.assert_allclose(out["channel_fees"], rate * out["revenue_net"], rtol=1e-6)
    more_returns = {"product.returns.p_return": [0.36, 0.09]}
    fees = _paired(stem, strategy, "channel_fees", base=same_fee, changed=more_returns)
    refunds = _paired(stem, strategy, "refunds", base=same_fee, changed=more_returns)
    assert refunds.ci_low > 0, refunds
    assert fees.ci_high < 0, fees
