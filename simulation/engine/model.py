"""The presale campaign as a Mesa model: one step is one day.

Order of a day (fixed):

1. the seller sets today's offer (prices, tiers, promotions, advertising,
   production orders) and the competitors set their prices;
2. produced units arrive;
3. awareness spreads (Bass hazard from advertising and from adopters at the
   start of the day);
4. on the first balance day, realised valuations are revealed and deposit
   holders pay the balance or walk away;
5. from the promised ship day, waiting presale orders ship first come first
   served; late orders past the tolerance may be cancelled and refunded;
6. returns due today come back and are refunded;
7. consumers who shop today (aware of ours, or knowing a rival on sale) choose
   among the products they know, waiting and nothing (warm-up: reserving;
   presale: ordering; balance window: waiting for ours; launch on: buying from
   stock);
8. costs are booked and the day's levels recorded.

After the last day, orders still waiting are cancelled and refunded and the
leftover stock is salvaged.
"""

from __future__ import annotations

import mesa
import numpy as np

from .agents import CompetitorAgent, SellerAgent
from ..market.calendar import phase_by_day
from ..market.ledger import Ledger
from ..market.population import Population, State, build_population, in_states
from ..rng import KeyedUniforms, bernoulli_positions, exponential_order_statistics, key_of, mix64, name_key, stream
from .shopping import shop
from .orders import cancel_while_waiting, close_campaign, collect_balances, process_returns, ship_orders
from ..market.awareness import ad_innovation_rate, imitation_rate
from ..market.fulfilment import p_return
from ..market.inventory import arrivals

__all__ = ["PresaleModel", "DayDraws", "DrawCache", "AwarenessThresholds"]


class DayDraws:
    """The day's random numbers, drawn only for the consumers who need them.

    Each per-consumer purpose (``choice``, ``event``, ``leave``, ``queue``, ``taste``) is a
    keyed source (:class:`~simulation.rng.KeyedUniforms`): the number of consumer ``i`` on
    this day for this purpose depends on the seed, the replication, the day, the purpose and
    ``i`` only, so a subset drawn today gets exactly the numbers a full draw would give
    it, whatever else is drawn (common random numbers by construction). ``taste`` is a
    strategic shopper's taste for ours before the launch under ``presale_decision: option``
    (:class:`simulation.engine.quotes.Quotes`). Who comes to shop is drawn once a day for
    everyone at once (:meth:`visitors`), in proportion to the visitors rather than to the
    population.
    """

    PURPOSES = ("choice", "event", "leave", "queue", "taste")
    """The keyed per-consumer sources, one attribute each."""
    __slots__ = (*PURPOSES, "_visit_key", "_visitors")

    def __init__(self, seed: int, replication: int, day: int):
        for name in self.PURPOSES:
            setattr(self, name, KeyedUniforms(seed, replication, f"day:{name}", day))
        self._visit_key = key_of(seed, replication, "day:visit", day)
        self._visitors: dict[tuple, np.ndarray] = {}

    def visitors(self, members: list[np.ndarray], p: tuple[float, ...]) -> np.ndarray:
        """The consumers who come to shop today if they are in play, grouped by channel.

        ``members[c]`` holds the consumers of channel ``c``, each of whom comes with
        probability ``p[c]``, independently of everyone else and of other days: a
        Bernoulli pick over the channel's members (:func:`~simulation.rng.bernoulli_positions`,
        keyed by the day and the channel), so the work is in proportion to the visitors.
        The strategies of a replication stepped together share the result.
        """
        if p not in self._visitors:
            picks = [m[bernoulli_positions(mix64(self._visit_key ^ mix64(c + 1)), m.shape[0], pc)]
                     for c, (m, pc) in enumerate(zip(members, p))]
            self._visitors[p] = np.concatenate(picks) if picks else np.empty(0, dtype=np.intp)
        return self._visitors[p]


class AwarenessThresholds:
    """When each consumer becomes aware of ours: a unit exponential per consumer, sorted by group.

    A consumer of awareness group ``g`` (home channel x reachable by ads) becomes aware
    on the first day the group's cumulative hazard reaches their threshold, which
    has the law of a daily draw against each day's hazard ``1 - exp(-λ)``. Each group's
    thresholds are drawn sorted (:func:`~simulation.rng.exponential_order_statistics`)
    and handed to its consumers in a random order, so the consumers who become aware on
    a day are a slice of the group's order: found by a binary search, with no draw, no
    sort and no pass over the population. The same consumers under every strategy of a
    replication.
    """

    def __init__(self, seed: int, replication: int, groups: np.ndarray, n_groups: int):
        rng = stream(seed, replication, "aware")
        by_group = np.argsort(groups, kind="stable")       # a radix sort of small integers
        self.bounds = np.searchsorted(groups[by_group], np.arange(n_groups + 1))   # group g: bounds[g]:bounds[g + 1]
        self.order = np.empty_like(by_group)     # consumers, by group then threshold
        self.sorted = np.empty(groups.shape[0])
        for lo, hi in zip(self.bounds[:-1], self.bounds[1:]):
            self.order[lo:hi] = rng.permutation(by_group[lo:hi])
            self.sorted[lo:hi] = exponential_order_statistics(rng, int(hi - lo))

    def crossing(self, hazard: np.ndarray) -> np.ndarray:
        """For each group, how many of its consumers have a threshold at most its cumulative ``hazard``."""
        return np.array([np.searchsorted(self.sorted[lo:hi], h, side="right")
                         for lo, hi, h in zip(self.bounds[:-1], self.bounds[1:], hazard)], dtype=np.int64)


class DrawCache:
    """The random numbers of one replication that its strategies share.

    Draws depend on the seed, the replication and the day only (common random
    numbers), so models of several strategies of a replication stepped day by
    day together (:meth:`simulation.runs.runner.Replication.plan_batch`) share one
    cache. A model alone has a cache of its own.
    """

    def __init__(self, seed: int, replication: int, n: int):
        self.seed, self.replication, self.n = seed, replication, n
        self._day: int | None = None
        self._draws: DayDraws | None = None
        self._coupons: dict[str, np.ndarray] = {}
        self._rivals: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._members: tuple[np.ndarray, list[np.ndarray]] | None = None
        self._thresholds: AwarenessThresholds | None = None

    def get(self, day: int) -> DayDraws:
        """The draws of ``day``."""
        if day != self._day:
            self._draws = DayDraws(self.seed, self.replication, day)
            self._day = day
        return self._draws

    def channel_members(self, channel: np.ndarray, n_channels: int) -> list[np.ndarray]:
        """The consumers of each channel (``channel``: each consumer's), ascending; found once per population."""
        if self._members is None or self._members[0] is not channel:
            order = np.argsort(channel, kind="stable").astype(np.int32)
            bounds = np.searchsorted(channel[order], np.arange(n_channels + 1))
            self._members = (channel, [order[lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:])])
        return self._members[1]

    def taste(self, day: int, idx: np.ndarray) -> np.ndarray:
        """The ``taste`` uniforms of consumers ``idx`` on ``day`` (any day: a depositor's taste
        of the day it ordered is read again at the balance)."""
        if day == self._day:
            return self._draws.taste(idx)
        return KeyedUniforms(self.seed, self.replication, "day:taste", day)(idx)

    def awareness(self, groups: np.ndarray, n_groups: int) -> AwarenessThresholds:
        """The awareness thresholds of this replication's consumers (``groups``: each one's group)."""
        if self._thresholds is None:
            self._thresholds = AwarenessThresholds(self.seed, self.replication, groups, n_groups)
        return self._thresholds

    def rival_thresholds(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """When each consumer knows the rival ``name``: thresholds, sorted, and the consumers in that order.

        Each consumer has a unit-exponential threshold, fixed for the campaign, and knows
        the rival once the rival's cumulative awareness hazard reaches it, which has the
        law of a daily draw against each day's hazard and needs no draw after the first.
        The thresholds are drawn sorted (:func:`~simulation.rng.exponential_order_statistics`)
        and handed to the consumers in a random order, so the consumers who
        come to know the rival on a day are a slice of that order. The same consumers
        know the rival under every strategy (common random numbers).
        """
        if name not in self._rivals:
            rng = stream(self.seed, self.replication, "rival", name_key(name))
            order = rng.permutation(self.n)
            self._rivals[name] = (exponential_order_statistics(rng, self.n), order)
        return self._rivals[name]

    def coupon(self, name: str) -> np.ndarray:
        """Each consumer's uniform for holding the coupon ``name``, fixed for the campaign.

        One stream per coupon name (an unnamed coupon goes by its position): coupons are
        issued independently of each other, and a coupon of the same name goes to the same
        consumers under every strategy.
        """
        if name not in self._coupons:
            u = stream(self.seed, self.replication, "coupon", name_key(name)).random(self.n, dtype=np.float32)
            u.flags.writeable = False
            self._coupons[name] = u
        return self._coupons[name]


class PresaleModel(mesa.Model):
    """One strategy in one replication of a (parameter-drawn) scenario.

    Parameters
    ----------
    scenario
        A scenario whose replication-level distributions are already drawn
        (:func:`simulation.scenario.sampling.draw_parameters`).
    strategy
        Name of the strategy to play.
    replication
        Replication index; keys every random stream.
    population
        Optional pre-built population of this replication (reused across
        strategies; its state is reset).
    draws
        Optional draw cache of this replication, shared with models of its other
        strategies stepped in lockstep; default a cache of its own.
    """

    def __init__(self, scenario, strategy: str, *, replication: int = 0,
                 population: Population | None = None, draws: DrawCache | None = None):
        seed = scenario.run.seed
        super().__init__(rng=stream(seed, replication, "mesa"))
        self.campaign = scenario
        self.strategy_name = strategy
        self.replication = replication
        self.seed = seed
        strat = scenario.strategies[strategy]
        cal = scenario.calendar
        self.phase = phase_by_day(cal)
        self.horizon = cal.horizon_days
        self.day = 0
        self.channel_names = list(scenario.channels)
        self.segment_ids = {name: i for i, name in enumerate(scenario.market.segments)}
        self.channel_ids = {name: i for i, name in enumerate(self.channel_names)}
        size = float(scenario.market.size)
        if population is None:
            n = scenario.run.population or int(round(size))
            population = build_population(scenario.market, scenario.channels, n,
                                          rng=stream(seed, replication, "population"))
        self.pop = population.fresh()
        self.n_unaware = int(np.count_nonzero(self.pop.state == State.UNAWARE))   # kept by the awareness step
        self.never_aware_buyers = 0     # consumers who bought a rival without ever knowing ours
        if draws is None:
            draws = DrawCache(seed, replication, self.pop.n)
        elif (draws.seed, draws.replication, draws.n) != (seed, replication, self.pop.n):
            raise ValueError(f"draw cache of seed {draws.seed}, replication {draws.replication}, "
                             f"{draws.n} consumers used for seed {seed}, replication {replication}, "
                             f"{self.pop.n} consumers")
        self.draws = draws
        self.weight = size / self.pop.n
        self.ledger = Ledger(self.horizon, list(scenario.competitors))
        self.seller = SellerAgent(self, strat, list_price=strat.pricing.list_price or scenario.product.list_price)
        self.competitors = [CompetitorAgent(self, name, spec) for name, spec in scenario.competitors.items()]
        self.rating = float(scenario.product.rating)
        self.p_return = p_return(self.rating, scenario.product.returns)
        self.ship_day = strat.fulfilment.promised_ship_day
        if self.ship_day is None:
            self.ship_day = cal.launch_day
        self.first_stockout_day: int | None = None
        self._awareness_setup()
        inv = strat.inventory
        self.stock = inv.initial_stock / self.weight          # simulated units
        self.ledger.book("cogs", 0, inv.initial_stock * scenario.product.unit_cost)
        self.arrivals = np.zeros(self.horizon)
        self.returns_due = np.zeros(self.horizon, dtype=np.int64)   # units to come back each day
        self.short_units = 0.0          # simulated units that partial last units left unserved
        self.partial_units: dict[int, float] = {}   # consumer -> the fraction of a unit it got (a last partial unit)
        if inv.production.rule == "fixed":
            self.order_production(inv.production.quantity, inv.production.order_day)

    # -- set-up helpers -------------------------------------------------------
    def _awareness_setup(self) -> None:
        ch = self.campaign.channels
        names = self.channel_names
        pop = self.pop
        self.awareness_group = (pop.channel.astype(np.int16) * 2 + pop.is_reachable).astype(np.uint8)
        n_groups = 2 * len(names)
        self.thresholds = self.draws.awareness(self.awareness_group, n_groups)
        self.aware_hazard = np.zeros(n_groups)      # cumulative Bass hazard of each awareness group
        self.aware_crossed = np.zeros(n_groups, dtype=np.int64)   # its consumers whose threshold it passed
        reachable = np.bincount(self.awareness_group, minlength=n_groups)[1::2] * self.weight   # group 2c + 1
        self.reachable_market = reachable.astype(float)
        self.per_contact = np.array([ch[c].awareness_per_contact for c in names])
        self.visit_p = tuple(float(ch[c].conversion) for c in names)   # each channel's daily visit probability
        self.channel_members = self.draws.channel_members(pop.channel, len(names))
        self._reserved: np.ndarray | None = None    # consumers who reserved, found after the warm-up
        self.fee_rate = np.array([ch[c].fee_rate for c in names])
        self.fee_back_rate = np.array([ch[c].fee_rate * ch[c].fee_refunded_with_refund for c in names])

    def reserved_pool(self) -> np.ndarray:
        """The consumers who reserved in the warm-up (found once, on the first call after it)."""
        if self._reserved is None:
            self._reserved = np.flatnonzero(self.pop.state == State.RESERVED)
        return self._reserved

    def order_production(self, quantity: float, day: int) -> None:
        """Schedule production of ``quantity`` units (market scale) ordered on ``day``."""
        inv = self.seller.strategy.inventory
        self.arrivals += arrivals(quantity, order_day=day, lead_time_days=float(inv.lead_time_days),
                                  daily_capacity=inv.daily_capacity, horizon_days=self.horizon)

    # -- the day ----------------------------------------------------------------
    def step(self) -> None:
        """Advance one day."""
        self.day = self.steps - 1
        self.seller.step()
        for competitor in self.competitors:
            competitor.step()
        draws = self.draws.get(self.day)
        self._produce()
        self._spread_awareness()
        if self.day == self.campaign.calendar.balance_start_day and self.seller.strategy.deposit:
            collect_balances(self)
        cancel_while_waiting(self, draws)
        if self.day >= self.ship_day:
            ship_orders(self, draws)
        process_returns(self)
        shop(self, draws)
        self._end_of_day()

    def _produce(self) -> None:
        made = self.arrivals[self.day]
        if made > 0:
            self.stock += made / self.weight
            self.ledger.book("produced", self.day, made)
            self.ledger.book("cogs", self.day, made * self.campaign.product.unit_cost)

    def _spread_awareness(self) -> None:
        aw = self.campaign.market.awareness
        state = self.pop.state
        if self.n_unaware == 0:
            return
        adopters = (np.count_nonzero(in_states(state, State.DEPOSITED, State.DELIVERED))
                    + aw.reservation_weight * np.count_nonzero(state == State.RESERVED))
        rate = ad_innovation_rate(self.seller.offer.contacts, self.per_contact, self.reachable_market)
        q = imitation_rate(float(aw.imitation), self.rating, effect=aw.wom_rating_effect,
                           reference=aw.wom_reference_rating)
        hazard = np.empty((rate.shape[0], 2))       # per channel: unreachable, reachable (today's Bass λ)
        hazard[:, 0] = float(aw.innovation)
        hazard[:, 1] = float(aw.innovation) + rate
        hazard += q * adopters / self.pop.n
        self.aware_hazard += hazard.ravel()
        reached = self.thresholds.crossing(self.aware_hazard)
        bounds = self.thresholds.bounds
        slices = [self.thresholds.order[bounds[g] + seen:bounds[g] + now]
                  for g, (seen, now) in enumerate(zip(self.aware_crossed, reached)) if now > seen]
        self.aware_crossed = reached
        if not slices:
            return
        candidates = np.concatenate(slices)
        new = candidates[state[candidates] == State.UNAWARE]   # the others knew ours already, or left for a rival
        state[new] = State.AWARE
        self.n_unaware -= new.size

    def _end_of_day(self) -> None:
        day, w, pop, led = self.day, self.weight, self.pop, self.ledger
        strat = self.seller.strategy
        stock_units = self.stock * w
        led.set_level("stock", day, stock_units)
        led.book("holding", day, stock_units * strat.inventory.holding_cost_per_unit_day)
        led.set_level("aware", day, (pop.n - self.n_unaware - self.never_aware_buyers) * w)
        led.set_level("reserved_level", day, np.count_nonzero(pop.state == State.RESERVED) * w)
        led.set_level("price", day, self.seller.path[day])
        cancellable = strat.fulfilment.cancellation_right
        deposit_back = strat.deposit is not None and strat.deposit.refundable
        liability = 0.0
        if cancellable or deposit_back:
            if cancellable and deposit_back:
                refundable = in_states(pop.state, State.DEPOSITED, State.PAID)
            else:
                refundable = pop.state == (State.PAID if cancellable else State.DEPOSITED)
            liability = float(pop.paid[refundable].sum(dtype=np.float64)) * w
        led.set_level("refund_liability", day, liability)

    def note_stockout(self) -> None:
        """Remember the first day demand met an empty shelf."""
        if self.first_stockout_day is None:
            self.first_stockout_day = self.day

    def finish(self) -> None:
        """Close the campaign after its last day (see :func:`~simulation.engine.orders.close_campaign`)."""
        close_campaign(self)
        self.draws = None                     # the last day's draws are not needed any more

    def release(self) -> None:
        """Drop the consumer arrays of a finished model whose results have been read.

        A model and its agents refer to each other, so a discarded model waits for
        Python's cycle collector; without its arrays it holds no memory meanwhile.
        """
        self.pop = None
        self.awareness_group = None
        self.thresholds = None
        self.channel_members = None
        self.draws = None

    def run(self) -> None:
        """Run every day of the campaign, then close it."""
        self.run_for(self.horizon)
        self.finish()
