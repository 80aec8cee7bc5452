from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PayoutSettingsIn")


@_attrs_define
class PayoutSettingsIn:
    """
    Attributes:
        payout_currencies (list[str] | None | Unset):
        payout_review_threshold (int | None | Unset):
    """

    payout_currencies: list[str] | None | Unset = UNSET
    payout_review_threshold: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
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

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if payout_currencies is not UNSET:
            field_dict["payout_currencies"] = payout_currencies
        if payout_review_threshold is not UNSET:
            field_dict["payout_review_threshold"] = payout_review_threshold

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

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

        payout_settings_in = cls(
            payout_currencies=payout_currencies,
            payout_review_threshold=payout_review_threshold,
        )

        return payout_settings_in
