"""Scenario sections that describe the world: run settings, calendar, product,
market (segments, awareness, choice), channels and competitors.

A ``Number`` field may be a distribution; it is drawn once per replication.
Consumer attributes of a segment (:class:`Segment`) are the exception: a
distribution there is the spread *across consumers* of that segment.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from .base import Section
from .distributions import Number

__all__ = [
    "RunSettings", "Calendar", "ReturnCurve", "Product", "Segment", "Awareness", "Choice",
    "Market", "Channel", "MatchPrice", "CounterPromotion", "Competitor", "CONSUMER_ATTRIBUTES",
]

Share = Annotated[float, Field(ge=0, le=1)]
NonNeg = Annotated[float, Field(ge=0)]
Day = Annotated[int, Field(ge=0)]


class RunSettings(Section):
    """How to run: seed, replications and simulated population size."""

    seed: Annotated[int, Field(ge=0)] = 0
    replications: Annotated[int, Field(ge=1)] = 100
    population: Annotated[int, Field(ge=1)] | None = None
    """Simulated consumers; ``None`` simulates the whole market one to one.
    With fewer, each simulated consumer stands for ``market.size / population``
    real ones and money and units are reported at market scale."""


class Calendar(Section):
    """Campaign days (0-based). Warm-up runs from day 0 to ``presale_start_day``;
    presale until ``balance_start_day``; the balance window until ``launch_day``;
    the launch burst lasts ``burst_days``; the regular sale runs to ``horizon_days``."""

    presale_start_day: Day
    balance_start_day: Day
    launch_day: Day
    burst_days: Day = 3
    horizon_days: Annotated[int, Field(ge=1)]


class ReturnCurve(Section):
    """Return probability as a function of the product rating (linear between points,
    flat outside them)."""

    ratings: list[float] = Field(default_factory=lambda: [4.2, 4.8], min_length=1)
    p_return: list[Share] = Field(default_factory=lambda: [0.18, 0.045], min_length=1)
    delay_days: Day = 7
    """Days between delivery and the return."""


class Product(Section):
    """The product on presale."""

    list_price: Annotated[float, Field(gt=0)]
    unit_cost: NonNeg
    rating: Number = 4.6
    salvage_value: NonNeg = 0.0
    """Money recovered per unit left over at the horizon or returned."""
    returns: ReturnCurve = Field(default_factory=ReturnCurve)


class Segment(Section):
    """A consumer segment. Numeric attributes are per-consumer distributions."""

    share: Share
    valuation: Number
    """Expected willingness to pay (money) known before the product ships."""
    valuation_noise: Number = 0.0
    """Added to the expected valuation to give the realised valuation, revealed
    before the balance is due."""
    price_sensitivity: Number = 1.0
    deal_proneness: Number = 0.0
    """Extra utility per unit of money saved by a promotion."""
    patience: Number = 1.0
    """Discount factor per day of waiting (1 = indifferent to delay)."""
    trust: Number = 1.0
    """Trust in presale delivery, 0..1: a share ``1 - trust`` of money paid ahead
    is felt as at risk."""
    competitor_loyalty: Number = 0.0
    """Extra utility (money) for competitors' products."""
    strategic_share: Share = 0.0
    membership_share: Share = 0.0
    channel_preference: dict[str, Share]
    """Share of the segment whose home channel is each channel (sums to 1)."""


CONSUMER_ATTRIBUTES = (
    "valuation", "valuation_noise", "price_sensitivity", "deal_proneness", "patience",
    "trust", "competitor_loyalty",
)


class Awareness(Section):
    """Bass-style awareness: innovation from advertising, imitation from adopters."""

    initial_aware_share: Share = 0.0
    innovation: Number = 0.0
    """Organic innovation rate per day, on top of advertising."""
    imitation: Number = 0.0
    """Word-of-mouth rate q per day (hazard q * adopters / market)."""
    reservation_weight: Share = 0.5
    """Word of mouth of a reservation (种草) relative to an order: a reserved consumer counts as
    this fraction of an adopter, so imitation works during the warm-up too."""
    wom_rating_effect: float = 0.0
    """Imitation is multiplied by max(0, 1 + effect * (rating - reference))."""
    wom_reference_rating: float = 4.5


class Choice(Section):
    """The daily random-utility choice of an aware consumer."""

    logit_scale: NonNeg = 50.0
    """Money per unit of logit noise; 0 chooses the best option deterministically."""
    outside_utility: float = 0.0
    presale_decision: Literal["option", "myopic"] = "option"
    """How consumers who know the announced price path (``strategic_share``) weigh a presale
    order before the launch. ``option``: as a participation condition under
    valuation uncertainty, the order worth ``E[(V - B)+] - d`` (they walk away from the
    balance ``B`` if the realised valuation ``V`` falls short) against waiting to learn ``V``
    and paying the announced later price, ``E[max(outside_utility, max_t patience^t (V - p_t))]``;
    their logit noise of ours is a taste for ours drawn into ``V`` (both values are taken at the
    expected valuation plus the taste, and a depositor keeps the taste at the balance), while
    rivals and nothing keep their logit noise. ``myopic``: the expected valuation against the
    effective price, and waiting with the expected valuation too. Other consumers always use
    the expected valuation. ``option`` is the default: ``myopic`` orders ahead on the expected valuation and
    overstates strategic consumers' presale orders when a cheaper later price is announced."""
    leave_rate: Share = 0.0
    """Probability that a consumer who buys nothing today leaves the market."""
    stockout_switch_share: Share = 0.3
    """Share of buyers turned away by a stockout who buy a competitor's product."""
    stockout_wait_share: Share = 0.3
    """Share of them who stay and try again later; the rest leave."""


class Market(Section):
    """The addressable market."""

    size: Number
    segments: dict[str, Segment] = Field(min_length=1)
    awareness: Awareness = Field(default_factory=Awareness)
    choice: Choice = Field(default_factory=Choice)


class Channel(Section):
    """A sales and advertising channel."""

    reach: Share = 1.0
    """Share of the channel's consumers its advertising can reach."""
    conversion: Share = 1.0
    """Probability that an aware consumer of this channel shops on a given day."""
    fee_rate: Share = 0.0
    """Commission on money received through this channel."""
    fee_refunded_with_refund: bool = True
    """A refund reverses the commission charged on the money it returns (platform and KOL
    commissions settle on net sales); ``false`` when the channel keeps it."""
    cost_per_contact: Annotated[float, Field(gt=0)] = 1.0
    awareness_per_contact: Share = 1.0
    """Probability that a contact makes an unaware consumer aware."""


class MatchPrice(Section):
    """Follow our price down: after ``delay_days`` set price to ours less ``undercut``."""

    kind: Literal["match_price"]
    delay_days: Day = 3
    undercut: Share = 0.0


class CounterPromotion(Section):
    """Answer our promotion with ``percent_off`` after ``delay_days``."""

    kind: Literal["counter_promotion"]
    delay_days: Day = 2
    percent_off: Share = 0.1
    duration_days: Annotated[int, Field(ge=1)] = 3


Reaction = Annotated[Union[MatchPrice, CounterPromotion], Field(discriminator="kind")]


class RivalAwareness(Section):
    """Who knows a rival product: its own reach, advertising and word of mouth.

    A consumer can choose the rival only once they know it, whether or not they
    know ours; knowing ours does not make them know the rival.
    """

    initial_share: Share = 1.0
    """Share of the market that knows the rival on day 0 (1: an established product everyone knows)."""
    innovation: Number = 0.0
    """Daily rate at which a consumer who does not know the rival learns of it (its advertising)."""
    imitation: Number = 0.0
    """Word-of-mouth rate q per day: hazard q * (rival buyers so far) / market."""


class Competitor(Section):
    """A rival product."""

    price: Number
    appeal: Number = 0.0
    """Utility (money) of the rival product relative to ours."""
    awareness: RivalAwareness = Field(default_factory=RivalAwareness)
    launch_day: Day = 0
    price_floor: NonNeg | None = None
    reactions: list[Reaction] = Field(default_factory=list)
