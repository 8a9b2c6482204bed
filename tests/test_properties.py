"""Property tests: any valid scenario keeps the invariants for every strategy,
and broken variants of valid scenarios are rejected.

Scenarios are generated as plain data (calendars in order, shares normalised,
prices and deposits within the rules, random promotions, stock, production and
competitors), validated with :func:`scenario_from_dict`, and run on tiny
populations. Hypothesis runs derandomised, so every run checks the same examples.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation import ScenarioError, scenario_from_dict
from simulation.engine.invariants import check_invariants
from simulation.engine.metrics import outcome_record, trajectory_frame
from simulation.runs.runner import Replication

PROFILE = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

CHANNELS = ("web", "app", "live")
SEGMENTS = ("fans", "casual", "bargain")
KINDS = ("percent_off", "amount_off", "threshold", "coupon", "flash_sale", "gift")


def money(lo: float, hi: float):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 2))


def share():
    return st.floats(0.0, 1.0, allow_nan=False).map(lambda x: round(x, 3))


def normalised(draw, names: list[str]) -> dict[str, float]:
    """Positive weights scaled to sum to 1 (the last absorbs rounding)."""
    raw = [draw(st.floats(0.05, 1.0)) for _ in names]
    shares = [r / sum(raw) for r in raw]
    shares[-1] = 1.0 - sum(shares[:-1])
    return dict(zip(names, shares))


@st.composite
def calendars(draw, *, needs_balance_window: bool = True) -> dict:
    presale_start = draw(st.integers(0, 5))
    balance_start = presale_start + draw(st.integers(1, 6))
    launch = balance_start + draw(st.integers(1 if needs_balance_window else 0, 4))
    burst = draw(st.integers(0, 3))
    horizon = max(launch + burst + draw(st.integers(0, 12)), 1)
    return {"presale_start_day": presale_start, "balance_start_day": balance_start, "launch_day": launch,
            "burst_days": burst, "horizon_days": horizon}


@st.composite
def segments(draw, channels: list[str], list_price: float) -> dict:
    names = list(SEGMENTS[:draw(st.integers(1, len(SEGMENTS)))])
    out = {}
    for name, weight in normalised(draw, names).items():
        used = draw(st.lists(st.sampled_from(channels), min_size=1, max_size=len(channels), unique=True))
        noise = draw(money(0, 0.3 * list_price))
        out[name] = {
            "share": weight,
            "valuation": {"dist": "normal", "mean": draw(money(0.5 * list_price, 2.0 * list_price)),
                          "sd": draw(money(0, 0.4 * list_price))},
            "valuation_noise": {"dist": "uniform", "low": -noise, "high": noise},
            "price_sensitivity": draw(money(0.5, 1.5)),
            "deal_proneness": draw(money(0, 1)),
            "patience": draw(st.floats(0.9, 1.0)),
            "trust": draw(share()),
            "competitor_loyalty": draw(money(-50, 50)),
            "strategic_share": draw(share()),
            "membership_share": draw(share()),
            "channel_preference": normalised(draw, used),
        }
    return out


@st.composite
def promotions(draw, horizon: int, channels: list[str], segs: list[str], list_price: float) -> dict:
    kind = draw(st.sampled_from(KINDS))
    start = draw(st.integers(0, horizon - 1))
    promo: dict = {"kind": kind, "start_day": start, "end_day": start + draw(st.integers(1, 6))}
    if kind == "percent_off":
        promo["rate"] = draw(money(0.01, 0.5))
    elif kind in ("amount_off", "coupon"):
        promo["amount"] = draw(money(1, 0.5 * list_price))
    elif kind == "threshold":
        promo.update(threshold=draw(money(0.2 * list_price, list_price)), amount=draw(money(1, 0.2 * list_price)),
                     stackable=draw(st.booleans()))
    elif kind == "flash_sale":
        promo["price"] = draw(money(0.3 * list_price, list_price))
        promo["quantity"] = draw(st.none() | money(1, 5000))
    else:
        promo.update(value=draw(money(0, 50)), cost=draw(money(0, 30)))
    if kind == "coupon":
        promo.update(issue_share=draw(share()), p_redeem=draw(share()))
    if draw(st.booleans()):
        promo["channels"] = draw(st.lists(st.sampled_from(channels), min_size=1, unique=True))
    if draw(st.booleans()):
        promo["segments"] = draw(st.lists(st.sampled_from(segs), min_size=1, unique=True))
    promo["members_only"] = draw(st.booleans())
    if draw(st.booleans()):
        promo["budget"] = draw(money(100, 50_000))
    return promo


@st.composite
def strategy_levers(draw, cal: dict, channels: list[str], segs: list[str], list_price: float) -> dict:
    horizon = cal["horizon_days"]
    presale_price = draw(money(0.5 * list_price, 1.2 * list_price))
    pricing: dict = {"presale_price": presale_price, "member_discount": draw(money(0, 0.3))}
    n_tiers = draw(st.integers(0, 2))
    tier_prices = sorted(draw(money(0.5 * presale_price, presale_price)) for _ in range(n_tiers))
    if draw(st.booleans()):
        limits = sorted(draw(st.lists(st.integers(1, 5000), min_size=n_tiers, max_size=n_tiers, unique=True)))
        pricing["early_bird"] = [{"first_orders": n, "price": p} for n, p in zip(limits, tier_prices)]
    else:
        limits = sorted(draw(st.lists(st.integers(1, 6), min_size=n_tiers, max_size=n_tiers, unique=True)))
        pricing["early_bird"] = [{"first_days": n, "price": p} for n, p in zip(limits, tier_prices)]
    days = sorted(draw(st.lists(st.integers(0, horizon - 1), max_size=3, unique=True)))
    pricing["schedule"] = [{"day": d, "price": draw(money(0.4 * list_price, 1.2 * list_price))} for d in days]
    if draw(st.booleans()):
        pricing["presale_quantity"] = draw(money(100, 20_000))
    levers: dict = {"pricing": pricing}
    if draw(st.booleans()):
        inflation = draw(money(1, 3))
        levers["deposit"] = {"amount": draw(money(1, presale_price / inflation * 0.99)), "inflation": inflation,
                             "refundable": draw(st.booleans())}
    levers["promotions"] = [draw(promotions(horizon, channels, segs, list_price)) for _ in range(draw(st.integers(0, 3)))]
    levers["marketing"] = {
        "budget": {ch: {phase: draw(money(0, 2000)) for phase in ("warmup", "presale", "balance", "launch", "after")}
                   for ch in draw(st.lists(st.sampled_from(channels), max_size=2, unique=True))},
        "events": [{"channel": draw(st.sampled_from(channels)), "day": draw(st.integers(0, horizon - 1)),
                    "contacts": draw(money(0, 20_000)), "cost": draw(money(0, 5000))}
                   for _ in range(draw(st.integers(0, 2)))],
    }
    if draw(st.booleans()):
        production = {"rule": "fixed", "quantity": draw(money(0, 20_000)), "order_day": draw(st.integers(0, horizon - 1))}
    else:
        production = {"rule": "presale_signal", "a": draw(money(0, 2)), "b": draw(money(-1000, 3000))}
    levers["inventory"] = {
        "initial_stock": draw(money(0, 20_000)), "production": production,
        "lead_time_days": draw(st.integers(0, 10)), "daily_capacity": draw(money(1, 10_000)),
        "holding_cost_per_unit_day": draw(money(0, 2)),
    }
    levers["fulfilment"] = {
        "promised_ship_day": draw(st.none() | st.integers(cal["launch_day"], max(cal["launch_day"], horizon - 1)))
        if cal["launch_day"] < horizon else None,
        "late_tolerance_days": draw(st.integers(0, 5)), "p_cancel_per_late_day": draw(share()),
        "cancellation_right": draw(st.booleans()),
    }
    return levers


@st.composite
def scenarios(draw) -> dict:
    cal = draw(calendars())
    horizon = cal["horizon_days"]
    list_price = draw(money(50, 500))
    channels = list(CHANNELS[:draw(st.integers(1, len(CHANNELS)))])
    segs = draw(segments(channels, list_price))
    population = draw(st.integers(200, 1000))
    switch = draw(money(0, 0.5))
    competitors = {}
    for i in range(draw(st.integers(0, 2))):
        reactions = draw(st.lists(st.sampled_from(["match_price", "counter_promotion"]), max_size=2))
        competitors[f"rival{i}"] = {
            "price": draw(money(0.5 * list_price, 1.5 * list_price)), "appeal": draw(money(-100, 100)),
            "launch_day": draw(st.integers(0, horizon - 1)),
            "price_floor": draw(st.none() | money(0, list_price)),
            "reactions": [
                {"kind": k, "delay_days": draw(st.integers(0, 4)), "undercut": draw(money(0, 0.2))}
                if k == "match_price" else
                {"kind": k, "delay_days": draw(st.integers(0, 4)), "percent_off": draw(money(0, 0.3)),
                 "duration_days": draw(st.integers(1, 4))}
                for k in reactions],
        }
    names = [f"s{i}" for i in range(draw(st.integers(1, 3)))]
    return {
        "name": "generated",
        "run": {"seed": draw(st.integers(0, 2**31)), "replications": 1, "population": population},
        "calendar": cal,
        "product": {"list_price": list_price, "unit_cost": draw(money(0, list_price)),
                    "rating": draw(money(3.5, 5.0)), "salvage_value": draw(money(0, 0.3 * list_price))},
        "market": {
            "size": population * draw(st.integers(1, 20)),
            "segments": segs,
            "awareness": {"initial_aware_share": draw(money(0, 0.5)), "innovation": draw(money(0, 0.1)),
                          "imitation": draw(money(0, 0.6))},
            "choice": {"logit_scale": draw(st.sampled_from([0.0, 10.0, 50.0])), "leave_rate": draw(money(0, 0.2)),
                       "stockout_switch_share": switch, "stockout_wait_share": draw(money(0, 1 - switch))},
        },
        "channels": {ch: {"reach": draw(share()), "conversion": draw(share()), "fee_rate": draw(money(0, 0.3)),
                          "cost_per_contact": draw(money(0.1, 5)), "awareness_per_contact": draw(share())}
                     for ch in channels},
        "competitors": competitors,
        "strategies": {n: draw(strategy_levers(cal, channels, list(segs), list_price)) for n in names},
    }


@PROFILE
@given(scenarios())
def test_generated_scenarios_keep_invariants(data):
    scenario = scenario_from_dict(data)
    rep = Replication(scenario, 0)
    for name in scenario.strategies:
        model = rep.model(name)
        assert check_invariants(model) == []
        traj, out = trajectory_frame(model), outcome_record(model)
        assert traj.stock.min() >= -1e-6 * model.weight
        initial = scenario.strategies[name].inventory.initial_stock
        assert out["units_sold"] + out["leftover_units"] == pytest.approx(initial + traj.produced.sum())
        assert out["revenue_net"] == pytest.approx(traj.revenue.sum() - traj.refunds.sum(), abs=1e-6)
        assert out["n_balance_paid"] <= out["n_deposits"] + 1e-9
        assert out["n_orders"] <= scenario.market.size * (1 + 1e-9)
        assert np.isfinite(out["profit"])


@PROFILE
@given(scenarios(), st.data())
def test_shuffled_phases_are_rejected(data, pick):
    cal = data["calendar"]
    order = ["presale_start_day", "balance_start_day", "launch_day"]
    values = [cal[k] for k in order]
    shuffled = pick.draw(st.permutations(values).filter(lambda v: not (v[0] < v[1] <= v[2])))
    data = {**data, "calendar": {**cal, **dict(zip(order, shuffled))}}
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert any(p.path.startswith("calendar.") and "out of order" in p.message for p in info.value.problems)


@PROFILE
@given(scenarios(), st.floats(0.5, 0.95))
def test_unnormalised_segment_shares_are_rejected(data, factor):
    segs = {k: {**v, "share": v["share"] * factor} for k, v in data["market"]["segments"].items()}
    data = {**data, "market": {**data["market"], "segments": segs}}
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert [p.path for p in info.value.problems] == ["market.segments"]


@PROFILE
@given(scenarios(), st.floats(1.01, 3.0))
def test_deposit_above_presale_price_is_rejected(data, excess):
    name, levers = next(iter(data["strategies"].items()))
    price = levers["pricing"]["presale_price"]
    levers = {**levers, "deposit": {"amount": price * excess / 2, "inflation": 2}}
    data = {**data, "strategies": {**data["strategies"], name: levers}}
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert f"strategies.{name}.deposit.amount" in [p.path for p in info.value.problems]


def _entries(node, path=()):
    """Every path into plain data (mappings and lists), the root included."""
    yield path
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield from _entries(value, (*path, key))


def _replaced(data, path, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    out = dict(data) if isinstance(data, dict) else list(data)
    out[head] = _replaced(data[head], rest, value)
    return out


WRONG_VALUES = st.sampled_from(["x", -1, [], {}, None, [1, "a"], {"dist": "normal", "mean": 1}, {"dist": "gauss"}])


@PROFILE
@given(scenarios(), st.data(), WRONG_VALUES)
def test_any_wrong_value_gives_located_problems_and_nothing_else(data, pick, wrong):
    # whatever entry is wrong, validation reports problems with a path (or accepts the value)
    path = pick.draw(st.sampled_from(list(_entries(data))))
    try:
        scenario_from_dict(_replaced(data, path, wrong))
    except ScenarioError as err:
        assert err.problems
        assert all(p.message and (p.path or not path) for p in err.problems)
        assert len(set(err.problems)) == len(err.problems)


@PROFILE
@given(scenarios(), st.data(), WRONG_VALUES)
def test_a_wrong_lever_does_not_hide_the_calendar_rules(data, pick, wrong):
    name = pick.draw(st.sampled_from(sorted(data["strategies"])))
    levers = data["strategies"][name]
    path = pick.draw(st.sampled_from([p for p in _entries(levers) if p]))
    data = {**data, "calendar": {**data["calendar"], "launch_day": data["calendar"]["balance_start_day"] - 1},
            "strategies": {**data["strategies"], name: _replaced(levers, path, wrong)}}
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert "calendar.launch_day" in [p.path for p in info.value.problems]
