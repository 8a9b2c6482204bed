"""Deposits (定金): inflation and the balance decision."""

from __future__ import annotations

import numpy as np

__all__ = ["balance_due", "inflation_credit", "pays_balance"]


def balance_due(price_agreed: np.ndarray, deposit: float, inflation: float) -> np.ndarray:
    """Balance owed when a deposit ``d`` counts as ``inflation * d`` toward the price."""
    return np.maximum(price_agreed - inflation * deposit, 0.0)


def inflation_credit(price_agreed: np.ndarray, deposit: float, inflation: float) -> np.ndarray:
    """Money the inflation of a deposit actually takes off the price.

    An order costs ``deposit + balance_due`` in all, so inflation saves
    ``price - deposit - balance_due = min((inflation - 1) * deposit, price - deposit)``:
    the full ``(inflation - 1) * deposit`` only while the balance stays positive,
    less once it is clamped at 0, and nothing (0, never negative) when the deposit
    alone exceeds the price.
    """
    price_agreed = np.asarray(price_agreed)
    return np.maximum(price_agreed - deposit - balance_due(price_agreed, deposit, inflation), 0.0)


def pays_balance(valuation_real: np.ndarray, price_sensitivity: np.ndarray, balance: np.ndarray,
                 deposit: float, *, refundable: bool) -> np.ndarray:
    """Which deposit holders pay the balance once their valuation is known.

    The deposit is sunk when non-refundable, so a holder pays iff the realised
    valuation covers the balance; a refundable deposit comes back on walking
    away, so paying must also beat getting the deposit back.
    """
    cost = balance + (deposit if refundable else 0.0)
    return valuation_real >= price_sensitivity * cost
