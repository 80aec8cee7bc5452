from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.reservation_status import ReservationStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.beneficiary import Beneficiary
    from ..models.status_change import StatusChange


T = TypeVar("T", bound="Reservation")


@_attrs_define
class Reservation:
    """
    Attributes:
        amount (int):
        audit_id (str): order-<reservation_id>
        beneficiary (Beneficiary):
        created_at (str):
        currency (str):
        expires_at (str):
        fulfilments (int): fulfil attempts that created a payout (a refused one can be retried)
        merchant_id (str):
        provider (str):
        reservation_id (str):
        status (ReservationStatus):
        status_history (list[StatusChange]):
        updated_at (str):
        beneficiary_id (None | str | Unset):
        fulfilled_at (None | str | Unset):
        order_reference (None | str | Unset):
        payout_id (None | str | Unset): the payout of the latest fulfilment
    """

    amount: int
    audit_id: str
    beneficiary: Beneficiary
    created_at: str
    currency: str
    expires_at: str
    fulfilments: int
    merchant_id: str
    provider: str
    reservation_id: str
    status: ReservationStatus
    status_history: list[StatusChange]
    updated_at: str
    beneficiary_id: None | str | Unset = UNSET
    fulfilled_at: None | str | Unset = UNSET
    order_reference: None | str | Unset = UNSET
    payout_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        audit_id = self.audit_id

        beneficiary = self.beneficiary.to_dict()

        created_at = self.created_at

        currency = self.currency

        expires_at = self.expires_at

        fulfilments = self.fulfilments

        merchant_id = self.merchant_id

        provider = self.provider

        reservation_id = self.reservation_id

        status = self.status.value

        status_history = []
        for status_history_item_data in self.status_history:
            status_history_item = status_history_item_data.to_dict()
            status_history.append(status_history_item)

        updated_at = self.updated_at

        beneficiary_id: None | str | Unset
        if isinstance(self.beneficiary_id, Unset):
            beneficiary_id = UNSET
        else:
            beneficiary_id = self.beneficiary_id

        fulfilled_at: None | str | Unset
        if isinstance(self.fulfilled_at, Unset):
            fulfilled_at = UNSET
        else:
            fulfilled_at = self.fulfilled_at

        order_reference: None | str | Unset
        if isinstance(self.order_reference, Unset):
            order_reference = UNSET
        else:
            order_reference = self.order_reference

        payout_id: None | str | Unset
        if isinstance(self.payout_id, Unset):
            payout_id = UNSET
        else:
            payout_id = self.payout_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "audit_id": audit_id,
                "beneficiary": beneficiary,
                "created_at": created_at,
                "currency": currency,
                "expires_at": expires_at,
                "fulfilments": fulfilments,
                "merchant_id": merchant_id,
                "provider": provider,
                "reservation_id": reservation_id,
                "status": status,
                "status_history": status_history,
                "updated_at": updated_at,
            }
        )
        if beneficiary_id is not UNSET:
            field_dict["beneficiary_id"] = beneficiary_id
        if fulfilled_at is not UNSET:
            field_dict["fulfilled_at"] = fulfilled_at
        if order_reference is not UNSET:
            field_dict["order_reference"] = order_reference
        if payout_id is not UNSET:
            field_dict["payout_id"] = payout_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.beneficiary import Beneficiary
        from ..models.status_change import StatusChange

        d = dict(src_dict)
        amount = d.pop("amount")

        audit_id = d.pop("audit_id")

        beneficiary = Beneficiary.from_dict(d.pop("beneficiary"))

        created_at = d.pop("created_at")

        currency = d.pop("currency")

        expires_at = d.pop("expires_at")

        fulfilments = d.pop("fulfilments")

        merchant_id = d.pop("merchant_id")

        provider = d.pop("provider")

        reservation_id = d.pop("reservation_id")

        status = ReservationStatus(d.pop("status"))

        status_history = []
        _status_history = d.pop("status_history")
        for status_history_item_data in _status_history:
            status_history_item = StatusChange.from_dict(status_history_item_data)

            status_history.append(status_history_item)

        updated_at = d.pop("updated_at")

        def _parse_beneficiary_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        beneficiary_id = _parse_beneficiary_id(d.pop("beneficiary_id", UNSET))

        def _parse_fulfilled_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        fulfilled_at = _parse_fulfilled_at(d.pop("fulfilled_at", UNSET))

        def _parse_order_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        order_reference = _parse_order_reference(d.pop("order_reference", UNSET))

        def _parse_payout_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        payout_id = _parse_payout_id(d.pop("payout_id", UNSET))

        reservation = cls(
            amount=amount,
            audit_id=audit_id,
            beneficiary=beneficiary,
            created_at=created_at,
            currency=currency,
            expires_at=expires_at,
            fulfilments=fulfilments,
            merchant_id=merchant_id,
            provider=provider,
            reservation_id=reservation_id,
            status=status,
            status_history=status_history,
            updated_at=updated_at,
            beneficiary_id=beneficiary_id,
            fulfilled_at=fulfilled_at,
            order_reference=order_reference,
            payout_id=payout_id,
        )

        reservation.additional_properties = d
        return reservation

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
