"""A reference implementation of the day step with one ``mesa.Agent`` per consumer.

It exists only to measure what the engine's struct-of-arrays design buys: the
same consumers (the engine's population of a replication, copied into one
agent each), the same seller and competitor agents of the package (prices,
advertising, production, competitor reactions), and the same rules for each
consumer, written the way a per-agent Mesa model is usually written: a Python
method per consumer and decision, scalar arithmetic, a Python random draw per
decision (the model's ``random``). Only the orderings that are global by nature
(who is first in a queue for limited stock or presale places, which presale
order ships first) are done by the model over lists of agents.

Mechanisms (a subset of the engine's: what the strategy ``cautious_small_batch``
of ``scenarios/electronics_launch.yaml`` uses; :func:`check_supported` refuses
a strategy that needs more):

* awareness: Bass hazard per channel and reachability from advertising, organic
  innovation and word of mouth of adopters at the start of the day;
* competitors: each rival's own awareness (initial share, advertising, word of
  mouth), so consumers unaware of ours shop for a rival they know;
* shopping: visits by channel conversion (reserved consumers visit every
  presale day), logit choice among ours (in the balance window: ours at the
  launch, i.e. waiting for it), each launched competitor the consumer knows, waiting for an
  announced lower price (strategic consumers) and nothing; warm-up reservations;
  before the launch, strategic consumers weigh a presale order and waiting under
  valuation uncertainty (``presale_decision: option``, normal ``valuation_noise``);
  presale prepay orders up to the presale cap; open-sale purchases from stock;
  member discount; gift promotions; the presale price felt at risk and the wait
  until delivery; buyers turned away (lost sales, switching to a competitor,
  waiting, leaving); leaving after buying nothing;
* presale orders shipped first come first served from the promised day, late
  cancellations and refunds; production arrivals; returns; channel fees,
  holding cost, the close of the campaign (refunds of undelivered orders,
  salvage).

Not in the reference: deposits and the balance payment, early-bird tiers,
promotions other than gifts (percent or amount off, spend thresholds,
coupons, flash sales), promotion budgets.

The daily random numbers are the reference's own (``model.random``), so its
outcomes agree with the engine's in distribution, not draw for draw.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from simulation.engine.agents import CompetitorAgent, SellerAgent
from simulation.market.awareness import ad_innovation_rate, bass_hazard, imitation_rate
from simulation.market.calendar import Phase, phase_by_day
from simulation.market.fulfilment import p_cancel_waiting, p_return
from simulation.market.inventory import arrivals
from simulation.market.ledger import Ledger
from simulation.market.population import Population, State

__all__ = ["Consumer", "ReferenceModel", "check_supported", "reference_outcomes"]

UNAWARE, AWARE, RESERVED = int(State.UNAWARE), int(State.AWARE), int(State.RESERVED)
PAID, DELIVERED, RETURNED = int(State.PAID), int(State.DELIVERED), int(State.RETURNED)
COMPETITOR, LEFT, CANCELLED = int(State.COMPETITOR), int(State.LEFT), int(State.CANCELLED)
DEPOSITED = int(State.DEPOSITED)


def check_supported(strategy, scenario=None) -> None:
    """Raise ``ValueError`` if ``strategy`` (of ``scenario``) uses a mechanism the reference lacks."""
    missing = []
    if strategy.deposit is not None:
        missing.append("deposits")
    if strategy.pricing.early_bird:
        missing.append("early-bird tiers")
    missing += [f"{p.kind} promotions" for p in strategy.promotions if p.kind != "gift"]
    missing += ["promotion budgets" for p in strategy.promotions if p.budget is not None]
    if scenario is not None and scenario.market.choice.presale_decision == "option":
        missing += [f"a {s.valuation_noise.dist} valuation_noise with presale_decision: option"
                    for s in scenario.market.segments.values() if _noise(s.valuation_noise) is None]
    if missing:
        raise ValueError("the per-agent reference does not implement " + ", ".join(sorted(set(missing))))


def _noise(noise) -> tuple[float, float] | None:
    """``(sd, mean)`` of a fixed or unbounded normal valuation surprise; ``None`` for any other."""
    if getattr(noise, "dist", None) is None:
        return 0.0, float(noise)
    if noise.dist == "normal" and noise.low is None and noise.high is None:
        return float(noise.sd), float(noise.mean_)
    return None


class Consumer(mesa.Agent):
    """One consumer: its attributes, its funnel state and its daily decisions."""

    def __init__(self, model: "ReferenceModel", attrs: tuple):
        super().__init__(model)
        (self.segment, self.channel, self.is_member, self.is_strategic, self.is_reachable,
         self.valuation, self.valuation_real, self.price_sensitivity, self.deal_proneness,
         self.patience, self.trust, self.loyalty, self.state) = attrs
        self.group = 2 * self.channel + int(self.is_reachable)
        # knows rival k once its cumulative awareness hazard reaches this unit exponential
        self.rival_threshold = [-math.log1p(-self.random.random()) for _ in model.competitors]
        self.stranger = False              # bought a rival without ever knowing ours
        self.order_day = -1
        self.price_agreed = 0.0
        self.paid = 0.0
        self.return_day = -1
        self.turned_away_day = -1          # a lost sale until the consumer buys ours after all

    # -- awareness ----------------------------------------------------------------
    def hear(self, hazard: list[float]) -> None:
        """An unaware consumer may hear of the product today."""
        if self.state == UNAWARE and self.random.random() < hazard[self.group]:
            self.state = AWARE

    # -- shopping -----------------------------------------------------------------
    def knows(self, k: int) -> bool:
        """Whether this consumer knows rival ``k`` today."""
        return self.rival_threshold[k] <= self.model.competitors[k].known_hazard

    def visits(self, conversion: list[float], presale: bool) -> bool:
        """Whether this consumer looks at the market today (unaware of ours: for a rival it knows on sale)."""
        if self.state == UNAWARE:
            return (any(c.is_launched and self.knows(k) for k, c in enumerate(self.model.competitors))
                    and self.random.random() < conversion[self.channel])
        if self.state != AWARE and self.state != RESERVED:
            return False
        if self.random.random() < conversion[self.channel]:
            return True
        return presale and self.state == RESERVED

    def utilities(self, day: "DayContext", *, price: float, gift_value: float, taste: float = 0.0) -> list[float]:
        """Utilities of ours, each competitor, waiting and nothing (in money).

        ``taste`` is a strategic shopper's taste for ours before the launch under
        ``presale_decision: option``: it is added to the valuation of ours and of waiting for ours.
        """
        value = self.valuation if day.phase < Phase.LAUNCH else self.valuation_real
        rival_value = value
        value = value + taste
        ps = self.price_sensitivity
        factor = day.member_factor if self.is_member else 1.0
        knows_ours = self.state != UNAWARE
        if not knows_ours:
            ours = -math.inf
        elif day.phase == Phase.BALANCE:           # ours at the launch: waiting for it
            wait = day.launch_day - day.day
            ours = (value * self.patience ** wait - ps * day.launch_price * factor
                    if day.launch_price is not None else -math.inf)
        else:
            discounted = value * self.patience ** day.delay if day.delay else value
            ours = discounted - ps * price + gift_value - (1.0 - self.trust) * (price if day.prepay_at_risk else 0.0)
        plans = day.plans_ahead and self.is_strategic and knows_ours
        if plans and ours > -math.inf and day.phase != Phase.BALANCE:   # prepay: nothing is settled later
            sd, mean = day.noise[self.segment]
            ours += mean * (self.patience ** day.delay if day.delay else 1.0)
        out = [ours]
        for k, comp in enumerate(day.competitors):
            known = comp is not None and self.knows(k)
            out.append(rival_value + comp[1] + self.loyalty - ps * comp[0] if known else -math.inf)
        if plans and day.all_later_steps:
            out.append(self.expected_best_later(day, factor, taste))
        elif day.wait_open and self.is_strategic and knows_ours:
            out.append(max(self.patience ** d * (value - ps * p * factor) for p, d in day.later_steps))
        else:
            out.append(-math.inf)
        if plans and day.phase != Phase.BALANCE and out[0] <= out[-1]:
            out[0] = -math.inf                     # an order worth no more than waiting is not placed
        out.append(day.outside_utility)
        return out

    def expected_best_later(self, day: "DayContext", factor: float, taste: float = 0.0) -> float:
        """E[max(u0, max_t patience^t (V - ps p_t))] over the normal realised valuation V.

        Line by line: the interval of V on which each later step (or nothing) is the best,
        and the normal integral of that line over it.
        """
        sd, mean = day.noise[self.segment]
        mu = self.valuation + taste + mean
        lines = [(self.patience ** d, self.patience ** d * self.price_sensitivity * p * factor)
                 for p, d in day.all_later_steps] + [(0.0, -day.outside_utility)]

        def integral(a: float, b: float, x: float) -> float:   # E[(a V - b) 1{V >= x}]
            if x == math.inf:
                return 0.0
            if x == -math.inf or sd == 0:
                return a * mu - b if mu >= x else 0.0
            z = (mu - x) / sd
            tail = 0.5 * math.erfc(-z / math.sqrt(2))
            return a * (mu * tail + sd * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)) - b * tail

        total = 0.0
        for k, (a, b) in enumerate(lines):
            lo, hi = -math.inf, math.inf
            for j, (a2, b2) in enumerate(lines):
                if j == k:
                    continue
                if a2 == a:
                    if b2 < b or (b2 == b and j < k):
                        hi = -math.inf
                elif a2 > a:
                    hi = min(hi, (b - b2) / (a - a2))
                else:
                    lo = max(lo, (b - b2) / (a - a2))
            if lo < hi:
                total += integral(a, b, lo) - integral(a, b, hi)
        return total

    def choose(self, day: "DayContext") -> tuple[int, float, float]:
        """Today's choice (alternative index), the price it would pay and the gift cost."""
        factor = day.member_factor if self.is_member else 1.0
        price = day.price * factor
        gift_value, gift_cost = day.gifts(self)
        if day.plans_ahead and day.scale > 0 and self.is_strategic and self.state != UNAWARE:
            return self.choose_on_taste(day, price=price, gift_value=gift_value), price, gift_cost
        util = self.utilities(day, price=price, gift_value=gift_value)
        best = max(util)
        weights = [math.exp((u - best) / day.scale) if u > -math.inf else 0.0 for u in util]
        threshold = self.random.random() * sum(weights)
        acc = 0.0
        for k, w in enumerate(weights):
            acc += w
            if acc > threshold:
                return k, price, gift_cost
        return len(weights) - 1, price, gift_cost

    def choose_on_taste(self, day: "DayContext", *, price: float, gift_value: float) -> int:
        """A strategic shopper before the launch under the option rule: an explicit Gumbel taste
        for ours inside the worth of ordering and of waiting, and an explicit Gumbel on each
        other alternative; the best one is chosen."""
        gumbel = lambda: -math.log(-math.log(1.0 - self.random.random()))   # noqa: E731
        util = self.utilities(day, price=price, gift_value=gift_value, taste=day.scale * gumbel())
        tasted = (0, len(util) - 2)
        noisy = [u if k in tasted else (u + day.scale * gumbel() if u > -math.inf else -math.inf)
                 for k, u in enumerate(util)]
        best = max(noisy)
        return next(k for k, u in enumerate(noisy) if u == best)

    # -- orders ---------------------------------------------------------------------
    def pay(self, amount: float) -> None:
        model = self.model
        self.paid += amount
        model.ledger.book("cash_in", model.day, amount * model.weight)
        model.ledger.book("fees", model.day, model.fee_rate[self.channel] * amount * model.weight)

    def refund(self, new_state: int) -> None:
        model = self.model
        model.ledger.book("refunds", model.day, self.paid * model.weight)
        model.ledger.book("fees", model.day, -model.fee_back_rate[self.channel] * self.paid * model.weight)
        self.paid = 0.0
        self.state = new_state

    def receive(self) -> None:
        """A unit is handed over; the consumer may send it back later."""
        model = self.model
        self.state = DELIVERED
        model.stock -= 1
        model.ledger.book("shipped", model.day, model.weight)
        if self.random.random() < model.p_return:
            self.return_day = model.day + model.return_delay

    def maybe_return(self, *, closing: bool = False) -> None:
        """Send the product back if today is the day (at the close: if it is due later)."""
        model = self.model
        if self.state == DELIVERED and (self.return_day == model.day or (closing and self.return_day > model.day)):
            self.refund(RETURNED)
            model.ledger.book("returned", model.day, model.weight)
            model.ledger.book("salvage", model.day, model.weight * model.salvage_value)


class DayContext:
    """The public side of today's market, as one consumer sees it."""

    def __init__(self, model: "ReferenceModel"):
        offer = model.seller.offer
        strat = model.seller.strategy
        self.phase = Phase(int(model.phase[model.day]))
        self.day = model.day
        self.launch_day = model.campaign.calendar.launch_day
        self.launch_price = float(model.seller.path[self.launch_day]) if self.launch_day < model.horizon else None
        self.price = float(offer.price)
        self.member_factor = 1.0 - strat.pricing.member_discount
        self.delay = max(model.ship_day - model.day, 0) if self.phase < Phase.LAUNCH else 0
        self.prepay_at_risk = self.phase < Phase.LAUNCH
        self.competitors = [(c.price, c.appeal) if c.is_launched else None for c in model.competitors]
        self.later_steps = [(p, d) for p, d in offer.later_steps if p < offer.price and d > 0]
        self.wait_open = bool(self.later_steps)
        choice = model.campaign.market.choice
        self.plans_ahead = self.phase < Phase.LAUNCH and choice.presale_decision == "option"
        self.all_later_steps = [(p, d) for p, d in offer.later_steps if d > 0]
        self.noise = [_noise(s.valuation_noise) for s in model.campaign.market.segments.values()]
        self.scale = float(choice.logit_scale)
        self.outside_utility = float(choice.outside_utility)
        self._gifts = [p for _, p in offer.promotions if p.kind == "gift"]
        self._segment_ids, self._channel_ids = model.segment_ids, model.channel_ids

    def gifts(self, consumer: Consumer) -> tuple[float, float]:
        """Value and cost of the gifts this consumer would get."""
        value = cost = 0.0
        for p in self._gifts:
            if p.segments is not None and consumer.segment not in [self._segment_ids[s] for s in p.segments]:
                continue
            if p.channels is not None and consumer.channel not in [self._channel_ids[c] for c in p.channels]:
                continue
            if p.members_only and not consumer.is_member:
                continue
            value += p.value
            cost += p.cost
        return value, cost


class ReferenceModel(mesa.Model):
    """The campaign with one :class:`Consumer` agent per consumer.

    Parameters
    ----------
    scenario
        A scenario whose replication-level distributions are drawn (``Replication.scenario``).
    strategy
        Name of the strategy to play (see :func:`check_supported`).
    population
        The consumers to copy into agents (``Replication.population``).
    seed
        Seed of the model's random numbers.
    """

    def __init__(self, scenario, strategy: str, *, population: Population, seed: int = 0):
        super().__init__(rng=seed)
        self.campaign = scenario
        strat = scenario.strategies[strategy]
        check_supported(strat, scenario)
        cal = scenario.calendar
        self.phase = phase_by_day(cal)
        self.horizon = cal.horizon_days
        self.day = 0
        self.channel_names = list(scenario.channels)
        self.segment_ids = {name: i for i, name in enumerate(scenario.market.segments)}
        self.channel_ids = {name: i for i, name in enumerate(self.channel_names)}
        self.n = population.n
        self.weight = float(scenario.market.size) / self.n
        self.ledger = Ledger(self.horizon, list(scenario.competitors))
        self.seller = SellerAgent(self, strat, list_price=strat.pricing.list_price or scenario.product.list_price)
        self.competitors = [CompetitorAgent(self, name, spec) for name, spec in scenario.competitors.items()]
        self.rating = float(scenario.product.rating)
        self.p_return = p_return(self.rating, scenario.product.returns)
        self.return_delay = scenario.product.returns.delay_days
        self.salvage_value = scenario.product.salvage_value
        self.ship_day = strat.fulfilment.promised_ship_day
        if self.ship_day is None:
            self.ship_day = cal.launch_day
        self.first_stockout_day = None
        ch = scenario.channels
        self.conversion = [ch[c].conversion for c in self.channel_names]
        self.fee_rate = [ch[c].fee_rate for c in self.channel_names]
        self.fee_back_rate = [ch[c].fee_rate * ch[c].fee_refunded_with_refund for c in self.channel_names]
        self.per_contact = np.array([ch[c].awareness_per_contact for c in self.channel_names])
        columns = (population.segment, population.channel, population.is_member, population.is_strategic,
                   population.is_reachable, population.valuation, population.valuation_real,
                   population.price_sensitivity, population.deal_proneness, population.patience,
                   population.trust, population.loyalty, population.initial_state)
        self.consumers = [Consumer(self, attrs) for attrs in zip(*(c.tolist() for c in columns))]
        reachable = np.zeros(len(self.channel_names))
        for c in self.consumers:
            if c.is_reachable:
                reachable[c.channel] += self.weight
        self.reachable_market = reachable
        inv = strat.inventory
        self.stock = inv.initial_stock / self.weight
        self.ledger.book("cogs", 0, inv.initial_stock * scenario.product.unit_cost)
        self.arrivals = np.zeros(self.horizon)
        if inv.production.rule == "fixed":
            self.order_production(inv.production.quantity, inv.production.order_day)

    def order_production(self, quantity: float, day: int) -> None:
        """Schedule production (called by the seller agent)."""
        inv = self.seller.strategy.inventory
        self.arrivals += arrivals(quantity, order_day=day, lead_time_days=float(inv.lead_time_days),
                                  daily_capacity=inv.daily_capacity, horizon_days=self.horizon)

    def note_stockout(self) -> None:
        if self.first_stockout_day is None:
            self.first_stockout_day = self.day

    # -- the day ----------------------------------------------------------------------
    def step(self) -> None:
        self.day = self.steps - 1
        self.seller.step()
        for competitor in self.competitors:
            competitor.step()
        made = self.arrivals[self.day]
        if made > 0:
            self.stock += made / self.weight
            self.ledger.book("produced", self.day, made)
            self.ledger.book("cogs", self.day, made * self.campaign.product.unit_cost)
        self._awareness()
        self._cancel_while_waiting()
        if self.day >= self.ship_day:
            self._ship()
        for c in self.consumers:
            c.maybe_return()
        self._shop()
        self._end_of_day()

    def _awareness(self) -> None:
        aw = self.campaign.market.awareness
        adopters = (sum(1 for c in self.consumers if DEPOSITED <= c.state <= DELIVERED)
                    + aw.reservation_weight * sum(1 for c in self.consumers if c.state == RESERVED))
        rate = ad_innovation_rate(self.seller.offer.contacts, self.per_contact, self.reachable_market)
        q = imitation_rate(float(aw.imitation), self.rating, effect=aw.wom_rating_effect,
                           reference=aw.wom_reference_rating)
        innovation = float(aw.innovation) + np.stack([np.zeros_like(rate), rate], axis=1)
        hazard = bass_hazard(innovation, q, adopters / self.n).ravel().tolist()
        for c in self.consumers:
            c.hear(hazard)

    def _cancel_while_waiting(self) -> None:
        ful = self.seller.strategy.fulfilment
        if not ful.cancellation_right or ful.cancel_share_30_days <= 0:
            return
        for c in self.consumers:
            if c.state == PAID and self.random.random() < p_cancel_waiting(self.day - c.order_day,
                                                                            ful.cancel_share_30_days):
                c.refund(CANCELLED)
                self.ledger.book("cancellations", self.day, self.weight)

    def _ship(self) -> None:
        led, day, w = self.ledger, self.day, self.weight
        waiting = [c for c in self.consumers if c.state == PAID]
        if not waiting:
            return
        waiting.sort(key=lambda c: c.order_day)          # first come first served (stable)
        room = int(math.floor(self.stock + 1e-9))
        served, still = waiting[:room], waiting[room:]
        for c in served:
            c.receive()
        if day > self.ship_day:
            led.book("late_shipped", day, len(served) * w)
        if not still:
            return
        self.note_stockout()
        ful = self.seller.strategy.fulfilment
        if ful.cancellation_right and day > self.ship_day + ful.late_tolerance_days:
            for c in still:
                if self.random.random() < ful.p_cancel_per_late_day:
                    c.refund(CANCELLED)
                    led.book("cancellations", day, w)
                    led.book("late_cancellations", day, w)

    def _shop(self) -> None:
        ctx = DayContext(self)
        led, day, w = self.ledger, self.day, self.weight
        presale = ctx.phase == Phase.PRESALE
        shoppers = [(c, *c.choose(ctx)) for c in self.consumers if c.visits(self.conversion, presale)]
        n_comp = len(self.competitors)
        wants = [s for s in shoppers if s[1] == 0]
        if ctx.phase == Phase.WARMUP:
            for c, *_ in wants:
                if c.state != RESERVED:
                    c.state = RESERVED
                    led.book("reservations", day, w)
            wants = []
        elif ctx.phase == Phase.BALANCE:                     # choosing ours is waiting for the launch
            wants = []
        self.random.shuffle(wants)                           # the queue for limited places
        cap = self.stock if ctx.phase >= Phase.LAUNCH else self.seller.offer.order_capacity / w
        room = len(wants) if len(wants) <= cap + 1e-9 else int(math.floor(cap + 1e-9))
        buyers, turned = wants[:room], wants[room:]
        for c, _, price, gift_cost in buyers:
            if c.turned_away_day >= 0:                       # not a lost sale after all
                led.book("lost_sales", c.turned_away_day, -w)
                c.turned_away_day = -1
            c.order_day = day
            c.price_agreed = price
            c.state = PAID
            c.pay(price)
            led.book("orders", day, w)
            led.book("gift_cost", day, gift_cost * w)
            if presale:
                led.book("presale_orders", day, w)
                self.seller.presale_orders += w
            if ctx.phase >= Phase.LAUNCH:
                c.receive()
        choice = self.campaign.market.choice
        if turned and ctx.phase >= Phase.LAUNCH:
            self.note_stockout()
        for c, *_ in turned:
            if c.turned_away_day < 0:
                c.turned_away_day = day
                led.book("lost_sales", day, w)
            u = self.random.random()
            if u < choice.stockout_switch_share:
                util = c.utilities(ctx, price=0.0, gift_value=0.0)[1:1 + n_comp]
                best = max(range(n_comp), key=util.__getitem__) if n_comp else None
                if best is not None and util[best] > -math.inf:
                    c.state = COMPETITOR
                    led.competitor_sales[self.competitors[best].name][day] += w
                else:
                    c.state = LEFT
            elif u >= choice.stockout_switch_share + choice.stockout_wait_share:
                c.state = LEFT
        for c, k, _, _ in shoppers:
            if 1 <= k <= n_comp:
                c.stranger = c.state == UNAWARE
                c.state = COMPETITOR
                led.competitor_sales[self.competitors[k - 1].name][day] += w
            elif k == n_comp + 2 and c.state != UNAWARE and self.random.random() < choice.leave_rate:
                c.state = LEFT

    def _end_of_day(self) -> None:
        day, w, led = self.day, self.weight, self.ledger
        strat = self.seller.strategy
        stock_units = self.stock * w
        led.set_level("stock", day, stock_units)
        led.book("holding", day, stock_units * strat.inventory.holding_cost_per_unit_day)
        led.set_level("aware", day, sum(1 for c in self.consumers if c.state != UNAWARE and not c.stranger) * w)
        led.set_level("price", day, self.seller.path[day])

    def run(self) -> None:
        """Every day of the campaign, then its close."""
        self.run_for(self.horizon)
        self.day = last = self.horizon - 1
        for c in self.consumers:
            c.maybe_return(closing=True)
            if c.state == PAID:
                c.refund(CANCELLED)
                self.ledger.book("cancellations", last, self.weight)
                self.ledger.book("undelivered", last, self.weight)
        self.ledger.book("salvage", last, self.stock * self.weight * self.salvage_value)


def reference_outcomes(model: ReferenceModel) -> dict[str, float]:
    """The outcomes compared with the engine's (same names as its metrics)."""
    led = model.ledger
    return {
        "units_sold": led.total("shipped"),
        "revenue_gross": led.total("cash_in"),
        "units_presold": led.total("presale_orders"),
        "n_returns": led.total("returned"),
        "lost_sales": led.total("lost_sales"),
        "competitor_units": float(sum(v.sum() for v in led.competitor_sales.values())),
        "channel_fees": led.total("fees"),
        "aware_share": sum(1 for c in model.consumers if c.state != UNAWARE and not c.stranger) / model.n,
        "profit": float(led.cash()[-1]),
    }
