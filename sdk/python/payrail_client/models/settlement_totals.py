from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SettlementTotals")


@_attrs_define
class SettlementTotals:
    """
    Attributes:
        fee (int):
        gross (int):
        net (int):
        txn_count (int):
    """

    fee: int
    gross: int
    net: int
    txn_count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fee = self.fee

        gross = self.gross

        net = self.net

        txn_count = self.txn_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "fee": fee,
                "gross": gross,
                "net": net,
                "txn_count": txn_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        fee = d.pop("fee")

        gross = d.pop("gross")

        net = d.pop("net")

        txn_count = d.pop("txn_count")

        settlement_totals = cls(
            fee=fee,
            gross=gross,
            net=net,
            txn_count=txn_count,
        )

        settlement_totals.additional_properties = d
        return settlement_totals

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
