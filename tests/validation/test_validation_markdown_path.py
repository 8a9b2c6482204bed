"""Strategic waiting over a multi-step markdown: each step's buyers are the closed-form band."""

import cases


def test_buyers_weigh_the_whole_announced_path(assert_valid):
    assert_valid(cases.markdown_path())
