"""Comparative statics of the market and the money: promotion depth, rating, stock, refunded fees.

Each test moves one lever of a bundled scenario and checks the sign of the paired
difference over 30 replications on common random numbers (see :mod:`pairing`).
"""

from __future__ import annotations

import numpy as np
from pairing import REPLICATIONS, expect_sign, outcome, paired_difference, run, small

AMPLE_STOCK = 2_000_000


def test_deeper_promotion_sells_more_units():
    """满减 in the winter burst from ¥40 to ¥80 off per full ¥300 (ample stock in both arms,
    so that demand, not the shelf, decides)."""
    key = "strategies.full_prepay"
    ample = {f"{key}.inventory.initial_stock": AMPLE_STOCK}
    deeper = {f"{key}.promotions": [{"name": "burst_manjian", "kind": "threshold", "threshold": 300,
                                    "amount": 80, "stackable": True, "start_day": 30, "end_day": 33}]}
    before, after = small("winter_apparel", ample), small("winter_apparel", {**ample, **deeper})
    expect_sign(*paired_difference(before, after, "full_prepay", outcome("units_sold")), +1)


def test_lower_rating_brings_more_returns():
    """The winter jacket rated 4.3 instead of 4.8 stars: a higher return rate and more units returned."""
    good, poor = small("winter_apparel", {"product.rating": 4.8}), small("winter_apparel", {"product.rating": 4.3})
    expect_sign(*paired_difference(good, poor, "full_prepay", outcome("return_rate")), +1)
    expect_sign(*paired_difference(good, poor, "full_prepay", outcome("n_returns")), +1)


def test_less_stock_loses_more_sales_and_leaves_less():
    """The winter big batch made with 60 000 units instead of 120 000 (nothing produced later)."""
    key = "strategies.inflated_deposit_big_batch.inventory.initial_stock"
    more, less = small("winter_apparel", {key: 120000}), small("winter_apparel", {key: 60000})
    strategy = "inflated_deposit_big_batch"
    expect_sign(*paired_difference(more, less, strategy, outcome("lost_sales")), +1)
    expect_sign(*paired_difference(more, less, strategy, outcome("leftover_units")), -1)


def test_a_refund_gives_back_the_fee_on_the_money_it_returns():
    """Fees settle on net sales: with one fee rate on every channel, fees = rate x (received - refunded)
    in every replication; a steeper return curve refunds more of the same sales, and fees fall with it.

    The refundable early-bird deposit refunds walk-aways, late cancellations and returns.
    """
    strategy, rate = "refundable_early_bird", 0.1
    channels = small("winter_apparel").channels
    same_fee = {f"channels.{c}.fee_rate": rate for c in channels}
    base = small("winter_apparel", same_fee)
    for r in range(REPLICATIONS):
        out = run(base, strategy, r).outcome.iloc[0]
        assert out["refunds"] > 0
        np.testing.assert_allclose(out["channel_fees"], rate * out["revenue_net"], rtol=1e-6)
    more_returns = small("winter_apparel", {**same_fee, "product.returns.p_return": [0.36, 0.09]})
    expect_sign(*paired_difference(base, more_returns, strategy, outcome("refunds")), +1)
    expect_sign(*paired_difference(base, more_returns, strategy, outcome("channel_fees")), -1)
