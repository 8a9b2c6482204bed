"""Orders: a longer wait for shipping loses more of them, a higher presale price brings fewer."""

from __future__ import annotations

import numpy as np
import pytest

from pairing import expect_sign, outcome, paired_difference, small
from simulation.market.fulfilment import p_cancel_waiting


def test_a_longer_promise_brings_more_cancellations():
    sc = small("winter_apparel")
    launch = sc.calendar.launch_day
    on_time = small("winter_apparel", {"strategies.full_prepay.fulfilment.promised_ship_day": launch})
    later = small("winter_apparel", {"strategies.full_prepay.fulfilment.promised_ship_day": launch + 10})
    mean, se = paired_difference(on_time, later, "full_prepay", outcome("n_cancellations"))
    expect_sign(mean, se, +1)


def test_the_waiting_hazard_cancels_the_stated_share_over_thirty_days():
    daily = p_cancel_waiting(np.arange(1, 31), 0.03)
    assert 1 - np.prod(1 - daily) == pytest.approx(0.03)
    assert np.all(np.diff(daily) > 0)                    # grows with the wait
    assert p_cancel_waiting(np.arange(1, 31), 0.0).sum() == 0


def test_a_higher_presale_price_brings_fewer_orders():
    sc = small("winter_apparel")
    path = "strategies.full_prepay.pricing.presale_price"
    price = float(sc.strategies["full_prepay"].pricing.presale_price or sc.product.list_price)
    dearer = small("winter_apparel", {path: round(price * 1.1)})
    mean, se = paired_difference(sc, dearer, "full_prepay", outcome("n_orders"))
    expect_sign(mean, se, -1)
