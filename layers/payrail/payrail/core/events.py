"""Events: the transactional outbox of what happened to a merchant's objects.

Every state change a merchant cares about writes one **event item in the same
``TransactWriteItems``** as the change itself: the transaction commits both or neither, so there
is no event without its change and no change without its event. A stream consumer
(``functions/events``) then publishes each event to payrail's EventBridge bus and enqueues one
webhook delivery per subscribed endpoint (``payrail.webhooks``); a crash anywhere after the commit
loses nothing, because the event item is the source and the stream hands it over again.

An event (what ``GET /v1/events/{id}`` answers and what a webhook's body is)::

    {"event_id": "evt_…",            # time-ordered; the webhook-id of every delivery of it
     "type": "order.fulfilled",
     "api_version": API_VERSION,     # the shape of this body
     "created_at": "2026-…Z",        # the time of the change (ISO 8601, UTC)
     "object_id": "ord_…",
     "sequence": 3,                  # per object: 1, 2, 3 … in the order of its changes
     "data": {"object": {…}}}        # the object as it stands after the change

**The sequence rule** (for whoever adds events to a workflow): an object's events are numbered by
the length of its ``status_history`` after the change — its creation (history of one entry) is 1,
each transition appends one entry and is the next number. The number is made safe by the write
itself: a creation is a conditional Put (``attribute_not_exists``), and a transition carries the
condition ``size(status_history) = <length before>`` besides its status guard
(:meth:`EventLog.transition` builds both actions), so two concurrent transitions can never both
claim the same number; the loser's transaction is cancelled and it re-reads. Receivers keep the
highest sequence seen per ``object_id`` and discard a lower one that arrives late (deliveries are
at least once and not ordered).

How a workflow adds its events (payouts, reservations, settlement)::

    events = platform.events                     # EventLog
    # creation, in the transaction that creates the object (sequence 1):
    extra.append(events.put_action(merchant_id, "payout.created", payout, payout["payout_id"], 1))
    # a transition: the guarded Update and the event Put, appended to the same transaction
    extra += events.transition(main, pk, payout_as_read, OPEN, "SUCCEEDED", "payout.succeeded",
                               "payout_id", sets={...}, detail="capture")
    # a condition failure cancels both: re-read the object and decide again
    # a transition that moves no money is its own transaction:
    ok = events.transact(events.transition(main, pk, payout, ("PENDING",), "PROCESSING", "payout.processing",
                                           "payout_id"))

Event types are registered in :data:`EVENT_TYPES`; a type must be listed there before it is
emitted (endpoints may only subscribe to known types or to ``<family>.*`` / ``*``).
"""
from __future__ import annotations

import copy
import json
from typing import Any

from botocore.exceptions import ClientError
from pydantic import ConfigDict, Field, PrivateAttr

from payrail.core import clock
from payrail.core import ddb
from payrail.core.entity import Entity, Page, construct
from payrail.core.errors import NotFound, ValidationFailed
from payrail.core.ids import time_ordered
from payrail.core.ledger import now_iso
from payrail.core.packing import Packed
from payrail.core.store import public

#: the version of the event body's shape (bumped when a field changes meaning or goes away)
API_VERSION = "2026-11-01"
#: event types emitted today, with what they mean (docs/events-and-webhooks.md lists them with example bodies)
EVENT_TYPES: dict[str, str] = {
    "order.created": "an order was placed and paid from the customer's wallet (status PAID)",
    "order.fulfilment_pending": "the fulfilment service gave no definitive answer; payrail asks again",
    "order.fulfilled": "the fulfilment service delivered; the payment was captured (FULFILLED)",
    "order.fulfilment_unknown": "no definitive answer from the fulfilment service by the deadline; the money stays "
                                "pending until an operator fails or fulfils the order (FULFILMENT_UNKNOWN)",
    "order.failed": "the fulfilment service refused, never received the order after the bounded attempts, or the "
                    "admin failed it; the customer was refunded and the stock restored (failure_kind says which)",
    "order.late_fulfilment": "the fulfilment service delivered an order after it was failed and refunded "
                             "(late_fulfilment); no money moved: an operator settles it",
    "payout.created": "a payout was created and its amount held (PENDING: on its way to the provider)",
    "payout.in_review": "a payout at or above the review threshold awaits the admin (created or reinitiated so)",
    "payout.pending": "a payout was approved by the admin, or reinitiated, and a new hold taken (PENDING)",
    "payout.processing": "the payout was sent to its provider, or the provider lifted its hold (PROCESSING)",
    "payout.on_hold": "the provider holds the payout, with a reason (ON_HOLD; the hold is kept)",
    "payout.succeeded": "the provider paid; the hold was captured (SUCCEEDED)",
    "payout.failed": "the provider refused or failed it, or the admin rejected it; the hold was released (FAILED)",
    "payout.cancelled": "the payout was cancelled before the provider paid; the hold was released (CANCELLED)",
    "reservation.created": "an amount was reserved from the available balance for a seller payout (RESERVED)",
    "reservation.fulfilling": "a fulfil started the reservation's payout (FULFILLING)",
    "reservation.fulfilled": "the reservation's payout succeeded (FULFILLED)",
    "reservation.payout_failed": "the reservation's payout failed; the money is reserved again (RESERVED)",
    "reservation.released": "the merchant released the reservation; the money is available again (RELEASED)",
    "reservation.expired": "the reservation expired unfulfilled; the money is available again (EXPIRED)",
    "settlement.created": "a settlement job was created (QUEUED)",
    "settlement.running": "the job's workflow planned its slices and runs them (RUNNING; progress on GET)",
    "settlement.completed": "the CSV is complete; GET the job for its download link (COMPLETED, totals)",
    "settlement.failed": "the job failed (FAILED, failure_reason); no file",
    "settlement.cancel_requested": "a cancel was requested; slices in flight finish without counting (CANCELLING)",
    "settlement.cancelled": "the job was cancelled; no CSV and no link (CANCELLED)",
    "payment.initiated": "a mobile-money payment was created (INITIATED)",
    "payment.validating": "its risk checks and routing are running (VALIDATING)",
    "payment.pending": "accepted: routed and the float at the chosen provider held (PENDING)",
    "payment.processing": "sent to the provider (PROCESSING)",
    "payment.confirmed": "the provider paid the recipient; the hold was captured (CONFIRMED)",
    "payment.failed": "not paid (risk declined, refused or failed at the provider); the hold, if any, released",
    "payment.expired": "no confirmation within the timeout after asking the provider; the hold released (EXPIRED)",
    "payment.cancelled": "cancelled by the merchant while PENDING; the hold released (CANCELLED)",
    "payment.refunded": "the provider reversed a confirmed payment; the float credited back (REFUNDED)",
    "reconciliation.completed": "a reconciliation run compared a provider's books with the ledger over its window; "
                                "counts per class and the report's link on GET (COMPLETED; scope ALL)",
    "reconciliation.exception": "a reconciliation run found a break (its class, both sides' records, the journals); "
                                "to the merchant whose money it touches, else scope ALL (OPEN)",
    "reconciliation.exception_resolved": "an operator resolved a reconciliation exception with a reason and, where "
                                         "money moved, its journal (RESOLVED)",
}
#: families whose ``<family>.*`` subscriptions are accepted (payout, reservation, settlement and
#: payment events come with their workflows)
FAMILIES = ("order", "payout", "reservation", "settlement", "payment", "reconciliation")
#: the ``source`` of payrail's events on its EventBridge bus (``detail-type`` is the event type)
EVENT_SOURCE = "payrail"
#: how long events (and the delivery log) are kept, seconds
RETENTION_SECONDS = 30 * 86_400
TYPE_INDEX = "by_type"
_HISTORY = "status_history"


class EventData(Entity):
    """What an event carries: the object it is about."""

    model_config = ConfigDict(extra="allow")

    object: dict[str, Any] = Field(description="the object as it stands after the change")


class Event(Entity):
    """An event as the merchant reads it (``GET /v1/events/{id}``) and as a webhook's body carries
    it (module docstring). An event read from the log (:func:`load`) also knows whose it is
    (:attr:`merchant_id`) and its JSON text as stored (:attr:`body`, sent byte for byte); keys a
    body carries beyond the fields are kept (``extra="allow"``)."""

    model_config = ConfigDict(extra="allow")

    event_id: str = Field(description="also the webhook-id header of every delivery of this event")
    type: str
    api_version: str
    created_at: str
    object_id: str
    sequence: int = Field(description="per object, 1, 2, 3 … in the order of its changes; discard lower ones")
    data: EventData

    _merchant_id: str | None = PrivateAttr(default=None)
    _text: str | None = PrivateAttr(default=None)

    @property
    def merchant_id(self) -> str | None:
        """Whose event it is (None for an event not read from the log)."""
        return self._merchant_id

    @property
    def body(self) -> str:
        """The event's JSON text: as stored for one read from the log, else as :meth:`EventLog.put_action`
        writes it (compact, keys sorted)."""
        if self._text is not None:
            return self._text
        return json.dumps(self.model_dump(mode="json", exclude_unset=True), separators=(",", ":"), sort_keys=True,
                          default=str)

    def public(self) -> dict:
        """The event as the API answers it: its JSON text parsed (the stored keys, in their order)."""
        return json.loads(self.body)


def load(item: dict) -> Event:
    """The event of a stored ``events`` item (``body``, ``merchant_id``), unvalidated: payrail wrote
    it (``model_construct``: no validator on the delivery path)."""
    event = construct(Event, json.loads(item["body"]))
    event._merchant_id, event._text = item["merchant_id"], item["body"]
    return event


def object_after(obj: dict, to_status: str, sets: dict | None, ts: str, detail: str | None = None, *,
                 adds: dict[str, int] | None = None, appends: dict[str, list] | None = None,
                 removes: tuple[str, ...] = ()) -> dict:
    """The object as a status transition leaves it (what ``MainTable.update_action`` writes):
    ``sets`` applied (None removes the field, as the Update does), ``adds`` added, ``appends``
    appended, ``removes`` removed, ``status`` and ``updated_at`` set, ``{status, at, detail?}``
    appended to ``status_history``. ``obj`` is not modified."""
    detail = detail[:500] if detail else None  # as the Update writes it
    after = copy.deepcopy(obj)
    for k, v in (sets or {}).items():
        if v is None:
            after.pop(k, None)
        else:
            after[k] = copy.deepcopy(v)
    for k in removes:
        after.pop(k, None)
    for k, v in (adds or {}).items():
        after[k] = after.get(k, 0) + v
    for k, v in (appends or {}).items():
        after[k] = list(after.get(k) or []) + copy.deepcopy(v)
    entry = {"status": to_status, "at": ts} | ({"detail": detail} if detail else {})
    after.update(status=to_status, updated_at=ts)
    after[_HISTORY] = list(after.get(_HISTORY) or []) + [entry]
    return after


def guard_sequence(action: dict, length_before: int) -> dict:
    """Add ``size(status_history) = length_before`` to an ``Update`` action's condition (in place;
    returned for convenience): the transition then commits only if no other transition of the
    object came first, which makes ``length_before + 1`` this change's sequence number."""
    upd = action["Update"]
    cond = upd.get("ConditionExpression")
    upd["ConditionExpression"] = f"({cond}) AND size({_HISTORY}) = :evt_len" if cond else f"size({_HISTORY}) = :evt_len"
    upd.setdefault("ExpressionAttributeValues", {})[":evt_len"] = ddb.value(length_before)
    return action


class EventLog:
    """The ``events`` table: the outbox (written inside other transactions) and the event log the
    merchant reads.

    Item layout: ``pk = EVT#<merchant_id>``, ``sk = <event_id>`` (time-ordered, so a query is
    newest first), ``type_pk = <merchant_id>#<type>`` for the ``by_type`` index, the body as JSON
    text (``body``, sent byte for byte; stored packed, ``payrail.core.packing``, so an event item
    stays within the 1 KB a write unit buys, and loaded back as the text by ``ddb.load``),
    ``expiration`` (TTL, epoch seconds).

    Args:
        table: the events table name.
        retention_seconds: how long an event is kept (TTL).
    """

    def __init__(self, table: str, retention_seconds: int = RETENTION_SECONDS, client=None):
        self.table = table
        self.retention = retention_seconds
        self.db = client or ddb.client()

    # ---- writing: actions for the caller's transaction -----------------------------------------
    def put_action(self, merchant_id: str, event_type: str, obj: dict, object_id: str, sequence: int,
                   created_at: str | None = None) -> dict:
        """A ``TransactWriteItems`` Put of one event; append it to the transaction that makes the change.

        Args:
            event_type: a key of :data:`EVENT_TYPES`.
            obj: the object as it stands after the change (internal attributes are left out).
            object_id: the object's id (``ord_…``).
            sequence: the object's ``status_history`` length after the change (module docstring).
            created_at: the change's timestamp (default now).

        Raises:
            ValueError: an unregistered event type or a sequence below 1 (a programming error).
        """
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unregistered event type {event_type!r}: add it to payrail.core.events.EVENT_TYPES")
        if sequence < 1:
            raise ValueError("sequence numbers start at 1")
        ts = created_at or now_iso()
        event_id = time_ordered("evt")
        body = {"event_id": event_id, "type": event_type, "api_version": API_VERSION, "created_at": ts,
                "object_id": object_id, "sequence": sequence, "data": {"object": public(dict(obj))}}
        item = {"pk": f"EVT#{merchant_id}", "sk": event_id, "type_pk": f"{merchant_id}#{event_type}",
                "event_id": event_id, "merchant_id": merchant_id, "type": event_type, "object_id": object_id,
                "sequence": sequence, "created_at": ts, "expiration": int(clock.now()) + self.retention,
                "body": Packed(json.dumps(body, separators=(",", ":"), sort_keys=True, default=str))}
        return {"Put": {"TableName": self.table, "Item": ddb.dump(item),
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def transition(self, main, pk: str, obj: dict, from_status: tuple[str, ...], to_status: str, event_type: str,
                   id_field: str, sets: dict | None = None, detail: str | None = None,
                   ts: str | None = None, merchant_id: str | None = None, **update) -> list[dict]:
        """The two actions of a transition with its event: ``main``'s guarded status Update (status
        in ``from_status`` and ``status_history`` as long as in ``obj``) and the event Put with the
        object after the change and the next sequence number. Put both in one transaction.

        Args:
            main: a ``MainTable`` (its ``update_action`` builds the Update).
            pk: the object's key. obj: the object as read (its ``status_history`` is the guard).
            id_field: the object's id attribute (``order_id``).
            merchant_id: whose event it is (default ``obj["merchant_id"]``).
            sets: fields to set (a None value removes the field).
            update: more of ``MainTable.update_action``'s arguments (``equals``, ``adds``,
                ``appends``, ``removes``), applied to the event's object too.
        """
        ts = ts or now_iso()
        detail = detail[:500] if detail else None
        length = len(obj.get(_HISTORY) or [])
        action = main.update_action(pk, sets=sets, from_status=tuple(from_status), to_status=to_status, detail=detail,
                                    ts=ts, **update)
        after = object_after(obj, to_status, sets, ts, detail,
                             **{k: v for k, v in update.items() if k in ("adds", "appends", "removes")})
        return [guard_sequence(action, length),
                self.put_action(merchant_id or obj["merchant_id"], event_type, after, obj[id_field], length + 1, ts)]

    def transact(self, actions: list[dict]) -> bool:
        """Run ``actions`` (a transition and its event, for a change that moves no money) as one
        ``TransactWriteItems``. Returns False when a condition failed or another transaction
        conflicted: nothing was written; re-read the object and decide again."""
        try:
            self.db.transact_write_items(TransactItems=actions)
            return True
        except ClientError as err:
            if ddb.is_code(err, "TransactionCanceledException", "TransactionConflictException"):
                return False
            raise

    # ---- reading ----------------------------------------------------------------------------------
    def get_item(self, merchant_id: str, event_id: str) -> dict | None:
        """The stored item itself (keys, ``body`` text, ``expiration``: what the table's stream hands
        over), or None."""
        r = self.db.get_item(TableName=self.table, Key={"pk": ddb.value(f"EVT#{merchant_id}"),
                                                        "sk": ddb.value(event_id)})
        return ddb.load(r.get("Item"))

    def find(self, merchant_id: str, event_id: str) -> Event | None:
        """The event (with its stored text), or None (also another merchant's and after retention)."""
        item = self.get_item(merchant_id, event_id)
        return load(item) if item else None

    def many(self, merchant_id: str, event_ids: list[str]) -> list[Event]:
        """The events ``event_ids`` (at most 100), in that order; expired ones left out."""
        if not event_ids:
            return []
        keys = [{"pk": ddb.value(f"EVT#{merchant_id}"), "sk": ddb.value(e)} for e in event_ids]
        found = {i["event_id"]: i for i in ddb.batch_get(self.db, {self.table: keys}).get(self.table, [])}
        return [load(found[e]) for e in event_ids if e in found]

    def get(self, merchant_id: str, event_id: str) -> Event:
        """The event. Raises NotFound (also for another merchant's event and after retention)."""
        event = self.find(merchant_id, event_id)
        if event is None:
            raise NotFound("event not found", param="event_id")
        return event

    def list(self, merchant_id: str, limit: int = 10, starting_after: str | None = None,
             event_type: str | None = None) -> Page[Event]:
        """A merchant's events, newest first.

        Args:
            limit: 1..100.
            starting_after: an event id; the page starts with the next older event.
            event_type: only events of this exact type (the ``by_type`` index).

        Raises:
            ValidationFailed: limit out of range.
        """
        if not 1 <= limit <= 100:
            raise ValidationFailed("limit must be between 1 and 100", param="limit")
        kw: dict = dict(TableName=self.table, ScanIndexForward=False, Limit=limit + 1)
        pk = f"EVT#{merchant_id}"
        if event_type:
            type_pk = f"{merchant_id}#{event_type}"
            kw.update(IndexName=TYPE_INDEX, KeyConditionExpression="type_pk = :p",
                      ExpressionAttributeValues={":p": ddb.value(type_pk)})
            start = {"type_pk": type_pk}
        else:
            kw.update(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": ddb.value(pk)},
                      ConsistentRead=True)
            start = {}
        if starting_after:
            kw["ExclusiveStartKey"] = {k: ddb.value(v) for k, v in (start | {"pk": pk, "sk": starting_after}).items()}
        items = [ddb.load(i) for i in self.db.query(**kw)["Items"]]
        return Page([load(i) for i in items[:limit]], len(items) > limit)
