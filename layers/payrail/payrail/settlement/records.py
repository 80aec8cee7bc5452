"""The settlement job's items in the main table: the only code of ``payrail.settlement`` that knows
their keys, attributes and expressions.

Items: job ``pk = SETTLEMENT#<scope>#<job_id>`` (``slices_done`` a string set of finished slice
numbers, added to only while the job is RUNNING); the scope's slot counter
``pk = SETTLEMENT_SLOTS#<scope>`` (``active``: its jobs QUEUED, RUNNING or CANCELLING).
"""
from __future__ import annotations

from payrail.core import ddb
from payrail.core.events import EventLog
from payrail.core.ledger import now_iso
from payrail.core.store import SETTLEMENT, SETTLEMENT_ALL, SETTLEMENT_SLOTS, MainTable
from payrail.settlement.model import LIFECYCLE, SS


class SlotsTaken(Exception):
    """The scope runs its maximum of jobs (nothing was written)."""


class SettlementRecords:
    """Reads and guarded writes of settlement jobs. Args: main: the main table; events: the
    outbox (None: no events), for a merchant's job's ``settlement.*`` events."""

    def __init__(self, main: MainTable, events: EventLog | None):
        self.main, self.events = main, events

    @staticmethod
    def key(scope: str, job_id: str) -> str:
        return SETTLEMENT.key(scope, job_id)

    def get(self, scope: str, job_id: str, raw: bool = False) -> dict | None:
        """The job item as clients see it (``raw``: with its internal attributes), or None."""
        return self.main.get(self.key(scope, job_id), raw=raw)

    def status(self, scope: str, job_id: str) -> str | None:
        """The job's status alone (one consistent read of one attribute), or None."""
        r = self.main.db.get_item(TableName=self.main.table, Key={"pk": ddb.value(self.key(scope, job_id))},
                                  ProjectionExpression="#s", ExpressionAttributeNames={"#s": "status"},
                                  ConsistentRead=True)
        return (ddb.load(r.get("Item")) or {}).get("status")

    @staticmethod
    def new(job_id: str, scope: str, start: str, end: str, shards: int, slices_total: int, trigger: str,
            fingerprint: str | None, ts: str) -> dict:
        """A new QUEUED job's item."""
        return {"type": SETTLEMENT.type, "job_id": job_id, "scope": scope, "from": start, "to": end,
                "shards": shards, "slices_total": slices_total, "trigger": trigger, "status": LIFECYCLE.initial,
                "created_at": ts, "updated_at": ts, "request_fingerprint": fingerprint,
                "status_history": [{"status": LIFECYCLE.initial, "at": ts}]}

    def create(self, job: dict, max_active: int | None) -> bool:
        """Put the job, take one of its scope's slots (at most ``max_active``; None: no bound) and,
        for a merchant's job, its creation event, in one transaction. False when the job exists.

        Raises: SlotsTaken.
        """
        scope, job_id = job["scope"], job["job_id"]
        slot = self._slot_action(scope, +1)
        if max_active is not None:
            slot["Update"]["ConditionExpression"] = "attribute_not_exists(active) OR active < :max"
            slot["Update"]["ExpressionAttributeValues"][":max"] = ddb.value(max_active)
        actions = [self.main.put_action(self.key(scope, job_id), job), slot]
        if self.events and scope != SETTLEMENT_ALL:
            shown = {**job, "slices_done": 0, "progress": 0}  # the job as GET shows it (no slice done yet)
            actions.append(self.events.put_action(scope, LIFECYCLE.created_event, shown, job_id, 1, job["created_at"]))
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

    def attach_execution(self, scope: str, job_id: str, execution_arn: str) -> None:
        self.main.update(self.key(scope, job_id), "SET execution_arn = :e", {":e": execution_arn})

    def replan(self, scope: str, job_id: str, slices_total: int) -> None:
        """A retried plan of a RUNNING job: its slice count. Raises ConditionalCheckFailedException
        when it no longer runs."""
        self.main.update(self.key(scope, job_id), "SET slices_total = :n", {":n": slices_total, ":r": SS.RUNNING},
                         names={"#s": "status"}, condition="#s = :r")

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

    def transition(self, job: dict, sources: tuple[str, ...], target: str, sets: dict | None, detail: str | None,
                   extra: list[dict] = ()) -> bool:
        """Move ``job`` (as read) by its lifecycle table, with ``extra`` actions and, for a
        merchant's job, the move's event, in one transaction. False when the job changed meanwhile.
        Raises IllegalMove for a move the table lacks."""
        pk, scope = self.key(job["scope"], job["job_id"]), job["scope"]
        if self.events and scope != SETTLEMENT_ALL:
            actions = LIFECYCLE.actions(self.events, self.main, pk, job, target, sources=sources, id_field="job_id",
                                        sets=sets, detail=detail, merchant_id=scope)
        else:  # the admin's jobs announce nothing
            LIFECYCLE.check(sources, target)
            actions = [self.main.transition_action(pk, sources, target, sets, detail)]
        try:
            self.main.db.transact_write_items(TransactItems=actions + list(extra))
            return True
        except self.main.db.exceptions.TransactionCanceledException:
            return False

