"""Data access of the webhook product: the one place that knows its items' shapes, keys and
expressions (table ``webhooks``). One class per aggregate:

* :class:`EndpointRecords` — endpoints, ``pk = WE#<merchant>``, ``sk = <endpoint_id>``;
* :class:`DeliveryRecords` — deliveries, ``pk = DLV#<merchant>#<event_id>``, ``sk = <endpoint_id>``,
  their attempts ``pk = ATT#<merchant>#<endpoint_id>``, ``sk = <attempt_id>``, and the two indexes
  deliveries keep in the same table (below);
* :class:`RecoveryRecords` — recovery jobs, ``pk = RCV#<merchant>#<endpoint_id>``, ``sk = <recovery_id>``,
  and the endpoint's one running job, ``sk = running``;
* :class:`SlotRecords` — the per-endpoint in-flight slots, ``pk = SLOTS#<endpoint_id>``, ``sk = slots``.

**The delivery indexes** are items of the same table whose keys are the index (no GSI, strongly
consistent, written by the worker that changes the delivery):

* ``FAILED#<merchant>#<endpoint_id>`` / ``<event_id>``: one item per FAILED delivery of the
  endpoint, put in the same transaction as the move to FAILED and deleted in the same transaction
  as the move out of it (a redelivery or a recovery). A recovery since a time is one query from
  the event id bound of that time (event ids are time-ordered).
* ``DLVOK#<merchant>#<false|true>`` / ``<event_id>``: an event is in ``false`` while one of its
  deliveries' latest outcome is a failure (FAILED, or pending again after a failed attempt: no
  later success), in ``true`` once every delivery is delivered, in neither while none was
  attempted. Written after each attempt's outcome from a consistent read of the event's
  deliveries (at most one per endpoint), then read again until the read confirms what was
  written, so concurrent outcomes of one event's deliveries converge on the last state.
  ``GET /v1/events?delivery_success=…`` is one query of a partition, newest first, paged by event id.

Every index item expires with the events (``expiration``).
"""
from __future__ import annotations

import random
from typing import Any, Iterable, TypeVar

from botocore.exceptions import ClientError

from payrail.core import ddb
from payrail.core.entity import Page, construct
from payrail.core.errors import NotFound
from payrail.webhooks.model import (DS, AttemptOutcome, DeliveryAttempt, EndpointStatus, Entity, RecoveryJob,
                                    RecoveryStatus, WebhookDelivery, WebhookEndpoint)

E = TypeVar("E", bound=Entity)
_KEYS = ("pk", "sk")


def load(cls: type[E], item: dict | None) -> E | None:
    """A stored item (keys dropped) as entity ``cls``, unvalidated (payrail wrote it)."""
    return None if item is None else construct(cls, {k: v for k, v in item.items() if k not in _KEYS})


def as_item(entity: Entity) -> dict:
    """The entity's attributes as stored (enums as their values)."""
    return entity.model_dump(mode="json", exclude_unset=True)


def _update_expression(sets: dict, removes: Iterable[str] = (), adds: dict | None = None) -> dict:
    """``UpdateExpression`` with names and values: SET ``sets`` (None values are removed), ADD
    ``adds``, REMOVE ``removes``."""
    names, values, set_parts, rm_parts, add_parts = {}, {}, [], [], []
    removes = list(removes) + [k for k, v in sets.items() if v is None]
    for i, (k, v) in enumerate((k, v) for k, v in sets.items() if v is not None):
        names[f"#f{i}"], values[f":f{i}"] = k, ddb.value(v)
        set_parts.append(f"#f{i} = :f{i}")
    for i, (k, v) in enumerate((adds or {}).items()):
        names[f"#a{i}"], values[f":a{i}"] = k, ddb.value(v)
        add_parts.append(f"#a{i} :a{i}")
    for i, k in enumerate(dict.fromkeys(removes)):
        names[f"#r{i}"] = k
        rm_parts.append(f"#r{i}")
    expr = " ".join(part for part in (
        "SET " + ", ".join(set_parts) if set_parts else "", "ADD " + ", ".join(add_parts) if add_parts else "",
        "REMOVE " + ", ".join(rm_parts) if rm_parts else "") if part)
    out = {"UpdateExpression": expr, "ExpressionAttributeNames": names}
    if values:
        out["ExpressionAttributeValues"] = values
    return out


def _failed_condition(err: ClientError) -> bool:
    return ddb.is_code(err, "ConditionalCheckFailedException", "TransactionCanceledException",
                       "TransactionConflictException")


class _Table:
    def __init__(self, table: str, client=None):
        self.table = table
        self.db = client or ddb.client()

    def _update(self, key: dict, sets: dict, *, removes=(), adds=None, condition: str | None = None,
                names: dict | None = None, values: dict | None = None, new: bool = True) -> dict | None:
        """A conditional update; the item after it, or None when the condition failed."""
        kw = dict(TableName=self.table, Key=key, **_update_expression(sets, removes, adds))
        if condition:
            kw["ConditionExpression"] = condition
            kw["ExpressionAttributeNames"] |= names or {}
            if values:
                kw["ExpressionAttributeValues"] = kw.get("ExpressionAttributeValues", {}) | {
                    k: ddb.value(v) for k, v in values.items()}
        if not kw["ExpressionAttributeNames"]:
            del kw["ExpressionAttributeNames"]
        if new:
            kw["ReturnValues"] = "ALL_NEW"
        try:
            r = self.db.update_item(**kw)
        except ClientError as err:
            if ddb.is_code(err, "ConditionalCheckFailedException"):
                return None
            raise
        return ddb.load(r.get("Attributes")) or {}

    def _query_all(self, pk: str) -> list[dict]:
        kw = dict(TableName=self.table, KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": ddb.value(pk)}, ConsistentRead=True)
        items = []
        while True:
            r = self.db.query(**kw)
            items += [ddb.load(i) for i in r["Items"]]
            if "LastEvaluatedKey" not in r:
                return items
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]

    def _page(self, pk: str, limit: int, starting_after: str | None, newest_first: bool = True,
              from_sk: str | None = None) -> tuple[list[dict], bool]:
        """Up to ``limit`` items of ``pk`` after the cursor (sort key ``starting_after``), and
        whether more follow; ``from_sk``: only sort keys at or after it."""
        cond, values = "pk = :p", {":p": ddb.value(pk)}
        if from_sk:
            cond, values[":s"] = cond + " AND sk >= :s", ddb.value(from_sk)
        kw: dict = dict(TableName=self.table, KeyConditionExpression=cond, ExpressionAttributeValues=values,
                        ScanIndexForward=not newest_first, Limit=limit + 1, ConsistentRead=True)
        if starting_after:
            kw["ExclusiveStartKey"] = {"pk": ddb.value(pk), "sk": ddb.value(starting_after)}
        items = [ddb.load(i) for i in self.db.query(**kw)["Items"]]
        return items[:limit], len(items) > limit


class EndpointRecords(_Table):
    """Webhook endpoints (with their secrets); a deleted one keeps its item until its TTL."""

    @staticmethod
    def _key(merchant_id: str, endpoint_id: str) -> dict:
        return {"pk": ddb.value(f"WE#{merchant_id}"), "sk": ddb.value(endpoint_id)}

    def create(self, endpoint: WebhookEndpoint) -> None:
        """Put a new endpoint (only if its id is new)."""
        item = {"pk": f"WE#{endpoint.merchant_id}", "sk": endpoint.endpoint_id, **as_item(endpoint)}
        self.db.put_item(TableName=self.table, Item=ddb.dump(item), ConditionExpression="attribute_not_exists(pk)")

    def get(self, merchant_id: str, endpoint_id: str, consistent: bool = True) -> WebhookEndpoint | None:
        """The endpoint, or None (also when deleted)."""
        r = self.db.get_item(TableName=self.table, Key=self._key(merchant_id, endpoint_id), ConsistentRead=consistent)
        item = ddb.load(r.get("Item"))
        return None if not item or item.get("deleted_at") else load(WebhookEndpoint, item)

    def for_merchant(self, merchant_id: str) -> list[WebhookEndpoint]:
        """Every live endpoint of the merchant, oldest first (one strongly consistent query)."""
        return [load(WebhookEndpoint, i) for i in self._query_all(f"WE#{merchant_id}") if not i.get("deleted_at")]

    def update(self, merchant_id: str, endpoint_id: str, sets: dict, removes: Iterable[str] = (),
               guard: tuple[str, Any] | None = None) -> WebhookEndpoint | None:
        """Change a live endpoint (``guard``: only while field ``guard[0]`` equals ``guard[1]``);
        the endpoint after it. Raises NotFound when it does not exist; None when the guard failed."""
        cond = "attribute_exists(pk) AND attribute_not_exists(deleted_at)"
        names, values = {}, {}
        if guard:
            names["#g"], values[":g"] = guard[0], guard[1]
            cond += " AND #g = :g"
        after = self._update(self._key(merchant_id, endpoint_id), sets, removes=removes, condition=cond,
                             names=names, values=values)
        if after is None and not guard:
            raise NotFound("webhook endpoint not found", param="endpoint_id")
        return None if after is None else load(WebhookEndpoint, after)

    def _quietly(self, ep: WebhookEndpoint, sets: dict, removes=(), condition: str | None = None,
                 names: dict | None = None, values: dict | None = None) -> WebhookEndpoint | None:
        cond = "attribute_exists(pk) AND attribute_not_exists(deleted_at)" + (f" AND {condition}" if condition else "")
        after = self._update(self._key(ep.merchant_id, ep.endpoint_id), sets, removes=removes, condition=cond,
                             names=names, values=values)
        return None if after is None else load(WebhookEndpoint, after)

    def clear_failing(self, ep: WebhookEndpoint) -> None:
        """Forget the failures (only when ``failing_since`` is set, decided on the table)."""
        self._quietly(ep, {}, removes=("failing_since", "last_failure"), condition="attribute_exists(failing_since)")

    def note_failure(self, ep: WebhookEndpoint, what: str, now: float) -> WebhookEndpoint | None:
        """``failing_since`` set unless set, ``last_failure`` = ``what``; the endpoint after (None: gone)."""
        key = self._key(ep.merchant_id, ep.endpoint_id)
        try:
            r = self.db.update_item(TableName=self.table, Key=key, ReturnValues="ALL_NEW",
                                    UpdateExpression="SET failing_since = if_not_exists(failing_since, :now), "
                                                     "last_failure = :what",
                                    ConditionExpression="attribute_exists(pk) AND attribute_not_exists(deleted_at)",
                                    ExpressionAttributeValues={":now": ddb.value(int(now)), ":what": ddb.value(what)})
        except ClientError as err:
            if ddb.is_code(err, "ConditionalCheckFailedException"):
                return None
            raise
        return load(WebhookEndpoint, ddb.load(r["Attributes"]))

    def disable(self, ep: WebhookEndpoint, reason: str, at: str) -> None:
        """Disable the endpoint if it is enabled (no-op otherwise)."""
        self._quietly(ep, {"status": EndpointStatus.DISABLED.value, "disabled_reason": reason, "disabled_at": at,
                           "updated_at": at}, condition="#st = :enabled", names={"#st": "status"},
                      values={":enabled": EndpointStatus.ENABLED.value})


class DeliveryRecords(_Table):
    """Deliveries, their attempts log and the two delivery indexes (module docstring)."""

    @staticmethod
    def _key(m: str, e: str, w: str) -> dict:
        return {"pk": ddb.value(f"DLV#{m}#{e}"), "sk": ddb.value(w)}

    @staticmethod
    def _failed_key(m: str, w: str, e: str) -> dict:
        return {"pk": ddb.value(f"FAILED#{m}#{w}"), "sk": ddb.value(e)}

    @staticmethod
    def _outcome_pk(m: str, ok: bool) -> str:
        return f"DLVOK#{m}#{'true' if ok else 'false'}"

    def get(self, m: str, e: str, w: str) -> WebhookDelivery | None:
        r = self.db.get_item(TableName=self.table, Key=self._key(m, e, w), ConsistentRead=True)
        return load(WebhookDelivery, ddb.load(r.get("Item")))

    def for_event(self, m: str, e: str) -> list[WebhookDelivery]:
        """Each endpoint's delivery of an event (strongly consistent)."""
        return [load(WebhookDelivery, i) for i in self._query_all(f"DLV#{m}#{e}")]

    def claim(self, m: str, e: str, w: str, n: int, now: float, lease_until: int,
              expiration: int) -> WebhookDelivery | None:
        """Take attempt ``n`` (attempt 0 creates the delivery pending); None if the delivery has
        made another number of attempts, is not pending, or another worker holds a live lease."""
        ready = "attempts = :n AND #s = :pending"
        if n == 0:
            ready = f"(({ready}) OR attribute_not_exists(attempts))"
        values = {":n": n, ":pending": DS.PENDING.value, ":now": int(now), ":lease": lease_until, ":m": m, ":e": e,
                  ":w": w, ":zero": 0, ":exp": expiration}
        try:
            r = self.db.update_item(
                TableName=self.table, Key=self._key(m, e, w), ReturnValues="ALL_NEW",
                UpdateExpression="SET claimed = :n, lease_until = :lease, merchant_id = :m, event_id = :e, "
                                 "endpoint_id = :w, started_at = if_not_exists(started_at, :now), "
                                 "#s = if_not_exists(#s, :pending), attempts = if_not_exists(attempts, :zero), "
                                 "expiration = :exp",
                ConditionExpression=f"{ready} AND (attribute_not_exists(lease_until) OR lease_until < :now)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={k: ddb.value(v) for k, v in values.items()})
        except ClientError as err:
            if ddb.is_code(err, "ConditionalCheckFailedException"):
                return None
            raise
        return load(WebhookDelivery, ddb.load(r["Attributes"]))

    def record(self, m: str, e: str, w: str, n: int, sets: dict, removes: Iterable[str], expiration: int) -> bool:
        """The outcome of claimed attempt ``n``: ``sets`` (None removes), ``removes``, the claim
        released; a move to FAILED puts the delivery in the FAILED index in the same transaction
        (a claimed delivery is pending, so it is not in the index). False (nothing written) when
        the claim was taken over meanwhile."""
        update = {"TableName": self.table, "Key": self._key(m, e, w),
                  "ConditionExpression": "attempts = :n AND claimed = :n",
                  **_update_expression(sets, [*removes, "lease_until", "claimed"])}
        update["ExpressionAttributeValues"] = update.get("ExpressionAttributeValues", {}) | {":n": ddb.value(n)}
        try:
            if sets.get("status") != DS.FAILED:
                self.db.update_item(**update)
                return True
            index = {"TableName": self.table, "Item": {**self._failed_key(m, w, e), **ddb.dump(
                {"event_id": e, "endpoint_id": w, "expiration": expiration})}}
            self.db.transact_write_items(TransactItems=[{"Update": update}, {"Put": index}])
            return True
        except ClientError as err:
            if _failed_condition(err):
                return False
            raise

    def reopen(self, d: WebhookDelivery, at: str) -> bool:
        """A final delivery back to pending for one more attempt, guarded by the status it leaves
        and its attempts, out of the FAILED index in the same transaction. False when it changed
        meanwhile (nothing written)."""
        update = {"TableName": self.table, "Key": self._key(d.merchant_id, d.event_id, d.endpoint_id),
                  "UpdateExpression": "SET #s = :p, updated_at = :t REMOVE failure_reason, next_attempt_at",
                  "ConditionExpression": "#s = :old AND attempts = :n", "ExpressionAttributeNames": {"#s": "status"},
                  "ExpressionAttributeValues": {k: ddb.value(v) for k, v in {
                      ":p": DS.PENDING.value, ":t": at, ":old": str(d.status), ":n": d.attempts}.items()}}
        try:
            self.db.transact_write_items(TransactItems=[
                {"Update": update},
                {"Delete": {"TableName": self.table, "Key": self._failed_key(d.merchant_id, d.endpoint_id, d.event_id)}}])
            return True
        except ClientError as err:
            if _failed_condition(err):
                return False
            raise

    def log_attempt(self, m: str, a: DeliveryAttempt) -> None:
        """Append an attempt to its endpoint's log."""
        item = {"pk": f"ATT#{m}#{a.endpoint_id}", "sk": a.attempt_id, **as_item(a)}
        self.db.put_item(TableName=self.table, Item=ddb.dump(item))

    def attempts(self, m: str, w: str, limit: int, starting_after: str | None = None) -> Page[DeliveryAttempt]:
        """An endpoint's attempts, newest first."""
        items, more = self._page(f"ATT#{m}#{w}", limit, starting_after)
        return Page([load(DeliveryAttempt, i) for i in items], more)

    def failed_since(self, m: str, w: str, from_event_id: str, limit: int,
                     starting_after: str | None = None) -> Page[str]:
        """Event ids of the endpoint's FAILED deliveries, oldest first, from ``from_event_id`` on."""
        items, more = self._page(f"FAILED#{m}#{w}", limit, starting_after, newest_first=False, from_sk=from_event_id)
        return Page([i["event_id"] for i in items], more)

    def count_failed_since(self, m: str, w: str, from_event_id: str) -> int:
        """How many of the endpoint's deliveries are FAILED, for events from ``from_event_id`` on."""
        kw: dict = dict(TableName=self.table, Select="COUNT", ConsistentRead=True,
                        KeyConditionExpression="pk = :p AND sk >= :s",
                        ExpressionAttributeValues={":p": ddb.value(f"FAILED#{m}#{w}"), ":s": ddb.value(from_event_id)})
        count = 0
        while True:
            r = self.db.query(**kw)
            count += r["Count"]
            if "LastEvaluatedKey" not in r:
                return count
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]

    # ---- the delivery_success index -------------------------------------------------------------
    def settle_outcome(self, m: str, e: str, event_type: str, expiration: int, tries: int = 4) -> bool | None:
        """Put event ``e`` in the ``delivery_success`` partition its deliveries say (module
        docstring); returns the outcome written (None: neither)."""
        outcome = _outcome(self.for_event(m, e))
        for _ in range(tries):
            actions = []
            for ok in (True, False):
                key = {"pk": ddb.value(self._outcome_pk(m, ok)), "sk": ddb.value(e)}
                if outcome is ok:
                    actions.append({"Put": {"TableName": self.table, "Item": key | ddb.dump(
                        {"event_id": e, "type": event_type, "expiration": expiration})}})
                else:
                    actions.append({"Delete": {"TableName": self.table, "Key": key}})
            try:
                self.db.transact_write_items(TransactItems=actions)
            except ClientError as err:
                if not ddb.is_code(err, "TransactionConflictException", "TransactionCanceledException"):
                    raise
            again = _outcome(self.for_event(m, e))
            if again is outcome:
                return outcome
            outcome = again
        return outcome

    def by_outcome(self, m: str, ok: bool, limit: int, starting_after: str | None = None,
                   event_type: str | None = None) -> Page[str]:
        """Event ids whose deliveries all succeeded (``ok``) or not, newest first; ``event_type``
        filters (the query reads on until the page is full or the partition ends)."""
        pk, out, cursor = self._outcome_pk(m, ok), [], starting_after
        while True:
            items, more = self._page(pk, max(limit, 25) if event_type else limit, cursor)
            for i in items:
                if event_type is None or i.get("type") == event_type:
                    out.append(i["event_id"])
                    if len(out) > limit:
                        return Page(out[:limit], True)
            if not more:
                return Page(out, False)
            if not event_type and len(out) == limit:
                return Page(out, True)
            cursor = items[-1]["sk"]


def _outcome(deliveries: list[WebhookDelivery]) -> bool | None:
    """False: a delivery's latest outcome failed; True: all delivered; None: nothing attempted yet."""
    if any(d.failing for d in deliveries):
        return False
    if deliveries and all(d.status == DS.DELIVERED for d in deliveries):
        return True
    return None


class RecoveryRecords(_Table):
    """Recovery jobs of an endpoint, and its one running job (``sk = running``)."""

    @staticmethod
    def _key(m: str, w: str, sk: str) -> dict:
        return {"pk": ddb.value(f"RCV#{m}#{w}"), "sk": ddb.value(sk)}

    def get(self, m: str, w: str, recovery_id: str) -> RecoveryJob | None:
        r = self.db.get_item(TableName=self.table, Key=self._key(m, w, recovery_id), ConsistentRead=True)
        return load(RecoveryJob, ddb.load(r.get("Item")))

    def running(self, m: str, w: str) -> str | None:
        """The id of the endpoint's running (or queued) job, or None."""
        r = self.db.get_item(TableName=self.table, Key=self._key(m, w, "running"), ConsistentRead=True)
        return (ddb.load(r.get("Item")) or {}).get("recovery_id")

    def create(self, job: RecoveryJob) -> bool:
        """The job and the endpoint's running marker, in one transaction; False (nothing written)
        when another job of the endpoint is queued or running."""
        m, w = job.merchant_id, job.endpoint_id
        try:
            self.db.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.table, "ConditionExpression": "attribute_not_exists(pk)",
                         "Item": self._key(m, w, "running") | ddb.dump({"recovery_id": job.recovery_id,
                                                                       "expiration": job.expiration})}},
                {"Put": {"TableName": self.table, "ConditionExpression": "attribute_not_exists(pk)",
                         "Item": self._key(m, w, job.recovery_id) | ddb.dump(as_item(job))}}])
            return True
        except ClientError as err:
            if _failed_condition(err):
                return False
            raise

    def move(self, job: RecoveryJob, target: RecoveryStatus, sets: dict | None = None,
             adds: dict | None = None) -> RecoveryJob | None:
        """Move ``job`` (as read) to ``target``, guarded by the status and cursor it leaves; a final
        status ends the endpoint's running marker in the same transaction. None when it changed."""
        m, w = job.merchant_id, job.endpoint_id
        update = {"TableName": self.table, "Key": self._key(m, w, job.recovery_id),
                  **_update_expression({"status": target.value, **(sets or {})}, adds=adds)}
        cond, names = "#st = :from", {"#st": "status"}
        values = {":from": ddb.value(str(job.status))}
        if job.get("cursor"):
            cond, names["#cu"], values[":cu"] = cond + " AND #cu = :cu", "cursor", ddb.value(job.cursor)
        else:
            cond, names["#cu"] = cond + " AND attribute_not_exists(#cu)", "cursor"
        update["ConditionExpression"] = cond
        update["ExpressionAttributeNames"] = update.get("ExpressionAttributeNames", {}) | names
        update["ExpressionAttributeValues"] = update.get("ExpressionAttributeValues", {}) | values
        actions = [{"Update": update}]
        if target in (RecoveryStatus.COMPLETED, RecoveryStatus.FAILED):
            actions.append({"Delete": {"TableName": self.table, "Key": self._key(m, w, "running"),
                                       "ConditionExpression": "recovery_id = :id",
                                       "ExpressionAttributeValues": {":id": ddb.value(job.recovery_id)}}})
        try:
            self.db.transact_write_items(TransactItems=actions)
        except ClientError as err:
            if _failed_condition(err):
                return None
            raise
        return self.get(m, w, job.recovery_id)


class SlotRecords(_Table):
    """At most ``limit`` attempts in flight per endpoint: leases (epoch seconds) ``s0``…``s<limit-1>``
    on one item per endpoint; a slot is free when absent or expired."""

    @staticmethod
    def _key(endpoint_id: str) -> dict:
        return {"pk": ddb.value(f"SLOTS#{endpoint_id}"), "sk": ddb.value("slots")}

    def acquire(self, endpoint_id: str, limit: int, lease_seconds: int, now: int) -> tuple[str, int] | None:
        """A free slot ``(name, lease)``, or None when all are taken (then only one read was made)."""
        item = ddb.load(self.db.get_item(TableName=self.table, Key=self._key(endpoint_id),
                                         ConsistentRead=True).get("Item")) or {}
        free = [f"s{i}" for i in range(limit) if item.get(f"s{i}", 0) < now]
        lease = now + lease_seconds
        for slot in random.sample(free, min(2, len(free))):
            if self._update(self._key(endpoint_id), {slot: lease}, condition=f"attribute_not_exists(#f0) OR #f0 < :now",
                            values={":now": now}, new=False) is not None:
                return slot, lease
        return None

    def release(self, endpoint_id: str, slot: tuple[str, int]) -> None:
        """Free ``slot`` unless its lease was taken over meanwhile."""
        self._update(self._key(endpoint_id), {}, removes=(slot[0],), condition="#r0 = :l", values={":l": slot[1]},
                     new=False)
