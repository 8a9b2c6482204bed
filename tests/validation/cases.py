"""Model-validity cases: toy markets whose answers are known in closed form.

Each case loads a scenario of ``scenarios/validation/``, runs it through the
public API only (:func:`simulation.load_scenario`, :func:`simulation.with_overrides`,
:class:`simulation.runs.runner.Replication` and its outcomes and trajectories; the rationing
case steps a :class:`simulation.engine.model.PresaleModel` day by day to read who shopped) and
returns a :class:`Case`: the closed form as text, its parameters, and one
:class:`Check` per compared quantity. ``tests/validation`` asserts the checks;
``tools/write_validation_doc.py`` writes the same numbers to ``docs/validation.md``.

Tolerances
----------
A statistical check compares the mean over the scenario's replications with the
closed form and passes when ``|simulated - target| <= K_SE * SE (+ allowance)``,
SE being the standard error of that mean (sample standard deviation over the
replications divided by the square root of their number). An allowance is added
only where the closed form and the estimator differ by a known deterministic
amount (finite-difference truncation, the one-day time step), and is stated.
An exact check compares deterministic quantities replication by replication and
allows floating-point rounding only. A sign check asks that a paired difference
lie more than ``K_SE * SE`` on the side the closed form predicts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simulation import load_scenario, with_overrides
from simulation.market.population import State
from simulation.engine.model import PresaleModel
from simulation.runs.runner import Replication, Run
from simulation.scenario.schema import Scenario

__all__ = [
    "K_SE", "SCENARIO_DIR", "EXACT_RULE", "Check", "Case", "CASES", "statistical", "exact", "signed",
    "bass_recursion", "bass_curve", "bass_peak_day", "logit_shares", "piecewise_linear",
    "bass_diffusion", "logit_choice", "deposit_inflation", "deposit_option", "rival_market", "strategic_waiting", "markdown_path", "advance_selling",
    "stock_limited_demand", "returns_by_rating", "random_rationing",
]

K_SE = 4.0
"""Standard errors allowed between a simulated mean and its closed form."""
SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios" / "validation"
"""Scenario files of the cases."""
_ROUNDING = 1e-9
"""Relative rounding allowed by exact checks."""
EXACT_RULE = "exact (each replication)"
"""Tolerance rule of an exact check."""


# -- records -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """One compared quantity.

    ``relation`` is ``"≈"`` (passes when ``deviation <= tolerance``), ``">"`` or ``"<"``
    (passes when ``simulated`` exceeds, or falls below, ``target`` by more than
    ``tolerance``). ``deviation`` is ``|simulated - target|``, or for an exact check the
    largest deviation over the replications.
    """

    quantity: str
    target: float
    simulated: float
    se: float
    tolerance: float
    deviation: float
    relation: str = "≈"
    rule: str = ""

    @property
    def is_exact(self) -> bool:
        """Whether this compares deterministic quantities (no standard error)."""
        return self.rule == EXACT_RULE

    @property
    def passed(self) -> bool:
        """Whether the simulation agrees with the closed form."""
        if self.relation == ">":
            return self.simulated - self.target > self.tolerance
        if self.relation == "<":
            return self.target - self.simulated > self.tolerance
        return self.deviation <= self.tolerance

    def describe(self) -> str:
        """One line: quantity, target, simulated ± SE, tolerance, verdict."""
        verdict = "ok" if self.passed else "FAILED"
        return (f"{self.quantity}: target {self.relation} {self.target:.6g}, simulated "
                f"{self.simulated:.6g} ± {self.se:.3g} (deviation {self.deviation:.3g}, "
                f"tolerance {self.tolerance:.3g}: {self.rule}) {verdict}")


@dataclass(frozen=True)
class Case:
    """A validation case: closed form, parameters and checks."""

    name: str
    title: str
    closed_form: str
    scenario_file: str
    mechanism: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()
    notes: str = ""

    @property
    def passed(self) -> bool:
        """Whether every check passed."""
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        """Checks that failed."""
        return [c for c in self.checks if not c.passed]


def mean_se(samples: Iterable[float]) -> tuple[float, float]:
    """Mean of ``samples`` and its standard error (sample sd / sqrt(n))."""
    x = np.asarray(list(samples), dtype=float)
    if x.size < 2:
        raise ValueError("a standard error needs at least two replications")
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size))


def statistical(quantity: str, target: float, samples: Iterable[float], *, allowance: float = 0.0,
                allowance_reason: str = "", k: float = K_SE) -> Check:
    """Mean of per-replication ``samples`` within ``k`` SE (plus ``allowance``) of ``target``."""
    mean, se = mean_se(samples)
    rule = f"{k:g} SE" + (f" + {allowance:.3g} {allowance_reason}".rstrip() if allowance else "")
    return Check(quantity, float(target), mean, se, k * se + allowance, abs(mean - target), rule=rule)


def exact(quantity: str, targets: float | np.ndarray, simulated: np.ndarray) -> Check:
    """Deterministic quantities equal, replication by replication, up to rounding."""
    s = np.atleast_1d(np.asarray(simulated, dtype=float))
    t = np.broadcast_to(np.asarray(targets, dtype=float), s.shape)
    tol = _ROUNDING * max(1.0, float(np.abs(t).max()))
    return Check(quantity, float(t.mean()), float(s.mean()), 0.0, tol, float(np.abs(s - t).max()),
                 rule=EXACT_RULE)


def signed(quantity: str, samples: Iterable[float], *, positive: bool, k: float = K_SE) -> Check:
    """A paired difference on the predicted side of zero by more than ``k`` SE."""
    mean, se = mean_se(samples)
    return Check(quantity, 0.0, mean, se, k * se, abs(mean), relation=">" if positive else "<",
                 rule=f"beyond {k:g} SE")


# -- running the public API ------------------------------------------------------------------
def load(name: str) -> Scenario:
    """The validation scenario ``scenarios/validation/<name>.yaml``."""
    return load_scenario(SCENARIO_DIR / f"{name}.yaml")


def simulate_all(scenario: Scenario, strategies: Sequence[str] | None = None) -> Run:
    """Every strategy in every replication of ``scenario``, concatenated.

    Strategies of one replication share its population and random draws
    (common random numbers).
    """
    names = list(strategies or scenario.strategies)
    trajectories, outcomes = [], []
    for r in range(scenario.run.replications):
        rep = Replication(scenario, r)
        for name in names:
            run = rep.simulate(name)
            trajectories.append(run.trajectory)
            outcomes.append(run.outcome)
    return Run(pd.concat(trajectories, ignore_index=True), pd.concat(outcomes, ignore_index=True))


def per_replication(frame: pd.DataFrame, strategy: str, column: str) -> np.ndarray:
    """``column`` of one strategy's outcomes, ordered by replication."""
    rows = frame[frame["strategy"] == strategy].sort_values("replication")
    return rows[column].to_numpy(dtype=float)


def day_values(trajectory: pd.DataFrame, strategy: str, column: str) -> np.ndarray:
    """``column`` of one strategy's trajectory as a (replication, day) array."""
    rows = trajectory[trajectory["strategy"] == strategy]
    return rows.pivot(index="replication", columns="day", values=column).to_numpy(dtype=float)


def _market_size(scenario: Scenario) -> float:
    return float(scenario.market.size)


def _only_segment(scenario: Scenario):
    (segment,) = scenario.market.segments.values()
    return segment


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(f"validation scenario does not meet the closed form's assumption: {what}")


# -- closed forms ------------------------------------------------------------------------------
def bass_recursion(p: float, q: float, days: int) -> np.ndarray:
    """Adopter share at the end of each day under the engine's daily step.

    ``F[t+1] = F[t] + (1 - F[t]) (1 - exp(-(p + q F[t])))`` from ``F[0] = 0``: the
    awareness hazard of day ``t`` uses the adopters at the start of the day, and
    consumers who become aware buy the same day. Element ``t`` is the share after
    day ``t`` (``t + 1`` days elapsed).
    """
    out = np.empty(days)
    f = 0.0
    for t in range(days):
        f += (1.0 - f) * -np.expm1(-(p + q * f))
        out[t] = f
    return out


def bass_curve(p: float, q: float, t: np.ndarray | float) -> np.ndarray:
    """Continuous Bass adopter share ``(1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})``."""
    e = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1.0 - e) / (1.0 + (q / p) * e)


def bass_peak_day(p: float, q: float) -> float:
    """Time of the continuous Bass adoption peak, ``ln(q/p) / (p + q)``."""
    return float(np.log(q / p) / (p + q))


def _crossing_time(share_by_day: np.ndarray, level: float) -> float:
    """Days elapsed when a cumulative share first reaches ``level`` (linear between days)."""
    f = np.concatenate([[0.0], share_by_day])
    i = int(np.argmax(f >= level))
    if f[i] < level or i == 0:
        return float("nan")
    return float(i - 1 + (level - f[i - 1]) / (f[i] - f[i - 1]))


def logit_shares(utilities: Sequence[float], scale: float) -> np.ndarray:
    """Multinomial logit shares ``exp(u_j / mu) / sum_k exp(u_k / mu)``."""
    u = np.asarray(utilities, dtype=float) / scale
    z = np.exp(u - u.max())
    return z / z.sum()


def piecewise_linear(x: float, xs: Sequence[float], ys: Sequence[float]) -> float:
    """The curve through points ``(xs, ys)``: linear between them, flat outside."""
    if x <= xs[0]:
        return float(ys[0])
    for (x0, y0), (x1, y1) in zip(zip(xs, ys), zip(xs[1:], ys[1:])):
        if x <= x1:
            return float(y0 + (y1 - y0) * (x - x0) / (x1 - x0))
    return float(ys[-1])


def _uniform_tail(threshold: float, low: float, high: float) -> float:
    """P(V >= threshold) for V uniform on [low, high]."""
    return float(np.clip((high - threshold) / (high - low), 0.0, 1.0))


def _uniform_between(a: float, b: float, low: float, high: float) -> float:
    """P(a <= V < b) for V uniform on [low, high]."""
    return max(_uniform_tail(a, low, high) - _uniform_tail(b, low, high), 0.0)


# -- 1. Bass diffusion --------------------------------------------------------------------------
BASS_LEVELS = (0.1, 0.25, 0.5, 0.75, 0.9)
"""Adopter shares at whose days the simulation is compared with the recursion."""
BASS_CURVE_ALLOWANCE = 0.025
"""Allowed gap to the continuous curve for the engine's one-day step (with the
scenario's p and q the exact daily recursion departs from the curve by at most 0.02;
the case reports the computed gap)."""
BASS_PEAK_ALLOWANCE = 2.0
"""Allowed gap (days) between the simulated and the continuous peak time."""


def bass_diffusion() -> Case:
    """Cumulative adopters of complete-mixing Bass awareness with immediate purchase."""
    sc = load("bass_diffusion")
    aw, n = sc.market.awareness, _market_size(sc)
    p, q = float(aw.innovation), float(aw.imitation)
    _require(aw.initial_aware_share == 0 and sc.market.choice.logit_scale == 0, "no initial awareness, logit 0")
    days = sc.calendar.horizon_days
    run = simulate_all(sc)
    share = np.cumsum(day_values(run.trajectory, "sell", "orders"), axis=1) / n   # (replication, day)
    aware = day_values(run.trajectory, "sell", "n_aware") / n
    recursion = bass_recursion(p, q, days)
    checks = [exact("aware share = adopter share (every day; mean over days shown)", aware.ravel(), share.ravel())]
    for level in BASS_LEVELS:
        day = int(np.argmax(recursion >= level))
        checks.append(statistical(f"F after day {day} vs daily recursion", recursion[day], share[:, day]))
    elapsed = np.arange(1, days + 1)
    continuous = bass_curve(p, q, elapsed)
    mean = share.mean(axis=0)
    worst = int(np.argmax(np.abs(mean - continuous)))
    gap = float(np.abs(recursion - continuous).max())
    checks.append(statistical(f"F after day {worst} (largest gap) vs continuous curve", continuous[worst],
                              share[:, worst], allowance=BASS_CURVE_ALLOWANCE, allowance_reason="one-day step"))
    level = 0.5 - p / (2 * q)
    crossing = [_crossing_time(row, level) for row in share]
    checks.append(statistical(f"peak time (F reaches {level:.3f}) vs daily recursion",
                              _crossing_time(recursion, level), crossing))
    checks.append(statistical("peak time vs continuous ln(q/p)/(p+q)", bass_peak_day(p, q), crossing,
                              allowance=BASS_PEAK_ALLOWANCE, allowance_reason="days, one-day step"))
    return Case(
        name="bass_diffusion", title="Bass diffusion",
        closed_form=("F[t+1] = F[t] + (1 − F[t])·(1 − exp(−(p + q·F[t]))) (the engine's daily step: hazard "
                     "from the adopters at the start of the day, the newly aware buy the same day); continuous "
                     "F(t) = (1 − e^{−(p+q)t}) / (1 + (q/p)·e^{−(p+q)t}), adoption peaking at "
                     "t* = ln(q/p)/(p + q), where F = 1/2 − p/(2q)"),
        scenario_file="scenarios/validation/bass_diffusion.yaml",
        mechanism="awareness hazard (simulation/market/awareness.py) and the order of the day (simulation/engine/model.py)",
        parameters={"p (per day)": f"{p:g}", "q (per day)": f"{q:g}", "consumers N": f"{n:g}",
                    "replications": str(sc.run.replications), "days": str(days)},
        checks=tuple(checks),
        notes=(f"Time is days elapsed: F after day t is compared with F(t + 1). The exact daily recursion "
               f"departs from the continuous curve by at most {gap:.4f} with these p and q, and its peak "
               f"comes {_crossing_time(recursion, level) - bass_peak_day(p, q):.2f} days after t*."),
    )


# -- 2. Logit shares and elasticities --------------------------------------------------------------
def logit_choice() -> Case:
    """Day-one shares of ours, a rival and nothing; own- and cross-price elasticities."""
    sc = load("logit_shares")
    seg, n = _only_segment(sc), _market_size(sc)
    (rival_name, rival), = sc.competitors.items()
    v, beta = float(seg.valuation), float(seg.price_sensitivity)
    mu, u0 = float(sc.market.choice.logit_scale), float(sc.market.choice.outside_utility)
    price = {s: float(sc.strategies[s].pricing.list_price) for s in ("base", "price_up", "price_down")}
    pc, appeal = float(rival.price), float(rival.appeal)
    _require(rival.launch_day == 0 and float(seg.trust) == 1 and float(seg.patience) == 1,
             "rival on sale on day 0, trust 1, patience 1")
    step = price["price_up"] / price["base"] - 1.0
    pc_up, pc_down = pc * (1 + step), pc * (1 - step)

    def shares(p: float, p_rival: float) -> np.ndarray:
        return logit_shares([v - beta * p, v + appeal - beta * p_rival, u0], mu)

    def observed(run: Run, strategy: str) -> np.ndarray:
        t = run.trajectory
        day0 = t[(t["strategy"] == strategy) & (t["day"] == 0)].sort_values("replication")
        own = day0["orders"].to_numpy(dtype=float) / n
        other = day0[f"competitor_sales.{rival_name}"].to_numpy(dtype=float) / n
        return np.stack([own, other, 1.0 - own - other])   # (alternative, replication)

    ours = simulate_all(sc)
    rival_up = simulate_all(with_overrides(sc, {f"competitors.{rival_name}.price": pc_up}), ["base"])
    rival_down = simulate_all(with_overrides(sc, {f"competitors.{rival_name}.price": pc_down}), ["base"])
    base = observed(ours, "base")
    s = shares(price["base"], pc)
    checks = [statistical(f"{label} share, day 0", s[j], base[j])
              for j, label in enumerate(("own", "rival", "no-purchase"))]

    def arc(hi: np.ndarray, lo: np.ndarray, x_hi: float, x_lo: float) -> np.ndarray:
        return (np.log(hi) - np.log(lo)) / (np.log(x_hi) - np.log(x_lo))

    up, down = observed(ours, "price_up"), observed(ours, "price_down")
    p0, p_up, p_down = price["base"], price["price_up"], price["price_down"]
    elasticities = [
        ("own-price elasticity of own share", -(beta * p0 / mu) * (1 - s[0]),
         arc(up[0], down[0], p_up, p_down), arc(shares(p_up, pc)[0], shares(p_down, pc)[0], p_up, p_down)),
        ("cross elasticity of rival share w.r.t. our price", (beta * p0 / mu) * s[0],
         arc(up[1], down[1], p_up, p_down), arc(shares(p_up, pc)[1], shares(p_down, pc)[1], p_up, p_down)),
        ("cross elasticity of own share w.r.t. rival price", (beta * pc / mu) * s[1],
         arc(observed(rival_up, "base")[0], observed(rival_down, "base")[0], pc_up, pc_down),
         arc(shares(p0, pc_up)[0], shares(p0, pc_down)[0], pc_up, pc_down)),
    ]
    for label, point, samples, arc_exact in elasticities:
        checks.append(statistical(label, point, samples, allowance=abs(float(arc_exact) - point),
                                  allowance_reason="central-difference truncation"))
    return Case(
        name="logit_shares", title="Logit shares with a competitor and an outside option",
        closed_form=("s_j = exp(u_j/μ) / Σ_k exp(u_k/μ) with u_own = v − β·p, u_rival = v + a − β·p_c, "
                     "u_none = u0; ∂ln s_own/∂ln p = −(β·p/μ)(1 − s_own); ∂ln s_rival/∂ln p = (β·p/μ)·s_own; "
                     "∂ln s_own/∂ln p_c = (β·p_c/μ)·s_rival"),
        scenario_file="scenarios/validation/logit_shares.yaml",
        mechanism="utilities (simulation/market/utility.py) and the logit draw (simulation/market/choice.py)",
        parameters={"v": f"{v:g}", "β": f"{beta:g}", "μ": f"{mu:g}", "u0": f"{u0:g}", "p": f"{p0:g}",
                    "p_c": f"{pc:g}", "a": f"{appeal:g}", "price step": f"±{step:.0%}",
                    "consumers N": f"{n:g}", "replications": str(sc.run.replications)},
        checks=tuple(checks),
        notes=("Elasticities are central log differences between simulations at the two prices on common "
               "random numbers (same population, same daily draws); the allowance is the exact gap between "
               "that difference and the point elasticity for the logit model."),
    )


# -- 3. Deposit inflation -------------------------------------------------------------------------
def deposit_inflation() -> Case:
    """Balance completion, revenue, forfeits and refunds of an inflated deposit."""
    sc = load("deposit_inflation")
    seg, n = _only_segment(sc), _market_size(sc)
    dep = sc.strategies["non_refundable"].deposit
    _require(dep.model_dump(exclude={"refundable"}) == sc.strategies["refundable"].deposit.model_dump(
        exclude={"refundable"}), "both strategies use the same deposit")
    price = float(sc.strategies["non_refundable"].pricing.presale_price or sc.product.list_price)
    d, k = float(dep.amount), float(dep.inflation)
    v, beta, noise = float(seg.valuation), float(seg.price_sensitivity), seg.valuation_noise
    low, high = v + noise.low, v + noise.high
    _require(v > beta * price, "every consumer deposits")
    balance = max(price - k * d, 0.0)
    out = simulate_all(sc).outcome
    checks = []
    for strategy, refundable in (("non_refundable", False), ("refundable", True)):
        completion = _uniform_tail(beta * (balance + (d if refundable else 0.0)), low, high)
        deposits = per_replication(out, strategy, "n_deposits")
        label = strategy.replace("_", "-")
        checks.append(exact(f"{label}: depositors", n, deposits))
        checks.append(statistical(f"{label}: completion share", completion,
                                  per_replication(out, strategy, "deposit_conversion_rate")))
        revenue = completion * (d + balance) if refundable else d + completion * balance
        checks.append(statistical(f"{label}: net revenue per depositor", revenue,
                                  per_replication(out, strategy, "revenue_net") / deposits))
        column, what = ("refunds", "refunds") if refundable else ("forfeited_deposits", "forfeits")
        checks.append(statistical(f"{label}: {what} per depositor", (1 - completion) * d,
                                  per_replication(out, strategy, column) / deposits))
        other = "forfeited_deposits" if refundable else "refunds"
        checks.append(exact(f"{label}: {other.replace('_', ' ')}", 0.0, per_replication(out, strategy, other)))
    # Ordering weighs the inflation: the total price is P - (k - 1) d, so a consumer whose expected
    # valuation lies between that and P deposits with the inflation and not without it.
    (seg_name,) = sc.market.segments
    between = price - (k - 1) * d / 2
    for inflation in (k, 1.0):
        variant = with_overrides(sc, {f"market.segments.{seg_name}.valuation": between,
                                      "strategies.non_refundable.deposit.inflation": inflation})
        deposits = per_replication(simulate_all(variant, ["non_refundable"]).outcome, "non_refundable", "n_deposits")
        checks.append(exact(f"depositors at v = {between:g} with k = {inflation:g} "
                            f"(total price {price - (inflation - 1) * d:g})",
                            n if beta * (price - (inflation - 1) * d) <= between else 0.0, deposits))
    return Case(
        name="deposit_inflation", title="Deposit inflation",
        closed_form=("balance B = P − k·d; realised valuation V ~ U[v + a, v + b] revealed after the deposit; "
                     "completion c = P(V ≥ β·B) (non-refundable) or P(V ≥ β·(B + d)) (refundable); net revenue "
                     "per depositor d + c·B (non-refundable) or c·(d + B) (refundable); forfeits (1 − c)·d "
                     "(non-refundable); refunds (1 − c)·d (refundable); a consumer orders iff the expected "
                     "valuation covers β times the total price P − (k − 1)·d"),
        scenario_file="scenarios/validation/deposit_inflation.yaml",
        mechanism=("balance due, the balance decision and the inflation bonus at ordering "
                   "(simulation/market/deposits.py, simulation/engine/orders.py, simulation/engine/shopping.py)"),
        parameters={"P": f"{price:g}", "d": f"{d:g}", "k": f"{k:g}", "B": f"{balance:g}", "β": f"{beta:g}",
                    "V": f"U[{low:g}, {high:g}]", "consumers N": f"{n:g}",
                    "replications": str(sc.run.replications)},
        checks=tuple(checks),
    )


# -- 3b. The deposit decision of consumers who know the price path --------------------------------
def _normal_call(mu: np.ndarray | float, strike: float, sd: float) -> np.ndarray:
    """E[(V - strike)+] for V normal(mu, sd): sd·phi(z) + (mu - strike)·Phi(z), z = (mu - strike)/sd."""
    from scipy import stats

    z = (np.asarray(mu, dtype=float) - strike) / sd
    return sd * stats.norm.pdf(z) + (np.asarray(mu, dtype=float) - strike) * stats.norm.cdf(z)


def _mean_normal_cdf(a: float, b: float, strike: float, sd: float) -> float:
    """Mean of Phi((mu - strike)/sd) over mu uniform on [a, b] (antiderivative sd·(z·Phi(z) + phi(z)))."""
    from scipy import stats

    def anti(mu: float) -> float:
        z = (mu - strike) / sd
        return sd * (z * stats.norm.cdf(z) + stats.norm.pdf(z))

    return float((anti(b) - anti(a)) / (b - a))


def deposit_option() -> Case:
    """Who deposits under the participation condition, who under the myopic rule."""
    from scipy import optimize

    sc = load("deposit_option")
    seg, n = _only_segment(sc), _market_size(sc)
    noise, lo, hi = seg.valuation_noise, float(seg.valuation.low), float(seg.valuation.high)
    names = list(sc.strategies)
    dep = sc.strategies[names[0]].deposit
    price = float(sc.strategies[names[0]].pricing.presale_price)
    d, k = float(dep.amount), float(dep.inflation)
    balance, effective = price - k * d, price - (k - 1) * d
    _require(sc.market.choice.presale_decision == "option" and sc.market.choice.logit_scale == 0,
             "the participation condition, deterministic choice")
    _require(float(seg.strategic_share) == 1 and float(seg.patience) == 1 and float(seg.trust) == 1,
             "everyone strategic, patience 1, trust 1")
    _require(noise.dist == "normal" and noise.mean_ == 0 and noise.low is None and noise.high is None,
             "a centred normal surprise")
    _require(all(s.deposit == dep and float(s.pricing.presale_price) == price for s in sc.strategies.values())
             and not dep.refundable and balance > 0, "one non-refundable deposit with a positive balance")
    sd = float(noise.sd)
    option = simulate_all(sc)
    myopic = simulate_all(with_overrides(sc, {"market.choice.presale_decision": "myopic"}))
    launch = sc.calendar.launch_day
    checks, cutoffs = [], {}
    for name in names:
        spot = float(sc.strategies[name].pricing.list_price)
        gain = lambda mu: float(_normal_call(mu, balance, sd) - d - _normal_call(mu, spot, sd))  # noqa: E731
        cut = optimize.brentq(gain, balance - 10 * sd, max(spot, effective) + 10 * sd, xtol=1e-10)
        cutoffs[name] = cut
        share = _uniform_tail(cut, lo, hi)
        deposits = per_replication(option.outcome, name, "n_deposits") / n
        checks.append(statistical(f"{name}: depositors, option rule (mu ≥ {cut:.5g})", share, deposits))
        checks.append(statistical(f"{name}: balance paid by depositors (V ≥ {balance:g})",
                                  _mean_normal_cdf(cut, hi, balance, sd),
                                  per_replication(option.outcome, name, "deposit_conversion_rate")))
        checks.append(statistical(f"{name}: buyers at the launch, option rule (mu < {cut:.5g}, V ≥ {spot:g})",
                                  _mean_normal_cdf(lo, cut, spot, sd) * (cut - lo) / (hi - lo),
                                  day_values(option.trajectory, name, "orders")[:, launch] / n))
        naive = per_replication(myopic.outcome, name, "n_deposits") / n
        checks.append(statistical(f"{name}: depositors, myopic rule (mu ≥ {effective:g})",
                                  _uniform_tail(effective, lo, hi), naive))
        checks.append(statistical(f"{name}: paired difference option − myopic depositors",
                                  share - _uniform_tail(effective, lo, hi), deposits - naive))
    spots = ", ".join(f"{s} {float(sc.strategies[s].pricing.list_price):g}" for s in names)
    return Case(
        name="deposit_option", title="The deposit decision under valuation uncertainty",
        closed_form=("a consumer who knows the announced path deposits iff E[(V − B)⁺] − d ≥ E[(V − P_spot)⁺] "
                     "(and ≥ 0), B = P − k·d, V = μ + e with e ~ N(0, σ²) learnt before the balance and the "
                     "open sale, E[(V − c)⁺] = σ·φ(z) + (μ − c)·Φ(z), z = (μ − c)/σ; the difference grows with "
                     "μ, so depositors are μ ≥ μ* (its root); they pay the balance iff V ≥ B, the others buy at "
                     "the launch iff V ≥ P_spot. The myopic rule deposits iff μ ≥ P − (k − 1)·d. With μ ~ U[lo, hi]: "
                     "depositors (hi − μ*)/(hi − lo); balance paid E[Φ((μ − B)/σ) | μ ≥ μ*]; launch buyers "
                     "∫_lo^μ* Φ((μ − P_spot)/σ) dμ/(hi − lo)"),
        scenario_file="scenarios/validation/deposit_option.yaml",
        mechanism=("the participation condition (simulation/market/presale_value.py, valuation_tail.py, "
                   "simulation/engine/quotes.py) and the balance decision (simulation/market/deposits.py)"),
        parameters={"P": f"{price:g}", "d": f"{d:g}", "k": f"{k:g}", "B": f"{balance:g}",
                    "P_spot": spots, "μ": f"U[{lo:g}, {hi:g}]", "σ": f"{sd:g}",
                    "consumers N": f"{n:g}", "replications": str(sc.run.replications)},
        checks=tuple(checks),
        notes=("The rules disagree in both directions: with the open sale at the presale price the deposit's own "
               f"option to walk away from the balance draws consumers down to μ* = {cutoffs[names[0]]:.4g} "
               f"(myopic: {effective:g}); with a markdown to {float(sc.strategies[names[-1]].pricing.list_price):g}, "
               f"close to the effective price, learning V first is worth more and only μ ≥ "
               f"{cutoffs[names[-1]]:.4g} deposit. Both rules run on the same consumers and draws, so the "
               "difference is paired."),
    )


# -- 3c. A rival with a market of its own ---------------------------------------------------------
RIVAL_RATE = 0.2
"""Daily rate at which consumers learn of the rival in the second part of the rival case."""
RIVAL_INITIAL = 0.3
"""Share knowing the rival on day 0 in the second part of the rival case."""


def _logit(utilities: Sequence[float], scale: float) -> np.ndarray:
    z = np.exp(np.asarray(utilities, dtype=float) / scale)
    return z / z.sum()


def rival_market() -> Case:
    """Waiting for ours through the balance window; rival buyers who never hear of ours."""
    sc = load("rival_market")
    seg, n = _only_segment(sc), _market_size(sc)
    (rival_name, rival), = sc.competitors.items()
    v, s = float(seg.valuation), float(sc.market.choice.logit_scale)
    cal = sc.calendar
    balance_days = range(cal.balance_start_day, cal.launch_day)
    _require(float(seg.patience) == 1 and float(seg.trust) == 1 and s > 0 and sc.market.choice.leave_rate == 0,
             "patience 1, trust 1, logit choice, nobody leaves")
    _require(rival.launch_day == cal.balance_start_day and float(rival.awareness.initial_share) == 1,
             "the rival, known to all, goes on sale on the first balance day")
    u_rival = v + float(rival.appeal) - float(rival.price)
    run = simulate_all(sc)
    checks, params = [], {}
    for name, strat in sc.strategies.items():
        _require(float(strat.pricing.presale_price) > 10 * v, "no presale orders")
        u_ours = v - float(strat.pricing.list_price)
        p_rival, p_ours, _ = _logit([u_rival, u_ours, 0.0], s)
        rival_daily = day_values(run.trajectory, name, f"competitor_sales.{rival_name}") / n
        ours_daily = day_values(run.trajectory, name, "orders") / n
        waited = (1 - p_rival) ** len(balance_days)
        checks.append(statistical(f"{name}: rival buyers in the balance window, 1 − (1 − P)^{len(balance_days)}",
                                  1 - waited, rival_daily[:, list(balance_days)].sum(axis=1)))
        checks.append(statistical(f"{name}: our buyers on the launch day", waited * p_ours,
                                  ours_daily[:, cal.launch_day]))
        params[f"u_ours ({name})"] = f"{u_ours:g}"
    closed = 1 - (1 - _logit([u_rival, 0.0], s)[0]) ** len(balance_days)
    first = list(sc.strategies)[0]
    checks.append(Check(f"{first}: rival buyers in the balance window, below {closed:.4f} (ours simply closed)",
                        closed, checks[0].simulated, checks[0].se, K_SE * checks[0].se,
                        abs(checks[0].simulated - closed), relation="<", rule=f"beyond {K_SE:g} SE"))
    strangers = with_overrides(sc, {"market.awareness.initial_aware_share": 0.0,
                                    f"competitors.{rival_name}.awareness.initial_share": RIVAL_INITIAL,
                                    f"competitors.{rival_name}.awareness.innovation": RIVAL_RATE})
    alone = simulate_all(strangers, [first])
    p_alone = _logit([u_rival, 0.0], s)[0]
    bought, known = 0.0, []
    for day in range(cal.horizon_days):
        k = 1 - (1 - RIVAL_INITIAL) * np.exp(-RIVAL_RATE * (day + 1))
        if day >= rival.launch_day:
            bought += (k - bought) * p_alone
        known.append(bought)
    cumulative = np.cumsum(day_values(alone.trajectory, first, f"competitor_sales.{rival_name}"), axis=1) / n
    for day in (rival.launch_day, cal.launch_day, cal.horizon_days - 1):
        checks.append(statistical(f"unaware of ours: rival buyers by day {day}", known[day], cumulative[:, day]))
    checks.append(exact("unaware of ours: our orders", 0.0, alone.outcome["n_orders"].to_numpy()))
    checks.append(exact("unaware of ours: aware share of ours", 0.0, alone.outcome["aware_share"].to_numpy()))
    return Case(
        name="rival_market", title="A rival's own market, and waiting for ours",
        closed_form=("in the balance window ours cannot be bought; a consumer who knows ours weighs the rival now "
                     "(u_r), ours at the launch (u_o, patience 1) and nothing (0): each day P = e^{u_r/s} / "
                     "(e^{u_r/s} + e^{u_o/s} + 1), so 1 − (1 − P)^D buy the rival over D days and (1 − P)^D · "
                     "e^{u_o/s} / (e^{u_r/s} + e^{u_o/s} + 1) buy ours on the launch day. Nobody aware of ours, "
                     "a share K(t) = 1 − (1 − k0)·e^{−p (t+1)} knows the rival: its buyers B(t) = B(t−1) + "
                     "(K(t) − B(t−1))·e^{u_r/s} / (e^{u_r/s} + 1) from its launch"),
        scenario_file="scenarios/validation/rival_market.yaml",
        mechanism=("the rival's own awareness (simulation/engine/agents.py CompetitorAgent, market/competition.py) and "
                   "the shoppers and their alternatives (simulation/engine/shopping.py, quotes.py)"),
        parameters={"v": f"{v:g}", "u_rival": f"{u_rival:g}", **params, "logit scale s": f"{s:g}",
                    "balance days D": str(len(balance_days)), "k0": f"{RIVAL_INITIAL:g}", "p (per day)": f"{RIVAL_RATE:g}",
                    "consumers N": f"{n:g}", "replications": str(sc.run.replications)},
        checks=tuple(checks),
        notes=("Before the rival had a market of its own, ours was simply closed in the balance window, so "
               "everyone who knew ours bought the rival there (the third check's target), and only consumers "
               "aware of ours ever shopped."),
    )


# -- 4. Strategic waiting ---------------------------------------------------------------------------
WAITING_VARIANTS = (("strategic, δ from the file", {}),
                    ("strategic, δ = 0.5", {"patience": 0.5}),
                    ("myopic", {"strategic_share": 0.0}))
"""Consumer variants of the strategic waiting case (segment overrides)."""


def strategic_waiting() -> Case:
    """Share buying at the first of two announced prices."""
    sc = load("strategic_waiting")
    (seg_name, seg), = sc.market.segments.items()
    strategy_name, = sc.strategies
    strat, n = sc.strategies[strategy_name], _market_size(sc)
    p1 = float(strat.pricing.list_price or sc.product.list_price)
    (drop,) = strat.pricing.schedule
    p2, first = float(drop.price), sc.calendar.launch_day
    lo, hi = float(seg.valuation.low), float(seg.valuation.high)
    _require(drop.day == first + 1 and p2 < p1, "the price drops one day after the launch")
    _require(float(strat.pricing.presale_price) > hi, "no presale orders")
    checks, deltas = [], []
    for label, overrides in WAITING_VARIANTS:
        variant = with_overrides(sc, {f"market.segments.{seg_name}.{k}": x for k, x in overrides.items()})
        vseg = variant.market.segments[seg_name]
        _require(vseg.strategic_share in (0.0, 1.0), "all or no consumers strategic")
        delta = float(vseg.patience)
        deltas.append(f"{delta:g}")
        cutoff = (p1 - delta * p2) / (1 - delta) if vseg.strategic_share == 1.0 else p1
        orders = day_values(simulate_all(variant).trajectory, strategy_name, "orders") / n
        early, late = _uniform_tail(cutoff, lo, hi), _uniform_between(p2, cutoff, lo, hi)
        checks.append(statistical(f"{label}: share buying at p1 (cutoff {cutoff:g})", early, orders[:, first]))
        checks.append(statistical(f"{label}: share buying at p2", late, orders[:, first + 1]))
    return Case(
        name="strategic_waiting", title="Strategic waiting",
        closed_form=("a strategic consumer buys at p1 iff v − p1 ≥ δ·(v − p2) and v ≥ p1, i.e. v ≥ cutoff = "
                     "(p1 − δ·p2)/(1 − δ); a myopic one iff v ≥ p1 (cutoff = p1); with v ~ U[lo, hi] the early "
                     "share is (hi − cutoff)/(hi − lo) clipped to [0, 1], and those with p2 ≤ v < cutoff buy at p2"),
        scenario_file="scenarios/validation/strategic_waiting.yaml",
        mechanism="the waiting alternative and announced later prices (simulation/market/utility.py, pricing.py)",
        parameters={"p1 (day %d)" % first: f"{p1:g}", "p2 (day %d on)" % drop.day: f"{p2:g}",
                    "v": f"U[{lo:g}, {hi:g}]",
                    **{f"δ ({label})": d for (label, _), d in zip(WAITING_VARIANTS, deltas)},
                    "consumers N": f"{n:g}", "replications": str(sc.run.replications)},
        checks=tuple(checks),
    )


# -- 4b. A markdown path ------------------------------------------------------------------------------
def markdown_path() -> Case:
    """Who buys on each step of an announced multi-step markdown."""
    sc = load("markdown_path")
    (seg,) = sc.market.segments.values()
    strategy_name, = sc.strategies
    strat, n = sc.strategies[strategy_name], _market_size(sc)
    first = sc.calendar.launch_day
    steps = [(first, float(strat.pricing.list_price or sc.product.list_price))]
    steps += [(int(s.day), float(s.price)) for s in strat.pricing.schedule]
    _require(all(b[1] < a[1] and b[0] > a[0] for a, b in zip(steps, steps[1:])), "a falling price path")
    _require(float(seg.strategic_share) == 1.0, "every consumer strategic")
    _require(float(strat.pricing.presale_price) > float(seg.valuation.high), "no presale orders")
    delta, lo, hi = float(seg.patience), float(seg.valuation.low), float(seg.valuation.high)

    def cutoff(k: int) -> float:
        """Lowest valuation that buys at step k rather than wait for any later step (or not at all)."""
        day, price = steps[k]
        lows = [price]
        for later_day, later_price in steps[k + 1:]:
            f = delta ** (later_day - day)
            lows.append((price - f * later_price) / (1 - f))
        return max(lows)

    cuts = [cutoff(k) for k in range(len(steps))]
    orders = day_values(simulate_all(sc).trajectory, strategy_name, "orders") / n
    checks, upper = [], hi
    for (day, price), cut in zip(steps, cuts):
        checks.append(statistical(f"share buying on day {day} at {price:g} (valuations {cut:.5g}–{upper:.5g})",
                                  _uniform_between(cut, upper, lo, hi), orders[:, day]))
        upper = min(upper, cut)
    lowest_only = (steps[0][1] - delta ** (steps[-1][0] - first) * steps[-1][1]) / (1 - delta ** (steps[-1][0] - first))
    return Case(
        name="markdown_path", title="Strategic waiting over a markdown path",
        closed_form=("on day t a strategic consumer buys at p_t iff v − p_t ≥ max(0, max over later steps u of "
                     "δ^(u−t)·(v − p_u)): the best discounted surplus over the whole announced path, not only "
                     "at its lowest price; with v ~ U[lo, hi] each step's buyers are a band of valuations"),
        scenario_file="scenarios/validation/markdown_path.yaml",
        mechanism="the waiting alternative over every later price step (simulation/market/utility.py, pricing.py later_steps)",
        parameters={**{f"p (day {d})": f"{p:g}" for d, p in steps}, "δ": f"{delta:g}", "v": f"U[{lo:g}, {hi:g}]",
                    "consumers N": f"{n:g}", "replications": str(sc.run.replications)},
        checks=tuple(checks),
        notes=(f"Comparing only with the lowest later price would put the day-{first} cutoff at "
               f"{lowest_only:.4g} instead of {cuts[0]:.4g}: consumers in between would buy at "
               f"{steps[0][1]:g} although waiting a day for {steps[1][1]:g} is better for them."),
    )


# -- 5. Advance selling ------------------------------------------------------------------------------
ADVANCE_UNIT_COSTS = (40.0, 80.0)
"""Unit costs on either side of the low valuation (60 in the scenario file)."""


def advance_selling() -> Case:
    """Selling ahead at the expected valuation beats spot selling iff unit cost <= low valuation."""
    sc = load("advance_selling")
    seg, n = _only_segment(sc), _market_size(sc)
    (v_low, v_high) = sorted(float(seg.valuation) + x for x in seg.valuation_noise.values)
    theta = float(seg.valuation_noise.probs[int(np.argmax(seg.valuation_noise.values))])
    expected = float(seg.valuation) + seg.valuation_noise.expected()
    pr = {s: sc.strategies[s].pricing for s in ("advance", "spot_high", "spot_low")}
    _require(len(seg.valuation_noise.values) == 2, "two valuation states")
    _require(abs(float(pr["advance"].presale_price) - expected) < 1e-9, "advance price = E[v]")
    _require(float(pr["spot_high"].list_price) == v_high and float(pr["spot_low"].list_price) == v_low,
             "spot prices at the two valuations")
    _require(min(float(pr[s].presale_price) for s in ("spot_high", "spot_low")) > v_high, "spot: no presale")
    _require(sc.strategies["advance"].deposit is None and float(seg.trust) == 1 and float(seg.patience) == 1,
             "full prepayment, trust 1, patience 1")
    checks = []
    for c in ADVANCE_UNIT_COSTS:
        variant = with_overrides(sc, {"product.unit_cost": c, "product.salvage_value": c})
        out = simulate_all(variant).outcome
        profit = {s: per_replication(out, s, "profit") / n for s in pr}
        target = {"advance": expected - c, "spot_high": theta * (v_high - c), "spot_low": v_low - c}
        best = max(("spot_high", "spot_low"), key=target.get)
        checks.append(exact(f"c = {c:g}: advance profit per consumer", target["advance"], profit["advance"]))
        checks.append(statistical(f"c = {c:g}: spot-at-v_H profit per consumer", target["spot_high"],
                                  profit["spot_high"]))
        checks.append(exact(f"c = {c:g}: spot-at-v_L profit per consumer", target["spot_low"], profit["spot_low"]))
        diff = profit["advance"] - profit[best]
        checks.append(statistical(f"c = {c:g}: paired profit difference advance - best spot ({best})",
                                  target["advance"] - target[best], diff))
        checks.append(signed(f"c = {c:g}: advance {'beats' if c <= v_low else 'loses to'} spot "
                             f"(c {'<=' if c <= v_low else '>'} v_L)", diff, positive=c <= v_low))
    return Case(
        name="advance_selling", title="Advance selling under valuation uncertainty",
        closed_form=("profit per consumer: advance at E[v]: E[v] − c; spot at v_H: θ·(v_H − c); spot at v_L: "
                     "v_L − c; advance − spot at v_H = (1 − θ)·(v_L − c), so selling ahead beats the best spot "
                     "price iff c ≤ v_L"),
        scenario_file="scenarios/validation/advance_selling.yaml",
        mechanism=("presale orders on expected valuations, realised valuations at the launch, profit "
                   "(simulation/engine/shopping.py, simulation/engine/metrics.py)"),
        parameters={"v_L": f"{v_low:g}", "v_H": f"{v_high:g}", "θ = P(v_H)": f"{theta:g}",
                    "E[v]": f"{expected:g}", "unit costs c": ", ".join(f"{c:g}" for c in ADVANCE_UNIT_COSTS),
                    "consumers N": f"{n:g}", "replications": str(sc.run.replications)},
        checks=tuple(checks),
        notes=("Profit per consumer of the market; leftovers are salvaged at unit cost so only units sold "
               "carry their cost. Paired differences are taken per replication (common random numbers)."),
    )


# -- 6. Stock-limited demand -------------------------------------------------------------------------
def stock_limited_demand() -> Case:
    """Units sold, lost sales, sell-through and fill rate with a fixed stock."""
    sc = load("stock_limited")
    seg, n = _only_segment(sc), _market_size(sc)
    price = float(sc.product.list_price)
    lo, hi = float(seg.valuation.low), float(seg.valuation.high)
    _require(not sc.competitors and all(s.inventory.production.rule == "fixed" and s.inventory.production.quantity == 0
                                        for s in sc.strategies.values()), "no competitor to switch to, no restock")
    out = simulate_all(sc).outcome
    stock = {s: float(sc.strategies[s].inventory.initial_stock) for s in sc.strategies}
    ample = max(stock, key=stock.get)
    checks = [exact(f"{ample}: nobody turned away", 0.0, per_replication(out, ample, "lost_sales"))]
    demand = per_replication(out, ample, "units_sold")
    checks.append(statistical("demand share D/N", _uniform_tail(price, lo, hi), demand / n))
    for strategy, s in stock.items():
        sold = np.minimum(demand, s)
        checks += [
            exact(f"{strategy} (S = {s:g}): units sold = min(D, S)", sold, per_replication(out, strategy, "units_sold")),
            exact(f"{strategy}: lost sales = max(D - S, 0)", demand - sold,
                  per_replication(out, strategy, "lost_sales")),
            exact(f"{strategy}: sell-through = min(D, S)/S", sold / s, per_replication(out, strategy, "sell_through")),
            exact(f"{strategy}: fill rate = min(D, S)/D", sold / demand, per_replication(out, strategy, "fill_rate")),
        ]
    return Case(
        name="stock_limited", title="Stock-limited demand",
        closed_form=("demand D = #{v ≥ p}, E[D]/N = (hi − p)/(hi − lo); units sold = min(D, S); lost sales = "
                     "max(D − S, 0); sell-through = min(D, S)/S; fill rate = min(D, S)/D"),
        scenario_file="scenarios/validation/stock_limited.yaml",
        mechanism="the stock queue and lost sales (simulation/engine/shopping.py, market/fulfilment.py, engine/metrics.py)",
        parameters={"p": f"{price:g}", "v": f"U[{lo:g}, {hi:g}]",
                    **{f"S ({s})": f"{x:g}" for s, x in stock.items()},
                    "consumers N": f"{n:g}", "replications": str(sc.run.replications)},
        checks=tuple(checks),
        notes=(f"D is each replication's demand, read from the units sold with the stock of '{ample}' "
               "(which turns nobody away) on the same population and draws."),
    )


# -- 7. Returns and rating ---------------------------------------------------------------------------
RETURN_RATINGS = (3.8, 4.1, 4.4, 4.65, 5.0)
"""Ratings at which the return rate is checked (below, between, on and above the curve's points)."""


def returns_by_rating() -> Case:
    """The return rate at a rating follows the configured piecewise-linear curve."""
    sc = load("returns_rating")
    curve, n = sc.product.returns, _market_size(sc)
    _require(curve.delay_days + sc.calendar.launch_day < sc.calendar.horizon_days, "returns come back in time")
    checks = []
    for rating in RETURN_RATINGS:
        out = simulate_all(with_overrides(sc, {"product.rating": rating})).outcome
        strategy, = sc.strategies
        checks.append(statistical(f"return rate at rating {rating:g}",
                                  piecewise_linear(rating, curve.ratings, curve.p_return),
                                  per_replication(out, strategy, "return_rate")))
    return Case(
        name="returns_rating", title="Returns and rating",
        closed_form="return rate = p_return(rating), linear between the configured points, flat outside them",
        scenario_file="scenarios/validation/returns_rating.yaml",
        mechanism="the return curve and returns (simulation/market/fulfilment.py, simulation/engine/orders.py)",
        parameters={"curve": ", ".join(f"{r:g} → {p:g}" for r, p in zip(curve.ratings, curve.p_return)),
                    "consumers N": f"{n:g}", "replications": str(sc.run.replications)},
        checks=tuple(checks),
    )


# -- 8. Random rationing -----------------------------------------------------------------------------
def random_rationing() -> Case:
    """Too few presale places go to every kind of shopper with the same chance."""
    sc = load("random_rationing")
    (strategy,) = sc.strategies
    cap = float(sc.strategies[strategy].pricing.presale_quantity)
    cal = sc.calendar
    _require(cal.presale_start_day == 1 and cal.horizon_days > cal.launch_day, "one warm-up day, then the presale")
    _require(sc.run.population == sc.market.size, "one simulated consumer per real one")
    channels = list(sc.channels)
    shares = {f"{c}, {'reserved' if r else 'not reserved'}": [] for c in channels for r in (True, False)}
    fair, served_total, excess = [], [], []
    for rep in range(sc.run.replications):
        model = PresaleModel(Replication(sc, rep).scenario, strategy, replication=rep)
        model.step()                                            # day 0: warm-up, visitors reserve
        reserved = model.pop.state == State.RESERVED
        model.step()                                            # day 1: the presale, capped
        pop = model.pop
        served = pop.order_day == 1
        wanting = served | (pop.turned_away_day >= 0)                  # nobody is turned away before day 1
        fair.append(cap / np.count_nonzero(wanting))
        served_total.append(np.count_nonzero(served))
        excess.append(np.count_nonzero(wanting) - cap)
        for k, c in enumerate(channels):
            for r in (True, False):
                group = wanting & (pop.channel == k) & (reserved == r)
                shares[f"{c}, {'reserved' if r else 'not reserved'}"].append(
                    np.count_nonzero(served & group) / np.count_nonzero(group))
    _require(min(excess) > 0, "more shoppers than presale places")
    target = float(np.mean(fair))
    checks = [exact("presale orders = Q", cap, np.array(served_total))]
    checks += [statistical(f"share served: {name}", target, values) for name, values in shares.items()]
    return Case(
        name="random_rationing", title="Random rationing",
        closed_form=("every shopper of the day gets one of the Q places with probability Q / D (D shoppers), "
                     "whatever its channel and whether it reserved"),
        scenario_file="scenarios/validation/random_rationing.yaml",
        mechanism="the day's visitors and queue (simulation/engine/shopping.py visitors, simulation/engine/model.py DayDraws.visitors)",
        parameters={"conversion": ", ".join(f"{c} {float(sc.channels[c].conversion):g}" for c in channels),
                    "Q": f"{cap:g}", "consumers N": f"{sc.market.size:g}",
                    "replications": str(sc.run.replications)},
        checks=tuple(checks),
        notes=("The target is the mean over replications of Q / D; reserved consumers come back as of right, "
               "the others visit with their channel's conversion, so the groups differ in size, not in chance."),
    )


CASES: tuple[Callable[[], Case], ...] = (
    bass_diffusion, logit_choice, deposit_inflation, deposit_option, rival_market, strategic_waiting, markdown_path, advance_selling,
    stock_limited_demand, returns_by_rating, random_rationing,
)
"""Every validation case, in the order of docs/validation.md."""
