from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="BankAccountIn")


@_attrs_define
class BankAccountIn:
    """
    Attributes:
        name (str): the account holder's name
        type_ (Literal['bank_account']):
        account_number (None | str | Unset): 10-16 digits in Pakistan, 9-18 in India; stand-in suffixes: 0001 ok, 0002
            transient, 0003 fails, 0004 pending, 0005 on hold
        bank_code (None | str | Unset): a directory bank code (Pakistan) or an IFSC (India)
        iban (None | str | Unset): instead of bank_code + account_number: a Pakistani IBAN
    """

    name: str
    type_: Literal["bank_account"]
    account_number: None | str | Unset = UNSET
    bank_code: None | str | Unset = UNSET
    iban: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_ = self.type_

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

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
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

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        type_ = cast(Literal["bank_account"], d.pop("type"))
        if type_ != "bank_account":
            raise ValueError(f"type must match const 'bank_account', got '{type_}'")

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

        bank_account_in = cls(
            name=name,
            type_=type_,
            account_number=account_number,
            bank_code=bank_code,
            iban=iban,
        )

        return bank_account_in
