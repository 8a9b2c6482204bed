"""Distributions as a tagged union with named parameters.

A numeric scenario field is either a plain number or a mapping such as
``{dist: normal, mean: 900, sd: 120}``. Every distribution maps unit-cube
draws through its quantile function (:meth:`ppf`), so the same uniform draw
gives comparable values under any distribution (common random numbers).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Distribution", "Number", "is_distribution", "sample_value"]


def _scipy():
    """SciPy's ``special`` and ``stats``, imported on first use (keeps start-up fast)."""
    from scipy import special, stats

    return special, stats


class _Dist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """Quantile function applied to uniform draws ``u`` in [0, 1)."""
        return np.asarray(self.frozen().ppf(u), dtype=float)

    def frozen(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def expected(self) -> float:
        """Expected value."""
        return float(self.frozen().mean())


class Uniform(_Dist):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _check(self):
        if not self.high >= self.low:
            raise ValueError(f"high ({self.high}) must be at least low ({self.low})")
        return self

    def frozen(self):
        special, stats = _scipy()
        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def ppf(self, u):
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)


class Normal(_Dist):
    """Normal with ``mean`` and ``sd``, optionally truncated to ``[low, high]``."""

    dist: Literal["normal"]
    mean_: float = Field(alias="mean")
    sd: float = Field(ge=0)
    low: float | None = None
    high: float | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _check(self):
        if self.low is not None and self.high is not None and not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low})")
        return self

    def frozen(self):
        special, stats = _scipy()
        if self.sd == 0:
            return stats.uniform(loc=self.mean_, scale=0.0)
        if self.low is None and self.high is None:
            return stats.norm(self.mean_, self.sd)
        a = -np.inf if self.low is None else (self.low - self.mean_) / self.sd
        b = np.inf if self.high is None else (self.high - self.mean_) / self.sd
        return stats.truncnorm(a, b, loc=self.mean_, scale=self.sd)

    def ppf(self, u):
        from scipy import special            # scipy.stats only for a truncated normal (slow to import)

        u = np.asarray(u, dtype=float)
        if self.sd == 0:
            return np.full(u.shape, self.mean_, dtype=float)
        if self.low is None and self.high is None:
            return self.mean_ + self.sd * special.ndtri(u)
        return np.asarray(self.frozen().ppf(u), dtype=float)


class LogNormal(_Dist):
    """Log-normal with the given ``median`` and log-scale ``sigma``."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(ge=0)

    def frozen(self):
        special, stats = _scipy()
        return stats.lognorm(s=max(self.sigma, 1e-300), scale=self.median)

    def ppf(self, u):
        from scipy import special

        return self.median * np.exp(self.sigma * special.ndtri(np.asarray(u, dtype=float)))


class Triangular(_Dist):
    """Triangular on ``[low, high]`` with peak at ``mode``."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _check(self):
        if not (self.low <= self.mode <= self.high and self.high > self.low):
            raise ValueError("need low <= mode <= high and high > low")
        return self

    def frozen(self):
        special, stats = _scipy()
        width = self.high - self.low
        return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)

    def ppf(self, u):
        # SciPy's triang quantile, written out: the same arithmetic without building a frozen
        # distribution (most of a replication's parameter draws)
        q = np.asarray(u, dtype=float)
        width = self.high - self.low
        c = (self.mode - self.low) / width
        return np.where(q < c, np.sqrt(c * q), 1 - np.sqrt((1 - c) * (1 - q))) * width + self.low


class Beta(_Dist):
    """Beta(``a``, ``b``) rescaled to ``[low, high]`` (default [0, 1])."""

    dist: Literal["beta"]
    a: float = Field(gt=0)
    b: float = Field(gt=0)
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _check(self):
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low})")
        return self

    def frozen(self):
        special, stats = _scipy()
        return stats.beta(self.a, self.b, loc=self.low, scale=self.high - self.low)


class Discrete(_Dist):
    """A finite set of ``values`` with probabilities ``probs`` (summing to 1)."""

    dist: Literal["discrete"]
    values: list[float] = Field(min_length=1)
    probs: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self):
        if len(self.values) != len(self.probs):
            raise ValueError("values and probs must have the same length")
        if any(p < 0 for p in self.probs) or abs(sum(self.probs) - 1.0) > 1e-6:
            raise ValueError(f"probs must be non-negative and sum to 1 (they sum to {sum(self.probs):g})")
        return self

    def ppf(self, u):
        cum = np.cumsum(self.probs)
        cum[-1] = 1.0
        idx = np.searchsorted(cum, np.asarray(u, dtype=float), side="right")
        return np.asarray(self.values, dtype=float)[np.minimum(idx, len(self.values) - 1)]

    def expected(self) -> float:
        return float(np.dot(self.values, self.probs))


Distribution = Annotated[
    Union[Uniform, Normal, LogNormal, Triangular, Beta, Discrete],
    Field(discriminator="dist"),
]
"""Any supported distribution, selected by its ``dist`` tag."""

Number = Union[float, Distribution]
"""A numeric field: a fixed number or a distribution."""


def is_distribution(value: object) -> bool:
    """True for a distribution model (or its mapping form with a ``dist`` key)."""
    return isinstance(value, _Dist) or (isinstance(value, dict) and "dist" in value)


def sample_value(value: float | _Dist, u: float) -> float:
    """A fixed number unchanged, or the distribution's quantile at ``u``."""
    if isinstance(value, _Dist):
        return float(value.ppf(np.array([u]))[0])
    return float(value)
