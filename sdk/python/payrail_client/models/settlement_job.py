from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.settlement_job_status import SettlementJobStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.settlement_totals import SettlementTotals
    from ..models.status_change import StatusChange


T = TypeVar("T", bound="SettlementJob")


@_attrs_define
class SettlementJob:
    """
    Attributes:
        created_at (str):
        from_ (str):
        job_id (str):
        progress (float): finished share of the job's slices, 0..1
        scope (str):
        shards (int):
        slices_done (int):
        slices_total (int): slices of the job: days x shards until planned, then as planned
        status (SettlementJobStatus): QUEUED until the workflow's first step runs; the download link exists only once
            COMPLETED
        status_history (list[StatusChange]):
        to (str):
        trigger (str):
        updated_at (str):
        download_url (None | str | Unset): presigned URL of the CSV once COMPLETED
        execution_arn (None | str | Unset):
        failure_reason (None | str | Unset):
        report_key (None | str | Unset):
        rows (int | None | Unset):
        totals (None | SettlementTotals | Unset):
    """

    created_at: str
    from_: str
    job_id: str
    progress: float
    scope: str
    shards: int
    slices_done: int
    slices_total: int
    status: SettlementJobStatus
    status_history: list[StatusChange]
    to: str
    trigger: str
    updated_at: str
    download_url: None | str | Unset = UNSET
    execution_arn: None | str | Unset = UNSET
    failure_reason: None | str | Unset = UNSET
    report_key: None | str | Unset = UNSET
    rows: int | None | Unset = UNSET
    totals: None | SettlementTotals | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.settlement_totals import SettlementTotals

        created_at = self.created_at

        from_ = self.from_

        job_id = self.job_id

        progress = self.progress

        scope = self.scope

        shards = self.shards

        slices_done = self.slices_done

        slices_total = self.slices_total

        status = self.status.value

        status_history = []
        for status_history_item_data in self.status_history:
            status_history_item = status_history_item_data.to_dict()
            status_history.append(status_history_item)

        to = self.to

        trigger = self.trigger

        updated_at = self.updated_at

        download_url: None | str | Unset
        if isinstance(self.download_url, Unset):
            download_url = UNSET
        else:
            download_url = self.download_url

        execution_arn: None | str | Unset
        if isinstance(self.execution_arn, Unset):
            execution_arn = UNSET
        else:
            execution_arn = self.execution_arn

        failure_reason: None | str | Unset
        if isinstance(self.failure_reason, Unset):
            failure_reason = UNSET
        else:
            failure_reason = self.failure_reason

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

        totals: dict[str, Any] | None | Unset
        if isinstance(self.totals, Unset):
            totals = UNSET
        elif isinstance(self.totals, SettlementTotals):
            totals = self.totals.to_dict()
        else:
            totals = self.totals

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "from": from_,
                "job_id": job_id,
                "progress": progress,
                "scope": scope,
                "shards": shards,
                "slices_done": slices_done,
                "slices_total": slices_total,
                "status": status,
                "status_history": status_history,
                "to": to,
                "trigger": trigger,
                "updated_at": updated_at,
            }
        )
        if download_url is not UNSET:
            field_dict["download_url"] = download_url
        if execution_arn is not UNSET:
            field_dict["execution_arn"] = execution_arn
        if failure_reason is not UNSET:
            field_dict["failure_reason"] = failure_reason
        if report_key is not UNSET:
            field_dict["report_key"] = report_key
        if rows is not UNSET:
            field_dict["rows"] = rows
        if totals is not UNSET:
            field_dict["totals"] = totals

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.settlement_totals import SettlementTotals
        from ..models.status_change import StatusChange

        d = dict(src_dict)
        created_at = d.pop("created_at")

        from_ = d.pop("from")

        job_id = d.pop("job_id")

        progress = d.pop("progress")

        scope = d.pop("scope")

        shards = d.pop("shards")

        slices_done = d.pop("slices_done")

        slices_total = d.pop("slices_total")

        status = SettlementJobStatus(d.pop("status"))

        status_history = []
        _status_history = d.pop("status_history")
        for status_history_item_data in _status_history:
            status_history_item = StatusChange.from_dict(status_history_item_data)

            status_history.append(status_history_item)

        to = d.pop("to")

        trigger = d.pop("trigger")

        updated_at = d.pop("updated_at")

        def _parse_download_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        download_url = _parse_download_url(d.pop("download_url", UNSET))

        def _parse_execution_arn(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        execution_arn = _parse_execution_arn(d.pop("execution_arn", UNSET))

        def _parse_failure_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason", UNSET))

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

        def _parse_totals(data: object) -> None | SettlementTotals | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                totals_type_0 = SettlementTotals.from_dict(data)

                return totals_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SettlementTotals | Unset, data)

        totals = _parse_totals(d.pop("totals", UNSET))

        settlement_job = cls(
            created_at=created_at,
            from_=from_,
            job_id=job_id,
            progress=progress,
            scope=scope,
            shards=shards,
            slices_done=slices_done,
            slices_total=slices_total,
            status=status,
            status_history=status_history,
            to=to,
            trigger=trigger,
            updated_at=updated_at,
            download_url=download_url,
            execution_arn=execution_arn,
            failure_reason=failure_reason,
            report_key=report_key,
            rows=rows,
            totals=totals,
        )

        settlement_job.additional_properties = d
        return settlement_job

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
