"""Returns: the return rate follows the configured rating curve."""

import cases


def test_return_rate_follows_the_interpolated_rating_curve(assert_valid):
    assert_valid(cases.returns_by_rating())
