from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.reconciliation_exception_class import ReconciliationExceptionClass
from ..models.reconciliation_exception_resolution_type_0 import (
    ReconciliationExceptionResolutionType0,
)
from ..models.reconciliation_exception_status import ReconciliationExceptionStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.reconciliation_exception_evidence import (
        ReconciliationExceptionEvidence,
    )
    from ..models.status_change import StatusChange


T = TypeVar("T", bound="ReconciliationException")


@_attrs_define
class ReconciliationException:
    """
    Attributes:
        class_ (ReconciliationExceptionClass):
        created_at (str):
        evidence (ReconciliationExceptionEvidence): payrail: the ledger's record of the transfer; provider: the
            provider's records; journal_ids; float for float_drift
        exception_id (str):
        provider (str):
        run_id (str): the run that found it
        status (ReconciliationExceptionStatus):
        status_history (list[StatusChange]):
        updated_at (str):
        journal_id (None | str | Unset): the resolution's journal, where money moved
        merchant_id (None | str | Unset): whose money it touches (None: provider-wide)
        reason (None | str | Unset):
        resolution (None | ReconciliationExceptionResolutionType0 | Unset):
        resolved_by (None | str | Unset):
        transfer_id (None | str | Unset):
    """

    class_: ReconciliationExceptionClass
    created_at: str
    evidence: ReconciliationExceptionEvidence
    exception_id: str
    provider: str
    run_id: str
    status: ReconciliationExceptionStatus
    status_history: list[StatusChange]
    updated_at: str
    journal_id: None | str | Unset = UNSET
    merchant_id: None | str | Unset = UNSET
    reason: None | str | Unset = UNSET
    resolution: None | ReconciliationExceptionResolutionType0 | Unset = UNSET
    resolved_by: None | str | Unset = UNSET
    transfer_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        class_ = self.class_.value

        created_at = self.created_at

        evidence = self.evidence.to_dict()

        exception_id = self.exception_id

        provider = self.provider

        run_id = self.run_id

        status = self.status.value

        status_history = []
        for status_history_item_data in self.status_history:
            status_history_item = status_history_item_data.to_dict()
            status_history.append(status_history_item)

        updated_at = self.updated_at

        journal_id: None | str | Unset
        if isinstance(self.journal_id, Unset):
            journal_id = UNSET
        else:
            journal_id = self.journal_id

        merchant_id: None | str | Unset
        if isinstance(self.merchant_id, Unset):
            merchant_id = UNSET
        else:
            merchant_id = self.merchant_id

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        resolution: None | str | Unset
        if isinstance(self.resolution, Unset):
            resolution = UNSET
        elif isinstance(self.resolution, ReconciliationExceptionResolutionType0):
            resolution = self.resolution.value
        else:
            resolution = self.resolution

        resolved_by: None | str | Unset
        if isinstance(self.resolved_by, Unset):
            resolved_by = UNSET
        else:
            resolved_by = self.resolved_by

        transfer_id: None | str | Unset
        if isinstance(self.transfer_id, Unset):
            transfer_id = UNSET
        else:
            transfer_id = self.transfer_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "class": class_,
                "created_at": created_at,
                "evidence": evidence,
                "exception_id": exception_id,
                "provider": provider,
                "run_id": run_id,
                "status": status,
                "status_history": status_history,
                "updated_at": updated_at,
            }
        )
        if journal_id is not UNSET:
            field_dict["journal_id"] = journal_id
        if merchant_id is not UNSET:
            field_dict["merchant_id"] = merchant_id
        if reason is not UNSET:
            field_dict["reason"] = reason
        if resolution is not UNSET:
            field_dict["resolution"] = resolution
        if resolved_by is not UNSET:
            field_dict["resolved_by"] = resolved_by
        if transfer_id is not UNSET:
            field_dict["transfer_id"] = transfer_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.reconciliation_exception_evidence import (
            ReconciliationExceptionEvidence,
        )
        from ..models.status_change import StatusChange

        d = dict(src_dict)
        class_ = ReconciliationExceptionClass(d.pop("class"))

        created_at = d.pop("created_at")

        evidence = ReconciliationExceptionEvidence.from_dict(d.pop("evidence"))

        exception_id = d.pop("exception_id")

        provider = d.pop("provider")

        run_id = d.pop("run_id")

        status = ReconciliationExceptionStatus(d.pop("status"))

        status_history = []
        _status_history = d.pop("status_history")
        for status_history_item_data in _status_history:
            status_history_item = StatusChange.from_dict(status_history_item_data)

            status_history.append(status_history_item)

        updated_at = d.pop("updated_at")

        def _parse_journal_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        journal_id = _parse_journal_id(d.pop("journal_id", UNSET))

        def _parse_merchant_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        merchant_id = _parse_merchant_id(d.pop("merchant_id", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        def _parse_resolution(
            data: object,
        ) -> None | ReconciliationExceptionResolutionType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolution_type_0 = ReconciliationExceptionResolutionType0(data)

                return resolution_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReconciliationExceptionResolutionType0 | Unset, data)

        resolution = _parse_resolution(d.pop("resolution", UNSET))

        def _parse_resolved_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resolved_by = _parse_resolved_by(d.pop("resolved_by", UNSET))

        def _parse_transfer_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        transfer_id = _parse_transfer_id(d.pop("transfer_id", UNSET))

        reconciliation_exception = cls(
            class_=class_,
            created_at=created_at,
            evidence=evidence,
            exception_id=exception_id,
            provider=provider,
            run_id=run_id,
            status=status,
            status_history=status_history,
            updated_at=updated_at,
            journal_id=journal_id,
            merchant_id=merchant_id,
            reason=reason,
            resolution=resolution,
            resolved_by=resolved_by,
            transfer_id=transfer_id,
        )

        reconciliation_exception.additional_properties = d
        return reconciliation_exception

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
