"""Advance selling: selling ahead at the expected valuation wins iff unit cost <= low valuation."""

import cases


def test_advance_selling_beats_spot_selling_exactly_when_cost_is_below_the_low_valuation(assert_valid):
    assert_valid(cases.advance_selling())
