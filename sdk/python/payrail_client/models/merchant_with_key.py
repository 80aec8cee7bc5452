from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.merchant import Merchant


T = TypeVar("T", bound="MerchantWithKey")


@_attrs_define
class MerchantWithKey:
    """
    Attributes:
        api_key (str): shown only in this answer; stored as a SHA-256 hash
        merchant (Merchant): A merchant: its fee, rate limit, payout settings, API keys (prefixes and expiry) and
            status.
    """

    api_key: str
    merchant: Merchant
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        api_key = self.api_key

        merchant = self.merchant.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "api_key": api_key,
                "merchant": merchant,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.merchant import Merchant

        d = dict(src_dict)
        api_key = d.pop("api_key")

        merchant = Merchant.from_dict(d.pop("merchant"))

        merchant_with_key = cls(
            api_key=api_key,
            merchant=merchant,
        )

        merchant_with_key.additional_properties = d
        return merchant_with_key

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
