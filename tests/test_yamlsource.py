"""Reading scenario YAML and reporting every mistake with its file position."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path
from typing import Annotated, Literal, Union

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from simulation.errors import PresaleError, Problem, ScenarioError
from simulation.scenario.problems import (
    did_you_mean,
    problem_at,
    problems_from_validation_error,
    validate_file,
)
from simulation.scenario.yamlsource import Locator, dotted_path, read_yaml


# --------------------------------------------------------------------------- toy schema


class _Base(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DistNormal(_Base):
    dist: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)


class DistUniform(_Base):
    dist: Literal["uniform"]
    low: float
    high: float


Distribution = Annotated[Union[DistNormal, DistUniform], Field(discriminator="dist")]


class Segment(_Base):
    share: float
    wtp: float | Distribution


class Pricing(_Base):
    list_price: float
    presale_price: float
    mode: Literal["fixed", "linear"] = "fixed"

    @field_validator("list_price")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("the list price must be positive")
        return value


class Campaign(_Base):
    seed: int
    pricing: Pricing
    segments: dict[str, Segment] = {}
    days: list[int] = []
    note: str = ""


GOOD = """\
seed: 7
pricing:
  list_price: 100
  presale_price: 80
segments:
  young:
    share: 0.4
    wtp: {dist: normal, mean: 90, sd: 10}
  old:
    share: 0.6
    wtp: 70
days: [1, 2, 3]
"""


def _write(tmp_path: Path, text: str, name: str = "campaign.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _problems(tmp_path: Path, text: str, **kwargs) -> list[tuple[int | None, int | None, str, str]]:
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        validate_file(path, Campaign, **kwargs)
    assert all(p.file == str(path) for p in info.value.problems)
    return [(p.line, p.col, p.path, p.message) for p in info.value.problems]


def _read_problems(tmp_path: Path, text: str) -> list[tuple[int | None, int | None, str, str]]:
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        read_yaml(path)
    return [(p.line, p.col, p.path, p.message) for p in info.value.problems]


# --------------------------------------------------------------------------- errors


def test_problem_text_has_one_line_with_only_the_known_parts():
    assert str(Problem("a.yaml", 3, 5, "pricing.mode", "bad")) == "a.yaml:3:5: pricing.mode: bad"
    assert str(Problem("a.yaml", 3, None, "seed", "bad")) == "a.yaml:3: seed: bad"
    assert str(Problem("a.yaml", None, None, "", "file not found")) == "a.yaml: file not found"
    assert str(Problem("a.yaml", 1, 1, "", "bad")) == "a.yaml:1:1: bad"


def test_scenario_error_lists_one_problem_per_line_and_survives_pickling():
    first = Problem("a.yaml", 1, 2, "x", "one")
    second = Problem("a.yaml", 3, 4, "y", "two")
    err = ScenarioError([first, second])
    assert isinstance(err, PresaleError)
    assert err.problems == (first, second)
    assert str(err) == "a.yaml:1:2: x: one\na.yaml:3:4: y: two"
    copy = pickle.loads(pickle.dumps(err))
    assert copy.problems == (first, second)
    assert ScenarioError(first).problems == (first,)


# --------------------------------------------------------------------------- reading


def test_valid_file_gives_plain_data_and_validates(tmp_path):
    data, _ = read_yaml(_write(tmp_path, GOOD))
    assert data == {
        "seed": 7,
        "pricing": {"list_price": 100, "presale_price": 80},
        "segments": {
            "young": {"share": 0.4, "wtp": {"dist": "normal", "mean": 90, "sd": 10}},
            "old": {"share": 0.6, "wtp": 70},
        },
        "days": [1, 2, 3],
    }
    campaign = validate_file(_write(tmp_path, GOOD), Campaign)
    assert campaign.segments["young"].wtp == DistNormal(dist="normal", mean=90, sd=10)


def test_scalars_keep_yes_no_and_dates_as_text(tmp_path):
    text = """\
    a: yes
    b: no
    c: on
    d: off
    e: true
    f: False
    g: 2025-03-01
    h: 1e6
    i: ~
    j: 0.5
    k: '12'
    """
    data, _ = read_yaml(_write(tmp_path, text))
    assert data == {
        "a": "yes",
        "b": "no",
        "c": "on",
        "d": "off",
        "e": True,
        "f": False,
        "g": "2025-03-01",
        "h": 1e6,
        "i": None,
        "j": 0.5,
        "k": "12",
    }
    assert type(data["h"]) is float


def test_locator_points_at_values_keys_and_list_items(tmp_path):
    _, locator = read_yaml(_write(tmp_path, GOOD))
    assert locator.position(()) == (1, 1)
    assert locator.position(("seed",)) == (1, 7)
    assert locator.key_position(("seed",)) == (1, 1)
    assert locator.position(("pricing",)) == (3, 3)
    assert locator.key_position(("pricing",)) == (2, 1)
    assert locator.position(("pricing", "presale_price")) == (4, 18)
    assert locator.key_position(("pricing", "presale_price")) == (4, 3)
    assert locator.position(("segments", "young", "wtp", "sd")) == (8, 39)
    assert locator.position(("days", 2)) == (12, 14)
    assert locator.key_position(("days", 2)) == (12, 14)
    assert ("days", 2) in locator
    assert ("days", 3) not in locator


def test_locator_falls_back_to_the_nearest_ancestor(tmp_path):
    _, locator = read_yaml(_write(tmp_path, GOOD))
    assert locator.nearest(("pricing", "mode")) == ("pricing",)
    assert locator.position(("pricing", "mode")) == (3, 3)
    assert locator.key_position(("pricing", "mode")) == (2, 1)
    assert locator.position(("segments", "old", "wtp", "sd")) == (11, 10)
    assert locator.position(("run", "replications")) == (1, 1)
    assert Locator("x.yaml").position(("a",)) is None


def test_merge_keys_are_applied_and_located_where_written(tmp_path):
    text = """\
    defaults: &base
      share: 0.5
      wtp: 60
    segments:
      a:
        <<: *base
        wtp: 80
    """
    data, locator = read_yaml(_write(tmp_path, text))
    assert data["segments"]["a"] == {"wtp": 80, "share": 0.5}
    assert locator.position(("segments", "a", "wtp")) == (7, 10)
    assert locator.position(("segments", "a", "share")) == (2, 10)


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as info:
        read_yaml(path)
    assert info.value.problems == (Problem(str(path), None, None, "", "file not found"),)
    assert str(info.value) == f"{path}: file not found"


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(ScenarioError) as info:
        read_yaml(tmp_path)
    assert info.value.problems == (Problem(str(tmp_path), None, None, "", "is a directory, not a scenario file"),)


@pytest.mark.parametrize("text", ["", "\n  \n", "# only a comment\n"])
def test_empty_file(tmp_path, text):
    assert _read_problems(tmp_path, text) == [(None, None, "", "the file is empty")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("seed: 1\npricing: a: b\n", (2, 11, "", "invalid YAML: mapping values are not allowed here")),
        ("seed: 1\npricing:\n\tlist_price: 1\n", (3, 1, "", "invalid YAML: a tab character is not allowed here; indent with spaces")),
        (
            "seed: 1\nnote: 'open\n",
            (3, 1, "", "invalid YAML: found unexpected end of stream "
             "(while scanning a quoted scalar that starts at line 2, column 7)"),
        ),
        ("seed: 1\n---\nseed: 2\n", (2, 1, "", "invalid YAML: expected a single document in the stream but found another document")),
    ],
)
def test_invalid_yaml_is_one_problem_at_the_parser_position(tmp_path, text, expected):
    assert _read_problems(tmp_path, text) == [expected]


def test_top_level_must_be_a_mapping(tmp_path):
    assert _read_problems(tmp_path, "- 1\n- 2\n") == [
        (1, 1, "", "the top level must be a mapping of keys to values, got a list")
    ]


def test_duplicate_keys_are_each_reported(tmp_path):
    text = """\
    seed: 1
    pricing:
      list_price: 100
      list_price: 90
    seed: 2
    """
    assert _read_problems(tmp_path, text) == [
        (4, 3, "pricing.list_price", "duplicate key 'list_price' (first given at line 3)"),
        (5, 1, "seed", "duplicate key 'seed' (first given at line 1)"),
    ]


def test_unsupported_tag(tmp_path):
    assert _read_problems(tmp_path, "seed: !secret 1\n") == [(1, 7, "seed", "unsupported YAML tag '!secret'")]


# --------------------------------------------------------------------------- validation problems


def test_wrong_type(tmp_path):
    text = GOOD.replace("seed: 7", "seed: abc")
    assert _problems(tmp_path, text) == [(1, 7, "seed", "expected a whole number, got 'abc'")]


def test_unknown_key_suggests_the_closest_and_lists_the_allowed(tmp_path):
    text = GOOD.replace("  presale_price: 80", "  presale_price: 80\n  presal_prise: 80")
    assert _problems(tmp_path, text) == [
        (
            5,
            3,
            "pricing.presal_prise",
            "unknown key 'presal_prise'; did you mean 'presale_price'? allowed: list_price, presale_price, mode",
        )
    ]


def test_missing_field_points_at_the_parent_mapping(tmp_path):
    text = GOOD.replace("    share: 0.6\n", "")
    assert _problems(tmp_path, text) == [(10, 5, "segments.old.share", "missing required field 'share'")]
    assert _problems(tmp_path, GOOD.replace("seed: 7\n", "")) == [(1, 1, "seed", "missing required field 'seed'")]


def test_literal_lists_the_allowed_values(tmp_path):
    text = GOOD.replace("  presale_price: 80", "  presale_price: 80\n  mode: fixd")
    assert _problems(tmp_path, text) == [
        (5, 9, "pricing.mode", "unknown value 'fixd'; did you mean 'fixed'? allowed: fixed, linear")
    ]


def test_validator_message_is_shown_as_written(tmp_path):
    text = GOOD.replace("list_price: 100", "list_price: -5")
    assert _problems(tmp_path, text) == [(3, 15, "pricing.list_price", "the list price must be positive")]


def test_text_for_number_or_distribution_names_both(tmp_path):
    text = GOOD.replace("wtp: 70", "wtp: high")
    assert _problems(tmp_path, text) == [
        (
            11,
            10,
            "segments.old.wtp",
            "expected a number or a distribution mapping like {dist: normal, mean: …, sd: …}, got 'high'",
        )
    ]


def test_unknown_and_missing_distribution_tag(tmp_path):
    text = GOOD.replace("dist: normal", "dist: normall").replace("wtp: 70", "wtp: {mean: 70, sd: 5}")
    assert _problems(tmp_path, text) == [
        (
            8,
            17,
            "segments.young.wtp.dist",
            "unknown dist 'normall'; did you mean 'normal'? allowed: normal, uniform",
        ),
        (11, 10, "segments.old.wtp", "missing 'dist' (allowed: normal, uniform)"),
    ]


def test_errors_inside_a_distribution_use_the_users_path(tmp_path):
    text = GOOD.replace("{dist: normal, mean: 90, sd: 10}", "{dist: normal, mean: x, sdev: 10}")
    # 'sd' is missing only because it is misspelt: one problem, at the misspelt key
    assert _problems(tmp_path, text) == [
        (8, 31, "segments.young.wtp.mean", "expected a number, got 'x'"),
        (
            8,
            34,
            "segments.young.wtp.sdev",
            "unknown key 'sdev'; did you mean 'sd'? allowed: dist, mean, sd",
        ),
    ]


def test_a_missing_field_with_an_unrelated_unknown_key_is_reported_too(tmp_path):
    text = GOOD.replace("{dist: normal, mean: 90, sd: 10}", "{dist: normal, mean: 90, colour: red}")
    assert _problems(tmp_path, text) == [
        (8, 10, "segments.young.wtp.sd", "missing required field 'sd'"),
        (8, 35, "segments.young.wtp.colour", "unknown key 'colour'; allowed: dist, mean, sd"),
    ]


def test_every_problem_is_reported_at_once_in_file_order(tmp_path):
    text = """\
    seed: seven
    pricing:
      list_price: 100
      presale_price: 80
      mode: sometimes
      list_price: 90
    segments:
      young: {share: lots, wtp: {dist: uniform, low: 1}}
    days: [1, two]
    extra: 1
    """
    problems = _problems(tmp_path, text)
    assert len(problems) == 7
    assert problems == [
        (1, 7, "seed", "expected a whole number, got 'seven'"),
        (5, 9, "pricing.mode", "unknown value 'sometimes'; allowed: fixed, linear"),
        (6, 3, "pricing.list_price", "duplicate key 'list_price' (first given at line 3)"),
        (8, 18, "segments.young.share", "expected a number, got 'lots'"),
        (8, 29, "segments.young.wtp.high", "missing required field 'high'"),
        (9, 11, "days[1]", "expected a whole number, got 'two'"),
        (10, 1, "extra", "unknown key 'extra'; allowed: seed, pricing, segments, days, note"),
    ]


def test_branch_names_are_removed_even_without_the_schema(tmp_path):
    path = _write(tmp_path, GOOD.replace("wtp: 70", "wtp: {dist: normal, mean: q, sd: 1}"))
    data, locator = read_yaml(path)
    with pytest.raises(ValidationError) as info:
        Campaign.model_validate(data)
    problems = problems_from_validation_error(info.value, locator=locator, file="c.yaml")
    assert [str(p) for p in problems] == ["c.yaml:11:31: segments.old.wtp.mean: expected a number, got 'q'"]


def test_problems_without_a_file_have_no_position():
    with pytest.raises(ValidationError) as info:
        Campaign.model_validate({"seed": 1, "pricing": {"list_price": 1, "presale_price": "x"}})
    problems = problems_from_validation_error(info.value, locator=None, file="<memory>", root_model=Campaign)
    assert problems == [Problem("<memory>", None, None, "pricing.presale_price", "expected a number, got 'x'")]


def test_problem_at_locates_a_cross_field_problem(tmp_path):
    _, locator = read_yaml(_write(tmp_path, GOOD))
    problem = problem_at(("segments", "old"), "shares must sum to 1", locator=locator, key=True)
    assert str(problem) == f"{locator.file}:9:3: segments.old: shares must sum to 1"


def test_did_you_mean():
    assert did_you_mean("presal_price", ["list_price", "presale_price"]) == "presale_price"
    assert did_you_mean("Seed", ["seed", "days"]) == "seed"
    assert did_you_mean("zzz", ["seed", "days"]) is None
    assert did_you_mean("seed", ["seed"]) is None


def test_dotted_path():
    assert dotted_path(("segments", "young", "wtp")) == "segments.young.wtp"
    assert dotted_path(("days", 0)) == "days[0]"
    assert dotted_path(()) == ""


def test_an_alias_bomb_is_refused_before_it_is_expanded(tmp_path):
    """Nine levels of nine aliases would expand to 9^9 values; the composed graph has 90 nodes."""
    from simulation.errors import ScenarioError
    from simulation.scenario.yamlsource import read_yaml_document

    levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(levels) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bomb\.yaml:7:\d+: the file expands to too much data"):
        read_yaml_document(path)


def test_a_recursive_alias_is_a_located_problem_not_a_hang(tmp_path):
    from simulation.scenario.yamlsource import read_yaml_document

    path = tmp_path / "loop.yaml"
    path.write_text("a: &a\n  b: [*a]\n", encoding="utf-8")
    doc = read_yaml_document(path)
    assert any("refers to the mapping or list that contains it" in p.message for p in doc.problems)
