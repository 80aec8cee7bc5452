from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PaymentAttempt")


@_attrs_define
class PaymentAttempt:
    """
    Attributes:
        at (str):
        number (int):
        provider (str):
        result (str):
        transfer_id (str):
        detail (None | str | Unset):
        provider_reference (None | str | Unset):
    """

    at: str
    number: int
    provider: str
    result: str
    transfer_id: str
    detail: None | str | Unset = UNSET
    provider_reference: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at

        number = self.number

        provider = self.provider

        result = self.result

        transfer_id = self.transfer_id

        detail: None | str | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        else:
            detail = self.detail

        provider_reference: None | str | Unset
        if isinstance(self.provider_reference, Unset):
            provider_reference = UNSET
        else:
            provider_reference = self.provider_reference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "number": number,
                "provider": provider,
                "result": result,
                "transfer_id": transfer_id,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail
        if provider_reference is not UNSET:
            field_dict["provider_reference"] = provider_reference

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        at = d.pop("at")

        number = d.pop("number")

        provider = d.pop("provider")

        result = d.pop("result")

        transfer_id = d.pop("transfer_id")

        def _parse_detail(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        def _parse_provider_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider_reference = _parse_provider_reference(
            d.pop("provider_reference", UNSET)
        )

        payment_attempt = cls(
            at=at,
            number=number,
            provider=provider,
            result=result,
            transfer_id=transfer_id,
            detail=detail,
            provider_reference=provider_reference,
        )

        payment_attempt.additional_properties = d
        return payment_attempt

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
