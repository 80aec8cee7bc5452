from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.beneficiary_verification_status import BeneficiaryVerificationStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="BeneficiaryVerification")


@_attrs_define
class BeneficiaryVerification:
    """
    Attributes:
        checked_at (str):
        status (BeneficiaryVerificationStatus):
        account_title (None | str | Unset):
        provider (None | str | Unset):
        reason (None | str | Unset):
    """

    checked_at: str
    status: BeneficiaryVerificationStatus
    account_title: None | str | Unset = UNSET
    provider: None | str | Unset = UNSET
    reason: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checked_at = self.checked_at

        status = self.status.value

        account_title: None | str | Unset
        if isinstance(self.account_title, Unset):
            account_title = UNSET
        else:
            account_title = self.account_title

        provider: None | str | Unset
        if isinstance(self.provider, Unset):
            provider = UNSET
        else:
            provider = self.provider

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checked_at": checked_at,
                "status": status,
            }
        )
        if account_title is not UNSET:
            field_dict["account_title"] = account_title
        if provider is not UNSET:
            field_dict["provider"] = provider
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        checked_at = d.pop("checked_at")

        status = BeneficiaryVerificationStatus(d.pop("status"))

        def _parse_account_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        account_title = _parse_account_title(d.pop("account_title", UNSET))

        def _parse_provider(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider = _parse_provider(d.pop("provider", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        beneficiary_verification = cls(
            checked_at=checked_at,
            status=status,
            account_title=account_title,
            provider=provider,
            reason=reason,
        )

        beneficiary_verification.additional_properties = d
        return beneficiary_verification

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
