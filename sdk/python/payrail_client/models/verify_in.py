from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.bank_account_in import BankAccountIn
    from ..models.mobile_wallet_in import MobileWalletIn
    from ..models.upi_in import UpiIn


T = TypeVar("T", bound="VerifyIn")


@_attrs_define
class VerifyIn:
    """
    Attributes:
        beneficiary (BankAccountIn | MobileWalletIn | UpiIn):
    """

    beneficiary: BankAccountIn | MobileWalletIn | UpiIn

    def to_dict(self) -> dict[str, Any]:
        from ..models.bank_account_in import BankAccountIn
        from ..models.mobile_wallet_in import MobileWalletIn

        beneficiary: dict[str, Any]
        if isinstance(self.beneficiary, BankAccountIn) or isinstance(
            self.beneficiary, MobileWalletIn
        ):
            beneficiary = self.beneficiary.to_dict()
        else:
            beneficiary = self.beneficiary.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "beneficiary": beneficiary,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bank_account_in import BankAccountIn
        from ..models.mobile_wallet_in import MobileWalletIn
        from ..models.upi_in import UpiIn

        d = dict(src_dict)

        def _parse_beneficiary(data: object) -> BankAccountIn | MobileWalletIn | UpiIn:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                beneficiary_type_0 = BankAccountIn.from_dict(data)

                return beneficiary_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                beneficiary_type_1 = MobileWalletIn.from_dict(data)

                return beneficiary_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            beneficiary_type_2 = UpiIn.from_dict(data)

            return beneficiary_type_2

        beneficiary = _parse_beneficiary(d.pop("beneficiary"))

        verify_in = cls(
            beneficiary=beneficiary,
        )

        return verify_in
