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

T = TypeVar("T", bound="UpiIn")


@_attrs_define
class UpiIn:
    """
    Attributes:
        name (str): the account holder's name
        type_ (Literal['upi']):
        vpa (str): UPI address; sandbox: success@upi, invalid@upi
    """

    name: str
    type_: Literal["upi"]
    vpa: str

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_ = self.type_

        vpa = self.vpa

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "type": type_,
                "vpa": vpa,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        type_ = cast(Literal["upi"], d.pop("type"))
        if type_ != "upi":
            raise ValueError(f"type must match const 'upi', got '{type_}'")

        vpa = d.pop("vpa")

        upi_in = cls(
            name=name,
            type_=type_,
            vpa=vpa,
        )

        return upi_in
