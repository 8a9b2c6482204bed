"""The consumer population as a struct of arrays (one row per consumer)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import IntEnum

import numpy as np

__all__ = ["State", "Population", "PROFILE", "build_population", "in_states", "locate"]


class State(IntEnum):
    """Funnel state of a consumer."""

    UNAWARE = 0
    AWARE = 1
    RESERVED = 2
    DEPOSITED = 3
    PAID = 4          # ordered and paid in full, waiting for shipment
    DELIVERED = 5
    RETURNED = 6
    COMPETITOR = 7    # bought a competitor's product
    LEFT = 8
    CANCELLED = 9     # walked away from a deposit or cancelled an order


def in_states(state: np.ndarray, first: State, last: State) -> np.ndarray:
    """Mask of consumers whose ``state`` lies in ``first..last`` (inclusive).

    One subtraction and one comparison: below ``first`` the unsigned
    difference wraps around to a large number.
    """
    return (state - np.uint8(first)) <= np.uint8(last - first)


def locate(ascending: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where consumers ``idx`` stand, or would be inserted, in the ``ascending`` array of
    distinct consumers, and a mask of those found there: a binary search each."""
    at = np.searchsorted(ascending, idx)
    found = at < ascending.size
    found[found] = ascending[at[found]] == idx[found]
    return at, found


PROFILE = ("valuation", "valuation_real", "price_sensitivity", "deal_proneness", "patience", "trust", "loyalty",
           "segment", "channel", "is_member", "is_strategic")
"""The attributes a shopper is weighed by, held side by side in one row per consumer (see
:meth:`Population.profiles`): gathering a day's shoppers then reads one cache line each,
where separate arrays cost a cache miss per attribute."""

_STATE_FIELDS = ("state", "order_day", "price_agreed", "paid", "deposit", "return_day")


@dataclass
class Population:
    """Attributes (fixed for the run) and state (changing day by day) of consumers.

    Money is in the scenario's currency per simulated consumer.
    """

    segment: np.ndarray            # uint8 segment index
    channel: np.ndarray            # uint8 home channel index
    is_member: np.ndarray          # bool
    is_strategic: np.ndarray       # bool
    is_reachable: np.ndarray       # bool: the home channel's ads can reach it
    valuation: np.ndarray          # float32 expected valuation
    valuation_real: np.ndarray     # float32 realised valuation (revealed at balance / delivery)
    price_sensitivity: np.ndarray  # float32
    deal_proneness: np.ndarray     # float32
    patience: np.ndarray           # float32 discount factor per day
    trust: np.ndarray              # float32 0..1
    loyalty: np.ndarray            # float32 extra utility for competitors
    initial_state: np.ndarray      # uint8 state at day 0
    state: np.ndarray              # uint8 State
    order_day: np.ndarray          # int16, -1 before an order
    price_agreed: np.ndarray       # float32 total price of the order
    paid: np.ndarray               # float32 money held from the consumer (net of refunds)
    deposit: np.ndarray            # float32 deposit paid
    return_day: np.ndarray         # int16 day the product comes back, -1 if never
    turned_away_day: np.ndarray    # int16 day ours last turned the consumer away, -1 if not since a purchase
    profile: np.ndarray | None = None   # the PROFILE attributes as one structured row per consumer

    @property
    def n(self) -> int:
        """Number of simulated consumers."""
        return self.state.shape[0]

    def nbytes(self) -> int:
        """Memory held by the arrays (the attributes of ``profile`` are views of it, counted once)."""
        arrays = [getattr(self, f.name) for f in fields(self)]
        return sum(a.nbytes for a in arrays if a is not None and (self.profile is None or a.base is not self.profile))

    def profiles(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        """The :data:`PROFILE` attributes of consumers ``idx``: each a view of one gathered
        table of their rows (``np.take`` copies whole rows, much faster than fancy indexing of
        a structured array, and the fields are read in place rather than copied out)."""
        if self.profile is None:
            return {name: getattr(self, name)[idx] for name in PROFILE}
        rows = np.take(self.profile, idx)
        return {name: rows[name] for name in PROFILE}

    def fresh(self) -> "Population":
        """Same consumers (attributes shared, not copied), state back at day 0."""
        n = self.n
        return replace(
            self, state=self.initial_state.copy(), order_day=np.full(n, -1, dtype=np.int16),
            price_agreed=np.zeros(n, dtype=np.float32), paid=np.zeros(n, dtype=np.float32),
            deposit=np.zeros(n, dtype=np.float32), return_day=np.full(n, -1, dtype=np.int16),
            turned_away_day=np.full(n, -1, dtype=np.int16),
        )


def _pick(u: np.ndarray, cum: np.ndarray) -> np.ndarray:
    """Index of the interval of ``cum`` (cumulative probabilities) holding each ``u``."""
    return np.searchsorted(cum[:-1], u, side="right").astype(np.uint8)


def _attribute(name: str, members: list[np.ndarray], segments: list, u: np.ndarray) -> np.ndarray:
    """One attribute: each segment's ``members`` (indices) map their uniforms through its value."""
    out = np.empty(u.shape[0], dtype=np.float32)
    for idx, seg in zip(members, segments):
        value = getattr(seg, name)
        out[idx] = value.ppf(u[idx]) if hasattr(value, "ppf") else float(value)
    return out


def build_population(market, channels: dict, n: int, *, rng: np.random.Generator) -> Population:
    """Draw ``n`` consumers of a market whose replication parameters are drawn.

    Each attribute gets a full-length uniform vector first, then each segment maps
    its slice through its distribution (draw, then mask). The state is that of
    day 0, read-only: models run on :meth:`Population.fresh` copies.
    """
    segments = list(market.segments.values())
    names = list(channels)
    shares = np.array([s.share for s in segments], dtype=float)
    seg_index = _pick(rng.random(n), np.cumsum(shares / shares.sum()))
    pref = np.array([[s.channel_preference.get(c, 0.0) for c in names] for s in segments])
    pref_cum = np.cumsum(pref / pref.sum(axis=1, keepdims=True), axis=1)
    u_channel = rng.random(n)
    members = [np.flatnonzero(seg_index == k) for k in range(len(segments))]
    channel = np.empty(n, dtype=np.uint8)
    for k, idx in enumerate(members):   # number of cumulative shares at or below the draw
        channel[idx] = np.searchsorted(pref_cum[k, :-1], u_channel[idx], side="right")
    attrs = {name: _attribute(name, members, segments, rng.random(n))
             for name in ("valuation", "valuation_noise", "price_sensitivity", "deal_proneness",
                          "patience", "trust", "competitor_loyalty")}
    reach = np.array([channels[c].reach for c in names])[channel]
    is_reachable = rng.random(n) < reach
    is_strategic = rng.random(n) < np.array([s.strategic_share for s in segments])[seg_index]
    is_member = rng.random(n) < np.array([s.membership_share for s in segments])[seg_index]
    aware = rng.random(n) < market.awareness.initial_aware_share
    initial = np.where(aware, State.AWARE, State.UNAWARE).astype(np.uint8)
    profile = _profile_table({
        "segment": seg_index, "channel": channel, "is_member": is_member, "is_strategic": is_strategic,
        "valuation": attrs["valuation"],
        "valuation_real": (attrs["valuation"] + attrs["valuation_noise"]).astype(np.float32),
        "price_sensitivity": attrs["price_sensitivity"], "deal_proneness": attrs["deal_proneness"],
        "patience": np.clip(attrs["patience"], 1e-6, 1.0), "trust": np.clip(attrs["trust"], 0.0, 1.0),
        "loyalty": attrs["competitor_loyalty"]})
    return Population(is_reachable=is_reachable, initial_state=initial, profile=profile,
                      **{name: profile[name] for name in PROFILE}, **_day_zero(initial))


def _profile_table(columns: dict[str, np.ndarray]) -> np.ndarray:
    """The :data:`PROFILE` columns as one structured array (one packed row per consumer), read-only."""
    table = np.empty(columns["segment"].shape[0], dtype=[(name, columns[name].dtype) for name in PROFILE])
    for name in PROFILE:
        table[name] = columns[name]
    table.flags.writeable = False
    return table


def _day_zero(initial: np.ndarray) -> dict[str, np.ndarray]:
    """State at day 0 as read-only arrays that take no memory of their own.

    A built population is the template every model copies (:meth:`Population.fresh`);
    its own state never changes, so it need not be allocated.
    """
    n = initial.shape[0]
    state = initial.view()
    state.flags.writeable = False
    return {"state": state, "order_day": np.broadcast_to(np.int16(-1), (n,)),
            "price_agreed": np.broadcast_to(np.float32(0), (n,)), "paid": np.broadcast_to(np.float32(0), (n,)),
            "deposit": np.broadcast_to(np.float32(0), (n,)), "return_day": np.broadcast_to(np.int16(-1), (n,)),
            "turned_away_day": np.broadcast_to(np.int16(-1), (n,))}
