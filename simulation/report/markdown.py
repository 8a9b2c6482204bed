"""Markdown renderings: the full report and a short summary for CI job pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from .decision_box import DecisionText
from .figures import FIGURE_CAPTIONS, FIGURE_TITLES
from .formatting import KEY_METRICS, baseline_of, currency_of, scenario_name, strategy_order
from .incomplete import incomplete_note
from .tables import (
    Table, comparison_table, failed_gates, gates_status, gates_table, headline, meta_items, risk_table,
    summary_table, warning_items,
)

__all__ = ["markdown_table", "markdown_report", "markdown_summary", "decision_markdown"]

HEADLINE_NOTE = (
    "Profit mean with its confidence interval [CI]; CVaR 5% is the mean profit of the worst "
    "5% of replications; P(loss) is the share of replications with negative profit; the "
    "last column is the paired verdict and mean profit difference against the baseline."
)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(table: Table) -> str:
    """A GitHub-flavoured Markdown table."""
    rule = ["---:" if a == "r" else ":---" for a in table.align]
    lines = ["| " + " | ".join(_cell(c) for c in table.columns) + " |",
             "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines)


def _warnings_md(warnings: Iterable[Any] | None, *, limit: int | None = None) -> str:
    items = warning_items(warnings)
    if not items:
        return "No compliance warnings."
    shown = items if limit is None else items[:limit]
    lines = [f"- **{_cell(s)}**: {_cell(m)}" + (f" (×{c})" if c > 1 else "") for s, m, c in shown]
    if len(shown) < len(items):
        lines.append(f"- … and {len(items) - len(shown)} more")
    return "\n".join(lines)


def _failed_md(gates: pd.DataFrame | None) -> str:
    lines = []
    for _, r in failed_gates(gates).iterrows():
        where = " · ".join(str(r[c]) for c in ("strategy", "metric")
                           if c in r and pd.notna(r[c]) and str(r[c]))
        where = f" ({_cell(where)})" if where else ""
        lines.append(f"- **{_cell(r.get('gate', 'gate'))}**{where}: {_cell(r.get('message', ''))}")
    return "\n".join(lines)


def _gates_status(gates: pd.DataFrame | None) -> str:
    text = gates_status(gates)
    return f"**{text}**" if not failed_gates(gates).empty else text


def markdown_summary(risk: pd.DataFrame, comparison: pd.DataFrame | None, *,
                     meta: Mapping[str, Any] | None = None,
                     warnings: Iterable[Any] | None = None,
                     gates: pd.DataFrame | None = None, max_warnings: int = 20,
                     decision: DecisionText | None = None) -> str:
    """A short Markdown summary for a CI job page.

    Parameters
    ----------
    risk
        One row per strategy.
    comparison
        Paired differences against the baseline (may be empty).
    meta
        Run metadata (scenario, replications, baseline, currency, ...).
    warnings
        Compliance warnings as (strategy, message) pairs.
    gates
        Quality gates; failed ones are listed first, with their messages.
    max_warnings
        Distinct warnings listed before the rest is counted.
    decision
        The decision box, shown under the title.

    Returns
    -------
    str
        Markdown text ending with a newline.
    """
    meta = dict(meta or {})
    currency = currency_of(meta)
    baseline = baseline_of(meta, comparison, strategy_order(risk))
    facts = [f"{meta['replications']} replications" if meta.get("replications") else "",
             f"baseline `{baseline}`" if baseline else ""]
    parts = [f"### Presale what-if: {scenario_name(meta)}",
             " · ".join(f for f in facts if f) or ""]
    if note := incomplete_note(meta):
        parts.append(f"> **{note}**")
    if decision is not None:
        parts.append(decision_markdown(decision))
    failed = _failed_md(gates)
    if failed:
        parts += [_gates_status(gates), failed]
    units = str(meta.get("money_units") or "auto")
    parts += [markdown_table(headline(risk, comparison, baseline=baseline, currency=currency, units=units))]
    if not failed:
        parts.append(_gates_status(gates))
    parts += ["**Compliance warnings**", _warnings_md(warnings, limit=max_warnings)]
    return "\n\n".join(p for p in parts if p) + "\n"


REGRET_NOTE = ("Each replication is one possible world (common random numbers): a strategy's regret "
               "there is the best strategy's profit minus its own. Mean and worst regret over the "
               "replications, and the share of them in which the strategy was the best.")


def decision_markdown(decision: DecisionText) -> str:
    """The decision box as a Markdown block quote."""
    lines = [f"> **{decision.headline}**", ">"]
    lines += [f"> - **{label}:** {_cell(text)}" for label, text in decision.lines]
    return "\n".join(lines)


def markdown_report(risk: pd.DataFrame, comparison: pd.DataFrame | None, *,
                    meta: Mapping[str, Any] | None = None,
                    warnings: Iterable[Any] | None = None,
                    gates: pd.DataFrame | None = None,
                    summary: pd.DataFrame | None = None,
                    figures: Mapping[str, str] | None = None,
                    metrics: Sequence[str] | None = KEY_METRICS,
                    decision: DecisionText | None = None,
                    regret: Table | None = None) -> str:
    """The full Markdown report.

    Parameters
    ----------
    risk
        One row per strategy.
    comparison
        Paired differences against the baseline (may be empty).
    meta
        Run metadata; ``currency`` sets the money symbol (default ``"¥"``).
    warnings
        Compliance warnings as (strategy, message) pairs.
    gates
        Quality gates (may be empty or ``None``).
    summary
        Per-strategy metric summary; adds a closing key-metrics table when given.
    figures
        Figure name (as in :data:`figures.FIGURE_TITLES`) to image path relative to the
        report, e.g. ``{"cash": "figures/cash.png"}``.
    metrics
        Metrics of the comparison and key-metrics tables; ``None`` shows all.
    decision
        The decision box, shown first (see :func:`.decision_box.decision_text`).
    regret
        The regret table (see :func:`.decision_box.regret_table`).

    Returns
    -------
    str
        Markdown text ending with a newline.
    """
    meta = dict(meta or {})
    currency = currency_of(meta)
    units = str(meta.get("money_units") or "auto")
    baseline = baseline_of(meta, comparison, strategy_order(risk))
    order = strategy_order(risk, baseline=baseline)
    parts = [f"# Presale what-if report: {scenario_name(meta)}"]
    if note := incomplete_note(meta):
        parts.append(f"> **{note}**")
    if decision is not None:
        parts.append(decision_markdown(decision))
    if meta.get("description"):
        parts.append(str(meta["description"]).strip())
    parts += ["## Scenario",
              "\n".join(f"- **{k}**: {_cell(v)}" for k, v in meta_items(meta)) or "No metadata."]
    parts += ["## Headline", _gates_status(gates),
              markdown_table(headline(risk, comparison, baseline=baseline, currency=currency, units=units)),
              f"_{HEADLINE_NOTE}_"]
    parts += ["## Risk", markdown_table(risk_table(risk, order=order, currency=currency, units=units))]
    parts.append(f"## Comparison with the baseline `{baseline}`")
    comp = comparison_table(comparison, metrics=metrics, order=order, currency=currency, units=units)
    parts.append(markdown_table(comp) if comp.rows else
                 "No other strategy to compare with the baseline.")
    if regret is not None and regret.rows:
        parts += ["## Regret", f"_{REGRET_NOTE}_", markdown_table(regret)]
    parts += ["## Compliance warnings", _warnings_md(warnings)]
    gates_md = gates_table(gates)
    parts += ["## Gates", markdown_table(gates_md) if gates_md.rows else "No gates defined."]
    if figures:
        parts.append("## Figures")
        for name, path in figures.items():
            title = FIGURE_TITLES.get(name, name.replace("_", " ").capitalize())
            parts += [f"### {title}", f"![{title}]({path})", FIGURE_CAPTIONS.get(name, "")]
    key = summary_table(summary, metrics=metrics, order=order, currency=currency, units=units)
    if key.rows:
        parts += ["## Key metrics per strategy",
                  "Mean over replications, with the 5th to 95th percentile in parentheses.",
                  markdown_table(key)]
    return "\n\n".join(p for p in parts if p) + "\n"
