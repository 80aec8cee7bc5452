from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.beneficiary_type import BeneficiaryType
from ..types import UNSET, Unset

T = TypeVar("T", bound="Beneficiary")


@_attrs_define
class Beneficiary:
    """
    Attributes:
        country (str):
        institution_name (str):
        name (str):
        type_ (BeneficiaryType):
        account_number (None | str | Unset):
        bank_code (None | str | Unset):
        iban (None | str | Unset):
        msisdn (None | str | Unset):
        vpa (None | str | Unset):
        wallet_code (None | str | Unset):
    """

    country: str
    institution_name: str
    name: str
    type_: BeneficiaryType
    account_number: None | str | Unset = UNSET
    bank_code: None | str | Unset = UNSET
    iban: None | str | Unset = UNSET
    msisdn: None | str | Unset = UNSET
    vpa: None | str | Unset = UNSET
    wallet_code: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        country = self.country

        institution_name = self.institution_name

        name = self.name

        type_ = self.type_.value

        account_number: None | str | Unset
        if isinstance(self.account_number, Unset):
            account_number = UNSET
        else:
            account_number = self.account_number

        bank_code: None | str | Unset
        if isinstance(self.bank_code, Unset):
            bank_code = UNSET
        else:
            bank_code = self.bank_code

        iban: None | str | Unset
        if isinstance(self.iban, Unset):
            iban = UNSET
        else:
            iban = self.iban

        msisdn: None | str | Unset
        if isinstance(self.msisdn, Unset):
            msisdn = UNSET
        else:
            msisdn = self.msisdn

        vpa: None | str | Unset
        if isinstance(self.vpa, Unset):
            vpa = UNSET
        else:
            vpa = self.vpa

        wallet_code: None | str | Unset
        if isinstance(self.wallet_code, Unset):
            wallet_code = UNSET
        else:
            wallet_code = self.wallet_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "country": country,
                "institution_name": institution_name,
                "name": name,
                "type": type_,
            }
        )
        if account_number is not UNSET:
            field_dict["account_number"] = account_number
        if bank_code is not UNSET:
            field_dict["bank_code"] = bank_code
        if iban is not UNSET:
            field_dict["iban"] = iban
        if msisdn is not UNSET:
            field_dict["msisdn"] = msisdn
        if vpa is not UNSET:
            field_dict["vpa"] = vpa
        if wallet_code is not UNSET:
            field_dict["wallet_code"] = wallet_code

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        country = d.pop("country")

        institution_name = d.pop("institution_name")

        name = d.pop("name")

        type_ = BeneficiaryType(d.pop("type"))

        def _parse_account_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        account_number = _parse_account_number(d.pop("account_number", UNSET))

        def _parse_bank_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bank_code = _parse_bank_code(d.pop("bank_code", UNSET))

        def _parse_iban(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        iban = _parse_iban(d.pop("iban", UNSET))

        def _parse_msisdn(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        msisdn = _parse_msisdn(d.pop("msisdn", UNSET))

        def _parse_vpa(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        vpa = _parse_vpa(d.pop("vpa", UNSET))

        def _parse_wallet_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        wallet_code = _parse_wallet_code(d.pop("wallet_code", UNSET))

        beneficiary = cls(
            country=country,
            institution_name=institution_name,
            name=name,
            type_=type_,
            account_number=account_number,
            bank_code=bank_code,
            iban=iban,
            msisdn=msisdn,
            vpa=vpa,
            wallet_code=wallet_code,
        )

        beneficiary.additional_properties = d
        return beneficiary

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
