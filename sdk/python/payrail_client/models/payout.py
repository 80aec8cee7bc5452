from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payout_status import PayoutStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.attempt import Attempt
    from ..models.beneficiary import Beneficiary
    from ..models.status_change import StatusChange


T = TypeVar("T", bound="Payout")


@_attrs_define
class Payout:
    """
    Attributes:
        amount (int):
        attempts (list[Attempt]): submissions to the provider and their answers
        beneficiary (Beneficiary):
        checks (int): looks at the provider in this run that found it open or unknown
        created_at (str):
        currency (str):
        merchant_id (str):
        payout_id (str):
        provider (str): the connector chosen at creation; every later step uses it
        provider_key (str): what the provider calls the transfer
        run (int): 1, then +1 at each reinitiation
        status (PayoutStatus):
        status_history (list[StatusChange]):
        submissions (int):
        transfer_id (str): this run's transfer id (the provider idempotency key)
        updated_at (str):
        audit_id (None | str | Unset):
        beneficiary_id (None | str | Unset):
        cancel_reason (None | str | Unset):
        cancel_requested_at (None | str | Unset): a cancel of an ON_HOLD payout waits for the provider to refuse it
        description (None | str | Unset):
        failure_reason (None | str | Unset):
        hold_reason (None | str | Unset): why the provider holds it (ON_HOLD)
        last_checked_at (None | str | Unset):
        last_error (None | str | Unset):
        merchant_reference (None | str | Unset):
        next_check_at (None | str | Unset): when the provider is asked again
        provider_reference (None | str | Unset):
        provider_status (None | str | Unset): the provider's last open status (PENDING, ON_HOLD)
        released_by (None | str | Unset):
        reservation_id (None | str | Unset):
        review_decision (None | str | Unset):
        review_reason (None | str | Unset):
    """

    amount: int
    attempts: list[Attempt]
    beneficiary: Beneficiary
    checks: int
    created_at: str
    currency: str
    merchant_id: str
    payout_id: str
    provider: str
    provider_key: str
    run: int
    status: PayoutStatus
    status_history: list[StatusChange]
    submissions: int
    transfer_id: str
    updated_at: str
    audit_id: None | str | Unset = UNSET
    beneficiary_id: None | str | Unset = UNSET
    cancel_reason: None | str | Unset = UNSET
    cancel_requested_at: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    failure_reason: None | str | Unset = UNSET
    hold_reason: None | str | Unset = UNSET
    last_checked_at: None | str | Unset = UNSET
    last_error: None | str | Unset = UNSET
    merchant_reference: None | str | Unset = UNSET
    next_check_at: None | str | Unset = UNSET
    provider_reference: None | str | Unset = UNSET
    provider_status: None | str | Unset = UNSET
    released_by: None | str | Unset = UNSET
    reservation_id: None | str | Unset = UNSET
    review_decision: None | str | Unset = UNSET
    review_reason: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        attempts = []
        for attempts_item_data in self.attempts:
            attempts_item = attempts_item_data.to_dict()
            attempts.append(attempts_item)

        beneficiary = self.beneficiary.to_dict()

        checks = self.checks

        created_at = self.created_at

        currency = self.currency

        merchant_id = self.merchant_id

        payout_id = self.payout_id

        provider = self.provider

        provider_key = self.provider_key

        run = self.run

        status = self.status.value

        status_history = []
        for status_history_item_data in self.status_history:
            status_history_item = status_history_item_data.to_dict()
            status_history.append(status_history_item)

        submissions = self.submissions

        transfer_id = self.transfer_id

        updated_at = self.updated_at

        audit_id: None | str | Unset
        if isinstance(self.audit_id, Unset):
            audit_id = UNSET
        else:
            audit_id = self.audit_id

        beneficiary_id: None | str | Unset
        if isinstance(self.beneficiary_id, Unset):
            beneficiary_id = UNSET
        else:
            beneficiary_id = self.beneficiary_id

        cancel_reason: None | str | Unset
        if isinstance(self.cancel_reason, Unset):
            cancel_reason = UNSET
        else:
            cancel_reason = self.cancel_reason

        cancel_requested_at: None | str | Unset
        if isinstance(self.cancel_requested_at, Unset):
            cancel_requested_at = UNSET
        else:
            cancel_requested_at = self.cancel_requested_at

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        failure_reason: None | str | Unset
        if isinstance(self.failure_reason, Unset):
            failure_reason = UNSET
        else:
            failure_reason = self.failure_reason

        hold_reason: None | str | Unset
        if isinstance(self.hold_reason, Unset):
            hold_reason = UNSET
        else:
            hold_reason = self.hold_reason

        last_checked_at: None | str | Unset
        if isinstance(self.last_checked_at, Unset):
            last_checked_at = UNSET
        else:
            last_checked_at = self.last_checked_at

        last_error: None | str | Unset
        if isinstance(self.last_error, Unset):
            last_error = UNSET
        else:
            last_error = self.last_error

        merchant_reference: None | str | Unset
        if isinstance(self.merchant_reference, Unset):
            merchant_reference = UNSET
        else:
            merchant_reference = self.merchant_reference

        next_check_at: None | str | Unset
        if isinstance(self.next_check_at, Unset):
            next_check_at = UNSET
        else:
            next_check_at = self.next_check_at

        provider_reference: None | str | Unset
        if isinstance(self.provider_reference, Unset):
            provider_reference = UNSET
        else:
            provider_reference = self.provider_reference

        provider_status: None | str | Unset
        if isinstance(self.provider_status, Unset):
            provider_status = UNSET
        else:
            provider_status = self.provider_status

        released_by: None | str | Unset
        if isinstance(self.released_by, Unset):
            released_by = UNSET
        else:
            released_by = self.released_by

        reservation_id: None | str | Unset
        if isinstance(self.reservation_id, Unset):
            reservation_id = UNSET
        else:
            reservation_id = self.reservation_id

        review_decision: None | str | Unset
        if isinstance(self.review_decision, Unset):
            review_decision = UNSET
        else:
            review_decision = self.review_decision

        review_reason: None | str | Unset
        if isinstance(self.review_reason, Unset):
            review_reason = UNSET
        else:
            review_reason = self.review_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "attempts": attempts,
                "beneficiary": beneficiary,
                "checks": checks,
                "created_at": created_at,
                "currency": currency,
                "merchant_id": merchant_id,
                "payout_id": payout_id,
                "provider": provider,
                "provider_key": provider_key,
                "run": run,
                "status": status,
                "status_history": status_history,
                "submissions": submissions,
                "transfer_id": transfer_id,
                "updated_at": updated_at,
            }
        )
        if audit_id is not UNSET:
            field_dict["audit_id"] = audit_id
        if beneficiary_id is not UNSET:
            field_dict["beneficiary_id"] = beneficiary_id
        if cancel_reason is not UNSET:
            field_dict["cancel_reason"] = cancel_reason
        if cancel_requested_at is not UNSET:
            field_dict["cancel_requested_at"] = cancel_requested_at
        if description is not UNSET:
            field_dict["description"] = description
        if failure_reason is not UNSET:
            field_dict["failure_reason"] = failure_reason
        if hold_reason is not UNSET:
            field_dict["hold_reason"] = hold_reason
        if last_checked_at is not UNSET:
            field_dict["last_checked_at"] = last_checked_at
        if last_error is not UNSET:
            field_dict["last_error"] = last_error
        if merchant_reference is not UNSET:
            field_dict["merchant_reference"] = merchant_reference
        if next_check_at is not UNSET:
            field_dict["next_check_at"] = next_check_at
        if provider_reference is not UNSET:
            field_dict["provider_reference"] = provider_reference
        if provider_status is not UNSET:
            field_dict["provider_status"] = provider_status
        if released_by is not UNSET:
            field_dict["released_by"] = released_by
        if reservation_id is not UNSET:
            field_dict["reservation_id"] = reservation_id
        if review_decision is not UNSET:
            field_dict["review_decision"] = review_decision
        if review_reason is not UNSET:
            field_dict["review_reason"] = review_reason

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.attempt import Attempt
        from ..models.beneficiary import Beneficiary
        from ..models.status_change import StatusChange

        d = dict(src_dict)
        amount = d.pop("amount")

        attempts = []
        _attempts = d.pop("attempts")
        for attempts_item_data in _attempts:
            attempts_item = Attempt.from_dict(attempts_item_data)

            attempts.append(attempts_item)

        beneficiary = Beneficiary.from_dict(d.pop("beneficiary"))

        checks = d.pop("checks")

        created_at = d.pop("created_at")

        currency = d.pop("currency")

        merchant_id = d.pop("merchant_id")

        payout_id = d.pop("payout_id")

        provider = d.pop("provider")

        provider_key = d.pop("provider_key")

        run = d.pop("run")

        status = PayoutStatus(d.pop("status"))

        status_history = []
        _status_history = d.pop("status_history")
        for status_history_item_data in _status_history:
            status_history_item = StatusChange.from_dict(status_history_item_data)

            status_history.append(status_history_item)

        submissions = d.pop("submissions")

        transfer_id = d.pop("transfer_id")

        updated_at = d.pop("updated_at")

        def _parse_audit_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        audit_id = _parse_audit_id(d.pop("audit_id", UNSET))

        def _parse_beneficiary_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        beneficiary_id = _parse_beneficiary_id(d.pop("beneficiary_id", UNSET))

        def _parse_cancel_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cancel_reason = _parse_cancel_reason(d.pop("cancel_reason", UNSET))

        def _parse_cancel_requested_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cancel_requested_at = _parse_cancel_requested_at(
            d.pop("cancel_requested_at", UNSET)
        )

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_failure_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason", UNSET))

        def _parse_hold_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hold_reason = _parse_hold_reason(d.pop("hold_reason", UNSET))

        def _parse_last_checked_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_checked_at = _parse_last_checked_at(d.pop("last_checked_at", UNSET))

        def _parse_last_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_error = _parse_last_error(d.pop("last_error", UNSET))

        def _parse_merchant_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        merchant_reference = _parse_merchant_reference(
            d.pop("merchant_reference", UNSET)
        )

        def _parse_next_check_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_check_at = _parse_next_check_at(d.pop("next_check_at", UNSET))

        def _parse_provider_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider_reference = _parse_provider_reference(
            d.pop("provider_reference", UNSET)
        )

        def _parse_provider_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider_status = _parse_provider_status(d.pop("provider_status", UNSET))

        def _parse_released_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        released_by = _parse_released_by(d.pop("released_by", UNSET))

        def _parse_reservation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reservation_id = _parse_reservation_id(d.pop("reservation_id", UNSET))

        def _parse_review_decision(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        review_decision = _parse_review_decision(d.pop("review_decision", UNSET))

        def _parse_review_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        review_reason = _parse_review_reason(d.pop("review_reason", UNSET))

        payout = cls(
            amount=amount,
            attempts=attempts,
            beneficiary=beneficiary,
            checks=checks,
            created_at=created_at,
            currency=currency,
            merchant_id=merchant_id,
            payout_id=payout_id,
            provider=provider,
            provider_key=provider_key,
            run=run,
            status=status,
            status_history=status_history,
            submissions=submissions,
            transfer_id=transfer_id,
            updated_at=updated_at,
            audit_id=audit_id,
            beneficiary_id=beneficiary_id,
            cancel_reason=cancel_reason,
            cancel_requested_at=cancel_requested_at,
            description=description,
            failure_reason=failure_reason,
            hold_reason=hold_reason,
            last_checked_at=last_checked_at,
            last_error=last_error,
            merchant_reference=merchant_reference,
            next_check_at=next_check_at,
            provider_reference=provider_reference,
            provider_status=provider_status,
            released_by=released_by,
            reservation_id=reservation_id,
            review_decision=review_decision,
            review_reason=review_reason,
        )

        payout.additional_properties = d
        return payout

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
