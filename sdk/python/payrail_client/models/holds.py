from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.payout import Payout


T = TypeVar("T", bound="Holds")


@_attrs_define
class Holds:
    """
    Attributes:
        data (list[Payout]): payouts still holding money, oldest first
        has_more (bool):
        older_than_seconds (int):
        oldest_age_seconds (int | None): age of the oldest listed payout, seconds (None: none)
    """

    data: list[Payout]
    has_more: bool
    older_than_seconds: int
    oldest_age_seconds: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        has_more = self.has_more

        older_than_seconds = self.older_than_seconds

        oldest_age_seconds: int | None
        oldest_age_seconds = self.oldest_age_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "has_more": has_more,
                "older_than_seconds": older_than_seconds,
                "oldest_age_seconds": oldest_age_seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.payout import Payout

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = Payout.from_dict(data_item_data)

            data.append(data_item)

        has_more = d.pop("has_more")

        older_than_seconds = d.pop("older_than_seconds")

        def _parse_oldest_age_seconds(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        oldest_age_seconds = _parse_oldest_age_seconds(d.pop("oldest_age_seconds"))

        holds = cls(
            data=data,
            has_more=has_more,
            older_than_seconds=older_than_seconds,
            oldest_age_seconds=oldest_age_seconds,
        )

        holds.additional_properties = d
        return holds

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
