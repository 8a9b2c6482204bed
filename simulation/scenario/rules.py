"""Cross-field rules: what a single field's type cannot say.

The rules also run on a scenario salvaged from a file with mistakes (see
:mod:`.partial`): each check is guarded, and a check that reaches a part that
failed validation is skipped, so the others still report what they find.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from .distributions import is_distribution
from .gate_grammar import gate_problems
from .outcomes import OUTCOMES
from .partial import Unavailable, require
from .paths import PathError, get_path

__all__ = ["Finding", "check_rules"]

_TOL = 1e-6


class Finding(NamedTuple):
    """One broken rule.

    Attributes
    ----------
    loc
        Keys and list indexes of the offending entry, like a pydantic ``loc``.
    message
        Plain-English description.
    at_key
        The mistake is the entry's name (an unknown channel, a wrong path), so
        point at its key rather than at its value.
    """

    loc: tuple
    message: str
    at_key: bool = False


def check_rules(scenario: Any) -> list[Finding]:
    """Every cross-field problem of a validated (or salvaged) scenario."""
    findings: list[Finding] = []
    for check in (_calendar, _returns, _segment_shares, _preferences, _population, _competitors,
                  _strategies, _baseline, _uncertainties, _gates, _sweeps):
        findings += _guarded(check, scenario)
    return findings


def _guarded(check: Callable[..., Iterator[Finding]], *args: Any) -> list[Finding]:
    """The findings of ``check``, up to the first part of the scenario it cannot use."""
    found: list[Finding] = []
    try:
        for finding in check(*args):
            found.append(finding)
    except Unavailable:
        pass
    return found


def _calendar(sc) -> Iterator[Finding]:
    c = sc.calendar
    if not c.presale_start_day < c.balance_start_day:
        yield Finding(("calendar", "balance_start_day"), (
            f"phases out of order: balance_start_day ({c.balance_start_day}) must be after "
            f"presale_start_day ({c.presale_start_day})"))
    if not c.balance_start_day <= c.launch_day:
        yield Finding(("calendar", "launch_day"), (
            f"phases out of order: launch_day ({c.launch_day}) must be on or after "
            f"balance_start_day ({c.balance_start_day})"))
    if not c.launch_day + c.burst_days <= c.horizon_days:
        yield Finding(("calendar", "horizon_days"), (
            f"horizon_days ({c.horizon_days}) must cover launch_day + burst_days "
            f"({c.launch_day + c.burst_days})"))


def _returns(sc) -> Iterator[Finding]:
    r = sc.product.returns
    if len(r.ratings) != len(r.p_return):
        yield Finding(("product", "returns", "p_return"), "ratings and p_return must have the same length")
    elif any(b <= a for a, b in zip(r.ratings, r.ratings[1:])):
        yield Finding(("product", "returns", "ratings"), "ratings must be increasing")


def _shares(total: float, loc: tuple, what: str) -> Iterator[Finding]:
    if abs(total - 1.0) > _TOL:
        yield Finding(loc, f"{what} must sum to 1 (they sum to {total:.6g})")


def _segment_shares(sc) -> Iterator[Finding]:
    segs = sc.market.segments
    yield from _shares(sum(s.share for s in segs.values()), ("market", "segments"), "segment shares")


def _preferences(sc) -> Iterator[Finding]:
    for name, seg in sc.market.segments.items():
        yield from _guarded(_preference, sc, name, seg)


def _preference(sc, name: str, seg) -> Iterator[Finding]:
    loc = ("market", "segments", name, "channel_preference")
    prefs = seg.channel_preference
    unknown = [c for c in prefs if c not in sc.channels]
    for c in unknown:
        yield Finding((*loc, c), f"unknown channel '{c}'; channels: {', '.join(sc.channels)}", at_key=True)
    if not prefs:
        yield Finding(loc, "give at least one channel")
    elif not unknown:
        yield from _shares(sum(prefs.values()), loc, "channel preferences")


def _population(sc) -> Iterator[Finding]:
    size = require(sc.market.size)
    pop = require(sc.run.population)
    if pop is not None and not is_distribution(size) and pop > size:
        yield Finding(("run", "population"), f"population ({pop}) cannot exceed market.size ({size:g})")


def _competitors(sc) -> Iterator[Finding]:
    for name, comp in sc.competitors.items():
        yield from _guarded(_competitor, sc, name, comp)


def _competitor(sc, name: str, comp) -> Iterator[Finding]:
    if comp.launch_day >= sc.calendar.horizon_days:
        yield Finding(("competitors", name, "launch_day"), "launch_day must be before horizon_days")


def _names(values, allowed, loc, what) -> Iterator[Finding]:
    for i, v in enumerate(values or ()):
        if v not in allowed:
            yield Finding((*loc, i), f"unknown {what} '{v}'; {what}s: {', '.join(allowed)}")


STRATEGY_NAME = re.compile(r"[^\W_](?:[\w\-.@ ]{0,62}[\w\-.@])?")
"""A strategy name: a letter or digit (any script, e.g. 定金膨胀), then letters, digits, spaces and
``_ - . @`` (not a space last); at most 64 characters. Names become file names, table values and
report text."""


def _name_problem(name: str) -> str | None:
    if STRATEGY_NAME.fullmatch(name) and ".." not in name:
        return None
    safe = re.sub(r"[^\w\-.@ ]+", "_", name).replace("..", "_").strip("_.-@ ")[:64]
    hint = f"; e.g. '{safe}'" if safe and STRATEGY_NAME.fullmatch(safe) else ""
    return (f"strategy name {name!r} is not allowed: start with a letter or digit (any script) and use "
            f"only letters, digits, spaces, '_', '-', '.' and '@', at most 64 characters, no '..'{hint}")


def _strategies(sc) -> Iterator[Finding]:
    for name, s in sc.strategies.items():
        base = ("strategies", name)
        problem = _name_problem(str(name))
        if problem:
            yield Finding(base, problem, at_key=True)
        for check in (_tiers, _schedule, _deposit_price, _deposit_window, _promotions, _budget, _events, _fulfilment):
            yield from _guarded(check, sc, base, s)


def _tiers(sc, base: tuple, s) -> Iterator[Finding]:
    tiers = s.pricing.early_bird
    for i, (a, b) in enumerate(zip(tiers, tiers[1:]), start=1):
        loc = (*base, "pricing", "early_bird", i)
        if b.price < a.price:
            yield Finding((*loc, "price"), f"early-bird tiers must not get cheaper: {b.price:g} after {a.price:g}")
        limit_a, limit_b = a.first_orders or a.first_days, b.first_orders or b.first_days
        if (a.first_orders is None) == (b.first_orders is None) and limit_b <= limit_a:
            yield Finding(loc, f"early-bird limits must increase from tier to tier ({limit_b:g} after {limit_a:g})")


def _schedule(sc, base: tuple, s) -> Iterator[Finding]:
    days = [p.day for p in s.pricing.schedule]
    if days != sorted(set(days)):
        yield Finding((*base, "pricing", "schedule"), "schedule days must be strictly increasing")
    for i, p in enumerate(s.pricing.schedule):
        if p.day >= sc.calendar.horizon_days:
            yield Finding((*base, "pricing", "schedule", i, "day"), "day is past horizon_days")


def _deposit_price(sc, base: tuple, s) -> Iterator[Finding]:
    d = require(s.deposit)
    if d is None:
        return
    list_price = s.pricing.list_price or sc.product.list_price
    presale_price = s.pricing.presale_price or list_price
    if d.amount * d.inflation > presale_price:
        yield Finding((*base, "deposit", "amount"), (
            f"deposit {d.amount:g} credited x{d.inflation:g} exceeds the presale price {presale_price:g}"))


def _deposit_window(sc, base: tuple, s) -> Iterator[Finding]:
    cal = sc.calendar
    if require(s.deposit) is not None and cal.balance_start_day == cal.launch_day:
        yield Finding((*base, "deposit"), "a deposit needs a balance window: balance_start_day must be before launch_day")


def _promotions(sc, base: tuple, s) -> Iterator[Finding]:
    for i, promo in enumerate(s.promotions):
        yield from _guarded(_promotion, sc, (*base, "promotions", i), promo)


def _promotion(sc, loc: tuple, promo) -> Iterator[Finding]:
    yield from _guarded(_names, promo.segments, list(sc.market.segments), (*loc, "segments"), "segment")
    yield from _guarded(_names, promo.channels, list(sc.channels), (*loc, "channels"), "channel")
    if promo.start_day >= sc.calendar.horizon_days:
        yield Finding((*loc, "start_day"), "start_day is past horizon_days")


def _budget(sc, base: tuple, s) -> Iterator[Finding]:
    for ch in s.marketing.budget:
        if ch not in sc.channels:
            yield Finding((*base, "marketing", "budget", ch),
                          f"unknown channel '{ch}'; channels: {', '.join(sc.channels)}", at_key=True)


def _events(sc, base: tuple, s) -> Iterator[Finding]:
    for i, ev in enumerate(s.marketing.events):
        yield from _guarded(_names, [ev.channel], list(sc.channels), (*base, "marketing", "events", i, "channel"),
                            "channel")


def _fulfilment(sc, base: tuple, s) -> Iterator[Finding]:
    ship = require(s.fulfilment.promised_ship_day)
    if ship is not None and ship >= sc.calendar.horizon_days:
        yield Finding((*base, "fulfilment", "promised_ship_day"), "promised_ship_day is past horizon_days")


def _baseline(sc) -> Iterator[Finding]:
    baseline = require(sc.baseline)
    if baseline is not None and baseline not in sc.strategies:
        yield Finding(("baseline",), f"unknown strategy '{baseline}'; strategies: {', '.join(sc.strategies)}")


def _gates(sc) -> Iterator[Finding]:
    gates = require(sc.gates)
    strategies = list(require(sc.strategies))
    baseline = require(sc.baseline) or (strategies[0] if strategies else None)
    for i, message in gate_problems(gates, strategies=strategies, baseline=baseline, metrics=list(OUTCOMES)):
        yield Finding(("gates", i), message)


def _sweeps(sc) -> Iterator[Finding]:
    for name, spec in require(sc.sweeps).items():
        metric = require(spec.metric)
        if metric not in OUTCOMES:
            yield Finding(("sweeps", name, "metric"), f"unknown metric '{metric}'; metrics: {', '.join(OUTCOMES)}")
        strategy = require(spec.strategy)
        if strategy not in sc.strategies:
            yield Finding(("sweeps", name, "strategy"),
                          f"unknown strategy '{strategy}'; strategies: {', '.join(sc.strategies)}")
            continue
        for path in require(spec.params):
            loc = ("sweeps", name, "params", path)
            if path.startswith("strategies.") and not path.startswith(f"strategies.{strategy}."):
                yield Finding(loc, f"'{path}' is a lever of another strategy; this sweep varies "
                                   f"'{strategy}' (strategies.{strategy}.…) and inputs (market.…)", at_key=True)
                continue
            try:
                _lookup(sc, path)
            except PathError as err:
                yield Finding(loc, str(err), at_key=True)


def _uncertainties(sc) -> Iterator[Finding]:
    for path in sc.uncertainties:
        yield from _guarded(_uncertainty, sc, path)


def _uncertainty(sc, path: str) -> Iterator[Finding]:
    loc = ("uncertainties", path)
    try:
        value = _lookup(sc, path)
    except PathError as err:
        yield Finding(loc, str(err), at_key=True)
        return
    if value is None:
        yield Finding(loc, f"'{path}' is not set (null); give it a number to make it uncertain", at_key=True)
    elif is_distribution(value):
        yield Finding(loc, _already_drawn(path, value), at_key=True)
    elif not isinstance(value, (int, float)) or isinstance(value, bool):
        yield Finding(loc, f"'{path}' is not a number field", at_key=True)


def _already_drawn(path: str, dist: Any) -> str:
    """The message for an uncertainty on a value that is a distribution already."""
    spread = path.startswith("market.segments.")
    what = ("a spread across consumers" if spread else "drawn anew in every replication")
    data = dist if isinstance(dist, dict) else dist.model_dump(by_alias=True)
    numbers = [k for k, v in data.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    example = f"; to make its {numbers[0]} uncertain, give '{path}.{numbers[0]}' a distribution here" if numbers else ""
    return (f"'{path}' is already a distribution ({data.get('dist')}, {what}), not a number that can be made "
            f"uncertain{example}")


def _lookup(sc, path: str) -> Any:
    """``get_path``, raising :class:`Unavailable` rather than a wrong :class:`PathError`
    when the path runs through a part that failed validation."""
    try:
        return require(get_path(sc, path))
    except PathError:
        parts = path.split(".")
        for end in range(1, len(parts)):
            try:
                require(get_path(sc, ".".join(parts[:end])))
            except PathError:
                break
        raise
