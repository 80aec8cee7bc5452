from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.recovery_status import RecoveryStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="Recovery")


@_attrs_define
class Recovery:
    """
    Attributes:
        created_at (str):
        endpoint_id (str):
        recovery_id (str):
        resent (int): failed deliveries sent again so far (each once)
        since (str): events created at or after this time (RFC 3339, UTC)
        skipped (int): failed deliveries found that another redelivery had already reopened
        status (RecoveryStatus):
        total (int): FAILED deliveries found since `since` when the job was accepted
        updated_at (str):
        completed_at (None | str | Unset):
        failure_reason (None | str | Unset):
    """

    created_at: str
    endpoint_id: str
    recovery_id: str
    resent: int
    since: str
    skipped: int
    status: RecoveryStatus
    total: int
    updated_at: str
    completed_at: None | str | Unset = UNSET
    failure_reason: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        endpoint_id = self.endpoint_id

        recovery_id = self.recovery_id

        resent = self.resent

        since = self.since

        skipped = self.skipped

        status = self.status.value

        total = self.total

        updated_at = self.updated_at

        completed_at: None | str | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        else:
            completed_at = self.completed_at

        failure_reason: None | str | Unset
        if isinstance(self.failure_reason, Unset):
            failure_reason = UNSET
        else:
            failure_reason = self.failure_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "endpoint_id": endpoint_id,
                "recovery_id": recovery_id,
                "resent": resent,
                "since": since,
                "skipped": skipped,
                "status": status,
                "total": total,
                "updated_at": updated_at,
            }
        )
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if failure_reason is not UNSET:
            field_dict["failure_reason"] = failure_reason

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = d.pop("created_at")

        endpoint_id = d.pop("endpoint_id")

        recovery_id = d.pop("recovery_id")

        resent = d.pop("resent")

        since = d.pop("since")

        skipped = d.pop("skipped")

        status = RecoveryStatus(d.pop("status"))

        total = d.pop("total")

        updated_at = d.pop("updated_at")

        def _parse_completed_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        def _parse_failure_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason", UNSET))

        recovery = cls(
            created_at=created_at,
            endpoint_id=endpoint_id,
            recovery_id=recovery_id,
            resent=resent,
            since=since,
            skipped=skipped,
            status=status,
            total=total,
            updated_at=updated_at,
            completed_at=completed_at,
            failure_reason=failure_reason,
        )

        recovery.additional_properties = d
        return recovery

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
