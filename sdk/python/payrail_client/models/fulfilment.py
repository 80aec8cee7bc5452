from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.fulfilment_payout_status import FulfilmentPayoutStatus
from ..models.fulfilment_status import FulfilmentStatus

if TYPE_CHECKING:
    from ..models.provider_answer import ProviderAnswer


T = TypeVar("T", bound="Fulfilment")


@_attrs_define
class Fulfilment:
    """
    Attributes:
        audit_id (str):
        fulfilled_amount (int):
        payout_id (str):
        payout_status (FulfilmentPayoutStatus):
        provider (ProviderAnswer):
        reservation_id (str):
        status (FulfilmentStatus):
    """

    audit_id: str
    fulfilled_amount: int
    payout_id: str
    payout_status: FulfilmentPayoutStatus
    provider: ProviderAnswer
    reservation_id: str
    status: FulfilmentStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit_id = self.audit_id

        fulfilled_amount = self.fulfilled_amount

        payout_id = self.payout_id

        payout_status = self.payout_status.value

        provider = self.provider.to_dict()

        reservation_id = self.reservation_id

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit_id": audit_id,
                "fulfilled_amount": fulfilled_amount,
                "payout_id": payout_id,
                "payout_status": payout_status,
                "provider": provider,
                "reservation_id": reservation_id,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.provider_answer import ProviderAnswer

        d = dict(src_dict)
        audit_id = d.pop("audit_id")

        fulfilled_amount = d.pop("fulfilled_amount")

        payout_id = d.pop("payout_id")

        payout_status = FulfilmentPayoutStatus(d.pop("payout_status"))

        provider = ProviderAnswer.from_dict(d.pop("provider"))

        reservation_id = d.pop("reservation_id")

        status = FulfilmentStatus(d.pop("status"))

        fulfilment = cls(
            audit_id=audit_id,
            fulfilled_amount=fulfilled_amount,
            payout_id=payout_id,
            payout_status=payout_status,
            provider=provider,
            reservation_id=reservation_id,
            status=status,
        )

        fulfilment.additional_properties = d
        return fulfilment

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
