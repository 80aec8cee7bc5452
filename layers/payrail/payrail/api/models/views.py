"""Response models derived from the domain's entities: a view keeps the entity's fields (their
types, defaults and descriptions) and swaps what the API shows differently — a status enum
becomes the ``Literal`` of its values (the OpenAPI ``enum``), a nested entity the API's own view
of it — so a field or a state added to an entity reaches the API document without being retyped.
"""
from __future__ import annotations

import types
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Field, create_model


def values_of(enum: type[Enum]) -> Any:
    """``Literal[...]`` of ``enum``'s values, in its order (the API's enum of a domain status)."""
    return Literal[tuple(m.value for m in enum)]


def _swap(annotation: Any, nested: dict[type, type]) -> Any:
    if isinstance(annotation, type):
        if annotation in nested:
            return nested[annotation]
        if issubclass(annotation, Enum):
            return values_of(annotation)
        return annotation
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        return Union[tuple(_swap(a, nested) for a in args)]
    if origin is list:
        return list[_swap(args[0], nested)]
    if origin is dict:
        return dict[_swap(args[0], nested), _swap(args[1], nested)]
    return annotation


def view(entity: type[BaseModel], name: str, base: type[BaseModel], module: str, *,
         nested: dict[type, type] | None = None, exclude: tuple[str, ...] = (), **overrides: Any) -> type[BaseModel]:
    """The API's model ``name`` (on ``base``, in ``module``) of ``entity``'s fields but ``exclude``;
    ``nested`` maps nested entities to their API views; ``overrides``: fields typed otherwise
    (``name=(annotation, FieldInfo)``)."""
    fields: dict[str, Any] = {}
    for field, info in entity.model_fields.items():
        if field in exclude:
            continue
        if field in overrides:
            fields[field] = overrides[field]
            continue
        kw: dict[str, Any] = {}
        if not info.is_required():
            kw["default"] = info.default
        if info.description:
            kw["description"] = info.description
        fields[field] = (_swap(info.annotation, nested or {}), Field(**kw))
    return create_model(name, __base__=base, __module__=module, **fields)
