from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ProductIn")


@_attrs_define
class ProductIn:
    """
    Attributes:
        currency (str): ISO 4217 code
        name (str):
        price (int): integer in the currency's minor unit, 1..1000000000000000
        stock (int):
    """

    currency: str
    name: str
    price: int
    stock: int

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        name = self.name

        price = self.price

        stock = self.stock

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "currency": currency,
                "name": name,
                "price": price,
                "stock": stock,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        currency = d.pop("currency")

        name = d.pop("name")

        price = d.pop("price")

        stock = d.pop("stock")

        product_in = cls(
            currency=currency,
            name=name,
            price=price,
            stock=stock,
        )

        return product_in
