"""Report content as format-neutral tables of strings.

The Markdown, HTML and terminal renderers all draw from these builders, so every
format shows the same numbers with the same formatting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .formatting import (
    DEFAULT_CURRENCY, KEY_METRICS, NA, fmt_diff, fmt_interval, fmt_metric, fmt_money,
    fmt_pct, is_money, metric_label, money_units,
)

__all__ = [
    "Table", "headline", "risk_table", "comparison_table", "gates_table", "gates_status", "failed_gates",
    "warning_items", "meta_items", "summary_table",
]


@dataclass(frozen=True)
class Table:
    """A rectangular table of formatted cells.

    Attributes
    ----------
    columns
        Header cells.
    rows
        Body rows, each as long as ``columns``.
    align
        ``"l"`` or ``"r"`` per column.
    """

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    align: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.align:
            self.align.extend(["l"] + ["r"] * (len(self.columns) - 1))


def _text(value: Any, na: str) -> str:
    return na if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _verdicts(comparison: pd.DataFrame | None, metric: str) -> dict[str, pd.Series]:
    if comparison is None or comparison.empty or "metric" not in comparison:
        return {}
    rows = comparison[comparison["metric"].astype(str) == metric]
    return {str(r["strategy"]): r for _, r in rows.iterrows()}


def headline(risk: pd.DataFrame, comparison: pd.DataFrame | None, *,
             baseline: str | None, currency: str = DEFAULT_CURRENCY, na: str = NA,
             units: str = "auto") -> Table:
    """Strategy, profit mean [CI], CVaR, P(loss), sell-through and verdict vs baseline.

    Parameters
    ----------
    risk
        One row per strategy.
    comparison
        Paired differences against the baseline; its ``profit`` rows give the verdict.
    baseline
        Name of the baseline strategy (labelled as such).
    currency
        Currency symbol for the money headers.
    na
        Text for missing values.
    units
        Money style (:data:`~.formatting.MONEY_UNITS`).
    """
    u = money_units(currency, units)
    verdicts = _verdicts(comparison, "profit")
    table = Table([
        "Strategy", f"Profit mean [CI] ({currency})", f"CVaR 5% ({currency})", "P(loss)",
        "Sell-through", "Profit vs baseline",
    ], align=["l", "r", "r", "r", "r", "l"])
    first = risk["strategy"].astype(str) == str(baseline)
    for _, r in pd.concat([risk[first], risk[~first]]).iterrows():
        name = str(r["strategy"])
        ci = fmt_interval("profit", r.get("profit_ci_low"), r.get("profit_ci_high"), na=na, units=u)
        mean = fmt_money(r.get("profit_mean"), na=na, units=u)
        if name == baseline:
            verdict = "baseline"
        elif name in verdicts:
            v = verdicts[name]
            diff = fmt_money(v.get("diff_mean"), signed=True, na=na, units=u)
            rel = fmt_pct(v.get("rel_diff"), signed=True, na=na)
            verdict = f"{_text(v.get('verdict'), na)} ({diff}, {rel})"
        else:
            verdict = na
        table.rows.append([
            name, f"{mean} {ci}".strip(), fmt_money(r.get("profit_cvar"), na=na, units=u),
            fmt_pct(r.get("p_loss"), na=na), fmt_pct(r.get("sell_through"), na=na), verdict,
        ])
    return table


_RISK_ROWS: tuple[tuple[str, str], ...] = (
    ("profit_p5", "Profit P5"), ("profit_p50", "Profit median"), ("profit_p95", "Profit P95"),
    ("profit_cvar", "Profit CVaR 5%"), ("p_loss", "P(loss)"),
    ("p_stockout_early", "P(early stock-out)"), ("p_leftover_high", "P(high leftover)"),
    ("refund_liability", "Refund liability peak"), ("cash_before_launch", "Cash before launch"),
    ("cash_low_point", "Cash low point"), ("sell_through", "Sell-through"),
    ("lost_sales", "Lost sales (units)"), ("cancellation_rate", "Cancellation rate"),
    ("return_rate", "Return rate"),
)


def risk_table(risk: pd.DataFrame, *, order: Sequence[str] = (),
               currency: str = DEFAULT_CURRENCY, na: str = NA, units: str = "auto") -> Table:
    """Risk indicators as rows, strategies as columns (those in ``order`` first).

    A row whose value is the same for every strategy (of two or more) is labelled
    ``(same for all)``: it tells nothing about the choice.
    """
    u = money_units(currency, units)
    present = [str(s) for s in risk["strategy"]]
    names = [s for s in order if s in present] + [s for s in present if s not in order]
    by = risk.assign(strategy=present).set_index("strategy")
    table = Table(["Indicator", *names])
    if "profit_mean" in by:
        lows = by.get("profit_ci_low", pd.Series(dtype=float))
        highs = by.get("profit_ci_high", pd.Series(dtype=float))
        table.rows.append([f"Profit mean [CI] ({currency})"] + [
            f"{fmt_money(by.at[n, 'profit_mean'], na=na, units=u)} "
            f"{fmt_interval('profit', lows.get(n), highs.get(n), units=u)}".strip() for n in names])
    known = {"profit_mean", "profit_ci_low", "profit_ci_high"}
    specs = [(c, lab) for c, lab in _RISK_ROWS if c in by]
    known |= {c for c, _ in _RISK_ROWS}
    specs += [(c, metric_label(c, currency=currency)) for c in by.columns
              if c not in known and pd.api.types.is_numeric_dtype(by[c])]
    for column, label in specs:
        if is_money(column) and not label.endswith(")"):
            label = f"{label} ({currency})"
        cells = [fmt_metric(column, by.at[n, column], na=na, units=u) for n in names]
        if len(names) > 1 and len(set(cells)) == 1 and cells[0] != na and column != "n_replications":
            label = f"{label} (same for all)"
        table.rows.append([label] + cells)
    return table


def comparison_table(comparison: pd.DataFrame | None, *,
                     metrics: Sequence[str] | None = KEY_METRICS,
                     order: Sequence[str] = (), currency: str = DEFAULT_CURRENCY,
                     na: str = NA, units: str = "auto") -> Table:
    """Paired differences against the baseline, for ``metrics`` (``None``: all)."""
    u = money_units(currency, units)
    table = Table(["Strategy", "Metric", "Baseline", "Strategy mean", "Difference [CI]",
                   "Relative", "Verdict", "Pairs"], align=["l", "l", *"rrrrlr"])
    if comparison is None or comparison.empty:
        return table
    df = comparison.assign(strategy=comparison["strategy"].astype(str),
                           metric=comparison["metric"].astype(str))
    if metrics is not None:
        df = df[df["metric"].isin(list(metrics))]
        rank = {m: i for i, m in enumerate(metrics)}
    else:
        rank = {m: i for i, m in enumerate(pd.unique(df["metric"]))}
    srank = {s: i for i, s in enumerate(order)}
    df = df.assign(_s=df["strategy"].map(lambda s: srank.get(s, len(srank))),
                   _m=df["metric"].map(rank)).sort_values(["_s", "_m"], kind="stable")
    for _, r in df.iterrows():
        m = r["metric"]
        diff = f"{fmt_diff(m, r.get('diff_mean'), na=na, units=u)} " \
               f"{fmt_interval(m, r.get('diff_ci_low'), r.get('diff_ci_high'), signed=True, units=u)}"
        pairs = _num(r.get("n_pairs"))
        table.rows.append([
            r["strategy"], metric_label(m, currency=currency),
            fmt_metric(m, r.get("baseline_mean"), na=na, units=u),
            fmt_metric(m, r.get("strategy_mean"), na=na, units=u),
            diff.strip(), fmt_pct(r.get("rel_diff"), signed=True, na=na),
            _text(r.get("verdict"), na), na if pairs != pairs else f"{pairs:,.0f}",
        ])
    return table


def failed_gates(gates: pd.DataFrame | None) -> pd.DataFrame:
    """The rows of ``gates`` whose status is not ``pass``."""
    if gates is None or gates.empty or "status" not in gates:
        return pd.DataFrame(columns=["gate", "strategy", "metric", "status", "message"])
    return gates[gates["status"].astype(str).str.lower() != "pass"]


def gates_status(gates: pd.DataFrame | None) -> str:
    """One sentence on the gates: none defined, all passed, or how many failed."""
    if gates is None or gates.empty:
        return "No gates defined."
    n, n_failed = len(gates), len(failed_gates(gates))
    if n_failed == 0:
        return "The gate passed." if n == 1 else f"All {n} gates passed."
    return f"{n_failed} of {n} gate{'s' if n != 1 else ''} failed."


def gates_table(gates: pd.DataFrame | None, *, na: str = NA) -> Table:
    """Quality gates, failed ones first."""
    table = Table(["Status", "Gate", "Strategy", "Metric", "Message"], align=["l"] * 5)
    if gates is None or gates.empty:
        return table
    passed = gates["status"].astype(str).str.lower() == "pass"
    ordered = pd.concat([gates[~passed], gates[passed]])
    for _, r in ordered.iterrows():
        status = str(r.get("status", na))
        table.rows.append([
            status.upper() if status.lower() != "pass" else "pass",
            *(_text(r.get(c), na) for c in ("gate", "strategy", "metric", "message")),
        ])
    return table


def warning_items(warnings: Iterable[Any] | pd.DataFrame | None) -> list[tuple[str, str, int]]:
    """Distinct compliance warnings as (strategy, message, count), in first-seen order."""
    if warnings is None:
        return []
    if isinstance(warnings, pd.DataFrame):
        pairs = list(zip(warnings["strategy"], warnings["message"]))
    else:
        pairs = [(w["strategy"], w["message"]) if isinstance(w, dict) else tuple(w)[:2]
                 for w in warnings]
    counts: dict[tuple[str, str], int] = {}
    for strategy, message in pairs:
        key = (str(strategy), str(message))
        counts[key] = counts.get(key, 0) + 1
    return [(s, m, c) for (s, m), c in counts.items()]


_META_LABELS = {
    "file": "Scenario file", "seed": "Seed", "replications": "Replications",
    "population": "Simulated population", "market_size": "Market size",
    "launch_day": "Launch day", "baseline": "Baseline", "wall_time_s": "Wall time",
}
_META_HIDDEN = {"scenario", "name", "scenario_name", "description", "currency", "money_units",
                "interrupted", "n_expected", "stopped", "resume_hint"}      # the incomplete notice says these


def _meta_value(key: str, value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if key == "wall_time_s" and isinstance(value, (int, float)):
        return f"{value:,.1f} s"
    if isinstance(value, bool) or key == "seed":
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return fmt_metric(key, value)
    return str(value)


def meta_items(meta: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Run metadata as (label, value) pairs: known keys first, then the rest."""
    meta = meta or {}
    keys = [k for k in _META_LABELS if k in meta]
    keys += [k for k in meta if k not in _META_LABELS and k not in _META_HIDDEN]
    return [(_META_LABELS.get(k, k.replace("_", " ").capitalize()), _meta_value(k, meta[k]))
            for k in keys if meta[k] is not None]


def summary_table(summary: pd.DataFrame | None, *, metrics: Sequence[str] | None = KEY_METRICS,
                  order: Sequence[str] = (), currency: str = DEFAULT_CURRENCY,
                  na: str = NA, units: str = "auto") -> Table:
    """Metrics as rows, strategies as columns; cells ``mean (P5 to P95)``."""
    u = money_units(currency, units)
    if summary is None or summary.empty:
        return Table(["Metric"])
    df = summary.assign(strategy=summary["strategy"].astype(str),
                        metric=summary["metric"].astype(str))
    names = list(order) + [s for s in pd.unique(df["strategy"]) if s not in order]
    names = [s for s in names if s in set(df["strategy"])]
    wanted = list(metrics) if metrics is not None else list(pd.unique(df["metric"]))
    by = df.set_index(["metric", "strategy"])
    table = Table(["Metric", *names])
    for m in wanted:
        if m not in by.index.get_level_values(0):
            continue
        cells = []
        for s in names:
            if (m, s) not in by.index:
                cells.append(na)
                continue
            r = by.loc[(m, s)]
            r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
            p5, p95 = fmt_metric(m, r.get("p5"), na=na, units=u), fmt_metric(m, r.get("p95"), na=na, units=u)
            cells.append(f"{fmt_metric(m, r.get('mean'), na=na, units=u)} ({p5} to {p95})")
        table.rows.append([metric_label(m, currency=currency), *cells])
    return table
