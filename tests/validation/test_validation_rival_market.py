"""A rival with a market of its own; waiting for ours while it cannot be bought."""

import cases


def test_rival_buyers_come_from_its_own_market_and_ours_is_waited_for(assert_valid):
    assert_valid(cases.rival_market())
