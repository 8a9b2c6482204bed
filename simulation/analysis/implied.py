"""A scenario's implied figures on a quick run, each against its realistic range.

Elasticities are measured on common random numbers: the scenario is run as it is
and with every price of one strategy (or of the main competitor) scaled by
``1 + step`` and ``1 - step``; replication *r* of each run sees the same consumers
and draws, so the arc elasticity of replication *r*,

    ((Q+ - Q-) / (Q+ + Q-)) / ((P+ - P-) / (P+ + P-)),  with (P+ - P-) / (P+ + P-) = step,

is a paired difference, and its mean over replications has a tight confidence
interval. ``Q`` is our units sold. The other figures come from the run as it is,
one row per strategy. :data:`~simulation.analysis.realism.RANGES` holds each
figure's range; ``docs/realism.md`` their sources.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import PresaleError
from ..market.fulfilment import p_return
from ..runs.execution import run_many
from ..scenario.overrides import with_overrides
from ..scenario.schema import Scenario
from .estimators import mean_ci, probability
from .realism import RANGES

__all__ = ["CheckSettings", "FIGURE_COLUMNS", "implied_figures", "price_overrides", "rival_price_overrides"]

FIGURE_COLUMNS = ["figure", "strategy", "value", "ci_low", "ci_high", "n", "low", "high", "status", "note"]


@dataclass(frozen=True)
class CheckSettings:
    """How to measure a scenario's implied figures.

    Attributes
    ----------
    replications
        Replications of every run (at least 2, for confidence intervals).
    population
        Simulated consumers; ``None`` keeps the scenario's.
    step
        Relative price change of the elasticities: prices × (1 ± step).
    strategy
        The strategy whose prices move; default the baseline.
    competitor
        The rival whose price moves; default the scenario's first competitor.
    workers
        Worker processes (default all cores).
    confidence
        Coverage of the confidence intervals.
    """

    replications: int = 40
    population: int | None = 5000
    step: float = 0.05
    strategy: str | None = None
    competitor: str | None = None
    workers: int | None = None
    confidence: float = 0.95

    def __post_init__(self) -> None:
        if not isinstance(self.replications, int) or self.replications < 2:
            raise PresaleError(f"replications must be a whole number of at least 2, got {self.replications!r}")
        if not 0 < self.step < 0.5:
            raise PresaleError(f"step must lie in (0, 0.5), got {self.step!r}")


def _scaled(items, factor: float, field: str = "price") -> list[dict]:
    return [{**item.model_dump(exclude_none=True), field: getattr(item, field) * factor} for item in items]


def price_overrides(scenario: Scenario, strategy: str, factor: float) -> dict[str, object]:
    """Overrides scaling every price ``strategy`` posts by ``factor``.

    List price, presale price, early-bird tiers, the price schedule and flash-sale
    prices move; deposits, amounts off, coupons and gifts do not.
    """
    strat = scenario.strategies[strategy]
    pricing, key = strat.pricing, f"strategies.{strategy}"
    list_price = pricing.list_price if pricing.list_price is not None else scenario.product.list_price
    if not isinstance(list_price, (int, float)):
        raise PresaleError(f"the list price of '{strategy}' is a distribution; its elasticity is not defined")
    out: dict[str, object] = {f"{key}.pricing.list_price": list_price * factor}
    if pricing.presale_price is not None:
        out[f"{key}.pricing.presale_price"] = pricing.presale_price * factor
    if pricing.early_bird:
        out[f"{key}.pricing.early_bird"] = _scaled(pricing.early_bird, factor)
    if pricing.schedule:
        out[f"{key}.pricing.schedule"] = _scaled(pricing.schedule, factor)
    if any(p.kind == "flash_sale" for p in strat.promotions):
        out[f"{key}.promotions"] = [
            {**p.model_dump(exclude_none=True), "price": p.price * factor} if p.kind == "flash_sale"
            else p.model_dump(exclude_none=True) for p in strat.promotions]
    return out


def rival_price_overrides(scenario: Scenario, competitor: str, factor: float) -> dict[str, object]:
    """Overrides scaling ``competitor``'s price (and its floor) by ``factor``."""
    rival = scenario.competitors[competitor]
    if not isinstance(rival.price, (int, float)):
        raise PresaleError(f"the price of '{competitor}' is a distribution; the cross-price elasticity is not defined")
    out: dict[str, object] = {f"competitors.{competitor}.price": rival.price * factor}
    if rival.price_floor is not None:
        out[f"competitors.{competitor}.price_floor"] = rival.price_floor * factor
    return out


def _row(figure: str, strategy: str | None, value: float, *, ci=(np.nan, np.nan), n: int = 0,
         note: str = "") -> dict:
    rng = RANGES[figure]
    status = "n/a" if not np.isfinite(value) else ("ok" if rng.holds(value) else "outside")
    return dict(figure=figure, strategy=strategy, value=value, ci_low=ci[0], ci_high=ci[1], n=n,
                low=rng.low, high=rng.high, status=status, note=note)


def _mean_row(figure: str, strategy: str | None, values, confidence: float) -> dict:
    est = mean_ci(np.asarray(values, dtype=float), confidence)
    return _row(figure, strategy, est.mean, ci=(est.ci_low, est.ci_high), n=est.n)


def _units(scenario: Scenario, strategy: str, overrides: dict, settings: CheckSettings) -> pd.Series:
    moved = with_overrides(scenario, overrides, source=f"'{scenario.name}' with prices moved") if overrides else scenario
    out = run_many(moved, strategies=(strategy,), replications=settings.replications,
                   workers=settings.workers).outcomes
    return out.set_index("replication")["units_sold"]


def _elasticity(scenario: Scenario, figure: str, strategy: str, make, settings: CheckSettings) -> dict:
    """The arc elasticity of our units sold when ``make(factor)`` moves a price."""
    h = settings.step
    try:
        up = _units(scenario, strategy, make(1 + h), settings)
        down = _units(scenario, strategy, make(1 - h), settings)
    except (PresaleError, KeyError) as error:       # a price that is drawn, or a distribution
        return _row(figure, strategy, np.nan, note=str(error))
    total = (up + down).replace(0.0, np.nan)
    return _mean_row(figure, strategy, (up - down) / total / h, settings.confidence)


def _static_rows(scenario: Scenario) -> list[dict]:
    """Figures read off the scenario itself: its return curve and its channel mix."""
    curve = scenario.product.returns
    shares: dict[str, float] = {}
    for segment in scenario.market.segments.values():
        for channel, share in segment.channel_preference.items():
            shares[channel] = shares.get(channel, 0.0) + float(segment.share) * float(share)
    main = max(shares, key=shares.get)
    return [_row("p_return_at_4.8", None, p_return(4.8, curve)),
            _row("p_return_at_4.2", None, p_return(4.2, curve)),
            _row("main_channel_share", None, shares[main], note=f"channel '{main}'")]


def _strategy_rows(scenario: Scenario, outcomes: pd.DataFrame, trajectories: pd.DataFrame, confidence: float) -> list[dict]:
    last = trajectories[trajectories["day"] == trajectories["day"].max()]
    aware = last.set_index(["strategy", "replication"])["n_aware"]
    rows = []
    for strategy, out in outcomes.groupby("strategy", sort=False):
        out = out.set_index(["strategy", "replication"])
        rows.append(_mean_row("conversion_per_aware", strategy,
                              out["n_orders"] / aware.reindex(out.index).replace(0.0, np.nan), confidence))
        dep = scenario.strategies[strategy].deposit
        completion = "deposit_completion_refundable" if dep is not None and dep.refundable else "deposit_completion"
        rows.append(_mean_row(completion, strategy, out["deposit_conversion_rate"], confidence))
        rows.append(_mean_row("return_rate", strategy, out["return_rate"], confidence))
        rows.append(_mean_row("fill_rate", strategy, out["fill_rate"], confidence))
        loss = probability((out["profit"] < 0).to_numpy(), confidence)
        rows.append(_row("p_loss", strategy, loss.p, ci=(loss.ci_low, loss.ci_high), n=loss.n))
    return rows


def implied_figures(scenario: Scenario, settings: CheckSettings | None = None) -> pd.DataFrame:
    """Measure a scenario's implied figures on a quick run.

    Parameters
    ----------
    scenario
        A loaded scenario.
    settings
        Replications, population, price step, the strategy and the rival whose
        prices move (:class:`CheckSettings`).

    Returns
    -------
    pandas.DataFrame
        One row per figure (and strategy, where it depends on one), columns
        :data:`FIGURE_COLUMNS`: the point estimate ``value`` with its confidence
        interval and ``n`` replications, the realistic range ``[low, high]`` and
        ``status`` (``ok``, ``outside``, or ``n/a`` when the figure does not apply,
        e.g. deposit completion without a deposit). ``attrs["failures"]`` counts
        failed runs of the plain run.

    Raises
    ------
    PresaleError
        An unknown strategy or competitor, or settings out of range.
    """
    settings = settings or CheckSettings()
    strategy = settings.strategy or scenario.baseline_name
    if strategy not in scenario.strategies:
        raise PresaleError(f"unknown strategy '{strategy}'; scenario '{scenario.name}' has "
                           f"{', '.join(scenario.strategies)}")
    if settings.competitor is not None and settings.competitor not in scenario.competitors:
        raise PresaleError(f"unknown competitor '{settings.competitor}'; scenario '{scenario.name}' has "
                           f"{', '.join(scenario.competitors) or 'none'}")
    if settings.population is not None:
        scenario = with_overrides(scenario, {"run.population": settings.population},
                                  source=f"'{scenario.name}' with population {settings.population}")
    plain = run_many(scenario, replications=settings.replications, workers=settings.workers)
    rows = [_elasticity(scenario, "own_price_elasticity", strategy,
                        lambda f: price_overrides(scenario, strategy, f), settings)]
    rival = settings.competitor or next(iter(scenario.competitors), None)
    if rival is None:
        rows.append(_row("cross_price_elasticity", strategy, np.nan, note="no competitor"))
    else:
        rows.append(_elasticity(scenario, "cross_price_elasticity", strategy,
                                lambda f: rival_price_overrides(scenario, rival, f), settings))
        rows[-1]["note"] = rows[-1]["note"] or f"rival '{rival}'"
    rows += _strategy_rows(scenario, plain.outcomes, plain.trajectories, settings.confidence)
    rows += _static_rows(scenario)
    frame = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    frame.attrs["failures"] = len(plain.failures)
    return frame
