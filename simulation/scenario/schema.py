"""The root :class:`Scenario` (strategy inheritance, ``extends``, is resolved on the raw data in :mod:`.extends`)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, PrivateAttr

from .base import Section
from .decision import DecisionRule, ReportSettings
from .distributions import Distribution
from .sections import Calendar, Channel, Competitor, Market, Product, RunSettings
from .strategy import Strategy
from .sweeps import SweepSpec

__all__ = ["Scenario"]


class Scenario(Section):
    """A presale campaign and the strategies to test on it."""

    name: str
    description: str = ""
    currency: str = "¥"
    run: RunSettings = Field(default_factory=RunSettings)
    calendar: Calendar
    product: Product
    market: Market
    channels: dict[str, Channel] = Field(min_length=1)
    competitors: dict[str, Competitor] = Field(default_factory=dict)
    strategies: dict[str, Strategy] = Field(min_length=1)
    baseline: str | None = None
    """Strategy the others are compared with; defaults to the first one."""
    uncertainties: dict[str, Distribution] = Field(default_factory=dict)
    """Dotted path -> distribution, drawn once per replication."""
    gates: list[str] = Field(default_factory=list)
    """Comparison gates, e.g. ``"profit.mean < baseline -2%"``."""
    decision: DecisionRule = Field(default_factory=DecisionRule)
    """How the report picks the strategy to recommend."""
    report: ReportSettings = Field(default_factory=ReportSettings)
    """How reports show numbers."""
    sweeps: dict[str, SweepSpec] = Field(default_factory=dict)
    """Stored sweeps by name, run with ``presale sweep FILE --name NAME``."""

    _extends: dict[str, tuple[str, Any]] = PrivateAttr(default_factory=dict)
    # strategy -> (the strategy it extends, what it wrote itself), kept from the file so that
    # with_overrides reaches the strategies that inherit a changed lever

    @property
    def strategy_parents(self) -> dict[str, str]:
        """Strategy -> the strategy it ``extends`` (as the file wrote it)."""
        return {name: parent for name, (parent, _) in self._extends.items()}

    @property
    def baseline_name(self) -> str:
        """The baseline strategy's name."""
        return self.baseline or next(iter(self.strategies))
