"""Stock-limited demand: sales, lost sales, sell-through and fill rate."""

import cases


def test_units_sold_are_the_smaller_of_demand_and_stock(assert_valid):
    assert_valid(cases.stock_limited_demand())
