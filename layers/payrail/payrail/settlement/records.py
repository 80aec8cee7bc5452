"""The settlement job's items in the main table: the only code of ``payrail.settlement`` that knows
their keys, attributes and expressions, and that turns items into :class:`SettlementJob` entities
(trusted items, built with :func:`payrail.core.entity.construct`: no validation on the hot path) and back.

Items: job ``pk = SETTLEMENT#<scope>#<job_id>`` (``slices_done`` a string set of finished slice
numbers, added to only while the job is RUNNING; a job the API created carries a ``due`` timer, its
start deadline, until the settlement sweep has looked at it); the scope's slot counter
``pk = SETTLEMENT_SLOTS#<scope>`` (``active``: its jobs QUEUED, RUNNING or CANCELLING).
"""
from __future__ import annotations

from payrail.core import ddb
from payrail.core.events import EventLog
from payrail.core.ledger import now_iso
from payrail.core.lifecycle import StatusChange
from payrail.core.entity import construct
from payrail.core.store import SETTLEMENT, SETTLEMENT_ALL, SETTLEMENT_SLOTS, MainTable, due, public
from payrail.settlement.model import LIFECYCLE, SS, SettlementJob, SettlementStatus


class SlotsTaken(Exception):
    """The scope runs its maximum of jobs (nothing was written)."""


def load(item: dict | None) -> SettlementJob | None:
    """A stored job item (internal attributes dropped) as the job clients see: ``slices_done`` the
    count of finished slices and ``progress`` their share (0..1) of ``slices_total``."""
    if item is None:
        return None
    data = public(dict(item))
    done = data.pop("slices_done", None) or set()
    total = data["slices_total"]
    data["slices_done"] = len(done)
    data["progress"] = round(min(len(done), total) / total, 4) if total else 1
    return construct(SettlementJob, data)


def as_shown(job: SettlementJob) -> dict:
    """The job's attributes as clients see them (the object of its events)."""
    return job.model_dump(by_alias=True, exclude_unset=True, exclude={"download_url"})


class SettlementRecords:
    """Reads and guarded writes of settlement jobs. Args: main: the main table; events: the
    outbox (None: no events), for a merchant's job's ``settlement.*`` events."""

    def __init__(self, main: MainTable, events: EventLog | None):
        self.main, self.events = main, events

    @staticmethod
    def key(scope: str, job_id: str) -> str:
        return SETTLEMENT.key(scope, job_id)

    def get(self, scope: str, job_id: str) -> SettlementJob | None:
        """The job, or None."""
        return load(self.main.get(self.key(scope, job_id)))

    def stored(self, scope: str, job_id: str) -> tuple[SettlementJob | None, str | None]:
        """The job (or None) and the fingerprint of the request that created it (an idempotent
        create checks it)."""
        item = self.main.get(self.key(scope, job_id), raw=True)
        return load(item), (item or {}).get("request_fingerprint")

    def status(self, scope: str, job_id: str) -> SettlementStatus | None:
        """The job's status alone (one consistent read of one attribute), or None."""
        r = self.main.db.get_item(TableName=self.main.table, Key={"pk": ddb.value(self.key(scope, job_id))},
                                  ProjectionExpression="#s", ExpressionAttributeNames={"#s": "status"},
                                  ConsistentRead=True)
        status = (ddb.load(r.get("Item")) or {}).get("status")
        return None if status is None else SettlementStatus(status)

    @staticmethod
    def new(job_id: str, scope: str, start: str, end: str, shards: int, slices_total: int, trigger: str,
            ts: str) -> SettlementJob:
        """A new QUEUED job (no slice done yet)."""
        return SettlementJob.model_construct(
            job_id=job_id, scope=scope, **{"from": start}, to=end, shards=shards, slices_total=slices_total,
            slices_done=0, progress=0, trigger=trigger, status=SettlementStatus(LIFECYCLE.initial), created_at=ts,
            updated_at=ts, status_history=[StatusChange.model_construct(status=LIFECYCLE.initial, at=ts)])

    def create(self, job: SettlementJob, max_active: int | None, fingerprint: str | None = None,
               start_by: str | None = None) -> bool:
        """Put the job (with the fingerprint of the request creating it), take one of its scope's
        slots (at most ``max_active``; None: no bound) and, for a merchant's job, its creation event,
        in one transaction. False when the job exists.

        Args:
            start_by: ISO time by which its workflow execution should have started it: the job's
                ``due`` timer, which the settlement sweep reads (None: no timer).

        Raises: SlotsTaken.
        """
        scope, job_id = job.scope, job.job_id
        shown = as_shown(job)  # the job as GET shows it (no slice done yet)
        item = {"type": SETTLEMENT.type, **{k: v for k, v in shown.items() if k not in ("slices_done", "progress")},
                "request_fingerprint": fingerprint, **(due(SETTLEMENT, job_id, start_by) if start_by else {})}
        slot = self._slot_action(scope, +1)
        if max_active is not None:
            slot["Update"]["ConditionExpression"] = "attribute_not_exists(active) OR active < :max"
            slot["Update"]["ExpressionAttributeValues"][":max"] = ddb.value(max_active)
        actions = [self.main.put_action(self.key(scope, job_id), item), slot]
        if self.events and scope != SETTLEMENT_ALL:
            actions.append(self.events.put_action(scope, LIFECYCLE.created_event, shown, job_id, 1, job.created_at))
        try:
            self.main.db.transact_write_items(TransactItems=actions)
        except self.main.db.exceptions.TransactionCanceledException as err:
            codes = ddb.cancellation_codes(err)
            if codes and codes[0] == "ConditionalCheckFailed":  # a concurrent request created it
                return False
            raise SlotsTaken() from None
        return True

    def _slot_action(self, scope: str, delta: int) -> dict:
        return {"Update": {"TableName": self.main.table, "Key": {"pk": ddb.value(SETTLEMENT_SLOTS.key(scope))},
                           "UpdateExpression": "ADD active :d", "ExpressionAttributeValues": {":d": ddb.value(delta)}}}

    def free_slot_action(self, scope: str) -> dict:
        """Give the scope's slot back (with a move to a final state)."""
        return self._slot_action(scope, -1)

    def past_start_by(self, now: str) -> list[SettlementJob]:
        """Jobs whose start deadline (``due`` timer) is at or before ``now`` (ISO time), oldest
        first, whatever their status (the index copy may lag: callers read the job again)."""
        return [load(item) for item in self.main.due_items(SETTLEMENT, now)]

    def disarm(self, scope: str, job_id: str) -> None:
        """Remove the job's start deadline (a no-op when it has none)."""
        try:
            self.main.update(self.key(scope, job_id), "REMOVE due_pk, due_sk", {}, condition="attribute_exists(pk)")
        except self.main.db.exceptions.ConditionalCheckFailedException:
            pass

    def attach_execution(self, scope: str, job_id: str, execution_arn: str) -> None:
        """Remember the job's workflow execution (a no-op when no such job exists: an update must not
        create a job item of its own)."""
        try:
            self.main.update(self.key(scope, job_id), "SET execution_arn = :e", {":e": execution_arn},
                             condition="attribute_exists(pk)")
        except self.main.db.exceptions.ConditionalCheckFailedException:
            pass

    #: a guard for moves a claimed report forbids (a cancel): see :meth:`claim_report`
    NOT_CLAIMED = "attribute_not_exists(report_claim)"

    def claim_report(self, scope: str, job_id: str) -> bool:
        """Claim the job's report while it runs (finalize's first write; a retry's claim holds
        again): from then on the job can no longer be cancelled. False when it no longer runs."""
        try:
            self.main.update(self.key(scope, job_id), "SET report_claim = if_not_exists(report_claim, :ts)",
                             {":ts": now_iso(), ":r": SS.RUNNING}, names={"#s": "status"}, condition="#s = :r")
        except self.main.db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def replan(self, scope: str, job_id: str, slices_total: int) -> bool:
        """A retried plan of a RUNNING job: its slice count. False when it no longer runs."""
        try:
            self.main.update(self.key(scope, job_id), "SET slices_total = :n", {":n": slices_total, ":r": SS.RUNNING},
                             names={"#s": "status"}, condition="#s = :r")
        except self.main.db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def count_slice(self, scope: str, job_id: str, number: int) -> bool:
        """Count slice ``number`` done while the job runs (a repeat counts once); False when it no
        longer runs."""
        try:
            self.main.db.update_item(
                TableName=self.main.table, Key={"pk": ddb.value(self.key(scope, job_id))},
                UpdateExpression="ADD slices_done :s SET updated_at = :ts", ConditionExpression="#st = :running",
                ExpressionAttributeNames={"#st": "status"},
                ExpressionAttributeValues={":s": ddb.value({str(number)}), ":ts": ddb.value(now_iso()),
                                           ":running": ddb.value(SS.RUNNING)})
        except self.main.db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def transition(self, job: SettlementJob, sources: tuple[str, ...], target: str, sets: dict | None,
                   detail: str | None, extra: list[dict] = (), guard: str | None = None) -> bool:
        """Move ``job`` (as read) by its lifecycle table, with ``extra`` actions and, for a
        merchant's job, the move's event, in one transaction. False when the job changed meanwhile
        (or ``guard``, one more condition on the job's item, does not hold).
        ``sets``: attributes set with the move (``report_key``, ``rows``, ``totals`` …).
        Raises IllegalMove for a move the table lacks."""
        pk, scope = self.key(job.scope, job.job_id), job.scope
        if self.events and scope != SETTLEMENT_ALL:
            actions = LIFECYCLE.actions(self.events, self.main, pk, as_shown(job), target, sources=sources,
                                        id_field="job_id",
                                        sets=sets, detail=detail, merchant_id=scope)
        else:  # the admin's jobs announce nothing
            LIFECYCLE.check(sources, target)
            actions = [self.main.transition_action(pk, sources, target, sets, detail)]
        if guard:
            update = next(a["Update"] for a in actions if a.get("Update", {}).get("Key") == {"pk": ddb.value(pk)})
            update["ConditionExpression"] = f"({update['ConditionExpression']}) AND {guard}"
        try:
            self.main.db.transact_write_items(TransactItems=actions + list(extra))
            return True
        except self.main.db.exceptions.TransactionCanceledException:
            return False

