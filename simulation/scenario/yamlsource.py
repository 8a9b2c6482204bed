"""Read a YAML scenario file into plain Python data that remembers where it came from.

:func:`read_yaml` returns the data (``dict``/``list``/``str``/``int``/``float``/
``bool``/``None``) together with a :class:`Locator`, which maps a path such as
``("market", "segments", 0, "share")`` to the line and column of that entry, so
that every later complaint can point at the exact place in the file.

Scalars follow the YAML 1.1 rules of ``yaml.SafeLoader`` with three changes that
avoid surprises in hand-written files:

* only ``true``/``false`` (any capitalisation style YAML allows) are booleans;
  ``yes``, ``no``, ``on`` and ``off`` stay strings;
* date-like values such as ``2025-03-01`` stay strings;
* numbers with an exponent but no decimal point, such as ``1e6``, are floats.

Duplicate keys in a mapping, which YAML parsers silently accept, are reported.
Merge keys (``<<: *defaults``) and anchors/aliases are supported.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simulation.errors import Problem, ScenarioError

__all__ = ["Position", "Locator", "YamlDocument", "read_yaml", "read_yaml_document", "dotted_path"]

PathKey = str | int | float | bool | None

_TAG = "tag:yaml.org,2002:"
_PLAIN_SCALAR_TAGS = {_TAG + t for t in ("null", "bool", "int", "float", "str")}
_STRING_LIKE_TAGS = {_TAG + "timestamp", _TAG + "value"}
_MAX_NODES = 1_000_000


class Position(NamedTuple):
    """1-based line and column of a piece of the file."""

    line: int
    col: int


def _pos(mark: yaml.Mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


class Locator:
    """Where each entry of a scenario file is written.

    Paths are tuples of mapping keys and list indexes, exactly like the ``loc`` of
    a pydantic error. A path that is not in the file (a field left to its default,
    a missing field) resolves to its nearest ancestor that is.

    Parameters
    ----------
    file
        The file as the user named it.
    entries
        ``path -> (value position, key position or None)``.
    """

    def __init__(
        self,
        file: str,
        entries: Mapping[tuple[PathKey, ...], tuple[Position, Position | None]] | None = None,
    ) -> None:
        self.file = file
        self._entries = dict(entries or {})

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and path in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def nearest(self, path: Iterable[Any]) -> tuple[PathKey, ...] | None:
        """Return the longest prefix of ``path`` present in the file, or ``None``."""
        path = tuple(path)
        for end in range(len(path), -1, -1):
            if path[:end] in self._entries:
                return path[:end]
        return None

    def position(self, path: Iterable[Any]) -> Position | None:
        """Position of the value at ``path`` (or of its nearest ancestor in the file)."""
        found = self.nearest(path)
        return None if found is None else self._entries[found][0]

    def key_position(self, path: Iterable[Any]) -> Position | None:
        """Position of the key of ``path`` (or of its nearest ancestor in the file).

        List items and the top level have no key; their value position is used.
        """
        found = self.nearest(path)
        if found is None:
            return None
        value, key = self._entries[found]
        return key or value


@dataclass(frozen=True)
class YamlDocument:
    """A scenario file read leniently: data, locations and non-fatal problems."""

    data: dict[Any, Any]
    locator: Locator
    problems: tuple[Problem, ...]


class _ScenarioLoader(yaml.SafeLoader):
    """Safe loader whose booleans are only true/false and whose dates stay text."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in {_TAG + "bool", _TAG + "timestamp", _TAG + "float"}]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


_ScenarioLoader.add_implicit_resolver(
    _TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_ScenarioLoader.add_implicit_resolver(
    _TAG + "float",
    re.compile(
        r"""^(?:[-+]?[0-9][0-9_]*(?:\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)
        |[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def read_yaml(path: str | os.PathLike[str]) -> tuple[Any, Locator]:
    """Read a scenario file, raising every problem found in it.

    Parameters
    ----------
    path
        The YAML file.

    Returns
    -------
    data, locator
        The top-level mapping as plain Python data, and where each entry is.

    Raises
    ------
    ScenarioError
        The file is missing, unreadable, empty, not valid YAML, not a mapping at
        the top level, or has duplicate keys or unsupported tags.
    """
    doc = read_yaml_document(path)
    if doc.problems:
        raise ScenarioError(doc.problems)
    return doc.data, doc.locator


def read_yaml_document(path: str | os.PathLike[str]) -> YamlDocument:
    """Read a scenario file, keeping problems that do not stop reading.

    Duplicate keys and unsupported tags are returned in ``problems`` so that they
    can be reported together with the problems found when validating the data.

    Raises
    ------
    ScenarioError
        The file cannot be read or parsed, or its top level is not a mapping.
    """
    file = os.fspath(path)
    text = _read_text(Path(path), file)
    if not text.strip():
        raise ScenarioError(Problem(file, None, None, "", "the file is empty"))
    loader: _ScenarioLoader | None = None
    try:
        loader = _ScenarioLoader(text)
        root = loader.get_single_node()
        if root is None:
            raise ScenarioError(Problem(file, None, None, "", "the file is empty"))
        _check_expansion(root, file)
        builder = _Builder(loader, file)
        data = builder.build(root)
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError(_syntax_problem(exc, file)) from None
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        message = f"the file contains a character that YAML does not allow (U+{exc.character:04X})"
        raise ScenarioError(Problem(file, line, col, "", message)) from None
    except RecursionError:
        raise ScenarioError(Problem(file, None, None, "", "the file is nested too deeply")) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        start = _pos(root.start_mark)
        message = f"the top level must be a mapping of keys to values, got {_kind(data)}"
        raise ScenarioError(Problem(file, start.line, start.col, "", message))
    return YamlDocument(data, Locator(file, builder.entries), tuple(builder.problems))


def _check_expansion(root: Node, file: str) -> None:
    """Refuse a document whose aliases would expand it past :data:`_MAX_NODES` (an alias bomb).

    The size is counted on the composed node graph, where an alias is a shared node, so the
    count costs one visit per distinct node: nothing is expanded to find out.
    """
    sizes: dict[int, int] = {}
    visiting: set[int] = set()          # on the current path: an alias back to one counts once
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes or (not children_done and id(node) in visiting):
            continue
        kids = ([] if isinstance(node, ScalarNode) else
                node.value if isinstance(node, SequenceNode) else
                [part for pair in node.value for part in pair] if isinstance(node, MappingNode) else [])
        if not children_done:
            visiting.add(id(node))
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in sizes and id(k) not in visiting)
            continue
        visiting.discard(id(node))
        size = 1 + sum(sizes.get(id(k), 1) for k in kids)
        sizes[id(node)] = size
        if size > _MAX_NODES:
            start = _pos(node.start_mark)
            raise ScenarioError(Problem(file, start.line, start.col, "",
                                        f"the file expands to too much data: its aliases repeat this part "
                                        f"into more than {_MAX_NODES:,} values (an alias bomb?)"))


def _read_text(path: Path, file: str) -> str:
    def fail(message: str, line: int | None = None, col: int | None = None) -> ScenarioError:
        return ScenarioError(Problem(file, line, col, "", message))

    if path.is_dir():
        raise fail("is a directory, not a scenario file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail("file not found") from None
    except PermissionError:
        raise fail("permission denied: the file cannot be read") from None
    except OSError as exc:
        raise fail(f"the file cannot be read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise fail("the file is not UTF-8 text", line, col) from None


def _line_col(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    problem = exc.problem or exc.context or "cannot be parsed"
    context = exc.context if exc.problem else None
    if problem.startswith("but ") and context:
        message = f"{context} {problem}"
    else:
        message = problem
        if "'\\t'" in problem:
            message = "a tab character is not allowed here; indent with spaces"
        elif problem.startswith("expected <block end>"):
            message = f"{problem} (check the indentation of this line)"
        elif context and exc.context_mark is not None:
            start = _pos(exc.context_mark)
            message = f"{problem} ({context} that starts at line {start.line}, column {start.col})"
    mark = exc.problem_mark or exc.context_mark
    line, col = _pos(mark) if mark is not None else (None, None)
    return Problem(file, line, col, "", f"invalid YAML: {message}")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"the single value {value!r}"


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


def _describe_key(key: Any) -> str:
    return repr(key) if isinstance(key, str) else str(key)


class _Builder:
    """Turn composed YAML nodes into plain data, recording positions and problems."""

    def __init__(self, loader: _ScenarioLoader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.entries: dict[tuple[PathKey, ...], tuple[Position, Position | None]] = {}
        self.problems: list[Problem] = []
        self._reported: set[tuple[int, int]] = set()
        self._active: set[int] = set()
        self._count = 0

    def build(self, root: Node) -> Any:
        return self._value(root, (), None)

    def _problem(self, node: Node, path: tuple[PathKey, ...], message: str) -> None:
        start = _pos(node.start_mark)
        if (start.line, start.col) in self._reported:
            return  # the same text reached again through an alias
        self._reported.add((start.line, start.col))
        self.problems.append(Problem(self.file, start.line, start.col, dotted_path(path), message))

    def _value(self, node: Node, path: tuple[PathKey, ...], key_node: Node | None) -> Any:
        self._count += 1
        if self._count > _MAX_NODES:
            start = _pos(node.start_mark)
            message = "the file expands to too much data (too many aliases)"
            raise ScenarioError(Problem(self.file, start.line, start.col, "", message))
        self.entries[path] = (_pos(node.start_mark), None if key_node is None else _pos(key_node.start_mark))
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in self._active:
            self._problem(node, path, "an alias refers to the mapping or list that contains it")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, SequenceNode) and node.tag == _TAG + "seq":
                return [self._value(item, (*path, i), None) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode) and node.tag == _TAG + "map":
                return self._mapping(node, path)
            self._problem(node, path, f"unsupported YAML tag {_short_tag(node.tag)!r}")
            return None
        finally:
            self._active.discard(id(node))

    def _scalar(self, node: ScalarNode, path: tuple[PathKey, ...]) -> Any:
        if node.tag in _STRING_LIKE_TAGS:
            return node.value
        if node.tag not in _PLAIN_SCALAR_TAGS:
            self._problem(node, path, f"unsupported YAML tag {_short_tag(node.tag)!r}")
            return None
        try:
            return self.loader.construct_object(node)
        except (ValueError, yaml.constructor.ConstructorError):
            self._problem(node, path, f"{node.value!r} cannot be read as {_short_tag(node.tag)}")
            return None

    def _mapping(self, node: MappingNode, path: tuple[PathKey, ...]) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Node] = {}
        merged: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                merged.extend(self._merge_pairs(value_node, path))
                continue
            key = self._key(key_node, path)
            if key is _BAD_KEY:
                continue
            if key in first_seen:
                line = _pos(first_seen[key].start_mark).line
                self._problem(key_node, (*path, key), f"duplicate key {_describe_key(key)} (first given at line {line})")
                continue
            first_seen[key] = key_node
            result[key] = self._value(value_node, (*path, key), key_node)
        for key_node, value_node in merged:
            key = self._key(key_node, path)
            if key is _BAD_KEY or key in result:
                continue
            result[key] = self._value(value_node, (*path, key), key_node)
        return result

    def _merge_pairs(self, node: Node, path: tuple[PathKey, ...]) -> list[tuple[Node, Node]]:
        """Key/value node pairs brought in by ``<<``, highest priority first."""
        sources = node.value if isinstance(node, SequenceNode) else [node]
        if not all(isinstance(s, MappingNode) for s in sources):
            self._problem(node, path, "'<<' must be followed by a mapping or a list of mappings")
            return []
        pairs: list[tuple[Node, Node]] = []
        for source in sources:
            if id(source) in self._active:
                self._problem(source, path, "an alias refers to the mapping that contains it")
                continue
            self._active.add(id(source))
            try:
                nested: list[tuple[Node, Node]] = []
                for key_node, value_node in source.value:
                    if key_node.tag == _TAG + "merge":
                        nested.extend(self._merge_pairs(value_node, path))
                    else:
                        pairs.append((key_node, value_node))
                pairs.extend(nested)
            finally:
                self._active.discard(id(source))
        return pairs

    def _key(self, node: Node, path: tuple[PathKey, ...]) -> Any:
        if not isinstance(node, ScalarNode):
            self._problem(node, path, "a key must be a single value, not a mapping or a list")
            return _BAD_KEY
        if node.tag not in _PLAIN_SCALAR_TAGS | _STRING_LIKE_TAGS:
            self._problem(node, path, f"unsupported YAML tag {_short_tag(node.tag)!r}")
            return _BAD_KEY
        return self._scalar(node, path)


_BAD_KEY = object()


def dotted_path(path: Iterable[Any]) -> str:
    """Render a path such as ``("a", "b", 0, "c")`` as ``a.b[0].c``."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
