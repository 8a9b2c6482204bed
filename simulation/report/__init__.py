"""Reports of a presale what-if run: figures, Markdown, HTML and terminal tables.

:func:`write_report` writes everything at once; the submodules expose the parts:

- :mod:`.figures` -- one :class:`~matplotlib.figure.Figure` per view of the results;
- :mod:`.markdown` -- the full Markdown report and a short CI summary;
- :mod:`.html` -- a single self-contained HTML report;
- :mod:`.terminal` -- the plain-text headline table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis.decision import decide, replication_regret
from ..scenario.decision import DecisionRule

from .decision_box import DecisionText, decision_text, regret_table, shipping_warnings
from .figures import FIGURE_CAPTIONS, FIGURE_TITLES, make_figures
from .formatting import KEY_METRICS, baseline_of, currency_of, strategy_order
from .html import figure_png, html_report
from .markdown import markdown_report, markdown_summary
from .style import strategy_colors
from .terminal import decision_box, headline_table

__all__ = [
    "write_report", "make_figures", "markdown_report", "markdown_summary", "html_report",
    "headline_table", "decision_box", "decision_text", "report_decision", "strategy_colors", "FIGURE_TITLES", "FIGURE_CAPTIONS", "KEY_METRICS",
]


def write_report(out_dir: Path | str, *, outcomes: pd.DataFrame, trajectories: pd.DataFrame,
                 summary: pd.DataFrame | None, risk: pd.DataFrame,
                 comparison: pd.DataFrame | None, warnings: Iterable[Any] | None,
                 gates: pd.DataFrame | None, meta: dict[str, Any] | None,
                 metrics: Sequence[str] | None = KEY_METRICS,
                 rule: DecisionRule | None = None) -> dict[str, Path]:
    """Write ``report.md``, ``report.html``, ``summary.md`` and ``figures/*.png``.

    Parameters
    ----------
    out_dir
        Output directory, created if missing; existing files of the same names are
        replaced.
    outcomes, trajectories, summary, risk, comparison
        The run's result frames; ``comparison`` may be empty (one strategy).
    warnings
        Compliance warnings as (strategy, message) pairs.
    gates
        Quality gates (may be empty or ``None``).
    meta
        Run metadata; ``meta["currency"]`` sets the money symbol (default ``"¥"``),
        ``meta["money_units"]`` the money style (``auto``, ``wan``, ``k``, ``plain``) and
        ``meta["baseline"]`` the baseline strategy.
    rule
        The decision rule of the decision box (``None``: the default rule).
    metrics
        Metrics of the comparison and key-metrics tables; ``None`` shows all.

    Returns
    -------
    dict
        ``"markdown"``, ``"html"`` and ``"summary"`` paths, plus one path per figure
        keyed by figure name (see :data:`figures.FIGURE_TITLES`).
    """
    out = Path(out_dir)
    fig_dir = out / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)
    meta = dict(meta or {})
    order = strategy_order(risk, outcomes, trajectories)
    baseline = baseline_of(meta, comparison, order)
    colors = strategy_colors(strategy_order(risk, outcomes, trajectories, baseline=baseline))
    figures = make_figures(outcomes, trajectories, risk=risk, colors=colors,
                           currency=currency_of(meta), baseline=baseline)
    paths: dict[str, Path] = {}
    pngs: dict[str, bytes] = {}
    for name, fig in figures.items():
        pngs[name] = figure_png(fig)
        paths[name] = fig_dir / f"{name}.png"
        paths[name].write_bytes(pngs[name])
    if not isinstance(warnings, pd.DataFrame):
        warnings = list(warnings or []) + shipping_warnings(outcomes)
    box = report_decision(outcomes, summary, comparison=comparison, rule=rule, meta=meta)
    regret = None
    if outcomes["strategy"].nunique() > 1 and "profit" in outcomes:
        regret = regret_table(replication_regret(outcomes), currency=currency_of(meta),
                              units=str(meta.get("money_units") or "auto"))
    common = {"meta": meta, "warnings": warnings, "gates": gates}
    md = markdown_report(risk, comparison, summary=summary, metrics=metrics, decision=box, regret=regret,
                         figures={n: f"figures/{n}.png" for n in figures}, **common)
    page = html_report(risk, comparison, summary=summary, metrics=metrics, figures=pngs,
                       decision=box, regret=regret, **common)
    paths["markdown"] = out / "report.md"
    paths["markdown"].write_text(md, encoding="utf-8")
    paths["html"] = out / "report.html"
    paths["html"].write_text(page, encoding="utf-8")
    paths["summary"] = out / "summary.md"
    paths["summary"].write_text(markdown_summary(risk, comparison, decision=box, **common), encoding="utf-8")
    return paths


def report_decision(outcomes: pd.DataFrame, summary: pd.DataFrame | None, *,
                    comparison: pd.DataFrame | None = None, rule: DecisionRule | None = None,
                    meta: dict[str, Any] | None = None) -> DecisionText | None:
    """The decision box's text for a run (``None`` without a summary).

    Calls :func:`simulation.analysis.decision.decide` with the baseline, currency and
    money style of ``meta``.
    """
    if summary is None or summary.empty or outcomes.empty:
        return None
    meta = meta or {}
    baseline = baseline_of(meta, comparison, strategy_order(outcomes))
    decision = decide(outcomes, summary, comparison=comparison, rule=rule, baseline=baseline)
    return decision_text(decision, currency=currency_of(meta), units=str(meta.get("money_units") or "auto"))
