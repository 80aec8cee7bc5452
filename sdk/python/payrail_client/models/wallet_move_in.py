from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="WalletMoveIn")


@_attrs_define
class WalletMoveIn:
    """
    Attributes:
        amount (int): integer in the currency's minor unit, 1..1000000000000000
        currency (str): ISO 4217 code
        customer_id (str):
        merchant_id (str):
    """

    amount: int
    currency: str
    customer_id: str
    merchant_id: str

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency

        customer_id = self.customer_id

        merchant_id = self.merchant_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "customer_id": customer_id,
                "merchant_id": merchant_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = d.pop("currency")

        customer_id = d.pop("customer_id")

        merchant_id = d.pop("merchant_id")

        wallet_move_in = cls(
            amount=amount,
            currency=currency,
            customer_id=customer_id,
            merchant_id=merchant_id,
        )

        return wallet_move_in
