"""Malformed scenario files: one clear message per problem, located as
``file:line:col: dotted.path: message``, all raised together as one ScenarioError.

Each case edits one line of a valid file (``VALID`` below; line numbers in the
comments) and checks the exact path and position of every problem reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation import ScenarioError, load_scenario, scenario_from_dict
from simulation.errors import Problem

VALID = """\
name: errors
run: {seed: 1, population: 100}
calendar:
  presale_start_day: 5
  balance_start_day: 10
  launch_day: 15
  horizon_days: 30
product:
  list_price: 100
  unit_cost: 40
market:
  size: 1000
  segments:
    fans:
      share: 0.4
      valuation: 150
      channel_preference: {web: 0.5, app: 0.5}
    casual:
      share: 0.6
      valuation: 120
      channel_preference: {web: 1.0}
channels:
  web: {conversion: 0.5}
  app: {conversion: 0.3}
strategies:
  base:
    pricing:
      presale_price: 90
      early_bird:
        - {first_orders: 100, price: 70}
        - {first_orders: 200, price: 80}
    deposit: {amount: 20, inflation: 2}
    promotions:
      - {kind: percent_off, rate: 0.1, start_day: 15, end_day: 18, channels: [web]}
    inventory: {initial_stock: 500}
  bold:
    deposit: {amount: 30, inflation: 3}
baseline: base
uncertainties:
  market.size: {dist: uniform, low: 900, high: 1100}
"""
# line 12: market.size   line 28: presale_price   line 31: second tier   line 34: promotion
# line 35: inventory     line 37: bold's deposit  line 38: baseline      line 40: uncertainty


def write(tmp_path: Path, *edits: tuple[str, str], text: str = VALID) -> Path:
    """The valid file with each ``(old, new)`` replacement applied once."""
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "campaign.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> tuple[Problem, ...]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    found = info.value.problems
    assert str(info.value) == "\n".join(str(p) for p in found)
    assert all(p.file == str(path) for p in found)
    return found


def located(found) -> list[tuple[str, int | None, int | None]]:
    return [(p.path, p.line, p.col) for p in found]


def test_valid_file_loads(tmp_path):
    scenario = load_scenario(write(tmp_path))
    assert list(scenario.strategies) == ["base", "bold"]


@pytest.mark.parametrize(("edit", "path", "line", "col", "words"), [
    pytest.param(("  size: 1000", "  size: large"), "market.size", 12, 9,
                 ["expected a number or a distribution", "got 'large'"], id="wrong-type"),
    pytest.param(("  unit_cost: 40", "  unit_cost: [40]"), "product.unit_cost", 10, 14,
                 ["expected a number, got a list"], id="list-for-number"),
    pytest.param(("      presale_price: 90", "      presale_prise: 90"), "strategies.base.pricing.presale_prise", 28, 7,
                 ["unknown key 'presale_prise'", "did you mean 'presale_price'?"], id="unknown-key"),
    pytest.param(("  launch_day: 15", "  launch_day: 8"), "calendar.launch_day", 6, 15,
                 ["phases out of order", "launch_day (8)", "balance_start_day (10)"], id="phases-out-of-order"),
    pytest.param(("  balance_start_day: 10", "  balance_start_day: 4"), "calendar.balance_start_day", 5, 22,
                 ["phases out of order"], id="presale-after-balance"),
    pytest.param(("initial_stock: 500", "initial_stock: -500"), "strategies.base.inventory.initial_stock", 35, 32,
                 ["must be at least 0", "-500"], id="negative-stock"),
    pytest.param(("      share: 0.6", "      share: 0.5"), "market.segments", 14, 5,
                 ["segment shares must sum to 1", "0.9"], id="segment-shares"),
    pytest.param(("{web: 0.5, app: 0.5}", "{web: 0.5, app: 0.4}"), "market.segments.fans.channel_preference", 17, 27,
                 ["channel preferences must sum to 1", "0.9"], id="channel-preferences"),
    pytest.param(("{web: 0.5, app: 0.5}", "{web: 0.5, ap: 0.5}"), "market.segments.fans.channel_preference.ap", 17, 38,
                 ["unknown channel 'ap'"], id="unknown-preferred-channel"),
    pytest.param(("channels: [web]", "channels: [wbe]"), "strategies.base.promotions[0].channels[0]", 34, 79,
                 ["unknown channel 'wbe'", "channels: web, app"], id="promotion-channel"),
    pytest.param(("{first_orders: 200, price: 80}", "{first_orders: 200, price: 60}"),
                 "strategies.base.pricing.early_bird[1].price", 31, 38,
                 ["early-bird tiers must not get cheaper", "60 after 70"], id="tiers-decreasing"),
    pytest.param(("{amount: 30, inflation: 3}", "{amount: 30, inflation: 4}"), "strategies.bold.deposit.amount", 37, 23,
                 ["deposit 30 credited x4 exceeds the presale price 100"], id="deposit-inflation"),
    pytest.param(("market.size: {dist", "market.sise: {dist"), "uncertainties.market.sise", 40, 3,
                 ["no field 'sise'", "did you mean 'size'?"], id="uncertainty-path"),
    pytest.param(("baseline: base", "baseline: boldd"), "baseline", 38, 11,
                 ["unknown strategy 'boldd'", "strategies: base, bold"], id="baseline"),
    pytest.param(("dist: uniform", "dist: unifrom"), "uncertainties.market.size.dist", 40, 23,
                 ["unknown dist 'unifrom'", "did you mean 'uniform'?"], id="distribution-name"),
    pytest.param(("kind: percent_off", "kind: percent_of"), "strategies.base.promotions[0].kind", 34, 16,
                 ["unknown kind 'percent_of'", "did you mean 'percent_off'?"], id="promotion-kind"),
    pytest.param(("start_day: 15, end_day: 18", "start_day: 15, end_day: 12"), "strategies.base.promotions[0]", 34, 9,
                 ["end_day (12) must be after start_day (15)"], id="promotion-window"),
    pytest.param(("      share: 0.4", "      share: 40%"), "market.segments.fans.share", 15, 14,
                 ["got '40%'; write a share as a fraction: 0.4 for 40%"], id="percent-for-fraction"),
    pytest.param(("  size: 1000", "  size: 80 %"), "market.size", 12, 9,
                 ["expected a number or a distribution", "write a share as a fraction: 0.8 for 80 %"],
                 id="percent-for-number-or-distribution"),
    pytest.param(("      - {kind: percent_off, rate: 0.1, start_day: 15, end_day: 18, channels: [web]}\n", ""),
                 "strategies.base.promotions", 33, None,
                 ["expected a list, got nothing; for an empty list write []"], id="empty-list"),
    pytest.param(("  unit_cost: 40\n", ""), "product.unit_cost", 9, 3,
                 ["missing required field 'unit_cost'"], id="missing-field"),
    pytest.param(("  unit_cost: 40", "  unit_cost: 40\n  unit_cost: 41"), "product.unit_cost", 11, 3,
                 ["duplicate key 'unit_cost'", "line 10"], id="duplicate-key"),
])
def test_one_located_message_per_problem(tmp_path, edit, path, line, col, words):
    path_file = write(tmp_path, edit)
    found = problems(path_file)
    assert [(p.path, p.line) for p in found] == [(path, line)]
    if col is not None:
        assert found[0].col == col
    assert str(found[0]).startswith(f"{path_file}:{line}:{found[0].col}: {path}: ")
    for w in words:
        assert w in found[0].message


def test_an_uncertainty_on_a_distribution_says_which_number_to_draw(tmp_path):
    found = problems(write(tmp_path, ("      valuation: 150", "      valuation: {dist: normal, mean: 150, sd: 20}"),
                           ("market.size: {dist", "market.segments.fans.valuation: {dist")))
    assert located(found) == [("uncertainties.market.segments.fans.valuation", 40, 3)]
    assert found[0].message == (
        "'market.segments.fans.valuation' is already a distribution (normal, a spread across consumers), not a "
        "number that can be made uncertain; to make its mean uncertain, give "
        "'market.segments.fans.valuation.mean' a distribution here")


def test_unknown_preferred_channel_points_at_the_name(tmp_path):
    found = problems(write(tmp_path, ("{web: 0.5, app: 0.5}", "{web: 0.5, ap: 0.5}")))
    assert located(found) == [("market.segments.fans.channel_preference.ap", 17, 38)]
    assert found[0].message == "unknown channel 'ap'; channels: web, app"


def test_unknown_budget_channel_points_at_the_name(tmp_path):
    found = problems(write(tmp_path, ("    deposit: {amount: 30, inflation: 3}\n",
                                      "    deposit: {amount: 30, inflation: 3}\n    marketing:\n"
                                      "      budget: {wbe: {launch: 100}}\n")))
    assert located(found) == [("strategies.bold.marketing.budget.wbe", 39, 16)]
    assert found[0].message == "unknown channel 'wbe'; channels: web, app"


def test_missing_file(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    found = problems(missing)
    assert located(found) == [("", None, None)]
    assert str(found[0]) == f"{missing}: file not found"


@pytest.mark.parametrize(("edit", "line", "col", "words"), [
    pytest.param(("  web: {conversion: 0.5}", "  web: {conversion: 0.5"), 24, 6, ["invalid YAML", "line 23"],
                 id="unclosed-flow-mapping"),
    pytest.param(("  unit_cost: 40", "\tunit_cost: 40"), 10, 1, ["invalid YAML", "tab"], id="tab"),
])
def test_invalid_yaml(tmp_path, edit, line, col, words):
    found = problems(write(tmp_path, edit))
    assert located(found) == [("", line, col)]
    for w in words:
        assert w in found[0].message


@pytest.mark.parametrize(("text", "words"), [("", "the file is empty"), ("- a\n- b\n", "top level must be a mapping")])
def test_not_a_scenario(tmp_path, text, words):
    path = tmp_path / "campaign.yaml"
    path.write_text(text, encoding="utf-8")
    found = problems(path)
    assert len(found) == 1 and words in found[0].message


def test_extends_unknown_strategy(tmp_path):
    found = problems(write(tmp_path, ("  bold:\n", "  bold:\n    extends: bsae\n")))
    assert located(found) == [("strategies.bold.extends", 37, 14)]
    assert "extends unknown strategy 'bsae'; did you mean 'base'?" in found[0].message


def test_extends_cycle(tmp_path):
    found = problems(write(tmp_path, ("  base:\n", "  base:\n    extends: bold\n"),
                           ("  bold:\n", "  bold:\n    extends: base\n")))
    assert located(found) == [("strategies.bold.extends", 38, 14)]
    assert "extend each other in a cycle: base -> bold -> base" in found[0].message


def test_extends_inherits_levers(tmp_path):
    scenario = load_scenario(write(tmp_path, ("  bold:\n", "  bold:\n    extends: base\n")))
    bold = scenario.strategies["bold"]
    assert bold.deposit.amount == 30 and bold.pricing.presale_price == 90
    assert [t.price for t in bold.pricing.early_bird] == [70, 80]
    assert scenario.strategies["base"].deposit.amount == 20


def test_several_schema_problems_reported_together(tmp_path):
    found = problems(write(tmp_path, ("  size: 1000", "  size: large\n  sise: 3"),
                           ("initial_stock: 500", "initial_stock: -500")))
    assert located(found) == [("market.size", 12, 9), ("market.sise", 13, 3),
                              ("strategies.base.inventory.initial_stock", 36, 32)]


def test_several_rule_problems_reported_together(tmp_path):
    found = problems(write(tmp_path, ("  launch_day: 15", "  launch_day: 8"),
                           ("      share: 0.6", "      share: 0.5"),
                           ("{first_orders: 200, price: 80}", "{first_orders: 200, price: 60}"),
                           ("channels: [web]", "channels: [wbe]"),
                           ("baseline: base", "baseline: boldd")))
    assert located(found) == [
        ("calendar.launch_day", 6, 15), ("market.segments", 14, 5),
        ("strategies.base.pricing.early_bird[1].price", 31, 38),
        ("strategies.base.promotions[0].channels[0]", 34, 79), ("baseline", 38, 11)]


def test_type_and_rule_problems_reported_together(tmp_path):
    found = problems(write(tmp_path, ("  unit_cost: 40", "  unit_cost: cheap"), ("  launch_day: 15", "  launch_day: 8")))
    assert located(found) == [("calendar.launch_day", 6, 15), ("product.unit_cost", 10, 14)]


def test_rules_run_wherever_their_inputs_are_valid(tmp_path):
    # a wrong share hides the sum of shares, but not the other segment's channels, the
    # strategy rules or the baseline; a wrong tier price hides only the tier rule
    found = problems(write(tmp_path, ("      share: 0.4", "      share: lots"),
                           ("{web: 1.0}", "{wbe: 1.0}"),
                           ("{first_orders: 200, price: 80}", "{first_orders: 200, price: cheap}"),
                           ("channels: [web]", "channels: [wbe]"),
                           ("{amount: 30, inflation: 3}", "{amount: 30, inflation: 4}"),
                           ("baseline: base", "baseline: boldd")))
    assert located(found) == [
        ("market.segments.fans.share", 15, 14), ("market.segments.casual.channel_preference.wbe", 21, 28),
        ("strategies.base.pricing.early_bird[1].price", 31, 38),
        ("strategies.base.promotions[0].channels[0]", 34, 79), ("strategies.bold.deposit.amount", 37, 23),
        ("baseline", 38, 11)]


def test_a_rule_needing_an_invalid_field_is_skipped(tmp_path):
    # the phases cannot be checked without launch_day, and the deposit without a price
    found = problems(write(tmp_path, ("  launch_day: 15", "  launch_day: soon"),
                           ("      presale_price: 90", "      presale_price: -90")))
    assert located(found) == [("calendar.launch_day", 6, 15), ("strategies.base.pricing.presale_price", 28, 22)]


@pytest.mark.parametrize(("edit", "path", "line"), [
    (("initial_stock: 500", "initial_stock: -500"), "strategies.base.inventory.initial_stock", 35),
    (("      presale_price: 90", "      presale_prise: 90"), "strategies.base.pricing.presale_prise", 28),
    (("{first_orders: 200, price: 80}", "{first_orders: 200, price: 60}"), "strategies.base.pricing.early_bird[1].price",
     31),
])
def test_inherited_mistake_reported_once(tmp_path, edit, path, line):
    found = problems(write(tmp_path, ("  bold:\n", "  bold:\n    extends: base\n"), edit))
    assert [(p.path, p.line) for p in found] == [(path, line)]


def test_inherited_mistake_reported_once_along_a_chain(tmp_path):
    found = problems(write(tmp_path, ("  bold:\n", "  bold:\n    extends: base\n"),
                           ("baseline: base\n", "  bolder:\n    extends: bold\nbaseline: base\n"),
                           ("initial_stock: 500", "initial_stock: -500")))
    assert located(found) == [("strategies.base.inventory.initial_stock", 35, 32)]


def test_mistake_repeated_by_the_extending_strategy_is_its_own(tmp_path):
    found = problems(write(tmp_path, ("  bold:\n", "  bold:\n    extends: base\n    inventory: {initial_stock: -500}\n"),
                           ("initial_stock: 500", "initial_stock: -500")))
    assert located(found) == [("strategies.base.inventory.initial_stock", 35, 32),
                              ("strategies.bold.inventory.initial_stock", 38, 32)]


def test_rule_broken_only_by_the_extending_strategy_is_reported_there(tmp_path):
    # base's deposit (20 x 2) fits its presale price 90; bold inherits it with a price of 30
    found = problems(write(tmp_path, ("  bold:\n    deposit: {amount: 30, inflation: 3}\n",
                                      "  bold:\n    extends: base\n    pricing: {presale_price: 30}\n")))
    assert located(found) == [("strategies.bold.deposit.amount", 37, 5)]
    assert "deposit 20 credited x2 exceeds the presale price 30" in found[0].message


def test_scenario_from_dict_reports_paths_without_positions():
    import yaml

    data = yaml.safe_load(VALID)
    data["market"]["size"] = "large"
    data["strategies"]["base"]["inventory"]["initial_stock"] = -1
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, name="inline")
    assert [(p.file, p.path, p.line) for p in info.value.problems] == [
        ("inline", "market.size", None), ("inline", "strategies.base.inventory.initial_stock", None)]
    assert str(info.value).startswith("inline: market.size: expected a number")


def test_scenario_from_dict_reports_rules():
    import yaml

    data = yaml.safe_load(VALID)
    data["calendar"]["presale_start_day"] = 12
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert [p.path for p in info.value.problems] == ["calendar.balance_start_day"]


@pytest.mark.parametrize(("edit", "path", "line", "col", "message"), [
    pytest.param(("  size: 1000", "  size: {dist: normal, mean: 3}"), "market.size.sd", 12, 9,
                 "missing required field 'sd'", id="distribution-without-sd"),
    pytest.param(("  size: 1000", "  size: {dist: gauss, mean: 3, sd: 1}"), "market.size.dist", 12, 16,
                 "unknown dist 'gauss'; allowed: uniform, normal, lognormal, triangular, beta, discrete",
                 id="unknown-distribution"),
    pytest.param(("{dist: uniform, low: 900, high: 1100}", "{dist: uniform, low: 900, hihg: 1100}"),
                 "uncertainties.market.size.hihg", 40, 42,
                 "unknown key 'hihg'; did you mean 'high'? allowed: dist, low, high", id="misspelt-distribution-key"),
    pytest.param(("  unit_cost: 40", "  unit_cots: 40"), "product.unit_cots", 10, 3,
                 "unknown key 'unit_cots'; did you mean 'unit_cost'? "
                 "allowed: list_price, unit_cost, rating, salvage_value, returns", id="misspelt-required-key"),
])
def test_exact_message(tmp_path, edit, path, line, col, message):
    # a misspelt required key is one problem (the unknown key), not also a missing field
    found = problems(write(tmp_path, edit))
    assert [(p.path, p.line, p.col, p.message) for p in found] == [(path, line, col, message)]


@pytest.mark.parametrize(("value", "words"), [("[base]", "got a list"), ("", "got nothing"), ("3", "got 3")])
def test_extends_must_name_a_strategy(tmp_path, value, words):
    found = problems(write(tmp_path, ("  bold:\n", f"  bold:\n    extends: {value}\n")))
    assert [p.path for p in found] == ["strategies.bold.extends"]
    assert found[0].message == f"extends must name one of the strategies, {words}; strategies: base, bold"


def test_strategy_extending_itself(tmp_path):
    found = problems(write(tmp_path, ("  bold:\n", "  bold:\n    extends: bold\n")))
    assert located(found) == [("strategies.bold.extends", 37, 14)]
    assert found[0].message == "strategies extend each other in a cycle: bold -> bold"


def test_broken_extends_hides_only_what_was_meant_to_be_inherited(tmp_path):
    # bold meant to inherit the deposit amount: not reported; its own wrong inflation is
    found = problems(write(tmp_path, ("  bold:\n    deposit: {amount: 30, inflation: 3}\n",
                                      "  bold:\n    extends: bsae\n    deposit: {inflation: 0.5}\n"
                                      "  bolder:\n    extends: bold\n    pricing: {presale_price: 20}\n")))
    assert located(found) == [("strategies.bold.extends", 37, 14), ("strategies.bold.deposit.inflation", 38, 26)]
    assert found[1].message == "must be at least 1, got 0.5"


def test_mistake_in_a_parent_hides_what_a_variant_meant_to_inherit(tmp_path):
    found = problems(write(tmp_path, ("    deposit: {amount: 20, inflation: 2}", "    deposit: twenty"),
                           ("  bold:\n    deposit: {amount: 30, inflation: 3}\n",
                            "  bold:\n    extends: base\n    deposit: {inflation: 3}\n")))
    assert located(found) == [("strategies.base.deposit", 32, 14)]
    assert found[0].message == "expected a mapping of keys to values, got 'twenty'"


def test_validate_command_prints_one_located_line_per_problem_and_exits_2(tmp_path):
    """What a user sees for each kind of typo: ``file:line:col: dotted.path: message``, never a traceback."""
    import re
    import subprocess
    import sys

    cases = {
        "unknown-key": (("      presale_price: 90", "      presale_prise: 90"), "strategies.base.pricing.presale_prise"),
        "wrong-type": (("  size: 1000", "  size: large"), "market.size"),
        "phases": (("  launch_day: 15", "  launch_day: 8"), "calendar.launch_day"),
        "negative-stock": (("initial_stock: 500", "initial_stock: -500"), "strategies.base.inventory.initial_stock"),
        "shares": (("      share: 0.6", "      share: 0.5"), "market.segments"),
        "invalid-yaml": (("  web: {conversion: 0.5}", "  web: {conversion: 0.5"), ""),
        "extends-unknown": (("  bold:\n", "  bold:\n    extends: bsae\n"), "strategies.bold.extends"),
        "extends-cycle": (("    deposit: {amount: 30", "    extends: bold\n    deposit: {amount: 30"),
                          "strategies.bold.extends"),
        "baseline": (("baseline: base", "baseline: boldd"), "baseline"),
        "distribution-without-sd": (("  size: 1000", "  size: {dist: normal, mean: 3}"), "market.size.sd"),
        "unknown-distribution": (("  size: 1000", "  size: {dist: gauss, mean: 3, sd: 1}"), "market.size.dist"),
    }
    files = []
    for name, (edit, _) in cases.items():
        (tmp_path / name).mkdir()
        files.append(write(tmp_path / name, edit))
    missing = tmp_path / "nowhere.yaml"
    proc = subprocess.run([sys.executable, "-m", "simulation", "validate", *map(str, files), str(missing)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[-1] == f"{len(cases) + 1} problems found; nothing was run."
    assert lines[-2] == f"{missing}: file not found"
    for line, file, (_, path) in zip(lines, files, cases.values(), strict=False):
        where = re.escape(str(file)) + r":\d+:\d+: "
        assert re.fullmatch(where + (re.escape(path) + ": " if path else "") + r"\S.*", line), line
    assert len(lines) == len(cases) + 2


# --------------------------------------------------------------------------- the JSON schema for editors

SCHEMA_FILE = Path(__file__).parents[1] / "schemas" / "scenario.schema.json"
BUNDLED = sorted((Path(__file__).parents[1] / "scenarios").glob("*.yaml"))


def test_committed_json_schema_is_up_to_date():
    from simulation.scenario.jsonschema import scenario_json_schema

    assert SCHEMA_FILE.read_text(encoding="utf-8") == scenario_json_schema(), (
        "regenerate with: presale schema --out schemas/scenario.schema.json")


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_scenarios_satisfy_the_json_schema(path):
    jsonschema = pytest.importorskip("jsonschema")
    import json

    import yaml

    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert any("extends" in s for s in data["strategies"].values())
    assert [e.message for e in validator.iter_errors(data)] == []


def test_json_schema_checks_strategy_variants():
    jsonschema = pytest.importorskip("jsonschema")
    import json

    import yaml

    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    data = yaml.safe_load(VALID)
    data["strategies"]["bold"] = {"extends": "base", "deposit": {"inflation": 3},
                                  "inventory": {"production": {"a": 0}}}
    assert [e.message for e in validator.iter_errors(data)] == []   # the rest is inherited
    data["strategies"]["bold"]["deposit"]["inflaton"] = 3
    data["strategies"]["bold"]["inventory"]["initial_stock"] = -1
    data["strategies"]["base"]["deposit"] = {"inflation": 3}
    errors = sorted(list(e.absolute_path) for e in validator.iter_errors(data))
    assert errors == [["strategies", "base", "deposit"], ["strategies", "bold", "deposit"],
                      ["strategies", "bold", "inventory", "initial_stock"]]


@pytest.mark.parametrize(("target", "message"), [
    ("strategies.base.pricing.presale_quantity",
     "'strategies.base.pricing.presale_quantity' is not set (null); give it a number to make it uncertain"),
    ("strategies.base.pricing.list_price.low",
     "'strategies.base.pricing.list_price.low': there is no 'low' because 'strategies.base.pricing.list_price' "
     "is not set (null)"),
    ("strategies.base.description", "'strategies.base.description' is not a number field"),
])
def test_uncertainty_path_that_names_no_number(tmp_path, target, message):
    found = problems(write(tmp_path, ("  market.size: {dist", f"  {target}: {{dist")))
    assert located(found) == [(f"uncertainties.{target}", 40, 3)]
    assert found[0].message == message


@pytest.mark.parametrize("name,ok", [("定金膨胀", True), ("early-bird_2", True), ("base@p003", True), ("bigger first batch", True),
                                     ("trailing ", False),
                                     ("../../evil", False), (".hidden", False), ("a/b", False), ("tab\there", False),
                                     ("x" * 65, False)])
def test_strategy_names_are_safe_file_names(name, ok):
    from simulation.scenario.rules import _name_problem

    assert (_name_problem(name) is None) == ok
