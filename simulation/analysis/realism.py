"""Realistic ranges of a scenario's implied figures, and where each range comes from.

``docs/realism.md`` gives the sources in full; :mod:`simulation.analysis.implied`
measures the figures and marks each one against its range here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RANGES", "Range"]


@dataclass(frozen=True)
class Range:
    """A figure's realistic range, inclusive, with its meaning and source.

    Attributes
    ----------
    low, high
        Bounds of the range (the point estimate must lie within them).
    meaning
        What the figure measures, in one line.
    source
        Where the range comes from (short form; ``docs/realism.md`` has the full one).
    """

    low: float
    high: float
    meaning: str
    source: str

    def holds(self, value: float) -> bool:
        """Whether ``value`` lies in the range (NaN never does)."""
        return self.low <= value <= self.high


RANGES: dict[str, Range] = {
    "own_price_elasticity": Range(
        -4.5, -1.0, "% change of our units sold per 1 % change of all our prices (paired, CRN)",
        "Bijmolt, van Heerde & Pieters 2005 (JMR), mean -2.62; Tellis 1988 (JMR), mean -1.76"),
    "cross_price_elasticity": Range(
        0.0, 1.0, "% change of our units sold per 1 % change of the main rival's price (paired, CRN)",
        "Auer & Papies 2020 (JAMS), mean 0.26, median 0.10; earlier meta-analytic mean about 0.5"),
    "conversion_per_aware": Range(
        0.05, 0.35, "consumers who ordered / consumers aware of the product by the horizon",
        "seeds: new customers' first-order conversion 15 %"),
    "deposit_completion": Range(
        0.75, 0.98, "deposit holders who paid the balance / deposits paid",
        "working range (no published benchmark found): a non-refundable deposit binds most holders"),
    "deposit_completion_refundable": Range(
        0.5, 0.95, "holders of a refundable deposit who paid the balance / deposits paid",
        "working range (no published benchmark found): a refundable deposit is a free option, "
        "walking away costs nothing"),
    "return_rate": Range(
        0.03, 0.20, "units returned / units sold",
        "seeds: rating >= 4.8 -> returns < 5 %, rating <= 4.2 -> about 18 %"),
    "fill_rate": Range(
        0.80, 1.0, "units sold / (units sold + lost sales + late-cancelled or undelivered orders)",
        "Gruen, Corsten & Bharadwaj 2002 (GMA): retail out-of-stock rate about 8 %"),
    "p_loss": Range(
        0.0, 0.5, "share of replications in which the strategy loses money",
        "a plan worth comparing loses money in at most half its futures"),
    "p_return_at_4.8": Range(
        0.0, 0.05, "return probability of the scenario's curve at a 4.8-star rating",
        "seeds: rating >= 4.8 -> returns < 5 %"),
    "p_return_at_4.2": Range(
        0.15, 0.21, "return probability of the scenario's curve at a 4.2-star rating",
        "seeds: rating <= 4.2 -> returns about 18 %"),
    "main_channel_share": Range(
        0.55, 0.75, "share of the market whose home channel is the largest channel (the mobile app)",
        "seeds: mobile about 65 % of orders"),
}
