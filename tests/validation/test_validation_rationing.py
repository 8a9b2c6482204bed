"""Random rationing: a capped presale serves every kind of shopper with the same chance."""

import cases


def test_capped_places_go_to_every_channel_and_to_reserved_and_others_alike(assert_valid):
    assert_valid(cases.random_rationing())
