"""The operator's views and actions across merchants: payouts and payments by status and age,
holds still open past a bound, queue and DLQ depths, DLQ redrive, the ledger audit.

Payouts and payments are read through the ``main`` table's ``by_status`` index
(:meth:`payrail.core.store.MainTable.across`); open holds through the payouts' own reader of them
(:class:`payrail.payouts.holds.OpenHolds`, the one the hold sweep reads);
queue depths through SQS ``GetQueueAttributes`` (each queue's DLQ is found from its
``RedrivePolicy``); a redrive is SQS ``StartMessageMoveTask`` from the DLQ back to its source queue
(SQS moves the messages itself, at most ``max_per_second`` a second when given).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from payrail.core import clock
from payrail.core.entity import Page
from payrail.core.errors import Conflict, NotFound
from payrail.core.ledger import AuditReport as LedgerAudit  # noqa: F401 - the API's LedgerAudit derives from it
from payrail.core.store import PAYMENT, PAYOUT, Kind, MainTable

if TYPE_CHECKING:
    from payrail.core.ledger import Ledger
    from payrail.payments.model import Payment
    from payrail.payouts.holds import OpenHolds
    from payrail.payouts.model import Payout

#: SQS attributes read for a queue's depth
_DEPTH = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed")


class QueueDepth(BaseModel):
    """A queue's depth (SQS's approximate counts; the API's ``QueueDepth`` is this model)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    url: str
    messages: int = Field(description="ApproximateNumberOfMessages: visible, waiting for a consumer")
    in_flight: int = Field(description="ApproximateNumberOfMessagesNotVisible: received, not yet deleted")
    delayed: int = Field(description="ApproximateNumberOfMessagesDelayed")


class Queue(QueueDepth):
    """A queue of the catalog with its depth and its dead-letter queue's."""

    queue: str = Field(description="the queue's name in the catalog: fulfilment, payouts, payments, webhooks")
    dlq: QueueDepth | None = Field(description="its dead-letter queue")


class Redrive(BaseModel):
    """A DLQ redrive under way."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    queue: str
    task_handle: str = Field(description="the SQS message move task (StartMessageMoveTask)")
    messages: int = Field(description="messages in the DLQ when the move started (approximate)")


@dataclass(frozen=True)
class Holds:
    """Payouts still holding money, oldest first (each with ``held_since``, ISO time), and the age
    of the oldest listed (seconds; None when none is)."""

    data: list[Payout]
    has_more: bool
    older_than_seconds: int
    oldest_age_seconds: int | None

    def public(self) -> dict:
        """As the API shows it: each payout as ``GET /v1/payouts/{id}`` does."""
        return {"data": [p.model_dump(mode="json", exclude_unset=True, exclude={"held_since"}) for p in self.data],
                "has_more": self.has_more, "older_than_seconds": self.older_than_seconds,
                "oldest_age_seconds": self.oldest_age_seconds}


class _Attributes(NamedTuple):
    """What :meth:`Operations._depth` reads of a queue: its depth, its ARN and its DLQ's."""

    depth: QueueDepth
    arn: str | None
    dlq_arn: str | None


def iso_before(seconds: int, now: datetime | None = None) -> str:
    """The UTC time ``seconds`` ago, in payrail's ISO format (``2026-03-01T12:00:00.000000Z``)."""
    t = (now or clock.utcnow()) - timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Operations:
    """Cross-merchant reads and operator actions.

    Args:
        main: the ``main`` table.
        ledger: the ledger (for :meth:`audit`).
        sqs: a boto3 SQS client.
        queues: queue name (``payouts``, ``payments``, ``fulfilment``, ``webhooks``) -> its URL.
        holds: the open payout holds (for :meth:`holds`).
    """

    def __init__(self, main: MainTable, ledger: Ledger, sqs, queues: dict[str, str], holds: OpenHolds):
        self.main, self.ledger, self.sqs, self.open_holds = main, ledger, sqs, holds
        self.queues = {k: v for k, v in queues.items() if v}

    def _list(self, kind: Kind, statuses: tuple[str, ...], limit: int, older_than_seconds: int | None,
              created_from: str | None, created_to: str | None) -> dict:
        if older_than_seconds is not None:
            bound = iso_before(older_than_seconds)
            created_to = min(created_to, bound) if created_to else bound
        return self.main.across(kind, statuses, limit=limit, created_from=created_from, created_to=created_to)

    def payouts(self, status: str | None = None, *, limit: int = 10, older_than_seconds: int | None = None,
                created_from: str | None = None, created_to: str | None = None) -> Page[Payout]:
        """Payouts of every merchant in ``status`` (every status when None), oldest first, created
        at least ``older_than_seconds`` ago and within ``created_from``..``created_to`` (inclusive
        ISO 8601 bounds)."""
        from payrail.payouts.records import load_payout  # the domain's model: imported when used
        from payrail.payouts.workflow import PayoutStatus

        statuses = (status,) if status else tuple(s.value for s in PayoutStatus)
        page = self._list(PAYOUT, statuses, limit, older_than_seconds, created_from, created_to)
        return Page([load_payout(i) for i in page["data"]], page["has_more"])

    def payments(self, status: str | None = None, *, limit: int = 10, older_than_seconds: int | None = None,
                 created_from: str | None = None, created_to: str | None = None) -> Page[Payment]:
        """Mobile-money payments of every merchant, as :meth:`payouts`."""
        from payrail.payments.model import Payment
        from payrail.payments.workflow import PaymentStatus

        statuses = (status,) if status else tuple(s.value for s in PaymentStatus)
        page = self._list(PAYMENT, statuses, limit, older_than_seconds, created_from, created_to)
        return Page([Payment.of(i) for i in page["data"]], page["has_more"])

    def holds(self, older_than_seconds: int, *, limit: int = 10) -> Holds:
        """Payouts whose hold on the merchant's balance is still open (PENDING, IN_REVIEW,
        PROCESSING, ON_HOLD), held (since their creation or reinitiation) at least
        ``older_than_seconds``, oldest first, with the age of the oldest listed."""
        held = self.open_holds.oldest(limit + 1, older_than_seconds)
        oldest = None
        if held:
            since = datetime.strptime(held[0].held_since, "%Y-%m-%dT%H:%M:%S.%fZ")
            oldest = int((clock.utcnow() - since.replace(tzinfo=timezone.utc)).total_seconds())
        return Holds(held[:limit], len(held) > limit, older_than_seconds, oldest)

    # ---- queues --------------------------------------------------------------------------------
    def _depth(self, url: str) -> _Attributes:
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[*_DEPTH, "QueueArn", "RedrivePolicy"])
        a = a.get("Attributes", {})
        return _Attributes(QueueDepth(url=url, messages=int(a.get(_DEPTH[0], 0)), in_flight=int(a.get(_DEPTH[1], 0)),
                                            delayed=int(a.get(_DEPTH[2], 0))),
                           a.get("QueueArn"), json.loads(a["RedrivePolicy"])["deadLetterTargetArn"]
                           if a.get("RedrivePolicy") else None)

    def _dlq_url(self, arn: str) -> str:
        _, _, _, _, account, name = arn.split(":", 5)
        return self.sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]

    def _url(self, name: str) -> str:
        url = self.queues.get(name)
        if url is None:
            raise NotFound(f"no queue {name}; queues: {', '.join(sorted(self.queues))}", param="queue")
        return url

    def queue(self, name: str) -> Queue:
        """One queue's depth and its DLQ's (None when it has none). Raises NotFound."""
        q = self._depth(self._url(name))
        dlq = self._depth(self._dlq_url(q.dlq_arn)).depth if q.dlq_arn else None
        return Queue(queue=name, dlq=dlq, **q.depth.model_dump())

    def queue_depths(self) -> list[Queue]:
        """Every queue's :meth:`queue`, sorted by name."""
        return [self.queue(n) for n in sorted(self.queues)]

    def redrive(self, name: str, max_per_second: int | None = None) -> Redrive:
        """Start moving every message of ``name``'s DLQ back to ``name`` (SQS
        ``StartMessageMoveTask``); ``messages`` is the DLQ's approximate depth when the task started.

        Raises:
            NotFound: no such queue.
            Conflict (``invalid_state``): the queue has no DLQ, or a move task is already running.
        """
        q = self._depth(self._url(name))
        if not q.dlq_arn:
            raise Conflict(f"queue {name} has no DLQ", code="invalid_state")
        dlq = self._depth(self._dlq_url(q.dlq_arn))
        kw = {"SourceArn": q.dlq_arn, "DestinationArn": q.arn}
        if max_per_second:
            kw["MaxNumberOfMessagesPerSecond"] = max_per_second
        try:
            handle = self.sqs.start_message_move_task(**kw)["TaskHandle"]
        except self.sqs.exceptions.ClientError as e:
            code = e.response.get("Error", {}).get("Code", "")
            if "UnsupportedOperation" in code or "AlreadyExists" in code or "InvalidParameter" in code:
                raise Conflict(f"cannot start a redrive of {name}: {e.response['Error'].get('Message', code)}",
                               code="invalid_state") from None
            raise
        return Redrive(queue=name, task_handle=handle, messages=dlq.depth.messages)

    # ---- the ledger ----------------------------------------------------------------------------
    def audit(self) -> LedgerAudit:
        """:func:`payrail.core.ledger.audit` of the whole ledger (a scan: its cost grows with the ledger)."""
        from payrail.core.ledger import audit

        return audit(self.ledger)
