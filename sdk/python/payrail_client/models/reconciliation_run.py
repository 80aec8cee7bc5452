from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.reconciliation_run_status import ReconciliationRunStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.reconciliation_float import ReconciliationFloat
    from ..models.reconciliation_run_counts_type_0 import ReconciliationRunCountsType0
    from ..models.status_change import StatusChange


T = TypeVar("T", bound="ReconciliationRun")


@_attrs_define
class ReconciliationRun:
    """
    Attributes:
        created_at (str):
        from_ (str):
        progress (float): finished share of the run's shards, 0..1
        provider (str):
        run_id (str):
        shards_done (int):
        shards_total (int):
        source (str): where the provider's side was read: list_api, status_lookup or settlement_file
        status (ReconciliationRunStatus): the report link exists only once COMPLETED
        status_history (list[StatusChange]):
        to (str):
        trigger (str): api, schedule or settlement_file
        updated_at (str):
        counts (None | ReconciliationRunCountsType0 | Unset): transfers per class once COMPLETED (float_drift: 0 or 1)
        download_url (None | str | Unset): presigned URL of the report CSV once COMPLETED
        failure_reason (None | str | Unset):
        float_ (None | ReconciliationFloat | Unset):
        report_key (None | str | Unset):
        rows (int | None | Unset): transfers in the report
    """

    created_at: str
    from_: str
    progress: float
    provider: str
    run_id: str
    shards_done: int
    shards_total: int
    source: str
    status: ReconciliationRunStatus
    status_history: list[StatusChange]
    to: str
    trigger: str
    updated_at: str
    counts: None | ReconciliationRunCountsType0 | Unset = UNSET
    download_url: None | str | Unset = UNSET
    failure_reason: None | str | Unset = UNSET
    float_: None | ReconciliationFloat | Unset = UNSET
    report_key: None | str | Unset = UNSET
    rows: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.reconciliation_float import ReconciliationFloat
        from ..models.reconciliation_run_counts_type_0 import (
            ReconciliationRunCountsType0,
        )

        created_at = self.created_at

        from_ = self.from_

        progress = self.progress

        provider = self.provider

        run_id = self.run_id

        shards_done = self.shards_done

        shards_total = self.shards_total

        source = self.source

        status = self.status.value

        status_history = []
        for status_history_item_data in self.status_history:
            status_history_item = status_history_item_data.to_dict()
            status_history.append(status_history_item)

        to = self.to

        trigger = self.trigger

        updated_at = self.updated_at

        counts: dict[str, Any] | None | Unset
        if isinstance(self.counts, Unset):
            counts = UNSET
        elif isinstance(self.counts, ReconciliationRunCountsType0):
            counts = self.counts.to_dict()
        else:
            counts = self.counts

        download_url: None | str | Unset
        if isinstance(self.download_url, Unset):
            download_url = UNSET
        else:
            download_url = self.download_url

        failure_reason: None | str | Unset
        if isinstance(self.failure_reason, Unset):
            failure_reason = UNSET
        else:
            failure_reason = self.failure_reason

        float_: dict[str, Any] | None | Unset
        if isinstance(self.float_, Unset):
            float_ = UNSET
        elif isinstance(self.float_, ReconciliationFloat):
            float_ = self.float_.to_dict()
        else:
            float_ = self.float_

        report_key: None | str | Unset
        if isinstance(self.report_key, Unset):
            report_key = UNSET
        else:
            report_key = self.report_key

        rows: int | None | Unset
        if isinstance(self.rows, Unset):
            rows = UNSET
        else:
            rows = self.rows

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "from": from_,
                "progress": progress,
                "provider": provider,
                "run_id": run_id,
                "shards_done": shards_done,
                "shards_total": shards_total,
                "source": source,
                "status": status,
                "status_history": status_history,
                "to": to,
                "trigger": trigger,
                "updated_at": updated_at,
            }
        )
        if counts is not UNSET:
            field_dict["counts"] = counts
        if download_url is not UNSET:
            field_dict["download_url"] = download_url
        if failure_reason is not UNSET:
            field_dict["failure_reason"] = failure_reason
        if float_ is not UNSET:
            field_dict["float"] = float_
        if report_key is not UNSET:
            field_dict["report_key"] = report_key
        if rows is not UNSET:
            field_dict["rows"] = rows

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.reconciliation_float import ReconciliationFloat
        from ..models.reconciliation_run_counts_type_0 import (
            ReconciliationRunCountsType0,
        )
        from ..models.status_change import StatusChange

        d = dict(src_dict)
        created_at = d.pop("created_at")

        from_ = d.pop("from")

        progress = d.pop("progress")

        provider = d.pop("provider")

        run_id = d.pop("run_id")

        shards_done = d.pop("shards_done")

        shards_total = d.pop("shards_total")

        source = d.pop("source")

        status = ReconciliationRunStatus(d.pop("status"))

        status_history = []
        _status_history = d.pop("status_history")
        for status_history_item_data in _status_history:
            status_history_item = StatusChange.from_dict(status_history_item_data)

            status_history.append(status_history_item)

        to = d.pop("to")

        trigger = d.pop("trigger")

        updated_at = d.pop("updated_at")

        def _parse_counts(data: object) -> None | ReconciliationRunCountsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                counts_type_0 = ReconciliationRunCountsType0.from_dict(data)

                return counts_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReconciliationRunCountsType0 | Unset, data)

        counts = _parse_counts(d.pop("counts", UNSET))

        def _parse_download_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        download_url = _parse_download_url(d.pop("download_url", UNSET))

        def _parse_failure_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason", UNSET))

        def _parse_float_(data: object) -> None | ReconciliationFloat | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                float_type_0 = ReconciliationFloat.from_dict(data)

                return float_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReconciliationFloat | Unset, data)

        float_ = _parse_float_(d.pop("float", UNSET))

        def _parse_report_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        report_key = _parse_report_key(d.pop("report_key", UNSET))

        def _parse_rows(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rows = _parse_rows(d.pop("rows", UNSET))

        reconciliation_run = cls(
            created_at=created_at,
            from_=from_,
            progress=progress,
            provider=provider,
            run_id=run_id,
            shards_done=shards_done,
            shards_total=shards_total,
            source=source,
            status=status,
            status_history=status_history,
            to=to,
            trigger=trigger,
            updated_at=updated_at,
            counts=counts,
            download_url=download_url,
            failure_reason=failure_reason,
            float_=float_,
            report_key=report_key,
            rows=rows,
        )

        reconciliation_run.additional_properties = d
        return reconciliation_run

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
