"""Cross-field rules: what a single field's type cannot say."""

from __future__ import annotations

from collections.abc import Iterator

from .distributions import is_distribution
from .paths import get_path, PathError
from .schema import Scenario
from .strategy import Strategy

__all__ = ["check_rules"]

Finding = tuple[tuple, str]
_TOL = 1e-6


def check_rules(scenario: Scenario) -> list[Finding]:
    """Every cross-field problem of a validated scenario as (location, message)."""
    return [
        *_calendar(scenario),
        *_market(scenario),
        *_competitors(scenario),
        *(f for name, s in scenario.strategies.items() for f in _strategy(scenario, name, s)),
        *_baseline(scenario),
        *_uncertainties(scenario),
    ]


def _calendar(sc: Scenario) -> Iterator[Finding]:
    c = sc.calendar
    if not c.presale_start_day < c.balance_start_day:
        yield ("calendar", "balance_start_day"), (
            f"phases out of order: balance_start_day ({c.balance_start_day}) must be after "
            f"presale_start_day ({c.presale_start_day})")
    if not c.balance_start_day <= c.launch_day:
        yield ("calendar", "launch_day"), (
            f"phases out of order: launch_day ({c.launch_day}) must be on or after "
            f"balance_start_day ({c.balance_start_day})")
    if not c.launch_day + c.burst_days <= c.horizon_days:
        yield ("calendar", "horizon_days"), (
            f"horizon_days ({c.horizon_days}) must cover launch_day + burst_days "
            f"({c.launch_day + c.burst_days})")
    r = sc.product.returns
    if len(r.ratings) != len(r.p_return):
        yield ("product", "returns", "p_return"), "ratings and p_return must have the same length"
    elif any(b <= a for a, b in zip(r.ratings, r.ratings[1:])):
        yield ("product", "returns", "ratings"), "ratings must be increasing"


def _shares(total: float, loc: tuple, what: str) -> Iterator[Finding]:
    if abs(total - 1.0) > _TOL:
        yield loc, f"{what} must sum to 1 (they sum to {total:.6g})"


def _market(sc: Scenario) -> Iterator[Finding]:
    segs = sc.market.segments
    yield from _shares(sum(s.share for s in segs.values()), ("market", "segments"), "segment shares")
    for name, seg in segs.items():
        loc = ("market", "segments", name, "channel_preference")
        unknown = [c for c in seg.channel_preference if c not in sc.channels]
        for c in unknown:
            yield (*loc, c), f"unknown channel '{c}'; channels: {', '.join(sc.channels)}"
        if not seg.channel_preference:
            yield loc, "give at least one channel"
        elif not unknown:
            yield from _shares(sum(seg.channel_preference.values()), loc, "channel preferences")
    size = sc.market.size
    pop = sc.run.population
    if pop is not None and not is_distribution(size) and pop > size:
        yield ("run", "population"), f"population ({pop}) cannot exceed market.size ({size:g})"


def _competitors(sc: Scenario) -> Iterator[Finding]:
    for name, comp in sc.competitors.items():
        if comp.launch_day >= sc.calendar.horizon_days:
            yield ("competitors", name, "launch_day"), "launch_day must be before horizon_days"


def _names(values, allowed, loc, what) -> Iterator[Finding]:
    for i, v in enumerate(values or ()):
        if v not in allowed:
            yield (*loc, i), f"unknown {what} '{v}'; {what}s: {', '.join(allowed)}"


def _strategy(sc: Scenario, name: str, s: Strategy) -> Iterator[Finding]:
    base = ("strategies", name)
    cal = sc.calendar
    list_price = s.pricing.list_price or sc.product.list_price
    presale_price = s.pricing.presale_price or list_price
    tiers = s.pricing.early_bird
    for i, (a, b) in enumerate(zip(tiers, tiers[1:]), start=1):
        loc = (*base, "pricing", "early_bird", i)
        if b.price < a.price:
            yield (*loc, "price"), f"early-bird tiers must not get cheaper: {b.price:g} after {a.price:g}"
        limit_a, limit_b = a.first_orders or a.first_days, b.first_orders or b.first_days
        if (a.first_orders is None) == (b.first_orders is None) and limit_b <= limit_a:
            yield loc, f"early-bird limits must increase from tier to tier ({limit_b:g} after {limit_a:g})"
    days = [p.day for p in s.pricing.schedule]
    if days != sorted(set(days)):
        yield (*base, "pricing", "schedule"), "schedule days must be strictly increasing"
    for i, p in enumerate(s.pricing.schedule):
        if p.day >= cal.horizon_days:
            yield (*base, "pricing", "schedule", i, "day"), "day is past horizon_days"
    if s.deposit is not None:
        d = s.deposit
        if d.amount * d.inflation > presale_price:
            yield (*base, "deposit", "amount"), (
                f"deposit {d.amount:g} credited x{d.inflation:g} exceeds the presale price {presale_price:g}")
        if cal.balance_start_day == cal.launch_day:
            yield (*base, "deposit"), "a deposit needs a balance window: balance_start_day must be before launch_day"
    for i, promo in enumerate(s.promotions):
        loc = (*base, "promotions", i)
        yield from _names(promo.segments, list(sc.market.segments), (*loc, "segments"), "segment")
        yield from _names(promo.channels, list(sc.channels), (*loc, "channels"), "channel")
        if promo.start_day >= cal.horizon_days:
            yield (*loc, "start_day"), "start_day is past horizon_days"
    for ch in s.marketing.budget:
        if ch not in sc.channels:
            yield (*base, "marketing", "budget", ch), f"unknown channel '{ch}'; channels: {', '.join(sc.channels)}"
    for i, ev in enumerate(s.marketing.events):
        yield from _names([ev.channel], list(sc.channels), (*base, "marketing", "events", i, "channel"), "channel")
    ship = s.fulfilment.promised_ship_day
    if ship is not None and ship >= cal.horizon_days:
        yield (*base, "fulfilment", "promised_ship_day"), "promised_ship_day is past horizon_days"


def _baseline(sc: Scenario) -> Iterator[Finding]:
    if sc.baseline is not None and sc.baseline not in sc.strategies:
        yield ("baseline",), f"unknown strategy '{sc.baseline}'; strategies: {', '.join(sc.strategies)}"


def _uncertainties(sc: Scenario) -> Iterator[Finding]:
    for path in sc.uncertainties:
        try:
            value = get_path(sc, path)
        except PathError as err:
            yield ("uncertainties", path), str(err)
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            yield ("uncertainties", path), f"'{path}' is not a number field"
