"""Scenario discovery: failure rules, and PRIM's box over a sweep of uncertain inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from simulation.cli import app
from simulation.errors import PresaleError
from simulation.explore.design import parse_axis
from simulation.explore.discovery import discover, parse_rule
from simulation.explore.sweep import SweepSettings
from simulation.scenario import load_scenario, with_overrides

SMOKE = Path(__file__).parent / "fixtures" / "smoke.yaml"


def test_rules():
    rule = parse_rule("first_stockout_day < 30")
    frame = pd.DataFrame({"first_stockout_day": [10.0, 30.0, np.nan]})
    assert list(rule.apply(frame)) == [True, False, False]      # no stock-out never fails
    assert str(parse_rule("profit<=-1e3")) == "profit <= -1000"
    with pytest.raises(PresaleError, match="unknown metric 'proft'"):
        parse_rule("proft < 0")
    with pytest.raises(PresaleError, match="expected METRIC OP NUMBER"):
        parse_rule("profit == 0")


@pytest.fixture(scope="module")
def found():
    """Units sold grow with the market size (a simulated consumer stands for size / population real
    ones), so 'units_sold < 21000' fails exactly in small markets."""
    scenario = with_overrides(load_scenario(SMOKE), {"run.population": 300})
    axes = (parse_axis("market.size=50000:150000"), parse_axis("product.rating=4.3:4.9"))
    return discover(scenario, SweepSettings(strategy="prepay", axes=axes, replications=1, workers=1),
                    rule="units_sold < 21000", points=12, threshold=0.9)


def test_discovery_finds_the_small_markets(found):
    outcomes = found.sweep.outcomes.query("point != 'reference'").reset_index(drop=True)
    assert list(found.failed) == list(outcomes["units_sold"] < 21000)
    assert 0 < found.failed.mean() < 1
    limits = found.box.limits.set_index("input")
    size = found.experiments["market.size"]
    largest_failing = size[found.failed].max()
    smallest_fine = size[~found.failed].min()
    assert largest_failing < smallest_fine                       # the rule splits on market size
    assert largest_failing <= limits.loc["market.size", "high"] < smallest_fine
    assert found.box.density == 1.0 and found.box.coverage == 1.0


def test_no_failure_gives_no_box(tmp_path):
    scenario = with_overrides(load_scenario(SMOKE), {"run.population": 200})
    result = discover(scenario, SweepSettings(strategy="prepay", axes=(parse_axis("market.size=50000:60000"),),
                                              replications=1, workers=1), rule="profit < -1e15", points=2)
    assert result.box is None and not result.failed.any()


def test_cli_discover(tmp_path):
    result = CliRunner().invoke(app, [
        "discover", str(SMOKE), "--strategy", "prepay", "--fail-when", "units_sold < 21000",
        "--param", "market.size=50000:150000", "--points", "6", "--replications", "1",
        "--population", "200", "--workers", "1", "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    for name in ("experiments.parquet", "report.html", "report.md"):
        assert (tmp_path / name).is_file(), name
    bad = CliRunner().invoke(app, ["discover", str(SMOKE), "--fail-when", "profit = 0", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "expected METRIC OP NUMBER" in bad.output


def test_inputs_the_replications_draw_join_the_experiments():
    scenario = with_overrides(load_scenario(SMOKE), {"run.population": 200, "uncertainties": {
        "product.rating": {"dist": "uniform", "low": 4.2, "high": 4.9}}})
    result = discover(scenario, SweepSettings(strategy="prepay", axes=(parse_axis("market.size=50000:150000"),),
                                              replications=2, workers=1), rule="profit > -1e15", points=2)
    assert list(result.experiments.columns) == ["point", "replication", "market.size", "product.rating"]
    per_replication = result.experiments.groupby("replication")["product.rating"].nunique()
    assert (per_replication == 1).all() and result.experiments["product.rating"].nunique() == 2
    assert result.box is not None and result.failed.all()
