from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bank_account_in import BankAccountIn
    from ..models.mobile_wallet_in import MobileWalletIn
    from ..models.upi_in import UpiIn


T = TypeVar("T", bound="ReservationIn")


@_attrs_define
class ReservationIn:
    """
    Attributes:
        amount (int): integer in the currency's minor unit, 1..1000000000000000
        currency (str): ISO 4217 code
        beneficiary (BankAccountIn | MobileWalletIn | None | Unset | UpiIn): exactly one of beneficiary and
            beneficiary_id
        beneficiary_id (None | str | Unset):
        expires_in_seconds (int | None | Unset): default: the platform's (900)
        order_reference (None | str | Unset): your order id
    """

    amount: int
    currency: str
    beneficiary: BankAccountIn | MobileWalletIn | None | Unset | UpiIn = UNSET
    beneficiary_id: None | str | Unset = UNSET
    expires_in_seconds: int | None | Unset = UNSET
    order_reference: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.bank_account_in import BankAccountIn
        from ..models.mobile_wallet_in import MobileWalletIn
        from ..models.upi_in import UpiIn

        amount = self.amount

        currency = self.currency

        beneficiary: dict[str, Any] | None | Unset
        if isinstance(self.beneficiary, Unset):
            beneficiary = UNSET
        elif (
            isinstance(self.beneficiary, BankAccountIn)
            or isinstance(self.beneficiary, MobileWalletIn)
            or isinstance(self.beneficiary, UpiIn)
        ):
            beneficiary = self.beneficiary.to_dict()
        else:
            beneficiary = self.beneficiary

        beneficiary_id: None | str | Unset
        if isinstance(self.beneficiary_id, Unset):
            beneficiary_id = UNSET
        else:
            beneficiary_id = self.beneficiary_id

        expires_in_seconds: int | None | Unset
        if isinstance(self.expires_in_seconds, Unset):
            expires_in_seconds = UNSET
        else:
            expires_in_seconds = self.expires_in_seconds

        order_reference: None | str | Unset
        if isinstance(self.order_reference, Unset):
            order_reference = UNSET
        else:
            order_reference = self.order_reference

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
            }
        )
        if beneficiary is not UNSET:
            field_dict["beneficiary"] = beneficiary
        if beneficiary_id is not UNSET:
            field_dict["beneficiary_id"] = beneficiary_id
        if expires_in_seconds is not UNSET:
            field_dict["expires_in_seconds"] = expires_in_seconds
        if order_reference is not UNSET:
            field_dict["order_reference"] = order_reference

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bank_account_in import BankAccountIn
        from ..models.mobile_wallet_in import MobileWalletIn
        from ..models.upi_in import UpiIn

        d = dict(src_dict)
        amount = d.pop("amount")

        currency = d.pop("currency")

        def _parse_beneficiary(
            data: object,
        ) -> BankAccountIn | MobileWalletIn | None | Unset | UpiIn:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                beneficiary_type_0_type_0 = BankAccountIn.from_dict(data)

                return beneficiary_type_0_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                beneficiary_type_0_type_1 = MobileWalletIn.from_dict(data)

                return beneficiary_type_0_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                beneficiary_type_0_type_2 = UpiIn.from_dict(data)

                return beneficiary_type_0_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BankAccountIn | MobileWalletIn | None | Unset | UpiIn, data)

        beneficiary = _parse_beneficiary(d.pop("beneficiary", UNSET))

        def _parse_beneficiary_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        beneficiary_id = _parse_beneficiary_id(d.pop("beneficiary_id", UNSET))

        def _parse_expires_in_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expires_in_seconds = _parse_expires_in_seconds(
            d.pop("expires_in_seconds", UNSET)
        )

        def _parse_order_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        order_reference = _parse_order_reference(d.pop("order_reference", UNSET))

        reservation_in = cls(
            amount=amount,
            currency=currency,
            beneficiary=beneficiary,
            beneficiary_id=beneficiary_id,
            expires_in_seconds=expires_in_seconds,
            order_reference=order_reference,
        )

        return reservation_in
