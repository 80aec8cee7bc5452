from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TopUpIn")


@_attrs_define
class TopUpIn:
    """
    Attributes:
        amount (int): integer in the currency's minor unit, 1..1000000000000000
        currency (str): ISO 4217 code
        merchant_id (str):
        reference (None | str | Unset): e.g. the bank transfer that funded it
    """

    amount: int
    currency: str
    merchant_id: str
    reference: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency

        merchant_id = self.merchant_id

        reference: None | str | Unset
        if isinstance(self.reference, Unset):
            reference = UNSET
        else:
            reference = self.reference

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "merchant_id": merchant_id,
            }
        )
        if reference is not UNSET:
            field_dict["reference"] = reference

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = d.pop("currency")

        merchant_id = d.pop("merchant_id")

        def _parse_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reference = _parse_reference(d.pop("reference", UNSET))

        top_up_in = cls(
            amount=amount,
            currency=currency,
            merchant_id=merchant_id,
            reference=reference,
        )

        return top_up_in
