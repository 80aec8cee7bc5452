"""The reconciliation product's entities, their status enums and their lifecycle tables.

Entities (frozen, :class:`payrail.core.entity.Entity`; :mod:`payrail.reconciliation.records` is the
one place that turns them into DynamoDB items and back)::

    ReconciliationRun        one comparison of a provider's books with payrail's over a window
    ReconciliationException  one break a run found, with both sides' evidence, until resolved

Lifecycles (:class:`payrail.core.lifecycle.Lifecycle`): :data:`LIFECYCLE` (a run: a job like
settlement) and :data:`EXCEPTION_LIFECYCLE` (an exception: OPEN until an operator resolves it;
a resolution may post one journal, ``money`` on the move).
"""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field

from payrail.core.entity import Entity as CoreEntity
from payrail.core.lifecycle import Lifecycle, Move, StatusChange


class ReconciliationStatus(StrEnum):
    """The persisted states of a reconciliation run."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    CANCELLING = "CANCELLING"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class ExceptionStatus(StrEnum):
    """A reconciliation exception is OPEN until an operator resolves it (RESOLVED)."""

    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


class BreakClass(StrEnum):
    """The class every transfer of a run ends in (``float_drift`` is per provider, not per transfer;
    ``matched`` and ``deferred`` are not breaks)."""

    MATCHED = "matched"
    #: payrail captured; the provider never paid it, or failed it: money claimed but not sent
    MISSING_AT_PROVIDER = "missing_at_provider"
    #: the provider paid a transfer payrail has no record of, or a second one for one run
    UNKNOWN_TO_PAYRAIL = "unknown_to_payrail"
    #: payrail released the hold and the provider paid: the money left twice
    PAID_AFTER_RELEASE = "paid_after_release"
    AMOUNT_MISMATCH = "amount_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    #: still open on one side past the cut-off while the other side is final
    STATUS_MISMATCH = "status_mismatch"
    #: the provider's balance differs from the ledger's float + held for that provider
    FLOAT_DRIFT = "float_drift"
    #: not a break: payrail ended it in the day's last ``reconciliation_booking_grace_seconds``, the
    #: provider's file of the day holds no record of it and the next day's file is not in yet; the
    #: next day's run classifies it (``matched``, or ``missing_at_provider`` there)
    DEFERRED = "deferred"


#: the classes that are breaks (each one a reconciliation exception)
BREAKS = tuple(c for c in BreakClass if c not in (BreakClass.MATCHED, BreakClass.DEFERRED))


class Resolution(StrEnum):
    """How an operator resolves an exception. Three move money (one balanced journal each)."""

    #: paid_after_release: the beneficiary owes the amount (a receivable)
    RECEIVABLE = "receivable"
    #: paid_after_release: the amount is written off to the platform's loss account
    WRITE_OFF = "write_off"
    #: missing_at_provider: the capture is reversed (the money returns to the merchant)
    REVERSE_CAPTURE = "reverse_capture"
    #: any class: explained outside payrail (e.g. the provider corrected its file); no money moves
    ACKNOWLEDGE = "acknowledge"


#: the resolutions each class accepts
RESOLUTIONS: dict[BreakClass, tuple[Resolution, ...]] = {
    c: ((Resolution.RECEIVABLE, Resolution.WRITE_OFF) if c == BreakClass.PAID_AFTER_RELEASE else
        (Resolution.REVERSE_CAPTURE,) if c == BreakClass.MISSING_AT_PROVIDER else ()) + (Resolution.ACKNOWLEDGE,)
    for c in BREAKS}


class Entity(CoreEntity):
    """Reconciliation entities keep the attributes their items carry beyond their fields."""

    model_config = ConfigDict(frozen=True, defer_build=True, extra="allow", populate_by_name=True)

    def public(self) -> dict:
        """The entity as the API shows it (field aliases: a run's ``from``)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class ReconciliationRun(Entity):
    """One run: ``provider`` over ``[from, to]`` (UTC dates, inclusive), its source, progress
    (``shards_done`` of ``shards_total``), counts per class once COMPLETED, the report's key."""

    run_id: str
    provider: str
    from_: str = Field(alias="from")
    to: str
    source: str
    trigger: str
    status: ReconciliationStatus
    shards_total: int
    created_at: str
    updated_at: str
    status_history: list[StatusChange] = []
    counts: dict[str, int] | None = None
    rows: int | None = None
    report_key: str | None = None
    failure_reason: str | None = None
    float: dict[str, Any] | None = None


class ReconciliationException(Entity):
    """A break: its class, provider, transfer, both sides' records (``payrail``: the ledger's view
    with its journal ids; ``provider``: the provider's records), the merchant whose money it
    touches (None for a provider-wide break), and once RESOLVED the resolution, reason and journal."""

    exception_id: str
    run_id: str
    cls: BreakClass = Field(alias="class")
    provider: str
    transfer_id: str | None = None
    merchant_id: str | None = None
    status: ExceptionStatus
    evidence: dict[str, Any]
    created_at: str
    updated_at: str
    status_history: list[StatusChange] = []
    resolution: str | None = None
    reason: str | None = None
    journal_id: str | None = None
    resolved_by: str | None = None


RS, XS = ReconciliationStatus, ExceptionStatus

#: every allowed transition of a run (runs are the admin's: no move announces itself but
#: completion, ``reconciliation.completed``, written with the move by the service)
LIFECYCLE: Lifecycle[ReconciliationStatus] = Lifecycle("reconciliation", ReconciliationStatus, RS.QUEUED, moves=[
    Move(RS.QUEUED, RS.RUNNING, None),
    Move(RS.QUEUED, RS.CANCELLING, None),
    Move(RS.QUEUED, RS.FAILED, None),
    Move(RS.RUNNING, RS.COMPLETED, "reconciliation.completed"),
    Move(RS.RUNNING, RS.CANCELLING, None),
    Move(RS.RUNNING, RS.FAILED, None),
    Move(RS.CANCELLING, RS.CANCELLED, None),
    Move(RS.CANCELLING, RS.FAILED, None),
])

#: an exception is created OPEN (``reconciliation.exception``) and resolved once
EXCEPTION_LIFECYCLE: Lifecycle[ExceptionStatus] = Lifecycle(
    "reconciliation_exception", ExceptionStatus, XS.OPEN, created_event="reconciliation.exception", moves=[
        Move(XS.OPEN, XS.RESOLVED, "reconciliation.exception_resolved", money=True),
    ])
