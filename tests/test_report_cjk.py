"""Figures render Chinese strategy names: no missing-glyph warning, no warning at all."""

from __future__ import annotations

import logging
import warnings

import pytest

from simulation import load_scenario, with_overrides
from simulation.analysis.study import StudySettings, compare_strategies
from simulation.report import make_figures, strategy_colors
from simulation.report.html import figure_png
from simulation.report.style import font_families

NAMES = {"cautious_small_batch": "稳健小批量", "aggressive_early_bird": "激进早鸟",
         "aggressive_markdown": "激进降价"}


@pytest.fixture(scope="module")
def chinese_study():
    scenario = load_scenario("scenarios/electronics_launch.yaml")
    strategies = {NAMES[k]: v for k, v in scenario.strategies.items()}
    scenario = with_overrides(scenario, {"run.population": 1500, "strategies": strategies,
                                         "baseline": NAMES[scenario.baseline_name], "gates": []})
    return compare_strategies(scenario, StudySettings(replications=6, workers=1))


def test_a_cjk_font_is_in_the_fallback_list():
    families = font_families()
    assert families[0] == "DejaVu Sans" and len(families) == 2, families


def test_every_figure_renders_chinese_names_without_warnings(chinese_study, caplog):
    study = chinese_study
    caplog.set_level(logging.INFO, logger="matplotlib")
    assert set(study.outcomes["strategy"]) == set(NAMES.values())
    colors = strategy_colors(list(NAMES.values()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = make_figures(study.outcomes, study.trajectories, risk=study.risk, colors=colors,
                               currency="¥", baseline=NAMES["cautious_small_batch"])
        pngs = {name: figure_png(fig) for name, fig in figures.items()}
    assert len(pngs) == 6 and all(len(p) > 1000 for p in pngs.values())
    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if "missing from" in m or "Glyph" in m], messages
    assert not messages, messages
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not logged, logged
    titles = [t.get_text() for fig in figures.values() for ax in fig.axes for t in [ax.title]]
    assert any("稳健小批量" in t for t in titles)
