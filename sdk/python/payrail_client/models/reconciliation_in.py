from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ReconciliationIn")


@_attrs_define
class ReconciliationIn:
    """
    Attributes:
        from_ (str): first UTC date, YYYY-MM-DD
        provider (str): the connector whose books are compared
        to (str): last UTC date, inclusive (at most 31 days)
    """

    from_: str
    provider: str
    to: str

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_

        provider = self.provider

        to = self.to

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "from": from_,
                "provider": provider,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        from_ = d.pop("from")

        provider = d.pop("provider")

        to = d.pop("to")

        reconciliation_in = cls(
            from_=from_,
            provider=provider,
            to=to,
        )

        return reconciliation_in
