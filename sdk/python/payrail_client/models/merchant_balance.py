from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.merchant_balance_floats_type_0 import MerchantBalanceFloatsType0


T = TypeVar("T", bound="MerchantBalance")


@_attrs_define
class MerchantBalance:
    """
    Attributes:
        available (int):
        currency (str):
        held (int): held for payouts in flight
        pending (int): paid orders awaiting fulfilment
        reserved (int): reserved for orders' seller payouts (reservations)
        floats (MerchantBalanceFloatsType0 | None | Unset): GHS: the merchant's mobile-money float at each provider,
            funded by the admin
    """

    available: int
    currency: str
    held: int
    pending: int
    reserved: int
    floats: MerchantBalanceFloatsType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.merchant_balance_floats_type_0 import MerchantBalanceFloatsType0

        available = self.available

        currency = self.currency

        held = self.held

        pending = self.pending

        reserved = self.reserved

        floats: dict[str, Any] | None | Unset
        if isinstance(self.floats, Unset):
            floats = UNSET
        elif isinstance(self.floats, MerchantBalanceFloatsType0):
            floats = self.floats.to_dict()
        else:
            floats = self.floats

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "available": available,
                "currency": currency,
                "held": held,
                "pending": pending,
                "reserved": reserved,
            }
        )
        if floats is not UNSET:
            field_dict["floats"] = floats

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.merchant_balance_floats_type_0 import MerchantBalanceFloatsType0

        d = dict(src_dict)
        available = d.pop("available")

        currency = d.pop("currency")

        held = d.pop("held")

        pending = d.pop("pending")

        reserved = d.pop("reserved")

        def _parse_floats(data: object) -> MerchantBalanceFloatsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                floats_type_0 = MerchantBalanceFloatsType0.from_dict(data)

                return floats_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MerchantBalanceFloatsType0 | None | Unset, data)

        floats = _parse_floats(d.pop("floats", UNSET))

        merchant_balance = cls(
            available=available,
            currency=currency,
            held=held,
            pending=pending,
            reserved=reserved,
            floats=floats,
        )

        merchant_balance.additional_properties = d
        return merchant_balance

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
