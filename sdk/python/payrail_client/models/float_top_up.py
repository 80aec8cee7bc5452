from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.float_balance import FloatBalance


T = TypeVar("T", bound="FloatTopUp")


@_attrs_define
class FloatTopUp:
    """
    Attributes:
        amount (int):
        currency (str):
        float_ (FloatBalance):
        journal_id (str):
        merchant_id (str):
        provider (str):
    """

    amount: int
    currency: str
    float_: FloatBalance
    journal_id: str
    merchant_id: str
    provider: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency

        float_ = self.float_.to_dict()

        journal_id = self.journal_id

        merchant_id = self.merchant_id

        provider = self.provider

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "float": float_,
                "journal_id": journal_id,
                "merchant_id": merchant_id,
                "provider": provider,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.float_balance import FloatBalance

        d = dict(src_dict)
        amount = d.pop("amount")

        currency = d.pop("currency")

        float_ = FloatBalance.from_dict(d.pop("float"))

        journal_id = d.pop("journal_id")

        merchant_id = d.pop("merchant_id")

        provider = d.pop("provider")

        float_top_up = cls(
            amount=amount,
            currency=currency,
            float_=float_,
            journal_id=journal_id,
            merchant_id=merchant_id,
            provider=provider,
        )

        float_top_up.additional_properties = d
        return float_top_up

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
