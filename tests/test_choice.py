"""Random-utility (logit) choice: pure functions and the launch-day shares of a toy market.

Tolerances are 4 binomial standard errors ``4 * sqrt(p (1 - p) / n)``.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.market.choice import choose, logit_shares
from simulation.market.population import State
from simulation.engine.metrics import trajectory_frame

LAUNCH = 15


def _closed_before_launch(**rival) -> dict:
    """Everyone aware; nobody can buy before the launch (prohibitive presale price);
    one rival launching with us."""
    return {
        "strategies.base.pricing.presale_price": 1e6,
        "competitors": {"rival": {"launch_day": LAUNCH, **rival}},
    }


# --------------------------------------------------------------------------- pure functions


def test_logit_shares_closed_form():
    u = np.array([[50.0, 0.0], [40.0, 0.0], [0.0, 0.0]])
    shares = logit_shares(u, 20.0)
    z = np.exp(np.array([50.0, 40.0, 0.0]) / 20.0)
    np.testing.assert_allclose(shares[:, 0], z / z.sum())
    np.testing.assert_allclose(shares[:, 1], [1 / 3] * 3)


def test_logit_shares_scale_zero_picks_best_and_ties_to_first():
    u = np.array([[1.0, 5.0, 2.0], [3.0, 5.0, 2.0]])
    np.testing.assert_array_equal(logit_shares(u, 0.0), [[0, 1, 1], [1, 0, 0]])


def test_unavailable_alternative_gets_no_share():
    u = np.array([[10.0], [-np.inf], [0.0]])
    shares = logit_shares(u, 5.0)
    assert shares[1, 0] == 0.0
    rng = np.random.default_rng(3)
    picks = choose(np.repeat(u, 10_000, axis=1), rng.random(10_000), scale=5.0)
    assert not np.any(picks == 1)


@pytest.mark.parametrize("scale", [5.0, 20.0, 80.0])
def test_choose_frequencies_match_logit_shares(scale):
    n = 200_000
    rng = np.random.default_rng(17)
    u = np.array([[30.0], [20.0], [-10.0], [0.0]]).repeat(n, axis=1)
    picks = choose(u, rng.random(n, dtype=np.float32), scale=scale)
    expected = logit_shares(u[:, :1], scale)[:, 0]
    freq = np.bincount(picks, minlength=4) / n
    tol = 4 * np.sqrt(expected * (1 - expected) / n)
    assert np.all(np.abs(freq - expected) <= tol + 1e-12), (freq, expected)


def test_choose_heterogeneous_consumers_match_mean_probabilities():
    n = 100_000
    rng = np.random.default_rng(5)
    u = rng.normal(0.0, 30.0, size=(3, n))
    picks = choose(u, rng.random(n, dtype=np.float32), scale=25.0)
    p = logit_shares(u, 25.0)
    for k in range(3):
        var = float(np.sum(p[k] * (1 - p[k]))) / n**2
        assert abs(np.mean(picks == k) - p[k].mean()) <= 4 * np.sqrt(var)


def test_choose_scale_zero_is_argmax():
    u = np.array([[1.0, 9.0, 3.0], [2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(choose(u, np.array([0.99, 0.01, 0.5]), scale=0.0), [1, 0, 0])


def test_choose_is_monotone_in_its_uniform():
    """A higher uniform never picks an earlier alternative (tight pairing under common draws)."""
    u = np.array([[10.0], [5.0], [0.0]]).repeat(1001, axis=1)
    picks = choose(u, np.linspace(0, 1, 1001, endpoint=False), scale=10.0)
    assert np.all(np.diff(picks) >= 0) and picks[0] == 0 and picks[-1] == 2


# --------------------------------------------------------------------------- in the model


def test_launch_day_shares_are_logit_shares(run_toy, share_close):
    """Ours 150 - 100 = 50, rival 150 - 20 - 90 = 40, nothing 0, scale 20."""
    model = run_toy({**_closed_before_launch(price=90, appeal=-20), "market.choice.logit_scale": 20.0})
    traj = trajectory_frame(model)
    n = model.pop.n
    assert traj.orders[:LAUNCH].sum() == 0 and traj["competitor_sales.rival"][:LAUNCH].sum() == 0
    expected = logit_shares(np.array([[50.0], [40.0], [0.0]]), 20.0)[:, 0]
    share_close(traj.orders[LAUNCH] / n, expected[0], n)
    share_close(traj["competitor_sales.rival"][LAUNCH] / n, expected[1], n)
    nothing = n - traj.orders[LAUNCH] - traj["competitor_sales.rival"][LAUNCH]
    share_close(nothing / n, expected[2], n)


def test_outside_utility_shifts_shares(run_toy, share_close):
    model = run_toy({**_closed_before_launch(price=90, appeal=-20), "market.choice.logit_scale": 20.0,
                     "market.choice.outside_utility": 45.0})
    traj = trajectory_frame(model)
    expected = logit_shares(np.array([[50.0], [40.0], [45.0]]), 20.0)[:, 0]
    share_close(traj.orders[LAUNCH] / model.pop.n, expected[0], model.pop.n)


@pytest.mark.parametrize(("rival_price", "ours_wins"), [(120.0, True), (80.0, False)])
def test_scale_zero_is_deterministic(run_toy, rival_price, ours_wins):
    model = run_toy({**_closed_before_launch(price=rival_price, appeal=0.0)})
    traj = trajectory_frame(model)
    n = model.pop.n
    assert traj.orders[LAUNCH] == (n if ours_wins else 0)
    assert traj["competitor_sales.rival"][LAUNCH] == (0 if ours_wins else n)


def test_price_sensitivity_and_loyalty_enter_utilities(run_toy, share_close):
    """Sensitivity 1.5: ours 150 - 150 = 0; loyalty 30: rival 150 + 30 - 150 = 30; nothing 0."""
    model = run_toy({
        **_closed_before_launch(price=100, appeal=0.0), "market.choice.logit_scale": 15.0,
        "market.segments.all": {"share": 1.0, "valuation": 150, "price_sensitivity": 1.5,
                                "competitor_loyalty": 30.0, "channel_preference": {"web": 1.0}},
    })
    traj = trajectory_frame(model)
    expected = logit_shares(np.array([[0.0], [180.0 - 150.0], [0.0]]), 15.0)[:, 0]
    n = model.pop.n
    share_close(traj.orders[LAUNCH] / n, expected[0], n)
    share_close(traj["competitor_sales.rival"][LAUNCH] / n, expected[1], n)


def test_leave_rate_removes_non_buyers(run_toy, share_close):
    """Nobody buys (price above valuation); each day a share ``leave_rate`` of shoppers leaves."""
    model = run_toy({"strategies.base.pricing.presale_price": 1e6, "product.list_price": 1e6,
                     "market.choice.leave_rate": 0.1})
    n = model.pop.n
    left = np.count_nonzero(model.pop.state == State.LEFT)
    share_close(left / n, 1 - 0.9 ** model.horizon, n)
