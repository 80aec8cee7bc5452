"""Data access of the payout product: the one place that knows its items' shapes, keys, index
attributes and expressions. One class per aggregate:

* :class:`PayoutRecords` — ``PAYOUT#<merchant>#<payout_id>`` and the merchant references they hold
  (``PAYOUTREF#<merchant>#<reference>``);
* :class:`ReservationRecords` — ``RESERVATION#<merchant>#<reservation_id>``;
* :class:`BeneficiaryRecords` — ``BENEFICIARY#<merchant>#<beneficiary_id>``.

Each turns items into entities (:mod:`payrail.payouts.model`) with ``model_construct`` — items are
trusted, payrail wrote them, so the hot path pays no validation — and entities into the actions of
one ``TransactWriteItems``: the creation's Put with its first event, a status change through the
entity's lifecycle table (``Lifecycle.actions``: guarded by the state it leaves and the status
history as read, with its event), or a guarded update that changes no status.
"""
from __future__ import annotations

import heapq
import itertools
from enum import Enum
from functools import cache, partial
from typing import Any, Callable, Iterable, TypeVar, get_args, get_origin

from payrail.core import ddb
from payrail.core.errors import Conflict
from payrail.core.events import EventLog
from payrail.core.store import BENEFICIARY, DUE_INDEX, PAYOUT, PAYOUT_REFERENCE, RESERVATION, Kind, MainTable, due, listed, public
from payrail.payouts.model import (BENEFICIARY_LIFECYCLE, PAYOUT_LIFECYCLE, RESERVATION_LIFECYCLE, Entity, Page,
                                   Payout, Reservation, SavedBeneficiary)

E = TypeVar("E", bound=Entity)

#: the ``due`` index attributes removed when a timer ends (a payout's hold, a reservation's expiry)
TIMER_ENDED = {"due_pk": None, "due_sk": None}


@cache
def _converters(cls: type[Entity]) -> dict[str, Callable[[Any], Any]]:
    """How to turn each stored attribute of ``cls`` into its field's type: a status into its
    enum, a nested entity (or a list of them) into the entity; other attributes stay as stored."""
    out: dict[str, Callable[[Any], Any]] = {}
    for name, info in cls.model_fields.items():
        ann, args = info.annotation, get_args(info.annotation)
        if isinstance(ann, type) and issubclass(ann, Enum):
            out[name] = ann
        elif isinstance(ann, type) and issubclass(ann, Entity):
            out[name] = partial(_construct, ann)
        elif get_origin(ann) is list and isinstance(args[0], type) and issubclass(args[0], Entity):
            out[name] = partial(lambda sub, values: [_construct(sub, v) for v in values], args[0])
    return out


def _construct(cls: type[E], data: dict) -> E:
    conv = _converters(cls)
    return cls.model_construct(**{k: conv[k](v) if k in conv and v is not None else v for k, v in data.items()})


def load(cls: type[E], item: dict | None) -> E | None:
    """A stored item (internal attributes dropped) as entity ``cls``, unvalidated: payrail wrote
    it, and ``model_construct`` costs no validator build at a cold start."""
    return None if item is None else _construct(cls, public(dict(item)))


load_payout = partial(load, Payout)
load_reservation = partial(load, Reservation)
load_beneficiary = partial(load, SavedBeneficiary)


def as_item(entity: Entity) -> dict:
    """The entity's attributes as stored (what it was read or created with)."""
    return entity.model_dump(exclude_unset=True)


class _Records:
    """What the three aggregates' records share: reads, pages, a guarded write."""

    kind: Kind
    id_field: str

    def __init__(self, main: MainTable, events: EventLog):
        self.main = main
        self.events = events

    def _load(self, item):
        raise NotImplementedError

    def load(self, item: dict | None):
        """A stored item as its entity (None stays None)."""
        return self._load(item)

    def _pk(self, merchant_id: str, object_id: str) -> str:
        return self.kind.key(merchant_id, object_id)

    def pk_of(self, entity) -> str:
        return self._pk(entity.merchant_id, getattr(entity, self.id_field))

    def get(self, merchant_id: str, object_id: str, raw: bool = False):
        """The entity, or None; ``raw``: the stored item itself (internal attributes included)."""
        item = self.main.get(self._pk(merchant_id, object_id), raw=raw)
        return item if raw else self._load(item)

    def page(self, merchant_id: str, limit: int, starting_after: str | None = None, *, status: str | None = None,
             created_from: str | None = None, created_to: str | None = None) -> Page:
        """The merchant's entities, newest first (``status`` filters)."""
        r = self.main.page(self.kind, merchant_id, limit=limit, starting_after=starting_after,
                           created_from=created_from, created_to=created_to,
                           where={"status": status} if status else None)
        return Page([self._load(i) for i in r["data"]], r["has_more"])

    def apply(self, actions: list[dict], what: str):
        """Write one update alone or a change with its event; returns the entity after it.

        Raises:
            Conflict: a guard failed (the object changed meanwhile); nothing was written.
        """
        if len(actions) == 1:
            return self._load(self.main.apply(actions[0], conflict=f"the {what} changed meanwhile"))
        if not self.events.transact(actions):
            raise Conflict(f"the {what} changed meanwhile")
        return self._load(self.main.get(actions[0]["Update"]["Key"]["pk"]["S"]))


class PayoutRecords(_Records):
    """Payouts in the main table; every status change carries its ``payout.*`` event in the same
    transaction, and a change is guarded by the payout's run too."""

    kind, id_field = PAYOUT, "payout_id"
    _load = staticmethod(load_payout)

    def claimed(self, merchant_id: str, payout_id: str) -> tuple[Payout | None, str | None]:
        """The payout, and the id of the first look that claimed its run (worker bookkeeping)."""
        item = self.main.get(self._pk(merchant_id, payout_id), raw=True)
        return load_payout(item), (item or {}).get("first_look")

    def fingerprint(self, merchant_id: str, payout_id: str) -> tuple[Payout | None, dict | None]:
        """The payout and its stored item (whose ``request_fingerprint`` an idempotent create checks)."""
        item = self.main.get(self._pk(merchant_id, payout_id), raw=True)
        return load_payout(item), item

    def create_actions(self, p: Payout, fingerprint: str | None = None) -> list[dict]:
        """The payout's Put (only if new), indexed by merchant and as a held amount, and its
        creation event (sequence 1)."""
        obj = as_item(p)
        item = {"type": PAYOUT.type, **obj, "request_fingerprint": fingerprint,
                **listed(PAYOUT, p.merchant_id, p.payout_id, p.created_at), **held_since(p.payout_id, p.created_at)}
        return [self.main.put_action(self.pk_of(p), item),
                self.events.put_action(p.merchant_id, PAYOUT_LIFECYCLE.created(p.status), obj, p.payout_id, 1,
                                       p.created_at)]

    def reference_put_action(self, merchant_id: str, reference: str, payout_id: str) -> dict:
        return self.main.put_action(PAYOUT_REFERENCE.key(merchant_id, reference),
                                    {"type": PAYOUT_REFERENCE.type, "payout_id": payout_id})

    def by_reference(self, merchant_id: str, reference: str) -> str | None:
        ref = self.main.get(PAYOUT_REFERENCE.key(merchant_id, reference))
        return ref["payout_id"] if ref else None

    def move(self, p: Payout, target: str, detail: str | None = None, *, sets: dict | None = None,
             hold_ended: bool = False, new_hold_at: str | None = None, **kw) -> list[dict]:
        """The actions of moving payout ``p`` (as read) to ``target`` through
        :data:`PAYOUT_LIFECYCLE` (guarded by its status, status history and run as read, with the
        move's event). ``hold_ended``: its hold is captured or released (it leaves the ``due``
        index); ``new_hold_at``: a new hold taken then (ISO time; a reinitiation)."""
        sets = dict(sets or {})
        if hold_ended:
            sets |= TIMER_ENDED
        if new_hold_at:
            sets |= held_since(p.payout_id, new_hold_at)
        return PAYOUT_LIFECYCLE.actions(self.events, self.main, self.pk_of(p), as_item(p), target,
                                        id_field="payout_id", detail=detail, sets=sets, equals={"run": p.run}, **kw)

    def update(self, p: Payout, while_in: Iterable[str], equals: dict | None = None, **kw) -> list[dict]:
        """A guarded update of payout ``p`` that changes no status: applied only while its status is
        in ``while_in``, its run is ``p``'s and each field of ``equals`` has its value (``kw``:
        ``sets``, ``adds``, ``appends``)."""
        return [self.main.update_action(self.pk_of(p), from_status=tuple(while_in),
                                        equals={"run": p.run, **(equals or {})}, **kw)]

    def apply(self, actions: list[dict], what: str = "payout") -> Payout:
        return super().apply(actions, what)


def held_since(payout_id: str, ts: str) -> dict:
    """The ``due`` index attributes of a payout hold taken at ``ts`` (``payrail.payouts.holds``
    reads the open holds and their age there)."""
    return due(PAYOUT, payout_id, ts)


class ReservationRecords(_Records):
    """Reservations in the main table; each status change with its ``reservation.*`` event."""

    kind, id_field = RESERVATION, "reservation_id"
    _load = staticmethod(load_reservation)

    def stored(self, merchant_id: str, reservation_id: str) -> dict | None:
        """The stored item (its ``request_fingerprint`` is checked by an idempotent reserve)."""
        return self.main.get(self._pk(merchant_id, reservation_id), raw=True)

    def create_actions(self, r: Reservation, fingerprint: str | None = None) -> list[dict]:
        """The reservation's Put (only if new; armed to expire at ``expires_at``) and its creation event."""
        obj = as_item(r)
        item = {"type": RESERVATION.type, **obj, "request_fingerprint": fingerprint,
                **listed(RESERVATION, r.merchant_id, r.reservation_id, r.created_at),
                **due(RESERVATION, r.reservation_id, r.expires_at)}
        return [self.main.put_action(self.pk_of(r), {k: v for k, v in item.items() if v is not None}),
                self.events.put_action(r.merchant_id, RESERVATION_LIFECYCLE.created(r.status), obj, r.reservation_id,
                                       1, r.created_at)]

    def move(self, r: Reservation, target: str, detail: str | None = None, *, timer_ended: bool = False,
             **kw) -> list[dict]:
        """The actions of moving reservation ``r`` (as read) to ``target`` through
        :data:`RESERVATION_LIFECYCLE`; ``timer_ended``: it leaves the ``due`` index (no expiry)."""
        if timer_ended:
            kw["removes"] = (*kw.get("removes", ()), *TIMER_ENDED)
        return RESERVATION_LIFECYCLE.actions(self.events, self.main, self.pk_of(r), as_item(r), target,
                                             id_field="reservation_id", detail=detail, **kw)

    def read_for(self, p: Payout) -> Reservation | None:
        """The reservation payout ``p`` pays (None when it pays none)."""
        return self.get(p.merchant_id, p.reservation_id) if p.get("reservation_id") else None

    def due(self, now: str, limit: int) -> list[dict]:
        """``{merchant_id, reservation_id}`` of reservations whose expiry is before ``now`` (ISO)."""
        return list(self.main.due_items(RESERVATION, now, limit))


class BeneficiaryRecords(_Records):
    """Saved beneficiaries in the main table (their one change, ACTIVE → DISABLED, has no event)."""

    kind, id_field = BENEFICIARY, "beneficiary_id"
    _load = staticmethod(load_beneficiary)

    def stored(self, merchant_id: str, beneficiary_id: str) -> dict | None:
        return self.main.get(self._pk(merchant_id, beneficiary_id), raw=True)

    def create(self, b: SavedBeneficiary, fingerprint: str | None = None) -> bool:
        """Save ``b``; False when it already existed (nothing written)."""
        item = {"type": BENEFICIARY.type, **as_item(b), "request_fingerprint": fingerprint,
                **listed(BENEFICIARY, b.merchant_id, b.beneficiary_id, b.created_at)}
        return self.main.put_new(self.pk_of(b), item)

    def move(self, b: SavedBeneficiary, target: str) -> SavedBeneficiary:
        """Move ``b`` to ``target`` through :data:`BENEFICIARY_LIFECYCLE`. Raises Conflict."""
        sources = BENEFICIARY_LIFECYCLE.sources(target)
        return load_beneficiary(self.main.transition(self.pk_of(b), tuple(map(str, sources)), str(target)))


class HoldRecords:
    """The open payout holds: the ``due`` index partitions of payouts (``PAYOUT#<shard>``, sort key
    ``<held since>#<payout_id>``), each oldest first.

    Args:
        table: the main table's name; client: a DynamoDB client (default: ``ddb.client()``).
    """

    def __init__(self, table: str, client=None):
        self.table = table
        self.db = client or ddb.client()
        self.main = MainTable(table, self.db)

    @staticmethod
    def partitions() -> list[str]:
        return PAYOUT.due_partitions()

    def _query(self, partition: str, before: str | None, limit: int | None, keys_only: bool):
        kw: dict = dict(TableName=self.table, IndexName=DUE_INDEX, ScanIndexForward=True,
                        KeyConditionExpression="due_pk = :p" + (" AND due_sk < :t" if before else ""),
                        ExpressionAttributeValues={":p": ddb.value(partition)} | (
                            {":t": ddb.value(before)} if before else {}))
        if keys_only:
            kw["ProjectionExpression"] = "due_sk"
        while True:
            if limit:
                kw["Limit"] = limit
            r = self.db.query(**kw)
            items = [ddb.load(i) for i in r.get("Items", [])]
            if not keys_only:  # the index has keys only; a payout whose hold moved or ended meanwhile is left out
                since = {i["pk"]: i["due_sk"] for i in items}
                items = [i for i in self.main.read_listed(list(since)) if i.get("due_sk") == since[i["pk"]]]
            for item in items:
                yield item
                if limit is not None:
                    limit -= 1
                    if limit == 0:
                        return
            if "LastEvaluatedKey" not in r:
                return
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]

    def held_since(self, partition: str):
        """When each hold of ``partition`` was taken (ISO times), oldest first (keys only)."""
        for item in self._query(partition, None, None, keys_only=True):
            yield item["due_sk"].split("#", 1)[0]

    def held(self, partition: str, before: str | None = None, limit: int | None = None):
        """The payouts of ``partition`` held since before ``before`` (ISO), oldest first, at most
        ``limit``, each with ``held_since``."""
        for item in self._query(partition, before, limit, keys_only=False):
            yield load_payout(item | {"held_since": item["due_sk"].split("#", 1)[0]})

    def oldest(self, limit: int, before: str | None = None) -> list[Payout]:
        """The open holds: the ``limit`` oldest payouts held since before ``before`` (ISO; None:
        every one), across every partition, oldest first, each with ``held_since`` (ISO time)."""
        shards = [self.held(p, before=before, limit=limit) for p in self.partitions()]
        return list(itertools.islice(heapq.merge(*shards, key=lambda p: p.held_since), limit))
