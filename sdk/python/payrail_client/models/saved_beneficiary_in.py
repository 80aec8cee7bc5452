from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bank_account_in import BankAccountIn
    from ..models.mobile_wallet_in import MobileWalletIn
    from ..models.upi_in import UpiIn


T = TypeVar("T", bound="SavedBeneficiaryIn")


@_attrs_define
class SavedBeneficiaryIn:
    """
    Attributes:
        beneficiary (BankAccountIn | MobileWalletIn | UpiIn):
        nickname (None | str | Unset):
    """

    beneficiary: BankAccountIn | MobileWalletIn | UpiIn
    nickname: None | str | Unset = UNSET

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

        nickname: None | str | Unset
        if isinstance(self.nickname, Unset):
            nickname = UNSET
        else:
            nickname = self.nickname

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "beneficiary": beneficiary,
            }
        )
        if nickname is not UNSET:
            field_dict["nickname"] = nickname

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

        def _parse_nickname(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        nickname = _parse_nickname(d.pop("nickname", UNSET))

        saved_beneficiary_in = cls(
            beneficiary=beneficiary,
            nickname=nickname,
        )

        return saved_beneficiary_in
