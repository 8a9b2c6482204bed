"""The seller and the competitors as Mesa agents.

They are thin: each day they decide the public side of the market (prices,
promotions, advertising, production) by calling the pure functions of
:mod:`simulation.market`; the model applies those decisions to consumers.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from ..market.calendar import Phase
from ..market.competition import reacted_price, rival_hazard, rival_initial_hazard
from ..market.inventory import signal_quantity
from ..market.pricing import TierOffer, later_prices, later_steps, public_price_path, tier_offer

__all__ = ["Offer", "SellerAgent", "CompetitorAgent"]


@dataclass(frozen=True)
class Offer:
    """The seller's public offer for one day."""

    phase: Phase
    price: float                    # regular price today (non-member, before promotions)
    limited: TierOffer              # presale tiers: a chain of (price, orders left) levels
    promotions: tuple               # (index, promotion) pairs active today
    units_left: np.ndarray          # per promotion: flash-sale orders left (market scale), inf if unlimited
    budget_left: np.ndarray         # per promotion: discount budget left (money, market scale), inf if none
    order_capacity: float           # presale orders left (market scale), inf if unlimited
    contacts: np.ndarray            # ad contacts bought per channel today (market scale)
    later_price: float              # lowest later open-sale price announced
    later_days: int                 # days until it
    later_steps: tuple              # (price, days ahead) of each later price worth waiting for


class SellerAgent(mesa.Agent):
    """Plays the strategy: prices, tiers, promotions, advertising and production."""

    def __init__(self, model, strategy, *, list_price: float):
        super().__init__(model)
        self.strategy = strategy
        self.list_price = list_price
        self.presale_price = strategy.pricing.presale_price or list_price
        self.path = public_price_path(strategy.pricing, list_price, model.phase)
        self.later, self.later_days = later_prices(self.path, model.phase)
        self.later_steps = later_steps(self.path, model.phase)
        n_promos = len(strategy.promotions)
        self.promo_spent = np.zeros(n_promos)
        self.flash_sold = np.zeros(n_promos)
        self.promo_closed = np.zeros(n_promos, dtype=bool)   # stopped: a buyer found it used up
        self.budget = np.array([np.inf if p.budget is None else p.budget for p in strategy.promotions])
        self.quantity = np.array([p.quantity if p.kind == "flash_sale" and p.quantity is not None else np.inf
                                  for p in strategy.promotions])
        self.presale_orders = 0.0
        self.price_history: list[float] = []
        self.promo_history: list[bool] = []
        self.offer: Offer | None = None
        self._contacts, self._spend = self._ad_plan(model.phase)

    def _active_promotions(self, day: int) -> tuple:
        out = []
        for i, p in enumerate(self.strategy.promotions):
            if not p.start_day <= day < p.end_day or self.promo_closed[i]:
                continue
            if self.promo_spent[i] >= self.budget[i] or self.flash_sold[i] >= self.quantity[i]:
                continue
            out.append((i, p))
        return tuple(out)

    def _ad_plan(self, phases: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Contacts bought per channel (rows: days) and money spent, each day: the plan is fixed.

        Each phase's budgets buy the same contacts every day of the phase; an event adds its
        contacts and cost on its day.
        """
        names = self.model.channel_names
        per_phase, spend_per_phase = np.zeros((len(Phase), len(names))), np.zeros(len(Phase))
        for phase in Phase:
            for ch, budget in self.strategy.marketing.budget.items():
                amount = getattr(budget, phase.label)
                per_phase[phase, names.index(ch)] += amount / self.model.campaign.channels[ch].cost_per_contact
                spend_per_phase[phase] += amount
        phases = np.asarray(phases, dtype=np.intp)
        contacts, spend = per_phase[phases], spend_per_phase[phases]
        for ev in self.strategy.marketing.events:
            if 0 <= ev.day < phases.shape[0]:
                contacts[ev.day, names.index(ev.channel)] += ev.contacts
                spend[ev.day] += ev.cost
        contacts.flags.writeable = False
        return contacts, spend

    def step(self) -> None:
        """Set today's offer, book advertising, and order production when due."""
        model = self.model
        day = model.day
        phase = Phase(int(model.phase[day]))
        cal = model.campaign.calendar
        if phase == Phase.PRESALE:
            limited = tier_offer(self.strategy.pricing.early_bird, self.presale_price,
                                 presale_day=day - cal.presale_start_day, orders=self.presale_orders)
        else:
            limited = TierOffer.flat(self.path[day])
        promos = self._active_promotions(day)
        cap = self.strategy.pricing.presale_quantity
        contacts, spend = self._contacts[day], float(self._spend[day])
        model.ledger.book("marketing", day, spend)
        self.offer = Offer(
            phase=phase, price=limited.price, limited=limited, promotions=promos,
            units_left=self.quantity - self.flash_sold, budget_left=self.budget - self.promo_spent,
            order_capacity=np.inf if cap is None else max(cap - self.presale_orders, 0.0),
            contacts=contacts, later_price=float(self.later[day]), later_days=int(self.later_days[day]),
            later_steps=self.later_steps[day],
        )
        self.price_history.append(float(self.path[day]))
        self.promo_history.append(bool(promos))
        production = self.strategy.inventory.production
        if production.rule == "presale_signal" and day == cal.balance_start_day:
            model.order_production(signal_quantity(production, self.presale_orders), day)

    def record_sales(self, *, by_promotion: np.ndarray, units_by_promotion: np.ndarray,
                     presale_orders: float, stopped: np.ndarray) -> None:
        """Count what today's sales used of budgets, flash quantities and tiers (market scale).

        ``by_promotion`` is the discount each promotion gave, ``units_by_promotion``
        the orders whose price it lowered, and ``stopped`` masks the promotions that
        ran out in front of a buyer today (closed for the rest of the campaign).
        """
        self.promo_spent += by_promotion
        self.flash_sold += np.where(np.isfinite(self.quantity), units_by_promotion, 0.0)
        self.promo_closed |= stopped
        self.presale_orders += presale_orders


class CompetitorAgent(mesa.Agent):
    """A rival product with a price that reacts to ours and a market of its own.

    Consumers know the rival through its own awareness process (an initial share,
    its advertising and its buyers' word of mouth), independent of ours: its
    cumulative hazard ``known_hazard`` grows day by day, and a consumer knows the
    rival once it reaches their threshold (:meth:`DrawCache.rival_thresholds`).
    """

    def __init__(self, model, name: str, spec):
        super().__init__(model)
        self.name = name
        self.spec = spec
        self.price = float(spec.price)
        self.appeal = float(spec.appeal)
        aw = spec.awareness
        self.known_hazard = rival_initial_hazard(float(aw.initial_share))
        self._innovation, self._imitation = float(aw.innovation), float(aw.imitation)
        self._market = float(model.campaign.market.size)
        self.everyone_knows = not np.isfinite(self.known_hazard)
        self._known: np.ndarray | None = None     # who knows the rival (by threshold <= hazard), kept day by day
        self._known_count, self._known_at = 0, None

    def knows(self, idx: np.ndarray) -> np.ndarray:
        """Mask of consumers ``idx`` who know the rival today."""
        if self.everyone_knows:
            return np.ones(idx.shape[0], dtype=bool)
        if self._known is None or self._known_at != self.known_hazard:
            self._update_known()
        return self._known[idx]

    def _update_known(self) -> None:
        """Mark the consumers whose threshold the cumulative hazard has reached since the last update."""
        thresholds, order = self.model.draws.rival_thresholds(self.name)
        if self._known is None:
            self._known = np.zeros(order.shape[0], dtype=bool)
        reached = int(np.searchsorted(thresholds, self.known_hazard, side="right"))
        self._known[order[self._known_count:reached]] = True
        self._known_count, self._known_at = reached, self.known_hazard

    def _spread_awareness(self) -> None:
        day = self.model.day
        buyers = float(self.model.ledger.competitor_sales[self.name][:day].sum())
        self.known_hazard += rival_hazard(self._innovation, self._imitation, buyers / self._market)

    @property
    def is_launched(self) -> bool:
        """Whether the rival product is on sale today."""
        return self.model.day >= self.spec.launch_day

    def step(self) -> None:
        """Spread awareness of the rival, then set today's price from the reaction rules."""
        if not self.everyone_knows:
            self._spread_awareness()
        seller = self.model.seller
        if not self.is_launched:       # announced price; no reactions before the launch
            self.price = float(self.spec.price)
            self.model.ledger.competitor_price[self.name][self.model.day] = self.price
            return
        self.price = reacted_price(
            float(self.spec.price), self.spec.reactions, day=self.model.day,
            our_prices=seller.price_history, our_promo_days=seller.promo_history,
            floor=self.spec.price_floor,
        )
        self.model.ledger.competitor_price[self.name][self.model.day] = self.price
