"""The moments a calibration matches: each recorded series summed over blocks of days.

A moment is the total of one series over one block of ``block_days`` consecutive
campaign days, counting only the days the history recorded (a missing cell drops
that day from that series). Totals over blocks rather than single days keep the
moments few and their simulated noise small; the block keeps the shape of each
series over the campaign (warm-up, presale, launch, after).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario.history import COUNT_SERIES, History

__all__ = ["MomentSpec", "moment_spec", "moments_of"]


@dataclass(frozen=True)
class MomentSpec:
    """Which series and which days make each moment.

    Attributes
    ----------
    series
        Name of the series of each moment.
    first_day, last_day
        The block of days of each moment (inclusive).
    masks
        Series -> boolean mask over the history's days (recorded days).
    day
        The history's days.
    """

    series: tuple[str, ...]
    first_day: tuple[int, ...]
    last_day: tuple[int, ...]
    masks: dict
    day: np.ndarray

    @property
    def labels(self) -> list[str]:
        return [f"{s}[{a}-{b}]" for s, a, b in zip(self.series, self.first_day, self.last_day)]

    def frame(self, observed: np.ndarray):
        """The moments as a tidy DataFrame (one row per moment)."""
        import pandas as pd

        return pd.DataFrame({"series": self.series, "first_day": self.first_day,
                             "last_day": self.last_day, "observed": observed})


def moment_spec(history: History, *, block_days: int = 5, simulated: tuple[str, ...] = COUNT_SERIES) -> MomentSpec:
    """The moments of ``history``: every count series it records that the engine simulates."""
    series, first, last, masks = [], [], [], {}
    for name in COUNT_SERIES:
        if name not in history.series or name not in simulated:
            continue
        recorded = ~np.isnan(history.series[name])
        if not recorded.any():
            continue
        masks[name] = recorded
        days = history.day[recorded]
        for start in range(int(days.min()), int(days.max()) + 1, block_days):
            if ((days >= start) & (days < start + block_days)).any():
                series.append(name)
                first.append(start)
                last.append(min(start + block_days - 1, int(days.max())))
    return MomentSpec(tuple(series), tuple(first), tuple(last), masks, history.day)


def moments_of(spec: MomentSpec, daily: dict[str, np.ndarray], day: np.ndarray) -> np.ndarray:
    """The moments of one daily record (a history's series or a simulated trajectory's columns).

    ``daily[name][i]`` is the value of series ``name`` on day ``day[i]``.
    """
    out = np.empty(len(spec.series))
    position = {int(d): i for i, d in enumerate(day)}
    for k, (name, a, b) in enumerate(zip(spec.series, spec.first_day, spec.last_day)):
        days = spec.day[spec.masks[name]]
        days = days[(days >= a) & (days <= b)]
        idx = [position[int(d)] for d in days if int(d) in position]
        values = np.asarray(daily[name], dtype=float)
        out[k] = np.nansum(values[idx]) if idx else 0.0
    return out
