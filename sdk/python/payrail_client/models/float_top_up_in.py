from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define

from ..models.float_top_up_in_provider import FloatTopUpInProvider

T = TypeVar("T", bound="FloatTopUpIn")


@_attrs_define
class FloatTopUpIn:
    """
    Attributes:
        amount (int): integer in the currency's minor unit, 1..1000000000000000
        currency (Literal['GHS']):
        merchant_id (str):
        provider (FloatTopUpInProvider):
    """

    amount: int
    currency: Literal["GHS"]
    merchant_id: str
    provider: FloatTopUpInProvider

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency

        merchant_id = self.merchant_id

        provider = self.provider.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "merchant_id": merchant_id,
                "provider": provider,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = cast(Literal["GHS"], d.pop("currency"))
        if currency != "GHS":
            raise ValueError(f"currency must match const 'GHS', got '{currency}'")

        merchant_id = d.pop("merchant_id")

        provider = FloatTopUpInProvider(d.pop("provider"))

        float_top_up_in = cls(
            amount=amount,
            currency=currency,
            merchant_id=merchant_id,
            provider=provider,
        )

        return float_top_up_in
