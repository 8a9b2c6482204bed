"""The decision rule: the scenario section, the decision function and the report's decision box."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation import load_scenario, with_overrides
from simulation.analysis.decision import decide, replication_regret
from simulation.analysis.risk import EVENTS, SUMMARY_COLUMNS, summarize
from simulation.analysis.study import StudySettings, compare_strategies
from simulation.report import write_report
from simulation.report.decision_box import shipping_warnings
from simulation.scenario.decision import EVENT_STATISTICS, DecisionRule, parse_constraint
from test_scenario_errors import located, problems, write

N = 400
LAUNCH_DAY = 10


def _outcomes() -> pd.DataFrame:
    """Four strategies whose answer is known by construction.

    Shared noise ``e`` (common random numbers) plus a small own noise. ``risky`` has the
    best mean profit (1 500 in 19 replications out of 20, -2 000 in the 20th: 1 325) but a
    CVaR 5 % of about -2 000; ``good`` has 1 200; ``twin`` is ``good`` plus 0.1 plus an
    alternating +-3, so their paired difference has mean 0.1 and a CI around it of
    +-0.3: tied.
    """
    rng = np.random.default_rng(7)
    e = rng.normal(0, 100, N)
    r = np.arange(N)
    good = 1200 + e + rng.normal(0, 5, N)
    profits = {
        "base": 1000 + e + rng.normal(0, 5, N),
        "risky": np.where(r % 20 == 0, -2000.0, 1500 + e),
        "good": good,
        "twin": good + 0.1 + np.where(r % 2 == 0, 3.0, -3.0),
    }
    return pd.concat([pd.DataFrame({"strategy": s, "replication": r, "profit": p,
                                    "first_stockout_day": np.nan}) for s, p in profits.items()],
                     ignore_index=True)


@pytest.fixture(scope="module")
def frames():
    outcomes = _outcomes()
    return outcomes, summarize(outcomes, launch_day=LAUNCH_DAY)


def test_a_constraint_excludes_the_most_profitable_strategy(frames):
    outcomes, summary = frames
    d = decide(outcomes, summary, baseline="base")
    assert d.strategy == "twin"
    excluded = {e.strategy: e for e in d.excluded}
    assert [c.statistic for c in excluded["risky"].failed] == ["profit.cvar5"]
    assert excluded["risky"].failed[0].value < -1900
    assert excluded["base"].failed == () and excluded["base"].gap.ci_high < 0
    # paired gain over the baseline: 200.1 by construction, noise sd about 7 per pair
    g = d.gain
    assert g.strategy == "twin" and g.reference == "base" and g.n_pairs == N
    se = (g.ci_high - g.ci_low) / (2 * 1.966)
    assert abs(g.diff_mean - 200.1) < 4 * se and g.ci_low < 200.1 < g.ci_high
    assert abs(g.rel_change - g.diff_mean / abs(summary.query("strategy == 'base' and metric == 'profit'")
                                                ["mean"].iloc[0])) < 1e-12
    assert "cvar5 >= baseline -5%" in d.rule


def test_a_tie_is_reported_and_not_excluded(frames):
    outcomes, summary = frames
    d = decide(outcomes, summary, baseline="base")
    assert [t.strategy for t in d.tied] == ["good"]
    tie = d.tied[0]
    assert tie.reference == "twin" and tie.ci_low <= 0 <= tie.ci_high
    assert "good" not in {e.strategy for e in d.excluded}


def test_the_rule_comes_from_the_scenario_section(frames):
    outcomes, summary = frames
    unconstrained = decide(outcomes, summary, baseline="base", rule=DecisionRule(constraints=[]))
    assert unconstrained.strategy == "risky" and unconstrained.tied == ()
    safest = DecisionRule(objective="profit.cvar5", constraints=["profit.mean >= 1100"])
    assert decide(outcomes, summary, baseline="base", rule=safest).strategy in {"good", "twin"}
    nobody = decide(outcomes, summary, baseline="base", rule=DecisionRule(constraints=["p_loss < 0"]))
    assert nobody.strategy is None and nobody.gain is None and len(nobody.excluded) == 4


def test_regret_per_replication(frames):
    outcomes, _ = frames
    table = replication_regret(outcomes).set_index("strategy")
    wide = outcomes.pivot(index="replication", columns="strategy", values="profit")
    expected = wide.max(axis=1).to_numpy()[:, None] - wide.to_numpy()
    for i, name in enumerate(wide.columns):
        assert table.at[name, "mean_regret"] == pytest.approx(expected[:, i].mean())
        assert table.at[name, "max_regret"] == pytest.approx(expected[:, i].max())
    assert table["p_best"].sum() == pytest.approx(1.0)


def test_rule_statistics_match_the_analysis_layer():
    assert set(EVENT_STATISTICS) == set(EVENTS)
    assert {"p5", "p50", "p95", "cvar", "mean"} <= set(SUMMARY_COLUMNS)


@pytest.mark.parametrize("text, limit", [("cvar5 >= -1e6", -1e6), ("p_stockout_early <= 0.1", 0.1),
                                         ("profit.p5 > baseline -5%", 95.0),
                                         ("p_loss <= baseline +0.05", 100.05)])
def test_constraint_limits(text, limit):
    assert parse_constraint(text).limit(100.0) == pytest.approx(limit)


@pytest.mark.parametrize("decision, path, words", [
    ("{objective: profit.avg}", "decision.objective", ["avg", "cvar5", "p95"]),
    ("{objective: profitt.mean}", "decision.objective", ["profitt", "outcome names"]),
    ("{constraints: ['cvar6 >= 0']}", "decision.constraints", ["cvar6", "METRIC.STAT"]),
    ("{constraints: ['cvar5 => 0']}", "decision.constraints", ["cannot read", ">="]),
    ("{constraints: ['cvar5 >= lots']}", "decision.constraints", ["lots", "baseline -5%"]),
    ("{objectiv: profit.mean}", "decision.objectiv", []),
])
def test_decision_section_errors_are_located(tmp_path, decision, path, words):
    found = problems(write(tmp_path, ("baseline: base\n", f"baseline: base\ndecision: {decision}\n")))
    assert [p for p, _, _ in located(found)] == [path]
    assert found[0].line is not None
    for word in words:
        assert word in found[0].message, (word, found[0].message)


@pytest.mark.parametrize("name", ["electronics_launch", "livestream_flash", "winter_apparel"])
def test_reports_of_bundled_scenarios_open_with_the_decision(tmp_path, name):
    scenario = with_overrides(load_scenario(f"scenarios/{name}.yaml"), {"run.population": 800})
    study = compare_strategies(scenario, StudySettings(replications=4, workers=1))
    paths = write_report(tmp_path, outcomes=study.outcomes, trajectories=study.trajectories,
                         summary=study.summary, risk=study.risk, comparison=study.comparison,
                         warnings=study.warnings, gates=study.gates, meta=study.meta,
                         rule=scenario.decision)
    md = paths["markdown"].read_text(encoding="utf-8").splitlines()
    assert md[0].startswith("# ") and md[2].startswith(("> **Pick ", "> **Keep ", "> **No strategy"))
    assert any(line.startswith("> - **Rule:** highest profit.mean") for line in md[3:12])
    html = paths["html"].read_text(encoding="utf-8")
    assert html.index('<div class="decision">') < html.index("<h2>")
    assert "## Regret" in "\n".join(md) and "paired_waterfall" in paths


def test_a_warning_when_presale_orders_exceed_what_can_ship():
    outcomes = pd.DataFrame({"strategy": ["a"] * 4 + ["b"] * 4, "replication": list(range(4)) * 2,
                             "units_presold": [90, 120, 130, 80, 50, 60, 70, 80],
                             "units_available": [100] * 8})
    found = shipping_warnings(outcomes)
    assert [s for s, _ in found] == ["a"]
    assert "in 50% of replications" in found[0][1] and "by 25 units" in found[0][1]
