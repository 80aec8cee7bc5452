from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Posting")


@_attrs_define
class Posting:
    """
    Attributes:
        account_id (str):
        amount (int): minor units; negative takes from the account
        balance_after (int):
        balance_before (int):
        created_at (str):
        currency (str):
        journal_id (str):
        seq (int):
        type_ (str):
    """

    account_id: str
    amount: int
    balance_after: int
    balance_before: int
    created_at: str
    currency: str
    journal_id: str
    seq: int
    type_: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_id = self.account_id

        amount = self.amount

        balance_after = self.balance_after

        balance_before = self.balance_before

        created_at = self.created_at

        currency = self.currency

        journal_id = self.journal_id

        seq = self.seq

        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_id": account_id,
                "amount": amount,
                "balance_after": balance_after,
                "balance_before": balance_before,
                "created_at": created_at,
                "currency": currency,
                "journal_id": journal_id,
                "seq": seq,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account_id = d.pop("account_id")

        amount = d.pop("amount")

        balance_after = d.pop("balance_after")

        balance_before = d.pop("balance_before")

        created_at = d.pop("created_at")

        currency = d.pop("currency")

        journal_id = d.pop("journal_id")

        seq = d.pop("seq")

        type_ = d.pop("type")

        posting = cls(
            account_id=account_id,
            amount=amount,
            balance_after=balance_after,
            balance_before=balance_before,
            created_at=created_at,
            currency=currency,
            journal_id=journal_id,
            seq=seq,
            type_=type_,
        )

        posting.additional_properties = d
        return posting

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
