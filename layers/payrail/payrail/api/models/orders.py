"""Orders paid from a customer's wallet, and the admin's decisions on them."""
from typing import Literal

from pydantic import Field

from payrail.api.models import CustomerId, Model, PRODUCT_ID, REFERENCE, StatusChange, Strict, of_enum
from payrail.commerce.model import FailureKind, OrderStatus

__all__ = ["OrderIn", "LateFulfilment", "Order", "OrderFulfilIn"]


class OrderIn(Strict):
    product_id: str = Field(pattern=PRODUCT_ID, max_length=29)
    quantity: int = Field(strict=True, ge=1, le=1_000)
    customer_id: CustomerId


class LateFulfilment(Model):
    fulfilment_id: str
    at: str


class Order(Model):
    order_id: str
    merchant_id: str
    product_id: str
    quantity: int
    customer_id: str
    amount: int
    currency: str
    status: of_enum(OrderStatus) = Field(
        description="FULFILMENT_UNKNOWN: no definitive answer from the fulfilment service by "
                    "fulfilment_deadline; the money stays pending until the admin fails or fulfils it")
    created_at: str
    updated_at: str
    status_history: list[StatusChange]
    fulfilment_id: str | None = None
    fee: int | None = None
    failure_reason: str | None = None
    failure_kind: of_enum(FailureKind) | None = Field(
        default=None, description="why a FAILED order failed: the service refused it, it never received it after "
                                  "the bounded attempts, or the admin failed it")
    fulfilment_deadline: str | None = Field(default=None, description="when an unknown fulfilment outcome is "
                                                                      "given up (FULFILMENT_UNKNOWN)")
    fulfilment_attempts: int | None = Field(default=None, description="POSTs that provably never reached the "
                                                                      "fulfilment service")
    fulfilment_uncertain: bool | None = Field(default=None, description="an answer showed or left open that the "
                                                                        "service had the order: no refund without "
                                                                        "a definitive answer")
    last_error: str | None = None
    cancel_acknowledged_at: str | None = Field(default=None, description="the fulfilment service confirmed it "
                                                                         "will not deliver the FAILED order")
    late_fulfilment: LateFulfilment | None = Field(default=None, description="the service delivered after the "
                                                                             "order was failed and refunded")
    settled_by: Literal["admin"] | None = None


class OrderFulfilIn(Strict):
    fulfilment_id: str | None = Field(default=None, pattern=REFERENCE, max_length=64,
                                      description="the fulfilment service's id, when the operator knows it")
    note: str | None = Field(default=None, max_length=300)
