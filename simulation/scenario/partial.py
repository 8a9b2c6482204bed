"""The valid parts of a scenario that failed validation.

A wrong field should not hide the cross-field problems elsewhere in the file. When
validation fails, :func:`salvage` rebuilds the scenario from every part that is
valid on its own and puts :data:`INVALID` in place of each part that is not. The
placeholder refuses to be used: reading an attribute, comparing, iterating,
formatting or testing it raises :class:`Unavailable`, so a rule that needs an
invalid part stops (and is skipped), while rules whose inputs are valid still run.

A model is rebuilt part by part (fields, mapping entries, list items, the branch
of a tagged union), except a model with its own validators: its fields are only
meaningful together, so it is either valid as a whole or :data:`INVALID`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, NoReturn, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError

from .problems import _member_by_tag, _shape

__all__ = ["INVALID", "Unavailable", "require", "salvage"]


class Unavailable(Exception):
    """A rule reached a part of the scenario that failed validation."""


class _Invalid:
    """The placeholder of a part that failed validation (see the module docstring)."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise Unavailable

    __getattr__ = __getitem__ = __iter__ = __len__ = __contains__ = __bool__ = _refuse
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __hash__ = _refuse  # type: ignore[assignment]
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __neg__ = __abs__ = _refuse
    __float__ = __int__ = __index__ = __format__ = __str__ = _refuse

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()
"""Stands for a part of the scenario that failed validation."""


def require(value: Any) -> Any:
    """``value`` itself, or raise :class:`Unavailable` when it is :data:`INVALID`.

    For code that inspects a value without using it (``isinstance``, ``is None``).
    """
    if isinstance(value, _Invalid):
        raise Unavailable
    return value


def salvage(model: type[BaseModel], data: Any) -> Any:
    """``data`` validated as ``model`` where possible, with :data:`INVALID` elsewhere.

    Returns a real ``model`` instance when ``data`` is valid (unknown keys
    apart), a ``model`` built without validation whose invalid parts are
    :data:`INVALID` otherwise, or :data:`INVALID` when nothing can be saved.
    """
    return _salvage(model, data)[0]


@lru_cache(maxsize=None)
def _adapter(tp: Any) -> TypeAdapter:
    return TypeAdapter(tp)


@lru_cache(maxsize=None)
def _field_type(model: type[BaseModel], name: str) -> Any:
    """The annotation of a field with its constraints and discriminator."""
    info = model.model_fields[name]
    return Annotated[info.annotation, info]


def _salvage(tp: Any, data: Any) -> tuple[Any, bool]:
    """``(value, whole)``: ``whole`` is false when the value holds :data:`INVALID` somewhere."""
    try:
        return _adapter(tp).validate_python(data), True
    except ValidationError as err:
        at_top = any(not e["loc"] for e in err.errors())
    shape = _shape(tp)
    if shape.kind == "union" and isinstance(shape.discriminator, str) and isinstance(data, dict):
        member = _member_by_tag(shape, data.get(shape.discriminator))
        return _salvage(member, data) if member is not None else (INVALID, False)
    if shape.kind == "model" and isinstance(data, dict):
        return _salvage_model(shape.tp, data)
    if at_top:  # the container itself is wrong (wrong type, too few entries)
        return INVALID, False
    if shape.kind == "mapping" and isinstance(data, dict):
        key_type = (get_args(shape.tp) or (Any,))[0]
        if not all(_salvage(key_type, key)[1] for key in data):
            return INVALID, False
        entries = {key: _salvage(shape.members[0], value) for key, value in data.items()}
        return {key: value for key, (value, _) in entries.items()}, all(w for _, w in entries.values())
    if shape.kind == "sequence" and isinstance(data, list):
        items = [_salvage(shape.members[0], value) for value in data]
        return [value for value, _ in items], all(w for _, w in items)
    return INVALID, False


def _salvage_model(model: type[BaseModel], data: dict[Any, Any]) -> tuple[Any, bool]:
    decorators = model.__pydantic_decorators__
    if decorators.model_validators or decorators.field_validators:
        return INVALID, False
    values: dict[str, Any] = {}
    whole = True
    for name, info in model.model_fields.items():
        key = next((k for k in (info.validation_alias, info.alias, name) if isinstance(k, str) and k in data), None)
        if key is not None:
            values[name], ok = _salvage(_field_type(model, name), data[key])
        elif info.is_required():
            values[name], ok = INVALID, False
        else:
            values[name], ok = info.get_default(call_default_factory=True), True
        whole = whole and ok
    return model.model_construct(**values), whole
