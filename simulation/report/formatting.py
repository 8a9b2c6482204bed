"""Number formatting, metric labels and strategy ordering shared by every report format.

Metrics are classified by name: money (``profit``, ``*_cost``, ``cash_*``, ...),
rates (``*_rate``, ``*_share``, ``p_*``, ``sell_through``), days (``*_day``) and
plain counts (everything else).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = [
    "NA", "DEFAULT_CURRENCY", "KEY_METRICS", "is_count", "is_money", "is_rate", "is_day",
    "MONEY_UNITS", "money_units", "fmt_money", "fmt_pct", "fmt_number", "fmt_metric", "fmt_diff", "fmt_interval",
    "metric_label", "currency_of", "scenario_name", "baseline_of", "strategy_order",
]

NA = "—"
DEFAULT_CURRENCY = "¥"

KEY_METRICS: tuple[str, ...] = (
    "profit", "revenue_net", "sell_through", "lost_sales", "leftover_units",
    "cancellation_rate", "cash_low_point", "refund_liability_peak",
)
"""Metrics shown in the comparison table by default."""

_MONEY_EXACT = {"refunds", "cogs", "revenue", "deposits", "balances_paid", "refund_liability"}
_MONEY_PREFIX = ("profit", "revenue", "cash", "refund_liability")
_MONEY_SUFFIX = ("_cost", "_fees", "_revenue", "_price", "price")
_RATE_EXACT = {"sell_through", "fill_rate"}

_LABELS = {
    "profit": "Profit", "revenue_gross": "Gross revenue", "revenue_net": "Net revenue",
    "refunds": "Refunds", "salvage_revenue": "Salvage revenue", "cogs": "COGS",
    "marketing_cost": "Marketing cost", "channel_fees": "Channel fees",
    "holding_cost": "Holding cost", "gift_cost": "Gift cost",
    "promotion_cost": "Promotion cost", "units_sold": "Units sold",
    "units_available": "Units available", "sell_through": "Sell-through",
    "first_stockout_day": "First stock-out day", "lost_sales": "Lost sales (units)",
    "leftover_units": "Leftover units", "fill_rate": "Fill rate",
    "n_cancellations": "Cancellations", "cancellation_rate": "Cancellation rate",
    "n_returns": "Returns", "return_rate": "Return rate",
    "cash_before_launch": "Cash before launch", "cash_low_point": "Cash low point",
    "refund_liability_peak": "Refund liability peak", "refund_liability": "Refund liability peak",
    "market_share": "Market share", "profit_mean": "Profit mean",
    "profit_p5": "Profit P5", "profit_p50": "Profit median", "profit_p95": "Profit P95",
    "profit_cvar": "Profit CVaR 5%", "p_loss": "P(loss)",
    "p_stockout_early": "P(early stock-out)", "p_leftover_high": "P(high leftover)",
}


def _finite(value: Any) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def is_rate(metric: str) -> bool:
    """Whether ``metric`` is a share in [0, 1] shown as a percentage."""
    return (metric in _RATE_EXACT or metric.endswith(("_rate", "_share"))
            or metric.startswith("p_"))


def is_money(metric: str) -> bool:
    """Whether ``metric`` is an amount of money."""
    if is_rate(metric):
        return False
    return (metric in _MONEY_EXACT or metric.startswith(_MONEY_PREFIX)
            or metric.endswith(_MONEY_SUFFIX))


def is_count(metric: str) -> bool:
    """Whether ``metric`` counts units, orders or consumers (shown as a whole number)."""
    return (not is_rate(metric) and not is_money(metric)
            and (metric.startswith(("n_", "units_")) or metric.endswith("_units")
                 or metric in {"lost_sales", "units_sold"}))


def is_day(metric: str) -> bool:
    """Whether ``metric`` is a campaign day."""
    return metric.endswith("_day")


MONEY_UNITS = ("auto", "wan", "k", "plain")
"""Money styles: 万/亿, k/M/B, every digit, or ``auto`` (万/亿 for yuan, k/M/B otherwise)."""

_YUAN = {"¥", "￥", "元", "CNY", "RMB", "cny", "rmb"}


def money_units(currency: str | None, setting: str | None = "auto") -> str:
    """The money style to use: ``setting`` unless it is ``auto`` (then by ``currency``)."""
    setting = setting or "auto"
    if setting not in MONEY_UNITS:
        raise ValueError(f"money units {setting!r} unknown; allowed: {', '.join(MONEY_UNITS)}")
    if setting != "auto":
        return setting
    return "wan" if (currency or DEFAULT_CURRENCY).strip() in _YUAN else "k"


def _scaled(x: float, steps: tuple[tuple[float, str], ...]) -> str | None:
    for size, suffix in steps:
        if abs(x) >= size:
            v = x / size
            digits = 2 if abs(v) < 10 else (1 if abs(v) < 100 else 0)
            return f"{v:,.{digits}f}{suffix}"
    return None


def fmt_money(value: Any, *, signed: bool = False, na: str = NA, units: str = "plain") -> str:
    """Money, e.g. ``-12,345`` (``plain``), ``3.42亿`` / ``3,420万`` (``wan``), ``34.2M`` (``k``).

    ``units`` is a style of :data:`MONEY_UNITS` other than ``auto`` (see :func:`money_units`).
    """
    if not _finite(value):
        return na
    x = float(value)
    steps = {"wan": ((1e8, "亿"), (1e4, "万")), "k": ((1e9, "B"), (1e6, "M"), (1e3, "k"))}.get(units, ())
    text = _scaled(abs(x), steps) or f"{abs(x):,.0f}"
    sign = "-" if x < 0 and text.strip("0.,") else ("+" if signed else "")
    return sign + text


def fmt_pct(value: Any, *, decimals: int = 1, signed: bool = False, na: str = NA) -> str:
    """A share in [0, 1] as a percentage, e.g. ``0.123`` -> ``12.3%``."""
    if not _finite(value):
        return na
    sign = "+" if signed else ""
    return f"{float(value) * 100:{sign}.{decimals}f}%"


def fmt_number(value: Any, *, signed: bool = False, na: str = NA) -> str:
    """A count or other plain number; decimals shrink as the magnitude grows."""
    if not _finite(value):
        return na
    x = float(value)
    sign = "+" if signed else ""
    if abs(x) >= 100 or x == round(x):
        return f"{x:{sign},.0f}"
    if abs(x) >= 10:
        return f"{x:{sign},.1f}"
    return f"{x:{sign},.2f}"


def fmt_metric(metric: str, value: Any, *, signed: bool = False, na: str = NA,
               units: str = "plain") -> str:
    """Format ``value`` according to the kind of ``metric`` (money in style ``units``)."""
    if is_rate(metric):
        return fmt_pct(value, signed=signed, na=na)
    if is_money(metric):
        return fmt_money(value, signed=signed, na=na, units=units)
    if is_day(metric) and _finite(value):
        return f"{float(value):{'+' if signed else ''}.1f}"
    if is_count(metric) and _finite(value):
        return f"{float(value):{'+' if signed else ''},.0f}"
    return fmt_number(value, signed=signed, na=na)


def fmt_diff(metric: str, value: Any, *, na: str = NA, units: str = "plain") -> str:
    """A signed difference; rate differences are in percentage points."""
    if is_rate(metric):
        return na if not _finite(value) else f"{float(value) * 100:+.1f} pp"
    return fmt_metric(metric, value, signed=True, na=na, units=units)


def fmt_interval(metric: str, low: Any, high: Any, *, signed: bool = False,
                 na: str = NA, units: str = "plain") -> str:
    """An interval ``[low, high]``, or ``""`` when either end is missing."""
    if not (_finite(low) and _finite(high)):
        return ""
    if signed and is_rate(metric):
        return f"[{float(low) * 100:+.1f}, {float(high) * 100:+.1f}]"
    lo = fmt_metric(metric, low, signed=signed, na=na, units=units)
    hi = fmt_metric(metric, high, signed=signed, na=na, units=units)
    return f"[{lo}, {hi}]"


def metric_label(metric: str, *, currency: str = DEFAULT_CURRENCY) -> str:
    """Readable label of a metric, with its unit where it helps."""
    label = _LABELS.get(metric, metric.replace("_", " ").capitalize())
    if is_money(metric):
        return f"{label} ({currency})"
    return label


def currency_of(meta: dict[str, Any] | None) -> str:
    """The currency symbol of a run, ``"¥"`` unless ``meta["currency"]`` says otherwise."""
    value = (meta or {}).get("currency")
    return str(value) if value else DEFAULT_CURRENCY


def scenario_name(meta: dict[str, Any] | None) -> str:
    """The scenario's display name from run metadata."""
    meta = meta or {}
    for key in ("scenario", "name", "scenario_name"):
        if meta.get(key):
            return str(meta[key])
    return "scenario"


def baseline_of(meta: dict[str, Any] | None, comparison: pd.DataFrame | None,
                strategies: Iterable[str] = ()) -> str | None:
    """The baseline strategy: from ``meta``, else the comparison, else the first strategy."""
    if meta and meta.get("baseline"):
        return str(meta["baseline"])
    if comparison is not None and len(comparison) and "baseline" in comparison:
        return str(comparison["baseline"].iloc[0])
    first = next(iter(strategies), None)
    return None if first is None else str(first)


def strategy_order(*frames: pd.DataFrame | None, baseline: str | None = None) -> list[str]:
    """Strategies in order of first appearance across ``frames``, baseline first."""
    order: list[str] = []
    for frame in frames:
        if frame is None or "strategy" not in frame:
            continue
        for name in pd.unique(frame["strategy"].astype(str)):
            if name not in order:
                order.append(name)
    if baseline in order:
        order.remove(baseline)
        order.insert(0, baseline)
    return order
