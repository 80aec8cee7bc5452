from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_failure_kind_type_0 import OrderFailureKindType0
from ..models.order_status import OrderStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.late_fulfilment import LateFulfilment
    from ..models.status_change import StatusChange


T = TypeVar("T", bound="Order")


@_attrs_define
class Order:
    """
    Attributes:
        amount (int):
        created_at (str):
        currency (str):
        customer_id (str):
        merchant_id (str):
        order_id (str):
        product_id (str):
        quantity (int):
        status (OrderStatus): FULFILMENT_UNKNOWN: no definitive answer from the fulfilment service by
            fulfilment_deadline; the money stays pending until the admin fails or fulfils it
        status_history (list[StatusChange]):
        updated_at (str):
        cancel_acknowledged_at (None | str | Unset): the fulfilment service confirmed it will not deliver the FAILED
            order
        failure_kind (None | OrderFailureKindType0 | Unset): why a FAILED order failed: the service refused it, it never
            received it after the bounded attempts, or the admin failed it
        failure_reason (None | str | Unset):
        fee (int | None | Unset):
        fulfilment_attempts (int | None | Unset): POSTs that provably never reached the fulfilment service
        fulfilment_deadline (None | str | Unset): when an unknown fulfilment outcome is given up (FULFILMENT_UNKNOWN)
        fulfilment_id (None | str | Unset):
        fulfilment_uncertain (bool | None | Unset): an answer showed or left open that the service had the order: no
            refund without a definitive answer
        last_error (None | str | Unset):
        late_fulfilment (LateFulfilment | None | Unset): the service delivered after the order was failed and refunded
        settled_by (Literal['admin'] | None | Unset):
    """

    amount: int
    created_at: str
    currency: str
    customer_id: str
    merchant_id: str
    order_id: str
    product_id: str
    quantity: int
    status: OrderStatus
    status_history: list[StatusChange]
    updated_at: str
    cancel_acknowledged_at: None | str | Unset = UNSET
    failure_kind: None | OrderFailureKindType0 | Unset = UNSET
    failure_reason: None | str | Unset = UNSET
    fee: int | None | Unset = UNSET
    fulfilment_attempts: int | None | Unset = UNSET
    fulfilment_deadline: None | str | Unset = UNSET
    fulfilment_id: None | str | Unset = UNSET
    fulfilment_uncertain: bool | None | Unset = UNSET
    last_error: None | str | Unset = UNSET
    late_fulfilment: LateFulfilment | None | Unset = UNSET
    settled_by: Literal["admin"] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.late_fulfilment import LateFulfilment

        amount = self.amount

        created_at = self.created_at

        currency = self.currency

        customer_id = self.customer_id

        merchant_id = self.merchant_id

        order_id = self.order_id

        product_id = self.product_id

        quantity = self.quantity

        status = self.status.value

        status_history = []
        for status_history_item_data in self.status_history:
            status_history_item = status_history_item_data.to_dict()
            status_history.append(status_history_item)

        updated_at = self.updated_at

        cancel_acknowledged_at: None | str | Unset
        if isinstance(self.cancel_acknowledged_at, Unset):
            cancel_acknowledged_at = UNSET
        else:
            cancel_acknowledged_at = self.cancel_acknowledged_at

        failure_kind: None | str | Unset
        if isinstance(self.failure_kind, Unset):
            failure_kind = UNSET
        elif isinstance(self.failure_kind, OrderFailureKindType0):
            failure_kind = self.failure_kind.value
        else:
            failure_kind = self.failure_kind

        failure_reason: None | str | Unset
        if isinstance(self.failure_reason, Unset):
            failure_reason = UNSET
        else:
            failure_reason = self.failure_reason

        fee: int | None | Unset
        if isinstance(self.fee, Unset):
            fee = UNSET
        else:
            fee = self.fee

        fulfilment_attempts: int | None | Unset
        if isinstance(self.fulfilment_attempts, Unset):
            fulfilment_attempts = UNSET
        else:
            fulfilment_attempts = self.fulfilment_attempts

        fulfilment_deadline: None | str | Unset
        if isinstance(self.fulfilment_deadline, Unset):
            fulfilment_deadline = UNSET
        else:
            fulfilment_deadline = self.fulfilment_deadline

        fulfilment_id: None | str | Unset
        if isinstance(self.fulfilment_id, Unset):
            fulfilment_id = UNSET
        else:
            fulfilment_id = self.fulfilment_id

        fulfilment_uncertain: bool | None | Unset
        if isinstance(self.fulfilment_uncertain, Unset):
            fulfilment_uncertain = UNSET
        else:
            fulfilment_uncertain = self.fulfilment_uncertain

        last_error: None | str | Unset
        if isinstance(self.last_error, Unset):
            last_error = UNSET
        else:
            last_error = self.last_error

        late_fulfilment: dict[str, Any] | None | Unset
        if isinstance(self.late_fulfilment, Unset):
            late_fulfilment = UNSET
        elif isinstance(self.late_fulfilment, LateFulfilment):
            late_fulfilment = self.late_fulfilment.to_dict()
        else:
            late_fulfilment = self.late_fulfilment

        settled_by: Literal["admin"] | None | Unset
        if isinstance(self.settled_by, Unset):
            settled_by = UNSET
        else:
            settled_by = self.settled_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "created_at": created_at,
                "currency": currency,
                "customer_id": customer_id,
                "merchant_id": merchant_id,
                "order_id": order_id,
                "product_id": product_id,
                "quantity": quantity,
                "status": status,
                "status_history": status_history,
                "updated_at": updated_at,
            }
        )
        if cancel_acknowledged_at is not UNSET:
            field_dict["cancel_acknowledged_at"] = cancel_acknowledged_at
        if failure_kind is not UNSET:
            field_dict["failure_kind"] = failure_kind
        if failure_reason is not UNSET:
            field_dict["failure_reason"] = failure_reason
        if fee is not UNSET:
            field_dict["fee"] = fee
        if fulfilment_attempts is not UNSET:
            field_dict["fulfilment_attempts"] = fulfilment_attempts
        if fulfilment_deadline is not UNSET:
            field_dict["fulfilment_deadline"] = fulfilment_deadline
        if fulfilment_id is not UNSET:
            field_dict["fulfilment_id"] = fulfilment_id
        if fulfilment_uncertain is not UNSET:
            field_dict["fulfilment_uncertain"] = fulfilment_uncertain
        if last_error is not UNSET:
            field_dict["last_error"] = last_error
        if late_fulfilment is not UNSET:
            field_dict["late_fulfilment"] = late_fulfilment
        if settled_by is not UNSET:
            field_dict["settled_by"] = settled_by

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.late_fulfilment import LateFulfilment
        from ..models.status_change import StatusChange

        d = dict(src_dict)
        amount = d.pop("amount")

        created_at = d.pop("created_at")

        currency = d.pop("currency")

        customer_id = d.pop("customer_id")

        merchant_id = d.pop("merchant_id")

        order_id = d.pop("order_id")

        product_id = d.pop("product_id")

        quantity = d.pop("quantity")

        status = OrderStatus(d.pop("status"))

        status_history = []
        _status_history = d.pop("status_history")
        for status_history_item_data in _status_history:
            status_history_item = StatusChange.from_dict(status_history_item_data)

            status_history.append(status_history_item)

        updated_at = d.pop("updated_at")

        def _parse_cancel_acknowledged_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cancel_acknowledged_at = _parse_cancel_acknowledged_at(
            d.pop("cancel_acknowledged_at", UNSET)
        )

        def _parse_failure_kind(data: object) -> None | OrderFailureKindType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                failure_kind_type_0 = OrderFailureKindType0(data)

                return failure_kind_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OrderFailureKindType0 | Unset, data)

        failure_kind = _parse_failure_kind(d.pop("failure_kind", UNSET))

        def _parse_failure_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason", UNSET))

        def _parse_fee(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        fee = _parse_fee(d.pop("fee", UNSET))

        def _parse_fulfilment_attempts(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        fulfilment_attempts = _parse_fulfilment_attempts(
            d.pop("fulfilment_attempts", UNSET)
        )

        def _parse_fulfilment_deadline(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        fulfilment_deadline = _parse_fulfilment_deadline(
            d.pop("fulfilment_deadline", UNSET)
        )

        def _parse_fulfilment_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        fulfilment_id = _parse_fulfilment_id(d.pop("fulfilment_id", UNSET))

        def _parse_fulfilment_uncertain(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        fulfilment_uncertain = _parse_fulfilment_uncertain(
            d.pop("fulfilment_uncertain", UNSET)
        )

        def _parse_last_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_error = _parse_last_error(d.pop("last_error", UNSET))

        def _parse_late_fulfilment(data: object) -> LateFulfilment | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                late_fulfilment_type_0 = LateFulfilment.from_dict(data)

                return late_fulfilment_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LateFulfilment | None | Unset, data)

        late_fulfilment = _parse_late_fulfilment(d.pop("late_fulfilment", UNSET))

        def _parse_settled_by(data: object) -> Literal["admin"] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            settled_by_type_0 = cast(Literal["admin"], data)
            if settled_by_type_0 != "admin":
                raise ValueError(
                    f"settled_by_type_0 must match const 'admin', got '{settled_by_type_0}'"
                )
            return settled_by_type_0
            return cast(Literal["admin"] | None | Unset, data)

        settled_by = _parse_settled_by(d.pop("settled_by", UNSET))

        order = cls(
            amount=amount,
            created_at=created_at,
            currency=currency,
            customer_id=customer_id,
            merchant_id=merchant_id,
            order_id=order_id,
            product_id=product_id,
            quantity=quantity,
            status=status,
            status_history=status_history,
            updated_at=updated_at,
            cancel_acknowledged_at=cancel_acknowledged_at,
            failure_kind=failure_kind,
            failure_reason=failure_reason,
            fee=fee,
            fulfilment_attempts=fulfilment_attempts,
            fulfilment_deadline=fulfilment_deadline,
            fulfilment_id=fulfilment_id,
            fulfilment_uncertain=fulfilment_uncertain,
            last_error=last_error,
            late_fulfilment=late_fulfilment,
            settled_by=settled_by,
        )

        order.additional_properties = d
        return order

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
