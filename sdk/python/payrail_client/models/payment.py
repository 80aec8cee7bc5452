from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.payment_status import PaymentStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.failover import Failover
    from ..models.payment_attempt import PaymentAttempt
    from ..models.payment_metadata_type_0 import PaymentMetadataType0
    from ..models.recipient import Recipient
    from ..models.refund import Refund
    from ..models.risk import Risk
    from ..models.route import Route
    from ..models.route_candidate import RouteCandidate
    from ..models.status_change import StatusChange


T = TypeVar("T", bound="Payment")


@_attrs_define
class Payment:
    """
    Attributes:
        amount (int):
        attempts (list[PaymentAttempt]):
        created_at (str):
        currency (str):
        fee (int):
        looks (int):
        merchant_id (str):
        network (str):
        payment_id (str):
        recipient (Recipient):
        status (PaymentStatus):
        status_history (list[StatusChange]):
        submissions (int):
        updated_at (str):
        cancel_reason (None | str | Unset):
        candidates (list[RouteCandidate] | None | Unset):
        confirmed_at (None | str | Unset):
        description (None | str | Unset):
        estimated_completion_at (None | str | Unset):
        expires_at (None | str | Unset):
        expiry_reason (None | str | Unset):
        failovers (list[Failover] | None | Unset):
        failure_reason (None | str | Unset):
        last_checked_at (None | str | Unset):
        last_error (None | str | Unset):
        late_provider_status (None | str | Unset):
        late_provider_status_at (None | str | Unset):
        metadata (None | PaymentMetadataType0 | Unset):
        provider (None | str | Unset):
        provider_key (None | str | Unset):
        provider_reference (None | str | Unset):
        provider_status (None | str | Unset):
        refund (None | Refund | Unset):
        risk (None | Risk | Unset):
        route (None | Route | Unset):
        route_index (int | None | Unset):
        route_order (list[str] | None | Unset):
        route_submissions (int | None | Unset):
        total (int | None | Unset): amount + fee, held from the route's float
        transfer_id (None | str | Unset):
    """

    amount: int
    attempts: list[PaymentAttempt]
    created_at: str
    currency: str
    fee: int
    looks: int
    merchant_id: str
    network: str
    payment_id: str
    recipient: Recipient
    status: PaymentStatus
    status_history: list[StatusChange]
    submissions: int
    updated_at: str
    cancel_reason: None | str | Unset = UNSET
    candidates: list[RouteCandidate] | None | Unset = UNSET
    confirmed_at: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    estimated_completion_at: None | str | Unset = UNSET
    expires_at: None | str | Unset = UNSET
    expiry_reason: None | str | Unset = UNSET
    failovers: list[Failover] | None | Unset = UNSET
    failure_reason: None | str | Unset = UNSET
    last_checked_at: None | str | Unset = UNSET
    last_error: None | str | Unset = UNSET
    late_provider_status: None | str | Unset = UNSET
    late_provider_status_at: None | str | Unset = UNSET
    metadata: None | PaymentMetadataType0 | Unset = UNSET
    provider: None | str | Unset = UNSET
    provider_key: None | str | Unset = UNSET
    provider_reference: None | str | Unset = UNSET
    provider_status: None | str | Unset = UNSET
    refund: None | Refund | Unset = UNSET
    risk: None | Risk | Unset = UNSET
    route: None | Route | Unset = UNSET
    route_index: int | None | Unset = UNSET
    route_order: list[str] | None | Unset = UNSET
    route_submissions: int | None | Unset = UNSET
    total: int | None | Unset = UNSET
    transfer_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.payment_metadata_type_0 import PaymentMetadataType0
        from ..models.refund import Refund
        from ..models.risk import Risk
        from ..models.route import Route

        amount = self.amount

        attempts = []
        for attempts_item_data in self.attempts:
            attempts_item = attempts_item_data.to_dict()
            attempts.append(attempts_item)

        created_at = self.created_at

        currency = self.currency

        fee = self.fee

        looks = self.looks

        merchant_id = self.merchant_id

        network = self.network

        payment_id = self.payment_id

        recipient = self.recipient.to_dict()

        status = self.status.value

        status_history = []
        for status_history_item_data in self.status_history:
            status_history_item = status_history_item_data.to_dict()
            status_history.append(status_history_item)

        submissions = self.submissions

        updated_at = self.updated_at

        cancel_reason: None | str | Unset
        if isinstance(self.cancel_reason, Unset):
            cancel_reason = UNSET
        else:
            cancel_reason = self.cancel_reason

        candidates: list[dict[str, Any]] | None | Unset
        if isinstance(self.candidates, Unset):
            candidates = UNSET
        elif isinstance(self.candidates, list):
            candidates = []
            for candidates_type_0_item_data in self.candidates:
                candidates_type_0_item = candidates_type_0_item_data.to_dict()
                candidates.append(candidates_type_0_item)

        else:
            candidates = self.candidates

        confirmed_at: None | str | Unset
        if isinstance(self.confirmed_at, Unset):
            confirmed_at = UNSET
        else:
            confirmed_at = self.confirmed_at

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        estimated_completion_at: None | str | Unset
        if isinstance(self.estimated_completion_at, Unset):
            estimated_completion_at = UNSET
        else:
            estimated_completion_at = self.estimated_completion_at

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = self.expires_at

        expiry_reason: None | str | Unset
        if isinstance(self.expiry_reason, Unset):
            expiry_reason = UNSET
        else:
            expiry_reason = self.expiry_reason

        failovers: list[dict[str, Any]] | None | Unset
        if isinstance(self.failovers, Unset):
            failovers = UNSET
        elif isinstance(self.failovers, list):
            failovers = []
            for failovers_type_0_item_data in self.failovers:
                failovers_type_0_item = failovers_type_0_item_data.to_dict()
                failovers.append(failovers_type_0_item)

        else:
            failovers = self.failovers

        failure_reason: None | str | Unset
        if isinstance(self.failure_reason, Unset):
            failure_reason = UNSET
        else:
            failure_reason = self.failure_reason

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

        late_provider_status: None | str | Unset
        if isinstance(self.late_provider_status, Unset):
            late_provider_status = UNSET
        else:
            late_provider_status = self.late_provider_status

        late_provider_status_at: None | str | Unset
        if isinstance(self.late_provider_status_at, Unset):
            late_provider_status_at = UNSET
        else:
            late_provider_status_at = self.late_provider_status_at

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, PaymentMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        provider: None | str | Unset
        if isinstance(self.provider, Unset):
            provider = UNSET
        else:
            provider = self.provider

        provider_key: None | str | Unset
        if isinstance(self.provider_key, Unset):
            provider_key = UNSET
        else:
            provider_key = self.provider_key

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

        refund: dict[str, Any] | None | Unset
        if isinstance(self.refund, Unset):
            refund = UNSET
        elif isinstance(self.refund, Refund):
            refund = self.refund.to_dict()
        else:
            refund = self.refund

        risk: dict[str, Any] | None | Unset
        if isinstance(self.risk, Unset):
            risk = UNSET
        elif isinstance(self.risk, Risk):
            risk = self.risk.to_dict()
        else:
            risk = self.risk

        route: dict[str, Any] | None | Unset
        if isinstance(self.route, Unset):
            route = UNSET
        elif isinstance(self.route, Route):
            route = self.route.to_dict()
        else:
            route = self.route

        route_index: int | None | Unset
        if isinstance(self.route_index, Unset):
            route_index = UNSET
        else:
            route_index = self.route_index

        route_order: list[str] | None | Unset
        if isinstance(self.route_order, Unset):
            route_order = UNSET
        elif isinstance(self.route_order, list):
            route_order = self.route_order

        else:
            route_order = self.route_order

        route_submissions: int | None | Unset
        if isinstance(self.route_submissions, Unset):
            route_submissions = UNSET
        else:
            route_submissions = self.route_submissions

        total: int | None | Unset
        if isinstance(self.total, Unset):
            total = UNSET
        else:
            total = self.total

        transfer_id: None | str | Unset
        if isinstance(self.transfer_id, Unset):
            transfer_id = UNSET
        else:
            transfer_id = self.transfer_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "attempts": attempts,
                "created_at": created_at,
                "currency": currency,
                "fee": fee,
                "looks": looks,
                "merchant_id": merchant_id,
                "network": network,
                "payment_id": payment_id,
                "recipient": recipient,
                "status": status,
                "status_history": status_history,
                "submissions": submissions,
                "updated_at": updated_at,
            }
        )
        if cancel_reason is not UNSET:
            field_dict["cancel_reason"] = cancel_reason
        if candidates is not UNSET:
            field_dict["candidates"] = candidates
        if confirmed_at is not UNSET:
            field_dict["confirmed_at"] = confirmed_at
        if description is not UNSET:
            field_dict["description"] = description
        if estimated_completion_at is not UNSET:
            field_dict["estimated_completion_at"] = estimated_completion_at
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if expiry_reason is not UNSET:
            field_dict["expiry_reason"] = expiry_reason
        if failovers is not UNSET:
            field_dict["failovers"] = failovers
        if failure_reason is not UNSET:
            field_dict["failure_reason"] = failure_reason
        if last_checked_at is not UNSET:
            field_dict["last_checked_at"] = last_checked_at
        if last_error is not UNSET:
            field_dict["last_error"] = last_error
        if late_provider_status is not UNSET:
            field_dict["late_provider_status"] = late_provider_status
        if late_provider_status_at is not UNSET:
            field_dict["late_provider_status_at"] = late_provider_status_at
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if provider is not UNSET:
            field_dict["provider"] = provider
        if provider_key is not UNSET:
            field_dict["provider_key"] = provider_key
        if provider_reference is not UNSET:
            field_dict["provider_reference"] = provider_reference
        if provider_status is not UNSET:
            field_dict["provider_status"] = provider_status
        if refund is not UNSET:
            field_dict["refund"] = refund
        if risk is not UNSET:
            field_dict["risk"] = risk
        if route is not UNSET:
            field_dict["route"] = route
        if route_index is not UNSET:
            field_dict["route_index"] = route_index
        if route_order is not UNSET:
            field_dict["route_order"] = route_order
        if route_submissions is not UNSET:
            field_dict["route_submissions"] = route_submissions
        if total is not UNSET:
            field_dict["total"] = total
        if transfer_id is not UNSET:
            field_dict["transfer_id"] = transfer_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.failover import Failover
        from ..models.payment_attempt import PaymentAttempt
        from ..models.payment_metadata_type_0 import PaymentMetadataType0
        from ..models.recipient import Recipient
        from ..models.refund import Refund
        from ..models.risk import Risk
        from ..models.route import Route
        from ..models.route_candidate import RouteCandidate
        from ..models.status_change import StatusChange

        d = dict(src_dict)
        amount = d.pop("amount")

        attempts = []
        _attempts = d.pop("attempts")
        for attempts_item_data in _attempts:
            attempts_item = PaymentAttempt.from_dict(attempts_item_data)

            attempts.append(attempts_item)

        created_at = d.pop("created_at")

        currency = d.pop("currency")

        fee = d.pop("fee")

        looks = d.pop("looks")

        merchant_id = d.pop("merchant_id")

        network = d.pop("network")

        payment_id = d.pop("payment_id")

        recipient = Recipient.from_dict(d.pop("recipient"))

        status = PaymentStatus(d.pop("status"))

        status_history = []
        _status_history = d.pop("status_history")
        for status_history_item_data in _status_history:
            status_history_item = StatusChange.from_dict(status_history_item_data)

            status_history.append(status_history_item)

        submissions = d.pop("submissions")

        updated_at = d.pop("updated_at")

        def _parse_cancel_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cancel_reason = _parse_cancel_reason(d.pop("cancel_reason", UNSET))

        def _parse_candidates(data: object) -> list[RouteCandidate] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                candidates_type_0 = []
                _candidates_type_0 = data
                for candidates_type_0_item_data in _candidates_type_0:
                    candidates_type_0_item = RouteCandidate.from_dict(
                        candidates_type_0_item_data
                    )

                    candidates_type_0.append(candidates_type_0_item)

                return candidates_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[RouteCandidate] | None | Unset, data)

        candidates = _parse_candidates(d.pop("candidates", UNSET))

        def _parse_confirmed_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        confirmed_at = _parse_confirmed_at(d.pop("confirmed_at", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_estimated_completion_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        estimated_completion_at = _parse_estimated_completion_at(
            d.pop("estimated_completion_at", UNSET)
        )

        def _parse_expires_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        def _parse_expiry_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        expiry_reason = _parse_expiry_reason(d.pop("expiry_reason", UNSET))

        def _parse_failovers(data: object) -> list[Failover] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                failovers_type_0 = []
                _failovers_type_0 = data
                for failovers_type_0_item_data in _failovers_type_0:
                    failovers_type_0_item = Failover.from_dict(
                        failovers_type_0_item_data
                    )

                    failovers_type_0.append(failovers_type_0_item)

                return failovers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Failover] | None | Unset, data)

        failovers = _parse_failovers(d.pop("failovers", UNSET))

        def _parse_failure_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason", UNSET))

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

        def _parse_late_provider_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        late_provider_status = _parse_late_provider_status(
            d.pop("late_provider_status", UNSET)
        )

        def _parse_late_provider_status_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        late_provider_status_at = _parse_late_provider_status_at(
            d.pop("late_provider_status_at", UNSET)
        )

        def _parse_metadata(data: object) -> None | PaymentMetadataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = PaymentMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PaymentMetadataType0 | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_provider(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider = _parse_provider(d.pop("provider", UNSET))

        def _parse_provider_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider_key = _parse_provider_key(d.pop("provider_key", UNSET))

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

        def _parse_refund(data: object) -> None | Refund | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                refund_type_0 = Refund.from_dict(data)

                return refund_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Refund | Unset, data)

        refund = _parse_refund(d.pop("refund", UNSET))

        def _parse_risk(data: object) -> None | Risk | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                risk_type_0 = Risk.from_dict(data)

                return risk_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Risk | Unset, data)

        risk = _parse_risk(d.pop("risk", UNSET))

        def _parse_route(data: object) -> None | Route | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                route_type_0 = Route.from_dict(data)

                return route_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Route | Unset, data)

        route = _parse_route(d.pop("route", UNSET))

        def _parse_route_index(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        route_index = _parse_route_index(d.pop("route_index", UNSET))

        def _parse_route_order(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                route_order_type_0 = cast(list[str], data)

                return route_order_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        route_order = _parse_route_order(d.pop("route_order", UNSET))

        def _parse_route_submissions(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        route_submissions = _parse_route_submissions(d.pop("route_submissions", UNSET))

        def _parse_total(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        total = _parse_total(d.pop("total", UNSET))

        def _parse_transfer_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        transfer_id = _parse_transfer_id(d.pop("transfer_id", UNSET))

        payment = cls(
            amount=amount,
            attempts=attempts,
            created_at=created_at,
            currency=currency,
            fee=fee,
            looks=looks,
            merchant_id=merchant_id,
            network=network,
            payment_id=payment_id,
            recipient=recipient,
            status=status,
            status_history=status_history,
            submissions=submissions,
            updated_at=updated_at,
            cancel_reason=cancel_reason,
            candidates=candidates,
            confirmed_at=confirmed_at,
            description=description,
            estimated_completion_at=estimated_completion_at,
            expires_at=expires_at,
            expiry_reason=expiry_reason,
            failovers=failovers,
            failure_reason=failure_reason,
            last_checked_at=last_checked_at,
            last_error=last_error,
            late_provider_status=late_provider_status,
            late_provider_status_at=late_provider_status_at,
            metadata=metadata,
            provider=provider,
            provider_key=provider_key,
            provider_reference=provider_reference,
            provider_status=provider_status,
            refund=refund,
            risk=risk,
            route=route,
            route_index=route_index,
            route_order=route_order,
            route_submissions=route_submissions,
            total=total,
            transfer_id=transfer_id,
        )

        payment.additional_properties = d
        return payment

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
