"""Compliance checks of a strategy's levers, reported as warnings.

- A deposit (定金) above 20 % of the price: PRC Civil Code art. 586 caps a
  定金 at 20 % of the contract value; the excess is not treated as a deposit.
- A promised ship date more than 30 days after an order without a right to
  cancel: the US FTC mail-order rule's default delay before consumers must be
  offered a cancellation.
- A reference ("was") price that is never charged: discounts advertised off a
  list price that no consumer ever pays without a discount.
"""

from __future__ import annotations

import numpy as np

from ..market.calendar import Phase, phase_by_day
from ..market.pricing import public_price_path

__all__ = ["compliance_warnings", "DEPOSIT_CAP_SHARE", "SHIP_DELAY_LIMIT_DAYS"]

DEPOSIT_CAP_SHARE = 0.20
SHIP_DELAY_LIMIT_DAYS = 30
_REFERENCE_DISCOUNTS = ("percent_off", "amount_off", "flash_sale")


def _deposit(strategy, presale_price: float) -> list[str]:
    dep = strategy.deposit
    if dep is None or dep.amount <= DEPOSIT_CAP_SHARE * presale_price:
        return []
    return [f"deposit {dep.amount:g} is {dep.amount / presale_price:.0%} of the presale price {presale_price:g}; "
            f"a 定金 above {DEPOSIT_CAP_SHARE:.0%} exceeds the PRC Civil Code art. 586 cap"]


def _shipping(strategy, calendar) -> list[str]:
    ful = strategy.fulfilment
    ship = calendar.launch_day if ful.promised_ship_day is None else ful.promised_ship_day
    delay = ship - calendar.presale_start_day
    if delay <= SHIP_DELAY_LIMIT_DAYS or ful.cancellation_right:
        return []
    return [f"first presale orders wait {delay} days for shipment without a right to cancel "
            f"(the FTC mail-order rule's default is {SHIP_DELAY_LIMIT_DAYS} days)"]


def _reference_price(strategy, list_price: float, calendar) -> list[str]:
    phase = phase_by_day(calendar)
    path = public_price_path(strategy.pricing, list_price, phase)
    selling = phase >= Phase.LAUNCH
    discounted = np.zeros(phase.shape, dtype=bool)
    for p in strategy.promotions:
        everyone = p.segments is None and p.channels is None and not p.members_only
        if p.kind in _REFERENCE_DISCOUNTS and everyone and p.budget is None:
            discounted[p.start_day:p.end_day] = True
    charged = selling & ~discounted & np.isclose(path, list_price)
    uses_reference = any(p.kind in _REFERENCE_DISCOUNTS for p in strategy.promotions) or \
        (strategy.pricing.presale_price or list_price) < list_price
    if not uses_reference or charged.any():
        return []
    return [f"the list price {list_price:g} is shown as a reference but never charged on any open-sale day"]


def compliance_warnings(scenario) -> list[tuple[str, str]]:
    """``(strategy, message)`` for every compliance concern of every strategy."""
    out = []
    for name, strategy in scenario.strategies.items():
        list_price = strategy.pricing.list_price or scenario.product.list_price
        presale_price = strategy.pricing.presale_price or list_price
        for message in (*_deposit(strategy, presale_price), *_shipping(strategy, scenario.calendar),
                        *_reference_price(strategy, list_price, scenario.calendar)):
            out.append((name, message))
    return out
