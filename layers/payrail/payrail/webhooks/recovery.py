"""Recovery: every FAILED delivery of one endpoint, for events created since a time, sent again
as one background job with its progress (Svix's "recover failed messages since").

``POST /v1/webhook_endpoints/{id}/recover {since}`` creates a :class:`RecoveryJob` QUEUED (with
the count of FAILED deliveries found, ``total``) and puts its first step on the ``webhooks``
queue; an endpoint has at most one queued or running job (a second request while one runs
answers that one). Each step (one queue message) reads a page of the endpoint's FAILED index
(:class:`payrail.webhooks.records.DeliveryRecords`, oldest event first, from the cursor on),
reopens each delivery still FAILED — FAILED → pending, out of the index in the same transaction —
and enqueues one attempt for it through the usual delivery path (signed, logged, not retried if
it fails again), then records its progress and cursor (guarded by the cursor it read) and
enqueues the next step, or completes the job. A delivery is re-sent once: a reopened one has left
the index and the cursor has moved past it; a step run twice finds its reopens already made.
"""
from __future__ import annotations

from datetime import datetime, timezone

from payrail.core import clock
from payrail.core.errors import Conflict, NotFound, ValidationFailed
from payrail.core.events import RETENTION_SECONDS
from payrail.core.ids import time_ordered
from payrail.webhooks.delivery import attempt_message
from payrail.webhooks.endpoints import ENABLED, iso
from payrail.webhooks.model import DS, RECOVERY_LIFECYCLE, RJ, RecoveryJob, RecoveryStatus
from payrail.webhooks.records import RecoveryRecords

#: FAILED deliveries re-sent per step (one queue message)
PAGE = 50


def event_id_bound(at: float) -> str:
    """The smallest event id of an event created at or after ``at`` (epoch seconds)."""
    return f"evt_{int(at * 1000):012x}" + "0" * 12


def parse_since(since: str) -> float:
    """``since`` (RFC 3339 date or UTC time) as epoch seconds. Raises ValidationFailed (``since``)."""
    try:
        at = datetime.fromisoformat(since.removesuffix("Z"))
    except ValueError:
        raise ValidationFailed("since must be an RFC 3339 date or UTC time", param="since") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    if at.timestamp() > clock.now():
        raise ValidationFailed("since must not be in the future", param="since")
    return at.timestamp()


class Recoveries:
    """Recovery jobs of a merchant's endpoints, run on the deliveries' queue (module docstring).

    Args:
        deliveries: the :class:`payrail.webhooks.delivery.Deliveries` (records, queue, endpoints).
    """

    def __init__(self, deliveries):
        self.deliveries = deliveries
        self.records = RecoveryRecords(deliveries.table, deliveries.records.db)

    def start(self, merchant_id: str, endpoint_id: str, since: str) -> tuple[RecoveryJob, bool]:
        """Accept a recovery; returns ``(job, created)`` — ``created`` False when the
        endpoint's running job is answered instead.

        Raises:
            NotFound: no such endpoint. Conflict (``invalid_state``): the endpoint is disabled.
            ValidationFailed (``since``): not a time, or in the future.
        """
        at = parse_since(since)
        ep = self.deliveries.endpoints.get_raw(merchant_id, endpoint_id)
        if ep is None:
            raise NotFound("webhook endpoint not found", param="endpoint_id")
        if ep.status != ENABLED:
            raise Conflict("the webhook endpoint is disabled; enable it first", code="invalid_state",
                           param="endpoint_id")
        for _ in range(3):
            running = self.records.running(merchant_id, endpoint_id)
            if running and (job := self.records.get(merchant_id, endpoint_id, running)):
                return job, False
            now = clock.now()
            total = self.deliveries.records.count_failed_since(merchant_id, endpoint_id, event_id_bound(at))
            job = RecoveryJob(recovery_id=time_ordered("rcv", now), merchant_id=merchant_id, endpoint_id=endpoint_id,
                              since=iso(at), status=RJ.QUEUED, total=total, resent=0, skipped=0,
                              created_at=iso(now), updated_at=iso(now), expiration=int(now) + RETENTION_SECONDS)
            if self.records.create(job):
                self.deliveries.enqueue([step_message(job)])
                return job, True
        raise Conflict("another recovery of this endpoint started meanwhile; retry", code="concurrent_update")

    def get(self, merchant_id: str, endpoint_id: str, recovery_id: str) -> RecoveryJob:
        """A job. Raises NotFound."""
        job = self.records.get(merchant_id, endpoint_id, recovery_id)
        if job is None:
            raise NotFound("recovery not found", param="recovery_id")
        return job

    def step(self, msg: dict) -> str:
        """Run one step of a job (module docstring); returns what happened, for the logs."""
        job = self.records.get(msg["merchant_id"], msg["endpoint_id"], msg["recovery_id"])
        if job is None or job.status in RECOVERY_LIFECYCLE.final():
            return "recovery-done"
        now = iso(clock.now())
        if job.status == RJ.QUEUED:
            job = self._move(job, RJ.RUNNING, {"updated_at": now})
            if job is None:
                return "recovery-stale"
        d = self.deliveries
        ep = d.endpoints.get_raw(job.merchant_id, job.endpoint_id)
        if ep is None or ep.status != ENABLED:
            why = "the endpoint was deleted" if ep is None else "the endpoint was disabled"
            self._move(job, RJ.FAILED, {"updated_at": now, "completed_at": now, "failure_reason": why})
            return "recovery-failed"
        page = d.records.failed_since(job.merchant_id, job.endpoint_id, event_id_bound(_epoch(job.since)), PAGE,
                                      job.get("cursor"))
        resent, skipped, messages = 0, 0, []
        for event_id in page.data:
            delivery = d.records.get(job.merchant_id, event_id, job.endpoint_id)
            if delivery is not None and delivery.status == DS.FAILED and d.reopen(delivery):
                messages.append(attempt_message(job.merchant_id, event_id, job.endpoint_id, delivery.attempts, None,
                                                True))
                resent += 1
            else:
                skipped += 1
        d.enqueue(messages)
        done = not page.has_more
        sets = {"updated_at": now, "cursor": page.data[-1] if page.data else job.get("cursor")}
        if done:
            sets["completed_at"] = now
        after = self._move(job, RJ.COMPLETED if done else RJ.RUNNING, sets, {"resent": resent, "skipped": skipped})
        if after is None:
            return "recovery-stale"
        if not done:
            d.enqueue([step_message(after)])
        return "recovery"

    def _move(self, job: RecoveryJob, target: RecoveryStatus, sets: dict, adds: dict | None = None):
        RECOVERY_LIFECYCLE.move(job.status, target)
        return self.records.move(job, target, sets, adds)


def _epoch(ts: str) -> float:
    return datetime.fromisoformat(ts.removesuffix("Z")).replace(tzinfo=timezone.utc).timestamp()


def step_message(job: RecoveryJob) -> dict:
    """The queue message of a job's next step (grouped by its endpoint like its attempts)."""
    return {"kind": "recovery", "merchant_id": job.merchant_id, "endpoint_id": job.endpoint_id,
            "recovery_id": job.recovery_id, "event_id": None, "attempt": None}
