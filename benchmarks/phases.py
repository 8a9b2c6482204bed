"""Where a day's time goes: timers around each phase of ``PresaleModel.step``;
and where a run's time goes outside its days.

The phases are the functions and methods the model's day calls, replaced for
the duration of :func:`phase_timers` by timed wrappers (the package itself is
not changed). A phase's time excludes the timed calls it makes: the day's
uniforms are drawn inside shopping and shipping and count as ``draws``. Time not
inside any phase (the Mesa scheduler, the loop) is reported as ``other``.
:func:`outside_timers` times, the same way, the work of a batch that is not a day
(:data:`OUTSIDE`).
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import Iterator

import simulation.engine.model as model_module
import simulation.engine.quotes as quotes_module
import simulation.engine.shopping as shopping_module
import simulation.explore.sweep as sweep_module
from simulation.engine.model import PresaleModel
from simulation.rng import KeyedUniforms
from simulation.runs.runner import Replication

__all__ = ["OUTSIDE", "PHASES", "outside_timers", "phase_timers"]

PHASES = {
    "offer": "seller and competitor agents set prices, promotions, advertising, production",
    "draws": "the day's visitors and keyed uniforms, drawn for the consumers in play (inside the phases that use them)",
    "production": "produced units arrive",
    "awareness": "Bass awareness spread",
    "balances": "deposit holders pay the balance or walk away (first balance day)",
    "shipping": "presale orders ship; late cancellations",
    "returns": "returns due today",
    "shopping": "the rest of shopping: promotions and the quotes, and the glue between the parts below",
    "visitors": "which of the day's visitors shop (aware of ours, or of a rival on sale; reservations) and in which order",
    "shoppers": "the shoppers' attributes gathered from the population (one row each) and the rivals they know",
    "utilities": "utilities of ours, the rivals, waiting and nothing; what a shopper does not know ruled out",
    "option_values": "the worth of a presale order and of waiting under the participation condition (valuation tails)",
    "choice": "the logit choice on each shopper's uniform (given the taste for ours, for strategic shoppers)",
    "limited_offers": "tier levels, flash quantities and budgets served first come, first served",
    "purchases": "orders, payments, deliveries, turned-away buyers and switchers, leaving",
    "end_of_day": "levels, holding cost, refund liability",
}


def _timed(fn, totals, key, stack):
    """``fn`` timed under ``key``, exclusive of the timed calls it makes (those count under theirs).

    ``stack`` holds the time spent in nested timed calls of each open call; ``step`` is
    timed inclusive and stays off the stack.
    """
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        if key != "step":
            stack.append(0.0)
        try:
            return fn(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - start
            if key == "step":
                totals[key] += elapsed
            else:
                nested = stack.pop()
                totals[key] += elapsed - nested
                if stack:
                    stack[-1] += elapsed
    return wrapper


@contextlib.contextmanager
def phase_timers() -> Iterator[dict[str, float]]:
    """Time every phase of the day while the block runs.

    Yields a dict phase -> seconds (filled as models step) plus ``step``, the
    time inside ``PresaleModel.step`` altogether.
    """
    totals: dict[str, float] = defaultdict(float)
    saved, stack = [], []

    def patch(owner, name, key):
        saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, _timed(getattr(owner, name), totals, key, stack))

    try:
        for name, key in (("collect_balances", "balances"), ("ship_orders", "shipping"),
                          ("process_returns", "returns"), ("shop", "shopping")):
            patch(model_module, name, key)
        for name, key in (("_produce", "production"), ("_spread_awareness", "awareness"),
                          ("_end_of_day", "end_of_day"), ("step", "step")):
            patch(PresaleModel, name, key)
        for owner, name, key in ((shopping_module, "visitors", "visitors"),
                                 (shopping_module, "shoppers_of", "shoppers"),
                                 (shopping_module, "serve_limited", "limited_offers"),
                                 (shopping_module, "_apply", "purchases"),
                                 (shopping_module, "utilities", "utilities"), (quotes_module, "utilities", "utilities"),
                                 (quotes_module, "_plan_ahead", "option_values"),
                                 (quotes_module, "choose", "choice"), (quotes_module, "choose_given_taste", "choice")):
            patch(owner, name, key)
        patch(KeyedUniforms, "__call__", "draws")
        patch(model_module.DayDraws, "visitors", "draws")
        patch(model_module.SellerAgent, "step", "offer")
        patch(model_module.CompetitorAgent, "step", "offer")
        yield totals
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


OUTSIDE = {
    "replication": "a replication's parameters and population (Replication)",
    "model_setup": "building a model (PresaleModel.__init__: Mesa's model, the seller's plan, fresh consumer state)",
    "mesa_clock": "Mesa's step() around the day (steps and time)",
    "finish": "closing the campaign after the last day",
    "invariants": "the invariant checks of a finished model",
    "record": "a finished model's outcome record (and trajectory, when kept)",
    "analysis": "a sweep's tables: outcomes by point, summary, paired comparison, regret (once per sweep)",
}


@contextlib.contextmanager
def outside_timers() -> Iterator[dict[str, float]]:
    """Time the parts of a batch outside the days (:data:`OUTSIDE`) while the block runs.

    Yields a dict part -> seconds (filled as runs go) plus ``day``, the time inside
    ``PresaleModel.step``; ``mesa_clock`` is filled in when the block ends. Each part
    is timed inclusive: none of them calls another.
    """
    totals: dict[str, float] = defaultdict(float)
    saved = []

    def patch(owner, name, key):
        original = owner.__dict__.get(name)
        saved.append((owner, name, original))
        fn = getattr(owner, name)

        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[key] += time.perf_counter() - start
        setattr(owner, name, wrapper)

    try:
        for owner, name, key in ((Replication, "__init__", "replication"), (Replication, "_check", "invariants"),
                                 (Replication, "_record", "record"), (PresaleModel, "__init__", "model_setup"),
                                 (PresaleModel, "_wrapped_step", "clock"), (PresaleModel, "step", "day"),
                                 (PresaleModel, "finish", "finish")):
            patch(owner, name, key)
        for name in ("tidy_outcomes", "summarize", "compare", "_regret_per_replication"):
            patch(sweep_module, name, "analysis")
        yield totals
    finally:
        for owner, name, original in reversed(saved):
            if original is None:
                delattr(owner, name)            # it was inherited
            else:
                setattr(owner, name, original)
        totals["mesa_clock"] = totals.pop("clock", 0.0) - totals["day"]
