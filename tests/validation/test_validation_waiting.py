"""Strategic waiting: early-buying share under two announced prices."""

import cases


def test_early_buyers_are_those_above_the_patience_cutoff(assert_valid):
    assert_valid(cases.strategic_waiting())
