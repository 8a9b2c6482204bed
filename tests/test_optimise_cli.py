"""``presale optimize``: bad input exits 2 with one line naming the option; a small run writes a
scenario that validates."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from simulation import load_scenario
from simulation.cli import app

NEWSVENDOR = Path(__file__).parent / "data" / "newsvendor.yaml"
LEVER = "strategies.stock.inventory.initial_stock"


def run(tmp_path, *args):
    return CliRunner().invoke(app, ["optimize", str(NEWSVENDOR), "--strategy", "stock", "--quiet",
                                    "--workers", "1", "--out", str(tmp_path / "out"), *args])


@pytest.mark.parametrize("args, expected", [
    (["--lever", "strategies.stock.inventory.initial_stok=200:400"], "--lever 'strategies.stock.inventory.initial_stok': no field 'initial_stok'; did you mean 'initial_stock'"),
    (["--lever", "market.size=200:400"], "not a lever of 'stock'"),
    (["--lever", "strategies.lean.inventory.initial_stock=200:400"], "not a lever of 'stock'"),
    (["--lever", f"{LEVER}=400:200"], "low (400) must be below high (200)"),
    (["--lever", f"{LEVER}=200:400", "--constraint", "p_stockout_early = 0.1"], "--constraint 'p_stockout_early = 0.1'"),
    (["--lever", f"{LEVER}=200:400", "--constraint", "proft.mean >= 0"], "unknown metric 'proft'; did you mean 'profit'"),
    (["--lever", f"{LEVER}=200:400", "--objective", "profit.median"], "--objective 'profit.median'"),
    ([], "--lever: give at least one"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, args, expected):
    result = run(tmp_path, *args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0], result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "batches").exists()


def test_a_run_writes_an_optimised_scenario_that_validates(tmp_path):
    result = run(tmp_path, "--lever", f"{LEVER}=200:400:10", "--budget", "8", "--population-size", "4",
                 "--replications", "10", "--race-top", "2", "--confirm-replications", "10",
                 "--pareto", "p_stockout_early")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    for name in ("report.html", "report.md", "figures/convergence.png", "figures/frontier.png",
                 "confirmation.csv", "comparison.csv", "evaluations.csv"):
        assert (out / name).is_file(), name
    sc = load_scenario(out / "optimised.yaml")
    assert "stock_optimised" in sc.strategies and set(sc.strategies) >= {"stock", "lean"}
    stock = sc.strategies["stock_optimised"].inventory.initial_stock
    assert 200 <= stock <= 400 and stock % 10 == 0
    assert CliRunner().invoke(app, ["validate", str(out / "optimised.yaml")]).exit_code == 0
    written = yaml.safe_load((out / "optimised.yaml").read_text(encoding="utf-8"))["strategies"]["stock_optimised"]
    assert written["extends"] == "stock" and written["inventory"] == {"initial_stock": stock}
    assert set(written) == {"extends", "description", "inventory"}          # only the optimised lever
    again = run(tmp_path, "--lever", f"{LEVER}=200:400:10")
    assert again.exit_code == 2 and "--resume" in again.output


def test_resume_reads_every_batch_back(tmp_path):
    args = ["--lever", f"{LEVER}=200:400:10", "--budget", "8", "--population-size", "4", "--replications", "6",
            "--race-top", "1", "--confirm-replications", "6"]
    first = run(tmp_path, *args)
    assert first.exit_code == 0, first.output
    second = run(tmp_path, *args, "--resume")
    assert second.exit_code == 0, second.output
    assert (tmp_path / "out" / "optimised.yaml").read_text() and \
        [line for line in first.output.splitlines() if "initial_stock =" in line] == \
        [line for line in second.output.splitlines() if "initial_stock =" in line]
