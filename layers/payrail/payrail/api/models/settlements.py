"""Settlement jobs: a window of UTC days summed into one CSV."""

from pydantic import ConfigDict, Field

from payrail.api.models import Model, StatusChange, Strict, of_enum, examples
from payrail.settlement.model import SettlementStatus

__all__ = ["WindowIn", "SettlementTotals", "SettlementJob"]


class WindowIn(Strict):
    from_: str = Field(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$", description="first UTC date, YYYY-MM-DD")
    to: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="last UTC date, inclusive")

    model_config = examples(
        {"from": "2026-03-01", "to": "2026-03-31"},
    )


class SettlementTotals(Model):
    gross: int
    fee: int
    net: int
    txn_count: int


class SettlementJob(Model):
    model_config = ConfigDict(populate_by_name=True)

    job_id: str
    scope: str
    from_: str = Field(alias="from")
    to: str
    shards: int
    slices_total: int = Field(description="slices of the job: days x shards until planned, then as planned")
    slices_done: int
    progress: float = Field(description="finished share of the job's slices, 0..1")
    trigger: str
    status: of_enum(SettlementStatus) = Field(
        description="QUEUED until the workflow's first step runs; the download link exists only once COMPLETED")
    created_at: str
    updated_at: str
    status_history: list[StatusChange]
    execution_arn: str | None = None
    report_key: str | None = None
    rows: int | None = None
    totals: SettlementTotals | None = None
    failure_reason: str | None = None
    download_url: str | None = Field(default=None, description="presigned URL of the CSV once COMPLETED")
