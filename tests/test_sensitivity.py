"""Sensitivity: SALib's estimators recover the known indices of an additive function through
our design and analysis functions; the scenario path runs end to end."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from simulation.cli import app
from simulation.errors import PresaleError
from simulation.explore.design import parse_axis
from simulation.explore.sensitivity import SENSITIVITY_METRICS, analyze, factors_of, sensitivity, unit_design
from simulation.explore.sweep import SweepSettings
from simulation.scenario import load_scenario, with_overrides

SMOKE = Path(__file__).parent / "fixtures" / "smoke.yaml"
COEFFICIENTS = np.array([1.0, 2.0, 3.0])


def additive(unit: np.ndarray) -> np.ndarray:
    """y = sum a_i x_i with x_i uniform on [0, 1]: S1_i = ST_i = a_i^2 / sum a^2."""
    return unit @ COEFFICIENTS


def test_sobol_recovers_the_indices_of_an_additive_function():
    unit = unit_design("sobol", 3, 1024, seed=5)
    assert unit.shape == (1024 * 5, 3)
    table = analyze("sobol", unit, additive(unit), seed=5)
    known = COEFFICIENTS**2 / np.sum(COEFFICIENTS**2)
    for column in ("S1", "ST"):
        err = np.abs(table[column].to_numpy() - known)
        assert (err <= table[f"{column}_conf"].to_numpy()).all(), (column, table, known)
        assert (table[f"{column}_conf"] < 0.1).all()          # and the CI is informative


def test_sobol_through_a_ppf_keeps_the_indices():
    """Normal inputs mapped through their ppf: variances a_i^2 sd_i^2."""
    scenario = with_overrides(load_scenario(SMOKE), {"uncertainties": {
        "market.awareness.imitation": {"dist": "normal", "mean": 0.3, "sd": 0.02},
        "product.rating": {"dist": "normal", "mean": 4.5, "sd": 0.1}}})
    factors = factors_of(scenario)
    unit = unit_design("sobol", 2, 2048, seed=9)
    x = np.column_stack([f.ppf(np.clip(unit[:, i], 1e-3, 1 - 1e-3)) for i, f in enumerate(factors)])
    y = 10 * x[:, 0] + 1 * x[:, 1]
    table = analyze("sobol", unit, y, seed=9)
    var = np.array([(10 * 0.02) ** 2, 0.1**2])
    known = var / var.sum()
    assert (np.abs(table["S1"] - known) <= table["S1_conf"]).all(), (table, known)


def test_morris_effects_of_a_linear_function_are_its_slopes():
    unit = unit_design("morris", 3, 10, seed=1)
    assert unit.shape == (10 * 4, 3)
    table = analyze("morris", unit, additive(unit), seed=1)
    assert table["mu_star"].to_numpy() == pytest.approx(COEFFICIENTS)
    assert table["sigma"].to_numpy() == pytest.approx(0, abs=1e-9)


def test_inputs_are_the_uncertainties_or_given_ranges():
    scenario = load_scenario(SMOKE)
    with pytest.raises(PresaleError, match="at least 2"):
        factors_of(scenario)
    f = factors_of(scenario, [parse_axis("market.awareness.imitation=0.2:0.4"), parse_axis("product.rating=4:5")])
    assert [x.path for x in f] == ["market.awareness.imitation", "product.rating"]
    assert f[0].ppf(np.array([0.0, 0.5, 1.0])) == pytest.approx([0.2, 0.3, 0.4])
    with pytest.raises(PresaleError, match="give a range"):
        factors_of(scenario, [parse_axis("product.rating=4,5")])


def test_sensitivity_on_a_scenario_runs_end_to_end(tmp_path):
    scenario = with_overrides(load_scenario(SMOKE), {"run.population": 400, "uncertainties": {
        "market.awareness.imitation": {"dist": "uniform", "low": 0.1, "high": 0.5},
        "market.segments.fans.valuation.mean": {"dist": "normal", "mean": 600, "sd": 80}}})
    settings = SweepSettings(strategy="prepay", replications=2, workers=1, store_dir=tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        result = sensitivity(scenario, settings, method="screen", n=2, keep_share=0.0)
    assert result.meta["complete"]
    assert len(result.indices) == 2 * 2 * len(SENSITIVITY_METRICS)       # morris and sobol
    assert set(result.indices["input"]) == set(scenario.uncertainties)
    run, sobol = result.runs
    assert len(run.design) == 2 * 3                       # n (d + 1) Morris points
    assert len(sobol.design) == 2 * 4                     # n (d + 2) Saltelli points
    s1 = result.indices.query("method == 'sobol' and response == 'profit'")[["S1", "ST", "S1_conf"]]
    assert s1.notna().all().all()
    fixed = run.outcomes[run.outcomes["point"] == "p0000"]
    assert fixed["market.awareness.imitation"].nunique() == 1      # the input is fixed at the point
    noise = result.noise.query("method == 'morris'").set_index("response")
    per_point = run.outcomes.query("point != 'reference'").groupby("point")["profit"]
    se2 = (per_point.var(ddof=1) / per_point.count()).mean()
    assert noise.loc["profit", "mean_se2"] == pytest.approx(se2)
    assert noise.loc["profit", "noise_share"] == pytest.approx(se2 / per_point.mean().var(ddof=1))
    assert (tmp_path / "morris" / "manifest.json").is_file() and (tmp_path / "sobol" / "manifest.json").is_file()


def test_cli_sensitivity_writes_indices_and_a_tornado(tmp_path):
    result = CliRunner().invoke(app, [
        "sensitivity", str(SMOKE), "--strategy", "prepay", "--method", "morris", "--n", "2",
        "--param", "market.awareness.imitation=0.1:0.5", "--param", "product.rating=4.2:4.9",
        "--replications", "2", "--population", "300", "--workers", "1", "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    for name in ("sensitivity_indices.csv", "sensitivity_noise.csv", "report.html", "figures/tornado_morris_profit.png"):
        assert (tmp_path / name).is_file(), name
    bad = CliRunner().invoke(app, ["sensitivity", str(SMOKE), "--population", "300", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "at least 2" in bad.output
