"""The participation condition's building blocks: valuation tails and the values of
ordering ahead and of waiting, against numerical integration and brute force."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter
from scipy import integrate, stats

from simulation.market.presale_value import ValuationBelief, order_value, wait_value
from simulation.market.valuation_tail import noise_mean, noise_tail
from simulation.scenario.distributions import Distribution

NOISES = [
    {"dist": "uniform", "low": -100, "high": 60},
    {"dist": "normal", "mean": 5, "sd": 40},
    {"dist": "normal", "mean": 0, "sd": 50, "low": -60, "high": 90},
    {"dist": "normal", "mean": 10, "sd": 30, "high": 20},
    {"dist": "lognormal", "median": 30, "sigma": 0.6},
    {"dist": "triangular", "low": -80, "mode": -10, "high": 100},
    {"dist": "triangular", "low": -50, "mode": -50, "high": 40},
    {"dist": "beta", "a": 2.5, "b": 4, "low": -70, "high": 130},
]
THRESHOLDS = np.array([-np.inf, -200.0, -75.0, -20.0, 0.0, 12.5, 45.0, 95.0, 400.0, np.inf])


def _dist(spec):
    return TypeAdapter(Distribution).validate_python(spec)


@pytest.mark.parametrize("spec", NOISES, ids=lambda s: s["dist"] + ("" if "low" not in s else "-bounded"))
def test_tail_matches_numerical_integration_of_the_density(spec):
    dist = _dist(spec)
    frozen = dist.frozen()
    p, m = noise_tail(dist, THRESHOLDS)
    lo, hi = frozen.support()
    for y, p_y, m_y in zip(THRESHOLDS, p, m):
        a = max(y, lo)
        if a >= hi:
            assert p_y == pytest.approx(0, abs=1e-12) and m_y == pytest.approx(0, abs=1e-9)
            continue
        want_p = frozen.sf(a)
        want_m = integrate.quad(lambda x: x * frozen.pdf(x), a, hi, limit=200)[0]
        assert p_y == pytest.approx(want_p, abs=1e-9)
        assert m_y == pytest.approx(want_m, rel=1e-6, abs=1e-6)
    assert noise_mean(dist) == pytest.approx(frozen.mean(), rel=1e-9, abs=1e-9)


def test_discrete_and_fixed_surprises():
    dist = _dist({"dist": "discrete", "values": [-48, 32], "probs": [0.4, 0.6]})
    p, m = noise_tail(dist, np.array([-50.0, -48.0, 0.0, 32.0, 33.0]))
    np.testing.assert_allclose(p, [1, 1, 0.6, 0.6, 0])
    np.testing.assert_allclose(m, [0, 0, 19.2, 19.2, 0], atol=1e-12)
    p, m = noise_tail(7.0, np.array([6.0, 7.0, 8.0]))
    np.testing.assert_allclose(p, [1, 1, 0])
    np.testing.assert_allclose(m, [7, 7, 0])


def test_normal_order_value_is_the_textbook_call_price():
    """E[(V - c)+] = sd·phi(z) + (mu - c)·Phi(z): a non-refundable deposit's worth less the deposit."""
    mu = np.array([150.0, 200.0, 260.0])
    sd, d, k, price, beta = 60.0, 50.0, 3.0, 300.0, np.ones(3)
    belief = ValuationBelief(mu, np.zeros(3, dtype=np.uint8), [_dist({"dist": "normal", "mean": 0, "sd": sd})])
    got = order_value(belief, np.full(3, price), price_sensitivity=beta, value_discount=1.0, deposit=d,
                      inflation=k)
    z = (mu - (price - k * d)) / sd
    np.testing.assert_allclose(got, sd * stats.norm.pdf(z) + (mu - (price - k * d)) * stats.norm.cdf(z) - d)
    refundable = order_value(belief, np.full(3, price), price_sensitivity=beta, value_discount=1.0, deposit=d,
                             inflation=k, refundable=True)
    z = (mu - (price - (k - 1) * d)) / sd
    np.testing.assert_allclose(refundable, sd * stats.norm.pdf(z) + (mu - (price - (k - 1) * d)) * stats.norm.cdf(z))
    prepay = order_value(belief, np.full(3, price), price_sensitivity=beta, value_discount=0.9, deposit=None)
    np.testing.assert_allclose(prepay, 0.9 * mu - price)


def test_a_bonus_counts_only_with_the_product():
    """A deal's felt saving or a gift comes only if the balance is paid: ``bonus × P(V >= B)``."""
    mu = np.array([100.0, 150.0, 260.0])
    sd, d, k, price, bonus = 60.0, 50.0, 3.0, 300.0, np.array([40.0, 40.0, 10.0])
    belief = ValuationBelief(mu, np.zeros(3, dtype=np.uint8), [_dist({"dist": "normal", "mean": 0, "sd": sd})])
    for refundable, threshold in ((False, price - k * d), (True, price - (k - 1) * d)):
        kw = dict(price_sensitivity=np.ones(3), value_discount=1.0, deposit=d, inflation=k, refundable=refundable)
        plain = order_value(belief, np.full(3, price), **kw)
        np.testing.assert_allclose(order_value(belief, np.full(3, price), bonus=bonus, **kw) - plain,
                                   bonus * stats.norm.sf((threshold - mu) / sd))
    prepay = dict(price_sensitivity=np.ones(3), value_discount=1.0, deposit=None)
    np.testing.assert_allclose(order_value(belief, np.full(3, price), bonus=bonus, **prepay)
                               - order_value(belief, np.full(3, price), **prepay), bonus)


def _brute_force(mu, noise, later, beta, delta, factor, floor, n=400_000):
    """Mean of the best later payoff over a fine quantile grid of the surprise."""
    e = noise.ppf((np.arange(n) + 0.5) / n)
    v = mu + e
    best = np.full(n, floor, dtype=float)
    for p, t in later:
        best = np.maximum(best, delta ** t * (v - beta * factor * p))
    return best.mean()


@pytest.mark.parametrize("later, delta", [
    ([(100.0, 2), (95.0, 3), (60.0, 12)], 0.9),      # the markdown path of the validation case
    ([(100.0, 1), (70.0, 4)], 1.0),                    # no discounting: the cheapest step rules
    ([(300.0, 3)], 0.97),
    ([(120.0, 1), (119.0, 2), (50.0, 30)], 0.8),       # a dominated middle step
])
def test_wait_value_is_the_expected_best_later_payoff(later, delta):
    noise = _dist({"dist": "normal", "mean": 0, "sd": 45})
    mu = np.array([40.0, 90.0, 130.0, 180.0, 320.0])
    m = mu.size
    beta, factor, floor = np.full(m, 1.1), np.full(m, 0.95), -2.0
    belief = ValuationBelief(mu, np.zeros(m, dtype=np.uint8), [noise])
    got = wait_value(belief, later, price_sensitivity=beta, patience=np.full(m, delta), member_factor=factor,
                     floor=floor)
    want = [_brute_force(x, noise, later, 1.1, delta, 0.95, floor) for x in mu]
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-3)


def test_without_uncertainty_the_rules_agree():
    """No surprise: waiting is worth max(u0, best discounted surplus at the expected valuation)."""
    mu = np.array([50.0, 110.0, 150.0, 240.0])
    later = [(100.0, 2), (95.0, 3), (60.0, 12)]
    belief = ValuationBelief(mu, np.zeros(4, dtype=np.uint8), [0.0])
    got = wait_value(belief, later, price_sensitivity=np.ones(4), patience=np.full(4, 0.9),
                     member_factor=np.ones(4), floor=0.0)
    want = np.max([np.zeros(4)] + [0.9 ** t * (mu - p) for p, t in later], axis=0)
    np.testing.assert_allclose(got, want, atol=1e-9)


def test_each_segment_expects_its_own_surprise():
    mu = np.array([100.0, 100.0])
    belief = ValuationBelief(mu, np.array([0, 1], dtype=np.uint8),
                             [0.0, _dist({"dist": "uniform", "low": -50, "high": 50})])
    p, m = belief.tail(np.array([120.0, 120.0]))
    np.testing.assert_allclose(p, [0.0, 0.3])
    np.testing.assert_allclose(m, [0.0, 0.3 * 135.0])


def test_the_per_agent_reference_weighs_waiting_as_the_engine_does():
    """benchmarks/reference.py computes the same expectation consumer by consumer, in scalar arithmetic."""
    import sys
    from pathlib import Path
    from types import SimpleNamespace

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        from reference import Consumer
    finally:
        sys.path.pop(0)
    later = [(1399.0, 3), (1299.0, 10), (1099.0, 31)]
    day = SimpleNamespace(noise=[(150.0, 10.0)], all_later_steps=later, outside_utility=-5.0)
    mu = np.array([900.0, 1250.0, 1400.0, 1700.0])
    belief = ValuationBelief(mu, np.zeros(4, dtype=np.uint8), [_dist({"dist": "normal", "mean": 10, "sd": 150})])
    engine = wait_value(belief, later, price_sensitivity=np.full(4, 1.2), patience=np.full(4, 0.98),
                        member_factor=np.full(4, 0.95), floor=-5.0)
    for m, want in zip(mu, engine):
        agent = SimpleNamespace(valuation=float(m), segment=0, patience=0.98, price_sensitivity=1.2)
        assert Consumer.expected_best_later(agent, day, 0.95) == pytest.approx(want, rel=1e-9, abs=1e-9)


def test_segments_of_plain_normal_surprises_are_weighed_each_by_its_own_normal():
    """Shoppers of several segments whose surprises are all unbounded normals are weighed in
    one pass (one normal per shopper); each gets exactly its own segment's tail, any threshold
    shape, infinite thresholds included."""
    rng = np.random.default_rng(3)
    noises = [_dist({"dist": "normal", "mean": m, "sd": s}) for m, s in ((0, 40), (5, 120), (-10, 75))]
    segment = rng.integers(0, 3, 500).astype(np.uint8)
    mean = rng.normal(300, 80, 500)
    belief = ValuationBelief(mean, segment, noises)
    for c in (rng.normal(300, 150, 500), rng.normal(300, 150, (4, 500)), np.full(500, np.inf), -np.inf):
        p, m = belief.tail(c)
        cc = np.broadcast_to(np.asarray(c, dtype=float), p.shape)
        for k, noise in enumerate(noises):
            at = segment == k
            pk, mk = noise_tail(noise, cc[..., at] - mean[at])
            np.testing.assert_array_equal(p[..., at], pk)
            np.testing.assert_array_equal(m[..., at], mean[at] * pk + mk)
