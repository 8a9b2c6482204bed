"""The history file format: bad files get located errors and exit 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from simulation.cli import app
from simulation.errors import ScenarioError
from simulation.scenario.history import load_history

ROOT = Path(__file__).resolve().parents[1]
GOOD = "day,phase,reservations,orders\n0,warmup,3,0\n1,warmup,4,0\n2,presale,0,7\n"


def _write(tmp_path, text, name="h.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_good_history_reads_every_column(tmp_path):
    h = load_history(_write(tmp_path, GOOD))
    assert h.day.tolist() == [0, 1, 2]
    assert h.phase == ("warmup", "warmup", "presale")
    np.testing.assert_array_equal(h.series["orders"], [0, 0, 7])


@pytest.mark.parametrize(("text", "where", "words"), [
    ("day,reservations\n0,3\n", ":1:", ["missing required column 'orders'"]),
    ("day,orders\n0,1\n1,lots\n", ":3:2: orders:", ["expected a number, got 'lots'"]),
    ("day,orders\n0,1\n2,1\n1,1\n", ":4:1: day:", ["days out of order", "strictly increasing"]),
    ("day,orders,returns\n0,1,0\n1,1,-2\n", ":3:3: returns:", ["negative value -2", "0 or more"]),
    ("day,orders,visits\n0,1,5\n", ":1:3: visits:", ["unknown column 'visits'", "allowed:"]),
])
def test_bad_history_is_located(tmp_path, text, where, words):
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_history(path)
    message = str(info.value)
    assert f"{path}{where}" in message
    for w in words:
        assert w in message


def test_every_problem_at_once(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_history(_write(tmp_path, "day,orders\n0,x\n0,-1\n"))
    assert len(info.value.problems) == 3        # non-numeric, negative, day repeated


@pytest.mark.parametrize("text", ["day,reservations\n0,3\n", "day,orders\n0,1\n1,lots\n",
                                  "day,orders\n1,1\n0,1\n", "day,orders\n0,-4\n"])
def test_cli_exits_2_with_the_location_and_no_traceback(tmp_path, text):
    path = _write(tmp_path, text)
    result = CliRunner().invoke(app, ["calibrate", str(path), "--scenario",
                                      str(ROOT / "scenarios/histories/toy_market.yaml"),
                                      "--fit", "market.awareness.imitation=0.05:1", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert f"{path}:" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_cli_rejects_a_malformed_fit(tmp_path):
    result = CliRunner().invoke(app, ["calibrate", str(ROOT / "scenarios/histories/toy_synthetic.csv"),
                                      "--scenario", str(ROOT / "scenarios/histories/toy_market.yaml"),
                                      "--fit", "market.awareness.imitation=1:0.05"])
    assert result.exit_code == 2
    assert "LOW < HIGH" in result.output


def test_bundled_noisy_history_lacks_reservations():
    h = load_history(ROOT / "scenarios/histories/toy_noisy.csv")
    assert "reservations" not in h.series and "orders" in h.series
