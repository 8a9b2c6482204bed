"""Which strategy to pick, under a stated rule, and why.

:func:`decide` applies a :class:`~simulation.scenario.decision.DecisionRule` to the
tidy frames of a study: every strategy's statistics come from the ``summary``
frame, constraints are checked on them (point estimates, against the baseline's
where a constraint is relative), and the eligible strategy with the best
objective is recommended. Gains, ties and gaps are **paired** differences on the
objective's metric (replication *r* of one strategy against replication *r* of
the other, common random numbers), with Student-t intervals.

A strategy is *tied* with the recommended one when the confidence interval of
their paired mean difference includes 0. :func:`replication_regret` gives, per
strategy, how much it falls short of the best strategy of each replication.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..scenario.decision import Constraint, DecisionRule, parse_statistic
from .compare import metric_direction, paired_values
from .risk import mean_ci, regret, strategies, validate_outcomes

__all__ = ["Check", "Decision", "Exclusion", "PairedGain", "Risk", "decide", "replication_regret"]

_SUMMARY_STAT = {"mean": "mean", "p5": "p5", "p50": "p50", "p95": "p95", "cvar5": "cvar"}
_RISK_STATS = ("cvar5", "p_loss", "p_stockout_early", "p_leftover_high")


@dataclass(frozen=True)
class PairedGain:
    """Paired mean difference ``strategy - reference`` of ``metric`` with its CI."""

    strategy: str
    reference: str
    metric: str
    diff_mean: float
    ci_low: float
    ci_high: float
    reference_mean: float
    n_pairs: int

    @property
    def rel_change(self) -> float:
        """``diff_mean`` as a share of the reference's absolute mean (NaN if that is 0)."""
        return self.diff_mean / abs(self.reference_mean) if self.reference_mean else math.nan

    @property
    def includes_zero(self) -> bool:
        """Whether the interval includes 0 (no measurable difference)."""
        return bool(self.ci_low <= 0 <= self.ci_high)


@dataclass(frozen=True)
class Check:
    """One constraint evaluated on one strategy."""

    constraint: str
    statistic: str
    value: float
    limit: float
    passed: bool


@dataclass(frozen=True)
class Risk:
    """A risk figure of the recommended strategy beside the baseline's."""

    statistic: str
    value: float
    baseline_value: float


@dataclass(frozen=True)
class Exclusion:
    """Why a strategy is not the recommendation: failed constraints, or a lower objective."""

    strategy: str
    failed: tuple[Check, ...]
    gap: PairedGain | None


@dataclass(frozen=True)
class Decision:
    """The recommendation and its reasons; ``strategy`` is ``None`` when none is eligible."""

    strategy: str | None
    baseline: str
    rule: str
    objective: str
    gain: PairedGain | None
    risks: tuple[Risk, ...]
    worse_metrics: tuple[PairedGain, ...]
    tied: tuple[PairedGain, ...]
    excluded: tuple[Exclusion, ...]
    checks: tuple[tuple[str, Check], ...]


def _stat(summary: pd.DataFrame, strategy: str, name: str) -> float:
    metric, stat = parse_statistic(name)
    column = _SUMMARY_STAT[stat]
    row = summary[(summary["strategy"] == strategy) & (summary["metric"] == metric)]
    if row.empty or column not in row:       # not computed: a constraint on it cannot hold
        return math.nan
    return float(row[column].iloc[0])


def _paired(outcomes: pd.DataFrame, metric: str, *, strategy: str, reference: str) -> PairedGain:
    pairs = paired_values(outcomes, metric, strategy=strategy, baseline=reference)
    ci = mean_ci(pairs["diff"].to_numpy(dtype=float))
    return PairedGain(strategy, reference, metric, ci.mean, ci.ci_low, ci.ci_high,
                      float(pairs["baseline"].mean()) if len(pairs) else math.nan, ci.n)


def _check(summary: pd.DataFrame, strategy: str, *, constraint: Constraint, baseline: str) -> Check:
    name = f"{constraint.metric}.{constraint.statistic}"
    value, reference = _stat(summary, strategy, name), _stat(summary, baseline, name)
    limit = constraint.limit(reference)
    passed = math.isfinite(value) and math.isfinite(limit) and constraint.holds(value, reference)
    return Check(constraint.text, name, value, limit, bool(passed))


def decide(outcomes: pd.DataFrame, summary: pd.DataFrame, *, comparison: pd.DataFrame | None = None,
           rule: DecisionRule | None = None, baseline: str | None = None) -> Decision:
    """Recommend a strategy under ``rule`` (default :class:`DecisionRule`).

    Parameters
    ----------
    outcomes
        One row per (strategy, replication); gives the paired differences.
    summary
        ``analysis.risk.summarize`` of ``outcomes`` with its events (``launch_day`` given).
    comparison
        ``analysis.compare.compare`` against the baseline; its metrics with verdict
        ``worse`` for the recommended strategy are listed among its risks.
    rule
        Objective and constraints; ``None`` takes the default rule.
    baseline
        The baseline strategy; default the first of ``outcomes``.

    Returns
    -------
    Decision
        The recommended strategy (``None`` if no strategy meets the constraints), its
        paired gain over the baseline, risks, ties and the reason each other
        strategy lost.
    """
    validate_outcomes(outcomes)
    rule = rule if rule is not None else DecisionRule()
    names = strategies(outcomes)
    baseline = baseline if baseline is not None else names[0]
    if baseline not in names:
        raise ValueError(f"baseline {baseline!r} is not among the strategies {names}")
    metric, _ = parse_statistic(rule.objective)
    sign = 1.0 if rule.sense == "max" else -1.0
    checks = {s: tuple(_check(summary, s, constraint=c, baseline=baseline) for c in rule.parsed_constraints)
              for s in names}
    eligible = [s for s in names if all(c.passed for c in checks[s])]
    score = {s: sign * _stat(summary, s, rule.objective) for s in names}
    winner = max(eligible, key=lambda s: (score[s] if math.isfinite(score[s]) else -math.inf),
                 default=None)
    excluded, tied = [], []
    for s in names:
        if s == winner:
            continue
        gap = _paired(outcomes, metric, strategy=s, reference=winner) if winner is not None else None
        if s in eligible and gap is not None and gap.includes_zero:
            tied.append(gap)
        else:
            excluded.append(Exclusion(s, tuple(c for c in checks[s] if not c.passed), gap))
    gain = risks = worse = None
    if winner is not None:
        gain = _paired(outcomes, metric, strategy=winner, reference=baseline)
        risks = tuple(Risk(n, _stat(summary, winner, n), _stat(summary, baseline, n)) for n in _RISK_STATS)
        worse = _worse_metrics(comparison, winner, skip=metric)
    return Decision(
        strategy=winner, baseline=baseline, rule=rule.describe(), objective=rule.objective,
        gain=gain, risks=risks or (), worse_metrics=worse or (), tied=tuple(tied),
        excluded=tuple(excluded), checks=tuple((s, c) for s in names for c in checks[s]),
    )


def _worse_metrics(comparison: pd.DataFrame | None, strategy: str, *, skip: str,
                   limit: int = 3) -> tuple[PairedGain, ...]:
    """The metrics on which ``strategy`` is measurably worse than the baseline, largest change first."""
    if comparison is None or comparison.empty or "verdict" not in comparison:
        return ()
    rows = comparison[(comparison["strategy"] == strategy) & (comparison["verdict"] == "worse")
                      & (comparison["metric"] != skip)]
    rows = rows.assign(size=rows["rel_diff"].abs()).sort_values("size", ascending=False).head(limit)
    return tuple(PairedGain(r.strategy, r.baseline, r.metric, r.diff_mean, r.diff_ci_low, r.diff_ci_high,
                            r.baseline_mean, int(r.n_pairs)) for r in rows.itertuples(index=False))


def replication_regret(outcomes: pd.DataFrame, metric: str = "profit") -> pd.DataFrame:
    """Regret of each strategy against the best strategy of each replication.

    Each replication is one state of the world (common random numbers): the regret of a
    strategy there is the best value of ``metric`` in that replication minus its own
    (reversed when lower is better, from ``analysis.compare.HIGHER_IS_BETTER``).

    Returns
    -------
    pandas.DataFrame
        One row per strategy: ``strategy``, ``mean_regret``, ``max_regret`` and
        ``p_best`` (share of replications in which it was the best), sorted by mean
        regret.
    """
    validate_outcomes(outcomes)
    by_rep = {f"r{r}": df for r, df in outcomes.groupby("replication", sort=True)
              if df["strategy"].nunique() == outcomes["strategy"].nunique() and df[metric].notna().all()}
    if not by_rep:
        raise ValueError(f"no replication has a {metric!r} value for every strategy")
    table = regret(by_rep, metric=metric, higher_is_better=metric_direction(metric) is not False)
    wide = table[list(by_rep)].to_numpy(dtype=float)
    out = pd.DataFrame({"strategy": table["strategy"], "mean_regret": wide.mean(axis=1),
                        "max_regret": wide.max(axis=1), "p_best": (wide <= 0).mean(axis=1)})
    return out.sort_values("mean_regret", kind="stable").reset_index(drop=True)

