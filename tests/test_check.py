"""``presale check`` and the measurement behind it (:mod:`simulation.analysis.implied`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from simulation import load_scenario, with_overrides
from simulation.analysis.implied import CheckSettings, implied_figures, price_overrides, rival_price_overrides
from simulation.analysis.realism import RANGES
from simulation.errors import PresaleError

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "smoke.yaml"
QUICK = ["--replications", "4", "--population", "1500", "--workers", "1"]


def presale(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulation", *map(str, args)], cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)


def test_price_overrides_move_every_posted_price_and_nothing_else():
    sc = load_scenario(FIXTURE)
    up = with_overrides(sc, price_overrides(sc, "base", 1.1))
    before, after = sc.strategies["base"], up.strategies["base"]
    assert after.pricing.list_price == pytest.approx(550)
    assert after.pricing.presale_price == pytest.approx(495)
    assert [t.price for t in after.pricing.early_bird] == pytest.approx([440])
    assert [p.price for p in after.pricing.schedule] == pytest.approx([462])
    assert after.deposit == before.deposit and after.promotions == before.promotions
    # prepay extends base and writes no price itself: its prices follow, as editing the file would
    prepay = up.strategies["prepay"]
    assert prepay.pricing == after.pricing
    assert prepay.model_copy(update={"pricing": before.pricing}) == sc.strategies["prepay"]


def test_flash_sale_prices_move_with_the_others_and_discounts_stay():
    sc = load_scenario(ROOT / "scenarios" / "livestream_flash.yaml")
    down = with_overrides(sc, price_overrides(sc, "kol_flash", 0.9))
    pairs = list(zip(sc.strategies["kol_flash"].promotions, down.strategies["kol_flash"].promotions))
    assert any(a.kind == "flash_sale" for a, _ in pairs)
    for a, b in pairs:
        if a.kind == "flash_sale":
            assert b.price == pytest.approx(a.price * 0.9) and b.quantity == a.quantity
        else:
            assert b == a


def test_rival_price_and_floor_move_together():
    sc = load_scenario(FIXTURE)
    moved = with_overrides(sc, rival_price_overrides(sc, "rival", 0.95)).competitors["rival"]
    assert (moved.price, moved.price_floor) == pytest.approx((456, 380))


def test_elasticities_have_the_signs_of_substitutes():
    """Dearer ours sells fewer of ours; a dearer rival sells more of ours (paired, 24 replications).

    The smoke scenario's stock runs out, which would cap units sold whatever the price:
    its shelves are filled here so that demand shows.
    """
    ample = with_overrides(load_scenario(FIXTURE), {"strategies.base.inventory.initial_stock": 200000})
    frame = implied_figures(ample, CheckSettings(replications=24, population=2000, workers=1))
    rows = frame.set_index("figure")
    assert rows.loc["own_price_elasticity", "ci_high"] < 0
    assert rows.loc["cross_price_elasticity", "ci_low"] > 0
    for figure in ("conversion_per_aware", "deposit_completion", "return_rate", "fill_rate", "p_loss"):
        assert set(frame.loc[frame["figure"] == figure, "strategy"]) == {"base", "prepay"}
    assert frame.loc[(frame["figure"] == "deposit_completion") & (frame["strategy"] == "prepay"), "status"].item() == "n/a"
    assert set(frame["status"]) <= {"ok", "outside", "n/a"}
    inside = frame["status"] == "ok"
    assert ((frame["value"] >= frame["low"]) & (frame["value"] <= frame["high"]))[inside].all()


def test_settings_out_of_range_are_refused():
    with pytest.raises(PresaleError, match="step"):
        CheckSettings(step=0.7)
    with pytest.raises(PresaleError, match="unknown strategy"):
        implied_figures(load_scenario(FIXTURE), CheckSettings(strategy="nope"))


def test_every_range_is_documented():
    text = (ROOT / "docs" / "realism.md").read_text(encoding="utf-8")
    for figure in RANGES:
        assert f"`{figure}`" in text, figure


def test_a_figure_outside_its_range_exits_1(tmp_path):
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    data["product"]["returns"] = {"ratings": [4.2, 4.8], "p_return": [0.5, 0.4]}   # far above the seeds' curve
    path = tmp_path / "returns.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    proc = presale("check", path, *QUICK, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "own-price elasticity" in proc.stdout and "returns at 4.8 stars (curve)" in proc.stdout
    assert "outside" in proc.stdout and "Traceback" not in proc.stderr


@pytest.mark.parametrize("extra", [["--strategy", "nope"], ["--competitor", "nope"], ["--step", "0.9"]])
def test_bad_input_exits_2(tmp_path, extra):
    proc = presale("check", FIXTURE, *QUICK, *extra, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.strip(), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_broken_file_exits_2(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nrun: {seed: 1}\n", encoding="utf-8")
    proc = presale("check", path, *QUICK, cwd=tmp_path)
    assert proc.returncode == 2 and "nothing was run" in proc.stderr, proc.stderr
