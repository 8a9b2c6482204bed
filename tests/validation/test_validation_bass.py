"""Bass diffusion: cumulative adopters against the daily recursion and the continuous curve."""

import cases


def test_adopters_follow_the_daily_bass_recursion_and_the_continuous_curve(assert_valid):
    assert_valid(cases.bass_diffusion())
