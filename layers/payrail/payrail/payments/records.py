"""The payment's items in the main table: the only code that knows their key, their attributes
and the update expressions that change them (:class:`payrail.payments.service.Payments` asks
this class and never builds an item or an expression).

Item (``pk = PAYMENT#<merchant>#<payment_id>``): the public fields of the API's ``Payment`` plus
``type``, the request's fingerprint, the ``by_merchant`` index keys and, from its first write until
it is CONFIRMED or final, its expiry timer (``due`` index keys: the creation's deadline, re-armed
at the hold).
"""
from __future__ import annotations

from typing import Iterable, Iterator

from payrail.core import clock, ddb
from payrail.core.entity import Page, construct
from payrail.core.errors import Conflict
from payrail.core.events import EventLog
from payrail.core.store import PAYMENT, MainTable, due, listed, public
from payrail.payments.model import Payment
from payrail.payments.workflow import FINAL, HELD, LIFECYCLE, PS


def load(item: dict | None) -> Payment | None:
    """A stored payment item (internal attributes dropped) as the :class:`Payment` with its nested
    entities, unvalidated: payrail wrote it (``model_construct``: no validator on the hot path)."""
    return None if item is None else construct(Payment, public(dict(item)))


def as_item(p: Payment) -> dict:
    """The payment's attributes as stored (what it was read with)."""
    return p.model_dump(exclude_unset=True)


class PaymentRecords:
    """Reads and guarded writes of payment items.

    Args:
        main: the main table. events: the outbox (a transition's event goes with its write).
    """

    def __init__(self, main: MainTable, events: EventLog):
        self.main, self.events = main, events

    # ---- reads -----------------------------------------------------------------------------------------
    def get(self, merchant_id: str, payment_id: str) -> Payment | None:
        """The payment, or None."""
        return load(self.main.get(PAYMENT.key(merchant_id, payment_id)))

    def stored(self, merchant_id: str, payment_id: str) -> dict | None:
        """The stored item itself (internal attributes included: the request's fingerprint), or None."""
        return self.main.get(PAYMENT.key(merchant_id, payment_id), raw=True)

    def created_on(self, day: str) -> list[Payment]:
        """Every payment created on UTC day ``day`` (``YYYY-MM-DD``), from a filtered ``Scan`` of
        the main table (``type = payment`` and the day's ``created_at`` prefix); trusted items, as
        entities built without validation."""
        kw = dict(TableName=self.main.table, FilterExpression="#t = :t AND begins_with(created_at, :d)",
                  ExpressionAttributeNames={"#t": "type"},
                  ExpressionAttributeValues={":t": ddb.value(PAYMENT.type), ":d": ddb.value(day)})
        out: list[Payment] = []
        while True:
            r = self.main.db.scan(**kw)
            out += [Payment.model_construct(**public(ddb.load(i))) for i in r["Items"]]
            if "LastEvaluatedKey" not in r:
                return out
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]

    def reread(self, p: Payment) -> Payment:
        """``p`` as it stands now."""
        return self.get(p.merchant_id, p.payment_id)

    def page(self, merchant_id: str, *, limit: int, starting_after: str | None, created_from: str | None,
             created_to: str | None, where: dict | None) -> Page[Payment]:
        """Newest first from the ``by_merchant`` index."""
        r = self.main.page(PAYMENT, merchant_id, limit=limit, starting_after=starting_after,
                           created_from=created_from, created_to=created_to, where=where)
        return Page([load(i) for i in r["data"]], r["has_more"])

    def due(self, before: str) -> Iterator[Payment | None]:
        """Every payment whose expiry timer is at or before ``before`` (ISO time), read afresh (None
        when it went meanwhile)."""
        for item in self.main.due_items(PAYMENT, before):
            yield load(self.main.get(item["pk"]))

    # ---- creation ----------------------------------------------------------------------------------------
    @staticmethod
    def new(payment_id: str, merchant_id: str, amount: int, currency: str, recipient: dict,
            description: str | None, metadata: dict | None, fingerprint: str | None, ts: str,
            expires_at: str) -> dict:
        """A new INITIATED payment's item (absent fields left out), its expiry timer armed at
        ``expires_at`` (ISO time): a creation that never completes is ended by the sweeper."""
        p = {"type": PAYMENT.type, "payment_id": payment_id, "merchant_id": merchant_id, "amount": amount,
             "currency": currency, "fee": 0, "network": recipient["network"], "recipient": recipient,
             "description": description, "metadata": metadata or None, "status": LIFECYCLE.initial, "looks": 0,
             "submissions": 0, "attempts": [], "created_at": ts, "updated_at": ts,
             "status_history": [{"status": LIFECYCLE.initial, "at": ts}], "request_fingerprint": fingerprint,
             "expires_at": expires_at, **listed(PAYMENT, merchant_id, payment_id, ts),
             **due(PAYMENT, payment_id, expires_at)}
        return {k: v for k, v in p.items() if v is not None}

    def create(self, p: dict) -> bool:
        """Put the new payment (its item, :meth:`new`) with its creation event, one transaction;
        False when it exists."""
        pk = PAYMENT.key(p["merchant_id"], p["payment_id"])
        return self.events.transact([self.main.put_action(pk, p), self.events.put_action(
            p["merchant_id"], LIFECYCLE.created_event, p, p["payment_id"], 1, p["created_at"])])

    # ---- transitions -------------------------------------------------------------------------------------
    def transition(self, p: Payment, frm: Iterable[str], to: str, sets: dict | None, detail: str | None,
                   expires_at: str | None = None) -> list[dict]:
        """The actions of a move of the payment's lifecycle table (its guarded Update and its event):
        guarded also by the route ``p`` was read at (money moves at the route the decision is
        about, or not at all); the expiry timer armed at ``expires_at``, or disarmed when the
        payment leaves the held states. Raises IllegalMove for a move the table lacks."""
        LIFECYCLE.check(tuple(frm), to)
        sets = dict(sets or {}) | (due(PAYMENT, p.payment_id, expires_at) if expires_at else {})
        acts = LIFECYCLE.actions(self.events, self.main, PAYMENT.key(p.merchant_id, p.payment_id), as_item(p), to,
                                 sources=tuple(frm), id_field="payment_id", sets=sets, detail=detail)
        upd = acts[0]["Update"]
        if to in FINAL or to == PS.CONFIRMED:  # disarm the expiry timer
            upd["UpdateExpression"] += " REMOVE due_pk, due_sk"
        if p.route_index is not None:
            upd["ConditionExpression"] += " AND route_index = :route_index"
            upd["ExpressionAttributeValues"][":route_index"] = ddb.value(p.route_index)
        return acts

    # ---- the refund claim ------------------------------------------------------------------------------
    def claim_refund(self, p: Payment, owner: str, seconds: float) -> bool:
        """Claim ``p`` for one refund for ``seconds``: guarded by CONFIRMED and no live claim (or
        ``owner``'s own, re-sent by the SDK). False when another refund holds it or the payment
        is no longer CONFIRMED."""
        now_ms = int(clock.now() * 1000)
        act = self.main.update_action(PAYMENT.key(p.merchant_id, p.payment_id), from_status=(PS.CONFIRMED,),
                                      sets={"refund_claim": owner, "refund_claim_until": now_ms + int(seconds * 1000)})
        upd = act["Update"]
        upd["ConditionExpression"] += (" AND (attribute_not_exists(refund_claim) OR refund_claim_until < :claim_now"
                                       " OR refund_claim = :claim_owner)")
        upd["ExpressionAttributeValues"].update({":claim_now": ddb.value(now_ms), ":claim_owner": ddb.value(owner)})
        try:
            self.main.apply(act)
            return True
        except Conflict:
            return False

    def drop_refund_claim(self, p: Payment, owner: str) -> None:
        """Give ``owner``'s refund claim up (nothing when it lapsed and another refund holds it)."""
        try:
            self.main.apply(self.main.update_action(PAYMENT.key(p.merchant_id, p.payment_id),
                                                    equals={"refund_claim": owner},
                                                    sets={"refund_claim": None, "refund_claim_until": None}))
        except Conflict:
            pass

    def refund_transition(self, p: Payment, claim: str, sets: dict, detail: str) -> list[dict]:
        """CONFIRMED → REFUNDED (:meth:`transition`), guarded also by ``claim`` still being the
        payment's refund claim, which it removes."""
        acts = self.transition(p, (PS.CONFIRMED,), PS.REFUNDED, sets, detail)
        upd = acts[0]["Update"]
        upd["UpdateExpression"] += (", " if " REMOVE " in upd["UpdateExpression"] else " REMOVE ") + \
            "refund_claim, refund_claim_until"
        upd["ConditionExpression"] += " AND refund_claim = :refund_claim"
        upd["ExpressionAttributeValues"][":refund_claim"] = ddb.value(claim)
        return acts

    def transact(self, actions: list[dict]) -> bool:
        """Run a transition that moves no money; False when the payment moved meanwhile."""
        return self.events.transact(actions)

    # ---- changes within a state ------------------------------------------------------------------------
    def change_action(self, p: Payment, *, held: bool = True, **kw) -> dict:
        """An Update of the payment (``MainTable.update_action`` keywords), guarded by its being
        held unless ``held`` is False."""
        return self.main.update_action(PAYMENT.key(p.merchant_id, p.payment_id),
                                       **({"from_status": HELD} if held else {}), **kw)

    def change(self, p: Payment, **kw) -> Payment | None:
        """Apply :meth:`change_action` alone; the payment after it, or None when it is no longer held
        (settled meanwhile, e.g. by a provider callback)."""
        try:
            return load(self.main.apply(self.change_action(p, **kw)))
        except Conflict:
            return None

    def claim_look(self, merchant_id: str, payment_id: str, look: int) -> Payment | None:
        """Count look ``look`` (guarded by ``looks = look - 1``): the payment, or None for a stale look."""
        try:
            return load(self.main.apply(self.main.update_action(PAYMENT.key(merchant_id, payment_id),
                                                                equals={"looks": look - 1}, sets={"looks": look})))
        except Conflict:
            return None

    def log_attempt(self, p: Payment, entry: dict) -> None:
        """Append a provider's answer to ``attempts``, whatever the payment's status by now."""
        self.main.apply(self.change_action(p, held=False, appends={"attempts": [entry]}))

    def note_late_status(self, p: Payment, status: str, at: str) -> Payment:
        """Record a provider's answer that came after the payment ended (guarded by its status)."""
        try:
            return load(self.main.apply(self.change_action(p, held=False, from_status=(p.status,), sets={
                "late_provider_status": status, "late_provider_status_at": at})))
        except Conflict:
            return p
