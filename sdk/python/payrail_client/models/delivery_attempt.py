from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.delivery_attempt_outcome import DeliveryAttemptOutcome
from ..types import UNSET, Unset

T = TypeVar("T", bound="DeliveryAttempt")


@_attrs_define
class DeliveryAttempt:
    """
    Attributes:
        at (str):
        attempt (int): 1 for the first attempt of a delivery
        attempt_id (str):
        endpoint_id (str):
        event_id (str):
        latency_ms (int):
        outcome (DeliveryAttemptOutcome):
        response_excerpt (str): the first 200 characters of the answer
        error (None | str | Unset):
        status_code (int | None | Unset):
    """

    at: str
    attempt: int
    attempt_id: str
    endpoint_id: str
    event_id: str
    latency_ms: int
    outcome: DeliveryAttemptOutcome
    response_excerpt: str
    error: None | str | Unset = UNSET
    status_code: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at

        attempt = self.attempt

        attempt_id = self.attempt_id

        endpoint_id = self.endpoint_id

        event_id = self.event_id

        latency_ms = self.latency_ms

        outcome = self.outcome.value

        response_excerpt = self.response_excerpt

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        status_code: int | None | Unset
        if isinstance(self.status_code, Unset):
            status_code = UNSET
        else:
            status_code = self.status_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "attempt": attempt,
                "attempt_id": attempt_id,
                "endpoint_id": endpoint_id,
                "event_id": event_id,
                "latency_ms": latency_ms,
                "outcome": outcome,
                "response_excerpt": response_excerpt,
            }
        )
        if error is not UNSET:
            field_dict["error"] = error
        if status_code is not UNSET:
            field_dict["status_code"] = status_code

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        at = d.pop("at")

        attempt = d.pop("attempt")

        attempt_id = d.pop("attempt_id")

        endpoint_id = d.pop("endpoint_id")

        event_id = d.pop("event_id")

        latency_ms = d.pop("latency_ms")

        outcome = DeliveryAttemptOutcome(d.pop("outcome"))

        response_excerpt = d.pop("response_excerpt")

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_status_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        status_code = _parse_status_code(d.pop("status_code", UNSET))

        delivery_attempt = cls(
            at=at,
            attempt=attempt,
            attempt_id=attempt_id,
            endpoint_id=endpoint_id,
            event_id=event_id,
            latency_ms=latency_ms,
            outcome=outcome,
            response_excerpt=response_excerpt,
            error=error,
            status_code=status_code,
        )

        delivery_attempt.additional_properties = d
        return delivery_attempt

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
