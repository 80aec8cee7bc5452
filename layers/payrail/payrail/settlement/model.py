"""The settlement job's vocabulary: its statuses and its lifecycle table.

The table is the contract of :class:`payrail.settlement.service.Settlements`: every status change
is one of its moves (the conditional write on the state it leaves and the ``status_history``
append; for a merchant's job the move's ``settlement.*`` event in the same transaction, through
:meth:`payrail.core.lifecycle.Lifecycle.actions`). No move carries money: settlement reads the
ledger and writes a CSV. The state machine (``infra/asl/settlement.asl.json``) drives QUEUED →
RUNNING (Plan), RUNNING → COMPLETED (Finalize) and → FAILED (MarkFailed); its Choice state
``Route`` sends a job whose cancel was requested to ``Cancelled``.
"""
from enum import StrEnum

from payrail.core.lifecycle import Lifecycle, Move


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
