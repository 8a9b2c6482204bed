"""Limited offers served first come, first served in the day's random queue.

The levels of the early-bird tiers by order count (one after another), each
flash sale's quantity and each promotion's budget are limits, each on its own.
Everyone is first quoted every offer still open; where, in queue order, a limit
no longer has room for a shopper, it closes for that shopper and everyone
behind, who are quoted again without it (at the next tier's price for a tier)
and choose again on the same random draw.
"""

from __future__ import annotations

import functools

import numpy as np

from ..market.calendar import Phase
from ..market.fulfilment import first_shortfall
from .quotes import Quotes

__all__ = ["level_room", "serve_limited"]

_EPS = 1e-9


def _limits(model, quotes: Quotes, cand: np.ndarray, *, shelf: float, tier_room: float, on: np.ndarray):
    """What shoppers ``cand`` (in queue order) use of each limit open now, and its room.

    Rows: the shelf (stock, or presale orders left), the open tier level (orders
    today, counted from the first tier level), then each open promotion's
    quantity (orders whose price it lowers) and budget (its discount). Returns
    ``(usage, room, what)``; ``what[r]`` is ``None`` for the shelf, ``-1`` for the
    tier and the promotion's position among today's promotions otherwise.
    """
    w = model.weight
    offer = model.seller.offer
    wants = quotes.choice[cand] == 0
    usage, room, what = [wants], [shelf], [None]
    if np.isfinite(tier_room):
        usage.append(wants), room.append(tier_room), what.append(-1)
    for j, (i, _) in enumerate(quotes.promos):
        if not on[j]:
            continue
        if np.isfinite(offer.units_left[i]):
            usage.append(wants & (quotes.by_promo[j, cand] > 0))
            room.append(np.floor(offer.units_left[i] / w + _EPS))
            what.append(j)
        if np.isfinite(offer.budget_left[i]):
            usage.append(np.where(wants, quotes.by_promo[j, cand], 0.0))
            room.append(offer.budget_left[i] / w)
            what.append(j)
    return np.vstack(usage).astype(float), np.array(room, dtype=float), what


@functools.lru_cache(maxsize=256)
def level_room(levels: tuple, weight: float) -> np.ndarray:
    """Whole simulated orders from today's first one up to the end of each tier level
    (read-only; the same levels come back every day of a campaign, so results are kept)."""
    room = np.floor(np.cumsum([cap for _, cap in levels]) / weight + _EPS)
    room.flags.writeable = False
    return room


def serve_limited(model, quotes: Quotes, queue: np.ndarray, phase: Phase, *, level: int) -> np.ndarray:
    """Close each limited offer where it runs out in the queue and let those behind choose again.

    ``level`` is the tier level everyone was first quoted. A limit closes at the
    first shopper in line it has no room for: from there on, everyone whose quote
    used it is quoted again without it (the next tier level for a tier) and
    chooses again on the same draw, until no open limit runs out before the shelf
    (stock, or the presale cap) does. Returns the mask, over today's promotions,
    of those that ran out in front of a buyer.
    """
    w = model.weight
    offer = model.seller.offer
    levels = offer.limited.levels
    on = np.ones(len(quotes.promos), dtype=bool)
    stopped = np.zeros(len(quotes.promos), dtype=bool)
    rooms = level_room(levels, w)
    shelf = np.floor((model.stock if phase >= Phase.LAUNCH else offer.order_capacity / w) + _EPS)
    cand = np.flatnonzero(quotes.choice == 0)
    usage, room, _ = _limits(model, quotes, cand, shelf=shelf, tier_room=rooms[level], on=on)
    if first_shortfall(usage[1:], room[1:])[1] < 0:     # in any order: no limit but the shelf binds
        return stopped
    cand = cand[np.argsort(queue[cand], kind="stable")]
    in_line = np.zeros(queue.shape[0], dtype=bool)
    in_line[cand] = True
    position = np.arange(queue.shape[0])
    while True:
        usage, room, what = _limits(model, quotes, cand, shelf=shelf, tier_room=rooms[level], on=on)
        t, r = first_shortfall(usage, room)
        if r <= 0:                      # nothing runs out, or the shelf empties first
            break
        at = cand[t]
        behind = (queue > queue[at]) | ((queue == queue[at]) & (position >= at))
        j = what[r]
        if j == -1:
            ordered = np.count_nonzero(quotes.choice[cand[:t]] == 0)
            level += 1
            while level < len(levels) - 1 and rooms[level] <= ordered:
                level += 1
        else:
            behind &= quotes.by_promo[j] > 0
            on[j], stopped[j] = False, True
        sel = np.flatnonzero(behind)
        quotes.decide(sel, base_price=levels[level][0], on=on)
        joined = sel[(quotes.choice[sel] == 0) & ~in_line[sel]]
        if joined.size:
            in_line[joined] = True
            cand = np.flatnonzero(in_line)
            cand = cand[np.argsort(queue[cand], kind="stable")]
    return stopped
