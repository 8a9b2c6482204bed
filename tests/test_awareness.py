"""Bass awareness: organic innovation, advertising contacts and word of mouth.

Expected shares are closed-form; tolerances are 4 binomial standard errors
``4 * sqrt(p (1 - p) / n)`` over the consumers concerned, with fixed seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulation.market.awareness import ad_innovation_rate, bass_hazard, imitation_rate
from simulation.engine.metrics import outcome_record, trajectory_frame

UNAWARE = {"initial_aware_share": 0.0, "innovation": 0.0, "imitation": 0.0}
NOBODY_BUYS = {"strategies.base.pricing.presale_price": 1e6, "product.list_price": 1e6}


# --------------------------------------------------------------------------- pure functions


def test_bass_hazard_is_one_minus_exp_of_total_rate():
    hazard = bass_hazard(np.array([0.0, 0.01, 0.2]), 0.5, 0.1)
    np.testing.assert_allclose(hazard, 1 - np.exp(-(np.array([0.0, 0.01, 0.2]) + 0.05)))


def test_ad_innovation_rate_spreads_contacts_over_reachable_market():
    rate = ad_innovation_rate(np.array([1000.0, 500.0, 10.0]), np.array([0.5, 1.0, 1.0]),
                              np.array([20_000.0, 1000.0, 0.0]))
    np.testing.assert_allclose(rate, [0.025, 0.5, 0.0])


@pytest.mark.parametrize(("rating", "expected"), [(4.5, 0.3), (5.0, 0.3 * 1.25), (2.0, 0.0)])
def test_imitation_rate_shifts_with_rating(rating, expected):
    assert imitation_rate(0.3, rating, effect=0.5, reference=4.5) == pytest.approx(expected)


# --------------------------------------------------------------------------- in the model


def test_organic_innovation_follows_exponential(run_toy, share_close):
    """No ads, no word of mouth: aware share after t days is ``1 - exp(-p t)``."""
    p = 0.05
    model = run_toy({"market.awareness": {**UNAWARE, "innovation": p}, **NOBODY_BUYS})
    traj = trajectory_frame(model)
    n = model.pop.n
    for day in (0, 4, 9, 19, 29):
        share_close(traj.n_aware[day] / n, 1 - math.exp(-p * (day + 1)), n)


def test_initial_aware_share(run_toy, share_close):
    model = run_toy({"market.awareness": {**UNAWARE, "initial_aware_share": 0.3}, **NOBODY_BUYS})
    traj = trajectory_frame(model)
    share_close(traj.n_aware[0] / model.pop.n, 0.3, model.pop.n)
    assert traj.n_aware.nunique() == 1, "nobody should become aware without innovation or imitation"


def test_advertising_budget_buys_contacts(run_toy, share_close):
    """Contacts = budget / cost_per_contact, rate = contacts * awareness_per_contact /
    reachable consumers; unreachable consumers stay unaware; marketing cost is the budget."""
    budget, cost_per_contact, per_contact = 2000.0, 2.0, 0.5
    model = run_toy({
        "market.awareness": UNAWARE, **NOBODY_BUYS,
        "channels.web": {"reach": 0.5, "awareness_per_contact": per_contact, "cost_per_contact": cost_per_contact},
        "strategies.base.marketing": {"budget": {"web": {"warmup": budget}}},
    })
    traj = trajectory_frame(model)
    pop = model.pop
    reachable = int(pop.is_reachable.sum())
    rate = budget / cost_per_contact * per_contact / (reachable * model.weight)
    warmup_days = model.campaign.calendar.presale_start_day
    share_close(reachable / pop.n, 0.5, pop.n)
    aware_reachable = np.count_nonzero(pop.state[pop.is_reachable] != 0)
    share_close(aware_reachable / reachable, 1 - math.exp(-rate * warmup_days), reachable)
    assert np.count_nonzero(pop.state[~pop.is_reachable] != 0) == 0
    assert traj.n_aware[warmup_days:].nunique() == 1, "no advertising after the warm-up budget"
    assert outcome_record(model)["marketing_cost"] == pytest.approx(budget * warmup_days)


def test_ad_event_contacts_on_its_day(run_toy, share_close):
    model = run_toy({
        "market.awareness": UNAWARE, **NOBODY_BUYS,
        "strategies.base.marketing": {"events": [{"channel": "web", "day": 3, "contacts": 6000, "cost": 900}]},
    })
    traj = trajectory_frame(model)
    n = model.pop.n
    assert traj.n_aware[2] == 0
    share_close(traj.n_aware[3] / n, 1 - math.exp(-6000 / n), n)
    assert traj.marketing_cost[3] == 900 and traj.marketing_cost.sum() == 900


def test_word_of_mouth_hazard_from_adopters(run_toy):
    """Each day the newly aware are Binomial(unaware at dawn, 1 - exp(-(p + q * adopters / N))),
    adopters being the consumers who ordered on earlier days (everyone aware orders at once)."""
    p, q = 0.01, 0.4
    model = run_toy({
        "market.awareness": {"initial_aware_share": 0.01, "innovation": p, "imitation": q},
        "calendar": {"presale_start_day": 0, "balance_start_day": 20, "launch_day": 25, "horizon_days": 30},
    })
    traj = trajectory_frame(model)
    n = model.pop.n
    aware, orders = traj.n_aware.to_numpy(), traj.orders.to_numpy()
    np.testing.assert_array_equal(np.cumsum(orders[:20]), aware[:20])  # everyone aware orders the same day
    adopters = np.cumsum(orders)
    for day in range(1, 16):
        hazard = 1 - math.exp(-(p + q * adopters[day - 1] / n))
        unaware = n - aware[day - 1]
        new = aware[day] - aware[day - 1]
        tol = 4 * math.sqrt(unaware * hazard * (1 - hazard))
        assert abs(new - unaware * hazard) <= tol, (day, new, unaware * hazard, tol)
    assert aware[15] / n > 0.9, "word of mouth must have spread far beyond organic innovation"
