from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_detail_provider_type_0 import ErrorDetailProviderType0


T = TypeVar("T", bound="ErrorDetail")


@_attrs_define
class ErrorDetail:
    """
    Attributes:
        code (str): stable machine-readable code
        message (str):
        param (None | str): the offending request field, when one is to blame
        type_ (str): error family: invalid_request_error, authentication_error, idempotency_error, rate_limit_error,
            api_error
        provider (ErrorDetailProviderType0 | None | Unset): 502/504 from a payout provider: its name, reference_id,
            status and reason
    """

    code: str
    message: str
    param: None | str
    type_: str
    provider: ErrorDetailProviderType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error_detail_provider_type_0 import ErrorDetailProviderType0

        code = self.code

        message = self.message

        param: None | str
        param = self.param

        type_ = self.type_

        provider: dict[str, Any] | None | Unset
        if isinstance(self.provider, Unset):
            provider = UNSET
        elif isinstance(self.provider, ErrorDetailProviderType0):
            provider = self.provider.to_dict()
        else:
            provider = self.provider

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
                "param": param,
                "type": type_,
            }
        )
        if provider is not UNSET:
            field_dict["provider"] = provider

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.error_detail_provider_type_0 import ErrorDetailProviderType0

        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        def _parse_param(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        param = _parse_param(d.pop("param"))

        type_ = d.pop("type")

        def _parse_provider(data: object) -> ErrorDetailProviderType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                provider_type_0 = ErrorDetailProviderType0.from_dict(data)

                return provider_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ErrorDetailProviderType0 | None | Unset, data)

        provider = _parse_provider(d.pop("provider", UNSET))

        error_detail = cls(
            code=code,
            message=message,
            param=param,
            type_=type_,
            provider=provider,
        )

        error_detail.additional_properties = d
        return error_detail

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
