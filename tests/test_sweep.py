"""Sweeps: the same numbers as compare on hand-written strategies, inputs fixed per point,
interrupt-and-resume, the design grammar and the command line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulation.cli import app
from simulation.errors import PresaleError
from simulation.explore.design import make_design, parse_axis
from simulation.explore.sweep import SweepSettings, sweep
from simulation.runs.execution import run_many
from simulation.runs.progress import ProgressEvent
from simulation.scenario import load_scenario, with_overrides

SMOKE = Path(__file__).parent / "fixtures" / "smoke.yaml"
N_REPLICATIONS = 4
PRICE = "strategies.prepay.pricing.presale_price"


@pytest.fixture(scope="module")
def scenario():
    return with_overrides(load_scenario(SMOKE), {
        "run.population": 1000,
        "uncertainties": {"market.awareness.imitation": {"dist": "uniform", "low": 0.2, "high": 0.4}}})


@pytest.fixture(scope="module")
def price_sweep(scenario):
    return sweep(scenario, SweepSettings(strategy="prepay", axes=(parse_axis(f"{PRICE}=420,480"),),
                                         replications=N_REPLICATIONS, workers=1))


def _metrics(frame: pd.DataFrame) -> pd.DataFrame:
    keep = [c for c in frame.columns if c not in ("point", "strategy") and not c.startswith(("strategies.", "market."))]
    return frame[keep].reset_index(drop=True)


def test_lever_sweep_equals_compare_on_hand_written_strategies(scenario, price_sweep):
    written = with_overrides(scenario, {"strategies": {
        **{n: s.model_dump(by_alias=True) for n, s in scenario.strategies.items()},
        "at420": {**scenario.strategies["prepay"].model_dump(by_alias=True), "pricing": {
            **scenario.strategies["prepay"].pricing.model_dump(by_alias=True), "presale_price": 420}},
        "at480": {**scenario.strategies["prepay"].model_dump(by_alias=True), "pricing": {
            **scenario.strategies["prepay"].pricing.model_dump(by_alias=True), "presale_price": 480}}}})
    compared = run_many(written, replications=N_REPLICATIONS, workers=1).outcomes
    out = price_sweep.outcomes
    assert list(price_sweep.design[PRICE]) == [420, 480]
    assert out.groupby("point")["replication"].apply(list).map(tuple).nunique() == 1   # same replications
    for point, name in (("p000", "at420"), ("p001", "at480"), ("reference", "prepay")):
        mine = out[out["point"] == point].drop(columns=[PRICE])
        theirs = compared[compared["strategy"] == name]
        pd.testing.assert_frame_equal(_metrics(mine), _metrics(theirs))
    assert (out.loc[out["point"] == "p000", PRICE] == 420).all()
    # paired comparison against the reference is that of compare
    diff = price_sweep.comparison.query("point == 'p001' and metric == 'profit'")["diff_mean"].item()
    by_rep = compared.pivot(index="replication", columns="strategy", values="profit")
    assert diff == pytest.approx((by_rep["at480"] - by_rep["prepay"]).mean(), rel=1e-12)


def test_regret_is_best_point_minus_own_per_replication(price_sweep):
    wide = price_sweep.outcomes.query("point != 'reference'").pivot(index="replication", columns="point",
                                                                     values="profit")
    expected = wide.max(axis=1).to_numpy()[:, None] - wide.to_numpy()
    table = price_sweep.regret.set_index("point").loc[list(wide.columns)]
    assert table["mean_regret"].to_numpy() == pytest.approx(expected.mean(axis=0))
    assert table["max_regret"].to_numpy() == pytest.approx(expected.max(axis=0))
    assert table["best_share"].sum() == pytest.approx(1.0)


def test_an_uncertain_input_is_fixed_at_the_point(scenario):
    result = sweep(scenario, SweepSettings(strategy="prepay", axes=(parse_axis("market.awareness.imitation=0.25"),),
                                           replications=2, workers=1))
    fixed = with_overrides(scenario, {"uncertainties": {}, "market.awareness.imitation": 0.25})
    alone = run_many(fixed, strategies=("prepay",), replications=2, workers=1).outcomes
    mine = result.outcomes[result.outcomes["point"] == "p000"].drop(columns=["market.awareness.imitation"])
    pd.testing.assert_frame_equal(_metrics(mine), _metrics(alone))
    reference = result.outcomes[result.outcomes["point"] == "reference"]
    assert not _metrics(reference).equals(_metrics(mine))     # the reference still draws it
    drawn = run_many(scenario, strategies=("prepay",), replications=2, workers=1).outcomes
    assert list(reference["market.awareness.imitation"]) == list(drawn["market.awareness.imitation"])


def test_interrupt_and_resume_gives_identical_results(scenario, price_sweep, tmp_path):
    settings = SweepSettings(strategy="prepay", axes=(parse_axis(f"{PRICE}=420,480"),),
                             replications=N_REPLICATIONS, workers=1, store_dir=tmp_path)

    def stop(event: ProgressEvent) -> None:
        if event.done == 1 and not event.finished:
            raise KeyboardInterrupt

    first = sweep(scenario, SweepSettings(**{**settings.__dict__, "progress": stop}))
    assert first.interrupted and first.outcomes["replication"].nunique() == 1
    resumed = sweep(scenario, SweepSettings(**{**settings.__dict__, "resume": True}))
    assert resumed.complete
    pd.testing.assert_frame_equal(resumed.outcomes, price_sweep.outcomes)


def test_resume_refuses_other_input_values(scenario, tmp_path):
    axis = "market.awareness.imitation"
    sweep(scenario, SweepSettings(strategy="prepay", axes=(parse_axis(f"{axis}=0.25"),), replications=1,
                                  workers=1, store_dir=tmp_path))
    with pytest.raises(PresaleError, match="scenario changed"):
        sweep(scenario, SweepSettings(strategy="prepay", axes=(parse_axis(f"{axis}=0.3"),), replications=1,
                                      workers=1, store_dir=tmp_path, resume=True))


def test_designs():
    grid = make_design([parse_axis("a=1,2"), parse_axis("b=10:30:10")], "grid")
    assert list(grid.index) == ["p000", "p001", "p002", "p003", "p004", "p005"]
    assert set(map(tuple, grid.to_numpy())) == {(a, b) for a in (1, 2) for b in (10, 20, 30)}
    lhs = make_design([parse_axis("a=0:1"), parse_axis("b=5:9")], "lhs", points=16, seed=3)
    assert lhs.equals(make_design([parse_axis("a=0:1"), parse_axis("b=5:9")], "lhs", points=16, seed=3))
    for column, (low, high) in (("a", (0, 1)), ("b", (5, 9))):      # one point per stratum
        strata = ((lhs[column] - low) / (high - low) * 16).astype(int)
        assert sorted(strata) == list(range(16))


@pytest.mark.parametrize("text, message", [
    ("price", "expected PATH=v1"), ("p=1:x", "'x' is not a number"), ("p=5:1", "must be below"),
    ("p=1:5:0", "step must be positive"), ("p=1:2:3:4", "expected low:high"),
])
def test_bad_axes_are_named(text, message):
    with pytest.raises(PresaleError, match=message):
        parse_axis(text)


def test_designs_refuse_mismatched_specs():
    with pytest.raises(PresaleError, match="interval for --design lhs"):
        make_design([parse_axis("a=0:1")], "grid")
    with pytest.raises(PresaleError, match="samples an interval"):
        make_design([parse_axis("a=1,2")], "lhs", points=4)
    with pytest.raises(PresaleError, match="at least 2 points"):
        make_design([parse_axis("a=0:1")], "sobol")


def test_sweep_refuses_another_strategys_lever(scenario):
    with pytest.raises(PresaleError, match="lever of another strategy"):
        sweep(scenario, SweepSettings(strategy="prepay", axes=(parse_axis("strategies.base.pricing.presale_price=1,2"),)))
    with pytest.raises(PresaleError, match="no field"):
        sweep(scenario, SweepSettings(strategy="prepay", axes=(parse_axis("market.awarenes.imitation=1,2"),)))


def test_cli_sweep_writes_the_report_and_resumes(tmp_path):
    out = tmp_path / "sw"
    args = ["sweep", str(SMOKE), "--strategy", "prepay", "--param", f"{PRICE}=420:480:60",
            "--replications", "2", "--population", "500", "--workers", "1", "--out", str(out), "--quiet"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    for name in ("sweep_outcomes.parquet", "sweep_comparison.csv", "regret.csv", "report.html", "report.md",
                 "figures/sweep_profit_0.png", "manifest.json"):
        assert (out / name).is_file(), name
    table = pd.read_parquet(out / "sweep_outcomes.parquet")
    assert set(table["point"]) == {"p000", "p001", "reference"} and PRICE in table.columns
    again = CliRunner().invoke(app, args + ["--resume"])
    assert again.exit_code == 0, again.output
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep_outcomes.parquet"), table)


@pytest.mark.parametrize("extra, message", [
    (["--param", "price"], "expected PATH=v1"),
    (["--param", "strategies.prepay.pricing.presale_pric=1,2"], "did you mean"),
    ([], "give --param"),
    (["--name", "nope"], "no sweep 'nope'"),
    (["--param", f"{PRICE}=1,2", "--design", "cube"], "unknown design 'cube'"),
    (["--param", f"{PRICE}=1,2", "--metric", "proft"], "unknown metric 'proft'"),
])
def test_cli_bad_input_exits_2_with_a_message(extra, message, tmp_path):
    result = CliRunner().invoke(app, ["sweep", str(SMOKE), "--strategy", "prepay", "--population", "200",
                                      "--replications", "1", "--out", str(tmp_path), *extra])
    assert result.exit_code == 2, result.output
    assert message in result.output


@pytest.mark.parametrize("command, options", [
    ("sweep", ["--param", "--design", "--points", "--name", "--reference", "--resume", "--executor"]),
    ("sensitivity", ["--method", "--n", "--param", "--replications", "--resume"]),
    ("discover", ["--fail-when", "--points", "--param", "--threshold", "--resume"]),
])
def test_help_documents_the_exploration_commands(command, options):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    for option in options:
        assert option in result.output, (command, option)


def test_stored_sweep_section_is_validated(tmp_path):
    text = SMOKE.read_text(encoding="utf-8") + (
        "sweeps:\n  price:\n    strategy: prepay\n"
        "    params: {strategies.base.pricing.presale_price: [400, 450]}\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "sweeps.price.params" in result.output and "lever of another strategy" in result.output


def test_stored_sweep_runs_by_name(tmp_path):
    text = SMOKE.read_text(encoding="utf-8") + (
        "sweeps:\n  price:\n    strategy: prepay\n"
        f"    params: {{{PRICE}: [420, 480]}}\n    replications: 2\n")
    stored = tmp_path / "stored.yaml"
    stored.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["sweep", str(stored), "--name", "price", "--population", "300",
                                      "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(tmp_path / "out" / "sweep_outcomes.parquet")
    assert sorted(table[PRICE].unique()) == [420, 450, 480]        # the points and the reference (450)
    assert table["replication"].nunique() == 2


def test_an_input_sweep_on_dask_equals_the_local_one(scenario):
    pytest.importorskip("distributed")
    from simulation.runs.executors import dask_executor

    settings = SweepSettings(strategy="prepay", axes=(parse_axis("market.awareness.imitation=0.25,0.35"),),
                             replications=2, workers=1)
    local = sweep(scenario, settings)
    with dask_executor(workers=1) as executor:
        remote = sweep(scenario, SweepSettings(**{**settings.__dict__, "executor": executor}))
    pd.testing.assert_frame_equal(remote.outcomes, local.outcomes)


def test_the_display_table_speaks_money_and_matches_the_numbers(price_sweep):
    """The terminal and report table shows each point's numbers in the scenario's money units
    (the same figures as the numeric table, formatted), the paired CI in one column and
    the share of replications in which a point is best as a percentage."""
    from simulation.report.formatting import currency_of, fmt_diff, fmt_metric, money_units
    from simulation.report.sweep import sweep_display, sweep_table
    shown, numbers = sweep_display(price_sweep), sweep_table(price_sweep)
    units = money_units(currency_of(price_sweep.meta))
    assert list(shown.columns) == ["point", "presale_price", "profit (mean)", "vs reference", "95 % CI", "verdict",
                                   "mean regret", "max regret", "best in"]
    assert list(shown["presale_price"]) == ["420", "480"]
    assert list(shown["profit (mean)"]) == [fmt_metric("profit", v, units=units) for v in numbers["profit_mean"]]
    assert list(shown["vs reference"]) == [fmt_diff("profit", v, units=units) for v in numbers["diff_mean"]]
    assert all(text.startswith("[") and text.endswith("]") for text in shown["95 % CI"])
    assert sorted(shown["best in"]) == sorted(f"{v * 100:.0f}%" for v in numbers["best_share"])
    assert "e+" not in shown.to_string()
