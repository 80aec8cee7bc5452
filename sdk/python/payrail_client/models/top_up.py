from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TopUp")


@_attrs_define
class TopUp:
    """
    Attributes:
        amount (int):
        available_after (int | None): the available balance right after (null on a replay)
        created_at (str):
        currency (str):
        journal_id (str):
        merchant_id (str):
    """

    amount: int
    available_after: int | None
    created_at: str
    currency: str
    journal_id: str
    merchant_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        available_after: int | None
        available_after = self.available_after

        created_at = self.created_at

        currency = self.currency

        journal_id = self.journal_id

        merchant_id = self.merchant_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "available_after": available_after,
                "created_at": created_at,
                "currency": currency,
                "journal_id": journal_id,
                "merchant_id": merchant_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        def _parse_available_after(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        available_after = _parse_available_after(d.pop("available_after"))

        created_at = d.pop("created_at")

        currency = d.pop("currency")

        journal_id = d.pop("journal_id")

        merchant_id = d.pop("merchant_id")

        top_up = cls(
            amount=amount,
            available_after=available_after,
            created_at=created_at,
            currency=currency,
            journal_id=journal_id,
            merchant_id=merchant_id,
        )

        top_up.additional_properties = d
        return top_up

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
