"""The base of every domain entity (merchant, payout, reservation, beneficiary, payment, product,
order …): a frozen pydantic model whose validator and schema are built on first use, not at import
(cold starts), with read access by name kept for code that reads an entity as the mapping it is
stored as (``payout["status"]``, ``payout.get("hold_reason")``, ``"fee" in order``)."""
from __future__ import annotations

import types
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any, Callable, Generic, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict

E = TypeVar("E", bound="Entity")
M = TypeVar("M", bound=BaseModel)


class Entity(BaseModel):
    """A frozen domain value. ``entity[name]`` raises KeyError for an unknown name; ``get`` answers
    ``default`` for an unknown or None one; :meth:`public` is the JSON-ready dict of what it holds."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    def get(self, name: str, default: Any = None) -> Any:
        value = getattr(self, name, None)
        return default if value is None else value

    def __contains__(self, name: str) -> bool:
        return name in self.model_fields_set or name in (self.__pydantic_extra__ or {})

    def public(self) -> dict:
        """The entity as the API shows it (a JSON-ready dict of what it holds; unset fields left out)."""
        return self.model_dump(mode="json", exclude_unset=True)

    @classmethod
    def of(cls: type[E], item: dict) -> E:
        """The entity of a stored item as clients see it (``MainTable.get``), validated (the
        model's validator is built on first use, once per process)."""
        return cls.model_validate(item)

    def view(self) -> dict:
        """The entity as the API answers it: the item's fields, nothing added."""
        return self.model_dump(exclude_unset=True)


@dataclass(frozen=True)
class Page(Generic[E]):
    """One page of entities (a merchant's newest first; the operator's across merchants oldest
    first), and whether more follow."""

    data: list[E]
    has_more: bool

    def public(self) -> dict:
        """``{"data": [...], "has_more"}`` as the API shows it."""
        return {"data": [e.public() for e in self.data], "has_more": self.has_more}


def _converter(ann: Any) -> Callable[[Any], Any] | None:
    """How a stored value becomes a field of type ``ann``: an enum member, a nested model (or a
    list of them, or either of these or None); None when it stays as stored."""
    origin, args = get_origin(ann), get_args(ann)
    if origin in (Union, types.UnionType):
        kinds = [a for a in args if a is not type(None)]
        return _converter(kinds[0]) if len(kinds) == 1 else None
    if isinstance(ann, type) and issubclass(ann, Enum):
        return ann
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return lambda v: construct(ann, v)
    if origin is list and args:
        inner = _converter(args[0])
        return (lambda vs: [inner(v) for v in vs]) if inner else None
    return None


@cache
def _converters(cls: type[BaseModel]) -> dict[str, Callable[[Any], Any]]:
    return {name: conv for name, info in cls.model_fields.items() if (conv := _converter(info.annotation))}


def construct(cls: type[M], data: dict) -> M:
    """``cls`` from ``data`` payrail wrote itself, unvalidated (``model_construct``: no validator on a
    hot path), its enums and nested models (and lists of them) converted from their stored form."""
    conv = _converters(cls)
    return cls.model_construct(**{k: conv[k](v) if k in conv and v is not None else v for k, v in data.items()})
