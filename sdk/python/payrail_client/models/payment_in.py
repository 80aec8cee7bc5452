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

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.payment_in_metadata_type_0 import PaymentInMetadataType0
    from ..models.recipient_in import RecipientIn


T = TypeVar("T", bound="PaymentIn")


@_attrs_define
class PaymentIn:
    """
    Attributes:
        amount (int): integer in the currency's minor unit, 1..1000000000000000
        currency (Literal['GHS']):
        recipient (RecipientIn):
        description (None | str | Unset):
        metadata (None | PaymentInMetadataType0 | Unset):
    """

    amount: int
    currency: Literal["GHS"]
    recipient: RecipientIn
    description: None | str | Unset = UNSET
    metadata: None | PaymentInMetadataType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.payment_in_metadata_type_0 import PaymentInMetadataType0

        amount = self.amount

        currency = self.currency

        recipient = self.recipient.to_dict()

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, PaymentInMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "recipient": recipient,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.payment_in_metadata_type_0 import PaymentInMetadataType0
        from ..models.recipient_in import RecipientIn

        d = dict(src_dict)
        amount = d.pop("amount")

        currency = cast(Literal["GHS"], d.pop("currency"))
        if currency != "GHS":
            raise ValueError(f"currency must match const 'GHS', got '{currency}'")

        recipient = RecipientIn.from_dict(d.pop("recipient"))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_metadata(data: object) -> None | PaymentInMetadataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = PaymentInMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PaymentInMetadataType0 | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        payment_in = cls(
            amount=amount,
            currency=currency,
            recipient=recipient,
            description=description,
            metadata=metadata,
        )

        return payment_in
