from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="OrderIn")


@_attrs_define
class OrderIn:
    """
    Attributes:
        customer_id (str):
        product_id (str):
        quantity (int):
    """

    customer_id: str
    product_id: str
    quantity: int

    def to_dict(self) -> dict[str, Any]:
        customer_id = self.customer_id

        product_id = self.product_id

        quantity = self.quantity

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "customer_id": customer_id,
                "product_id": product_id,
                "quantity": quantity,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        customer_id = d.pop("customer_id")

        product_id = d.pop("product_id")

        quantity = d.pop("quantity")

        order_in = cls(
            customer_id=customer_id,
            product_id=product_id,
            quantity=quantity,
        )

        return order_in
