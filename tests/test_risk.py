"""Tests of simulation.analysis.risk: interval, quantile, CVaR and probability estimators and tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from simulation.analysis.risk import (
    EVENTS,
    RISK_TABLE_MEANS,
    SUMMARY_COLUMNS,
    cvar,
    event_indicators,
    mean_ci,
    probability,
    quantiles,
    regret,
    risk_table,
    summarize,
)


def make_outcomes(n_replications: int = 50, seed: int = 1) -> pd.DataFrame:
    """Two strategies on common random numbers with a few outcome columns."""
    rng = np.random.default_rng(seed)
    common = rng.normal(0.0, 1.0, n_replications)
    frames = []
    for name, level in (("base", 1000.0), ("bold", 1100.0)):
        profit = level + 800.0 * common + rng.normal(0.0, 50.0, n_replications)
        stockout = np.where(common > 0.5, 10.0 + 20.0 * rng.random(n_replications), np.nan)
        frames.append(pd.DataFrame({
            "strategy": name,
            "replication": np.arange(n_replications),
            "profit": profit,
            "first_stockout_day": stockout,
            "leftover_units": rng.integers(0, 60, n_replications).astype(float),
            "units_available": 100.0,
            "refund_liability_peak": rng.normal(300.0, 10.0, n_replications),
            "custom_metric": rng.normal(5.0, 1.0, n_replications),
        }))
    return pd.concat(frames, ignore_index=True)


# --- mean_ci -----------------------------------------------------------------

def test_mean_ci_known_values() -> None:
    r = mean_ci([1.0, 2.0, 3.0, 4.0, 5.0], 0.95)
    half = 2.7764451051977987 * math.sqrt(2.5) / math.sqrt(5)
    assert r.n == 5 and r.mean == 3.0
    assert r.sd == pytest.approx(math.sqrt(2.5))
    assert r.se == pytest.approx(math.sqrt(2.5 / 5))
    assert (r.ci_low, r.ci_high) == pytest.approx((3.0 - half, 3.0 + half))


def test_mean_ci_drops_nan_and_handles_tiny_samples() -> None:
    assert mean_ci([1.0, np.nan, 3.0]).n == 2
    assert mean_ci([1.0, np.nan, 3.0]).mean == 2.0
    one = mean_ci([7.0])
    assert one.n == 1 and one.mean == 7.0 and math.isnan(one.ci_low) and math.isnan(one.sd)
    empty = mean_ci([np.nan])
    assert empty.n == 0 and math.isnan(empty.mean)
    flat = mean_ci([2.0, 2.0, 2.0])
    assert flat.ci_low == flat.ci_high == 2.0


@pytest.mark.parametrize("confidence", [0.0, 1.0, -0.5, 95])
def test_mean_ci_rejects_bad_confidence(confidence: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        mean_ci([1.0, 2.0], confidence)


def test_mean_ci_rejects_infinite_values() -> None:
    with pytest.raises(ValueError, match="infinite"):
        mean_ci([1.0, np.inf])


def test_mean_ci_covers_true_mean_at_nominal_rate() -> None:
    rng = np.random.default_rng(11)
    n_trials, mu = 4000, 3.0
    samples = rng.normal(mu, 2.0, size=(n_trials, 8))
    hits = sum(r.ci_low <= mu <= r.ci_high for r in (mean_ci(s, 0.9) for s in samples))
    se = math.sqrt(0.9 * 0.1 / n_trials)
    assert abs(hits / n_trials - 0.9) < 4 * se


# --- quantiles ---------------------------------------------------------------

def test_quantiles_linear_interpolation() -> None:
    assert quantiles([1.0, 2.0, 3.0, 4.0], 0.5) == pytest.approx(2.5)
    assert quantiles([0.0, 10.0, np.nan], [0.25, 1.0]) == pytest.approx([2.5, 10.0])
    assert quantiles([1.0, 2.0], [[0.0, 1.0]]).shape == (1, 2)
    assert np.isnan(quantiles([np.nan], [0.1, 0.9])).all()


def test_quantiles_of_uniform_sample() -> None:
    n, qs = 100_000, np.array([0.05, 0.5, 0.95])
    x = np.random.default_rng(3).random(n)
    se = np.sqrt(qs * (1 - qs) / n)  # density 1 on [0, 1]
    assert np.all(np.abs(quantiles(x, qs) - qs) < 4 * se)


@pytest.mark.parametrize("qs", [-0.1, 1.5, [0.5, np.nan]])
def test_quantiles_reject_bad_probabilities(qs: object) -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        quantiles([1.0, 2.0], qs)


# --- cvar --------------------------------------------------------------------

def test_cvar_fractional_weight_definition() -> None:
    x = np.arange(100, 0, -1, dtype=float)  # unsorted on purpose
    assert cvar(x, 0.05) == pytest.approx(3.0)  # mean of 1..5
    assert cvar(x, 0.055) == pytest.approx((15.0 + 0.5 * 6.0) / 5.5)
    assert cvar(x, 1.0) == pytest.approx(x.mean())
    assert cvar(x, 0.001) == 1.0
    assert cvar(np.append(x, np.nan), 0.05) == pytest.approx(3.0)
    assert math.isnan(cvar([np.nan]))


@pytest.mark.parametrize("alpha", [0.0, -0.1, 1.01])
def test_cvar_rejects_bad_alpha(alpha: float) -> None:
    with pytest.raises(ValueError, match="alpha"):
        cvar([1.0, 2.0], alpha)


def test_cvar_of_normal_matches_closed_form() -> None:
    mu, sigma, alpha, n = 10.0, 3.0, 0.05, 200_000
    x = np.random.default_rng(5).normal(mu, sigma, n)
    expected = mu - sigma * stats.norm.pdf(stats.norm.ppf(alpha)) / alpha
    # Influence-function standard error of the expected-shortfall estimator.
    q = np.quantile(x, alpha)
    tail = x[x <= q]
    var = np.mean((tail - q) ** 2) / alpha - (tail.mean() - q) ** 2
    se = math.sqrt(var / n)
    assert abs(cvar(x, alpha) - expected) < 4 * se


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60),
       st.floats(0.01, 1.0), st.floats(0.01, 1.0))
def test_cvar_bounds_and_monotonicity(values: list[float], a1: float, a2: float) -> None:
    x = np.array(values)
    lo, hi = sorted((a1, a2))
    tol = 1e-9 * (1 + np.abs(x).max())
    assert x.min() - tol <= cvar(x, lo) <= cvar(x, hi) + tol
    assert cvar(x, hi) <= x.mean() + tol


# --- probability -------------------------------------------------------------

def test_probability_wilson_reference_value() -> None:
    r = probability([True] * 5 + [False] * 15, 0.95)
    assert (r.n, r.n_true, r.p) == (20, 5, 0.25)
    assert (r.ci_low, r.ci_high) == pytest.approx((0.11186, 0.46870), abs=5e-5)


@pytest.mark.parametrize(("n_true", "n", "confidence"),
                         [(1, 10, 0.95), (37, 50, 0.9), (3, 400, 0.99), (250, 251, 0.8)])
def test_probability_bounds_solve_score_equation(n_true: int, n: int, confidence: float) -> None:
    # Wilson bounds are the p0 with (p_hat - p0)^2 = z^2 p0 (1 - p0) / n.
    r = probability(np.arange(n) < n_true, confidence)
    z = stats.norm.ppf(0.5 + confidence / 2)
    p_hat = n_true / n
    for p0 in (r.ci_low, r.ci_high):
        assert (p_hat - p0) ** 2 == pytest.approx(z * z * p0 * (1 - p0) / n, rel=1e-9)
    assert r.ci_low < p_hat < r.ci_high


def test_probability_extremes_and_cleaning() -> None:
    z2 = stats.norm.ppf(0.975) ** 2
    none = probability(np.zeros(10, dtype=bool))
    assert none.ci_low == 0.0 and none.ci_high == pytest.approx(z2 / (10 + z2))
    every = probability([1.0] * 10 + [np.nan])
    assert every.n == 10 and every.ci_high == 1.0
    assert every.ci_low == pytest.approx(10 / (10 + z2))
    assert math.isnan(probability([]).p)
    with pytest.raises(ValueError, match="0/1"):
        probability([0.0, 2.0])


# --- tables ------------------------------------------------------------------

def test_event_indicators_definitions() -> None:
    df = pd.DataFrame({
        "strategy": "s", "replication": range(5),
        "profit": [-1.0, 0.0, 5.0, np.nan, 2.0],
        "first_stockout_day": [np.nan, 16.9, 17.0, 3.0, 30.0],
        "leftover_units": [20.0, 21.0, np.nan, 0.0, 50.0],
        "units_available": [100.0, 100.0, 100.0, 100.0, np.nan],
    })
    ev = event_indicators(df, launch_day=10, stockout_within_days=7,
                          leftover_threshold_share=0.2)
    np.testing.assert_array_equal(ev["p_loss"], [1.0, 0.0, 0.0, np.nan, 0.0])
    np.testing.assert_array_equal(ev["p_stockout_early"], [0.0, 1.0, 0.0, 1.0, 0.0])
    np.testing.assert_array_equal(ev["p_leftover_high"], [0.0, 1.0, np.nan, 0.0, np.nan])
    assert "p_stockout_early" not in event_indicators(df).columns


def test_summarize_matches_direct_computation() -> None:
    df = make_outcomes()
    out = summarize(df, launch_day=10)
    assert list(out.columns) == SUMMARY_COLUMNS
    metrics = ["profit", "first_stockout_day", "leftover_units", "units_available",
               "refund_liability_peak", "custom_metric", *EVENTS]
    assert list(out["metric"]) == metrics * 2
    row = out.set_index(["strategy", "metric"]).loc[("bold", "profit")]
    x = df.loc[df["strategy"] == "bold", "profit"]
    assert row["n"] == 50 and row["mean"] == pytest.approx(x.mean())
    assert row["sd"] == pytest.approx(x.std())
    assert row["p5"] == pytest.approx(np.quantile(x, 0.05))
    assert row["cvar"] == pytest.approx(cvar(x, 0.05))
    stock = out.set_index(["strategy", "metric"]).loc[("base", "first_stockout_day")]
    assert stock["n"] == df.loc[df["strategy"] == "base", "first_stockout_day"].notna().sum()


def test_summarize_event_rows_use_wilson() -> None:
    df = make_outcomes()
    out = summarize(df, metrics=["p_loss", "custom_metric"], confidence=0.9)
    assert list(out["metric"]) == ["p_loss", "custom_metric"] * 2
    row = out.iloc[0]
    ref = probability(df.loc[df["strategy"] == "base", "profit"] < 0, 0.9)
    assert (row["mean"], row["ci_low"], row["ci_high"]) == pytest.approx(
        (ref.p, ref.ci_low, ref.ci_high))
    assert math.isnan(row["p50"]) and math.isnan(row["cvar"])


def test_summarize_input_errors() -> None:
    df = make_outcomes(5)
    with pytest.raises(ValueError, match="unknown metric 'nope'"):
        summarize(df, metrics=["nope"])
    with pytest.raises(ValueError, match="p_stockout_early.*launch_day"):
        summarize(df, metrics=["p_stockout_early"])
    with pytest.raises(ValueError, match="duplicate"):
        summarize(pd.concat([df, df.iloc[:1]]))
    with pytest.raises(ValueError, match="key column"):
        summarize(df.drop(columns="replication"))


def test_risk_table_values_and_missing_columns() -> None:
    df = make_outcomes(200, seed=2)
    table = risk_table(df, launch_day=12).set_index("strategy")
    base = df[df["strategy"] == "base"]
    assert table.loc["base", "p_loss"] == pytest.approx((base["profit"] < 0).mean())
    early = (base["first_stockout_day"] < 19).mean()
    assert table.loc["base", "p_stockout_early"] == pytest.approx(early)
    high = (base["leftover_units"] > 20).mean()
    assert table.loc["base", "p_leftover_high"] == pytest.approx(high)
    assert table.loc["base", "profit_cvar"] == pytest.approx(cvar(base["profit"], 0.05))
    assert table.loc["base", "profit_p50"] == pytest.approx(base["profit"].median())
    assert table.loc["base", "refund_liability"] == pytest.approx(
        base["refund_liability_peak"].mean())
    assert table[["cash_low_point", "sell_through", "return_rate"]].isna().all().all()
    assert set(RISK_TABLE_MEANS) <= set(table.columns)
    bare = risk_table(df[["strategy", "replication", "custom_metric"]], launch_day=None)
    assert bare.drop(columns=["strategy", "n_replications"]).isna().all().all()


def test_regret_and_max_regret() -> None:
    def scenario(means: dict[str, float]) -> pd.DataFrame:
        return pd.DataFrame([{"strategy": s, "replication": r, "profit": m + (-1) ** r}
                             for s, m in means.items() for r in range(4)])

    out = regret({"boom": scenario({"a": 100.0, "b": 80.0, "c": 95.0}),
                  "bust": scenario({"a": -50.0, "b": 10.0, "c": 0.0})})
    out = out.set_index("strategy")
    assert list(out.index) == ["c", "b", "a"]  # sorted by max regret
    assert out.loc["a", "boom"] == 0.0 and out.loc["a", "bust"] == 60.0
    assert out.loc["c", "max_regret"] == 10.0 and out.loc["c", "worst_scenario"] == "bust"
    costs = regret({"x": scenario({"a": 5.0, "b": 3.0})}, higher_is_better=False)
    assert costs.set_index("strategy")["x"].to_dict() == {"a": 2.0, "b": 0.0}
    with pytest.raises(ValueError, match="strategies"):
        regret({"x": scenario({"a": 1.0}), "y": scenario({"b": 1.0})})
    with pytest.raises(ValueError, match="reserved"):
        regret({"max_regret": scenario({"a": 1.0})})
