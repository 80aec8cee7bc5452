"""Orders paid from a customer's wallet, and the admin's decisions on them."""
from pydantic import ConfigDict, Field

from payrail.api.models import CustomerId, PRODUCT_ID, REFERENCE, Strict, of_enum, examples
from payrail.commerce import model
from payrail.commerce.model import FailureKind, LateFulfilment, OrderStatus

__all__ = ["OrderIn", "LateFulfilment", "Order", "OrderFulfilIn"]


class OrderIn(Strict):
    product_id: str = Field(pattern=PRODUCT_ID, max_length=29)
    quantity: int = Field(strict=True, ge=1, le=1_000)
    customer_id: CustomerId

    model_config = examples(
        {"product_id": "prod_000000000000000000000001", "quantity": 1, "customer_id": "cust_42"},
    )


class Order(model.Order):
    # the domain's order as the API shows it: its enums inline, nothing beyond its fields
    model_config = ConfigDict(extra="ignore")

    status: of_enum(OrderStatus) = model.Order.model_fields["status"]
    failure_kind: of_enum(FailureKind) | None = model.Order.model_fields["failure_kind"]


class OrderFulfilIn(Strict):
    fulfilment_id: str | None = Field(default=None, pattern=REFERENCE, max_length=64,
                                      description="the fulfilment service's id, when the operator knows it")
    note: str | None = Field(default=None, max_length=300)

    model_config = examples(
        {"fulfilment_id": "ful_1042", "note": "delivered: confirmed by the fulfilment team"},
    )


