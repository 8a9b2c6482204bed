"""Word of mouth: reservations during the warm-up (种草) spread awareness."""

from __future__ import annotations

from pairing import expect_sign, paired_difference, small


def aware_at_presale_start(run) -> float:
    """Consumers aware at the end of the warm-up (the day before the presale opens)."""
    traj = run.trajectory
    warmup = traj[traj["phase"] == traj["phase"].iloc[0]]
    return float(warmup["n_aware"].iloc[-1])


def test_more_imitation_means_more_awareness_by_the_end_of_the_warm_up():
    base = {"uncertainties": {}}          # imitation is fixed here, not drawn
    low = small("winter_apparel", {**base, "market.awareness.imitation": 0.15})
    high = small("winter_apparel", {**base, "market.awareness.imitation": 0.35})
    mean, se = paired_difference(low, high, "full_prepay", aware_at_presale_start)
    expect_sign(mean, se, +1)
