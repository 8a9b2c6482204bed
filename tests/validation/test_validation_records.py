"""The validation machinery itself: closed forms and pass/fail rules can fail."""

import numpy as np
import pytest

import cases


def test_statistical_check_fails_beyond_k_standard_errors():
    samples = np.array([1.0, 1.2, 0.8, 1.1, 0.9])      # mean 1, SE 0.0707
    assert cases.statistical("x", 1.25, samples).passed
    assert not cases.statistical("x", 1.3, samples).passed
    assert cases.statistical("x", 1.3, samples, allowance=0.05).passed


def test_exact_check_compares_every_replication():
    assert cases.exact("x", [1.0, 2.0], [1.0, 2.0]).passed
    assert not cases.exact("x", [1.0, 2.0], [2.0, 1.0]).passed      # same mean, wrong pairs
    assert not cases.exact("x", 0.0, [0.0, 1e-6]).passed


def test_signed_check_needs_the_predicted_side_beyond_k_se():
    samples = np.array([1.0, 1.1, 0.9, 1.05, 0.95])
    assert cases.signed("d", samples, positive=True).passed
    assert not cases.signed("d", samples, positive=False).passed
    assert not cases.signed("d", samples - 1.0, positive=True).passed


def test_case_without_checks_does_not_pass():
    assert not cases.Case(name="x", title="x", closed_form="", scenario_file="").passed


def test_bass_curve_solves_the_bass_equation_and_peaks_at_t_star():
    p, q = 0.003, 0.06
    t = np.linspace(1.0, 150.0, 500)
    h = 1e-4
    slope = (cases.bass_curve(p, q, t + h) - cases.bass_curve(p, q, t - h)) / (2 * h)
    f = cases.bass_curve(p, q, t)
    np.testing.assert_allclose(slope, (p + q * f) * (1 - f), rtol=1e-6, atol=1e-10)
    t_star = cases.bass_peak_day(p, q)
    assert cases.bass_curve(p, q, t_star) == pytest.approx(0.5 - p / (2 * q))


def test_bass_recursion_is_the_daily_hazard_step():
    f = cases.bass_recursion(0.01, 0.2, 3)
    assert f[0] == pytest.approx(1 - np.exp(-0.01))
    assert f[1] == pytest.approx(f[0] + (1 - f[0]) * (1 - np.exp(-(0.01 + 0.2 * f[0]))))


def test_logit_shares_and_curve_interpolation():
    s = cases.logit_shares([80.0, 68.0, 75.0], 25.0)
    assert s.sum() == pytest.approx(1.0)
    assert s[0] / s[2] == pytest.approx(np.exp(5 / 25))
    xs, ys = [4.0, 4.4, 4.8], [0.30, 0.12, 0.04]
    assert cases.piecewise_linear(3.0, xs, ys) == 0.30
    assert cases.piecewise_linear(4.2, xs, ys) == pytest.approx(0.21)
    assert cases.piecewise_linear(4.6, xs, ys) == pytest.approx(0.08)
    assert cases.piecewise_linear(5.0, xs, ys) == 0.04
