"""Data access for the ``main`` table (merchants, keys, products, orders, payouts, beneficiaries,
reservations, jobs), and the one place where its key prefixes and type tags are defined.

Every item has one key attribute ``pk = <PREFIX>#<merchant_id>#<id>`` (see :class:`Kind`): the
merchant is part of the key, so another merchant's id simply does not exist for the caller
(tenant isolation by construction), and items spread over partitions. Status changes are
conditional updates guarded by the status they leave, and append to ``status_history``.

Two sparse global secondary indexes serve lists and timers (attributes set only on the items
that need them):

* ``by_merchant`` (``list_pk = <PREFIX>#<merchant_id>``, ``list_sk = <created_at>#<id>``): a
  merchant's objects of one kind, newest first, with cursors;
* ``due`` (``due_pk = <PREFIX>#<shard>``, ``due_sk = <ISO time>#<id>``): objects that must be
  acted on at a time (reservations expire); present only while the timer is armed.

A third, ``by_status`` (``status_pk = <PREFIX>#<status>#<shard>``, sort key ``list_sk``, keys
only), lists payouts and payments across merchants by status and age for the operator; only
those two kinds carry ``status_pk``, set when they are created and at every status change, so
the index is written on status changes only (its keys), never on other updates.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from payrail.core import ddb
from payrail.core.errors import Conflict, ValidationFailed
from payrail.core.ids import now_iso, shard_of

LIST_INDEX, DUE_INDEX, PROVIDER_KEY_INDEX, STATUS_INDEX = "by_merchant", "due", "by_provider_key", "by_status"
#: partitions of the ``due`` index per kind (spreads writes; the sweeper reads them all)
DUE_SHARDS = 16
#: partitions of each status in the ``by_status`` index (a busy status spreads its writes)
STATUS_SHARDS = 8


@dataclass(frozen=True)
class Kind:
    """One kind of item: its key ``prefix`` and its ``type`` tag.

    ``PAYOUT.key("m_1", "po_2") == "PAYOUT#m_1#po_2"``.
    """

    prefix: str
    type: str

    def key(self, *parts: str) -> str:
        return "#".join((self.prefix, *parts))

    def list_pk(self, merchant_id: str) -> str:
        return f"{self.prefix}#{merchant_id}"

    def due_pk(self, item_id: str) -> str:
        return f"{self.prefix}#{shard_of(item_id, DUE_SHARDS):02d}"

    def due_partitions(self) -> list[str]:
        return [f"{self.prefix}#{n:02d}" for n in range(DUE_SHARDS)]


MERCHANT = Kind("MERCHANT", "merchant")
API_KEY = Kind("APIKEY", "api_key")
CUSTOMER = Kind("CUSTOMER", "customer")
PRODUCT = Kind("PRODUCT", "product")
ORDER = Kind("ORDER", "order")
PAYOUT = Kind("PAYOUT", "payout")
#: ``PAYOUTREF#<merchant>#<merchant_reference>`` -> the payout using that reference (uniqueness)
PAYOUT_REFERENCE = Kind("PAYOUTREF", "payout_reference")
BENEFICIARY = Kind("BENEFICIARY", "beneficiary")
RESERVATION = Kind("RESERVATION", "reservation")
SETTLEMENT = Kind("SETTLEMENT", "settlement")
SETTLEMENT_SLOTS = Kind("SETTLEMENT_SLOTS", "settlement_slots")
SETTLEMENT_ALL = "ALL"  # the scope of platform-wide settlement jobs (the admin's); a merchant's jobs: its id
#: mobile-money payments (payrail.payments): ``PAYMENT#<merchant>#<uuid>``
PAYMENT = Kind("PAYMENT", "payment")
#: reconciliation runs and the exceptions they find (payrail.reconciliation), the admin's:
#: ``RECON#ALL#<run_id>``, ``RECONEXC#ALL#<exception_id>``
RECONCILIATION = Kind("RECON", "reconciliation")
RECONCILIATION_EXCEPTION = Kind("RECONEXC", "reconciliation_exception")
RECONCILIATION_SCOPE = "ALL"


#: key prefixes of the kinds the ``by_status`` index lists across merchants (payouts, payments)
ACROSS_MERCHANTS = (PAYOUT.prefix, PAYMENT.prefix)

INTERNAL = ("pk", "type", "request_fingerprint", "list_pk", "list_sk", "due_pk", "due_sk", "status_pk",
            "stock_taken", "first_look", "refund_claim", "refund_claim_until", "report_claim")


def public(item: dict | None) -> dict | None:
    """The item as clients see it: without the key, index attributes, the internal ``type`` tag,
    the request fingerprint and the workers' bookkeeping (``stock_taken``, a payout's ``first_look``, a
    payment's ``refund_claim``, a settlement job's ``report_claim``)."""
    if item is not None:
        for internal in INTERNAL:
            item.pop(internal, None)
    return item


def listed(kind: Kind, merchant_id: str, item_id: str, created_at: str) -> dict:
    """The ``by_merchant`` index attributes of a new item."""
    return {"list_pk": kind.list_pk(merchant_id), "list_sk": f"{created_at}#{item_id}"}


def status_pk(pk: str, status: str) -> str | None:
    """The ``by_status`` partition of the item ``pk`` in ``status``, or None for a kind the index
    does not list: ``PAYOUT#IN_REVIEW#03``."""
    prefix = pk.split("#", 1)[0]
    if prefix not in ACROSS_MERCHANTS:
        return None
    return f"{prefix}#{status}#{shard_of(pk, STATUS_SHARDS):02d}"


def due(kind: Kind, item_id: str, at: str) -> dict:
    """The ``due`` index attributes arming a timer at ``at`` (ISO time)."""
    return {"due_pk": kind.due_pk(item_id), "due_sk": f"{at}#{item_id}"}


class MainTable:
    """Thin conditional-write helpers over the ``main`` table."""

    def __init__(self, table: str, client=None):
        self.table = table
        self.db = client or ddb.client()

    def get(self, pk: str, consistent: bool = True, raw: bool = False) -> dict | None:
        """The item (as clients see it, or ``raw`` with its internal attributes), or None."""
        r = self.db.get_item(TableName=self.table, Key={"pk": ddb.value(pk)}, ConsistentRead=consistent)
        item = ddb.load(r.get("Item"))
        return item if raw else public(item)

    def put_action(self, pk: str, item: dict) -> dict:
        """A ``TransactWriteItems`` Put that only creates (``attribute_not_exists``); a payout or
        payment gets its ``by_status`` key."""
        if "status" in item and "list_sk" in item and (sp := status_pk(pk, item["status"])):
            item = {**item, "status_pk": sp}
        return {"Put": {"TableName": self.table, "Item": ddb.dump({"pk": pk, **item}),
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def put_new(self, pk: str, item: dict) -> bool:
        """Create the item; False if it already existed (nothing written)."""
        try:
            self.db.put_item(**self.put_action(pk, item)["Put"])
            return True
        except ClientError as err:
            if ddb.is_code(err, "ConditionalCheckFailedException"):
                return False
            raise

    def update_action(self, pk: str, *, sets: dict | None = None, removes: tuple[str, ...] = (),
                      appends: dict[str, list] | None = None, adds: dict[str, int] | None = None,
                      from_status: tuple[str, ...] | None = None, equals: dict | None = None,
                      to_status: str | None = None, detail: str | None = None, ts: str | None = None) -> dict:
        """An Update action: set ``sets`` (None values are removed), remove ``removes``, append to
        the lists in ``appends``, add to the counters in ``adds``; guarded by ``status`` being one of
        ``from_status`` and by each ``equals`` field having that value. With ``to_status`` the status
        moves and ``{status, at, detail}`` is appended to ``status_history`` (and a payout's or
        payment's ``by_status`` key follows it). ``updated_at`` is set.
        """
        ts = ts or now_iso()
        names: dict[str, str] = {}
        values: dict[str, Any] = {}

        def name(field: str) -> str:
            names[alias := f"#n{len(names)}"] = field
            return alias

        def value(v: Any) -> str:
            values[alias := f":v{len(values)}"] = v
            return alias

        exprs, drops = [f"updated_at = {value(ts)}"], [name(k) for k in removes]
        for k, v in (sets or {}).items():
            if v is None:
                drops.append(name(k))
            else:
                exprs.append(f"{name(k)} = {value(v)}")
        for k, v in (appends or {}).items():
            n = name(k)
            exprs.append(f"{n} = list_append(if_not_exists({n}, {value([])}), {value(v)})")
        counters = [f"{name(k)} {value(v)}" for k, v in (adds or {}).items()]
        conds = ["attribute_exists(pk)"]
        if to_status is not None:
            entry = {"status": to_status, "at": ts} | ({"detail": detail[:500]} if detail else {})
            exprs += [f"{name('status')} = {value(to_status)}",
                      f"{name('status_history')} = list_append({name('status_history')}, {value([entry])})"]
            if sp := status_pk(pk, to_status):
                exprs.append(f"{name('status_pk')} = {value(sp)}")
        if from_status is not None:
            conds.append(f"{name('status')} IN ({', '.join(value(st) for st in from_status)})")
        conds += [f"{name(k)} = {value(v)}" for k, v in (equals or {}).items()]
        expression = "SET " + ", ".join(exprs)
        if drops:
            expression += " REMOVE " + ", ".join(drops)
        if counters:
            expression += " ADD " + ", ".join(counters)
        upd = {"TableName": self.table, "Key": {"pk": ddb.value(pk)}, "UpdateExpression": expression,
               "ConditionExpression": " AND ".join(conds),
               "ExpressionAttributeValues": {k: ddb.value(v) for k, v in values.items()}}
        if names:
            upd["ExpressionAttributeNames"] = names
        return {"Update": upd}

    def apply(self, action: dict, conflict: str = "the object changed meanwhile") -> dict:
        """Run one :meth:`update_action` alone; returns the new item as clients see it.

        Raises:
            Conflict (``invalid_state``): a guard failed (or the item does not exist).
        """
        try:
            r = self.db.update_item(**action["Update"], ReturnValues="ALL_NEW")
        except ClientError as err:
            if ddb.is_code(err, "ConditionalCheckFailedException"):
                raise Conflict(conflict, code="invalid_state") from err
            raise
        return public(ddb.load(r["Attributes"]))

    def transition_action(self, pk: str, from_status: tuple[str, ...], to_status: str,
                          sets: dict | None = None, detail: str | None = None, ts: str | None = None) -> dict:
        """An Update action moving ``status`` from one of ``from_status`` to ``to_status``.

        Sets the fields in ``sets`` and appends ``{status, at, detail}`` to ``status_history``.
        """
        return self.update_action(pk, sets={k: v for k, v in (sets or {}).items() if v is not None},
                                  from_status=from_status, to_status=to_status, detail=detail, ts=ts)

    def transition(self, pk: str, from_status: tuple[str, ...], to_status: str, sets: dict | None = None,
                   detail: str | None = None) -> dict:
        """Apply :meth:`transition_action` alone and return the new item.

        Raises:
            Conflict: the item is not in one of ``from_status`` (or does not exist).
        """
        return self.apply(self.transition_action(pk, from_status, to_status, sets, detail),
                          conflict=f"{pk} is not in {from_status}")

    def update(self, pk: str, expression: str, values: dict, names: dict | None = None,
               condition: str | None = None) -> dict:
        kw = dict(TableName=self.table, Key={"pk": ddb.value(pk)}, UpdateExpression=expression, ReturnValues="ALL_NEW")
        if values:
            kw["ExpressionAttributeValues"] = {k: ddb.value(v) for k, v in values.items()}
        if names:
            kw["ExpressionAttributeNames"] = names
        if condition:
            kw["ConditionExpression"] = condition
        return public(ddb.load(self.db.update_item(**kw)["Attributes"]))

    def page(self, kind: Kind, merchant_id: str, *, limit: int, starting_after: str | None = None,
             created_from: str | None = None, created_to: str | None = None,
             where: dict[str, Any] | None = None) -> dict:
        """A merchant's items of ``kind``, newest first, from the ``by_merchant`` index:
        ``{"data": [...], "has_more": bool}``.

        Args:
            limit: 1..100 items.
            starting_after: the id of the last item of the previous page (it must exist).
            created_from, created_to: inclusive bounds on ``created_at`` (ISO 8601 prefixes work:
                ``2026-01-31`` ends with that whole day).
            where: field -> value every returned item must have (filtered while reading).

        Raises:
            ValidationFailed: ``starting_after`` names no item of this merchant.
        """
        lo = created_from or "0"
        hi = (created_to or "9999") + "\uffff"
        if lo > hi:  # an empty window (DynamoDB refuses BETWEEN with bounds the wrong way round)
            return {"data": [], "has_more": False}
        values = {":pk": kind.list_pk(merchant_id), ":lo": lo, ":hi": hi}
        kw: dict = dict(TableName=self.table, IndexName=LIST_INDEX, ScanIndexForward=False,
                        KeyConditionExpression="list_pk = :pk AND list_sk BETWEEN :lo AND :hi")
        kw["ExpressionAttributeValues"] = {k: ddb.value(v) for k, v in values.items()}
        if starting_after:
            last = self.get(kind.key(merchant_id, starting_after), consistent=False, raw=True)
            if not last or "list_sk" not in last:
                raise ValidationFailed("starting_after names no object of yours", param="starting_after")
            kw["ExclusiveStartKey"] = {k: ddb.value(last[k]) for k in ("pk", "list_pk", "list_sk")}
        out: list[dict] = []
        while len(out) <= limit:
            kw["Limit"] = limit + 1 - len(out) if not where else 100
            r = self.db.query(**kw)
            out += [i for i in self.read_listed([i["pk"]["S"] for i in r["Items"]])
                    if all(i.get(k) == v for k, v in (where or {}).items())]
            if "LastEvaluatedKey" not in r:
                break
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        return {"data": [public(i) for i in out[:limit]], "has_more": len(out) > limit}

    def read_listed(self, pks: list[str], consistent: bool = True) -> list[dict]:
        """The items (raw) of these keys in their order, one ``BatchGetItem`` per 100 keys; an item
        that does not exist is left out. Used to read what an index query answered (every index of
        the table keeps keys only, so an update that moves none of an index's keys writes none)."""
        out: list[dict] = []
        for start in range(0, len(pks), 100):
            chunk = pks[start:start + 100]
            got = ddb.batch_get(self.db, {self.table: [{"pk": ddb.value(k)} for k in chunk]}, consistent)
            by_pk = {i["pk"]: i for i in got.get(self.table, [])}
            out += [by_pk[k] for k in chunk if k in by_pk]
        return out

    def by_provider_key(self, provider_key: str) -> list[dict]:
        """The items (as clients see them; raw) that a provider knows by ``provider_key`` (its
        idempotency key for a transfer): a keys-only index query, then a consistent read of each."""
        r = self.db.query(TableName=self.table, IndexName=PROVIDER_KEY_INDEX, Limit=10,
                          KeyConditionExpression="provider_key = :k",
                          ExpressionAttributeValues={":k": ddb.value(provider_key)})
        return [item for i in r["Items"] if (item := self.get(i["pk"]["S"], raw=True))]

    def due_items(self, kind: Kind, before: str, limit: int = 100) -> list[dict]:
        """Items of ``kind`` whose timer (``due`` index) is at or before ``before`` (ISO time),
        oldest first, at most ``limit`` per partition (raw: with their keys)."""
        out = []
        until = before + "\uffff"
        for part in kind.due_partitions():
            r = self.db.query(TableName=self.table, IndexName=DUE_INDEX, Limit=limit,
                              KeyConditionExpression="due_pk = :p AND due_sk <= :t",
                              ExpressionAttributeValues={":p": ddb.value(part), ":t": ddb.value(until)})
            # the index lags the table: an item whose timer moved on or ended meanwhile is not due
            out += [i for i in self.read_listed([i["pk"]["S"] for i in r["Items"]])
                    if i.get("due_pk") == part and i.get("due_sk", "~") <= until]
        return out

    def across(self, kind: Kind, statuses: tuple[str, ...], *, limit: int, created_from: str | None = None,
               created_to: str | None = None) -> dict:
        """Items of ``kind`` (payouts or payments) in any of ``statuses``, across merchants, oldest
        first, from the ``by_status`` index: ``{"data": [...], "has_more": bool}``.

        Each status's partitions are read from ``created_from`` (inclusive, ISO 8601 prefix) to
        ``created_to`` (inclusive), at most ``limit + 1`` keys each, merged by creation time; the
        items are then read consistently (the index lags its table a little), and one that left
        ``statuses`` meanwhile is left out.

        Args:
            limit: 1..100 items.
        """
        lo = created_from or "0"
        hi = (created_to or "9999") + "\uffff"
        if kind.prefix not in ACROSS_MERCHANTS or lo > hi:
            return {"data": [], "has_more": False}
        keys: list[dict] = []
        for st in statuses:
            for n in range(STATUS_SHARDS):
                r = self.db.query(TableName=self.table, IndexName=STATUS_INDEX, Limit=limit + 1,
                                  KeyConditionExpression="status_pk = :p AND list_sk BETWEEN :lo AND :hi",
                                  ExpressionAttributeValues={":p": ddb.value(f"{kind.prefix}#{st}#{n:02d}"),
                                                             ":lo": ddb.value(lo), ":hi": ddb.value(hi)})
                keys += [ddb.load(i) for i in r["Items"]]
        keys.sort(key=lambda k: k["list_sk"])
        # an item that moved between two of ``statuses`` while they were read is listed under both:
        # read it once (BatchGetItem refuses a repeated key)
        keys = list({k["pk"]: k for k in reversed(keys)}.values())[::-1]
        out: list[dict] = []
        want = set(statuses)
        for start in range(0, len(keys), 100):
            if len(out) > limit:
                break
            out += [i for i in self.read_listed([k["pk"] for k in keys[start:start + 100]]) if i.get("status") in want]
        out.sort(key=lambda i: i.get("list_sk", ""))
        return {"data": [public(i) for i in out[:limit]], "has_more": len(out) > limit}
