from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bank_account_in import BankAccountIn
    from ..models.mobile_wallet_in import MobileWalletIn
    from ..models.upi_in import UpiIn


T = TypeVar("T", bound="PayoutIn")


@_attrs_define
class PayoutIn:
    """
    Attributes:
        amount (int): integer in the currency's minor unit, 1..1000000000000000
        currency (str): ISO 4217 code
        beneficiary (BankAccountIn | MobileWalletIn | None | Unset | UpiIn): exactly one of beneficiary and
            beneficiary_id
        beneficiary_id (None | str | Unset): a saved beneficiary
        description (None | str | Unset): sent to the provider as remarks
        merchant_reference (None | str | Unset): your id for it, unique among your payouts
    """

    amount: int
    currency: str
    beneficiary: BankAccountIn | MobileWalletIn | None | Unset | UpiIn = UNSET
    beneficiary_id: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    merchant_reference: None | str | Unset = UNSET

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

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        merchant_reference: None | str | Unset
        if isinstance(self.merchant_reference, Unset):
            merchant_reference = UNSET
        else:
            merchant_reference = self.merchant_reference

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
        if description is not UNSET:
            field_dict["description"] = description
        if merchant_reference is not UNSET:
            field_dict["merchant_reference"] = merchant_reference

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

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_merchant_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        merchant_reference = _parse_merchant_reference(
            d.pop("merchant_reference", UNSET)
        )

        payout_in = cls(
            amount=amount,
            currency=currency,
            beneficiary=beneficiary,
            beneficiary_id=beneficiary_id,
            description=description,
            merchant_reference=merchant_reference,
        )

        return payout_in
