"""Logit choice: day-one shares and price elasticities with a rival and an outside option."""

import cases


def test_shares_and_elasticities_match_the_multinomial_logit(assert_valid):
    assert_valid(cases.logit_choice())
