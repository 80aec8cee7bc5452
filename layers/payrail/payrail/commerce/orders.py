"""Products with limited stock, and orders paid from a customer wallet.

Order lifecycle (the fulfilment steps are ``payrail.commerce.fulfilment.fulfil_order``; what counts as
"not received" and "unknown" is classified there)::

    PAID ──delivered (2xx)─────────────────────────────▶ FULFILLED  (journal capture: pending → available + fees)
      ├───refused (4xx)────────────────────────────────▶ FAILED     (journal refund: pending → wallet, stock restored)
      └───not received (refused connection, 503 …) or
          outcome unknown (timeout, reset, 500, 409)───▶ FULFILMENT_PENDING (deadline: paid + give-up seconds)
    FULFILMENT_PENDING ──service says FULFILLED─────────▶ FULFILLED  (capture)
      ├───service says FAILED, or never received it
      │   and a fresh POST (same key) is refused──────▶ FAILED     (refund)
      ├───max attempts, each provably not received,
      │   nothing ever said the service had it────────▶ FAILED     (refund; the service is told: cancel)
      ├───no answer / still processing────────────────▶ FULFILMENT_PENDING (asked again later with backoff)
      └───still no definitive answer at the deadline──▶ FULFILMENT_UNKNOWN (money stays pending;
                                                          ``order.fulfilment_unknown`` for an operator)
    FULFILMENT_UNKNOWN ──service says FULFILLED/FAILED──▶ FULFILLED (capture) / FAILED (refund)
      ├───admin: fail─────────────────────────────────▶ FAILED     (refund; the service is told: cancel)
      └───admin: fulfil───────────────────────────────▶ FULFILLED  (capture)
    FAILED (not received, or by the admin) ──the service delivers anyway──▶ FAILED with
          ``late_fulfilment`` (``order.late_fulfilment`` for an operator; no money moves again)

Placing an order is two DynamoDB requests: ONE ``BatchGetItem`` of everything it needs (the
product, one stock bucket, the order its idempotency key names, the customer's wallet) and ONE
transaction: order put (attribute_not_exists, with the request's fingerprint), stock decrement
(``stock >= :q``), the payment journal (wallet → merchant ``pending``, wallet ``version`` and
``balance >= amount``; ``pending`` is a counter account moved without a read, see
``payrail.core.ledger``) and the ``order.created`` event. Nothing changes when any condition fails.

**The order is its own idempotency record.** Its id derives from the merchant and the
``Idempotency-Key``, and it stores the request's fingerprint: a repeat finds it in the same read
and answers the order as it was placed (``Idempotent-Replayed``) — or 422 for another request —
without a claim in the idempotency table; two requests racing with one key both write, one
transaction wins (journal and order are ``attribute_not_exists``) and the loser answers the
winner's order. A refusal writes nothing, so a retry runs again. A product short at the read is
refused from that read alone, which also found no order under the key; only an order whose
transaction was cancelled reads its key's order again, in case its twin won. Two concurrent
requests with one key may thus answer one 201 and one 409 when the product sells out between
them; the next retry replays the order. Unlike the 24 h records of other routes, the record lasts
as long as the order.

**Stock buckets.** A product created with at least :data:`BUCKETED_FROM` units keeps its stock in
:data:`STOCK_BUCKETS` items (``<product key>#B<nn>``, the stock split evenly) instead of on the
product item, so concurrent orders of one product decrement different items. An order takes its
quantity from the bucket its id hashes to; when that bucket is short it reads every bucket (one
request more, only while buckets run dry) and takes the quantity from as many buckets as it
needs, all in the same transaction, so the product is never oversold and an order is refused
only when the product as a whole is short. The order records what it took (``stock_taken``) and a
refund puts it back there. Smaller stocks (a flash sale of 100) stay on the product item: one
item decides, and once it reaches 0 every later order is refused from the read alone.

Every transition writes its event (the table in :mod:`payrail.commerce.model`) in the transaction that makes it
(``payrail.core.events``): ``order.created`` (sequence 1), then ``order.fulfilment_pending``,
``order.fulfilment_unknown``, ``order.fulfilled`` or ``order.failed``, and
``order.late_fulfilment``, numbered by the order's ``status_history``.

Fulfilment bookkeeping on the order (public): ``fulfilment_deadline`` (when an unknown outcome is
given up), ``fulfilment_attempts`` (POSTs that provably never reached the service),
``fulfilment_uncertain`` (an answer showed or left open that the service had the order: no
refund without a definitive answer), ``last_error``; on a FAILED order ``failure_kind``
(``refused``, ``not_received``, ``operator``), ``cancel_acknowledged_at`` and
``late_fulfilment`` (``{fulfilment_id, at}``); ``settled_by: "admin"`` when the admin decided.
"""
from __future__ import annotations

import random
import time

from payrail.core import accounts, deadline
from payrail.core.errors import ConcurrencyExhausted, Conflict, InsufficientFunds, NotFound, OutOfStock, ValidationFailed
from payrail.core.events import EventLog
from payrail.core.ids import derived, random_id
from payrail.core.idempotency import check_fingerprint
from payrail.core.ledger import (
    CONTENTION_BUDGET_SECONDS,
    ExtraConditionFailed,
    Journal,
    Ledger,
    Posting,
    now_iso,
    shard_of,
)
from payrail.core.money import check_amount, check_currency, fee_for
from payrail.core.store import MainTable
from payrail.commerce.model import LIFECYCLE, OS, FailureKind, Order, Product
from payrail.commerce.records import (  # noqa: F401 - bucket_key, PLACED and as_placed re-exported
    PLACED,
    OrderRecords,
    ProductRecords,
    as_placed,
    bucket_key,
    load_order,
)
from payrail.commerce.wallets import check_customer_id
from payrail.core import clock

PAID, FULFILMENT_PENDING, FULFILLED, FAILED = OS.PAID, OS.FULFILMENT_PENDING, OS.FULFILLED, OS.FAILED
FULFILMENT_UNKNOWN = OS.FULFILMENT_UNKNOWN
#: the states a capture or a refund leaves
AWAITING_FULFILMENT = (PAID, FULFILMENT_PENDING, FULFILMENT_UNKNOWN)
#: why a FAILED order failed (``failure_kind``): the service refused it; every POST provably never
#: reached the service; the admin failed it
FAILED_REFUSED, FAILED_NOT_RECEIVED, FAILED_BY_OPERATOR = (FailureKind.REFUSED, FailureKind.NOT_RECEIVED,
                                                       FailureKind.OPERATOR)
MAX_QUANTITY = 1_000
#: the event an order is announced with when placed (the others are its lifecycle table's)
CREATED_EVENT = LIFECYCLE.created_event
#: a transition re-reads the order and tries again at most this many times when another
#: transition of the same order committed between its read and its write
TRANSITION_TRIES = 5
#: stock items of a bucketed product, and the stock from which a product is bucketed (100 a bucket)
STOCK_BUCKETS = 16
BUCKETED_FROM = 1_600


class Orders:
    """Products and orders of merchants."""

    def __init__(self, ledger: Ledger, main: MainTable, events: EventLog):
        self.ledger = ledger
        self.main = main
        self.events = events
        self.products, self.orders = ProductRecords(main), OrderRecords(main, events, LIFECYCLE)
        #: product key -> {product_id, price, currency, buckets}: immutable, kept per execution environment
        self._products: dict[str, dict] = {}

    # ---- products ----------------------------------------------------------------------
    def create_product(self, merchant_id: str, name: str, price: int, currency: str, stock: int) -> Product:
        """Create a product. ``price`` in minor units; ``stock`` a non-negative count (bucketed
        from :data:`BUCKETED_FROM`, module docstring).

        Raises:
            ValidationFailed: bad name, price, currency or stock.
        """
        if not name or len(name) > 200:
            raise ValidationFailed("name must be 1-200 characters", param="name")
        check_amount(price, "price")
        check_currency(currency)
        if isinstance(stock, bool) or not isinstance(stock, int) or not 0 <= stock <= 10**9:
            raise ValidationFailed("stock must be an integer 0..1e9", param="stock")
        product = self.products.new(random_id("prod"), merchant_id, name, price, currency, stock, now_iso())
        return self.products.create(product, STOCK_BUCKETS if stock >= BUCKETED_FROM else 0)

    def get_product(self, merchant_id: str, product_id: str) -> Product:
        """The product with its stock (the sum of its buckets). Raises NotFound for unknown ids
        and for other merchants' products."""
        p = self.products.get(merchant_id, product_id)
        if p is None:
            raise NotFound("product not found", param="product_id")
        return p

    # ---- orders ------------------------------------------------------------------------
    def order(self, merchant_id: str, order_id: str) -> Order:
        """The order with its status history. Raises NotFound."""
        return self.get_order(merchant_id, order_id)

    def get_order(self, merchant_id: str, order_id: str) -> Order:
        """The order with its status history (the workflow's view). Raises NotFound."""
        o = self.orders.get(merchant_id, order_id)
        if o is None:
            raise NotFound("order not found", param="order_id")
        return o

    def place(self, merchant_id: str, product_id: str, quantity: int, customer_id: str,
              idempotency_key: str, fingerprint: str | None = None) -> tuple[Order, bool]:
        """Reserve stock and pay from the customer's wallet, atomically, in two DynamoDB requests
        (module docstring).

        Args:
            idempotency_key: the order id derives from it, so a retry names the same order.
            fingerprint: the request's fingerprint, stored on the order; a later request with the
                same key but another fingerprint is refused.

        Returns:
            ``(order as placed, created)``; ``created`` is False when the key named an existing order.

        Raises:
            ValidationFailed, NotFound (product), OutOfStock (409), InsufficientFunds (402),
            IdempotencyMismatch (422).
        """
        check_customer_id(customer_id)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            raise ValidationFailed(f"quantity must be an integer 1..{MAX_QUANTITY}", param="quantity")
        order_id = derived("ord", merchant_id, idempotency_key)
        ppk, opk = self.products.key(merchant_id, product_id), self.orders.key(merchant_id, order_id)
        home = shard_of(order_id, STOCK_BUCKETS)
        known = self._products.get(ppk)  # price, currency and bucketing never change
        if known is None:  # the first order of this product in this execution environment
            items, wallet_read = self.products.read([ppk, bucket_key(ppk, home), opk])
        else:  # the one read: the stock item, the order the key names, the customer's wallet
            wallet = accounts.wallet(merchant_id, customer_id, known["currency"])
            stock_pk = bucket_key(ppk, home) if known.get("buckets") else ppk
            items, wallet_read = self.products.read([stock_pk, opk], self.ledger, wallet.account_id)
        if opk in items:
            return self._replay(items[opk], fingerprint), False
        if known is None:
            product = items.get(ppk)
            if not product:
                raise NotFound("product not found", param="product_id")
            known = self._products[ppk] = {k: product.get(k) for k in ("product_id", "price", "currency", "buckets")}
        have = items.get(bucket_key(ppk, home) if known.get("buckets") else ppk, {}).get("stock", 0)
        return self._place(merchant_id, known, home, have, order_id, quantity, customer_id, fingerprint, wallet_read)

    def _replay(self, existing: dict, fingerprint: str | None) -> Order:
        """The answer to a repeat of the request that placed ``existing`` (the stored item, its
        fingerprint on it). Raises IdempotencyMismatch."""
        check_fingerprint(existing, fingerprint)
        return load_order(as_placed(existing))

    def _existing_or_raise(self, merchant_id: str, order_id: str, fingerprint: str | None,
                           error: Exception) -> tuple[Order, bool]:
        """A request whose write failed answers with the order its key placed meanwhile (a
        concurrent request with the same key), if there is one; else ``error`` is raised."""
        existing = self.orders.stored(merchant_id, order_id)
        if existing:
            return self._replay(existing, fingerprint), False
        raise error

    def _take(self, ppk: str, known: dict, home: int, have: int, quantity: int) -> dict[str, int]:
        """Which stock items the order decrements by how much (``{item key: q}``); reads every
        bucket when the home bucket is short. Raises OutOfStock when the product is."""
        if not known.get("buckets"):
            if have < quantity:
                raise OutOfStock("not enough stock", param="quantity")
            return {ppk: quantity}
        if have >= quantity:
            return {bucket_key(ppk, home): quantity}
        stock, take, left = self.products.buckets(ppk, known["buckets"]), {}, quantity
        others = [n for n in stock if n != home]
        random.shuffle(others)  # racing orders spread over the buckets left instead of all picking one
        for n in [home, *others]:
            if left and stock[n]:
                take[bucket_key(ppk, n)] = min(left, stock[n])
                left -= take[bucket_key(ppk, n)]
        if left:
            raise OutOfStock("not enough stock", param="quantity")
        return take

    def _still_in_stock(self, take: dict[str, int]) -> None:
        """Before an order's transaction is tried again after meeting another one (contention on
        the last units): one strongly consistent read of the stock items it takes from; raises
        ExtraConditionFailed naming the first one now short, so a sold-out product is refused
        from that read instead of by one more transaction (the transaction's condition stays
        the guard)."""
        stock = self.products.stock_of(list(take))
        for i, (key, q) in enumerate(take.items()):
            if stock.get(key, 0) < q:
                raise ExtraConditionFailed(1 + i)  # the order put is extra 0, the stock items follow

    def _place(self, merchant_id: str, known: dict, home: int, have: int, order_id: str, quantity: int,
               customer_id: str, fingerprint: str | None, wallet_read: dict | None) -> tuple[Order, bool]:
        """The write of :meth:`place`: stock taken, order, payment journal and event in one transaction."""
        product_id = known["product_id"]
        ppk = self.products.key(merchant_id, product_id)
        amount, currency = known["price"] * quantity, known["currency"]
        w = accounts.wallet(merchant_id, customer_id, currency)
        pending = accounts.merchant_account(merchant_id, "pending", currency, shard_key=order_id)
        journal = Journal(f"{order_id}:pay", "order_payment", merchant_id, currency,
                          [Posting(w.account_id, -amount), Posting(pending.account_id, amount)],
                          metadata={"order_id": order_id})
        give_up_at = clock.monotonic() + min(CONTENTION_BUDGET_SECONDS, deadline.remaining())
        tried = False  # no transaction yet: the one read found no order under this key
        while True:
            try:
                take = self._take(ppk, known, home, have, quantity)
            except OutOfStock as e:
                if not tried:  # refused from the one read, which also read the key's order: no second read
                    raise
                return self._existing_or_raise(merchant_id, order_id, fingerprint, e)
            tried = True
            ts = now_iso()
            order = self.orders.new(order_id, merchant_id, product_id, quantity, customer_id, amount, currency,
                                    LIFECYCLE.initial, fingerprint, ts, take if known.get("buckets") else None)
            stock = self.products.take_actions(take)
            created = self.events.put_action(merchant_id, CREATED_EVENT, order, order_id, 1, ts)
            try:
                res = self.ledger.post(journal, opens=[pending], known=wallet_read, created_at=ts,
                                       extra=[self.orders.put_action(order), *stock, created],
                                       before_retry=lambda take=take: self._still_in_stock(take))
            except ExtraConditionFailed as e:
                if 1 <= e.index <= len(take) and known.get("buckets"):
                    if clock.monotonic() >= give_up_at:
                        raise ConcurrencyExhausted("the product's stock kept changing; retry the request") from None
                    have, wallet_read = 0, None  # a bucket ran dry meanwhile: read them all, take again
                    time.sleep(random.uniform(0, 0.02))
                    continue
                error = OutOfStock("not enough stock", param="quantity") if 1 <= e.index <= len(take) else \
                    NotFound("order not found")
                return self._existing_or_raise(merchant_id, order_id, fingerprint, error)
            except NotFound:
                raise InsufficientFunds("customer has no wallet in this currency", param="customer_id") from None
            if not res.created:  # this idempotency key already placed its order (a concurrent request)
                return self._existing_or_raise(merchant_id, order_id, fingerprint, NotFound("order not found"))
            return load_order(as_placed(order)), True

    def note_attempt(self, order: Order, reason: str, *, not_received: bool, may_be_received: bool,
                     deadline: str) -> Order:
        """Record a look that ended without a definitive answer. No money moves.

        A PAID order becomes FULFILMENT_PENDING (the ``order.fulfilment_pending`` event, ``reason``
        in ``status_history``) with ``fulfilment_deadline = deadline``; a FULFILMENT_PENDING one
        gets the look on it. Either way ``last_error = reason``, ``fulfilment_attempts`` counts
        the POST when it provably never reached the service (``not_received``), and
        ``fulfilment_uncertain`` becomes true (for good) when the answer showed or left open that
        the service had the order (``may_be_received``). Each write is conditional on the state it
        leaves; an order in any other state is returned as it is. Returns the order.

        Raises:
            ConcurrencyExhausted: the transition kept conflicting.
        """
        for _ in range(TRANSITION_TRIES):
            if order.status == PAID:
                sets = {"fulfilment_deadline": deadline, "fulfilment_attempts": int(not_received),
                        "fulfilment_uncertain": may_be_received, "last_error": reason}
                self.events.transact(self._transition(order, (PAID,), FULFILMENT_PENDING, sets, reason))
            elif order.status == FULFILMENT_PENDING:
                sets = {"last_error": reason} | ({"fulfilment_uncertain": True} if may_be_received else {})
                changed = self.orders.change(order, FULFILMENT_PENDING, sets=sets,
                                             adds={"fulfilment_attempts": 1} if not_received else None)
                if changed is not None:
                    return changed  # else another transition came first: decide again on the fresh order
            else:
                return order
            order = self.get_order(order.merchant_id, order.order_id)  # ours, or a concurrent delivery's
            if order.status not in (PAID, FULFILMENT_PENDING) or (order.status == FULFILMENT_PENDING
                                                                  and order.last_error == reason):
                return order
        raise ConcurrencyExhausted(f"order {order.order_id}: the transition kept conflicting; retry")

    def give_up(self, order: Order, reason: str) -> Order:
        """The deadline passed without a definitive answer: FULFILMENT_PENDING → FULFILMENT_UNKNOWN
        with the ``order.fulfilment_unknown`` event (conditional on FULFILMENT_PENDING). The money
        stays pending until the service answers or the admin decides (:meth:`operator_fail`,
        :meth:`operator_fulfil`). Idempotent. Returns the order."""
        for _ in range(TRANSITION_TRIES):
            if order.status != FULFILMENT_PENDING:
                return order
            self.events.transact(self._transition(order, (FULFILMENT_PENDING,), FULFILMENT_UNKNOWN,
                                                  {"last_error": reason}, reason))
            order = self.get_order(order.merchant_id, order.order_id)
        if order.status != FULFILMENT_PENDING:
            return order
        raise ConcurrencyExhausted(f"order {order.order_id}: the transition kept conflicting; retry")

    def capture(self, order: Order, fulfilment_id: str | None, fee_bps: int,
                from_status: tuple[str, ...] = AWAITING_FULFILMENT, sets: dict | None = None,
                detail: str | None = None) -> Order:
        """Fulfilment succeeded: move the payment from ``pending`` to ``available`` (less the fee);
        from one of ``from_status`` (default PAID, FULFILMENT_PENDING or FULFILMENT_UNKNOWN) to
        FULFILLED, with ``sets`` and ``detail`` on the transition.

        Idempotent: a second call on a FULFILLED order changes nothing. Returns the order.
        """
        mid, oid, amt, cur = order.merchant_id, order.order_id, order.amount, order.currency
        fee = fee_for(amt, fee_bps)
        fees = accounts.merchant_account(mid, "fees", cur, shard_key=oid)
        postings = [Posting(accounts.merchant_account(mid, "pending", cur, shard_key=oid).account_id, -amt),
                    Posting(accounts.merchant_account(mid, "available", cur).account_id, amt - fee)]
        if fee:
            postings.append(Posting(fees.account_id, fee))
        journal = Journal(f"{oid}:capture", "order_capture", mid, cur, [p for p in postings if p.amount],
                          metadata={"order_id": oid}, settlement={"merchant_id": mid, "gross": amt, "fee": fee})
        done = self._finish(journal, order, FULFILLED, {"fulfilment_id": fulfilment_id, "fee": fee} | (sets or {}),
                            None, opens=[accounts.merchant_account(mid, "available", cur), fees],
                            from_status=from_status, detail=detail)
        return done or self.get_order(mid, oid)

    def refund(self, order: Order, reason: str, kind: str = FAILED_REFUSED,
               from_status: tuple[str, ...] = AWAITING_FULFILMENT, sets: dict | None = None,
               detail: str | None = None, equals: dict | None = None, still=None) -> Order:
        """Refund the customer and restore stock (compensating journal); from one of
        ``from_status`` (default PAID, FULFILMENT_PENDING or FULFILMENT_UNKNOWN) to FAILED with
        ``failure_reason = reason`` and ``failure_kind = kind`` (:data:`FAILED_REFUSED`: the
        service refused for good; see :meth:`refund_not_received`, :meth:`operator_fail`).
        Callers refund only on a definitive answer, never on a timeout. ``equals`` adds guards to
        the transition; ``still(order)`` says whether a re-read order should still be refunded.
        Idempotent. Returns the order."""
        mid, oid, amt, cur = order.merchant_id, order.order_id, order.amount, order.currency
        journal = Journal(f"{oid}:refund", "order_refund", mid, cur,
                          [Posting(accounts.merchant_account(mid, "pending", cur, shard_key=oid).account_id, -amt),
                           Posting(accounts.wallet(mid, order.customer_id, cur).account_id, amt)],
                          metadata={"order_id": oid, "reason": reason})
        restock = self.products.restock_actions(self.orders.stock_taken(order))
        done = self._finish(journal, order, FAILED, {"failure_reason": reason, "failure_kind": kind} | (sets or {}),
                            restock, from_status=from_status, detail=detail, equals=equals, still=still)
        return done or self.get_order(mid, oid)

    def refund_not_received(self, order: Order, reason: str) -> Order:
        """Every POST provably never reached the fulfilment service: FULFILMENT_PENDING → FAILED
        (``failure_kind = not_received``), refunded, guarded by ``fulfilment_uncertain`` being
        false — a concurrent look that found the service holding the order stops it. Returns the order."""
        return self.refund(order, reason, FAILED_NOT_RECEIVED, from_status=(FULFILMENT_PENDING,),
                           equals={"fulfilment_uncertain": False},
                           still=lambda o: o.status == FULFILMENT_PENDING and o.fulfilment_uncertain is False)

    # ---- the operator's decisions (admin) ---------------------------------------------------
    def _unknown(self, merchant_id: str, order_id: str, verb: str) -> Order:
        order = self.get_order(merchant_id, order_id)
        if order.status != FULFILMENT_UNKNOWN:
            raise Conflict(f"order is {order.status}; only FULFILMENT_UNKNOWN orders can be {verb} by the admin",
                           code="invalid_state")
        return order

    def operator_fail(self, merchant_id: str, order_id: str, note: str | None = None) -> Order:
        """Admin: a FULFILMENT_UNKNOWN order is FAILED and refunded (``failure_kind = operator``,
        ``settled_by = admin``); the fulfilment worker then tells the service (cancel) and records
        a fulfilment that arrives anyway (``late_fulfilment``). Conditional on FULFILMENT_UNKNOWN.

        Raises:
            NotFound; Conflict (409 ``invalid_state`` naming the current status: also when this
            decision, or the other one, was taken already — the money never moves twice).
        """
        order = self._unknown(merchant_id, order_id, "failed")
        reason = f"failed by the admin{': ' + note if note else ''}"
        order = self.refund(order, reason, FAILED_BY_OPERATOR, from_status=(FULFILMENT_UNKNOWN,),
                            sets={"settled_by": "admin"}, detail=reason,
                            still=lambda o: o.status == FULFILMENT_UNKNOWN)
        if order.status != FAILED or order.failure_kind != FAILED_BY_OPERATOR:
            raise Conflict(f"order is {order.status}; only FULFILMENT_UNKNOWN orders can be failed by the admin",
                           code="invalid_state")
        return order

    def operator_fulfil(self, merchant_id: str, order_id: str, fee_bps: int, fulfilment_id: str | None = None,
                        note: str | None = None) -> Order:
        """Admin: a FULFILMENT_UNKNOWN order is FULFILLED and captured (``settled_by = admin``,
        the service's ``fulfilment_id`` when the admin knows it). Conditional on FULFILMENT_UNKNOWN.

        Raises:
            NotFound; Conflict (409 ``invalid_state``, as :meth:`operator_fail`).
        """
        order = self._unknown(merchant_id, order_id, "fulfilled")
        detail = f"marked fulfilled by the admin{': ' + note if note else ''}"
        order = self.capture(order, fulfilment_id, fee_bps, from_status=(FULFILMENT_UNKNOWN,),
                             sets={"settled_by": "admin"}, detail=detail)
        if order.status != FULFILLED or order.settled_by != "admin":
            raise Conflict(f"order is {order.status}; only FULFILMENT_UNKNOWN orders can be fulfilled by the admin",
                           code="invalid_state")
        return order

    # ---- after a failure the service did not decide -------------------------------------------
    def record_late_fulfilment(self, order: Order, fulfilment_id: str) -> Order:
        """The service delivered a FAILED (refunded) order after all: ``late_fulfilment =
        {fulfilment_id, at}`` and the ``order.late_fulfilment`` event for an operator, one
        transaction conditional on FAILED (and on the history, so it is recorded once). No money
        moves: the refund stands. Returns the order."""
        for _ in range(TRANSITION_TRIES):
            if order.status != FAILED or order.late_fulfilment:
                return order
            ts = now_iso()
            detail = f"fulfilled by the service after the refund ({fulfilment_id}); no money moved"
            self.events.transact(self._transition(
                order, (FAILED,), FAILED, {"late_fulfilment": {"fulfilment_id": fulfilment_id, "at": ts}}, detail,
                ts=ts))
            order = self.get_order(order.merchant_id, order.order_id)
        if order.status != FAILED or order.late_fulfilment:
            return order
        raise ConcurrencyExhausted(f"order {order.order_id}: the transition kept conflicting; retry")

    def note_cancel_acknowledged(self, order: Order) -> Order:
        """The service confirmed it will not deliver a FAILED order (its cancel acknowledged):
        ``cancel_acknowledged_at``, conditional on FAILED. Returns the order."""
        if order.status != FAILED or order.cancel_acknowledged_at:
            return order
        changed = self.orders.change(order, FAILED, sets={"cancel_acknowledged_at": now_iso()})
        return changed if changed is not None else self.get_order(order.merchant_id, order.order_id)

    def _transition(self, order: Order, from_status: tuple[str, ...], status: str, sets: dict | None,
                    detail: str | None = None, **update) -> list[dict]:
        """The order's guarded status Update and its event Put: a move of :data:`LIFECYCLE` (raises
        IllegalMove for one the table lacks)."""
        return self.orders.transition(order, from_status, status, sets, detail, **update)

    def _finish(self, journal: Journal, order: Order, status: str, sets: dict, also: list[dict] | None,
                opens=(), from_status: tuple[str, ...] = AWAITING_FULFILMENT, detail: str | None = None,
                equals: dict | None = None, still=None) -> Order | None:
        """Post ``journal`` with the order's transition (from one of ``from_status``) to ``status``
        and its event. When the transition's guard fails, the order is read again: captured or
        refunded already (a duplicate delivery), or no longer what ``still`` wants, ends here;
        still awaiting fulfilment (another transition, such as FULFILMENT_PENDING, came first) is
        tried again with the fresh order; so is one another writer changed meanwhile without a
        transition (a look's ``last_error``), because the transition is also guarded by the
        ``updated_at`` it read. Returns the order as this post's transaction left it (built from
        the order read and the transition, no read), or None when it wrote nothing (the journal
        was there already, or the order had left ``from_status``): the caller reads the order."""
        for _ in range(TRANSITION_TRIES):
            if order.status not in from_status or (still is not None and not still(order)):
                return None
            ts = now_iso()  # guarded by the order as read (every write sets updated_at): the order after is exact
            extra = self._transition(order, from_status, status, sets, detail, ts=ts,
                                     equals={"updated_at": order.updated_at} | (equals or {})) + list(also or [])
            try:
                res = self.ledger.post(journal, opens=list(opens), extra=extra, created_at=ts)
                return self.orders.after(order, status, sets, detail, ts) if res.created else None
            except ExtraConditionFailed:
                order = self.get_order(order.merchant_id, order.order_id)
        raise ConcurrencyExhausted(f"order {order.order_id}: the transition kept conflicting; retry")
