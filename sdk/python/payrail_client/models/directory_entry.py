from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.directory_entry_kind import DirectoryEntryKind
from ..models.directory_entry_rail import DirectoryEntryRail
from ..types import UNSET, Unset

T = TypeVar("T", bound="DirectoryEntry")


@_attrs_define
class DirectoryEntry:
    """
    Attributes:
        code (str):
        country (str):
        currency (str):
        kind (DirectoryEntryKind):
        name (str):
        provider (str):
        rail (DirectoryEntryRail):
        iban_code (None | str | Unset):
    """

    code: str
    country: str
    currency: str
    kind: DirectoryEntryKind
    name: str
    provider: str
    rail: DirectoryEntryRail
    iban_code: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        country = self.country

        currency = self.currency

        kind = self.kind.value

        name = self.name

        provider = self.provider

        rail = self.rail.value

        iban_code: None | str | Unset
        if isinstance(self.iban_code, Unset):
            iban_code = UNSET
        else:
            iban_code = self.iban_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "country": country,
                "currency": currency,
                "kind": kind,
                "name": name,
                "provider": provider,
                "rail": rail,
            }
        )
        if iban_code is not UNSET:
            field_dict["iban_code"] = iban_code

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        code = d.pop("code")

        country = d.pop("country")

        currency = d.pop("currency")

        kind = DirectoryEntryKind(d.pop("kind"))

        name = d.pop("name")

        provider = d.pop("provider")

        rail = DirectoryEntryRail(d.pop("rail"))

        def _parse_iban_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        iban_code = _parse_iban_code(d.pop("iban_code", UNSET))

        directory_entry = cls(
            code=code,
            country=country,
            currency=currency,
            kind=kind,
            name=name,
            provider=provider,
            rail=rail,
            iban_code=iban_code,
        )

        directory_entry.additional_properties = d
        return directory_entry

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
