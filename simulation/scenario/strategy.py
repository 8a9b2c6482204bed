"""Strategy levers: what the seller controls. A strategy holds only levers."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from .base import Section
from .distributions import Number

__all__ = [
    "Tier", "PricePoint", "Pricing", "Deposit", "Promotion", "PhaseBudget", "AdEvent",
    "Marketing", "FixedProduction", "SignalProduction", "Inventory", "Fulfilment", "Strategy",
]

Share = Annotated[float, Field(ge=0, le=1)]
NonNeg = Annotated[float, Field(ge=0)]
Money = Annotated[float, Field(gt=0)]
Day = Annotated[int, Field(ge=0)]


class Tier(Section):
    """An early-bird tier: ``price`` for the first ``first_orders`` presale orders
    (market scale) or during the first ``first_days`` presale days."""

    price: Money
    first_orders: Annotated[float, Field(gt=0)] | None = None
    first_days: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _one_limit(self):
        if (self.first_orders is None) == (self.first_days is None):
            raise ValueError("give exactly one of first_orders or first_days")
        return self


class PricePoint(Section):
    """From ``day`` on, the open-sale price is ``price`` (markdowns, price moves)."""

    day: Day
    price: Money


class Pricing(Section):
    """Prices."""

    list_price: Money | None = None
    """Overrides ``product.list_price``."""
    presale_price: Money | None = None
    """Price of a presale order; defaults to the list price."""
    early_bird: list[Tier] = Field(default_factory=list)
    schedule: list[PricePoint] = Field(default_factory=list)
    member_discount: Share = 0.0
    """Members pay ``(1 - member_discount)`` of every price."""
    presale_quantity: Annotated[float, Field(gt=0)] | None = None
    """Cap on presale orders (market scale); the presale closes when reached."""


class Deposit(Section):
    """A deposit (定金) paid at presale, credited ``inflation`` times at balance."""

    amount: Money
    inflation: Annotated[float, Field(ge=1)] = 1.0
    refundable: bool = False


class _Promo(Section):
    name: str | None = None
    start_day: Day
    end_day: Day
    """First day after the promotion (exclusive)."""
    segments: list[str] | None = None
    channels: list[str] | None = None
    members_only: bool = False
    budget: Money | None = None
    """Cap on the discount given (money, market scale); the promotion stops when spent."""

    @model_validator(mode="after")
    def _window(self):
        if self.end_day <= self.start_day:
            raise ValueError(f"end_day ({self.end_day}) must be after start_day ({self.start_day})")
        return self


class PercentOff(_Promo):
    kind: Literal["percent_off"]
    rate: Share


class AmountOff(_Promo):
    kind: Literal["amount_off"]
    amount: Money


class Threshold(_Promo):
    """Spend-threshold discount (满减): ``amount`` off per ``threshold`` spent
    (``stackable``) or once when the price reaches ``threshold``."""

    kind: Literal["threshold"]
    threshold: Money
    amount: Money
    stackable: bool = False


class Coupon(_Promo):
    """Targeted coupon: issued to ``issue_share`` of the targeted consumers,
    redeemed with probability ``p_redeem`` when they buy."""

    kind: Literal["coupon"]
    amount: Money
    issue_share: Share = 1.0
    p_redeem: Share = 1.0


class FlashSale(_Promo):
    """A special ``price`` for the first ``quantity`` orders in the window."""

    kind: Literal["flash_sale"]
    price: Money
    quantity: Annotated[float, Field(gt=0)] | None = None


class Gift(_Promo):
    """A gift with each order: worth ``value`` to the consumer, costs ``cost``."""

    kind: Literal["gift"]
    value: NonNeg
    cost: NonNeg


Promotion = Annotated[
    Union[PercentOff, AmountOff, Threshold, Coupon, FlashSale, Gift], Field(discriminator="kind")
]


class PhaseBudget(Section):
    """Advertising spend per day in each phase (money, market scale)."""

    warmup: NonNeg = 0.0
    presale: NonNeg = 0.0
    balance: NonNeg = 0.0
    launch: NonNeg = 0.0
    after: NonNeg = 0.0


class AdEvent(Section):
    """A one-day event (KOL livestream, launch show) buying ``contacts`` for ``cost``."""

    channel: str
    day: Day
    contacts: NonNeg
    cost: NonNeg


class Marketing(Section):
    """Advertising by channel and phase, plus one-off events."""

    budget: dict[str, PhaseBudget] = Field(default_factory=dict)
    events: list[AdEvent] = Field(default_factory=list)


class FixedProduction(Section):
    """Order ``quantity`` units on ``order_day``."""

    rule: Literal["fixed"]
    quantity: NonNeg = 0.0
    order_day: Day = 0


class SignalProduction(Section):
    """When the presale closes, order ``a * presale orders + b`` units."""

    rule: Literal["presale_signal"]
    a: NonNeg = 1.0
    b: float = 0.0


Production = Annotated[Union[FixedProduction, SignalProduction], Field(discriminator="rule")]


class Inventory(Section):
    """Stock and production."""

    initial_stock: NonNeg = 0.0
    production: Production = Field(default_factory=lambda: FixedProduction(rule="fixed"))
    lead_time_days: Number = 0
    daily_capacity: Money = 1e12
    holding_cost_per_unit_day: NonNeg = 0.0


class Fulfilment(Section):
    """Delivery promise for presale orders."""

    promised_ship_day: Day | None = None
    """Defaults to the launch day."""
    late_tolerance_days: Day = 7
    p_cancel_per_late_day: Share = 0.3
    """Daily probability that a consumer past the tolerance cancels."""
    cancellation_right: bool = True
    """Whether consumers may cancel orders for a refund (late ones, and impatient ones before shipping)."""
    cancel_share_30_days: Share = 0.03
    """Share of paid presale orders cancelled by impatience over a 30-day wait for shipping, before
    any promise is broken; the daily hazard grows linearly with the days since ordering."""


class Strategy(Section):
    """One strategy: a set of levers."""

    description: str = ""
    pricing: Pricing = Field(default_factory=Pricing)
    deposit: Deposit | None = None
    """``None``: presale orders pay the full price up front."""
    promotions: list[Promotion] = Field(default_factory=list)
    marketing: Marketing = Field(default_factory=Marketing)
    inventory: Inventory = Field(default_factory=Inventory)
    fulfilment: Fulfilment = Field(default_factory=Fulfilment)
