from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReconciliationFloat")


@_attrs_define
class ReconciliationFloat:
    """
    Attributes:
        at (str):
        currency (str):
        drift (int): provider_balance - ledger; a float_drift exception when not 0
        ledger (int): the ledger's momo_float + momo_held at that provider over every merchant
        provider_balance (int): the provider's balance API, minor units
    """

    at: str
    currency: str
    drift: int
    ledger: int
    provider_balance: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at

        currency = self.currency

        drift = self.drift

        ledger = self.ledger

        provider_balance = self.provider_balance

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "currency": currency,
                "drift": drift,
                "ledger": ledger,
                "provider_balance": provider_balance,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        at = d.pop("at")

        currency = d.pop("currency")

        drift = d.pop("drift")

        ledger = d.pop("ledger")

        provider_balance = d.pop("provider_balance")

        reconciliation_float = cls(
            at=at,
            currency=currency,
            drift=drift,
            ledger=ledger,
            provider_balance=provider_balance,
        )

        reconciliation_float.additional_properties = d
        return reconciliation_float

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
