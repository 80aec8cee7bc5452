from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.merchant_status import MerchantStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.api_key_info import ApiKeyInfo
    from ..models.status_change import StatusChange


T = TypeVar("T", bound="Merchant")


@_attrs_define
class Merchant:
    """A merchant: its fee, rate limit, payout settings, API keys (prefixes and expiry) and status.

    Attributes:
        api_keys (list[ApiKeyInfo]):
        created_at (str):
        fee_bps (int):
        merchant_id (str):
        name (str):
        status (MerchantStatus):
        payout_currencies (list[str] | None | Unset):
        payout_review_threshold (int | None | Unset):
        rate_limit_per_minute (int | None | Unset):
        status_history (list[StatusChange] | Unset):
        updated_at (None | str | Unset):
    """

    api_keys: list[ApiKeyInfo]
    created_at: str
    fee_bps: int
    merchant_id: str
    name: str
    status: MerchantStatus
    payout_currencies: list[str] | None | Unset = UNSET
    payout_review_threshold: int | None | Unset = UNSET
    rate_limit_per_minute: int | None | Unset = UNSET
    status_history: list[StatusChange] | Unset = UNSET
    updated_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        api_keys = []
        for api_keys_item_data in self.api_keys:
            api_keys_item = api_keys_item_data.to_dict()
            api_keys.append(api_keys_item)

        created_at = self.created_at

        fee_bps = self.fee_bps

        merchant_id = self.merchant_id

        name = self.name

        status = self.status.value

        payout_currencies: list[str] | None | Unset
        if isinstance(self.payout_currencies, Unset):
            payout_currencies = UNSET
        elif isinstance(self.payout_currencies, list):
            payout_currencies = self.payout_currencies

        else:
            payout_currencies = self.payout_currencies

        payout_review_threshold: int | None | Unset
        if isinstance(self.payout_review_threshold, Unset):
            payout_review_threshold = UNSET
        else:
            payout_review_threshold = self.payout_review_threshold

        rate_limit_per_minute: int | None | Unset
        if isinstance(self.rate_limit_per_minute, Unset):
            rate_limit_per_minute = UNSET
        else:
            rate_limit_per_minute = self.rate_limit_per_minute

        status_history: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.status_history, Unset):
            status_history = []
            for status_history_item_data in self.status_history:
                status_history_item = status_history_item_data.to_dict()
                status_history.append(status_history_item)

        updated_at: None | str | Unset
        if isinstance(self.updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "api_keys": api_keys,
                "created_at": created_at,
                "fee_bps": fee_bps,
                "merchant_id": merchant_id,
                "name": name,
                "status": status,
            }
        )
        if payout_currencies is not UNSET:
            field_dict["payout_currencies"] = payout_currencies
        if payout_review_threshold is not UNSET:
            field_dict["payout_review_threshold"] = payout_review_threshold
        if rate_limit_per_minute is not UNSET:
            field_dict["rate_limit_per_minute"] = rate_limit_per_minute
        if status_history is not UNSET:
            field_dict["status_history"] = status_history
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.api_key_info import ApiKeyInfo
        from ..models.status_change import StatusChange

        d = dict(src_dict)
        api_keys = []
        _api_keys = d.pop("api_keys")
        for api_keys_item_data in _api_keys:
            api_keys_item = ApiKeyInfo.from_dict(api_keys_item_data)

            api_keys.append(api_keys_item)

        created_at = d.pop("created_at")

        fee_bps = d.pop("fee_bps")

        merchant_id = d.pop("merchant_id")

        name = d.pop("name")

        status = MerchantStatus(d.pop("status"))

        def _parse_payout_currencies(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                payout_currencies_type_0 = cast(list[str], data)

                return payout_currencies_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        payout_currencies = _parse_payout_currencies(d.pop("payout_currencies", UNSET))

        def _parse_payout_review_threshold(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        payout_review_threshold = _parse_payout_review_threshold(
            d.pop("payout_review_threshold", UNSET)
        )

        def _parse_rate_limit_per_minute(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rate_limit_per_minute = _parse_rate_limit_per_minute(
            d.pop("rate_limit_per_minute", UNSET)
        )

        _status_history = d.pop("status_history", UNSET)
        status_history: list[StatusChange] | Unset = UNSET
        if _status_history is not UNSET:
            status_history = []
            for status_history_item_data in _status_history:
                status_history_item = StatusChange.from_dict(status_history_item_data)

                status_history.append(status_history_item)

        def _parse_updated_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        updated_at = _parse_updated_at(d.pop("updated_at", UNSET))

        merchant = cls(
            api_keys=api_keys,
            created_at=created_at,
            fee_bps=fee_bps,
            merchant_id=merchant_id,
            name=name,
            status=status,
            payout_currencies=payout_currencies,
            payout_review_threshold=payout_review_threshold,
            rate_limit_per_minute=rate_limit_per_minute,
            status_history=status_history,
            updated_at=updated_at,
        )

        merchant.additional_properties = d
        return merchant

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
