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

T = TypeVar("T", bound="MobileWalletIn")


@_attrs_define
class MobileWalletIn:
    """
    Attributes:
        msisdn (str): the holder's mobile number: E.164 (+923001234567) or national (03001234567)
        name (str): the account holder's name
        type_ (Literal['mobile_wallet']):
        wallet_code (str): a directory wallet code, e.g. JAZZCASH
    """

    msisdn: str
    name: str
    type_: Literal["mobile_wallet"]
    wallet_code: str

    def to_dict(self) -> dict[str, Any]:
        msisdn = self.msisdn

        name = self.name

        type_ = self.type_

        wallet_code = self.wallet_code

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "msisdn": msisdn,
                "name": name,
                "type": type_,
                "wallet_code": wallet_code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        msisdn = d.pop("msisdn")

        name = d.pop("name")

        type_ = cast(Literal["mobile_wallet"], d.pop("type"))
        if type_ != "mobile_wallet":
            raise ValueError(f"type must match const 'mobile_wallet', got '{type_}'")

        wallet_code = d.pop("wallet_code")

        mobile_wallet_in = cls(
            msisdn=msisdn,
            name=name,
            type_=type_,
            wallet_code=wallet_code,
        )

        return mobile_wallet_in
