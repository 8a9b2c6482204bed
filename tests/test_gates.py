"""Tests of simulation.analysis.gates: gate grammar and the interval-based decision rule."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from simulation.analysis.compare import compare
from simulation.analysis.gates import (
    GATE_COLUMNS,
    GATE_HELP,
    Gate,
    GateSyntaxError,
    evaluate_gates,
    parse_gate,
    parse_gates,
)

N = 200


def gate_outcomes(seed: int = 3) -> pd.DataFrame:
    """Baseline with mean profit exactly 10,000 and strategies around it."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 2000.0, N)
    x -= x.mean()
    wobble = rng.normal(0.0, 1.0, N)
    wobble -= wobble.mean()
    base = 10_000.0 + x
    refunds = 500.0 + 0.05 * x
    rows = {
        "base": (base, refunds),
        "worse": (0.9 * base + 10.0 * wobble, refunds),  # -10 %, tight
        "twin": (base + 10.0 * wobble, refunds + wobble),  # equal
        "edge": (base - 250.0 + 1000.0 * wobble, refunds),  # mean -2.5 %, wide CI
        "refundy": (base, 1.10 * refunds + wobble),  # +10 % refunds
        "mild": (base, 1.03 * refunds + wobble),  # +3 % refunds
    }
    return pd.concat([pd.DataFrame({"strategy": s, "replication": np.arange(N),
                                    "profit": p, "refunds": r})
                      for s, (p, r) in rows.items()], ignore_index=True)


def status(result: pd.DataFrame) -> dict[str, str]:
    return dict(zip(result["strategy"], result["status"]))


# --- parsing -----------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("profit.mean < baseline -2%", Gate("profit.mean < baseline -2%", "profit", "<", True,
                                        -2.0, True, None)),
    ("profit.mean<baseline-2.5%", Gate("profit.mean<baseline-2.5%", "profit", "<", True,
                                       -2.5, True, None)),
    ("refunds.mean > baseline + 500", Gate("refunds.mean > baseline + 500", "refunds", ">",
                                           True, 500.0, False, None)),
    ("profit.mean < baseline", Gate("profit.mean < baseline", "profit", "<", True, 0.0,
                                    False, None)),
    ("  bold: profit.mean < 1e4 ", Gate("bold: profit.mean < 1e4", "profit", "<", False,
                                        10_000.0, False, "bold")),
    ("profit.mean > -250.5", Gate("profit.mean > -250.5", "profit", ">", False, -250.5,
                                  False, None)),
])
def test_parse_gate_valid(text: str, expected: Gate) -> None:
    assert parse_gate(text) == expected


def test_gate_is_frozen_and_threshold_in_metric_units() -> None:
    gate = parse_gate("profit.mean < baseline -2%")
    with pytest.raises(dataclasses.FrozenInstanceError):
        gate.value = 3.0  # type: ignore[misc]
    assert gate.threshold(-50_000.0) == pytest.approx(-1000.0)  # relative to |mean|
    assert parse_gate("profit.mean < baseline -300").threshold(50_000.0) == -300.0
    assert [g.metric for g in parse_gates(["a.mean < 1", "b.mean > 2"])] == ["a", "b"]
    assert parse_gates(None) == [] and parse_gates(gate) == [gate]


@pytest.mark.parametrize(("text", "hint"), [
    ("profit < baseline -2%", "must be METRIC.mean"),
    ("profit.p5 < baseline -2%", "only '.mean' is supported"),
    ("profit.mean <= baseline -2%", "exactly one comparison operator"),
    ("profit.mean baseline -2%", "exactly one comparison operator"),
    ("profit.mean < baseline 2%", "write '+2%' or '-2%'"),
    ("profit.mean < baseline -x%", "malformed"),
    ("profit.mean < 10%", "'%' is only allowed relative to the baseline"),
    ("profit.mean < basline -2%", "must be 'baseline [+|-]NUMBER[%]' or a NUMBER"),
    ("profit.mean <", "missing right side"),
    (": profit.mean < 1", "empty strategy name"),
    ("   ", "empty"),
])
def test_parse_gate_syntax_errors(text: str, hint: str) -> None:
    with pytest.raises(GateSyntaxError) as info:
        parse_gate(text)
    message = str(info.value)
    assert repr(text) in message and hint in message
    assert "METRIC.mean (<|>) baseline [+|-]NUMBER[%]" in message
    assert "profit.mean < baseline -2%" in message  # an example
    assert isinstance(info.value, ValueError)


def test_parse_gate_rejects_non_strings() -> None:
    with pytest.raises(GateSyntaxError, match="expected a string"):
        parse_gate({"metric": "profit"})  # type: ignore[arg-type]
    assert "baseline" in GATE_HELP


# --- evaluation ---------------------------------------------------------------

def test_relative_lower_gate_decisions() -> None:
    df = gate_outcomes()
    out = evaluate_gates(df, "profit.mean < baseline -2%", baseline="base")
    assert list(out.columns) == GATE_COLUMNS
    assert list(out["strategy"]) == ["worse", "twin", "edge", "refundy", "mild"]
    assert np.allclose(out["threshold"], -200.0)
    s = status(out)
    assert s["worse"] == "fail"  # -10 % with a tight interval
    assert s["twin"] == "pass" and s["refundy"] == "pass"
    edge = out.set_index("strategy").loc["edge"]
    assert edge["diff_mean"] < -200.0  # the point estimate alone would fail
    assert edge["diff_ci_low"] < -200.0 < edge["diff_ci_high"]  # straddles the threshold
    assert s["edge"] == "pass"


def test_gate_uses_paired_interval_of_compare() -> None:
    df = gate_outcomes()
    out = evaluate_gates(df, ["profit.mean < baseline -2%"], baseline="base",
                         confidence=0.9).set_index("strategy")
    ref = compare(df, baseline="base", metrics=["profit"], confidence=0.9).set_index("strategy")
    for col in ("diff_mean", "diff_ci_low", "diff_ci_high", "baseline_mean"):
        assert np.allclose(out[col], ref.loc[out.index, col])
    fail = out["diff_ci_high"] < out["threshold"]
    assert ((out["status"] == "fail") == fail).all()


def test_failure_message_names_metric_difference_and_interval() -> None:
    out = evaluate_gates(gate_outcomes(), "worse: profit.mean < baseline -2%", baseline="base")
    assert len(out) == 1
    row = out.iloc[0]
    msg = row["message"]
    assert msg.startswith("profit: worse vs base paired diff -1,000 (-10.0%), 95% CI [")
    assert "lies below the gate baseline -2% (-200)" in msg
    assert f"{row['diff_ci_low']:,.0f}" in msg and f"{row['diff_ci_high']:,.0f}" in msg


def test_relative_upper_gate_decisions() -> None:
    df = gate_outcomes()
    out = evaluate_gates(df, "refunds.mean > baseline +5%", baseline="base")
    assert np.allclose(out["threshold"], 25.0)
    s = status(out)
    assert s["refundy"] == "fail" and s["mild"] == "pass" and s["twin"] == "pass"
    assert "above the gate" in out.set_index("strategy").loc["refundy", "message"]
    absolute_offset = evaluate_gates(df, "refunds.mean > baseline +10", baseline="base")
    assert status(absolute_offset)["mild"] == "fail"  # +15 beyond +10


def test_absolute_gates() -> None:
    df = gate_outcomes()
    below = evaluate_gates(df, ["worse: profit.mean < 9500", "twin: profit.mean < 9500"],
                           baseline="base")
    assert list(below["status"]) == ["fail", "pass"]
    assert below["diff_mean"].isna().all() and (below["reference"] == "absolute").all()
    assert "lies below the gate 9,500" in below.iloc[0]["message"]
    above = evaluate_gates(df, "base: profit.mean > 9500", baseline="base")
    assert list(above["status"]) == ["fail"]
    straddle = evaluate_gates(df, "base: profit.mean > 10000", baseline="base")
    assert list(straddle["status"]) == ["pass"]


def test_evaluation_errors() -> None:
    df = gate_outcomes()
    with pytest.raises(ValueError, match="unknown metric 'margin'"):
        evaluate_gates(df, "margin.mean < baseline -2%", baseline="base")
    with pytest.raises(ValueError, match="unknown strategy 'ghost'"):
        evaluate_gates(df, "ghost: profit.mean < baseline", baseline="base")
    with pytest.raises(ValueError, match="baseline with itself"):
        evaluate_gates(df, "base: profit.mean < baseline -2%", baseline="base")
    with pytest.raises(ValueError, match="baseline 'nobody'"):
        evaluate_gates(df, "profit.mean < baseline", baseline="nobody")
    with pytest.raises(GateSyntaxError):
        evaluate_gates(df, ["profit.mean << baseline"], baseline="base")
    with pytest.raises(ValueError, match="at least 2"):
        evaluate_gates(df[df["replication"] == 0], "profit.mean < baseline", baseline="base")


def test_gate_problems_found_before_running() -> None:
    from simulation.analysis.gates import gate_problems

    texts = ["profit.mean < baseline -2%", "proft.mean < baseline -2%", "profit.mean < baseline 2%",
             "nobody: profit.mean < 0", "base: profit.mean < baseline -1%", "base: profit.mean < 0"]
    found = dict(gate_problems(texts, strategies=["base", "worse"], baseline="base",
                               metrics=["profit", "refunds"]))
    assert sorted(found) == [1, 2, 3, 4]
    assert "unknown metric 'proft'; did you mean 'profit'?" in found[1]
    assert found[2].startswith("invalid gate 'profit.mean < baseline 2%'")
    assert "unknown strategy 'nobody'; strategies are base, worse" in found[3]
    assert "compares the baseline with itself" in found[4]
