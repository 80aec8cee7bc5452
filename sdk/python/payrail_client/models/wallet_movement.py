from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.wallet_movement_direction import WalletMovementDirection

T = TypeVar("T", bound="WalletMovement")


@_attrs_define
class WalletMovement:
    """
    Attributes:
        amount (int):
        balance_after (int | None):
        balance_before (int | None):
        created_at (str):
        currency (str):
        customer_id (str):
        direction (WalletMovementDirection):
        journal_id (str):
    """

    amount: int
    balance_after: int | None
    balance_before: int | None
    created_at: str
    currency: str
    customer_id: str
    direction: WalletMovementDirection
    journal_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        balance_after: int | None
        balance_after = self.balance_after

        balance_before: int | None
        balance_before = self.balance_before

        created_at = self.created_at

        currency = self.currency

        customer_id = self.customer_id

        direction = self.direction.value

        journal_id = self.journal_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "balance_after": balance_after,
                "balance_before": balance_before,
                "created_at": created_at,
                "currency": currency,
                "customer_id": customer_id,
                "direction": direction,
                "journal_id": journal_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        def _parse_balance_after(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        balance_after = _parse_balance_after(d.pop("balance_after"))

        def _parse_balance_before(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        balance_before = _parse_balance_before(d.pop("balance_before"))

        created_at = d.pop("created_at")

        currency = d.pop("currency")

        customer_id = d.pop("customer_id")

        direction = WalletMovementDirection(d.pop("direction"))

        journal_id = d.pop("journal_id")

        wallet_movement = cls(
            amount=amount,
            balance_after=balance_after,
            balance_before=balance_before,
            created_at=created_at,
            currency=currency,
            customer_id=customer_id,
            direction=direction,
            journal_id=journal_id,
        )

        wallet_movement.additional_properties = d
        return wallet_movement

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
