"""The decision box that opens every report, the regret table and the shipping warning.

:func:`decision_text` turns an :class:`~simulation.analysis.decision.Decision` into
lines of plain text (one headline, then risks, ties, the rule and why the others
lost); the Markdown, HTML and terminal renderers lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analysis.decision import Check, Decision, PairedGain
from .formatting import DEFAULT_CURRENCY, NA, fmt_metric, fmt_pct, is_money, metric_label, money_units
from .tables import Table

__all__ = ["DecisionText", "decision_text", "regret_table", "shipping_warnings"]

_RISK_LABELS = {"cvar5": "profit CVaR 5 %", "p_loss": "P(loss)", "p_stockout_early": "P(early stock-out)",
                "p_leftover_high": "P(high leftover)"}
_RISK_METRIC = {"cvar5": "profit"}


@dataclass(frozen=True)
class DecisionText:
    """The decision as text: ``headline`` then labelled lines ``(label, text)``."""

    headline: str
    lines: tuple[tuple[str, str], ...]


def _money(metric: str, value: float, currency: str, units: str, *, signed: bool = False) -> str:
    text = fmt_metric(metric, value, signed=signed, units=units)
    if text == NA or not is_money(metric):
        return text
    sign = text[0] if text[0] in "+-" else ""
    return f"{sign}{currency}{text[len(sign):]}"


def _gain(g: PairedGain, currency: str, units: str) -> str:
    diff = _money(g.metric, g.diff_mean, currency, units, signed=True)
    lo = _money(g.metric, g.ci_low, currency, units, signed=True)
    hi = _money(g.metric, g.ci_high, currency, units, signed=True)
    return f"{diff} (95 % CI {lo} to {hi})"


def _check(c: Check, currency: str, units: str) -> str:
    metric = c.statistic.split(".")[0]
    value = _money(metric, c.value, currency, units)
    limit = _money(metric, c.limit, currency, units)
    return f"fails '{c.constraint}' ({c.statistic} = {value}, limit {limit})"


def decision_text(decision: Decision, *, currency: str = DEFAULT_CURRENCY, units: str = "auto") -> DecisionText:
    """The decision box's text.

    Parameters
    ----------
    decision
        From :func:`simulation.analysis.decision.decide`.
    currency
        Currency symbol.
    units
        Money style (:data:`~.formatting.MONEY_UNITS`).
    """
    u = money_units(currency, units)
    d = decision
    if d.strategy is None:
        headline = f"No strategy meets the rule; none is recommended (baseline {d.baseline})."
    elif d.strategy == d.baseline:
        headline = f"Keep the baseline {d.baseline}: no other strategy does better under the rule."
    else:
        g = d.gain
        rel = fmt_pct(g.rel_change, signed=True).replace("%", " %")
        headline = (f"Pick {d.strategy}: {_money(g.metric, g.diff_mean, currency, u, signed=True)} "
                    f"{metric_label(g.metric, currency=currency).split(' (')[0].lower()} ({rel}, 95 % CI "
                    f"{_money(g.metric, g.ci_low, currency, u, signed=True)} to "
                    f"{_money(g.metric, g.ci_high, currency, u, signed=True)}) over baseline {d.baseline}")
    lines: list[tuple[str, str]] = []
    if d.strategy is not None:
        risks = []
        for r in d.risks:
            if r.statistic.startswith("p_") and not (r.value > 0):   # no chance of it: not a risk
                continue
            metric = _RISK_METRIC.get(r.statistic, r.statistic)
            value = _money(metric, r.value, currency, u)
            base = _money(metric, r.baseline_value, currency, u)
            note = "same as baseline" if value == base else f"baseline {base}"
            risks.append(f"{_RISK_LABELS.get(r.statistic, r.statistic)} {value} ({note})")
        risks += [f"{metric_label(w.metric, currency=currency).split(' (')[0].lower()} "
                  f"{_money(w.metric, w.diff_mean, currency, u, signed=True)} vs baseline" for w in d.worse_metrics]
        lines.append(("Risks", "; ".join(risks)))
        tied = [f"{t.strategy} ({_gain(t, currency, u)})" for t in d.tied]
        lines.append(("Tied with", "; ".join(tied) if tied else "none (every other strategy differs measurably "
                                                                "or fails the rule)"))
    lines.append(("Rule", d.rule))
    for e in d.excluded:
        if e.failed:
            why = "; ".join(_check(c, currency, u) for c in e.failed)
        elif e.gap is not None:
            why = f"{d.objective} lower: {_gain(e.gap, currency, u)} vs {d.strategy}"
        else:
            why = NA
        lines.append((f"Not {e.strategy}", why))
    return DecisionText(headline, tuple(lines))


def regret_table(regret: pd.DataFrame, *, currency: str = DEFAULT_CURRENCY, units: str = "auto") -> Table:
    """Mean and max regret and the share of replications each strategy was the best."""
    u = money_units(currency, units)
    table = Table(["Strategy", f"Mean regret ({currency})", f"Max regret ({currency})", "Best in"])
    for r in regret.itertuples(index=False):
        table.rows.append([str(r.strategy), fmt_metric("profit", r.mean_regret, units=u),
                           fmt_metric("profit", r.max_regret, units=u), fmt_pct(r.p_best)])
    return table


def shipping_warnings(outcomes: pd.DataFrame) -> list[tuple[str, str]]:
    """A warning per strategy whose presale orders exceed the units it can ship by the horizon.

    Compares, replication by replication, ``units_presold`` with ``units_available``
    (initial stock plus production by the horizon).
    """
    if not {"units_presold", "units_available"} <= set(outcomes.columns):
        return []
    out = []
    for name, df in outcomes.groupby(outcomes["strategy"].astype(str), sort=False):
        excess = df["units_presold"].to_numpy(dtype=float) - df["units_available"].to_numpy(dtype=float)
        over = excess > 0
        if over.any():
            out.append((name, f"presale orders exceed the units that can ship by the horizon in "
                              f"{over.mean():.0%} of replications (by {np.mean(excess[over]):,.0f} units on "
                              "average there): those orders ship late or are cancelled"))
    return out
