"""A strategic shopper's taste for ours under ``presale_decision: option``.

Before the launch the logit noise of ours is an explicit taste draw ``eta`` (``logit_scale``
x a standard Gumbel) taken into the worth of ordering and of waiting, and a depositor keeps
it at the balance; the other alternatives keep their Gumbel noise. Tolerances are 4
binomial standard errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from simulation.engine.metrics import outcome_record, trajectory_frame
from simulation.market.choice import choose, choose_given_taste, gumbel, logit_shares
from simulation.market.population import State
from simulation.market.presale_value import ValuationBelief, order_value
from pydantic import TypeAdapter

from simulation.scenario.distributions import Distribution

SCALE = 30.0                                  # the taste noise: as large as the deposit
PRICE, DEPOSIT, INFLATION = 200.0, 30.0, 2.0
BALANCE = PRICE - INFLATION * DEPOSIT         # 140
MU, HALF = 100.0, 100.0                       # V = MU + U(-HALF, HALF): P(V >= BALANCE) = 0.3


# --------------------------------------------------------------------------- the choice, in law


def test_gumbel_from_uniforms():
    u = np.random.default_rng(5).random(400_000, dtype=np.float32)
    g = gumbel(u)
    assert np.isfinite(g).all()
    for x in (-1.0, 0.0, 1.0, 3.0):
        p = np.exp(-np.exp(-x))
        assert abs(np.mean(g <= x) - p) <= 4 * np.sqrt(p * (1 - p) / u.size)


@pytest.mark.parametrize("tasted_value", [-40.0, 0.0, 25.0, -np.inf])
def test_choose_given_taste_is_the_best_of_a_fixed_row_and_gumbel_rows(tasted_value):
    """Rows 0 and 2 hold values with the taste already in them; rows 1 and 3 get Gumbel noise.

    Compared with drawing an explicit Gumbel for each other row and taking the best."""
    n, scale = 300_000, 20.0
    util = np.array([[tasted_value], [10.0], [tasted_value - 5.0], [0.0]]).repeat(n, axis=1)
    rng = np.random.default_rng(9)
    picks = choose_given_taste(util, rng.random(n, dtype=np.float32), scale=scale, tasted=(0, 2),
                               who=np.ones(n, dtype=bool))
    noisy = util[[1, 3]] + scale * rng.gumbel(size=(2, n))
    best = np.where(util[0] >= noisy.max(axis=0), 0, np.where(noisy[0] >= noisy[1], 1, 3))
    freq, expected = np.bincount(picks, minlength=4) / n, np.bincount(best, minlength=4) / n
    assert freq[2] == 0
    tol = 4 * np.sqrt(expected * (1 - expected) / n) + 4 * np.sqrt(freq * (1 - freq) / n) + 1e-12
    assert np.all(np.abs(freq - expected) <= tol), (freq, expected)
    lead = np.exp(-np.exp((scale * np.log(np.exp(10 / scale) + 1) - tasted_value) / scale))
    assert abs(freq[0] - lead) <= 4 * np.sqrt(lead * (1 - lead) / n) + 1e-12


def test_choose_given_taste_leaves_the_others_as_a_logit():
    n = 50_000
    util = np.array([[5.0], [30.0], [-1.0], [0.0]]).repeat(n, axis=1)
    u = np.random.default_rng(2).random(n, dtype=np.float32)
    who = np.zeros(n, dtype=bool)
    np.testing.assert_array_equal(choose_given_taste(util, u, scale=15.0, tasted=(0, 2), who=who),
                                  choose(util, u, scale=15.0))
    np.testing.assert_allclose(logit_shares(util[:, :1], 15.0).sum(), 1.0)


# --------------------------------------------------------------------------- deposits kept on the taste


def _market(**segment) -> dict:
    """Everyone strategic under the option rule; nothing announced below the presale price
    (the open sale at 10^6), so a shopper orders, waits for nothing, or takes nothing."""
    return {
        "product.list_price": 1e6,
        "strategies.base.pricing.presale_price": PRICE,
        "strategies.base.deposit": {"amount": DEPOSIT, "inflation": INFLATION, "refundable": False},
        "market.choice": {"logit_scale": SCALE, "leave_rate": 0.0, "presale_decision": "option"},
        "market.segments.all": {"share": 1.0, "valuation": MU, "strategic_share": 1.0,
                                "valuation_noise": {"dist": "uniform", "low": -HALF, "high": HALF},
                                "channel_preference": {"web": 1.0}, **segment},
    }


def _completion_in_law() -> float:
    """P(V + eta >= B | the shopper ordered on its taste eta), by quadrature over eta.

    On a presale day a shopper orders when the order's worth at ``MU + eta`` beats both
    waiting (worth 0: nothing worth waiting for) and taking nothing (``SCALE x`` Gumbel):
    with probability ``exp(-exp(-O/SCALE))`` when ``O >= 0``. Each day's draws are fresh
    and the first order ends the shopping, so the taste of a depositor has that law
    whatever the day, and it pays the balance when ``MU + eta + e >= B``.
    """
    noise = TypeAdapter(Distribution).validate_python({"dist": "uniform", "low": -HALF, "high": HALF})

    def worth(eta: float) -> float:
        belief = ValuationBelief(np.array([MU + eta]), np.zeros(1, dtype=np.uint8), [noise])
        return float(order_value(belief, np.array([PRICE]), price_sensitivity=np.ones(1), value_discount=1.0,
                                 deposit=DEPOSIT, inflation=INFLATION)[0])

    def ordered(eta: float) -> float:
        o = worth(eta)
        return np.exp(-np.exp(-o / SCALE)) if o >= 0 else 0.0

    def density(eta: float) -> float:
        g = eta / SCALE
        return np.exp(-g - np.exp(-g)) / SCALE

    def pays(eta: float) -> float:
        return float(np.clip((MU + eta + HALF - BALANCE) / (2 * HALF), 0.0, 1.0))

    lo, hi = -3 * SCALE, 25 * SCALE
    points = [BALANCE - MU - HALF, BALANCE - MU + HALF]
    num = integrate.quad(lambda e: density(e) * ordered(e) * pays(e), lo, hi, points=points, limit=200)[0]
    den = integrate.quad(lambda e: density(e) * ordered(e), lo, hi, points=points, limit=200)[0]
    return num / den


def test_depositors_complete_as_their_taste_says(run_toy, share_close):
    """A taste as large as the deposit: a depositor ordered on its taste and keeps it, so it pays
    the balance far more often than P(V >= B) = 0.3, which the taste added on top of the
    order's worth gave (low valuations ordered on a taste draw and walked away)."""
    model = run_toy(_market())
    traj = trajectory_frame(model)
    deposits = float(outcome_record(model)["n_deposits"])
    assert deposits > 1000
    completion = traj.balances_paid.sum() / deposits
    expected = _completion_in_law()
    assert expected > 0.5
    share_close(completion, expected, deposits)
    assert completion > 0.5                              # P(V >= B) = 0.3


def test_without_taste_noise_the_rule_is_unchanged(run_toy):
    """``logit_scale: 0``: no taste is drawn and walkers are exactly those with V below the balance."""
    model = run_toy({**_market(), "market.choice.logit_scale": 0.0, "market.segments.all.valuation": 220})
    pop = model.pop
    held = pop.deposit > 0
    assert held.any()
    np.testing.assert_array_equal(pop.state[held] == State.CANCELLED, pop.valuation_real[held] < BALANCE)
