"""The base of every domain entity (merchant, payout, reservation, beneficiary, payment, product,
order …): a frozen pydantic model whose validator and schema are built on first use, not at import
(cold starts), with read access by name kept for code that reads an entity as the mapping it is
stored as (``payout["status"]``, ``payout.get("hold_reason")``, ``"fee" in order``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

E = TypeVar("E", bound="Entity")


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
