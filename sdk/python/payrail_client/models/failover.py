from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Failover")


@_attrs_define
class Failover:
    """
    Attributes:
        at (str):
        from_provider (str):
        to_provider (str):
        why (str):
    """

    at: str
    from_provider: str
    to_provider: str
    why: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at

        from_provider = self.from_provider

        to_provider = self.to_provider

        why = self.why

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "from_provider": from_provider,
                "to_provider": to_provider,
                "why": why,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        at = d.pop("at")

        from_provider = d.pop("from_provider")

        to_provider = d.pop("to_provider")

        why = d.pop("why")

        failover = cls(
            at=at,
            from_provider=from_provider,
            to_provider=to_provider,
            why=why,
        )

        failover.additional_properties = d
        return failover

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
