"""The grammar of release gates: parse and check gate texts, with no heavy imports
(``presale validate`` checks the gates of a scenario file with it).

A gate is a one-line rule that FAILS when a strategy is demonstrably beyond a
threshold; :mod:`simulation.analysis.gates` evaluates it on outcomes.

A gate is a one-line rule that FAILS when a strategy is demonstrably beyond a
threshold. Grammar::

    GATE   := [STRATEGY ":"] METRIC ".mean" OP RHS
    OP     := "<" | ">"
    RHS    := "baseline" [("+" | "-") NUMBER ["%"]]    (relative gate)
            | NUMBER                                    (absolute gate)

* ``profit.mean < baseline -2%`` fails when the strategy's profit mean is
  below the baseline's by more than 2 % of |baseline mean|.
* ``refunds.mean > baseline +500`` fails when refunds exceed the baseline's
  by more than 500 (a number without ``%`` is in the metric's units).
* ``profit.mean < 10000`` fails when the strategy's mean profit is below
  10000 (absolute gate, ``%`` not allowed).
* ``aggressive: profit.mean < baseline -2%`` applies to one strategy only;
  without a selector a gate applies to every non-baseline strategy.

Decision rule: with a two-sided interval at ``confidence``, a relative gate
with threshold t (metric units) fails iff the paired difference interval
(strategy - baseline, matched per replication) lies entirely beyond t:
``diff_ci_high < t`` for ``<``, ``diff_ci_low > t`` for ``>``. An absolute
gate uses the Student-t interval of the strategy's own mean instead. Gates
in a scenario file (``gates:`` section) are lists of the same strings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import PresaleError

__all__ = ["GATE_HELP", "Gate", "GateSyntaxError", "gate_problem", "gate_problems", "parse_gate",
           "parse_gates"]

GATE_HELP = (
    "Gate syntax: [STRATEGY:] METRIC.mean (<|>) baseline [+|-]NUMBER[%]  or  "
    "[STRATEGY:] METRIC.mean (<|>) NUMBER. "
    "'-2%' is relative to |baseline mean|, a bare number is in the metric's units. "
    "A gate fails only when the confidence interval lies entirely beyond the threshold. "
    "Examples: 'profit.mean < baseline -2%', 'refunds.mean > baseline +500', "
    "'aggressive: profit.mean < 10000'."
)

_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_METRIC = r"[A-Za-z_][A-Za-z0-9_]*"
_LHS = re.compile(rf"^(?P<metric>{_METRIC})\.(?P<stat>[A-Za-z_0-9]+)$")
_RELATIVE = re.compile(rf"^baseline(?:\s*(?P<sign>[+-])\s*(?P<num>{_NUMBER})\s*(?P<pct>%)?)?$")
_ABSOLUTE = re.compile(rf"^(?P<num>[+-]?\s*{_NUMBER})$")

class GateSyntaxError(PresaleError, ValueError):
    """A gate text that does not follow the gate grammar."""


@dataclass(frozen=True)
class Gate:
    """A parsed gate.

    Attributes
    ----------
    text : str
        The gate as written.
    metric : str
        Outcome column whose mean is tested.
    op : str
        ``"<"`` (fail when below) or ``">"`` (fail when above).
    relative : bool
        True for ``baseline ...`` gates, False for absolute ones.
    value : float
        Signed offset (relative gates) or the absolute level.
    percent : bool
        True when ``value`` is a percentage of |baseline mean|.
    strategy : str or None
        Strategy selector; None means every non-baseline strategy.
    statistic : str
        The statistic of ``metric`` across replications: ``mean`` for a gate; an
        optimisation's constraints also name others (``cvar5``, ``p95``,
        :mod:`simulation.analysis.limits`).
    """

    text: str
    metric: str
    op: str
    relative: bool
    value: float
    percent: bool = False
    strategy: str | None = None
    statistic: str = "mean"

    def threshold(self, baseline_mean: float = math.nan) -> float:
        """Threshold in metric units (a difference for relative gates)."""
        if self.percent:
            return self.value / 100.0 * abs(baseline_mean)
        return self.value

    def describe(self) -> str:
        """The right-hand side as a short label, e.g. ``-2%`` or ``10,000``."""
        if not self.relative:
            return _fmt(self.value)
        return f"{self.value:+g}%" if self.percent else _fmt(self.value, sign=True)


def _syntax_error(text: object, problem: str) -> GateSyntaxError:
    return GateSyntaxError(f"invalid gate {text!r}: {problem}. {GATE_HELP}")


def parse_gate(text: str, *, statistics: str | None = None) -> Gate:
    """Parse one gate string; see the module docstring for the grammar.

    ``statistics`` is a regular expression of further statistics allowed after
    ``METRIC.`` besides ``mean`` (the limits of an optimisation allow
    ``cvar5``, ``p95``, ...); a gate allows ``mean`` alone.

    Raises
    ------
    GateSyntaxError
        Quoting the text, naming the offending part and showing the grammar.
    """
    if not isinstance(text, str):
        raise _syntax_error(text, f"expected a string, got {type(text).__name__}")
    body = body_text = text.strip()
    if not body:
        raise _syntax_error(text, "the gate is empty")
    strategy = None
    if ":" in body:
        selector, body = (p.strip() for p in body.split(":", 1))
        if not selector:
            raise _syntax_error(text, "empty strategy name before ':'")
        strategy = selector
    ops = [c for c in body if c in "<>="]
    if ops.count("<") + ops.count(">") != 1 or "=" in ops:
        raise _syntax_error(text, "expected exactly one comparison operator, '<' or '>' "
                                  "('<=', '>=' and '=' are not supported)")
    op = "<" if "<" in ops else ">"
    lhs, rhs = (p.strip() for p in body.split(op, 1))
    m = _LHS.match(lhs)
    if not m:
        raise _syntax_error(text, f"left side {lhs!r} must be METRIC.mean, e.g. profit.mean")
    if m["stat"] != "mean" and not (statistics and re.fullmatch(statistics, m["stat"])):
        raise _syntax_error(text, f"unsupported statistic '.{m['stat']}' in {lhs!r}; "
                                  "only '.mean' is supported")
    if not rhs:
        raise _syntax_error(text, "missing right side after the operator")
    if rhs.startswith("baseline"):
        r = _RELATIVE.match(rhs)
        if not r:
            bare = re.match(rf"^baseline\s*({_NUMBER}%?)$", rhs)
            hint = (f"write '+{bare[1]}' or '-{bare[1]}' after 'baseline'" if bare else
                    "expected 'baseline' optionally followed by +NUMBER, -NUMBER, "
                    "+NUMBER% or -NUMBER%")
            raise _syntax_error(text, f"right side {rhs!r} is malformed: {hint}")
        value = float(r["num"]) if r["num"] else 0.0
        if r["sign"] == "-":
            value = -value
        return Gate(body_text, m["metric"], op, True, value, bool(r["pct"]), strategy, m["stat"])
    a = _ABSOLUTE.match(rhs)
    if not a:
        number = rhs[:-1].strip()
        problem = (f"'%' is only allowed relative to the baseline; write {number} "
                   "as a number in the metric's units"
                   if rhs.endswith("%") and _ABSOLUTE.match(number)
                   else f"right side {rhs!r} must be 'baseline [+|-]NUMBER[%]' or a NUMBER")
        raise _syntax_error(text, problem)
    return Gate(body_text, m["metric"], op, False, float(a["num"].replace(" ", "")), False,
                strategy, m["stat"])


def parse_gates(texts: str | Gate | Iterable[str | Gate] | None) -> list[Gate]:
    """Parse one gate string or a list of them (e.g. a scenario ``gates:`` section).

    Already parsed ``Gate`` objects are passed through; None gives no gates.
    """
    if texts is None:
        return []
    if isinstance(texts, (str, Gate)):
        texts = [texts]
    return [t if isinstance(t, Gate) else parse_gate(t) for t in texts]


def gate_problem(gate: Gate, *, strategies: Sequence[str], baseline: str,
                 metrics: Sequence[str]) -> str | None:
    """What makes ``gate`` unusable for these strategies and outcome metrics, or ``None``."""
    if gate.metric not in metrics:
        from .problems import did_you_mean

        hint = did_you_mean(gate.metric, list(metrics))
        return (f"gate {gate.text!r}: unknown metric {gate.metric!r}"
                + (f"; did you mean {hint!r}?" if hint else f"; metrics are {', '.join(metrics)}"))
    if gate.strategy is not None and gate.strategy not in strategies:
        return (f"gate {gate.text!r}: unknown strategy {gate.strategy!r}; "
                f"strategies are {', '.join(strategies)}")
    if gate.relative and gate.strategy == baseline:
        return f"gate {gate.text!r} compares the baseline with itself"
    return None


def gate_problems(texts: Iterable[str | Gate], *, strategies: Sequence[str], baseline: str,
                  metrics: Sequence[str]) -> list[tuple[int, str]]:
    """``(index, message)`` for each gate of ``texts`` that does not parse or cannot be evaluated."""
    out = []
    for i, text in enumerate(texts):
        try:
            gate = text if isinstance(text, Gate) else parse_gate(text)
        except GateSyntaxError as err:
            out.append((i, str(err)))
            continue
        problem = gate_problem(gate, strategies=strategies, baseline=baseline, metrics=metrics)
        if problem is not None:
            out.append((i, problem))
    return out


def _decimals(values: Iterable[float]) -> int:
    """Decimals to print numbers of the magnitude of the largest of ``values``."""
    finite = [abs(v) for v in values if math.isfinite(v) and v != 0]
    top = max(finite, default=1.0)
    if top >= 100:
        return 0
    if top >= 1:
        return 2
    return min(10, 2 - math.floor(math.log10(top)))


def _fmt(x: float, *, sign: bool = False, decimals: int | None = None) -> str:
    """Readable number with thousands separators."""
    if not math.isfinite(x):
        return str(x)
    d = _decimals([x]) if decimals is None else decimals
    return f"{x:{'+' if sign else ''},.{d}f}"
