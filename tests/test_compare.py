"""Tests of simulation.analysis.compare: paired comparison on common random numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation.analysis.compare import (
    COMPARE_COLUMNS,
    HIGHER_IS_BETTER,
    compare,
    metric_direction,
    paired_values,
    unpaired_se,
    verdict,
)


def crn_outcomes(n_replications: int = 100, seed: int = 7) -> pd.DataFrame:
    """Strategies sharing a large common component x_r plus small own noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(1000.0, 200.0, n_replications)
    shifts = {"base": 0.0, "better": 10.0, "worse": -10.0, "twin": 0.0}
    frames = []
    for name, shift in shifts.items():
        noise = rng.normal(0.0, 5.0, n_replications)
        frames.append(pd.DataFrame({
            "strategy": name,
            "replication": np.arange(n_replications),
            "profit": x + shift + noise,
            "refunds": 0.1 * x - shift + noise,
            "widgets": x + 5 * shift + noise,
        }))
    return pd.concat(frames, ignore_index=True)


def test_pairing_shrinks_standard_error() -> None:
    df = crn_outcomes()
    row = compare(df, baseline="base", metrics=["profit"]).set_index("strategy").loc["better"]
    unpaired = unpaired_se(df, "better", "base", "profit")
    a = df.loc[df["strategy"] == "better", "profit"].to_numpy()
    b = df.loc[df["strategy"] == "base", "profit"].to_numpy()
    assert unpaired == pytest.approx(math.sqrt(a.var(ddof=1) / 100 + b.var(ddof=1) / 100))
    assert row["diff_se"] == pytest.approx((a - b).std(ddof=1) / 10)
    assert row["diff_se"] < unpaired / 10


def test_interval_matches_scipy_paired_t() -> None:
    df = crn_outcomes(30)
    row = compare(df, baseline="base", metrics="profit", confidence=0.9).iloc[0]
    a = df.loc[df["strategy"] == row["strategy"], "profit"].to_numpy()
    b = df.loc[df["strategy"] == "base", "profit"].to_numpy()
    ci = stats.ttest_rel(a, b).confidence_interval(0.9)
    assert (row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx((ci.low, ci.high))
    assert row["diff_mean"] == pytest.approx(row["strategy_mean"] - row["baseline_mean"])
    assert row["rel_diff"] == pytest.approx(row["diff_mean"] / abs(row["baseline_mean"]))


def test_verdicts_on_constructed_data() -> None:
    out = compare(crn_outcomes(), baseline="base")
    assert list(out.columns) == COMPARE_COLUMNS
    assert "base" not in set(out["strategy"])
    assert list(out["strategy"]) == ["better"] * 3 + ["worse"] * 3 + ["twin"] * 3
    v = out.set_index(["strategy", "metric"])["verdict"].to_dict()
    assert v[("better", "profit")] == "better" and v[("worse", "profit")] == "worse"
    assert v[("better", "refunds")] == "better"  # fewer refunds is better
    assert v[("worse", "refunds")] == "worse"
    assert v[("twin", "profit")] == "same" and v[("twin", "refunds")] == "same"
    # Metric outside the registry: neutral verdicts and no direction.
    assert v[("better", "widgets")] == "higher" and v[("worse", "widgets")] == "lower"
    assert v[("twin", "widgets")] == "same"
    assert out.set_index(["strategy", "metric"]).loc[("twin", "widgets"), "direction"] is None


def test_rel_tolerance_and_direction_override() -> None:
    df = crn_outcomes()
    strict = compare(df, baseline="base", metrics=["profit"], rel_tolerance=0.05)
    assert set(strict["verdict"]) == {"same"}  # +/-1 % does not clear a 5 % margin
    flipped = compare(df, baseline="base", metrics=["profit", "widgets"],
                      higher_is_better={"profit": False, "widgets": True})
    v = flipped.set_index(["strategy", "metric"])["verdict"]
    assert v[("better", "profit")] == "worse" and v[("better", "widgets")] == "better"
    with pytest.raises(ValueError, match="rel_tolerance"):
        compare(df, baseline="base", rel_tolerance=-0.1)


def test_mismatched_replications_pair_on_intersection() -> None:
    df = crn_outcomes(20)
    keep = (df["strategy"] != "better") | (df["replication"] >= 5)
    keep &= (df["strategy"] != "base") | (df["replication"] < 15)
    df = df[keep].copy()
    df.loc[(df["strategy"] == "better") & (df["replication"] == 7), "profit"] = np.nan
    row = compare(df, baseline="base", metrics=["profit"]).set_index("strategy").loc["better"]
    reps = [r for r in range(5, 15) if r != 7]
    assert row["n_pairs"] == len(reps)
    pair = paired_values(df, "profit", strategy="better", baseline="base")
    assert list(pair["replication"]) == reps
    base = df[(df["strategy"] == "base") & df["replication"].isin(reps)]["profit"]
    assert row["baseline_mean"] == pytest.approx(base.mean())
    assert row["diff_mean"] == pytest.approx(pair["diff"].mean())


def test_degenerate_cases() -> None:
    df = pd.DataFrame({"strategy": ["a", "a", "b", "b"], "replication": [0, 1, 0, 1],
                       "profit": [0.0, 0.0, 1.0, 1.0]})
    row = compare(df, baseline="a").iloc[0]
    assert math.isnan(row["rel_diff"])  # baseline mean 0
    assert row["diff_ci_low"] == row["diff_ci_high"] == 1.0 and row["verdict"] == "better"
    single = compare(df[df["replication"] == 0], baseline="a").iloc[0]
    assert single["n_pairs"] == 1 and single["verdict"] == "same"
    with pytest.raises(ValueError, match="baseline 'zzz'"):
        compare(df, baseline="zzz")
    with pytest.raises(ValueError, match="unknown metric"):
        compare(df, baseline="a", metrics=["nope"])
    with pytest.raises(ValueError, match="unknown strategy"):
        unpaired_se(df, "a", "zzz", "profit")


def test_verdict_rule_and_registry() -> None:
    assert verdict(1.0, 2.0, True) == "better" and verdict(1.0, 2.0, False) == "worse"
    assert verdict(-2.0, -1.0, True) == "worse" and verdict(-2.0, -1.0, None) == "lower"
    assert verdict(-1.0, 1.0, True) == "same" and verdict(np.nan, np.nan, True) == "same"
    assert verdict(1.0, 2.0, True, margin=1.5) == "same"
    with pytest.raises(ValueError, match="margin"):
        verdict(1.0, 2.0, True, margin=-1.0)
    for name in ("profit", "revenue_net", "cash_low_point", "fill_rate", "units_sold"):
        assert HIGHER_IS_BETTER[name] is True
    for name in ("refunds", "cogs", "lost_sales", "return_rate", "refund_liability_peak"):
        assert HIGHER_IS_BETTER[name] is False
    assert metric_direction("first_stockout_day") is None
    assert metric_direction("profit", {"profit": None}) is None
