"""Deposit inflation: balance completion, revenue, forfeits and refunds."""

import cases


def test_inflated_deposit_outcomes_match_the_uniform_valuation_closed_forms(assert_valid):
    assert_valid(cases.deposit_inflation())
