"""Campaign phases and the day -> phase map."""

from __future__ import annotations

from enum import IntEnum

import numpy as np

__all__ = ["Phase", "phase_by_day"]


class Phase(IntEnum):
    """Campaign phase of a day."""

    WARMUP = 0
    PRESALE = 1
    BALANCE = 2
    LAUNCH = 3
    AFTER = 4

    @property
    def label(self) -> str:
        """Lower-case name used in tables and budgets."""
        return self.name.lower()


def phase_by_day(calendar) -> np.ndarray:
    """The phase (as ``Phase`` integer codes) of each day ``0 .. horizon_days - 1``."""
    days = np.arange(calendar.horizon_days)
    phase = np.full(days.shape, Phase.AFTER, dtype=np.int8)
    phase[days < calendar.launch_day + calendar.burst_days] = Phase.LAUNCH
    phase[days < calendar.launch_day] = Phase.BALANCE
    phase[days < calendar.balance_start_day] = Phase.PRESALE
    phase[days < calendar.presale_start_day] = Phase.WARMUP
    return phase
