from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Product")


@_attrs_define
class Product:
    """
    Attributes:
        created_at (str):
        currency (str):
        merchant_id (str):
        name (str):
        price (int):
        product_id (str):
        stock (int):
    """

    created_at: str
    currency: str
    merchant_id: str
    name: str
    price: int
    product_id: str
    stock: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        currency = self.currency

        merchant_id = self.merchant_id

        name = self.name

        price = self.price

        product_id = self.product_id

        stock = self.stock

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "currency": currency,
                "merchant_id": merchant_id,
                "name": name,
                "price": price,
                "product_id": product_id,
                "stock": stock,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = d.pop("created_at")

        currency = d.pop("currency")

        merchant_id = d.pop("merchant_id")

        name = d.pop("name")

        price = d.pop("price")

        product_id = d.pop("product_id")

        stock = d.pop("stock")

        product = cls(
            created_at=created_at,
            currency=currency,
            merchant_id=merchant_id,
            name=name,
            price=price,
            product_id=product_id,
            stock=stock,
        )

        product.additional_properties = d
        return product

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
