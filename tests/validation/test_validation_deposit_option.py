"""The deposit decision of consumers who know the price path: the participation condition."""

import cases


def test_depositors_follow_the_participation_condition_not_the_myopic_rule(assert_valid):
    assert_valid(cases.deposit_option())
