"""Turn pydantic validation errors into plain-English problems located in the file.

Pydantic reports an error with a ``loc`` that mixes the user's keys with internal
names of union branches (``float``, ``tagged-union[DistNormal,DistUniform]``,
``normal``...). :func:`problems_from_validation_error` walks the schema along each
``loc`` to tell the two apart, keeps only the user's path, picks the most relevant
branch when a value matched none of the alternatives of a union, and words each
error for someone who has never seen Python::

    campaign.yaml:7:11: market.size: expected a number or a distribution mapping like {...}, got 'large'
    campaign.yaml:9:3: pricing.presal_price: unknown key 'presal_price'; did you mean 'presale_price'?
    campaign.yaml:12:13: segments.young.wtp.dist: unknown dist 'normall'; did you mean 'normal'?
"""

from __future__ import annotations

import collections.abc as cabc
import difflib
import enum
import os
import re
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NamedTuple, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, Discriminator, RootModel, Tag, ValidationError
from pydantic.fields import FieldInfo

from simulation.errors import Problem, ScenarioError
from simulation.scenario.hints import value_hint
from simulation.scenario.yamlsource import Locator, Position, dotted_path, read_yaml_document

__all__ = [
    "Located", "did_you_mean", "locate_validation_error", "problem_at", "problems_from_validation_error",
    "validate_file",
]

M = TypeVar("M", bound=BaseModel)

_MAX_LISTED = 12
_TAG_NOUNS = {"dist": "distribution"}
_INTERNAL_LABEL = re.compile(
    r"^(?:(?:function-(?:after|before|wrap|plain)|tagged-union|lax-or-strict|json-or-python|chain|nullable"
    r"|definition-ref|literal|list|dict|tuple|set|frozenset|enum|is-instance|model)\[.*\]|constrained-\w+)$",
    re.S,
)

_MAPPING = "a mapping of keys to values"
_EXPECTED = {
    **dict.fromkeys(("float_type", "float_parsing", "decimal_type", "decimal_parsing"), "a number"),
    **dict.fromkeys(("int_type", "int_parsing", "int_from_float", "int_parsing_size"), "a whole number"),
    **dict.fromkeys(("string_type", "string_unicode"), "text"),
    **dict.fromkeys(("bool_type", "bool_parsing"), "true or false"),
    **dict.fromkeys(("list_type", "tuple_type", "set_type", "frozen_set_type", "iterable_type"), "a list"),
    **dict.fromkeys(("dict_type", "model_type", "model_attributes_type", "dataclass_type"), _MAPPING),
    **dict.fromkeys(("date_type", "date_parsing", "date_from_datetime_parsing"), "a date like 2025-03-01"),
    **dict.fromkeys(("datetime_type", "datetime_parsing"), "a date and time like 2025-03-01T09:00:00"),
    **dict.fromkeys(("time_type", "time_parsing"), "a time of day like 09:30"),
    "none_required": "nothing (null)",
}
_MAPPING_TYPES = {"dict_type", "model_type", "model_attributes_type", "dataclass_type"}
_CHOICE_TYPES = {"literal_error", "enum"}
_MISMATCH_TYPES = set(_EXPECTED) | _CHOICE_TYPES
_BOUNDS = {
    "greater_than": ("gt", "must be greater than"),
    "greater_than_equal": ("ge", "must be at least"),
    "less_than": ("lt", "must be less than"),
    "less_than_equal": ("le", "must be at most"),
    "multiple_of": ("multiple_of", "must be a multiple of"),
}


def did_you_mean(word: Any, options: Iterable[Any]) -> str | None:
    """Return the option closest to ``word``, or ``None`` when nothing is close.

    Parameters
    ----------
    word
        What the user wrote.
    options
        The accepted spellings; non-text options are ignored.
    """
    word = str(word)
    choices = [o for o in options if isinstance(o, str) and o != word]
    by_case = {o.casefold(): o for o in choices}
    if word.casefold() in by_case:
        return by_case[word.casefold()]
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


class Located(NamedTuple):
    """A problem together with the path it is about.

    Attributes
    ----------
    path
        Keys and list indexes of the entry (branch names removed).
    kind
        The pydantic error type (``missing``, ``extra_forbidden``...), or
        ``"no_alternative"`` for a value that matched none of a union's alternatives.
    problem
        What is shown to the user.
    """

    path: tuple[Any, ...]
    kind: str
    problem: Problem


def problems_from_validation_error(
    err: ValidationError,
    *,
    locator: Locator | None,
    file: str | None = None,
    root_model: type[BaseModel] | None = None,
) -> list[Problem]:
    """Describe each error of ``err`` as a :class:`Problem` pointing into the file.

    Parameters
    ----------
    err
        Raised by ``root_model.model_validate(data)``.
    locator
        Positions of the validated data, from :func:`read_yaml`; ``None`` when the
        data did not come from a file (problems then have no line/column).
    file
        The file name shown in each problem; defaults to ``locator.file``.
    root_model
        The validated model. Without it, union branch names are recognised only
        approximately and unknown keys get no suggestions.

    Returns
    -------
    list of Problem
        In pydantic's order; one per mistake (alternatives of a union that the
        value was never meant to match are dropped, and a required field that
        is missing because its key is misspelt is reported once, as the unknown key).
    """
    return [found.problem for found in locate_validation_error(err, locator=locator, file=file, root_model=root_model)]


def locate_validation_error(
    err: ValidationError,
    *,
    locator: Locator | None,
    file: str | None = None,
    root_model: type[BaseModel] | None = None,
) -> list[Located]:
    """Like :func:`problems_from_validation_error`, keeping each problem's path and kind."""
    file = file if file is not None else (locator.file if locator is not None else "")
    walked = [_walk(e, root_model, locator) for e in err.errors(include_url=False)]
    outcomes = _resolve(walked, 0)
    misspelt = {(o.path[:-1], _typo_for(o)) for o in outcomes if isinstance(o, _Walked) and _typo_for(o)}
    found: list[Located] = []
    for outcome in outcomes:
        if isinstance(outcome, _Walked) and outcome.error["type"] == "missing" and outcome.path \
                and (outcome.path[:-1], outcome.path[-1]) in misspelt:
            continue
        render = _render_combined if isinstance(outcome, _Combined) else _render
        path, where, message = render(outcome, locator)
        problem = Problem(file, *(where or (None, None)), dotted_path(path), message)
        kind = "no_alternative" if isinstance(outcome, _Combined) else str(outcome.error["type"])
        if all(problem != f.problem for f in found):
            found.append(Located(tuple(path), kind, problem))
    return found


def _typo_for(item: _Walked) -> str | None:
    """The field an unknown key probably means, or ``None``."""
    if item.error["type"] != "extra_forbidden" or item.parent.kind != "model" or not item.path:
        return None
    return did_you_mean(item.path[-1], _allowed_keys(item.parent.tp))


def problem_at(
    path: Iterable[Any],
    message: str,
    *,
    locator: Locator | None,
    file: str | None = None,
    key: bool = False,
) -> Problem:
    """A problem about the entry at ``path`` (e.g. found by a cross-field check).

    Parameters
    ----------
    path
        Keys and list indexes, like a pydantic ``loc``.
    message
        Plain-English description.
    locator
        Positions of the data; ``None`` for data that did not come from a file.
    file
        Shown file name; defaults to ``locator.file``.
    key
        Point at the key of the entry rather than at its value.
    """
    path = tuple(path)
    file = file if file is not None else (locator.file if locator is not None else "")
    where = _at(locator, path, key=key)
    return Problem(file, *(where or (None, None)), dotted_path(path), message)


def validate_file(path: str | os.PathLike[str], model: type[M], *, context: Any = None) -> M:
    """Read a YAML scenario file and validate it against ``model``.

    Parameters
    ----------
    path
        The YAML file.
    model
        The pydantic model of the whole file.
    context
        Passed to ``model.model_validate``.

    Raises
    ------
    ScenarioError
        With every problem found (reading and validation), in file order.
    """
    doc = read_yaml_document(path)
    problems = list(doc.problems)
    result: M | None = None
    try:
        result = model.model_validate(doc.data, context=context)
    except ValidationError as err:
        problems += problems_from_validation_error(err, locator=doc.locator, root_model=model)
    if problems or result is None:
        problems.sort(key=lambda p: (p.line is None, p.line or 0, p.col or 0))
        raise ScenarioError(problems)
    return result


# --------------------------------------------------------------------------- schema view


@dataclass(frozen=True)
class _Shape:
    """What a schema annotation accepts, with wrappers and ``None`` stripped."""

    kind: str | None  # model, mapping, sequence, tuple, union, literal, enum, scalar; None = unknown
    tp: Any = None
    members: tuple[Any, ...] = ()
    discriminator: str | Callable[..., Any] | None = None


def _shape(tp: Any, discriminator: Any = None) -> _Shape:
    while True:
        if isinstance(tp, typing.TypeAliasType):
            tp = tp.__value__
            continue
        origin = get_origin(tp) or (tp if tp in (dict, list, set, frozenset, tuple) else None)
        if origin is Annotated:
            for meta in tp.__metadata__:
                if isinstance(meta, FieldInfo) and meta.discriminator is not None:
                    discriminator = meta.discriminator
                elif isinstance(meta, Discriminator):
                    discriminator = meta
            tp = get_args(tp)[0]
            continue
        if isinstance(discriminator, Discriminator):
            discriminator = discriminator.discriminator
        if origin in (Union, types.UnionType):
            members = tuple(m for m in get_args(tp) if m is not type(None))
            if len(members) == 1:
                tp = members[0]
                continue
            return _Shape("union", tp, members, discriminator)
        if isinstance(tp, type) and issubclass(tp, RootModel):
            field = tp.model_fields["root"]
            tp, discriminator = field.annotation, field.discriminator
            continue
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return _Shape("model", tp)
        if origin is Literal:
            return _Shape("literal", tp, get_args(tp))
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return _Shape("enum", tp, tuple(m.value for m in tp))
        if origin in (dict, cabc.Mapping, cabc.MutableMapping):
            args = get_args(tp)
            return _Shape("mapping", tp, (args[1] if len(args) == 2 else None,))
        if origin in (list, set, frozenset, cabc.Sequence, cabc.MutableSequence, cabc.Set, cabc.Iterable):
            args = get_args(tp)
            return _Shape("sequence", tp, (args[0] if args else None,))
        if origin is tuple:
            return _Shape("tuple", tp, get_args(tp))
        if tp in (int, float, str, bool, bytes):
            return _Shape("scalar", tp)
        return _Shape(None, tp)


def _field_map(model: type[BaseModel]) -> dict[str, FieldInfo]:
    fields: dict[str, FieldInfo] = {}
    for name, info in model.model_fields.items():
        fields[name] = info
        for alias in (info.alias, info.validation_alias):
            if isinstance(alias, str):
                fields[alias] = info
    return fields


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    keys = []
    for name, info in model.model_fields.items():
        alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
        keys.append(alias or name)
    return keys


def _child(shape: _Shape, elem: Any) -> tuple[Any, Any]:
    """Type (and discriminator) of the entry ``elem`` inside a value of ``shape``."""
    if shape.kind == "model":
        info = _field_map(shape.tp).get(elem) if isinstance(elem, str) else None
        return (info.annotation, info.discriminator) if info is not None else (None, None)
    if shape.kind in ("mapping", "sequence"):
        return shape.members[0], None
    if shape.kind == "tuple" and isinstance(elem, int):
        args = shape.members
        if len(args) == 2 and args[1] is Ellipsis:
            return args[0], None
        return (args[elem], None) if 0 <= elem < len(args) else (None, None)
    return None, None


def _tag_values(member: Any, discriminator: Any) -> list[Any]:
    """Tag values that select ``member`` of a discriminated union."""
    if callable(discriminator):
        if get_origin(member) is Annotated:
            return [m.tag for m in member.__metadata__ if isinstance(m, Tag)]
        return []
    shape = _shape(member)
    if shape.kind != "model":
        return []
    info = _field_map(shape.tp).get(discriminator)
    if info is None:
        return []
    tag_shape = _shape(info.annotation)
    return [v.value if isinstance(v, enum.Enum) else v for v in tag_shape.members]


def _union_tags(shape: _Shape) -> list[Any]:
    return [tag for m in shape.members for tag in _tag_values(m, shape.discriminator)]


def _member_by_tag(shape: _Shape, tag: Any) -> Any:
    for member in shape.members:
        if any(str(v) == str(tag) for v in _tag_values(member, shape.discriminator)):
            return member
    return None


def _member_by_label(shape: _Shape, label: str) -> Any:
    """The alternative of a plain union that pydantic names ``label`` in a loc."""
    shapes = [(m, _shape(m)) for m in shape.members]
    for member, s in shapes:
        if s.kind == "model" and label == s.tp.__name__:
            return member
        if s.kind == "union" and s.discriminator is not None and label.startswith("tagged-union["):
            return member
    for member, s in shapes:
        if s.kind == "model" and re.search(rf"(?<![\w.]){re.escape(s.tp.__name__)}(?!\w)", label):
            return member
    kinds = {"list[": "sequence", "set[": "sequence", "frozenset[": "sequence", "tuple[": "tuple", "dict[": "mapping"}
    for prefix, kind in kinds.items():
        if label.startswith(prefix):
            return next((m for m, s in shapes if s.kind == kind), None)
    return None


def _example(shape: _Shape) -> str:
    """``a distribution mapping like {dist: normal, mean: …, sd: …}`` for a tagged union."""
    disc = shape.discriminator
    if not isinstance(disc, str) or not shape.members:
        return _MAPPING
    first = shape.members[0]
    tags = _tag_values(first, disc)
    parts = [f"{disc}: {tags[0]}" if tags else f"{disc}: …"]
    model = _shape(first)
    if model.kind == "model":
        for key, info in zip(_allowed_keys(model.tp), model.tp.model_fields.values(), strict=True):
            if key != disc and info.is_required():
                parts.append(f"{key}: …")
    noun = _TAG_NOUNS.get(disc)
    return f"a {noun + ' ' if noun else ''}mapping like {{{', '.join(parts)}}}"


# --------------------------------------------------------------------------- walking a loc


@dataclass(frozen=True)
class _Fork:
    """A plain union at which pydantic tried every alternative."""

    loc_prefix: tuple[Any, ...]
    path: tuple[Any, ...]
    label: str


@dataclass(frozen=True)
class _Walked:
    """One pydantic error, with the user's path separated from branch names."""

    error: dict[str, Any]
    path: tuple[Any, ...]
    forks: tuple[_Fork, ...]
    parent: _Shape
    target: _Shape
    key_error: bool


def _walk(error: Any, root_model: type[BaseModel] | None, locator: Locator | None) -> _Walked:
    loc = tuple(error["loc"])
    key_error = bool(loc) and loc[-1] == "[key]"
    if key_error:
        loc = loc[:-1]
    tp, disc = root_model, None
    path: list[Any] = []
    forks: list[_Fork] = []
    parent = _Shape(None)
    for i, elem in enumerate(loc):
        shape = _shape(tp, disc)
        if shape.kind == "union":
            if shape.discriminator is not None:
                tp, disc = _member_by_tag(shape, elem), None
            else:
                forks.append(_Fork(loc[:i], tuple(path), str(elem)))
                tp, disc = _member_by_label(shape, str(elem)), None
            continue
        if shape.kind is None and _looks_like_label(elem, path, locator, last=i == len(loc) - 1, error=error):
            forks.append(_Fork(loc[:i], tuple(path), str(elem)))
            continue
        parent = shape
        path.append(elem)
        tp, disc = _child(shape, elem)
    return _Walked(dict(error), tuple(path), tuple(forks), parent, _shape(tp, disc), key_error)


def _looks_like_label(elem: Any, path: list[Any], locator: Locator | None, *, last: bool, error: Any) -> bool:
    """Guess, without the schema, whether ``elem`` names a union branch."""
    if not isinstance(elem, str):
        return False
    if _INTERNAL_LABEL.match(elem):
        return True
    if locator is None or tuple(path) not in locator or (*path, elem) in locator:
        return False
    return not last or error["type"] != "missing"


# --------------------------------------------------------------------------- choosing branches


def _resolve(items: list[_Walked], depth: int) -> list[_Walked | _Combined]:
    """Replace the errors of each union by those of its most relevant branch."""
    groups: dict[tuple[Any, ...], list[_Walked]] = {}
    order: list[_Walked | tuple[Any, ...]] = []
    for item in items:
        if len(item.forks) <= depth:
            order.append(item)
            continue
        key = item.forks[depth].loc_prefix
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(item)
    out: list[_Walked | _Combined] = []
    for entry in order:
        if isinstance(entry, _Walked):
            out.append(entry)
            continue
        branches: dict[str, list[_Walked]] = {}
        for item in groups[entry]:
            branches.setdefault(item.forks[depth].label, []).append(item)
        viable = [b for b in branches.values() if not _rejected(b, depth)]
        if viable:
            out.extend(_resolve(min(viable, key=len), depth + 1))
        else:
            out.append(_Combined([b[0] for b in branches.values()], groups[entry][0].forks[depth].path))
    return out


def _rejected(branch: list[_Walked], depth: int) -> bool:
    """True when the value is simply of the wrong type for this branch."""
    if len(branch) != 1:
        return False
    item = branch[0]
    return item.path == item.forks[depth].path and len(item.forks) == depth + 1 and item.error["type"] in _MISMATCH_TYPES


@dataclass(frozen=True)
class _Combined:
    """A value that matched none of the alternatives of a union."""

    branches: list[_Walked]
    path: tuple[Any, ...]


# --------------------------------------------------------------------------- wording


def _render_combined(outcome: _Combined, locator: Locator | None) -> tuple[tuple[Any, ...], Position | None, str]:
    value = outcome.branches[0].error.get("input")
    wanted: list[str] = []
    choices: list[Any] = []
    for item in outcome.branches:
        text = _expected(item)
        if item.error["type"] in _CHOICE_TYPES:
            values = _choices(item)
            choices += values
            text = " or ".join(_quote(v) for v in values) if values else text
        if text not in wanted:
            wanted.append(text)
    message = f"expected {_join_or(wanted)}, got {_got(value)}" + value_hint(_join_or(wanted), value)
    if isinstance(value, str) and (guess := did_you_mean(value, choices)):
        message += f"; did you mean {guess!r}?"
    return outcome.path, _at(locator, outcome.path), message


def _render(item: _Walked, locator: Locator | None) -> tuple[tuple[Any, ...], Position | None, str]:
    kind, path, value, ctx = item.error["type"], item.path, item.error.get("input"), item.error.get("ctx") or {}
    if item.key_error:
        key = path[-1] if path else value
        inner = _wording(item, key)
        return path, _at(locator, path, key=True), f"invalid key {_got(key)}: {inner}"
    if kind == "extra_forbidden":
        key = path[-1] if path else ""
        allowed = _allowed_keys(item.parent.tp) if item.parent.kind == "model" else []
        message = f"unknown key {_got(key)}" + _suggest(key, allowed, sep="; ")
        return path, _at(locator, path, key=True), message
    if kind == "missing":
        last = path[-1] if path else ""
        message = f"missing required field {last!r}" if isinstance(last, str) else f"the list is too short: item [{last}] is missing"
        return path, _at(locator, path[:-1]), message
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        name = _discriminator_name(item, ctx)
        tags = _union_tags(item.target) if item.target.kind == "union" else _parse_choices(ctx.get("expected_tags", ""))
        if kind == "union_tag_not_found":
            allowed = f" (allowed: {', '.join(str(t) for t in tags)})" if tags else ""
            return path, _at(locator, path), f"missing {name!r}{allowed}" if name else f"cannot tell which kind of entry this is{allowed}"
        tag = ctx.get("tag", "")
        tag_path = (*path, name) if name and isinstance(value, dict) and name in value else path
        message = f"unknown {name or 'kind'} {_got(tag)}" + _suggest(tag, tags, sep="; ")
        return tag_path, _at(locator, tag_path), message
    return path, _at(locator, path), _wording(item, value)


def _wording(item: _Walked, value: Any) -> str:
    kind, ctx, msg = item.error["type"], item.error.get("ctx") or {}, str(item.error.get("msg", ""))
    if kind in _CHOICE_TYPES:
        return f"unknown value {_got(value)}" + _suggest(value, _choices(item), sep="; ")
    if kind in _EXPECTED:
        return f"expected {_expected(item)}, got {_got(value)}" + value_hint(_expected(item), value)
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return f"{words} {_num(ctx.get(key))}, got {_got(value)}"
    if kind == "finite_number":
        return f"must be a finite number, got {_got(value)}"
    if kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        return _length_message(kind, ctx, value)
    if kind == "string_pattern_mismatch":
        return f"must match the pattern {ctx.get('pattern')}, got {_got(value)}"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "assertion_error":
        return msg.removeprefix("Assertion failed, ")
    if msg.startswith("Input should be "):
        return f"expected {msg.removeprefix('Input should be ')}, got {_got(value)}"
    return msg[:1].lower() + msg[1:]


def _length_message(kind: str, ctx: dict[str, Any], value: Any) -> str:
    shortest = kind.endswith("short")
    limit = ctx.get("min_length" if shortest else "max_length")
    bound = "at least" if shortest else "at most"
    if kind.startswith("string"):
        unit = "character" if limit == 1 else "characters"
        return f"must be {bound} {limit} {unit} long, got {_got(value)}"
    unit = "item" if limit == 1 else "items"
    actual = ctx.get("actual_length")
    return f"must have {bound} {limit} {unit}" + (f", got {actual}" if actual is not None else "")


def _expected(item: _Walked) -> str:
    kind = item.error["type"]
    if kind in _MAPPING_TYPES and item.target.kind == "union" and item.target.discriminator is not None:
        return _example(item.target)
    if kind in _CHOICE_TYPES:
        values = _choices(item)
        return "one of " + ", ".join(_quote(v) for v in values) if values else "an allowed value"
    return _EXPECTED.get(kind, "a valid value")


def _choices(item: _Walked) -> list[Any]:
    if item.target.kind in ("literal", "enum"):
        return [v.value if isinstance(v, enum.Enum) else v for v in item.target.members]
    return _parse_choices((item.error.get("ctx") or {}).get("expected", ""))


def _parse_choices(text: str) -> list[Any]:
    quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", text)
    if quoted:
        return quoted
    return [t for t in re.split(r",\s*|\s+or\s+", text) if t]


def _discriminator_name(item: _Walked, ctx: dict[str, Any]) -> str | None:
    if item.target.kind == "union" and isinstance(item.target.discriminator, str):
        return item.target.discriminator
    raw = str(ctx.get("discriminator", ""))
    return raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == "'" else None


def _suggest(word: Any, options: Sequence[Any], *, sep: str) -> str:
    """``; did you mean 'x'? allowed: a, b`` (parts left out when not useful)."""
    guess = did_you_mean(word, [str(o) for o in options]) if isinstance(word, str) else None
    text = f"{sep}did you mean {guess!r}?" if guess else ""
    if options and len(options) <= _MAX_LISTED:
        text += (" " if guess else sep) + "allowed: " + ", ".join(str(o) for o in options)
    return text


def _at(locator: Locator | None, path: tuple[Any, ...], *, key: bool = False) -> Position | None:
    if locator is None:
        return None
    return locator.key_position(path) if key else locator.position(path)


def _join_or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _quote(value: Any) -> str:
    return repr(value) if isinstance(value, str) else _num(value)


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _got(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _num(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    return type(value).__name__

