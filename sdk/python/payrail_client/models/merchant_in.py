from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MerchantIn")


@_attrs_define
class MerchantIn:
    """
    Attributes:
        name (str):
        fee_bps (int | None | Unset): platform fee in basis points
        payout_currencies (list[str] | None | Unset): currencies it may pay out (default: the platform's)
        payout_review_threshold (int | None | Unset):
        rate_limit_per_minute (int | None | Unset): requests per minute (default: the platform's)
    """

    name: str
    fee_bps: int | None | Unset = UNSET
    payout_currencies: list[str] | None | Unset = UNSET
    payout_review_threshold: int | None | Unset = UNSET
    rate_limit_per_minute: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        fee_bps: int | None | Unset
        if isinstance(self.fee_bps, Unset):
            fee_bps = UNSET
        else:
            fee_bps = self.fee_bps

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

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if fee_bps is not UNSET:
            field_dict["fee_bps"] = fee_bps
        if payout_currencies is not UNSET:
            field_dict["payout_currencies"] = payout_currencies
        if payout_review_threshold is not UNSET:
            field_dict["payout_review_threshold"] = payout_review_threshold
        if rate_limit_per_minute is not UNSET:
            field_dict["rate_limit_per_minute"] = rate_limit_per_minute

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_fee_bps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        fee_bps = _parse_fee_bps(d.pop("fee_bps", UNSET))

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

        merchant_in = cls(
            name=name,
            fee_bps=fee_bps,
            payout_currencies=payout_currencies,
            payout_review_threshold=payout_review_threshold,
            rate_limit_per_minute=rate_limit_per_minute,
        )

        return merchant_in
