"""The operator's views and actions across merchants: payouts and payments by status and age,
holds still open past a bound, queue and DLQ depths, DLQ redrive, the ledger audit.

Reads go through the ``main`` table's ``by_status`` index (:meth:`payrail.core.store.MainTable.across`);
queue depths through SQS ``GetQueueAttributes`` (each queue's DLQ is found from its
``RedrivePolicy``); a redrive is SQS ``StartMessageMoveTask`` from the DLQ back to its source queue
(SQS moves the messages itself, at most ``max_per_second`` a second when given).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from payrail.core import clock
from payrail.core.errors import Conflict, NotFound
from payrail.payments.workflow import PaymentStatus
from payrail.payouts.workflow import HELD, PayoutStatus
from payrail.core.store import PAYMENT, PAYOUT, Kind, MainTable

#: SQS attributes read for a queue's depth
_DEPTH = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed")


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
    """

    def __init__(self, main: MainTable, ledger, sqs, queues: dict[str, str]):
        self.main, self.ledger, self.sqs = main, ledger, sqs
        self.queues = {k: v for k, v in queues.items() if v}

    def _list(self, kind: Kind, statuses: tuple[str, ...], limit: int, older_than_seconds: int | None,
              created_from: str | None, created_to: str | None) -> dict:
        if older_than_seconds is not None:
            bound = iso_before(older_than_seconds)
            created_to = min(created_to, bound) if created_to else bound
        return self.main.across(kind, statuses, limit=limit, created_from=created_from, created_to=created_to)

    def payouts(self, status: str | None = None, *, limit: int = 10, older_than_seconds: int | None = None,
                created_from: str | None = None, created_to: str | None = None) -> dict:
        """Payouts of every merchant in ``status`` (every status when None), oldest first, created
        at least ``older_than_seconds`` ago and within ``created_from``..``created_to`` (inclusive
        ISO 8601 bounds): ``{"data": [payout, ...], "has_more": bool}``."""
        statuses = (status,) if status else tuple(s.value for s in PayoutStatus)
        return self._list(PAYOUT, statuses, limit, older_than_seconds, created_from, created_to)

    def payments(self, status: str | None = None, *, limit: int = 10, older_than_seconds: int | None = None,
                 created_from: str | None = None, created_to: str | None = None) -> dict:
        """Mobile-money payments of every merchant, as :meth:`payouts`."""
        statuses = (status,) if status else tuple(s.value for s in PaymentStatus)
        return self._list(PAYMENT, statuses, limit, older_than_seconds, created_from, created_to)

    def holds(self, older_than_seconds: int, *, limit: int = 10) -> dict:
        """Payouts whose hold on the merchant's balance is still open (PENDING, IN_REVIEW,
        PROCESSING, ON_HOLD) and that were created at least ``older_than_seconds`` ago, oldest
        first: ``{"data", "has_more", "older_than_seconds", "oldest_age_seconds"}`` (the age of
        the oldest listed, None when there is none)."""
        page = self._list(PAYOUT, tuple(s.value for s in HELD), limit, older_than_seconds, None, None)
        oldest = None
        if page["data"]:
            created = datetime.strptime(page["data"][0]["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
            oldest = int((clock.utcnow() - created.replace(tzinfo=timezone.utc)).total_seconds())
        return page | {"older_than_seconds": older_than_seconds, "oldest_age_seconds": oldest}

    # ---- queues --------------------------------------------------------------------------------
    def _depth(self, url: str) -> dict:
        a = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[*_DEPTH, "QueueArn", "RedrivePolicy"])
        a = a.get("Attributes", {})
        return {"url": url, "arn": a.get("QueueArn"), "messages": int(a.get(_DEPTH[0], 0)),
                "in_flight": int(a.get(_DEPTH[1], 0)), "delayed": int(a.get(_DEPTH[2], 0)),
                "dlq_arn": json.loads(a["RedrivePolicy"])["deadLetterTargetArn"] if a.get("RedrivePolicy") else None}

    def _dlq_url(self, arn: str) -> str:
        _, _, _, _, account, name = arn.split(":", 5)
        return self.sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]

    def queue(self, name: str) -> dict:
        """One queue's depth and its DLQ's: ``{"queue", "url", "messages", "in_flight", "delayed",
        "dlq": {"url", "messages", "in_flight", "delayed"} | None}``. Raises NotFound."""
        url = self.queues.get(name)
        if url is None:
            raise NotFound(f"no queue {name}; queues: {', '.join(sorted(self.queues))}", param="queue")
        q = self._depth(url)
        dlq = self._depth(self._dlq_url(q["dlq_arn"])) if q["dlq_arn"] else None
        strip = ("arn", "dlq_arn")
        return {"queue": name, **{k: v for k, v in q.items() if k not in strip},
                "dlq": {k: v for k, v in dlq.items() if k not in strip} if dlq else None}

    def queue_depths(self) -> dict:
        """Every queue's :meth:`queue`: ``{"data": [...]}`` (sorted by name)."""
        return {"data": [self.queue(n) for n in sorted(self.queues)]}

    def redrive(self, name: str, max_per_second: int | None = None) -> dict:
        """Start moving every message of ``name``'s DLQ back to ``name`` (SQS
        ``StartMessageMoveTask``): ``{"queue", "task_handle", "messages"}`` (``messages``: the
        DLQ's approximate depth when the task started).

        Raises:
            NotFound: no such queue.
            Conflict (``invalid_state``): the queue has no DLQ, or a move task is already running.
        """
        url = self.queues.get(name)
        if url is None:
            raise NotFound(f"no queue {name}; queues: {', '.join(sorted(self.queues))}", param="queue")
        q = self._depth(url)
        if not q["dlq_arn"]:
            raise Conflict(f"queue {name} has no DLQ", code="invalid_state")
        dlq = self._depth(self._dlq_url(q["dlq_arn"]))
        kw = {"SourceArn": q["dlq_arn"], "DestinationArn": q["arn"]}
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
        return {"queue": name, "task_handle": handle, "messages": dlq["messages"]}

    # ---- the ledger ----------------------------------------------------------------------------
    def audit(self) -> dict:
        """:func:`payrail.core.ledger.audit` of the whole ledger (a scan: its cost grows with the ledger)."""
        from payrail.core.ledger import audit

        return audit(self.ledger)
