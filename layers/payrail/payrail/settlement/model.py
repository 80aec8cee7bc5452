"""The settlement job: the entity the domain takes and returns (:class:`SettlementJob`; the API's
``SettlementJob`` is its public view), its statuses and its lifecycle table.
:mod:`payrail.settlement.records` is the one place that turns a job into items and back.

The table is the contract of :class:`payrail.settlement.service.Settlements`: every status change
is one of its moves (the conditional write on the state it leaves and the ``status_history``
append; for a merchant's job the move's ``settlement.*`` event in the same transaction, through
:meth:`payrail.core.lifecycle.Lifecycle.actions`). No move carries money: settlement reads the
ledger and writes a CSV. The state machine (``infra/asl/settlement.asl.json``) drives QUEUED →
RUNNING (Plan), RUNNING → COMPLETED (Finalize) and → FAILED (MarkFailed); its Choice state
``Route`` sends a job whose cancel was requested to ``Cancelled``.
"""
from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, Field

from payrail.core.entity import Entity
from payrail.core.lifecycle import Lifecycle, Move, StatusChange


class SettlementStatus(StrEnum):
    """The six persisted states of a settlement job."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    CANCELLING = "CANCELLING"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


SS = SettlementStatus
#: every allowed transition of a settlement job
LIFECYCLE: Lifecycle[SettlementStatus] = Lifecycle("settlement", SettlementStatus, SS.QUEUED,
                                                   created_event="settlement.created", moves=[
    Move(SS.QUEUED, SS.RUNNING, "settlement.running"),
    Move(SS.QUEUED, SS.CANCELLING, "settlement.cancel_requested"),
    Move(SS.QUEUED, SS.FAILED, "settlement.failed"),
    Move(SS.RUNNING, SS.COMPLETED, "settlement.completed"),
    Move(SS.RUNNING, SS.CANCELLING, "settlement.cancel_requested"),
    Move(SS.RUNNING, SS.FAILED, "settlement.failed"),
    Move(SS.CANCELLING, SS.CANCELLED, "settlement.cancelled"),
    Move(SS.CANCELLING, SS.FAILED, "settlement.failed"),
])


class SettlementTotals(Entity):
    """A completed job's sums over its rows (minor units; ``net = gross - fee``)."""

    gross: int
    fee: int
    net: int
    txn_count: int


class SettlementJob(Entity):
    """A settlement job as clients see it: its window, its progress (``slices_done`` a count,
    ``progress`` 0..1) and, once COMPLETED, its file (``report_key``), ``rows`` and ``totals``.
    Attributes an item carries beyond the fields are kept (``extra="allow"``)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    job_id: str
    scope: str
    from_: str = Field(alias="from")
    to: str
    shards: int
    slices_total: int = Field(description="slices of the job: days x shards until planned, then as planned")
    slices_done: int
    progress: float = Field(description="finished share of the job's slices, 0..1")
    trigger: str
    status: SettlementStatus = Field(
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

    def public(self) -> dict:
        """The job as the API shows it (``from`` by its name; unset fields left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
