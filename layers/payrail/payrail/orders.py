"""Products with limited stock, and orders paid from a customer wallet.

Order lifecycle (the fulfilment steps are ``payrail.fulfilment.fulfil_order``)::

    PAID ──delivered (2xx)─────────────────────────────▶ FULFILLED  (journal capture: pending → available + fees)
      ├───refused (4xx)────────────────────────────────▶ FAILED     (journal refund: pending → wallet, stock restored)
      └───outcome unknown (timeout, reset, 5xx, 409)───▶ FULFILMENT_PENDING
    FULFILMENT_PENDING ──service says FULFILLED─────────▶ FULFILLED  (capture)
      ├───service says FAILED, or never received it
      │   and a fresh POST (same key) is refused──────▶ FAILED     (refund)
      └───no answer / still processing────────────────▶ FULFILMENT_PENDING (asked again later with
                                                          backoff; in the end the message goes to the
                                                          DLQ and the order waits, never refunded on a guess)

Placing an order is two DynamoDB requests: ONE ``BatchGetItem`` of everything it needs (the
product, one stock bucket, the order its idempotency key names, the customer's wallet) and ONE
transaction: order put (attribute_not_exists, with the request's fingerprint), stock decrement
(``stock >= :q``), the payment journal (wallet → merchant ``pending``, wallet ``version`` and
``balance >= amount``; ``pending`` is a counter account moved without a read, see
``payrail.ledger``) and the ``order.created`` event. Nothing changes when any condition fails.

**The order is its own idempotency record.** Its id derives from the merchant and the
``Idempotency-Key``, and it stores the request's fingerprint: a repeat finds it in the same read
and answers the order as it was placed (``Idempotent-Replayed``) — or 422 for another request —
without a claim in the idempotency table; two requests racing with one key both write, one
transaction wins (journal and order are ``attribute_not_exists``) and the loser answers the
winner's order. A refusal writes nothing, so a retry runs again. Unlike the 24 h records of
other routes, the record lasts as long as the order.

**Stock buckets.** A product created with at least :data:`BUCKETED_FROM` units keeps its stock in
:data:`STOCK_BUCKETS` items (``<product key>#B<nn>``, the stock split evenly) instead of on the
product item, so concurrent orders of one product decrement different items. An order takes its
quantity from the bucket its id hashes to; when that bucket is short it reads every bucket (one
request more, only while buckets run dry) and takes the quantity from as many buckets as it
needs, all in the same transaction, so the product is never oversold and an order is refused
only when the product as a whole is short. The order records what it took (``stock_taken``) and a
refund puts it back there. Smaller stocks (a flash sale of 100) stay on the product item: one
item decides, and once it reaches 0 every later order is refused from the read alone.

Every transition writes its event (:data:`EVENTS`) in the transaction that makes it
(``payrail.events``): ``order.created`` (sequence 1), then ``order.fulfilment_pending``,
``order.fulfilled`` or ``order.failed``, numbered by the order's ``status_history``.
"""
from __future__ import annotations

import random
import time

from payrail import accounts, ddb, deadline
from payrail.errors import ConcurrencyExhausted, InsufficientFunds, NotFound, OutOfStock, ValidationFailed
from payrail.events import EventLog
from payrail.ids import derived, random_id
from payrail.idempotency import check_fingerprint
from payrail.ledger import (
    CONTENTION_BUDGET_SECONDS,
    ExtraConditionFailed,
    Journal,
    Ledger,
    Posting,
    now_iso,
    shard_of,
)
from payrail.money import check_amount, check_currency, fee_for
from payrail.store import ORDER, PRODUCT, MainTable, public
from payrail.wallets import check_customer_id

PAID, FULFILMENT_PENDING, FULFILLED, FAILED = "PAID", "FULFILMENT_PENDING", "FULFILLED", "FAILED"
#: the states a capture or a refund leaves
AWAITING_FULFILMENT = (PAID, FULFILMENT_PENDING)
MAX_QUANTITY = 1_000
#: the event each order status is announced with
EVENTS = {PAID: "order.created", FULFILMENT_PENDING: "order.fulfilment_pending", FULFILLED: "order.fulfilled",
          FAILED: "order.failed"}
#: a transition re-reads the order and tries again at most this many times when another
#: transition of the same order committed between its read and its write
TRANSITION_TRIES = 5
#: stock items of a bucketed product, and the stock from which a product is bucketed (100 a bucket)
STOCK_BUCKETS = 16
BUCKETED_FROM = 1_600
#: the attributes of an order as placed (what the first answer and every replay show)
PLACED = ("order_id", "merchant_id", "product_id", "quantity", "customer_id", "amount", "currency", "created_at")


def bucket_key(product_pk: str, n: int) -> str:
    """The key of stock bucket ``n`` of the product with key ``product_pk``."""
    return f"{product_pk}#B{n:02d}"


def as_placed(order: dict) -> dict:
    """The order as its placing answered it (status, ``updated_at`` and history of that moment),
    whatever happened to it since: the body every replay of its idempotency key answers."""
    first = order["status_history"][0]
    return {**{k: order[k] for k in PLACED}, "status": first["status"], "updated_at": first["at"],
            "status_history": [first]}


class Orders:
    """Products and orders of merchants."""

    def __init__(self, ledger: Ledger, main: MainTable, events: EventLog):
        self.ledger = ledger
        self.main = main
        self.events = events
        #: product key -> {product_id, price, currency, buckets}: immutable, kept per execution environment
        self._products: dict[str, dict] = {}

    # ---- products ----------------------------------------------------------------------
    def create_product(self, merchant_id: str, name: str, price: int, currency: str, stock: int) -> dict:
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
        product = {"type": PRODUCT.type, "product_id": random_id("prod"), "merchant_id": merchant_id, "name": name,
                   "price": price, "currency": currency, "stock": stock, "created_at": now_iso()}
        pk = PRODUCT.key(merchant_id, product["product_id"])
        if stock < BUCKETED_FROM:
            self.main.put_new(pk, product)
            return public(product)
        share, rest = divmod(stock, STOCK_BUCKETS)
        buckets = [self.main.put_action(bucket_key(pk, n), {"stock": share + (n < rest)}) for n in range(STOCK_BUCKETS)]
        self.main.db.transact_write_items(TransactItems=[
            self.main.put_action(pk, {k: v for k, v in product.items() if k != "stock"} | {"buckets": STOCK_BUCKETS}),
            *buckets])
        return public(product)

    def get_product(self, merchant_id: str, product_id: str) -> dict:
        """The product with its stock (the sum of its buckets). Raises NotFound for unknown ids
        and for other merchants' products."""
        pk = PRODUCT.key(merchant_id, product_id)
        p = self.main.get(pk)
        if not p:
            raise NotFound("product not found", param="product_id")
        if p.get("buckets"):
            p["stock"] = sum(self._buckets(pk, p["buckets"]).values())
        p.pop("buckets", None)
        return p

    def _buckets(self, product_pk: str, n: int) -> dict[int, int]:
        """Stock of each bucket (one strongly consistent read; a bucket sold out shows 0)."""
        got = ddb.batch_get(self.main.db, {self.main.table: [{"pk": ddb.value(bucket_key(product_pk, i))} for i in range(n)]},
                         consistent=True)
        by_key = {it["pk"]: it.get("stock", 0) for it in got.get(self.main.table, [])}
        return {i: by_key.get(bucket_key(product_pk, i), 0) for i in range(n)}

    # ---- orders ------------------------------------------------------------------------
    def get_order(self, merchant_id: str, order_id: str) -> dict:
        o = self.main.get(ORDER.key(merchant_id, order_id))
        if not o:
            raise NotFound("order not found", param="order_id")
        return o

    def place(self, merchant_id: str, product_id: str, quantity: int, customer_id: str,
              idempotency_key: str, fingerprint: str | None = None) -> tuple[dict, bool]:
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
        ppk, opk = PRODUCT.key(merchant_id, product_id), ORDER.key(merchant_id, order_id)
        home = shard_of(order_id, STOCK_BUCKETS)
        known = self._products.get(ppk)  # price, currency and bucketing never change
        if known is None:  # the first order of this product in this execution environment
            keys, wallet_read = {self.main.table: [{"pk": ddb.value(k)} for k in (ppk, bucket_key(ppk, home), opk)]}, None
        else:  # the one read: the stock item, the order the key names, the customer's wallet
            wallet = accounts.wallet(merchant_id, customer_id, known["currency"])
            stock_pk = bucket_key(ppk, home) if known.get("buckets") else ppk
            keys = {self.main.table: [{"pk": ddb.value(stock_pk)}, {"pk": ddb.value(opk)}],
                    self.ledger.table: [Ledger._akey(wallet.account_id)]}
        got = ddb.batch_get(self.main.db, keys)
        items = {it["pk"]: it for it in got.get(self.main.table, [])}
        if opk in items:
            return self._replay(items[opk], fingerprint), False
        if known is None:
            product = items.get(ppk)
            if not product:
                raise NotFound("product not found", param="product_id")
            known = self._products[ppk] = {k: product.get(k) for k in ("product_id", "price", "currency", "buckets")}
        else:
            wallet_read = {a["account_id"]: a for a in got.get(self.ledger.table, [])}
        have = items.get(bucket_key(ppk, home) if known.get("buckets") else ppk, {}).get("stock", 0)
        return self._place(merchant_id, known, home, have, order_id, quantity, customer_id, fingerprint, wallet_read)

    def _replay(self, existing: dict, fingerprint: str | None) -> dict:
        """The answer to a repeat of the request that placed ``existing``. Raises IdempotencyMismatch."""
        check_fingerprint(existing, fingerprint)
        return as_placed(existing)

    def _existing_or_raise(self, merchant_id: str, order_id: str, fingerprint: str | None,
                           error: Exception) -> tuple[dict, bool]:
        """A request whose write failed answers with the order its key placed meanwhile (a
        concurrent request with the same key), if there is one; else ``error`` is raised."""
        existing = self.main.get(ORDER.key(merchant_id, order_id), raw=True)
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
        stock, take, left = self._buckets(ppk, known["buckets"]), {}, quantity
        others = [n for n in stock if n != home]
        random.shuffle(others)  # racing orders spread over the buckets left instead of all picking one
        for n in [home, *others]:
            if left and stock[n]:
                take[bucket_key(ppk, n)] = min(left, stock[n])
                left -= take[bucket_key(ppk, n)]
        if left:
            raise OutOfStock("not enough stock", param="quantity")
        return take

    def _place(self, merchant_id: str, known: dict, home: int, have: int, order_id: str, quantity: int,
               customer_id: str, fingerprint: str | None, wallet_read: dict | None) -> tuple[dict, bool]:
        """The write of :meth:`place`: stock taken, order, payment journal and event in one transaction."""
        product_id = known["product_id"]
        ppk = PRODUCT.key(merchant_id, product_id)
        amount, currency = known["price"] * quantity, known["currency"]
        w = accounts.wallet(merchant_id, customer_id, currency)
        pending = accounts.merchant_account(merchant_id, "pending", currency, shard_key=order_id)
        journal = Journal(f"{order_id}:pay", "order_payment", merchant_id, currency,
                          [Posting(w.account_id, -amount), Posting(pending.account_id, amount)],
                          metadata={"order_id": order_id})
        give_up_at = time.monotonic() + min(CONTENTION_BUDGET_SECONDS, deadline.remaining())
        while True:
            try:
                take = self._take(ppk, known, home, have, quantity)
            except OutOfStock as e:
                return self._existing_or_raise(merchant_id, order_id, fingerprint, e)
            ts = now_iso()
            order = {"type": ORDER.type, "order_id": order_id, "merchant_id": merchant_id, "product_id": product_id,
                     "quantity": quantity, "customer_id": customer_id, "amount": amount, "currency": currency,
                     "status": PAID, "created_at": ts, "updated_at": ts, "request_fingerprint": fingerprint,
                     "status_history": [{"status": PAID, "at": ts}]}
            if known.get("buckets"):
                order["stock_taken"] = take
            stock = [{"Update": {"TableName": self.main.table, "Key": {"pk": ddb.value(k)},
                                 "UpdateExpression": "SET stock = stock - :q", "ConditionExpression": "stock >= :q",
                                 "ExpressionAttributeValues": {":q": ddb.value(q)}}} for k, q in take.items()]
            created = self.events.put_action(merchant_id, EVENTS[PAID], order, order_id, 1, ts)
            try:
                res = self.ledger.post(journal, opens=[pending], known=wallet_read, created_at=ts,
                                       extra=[self.main.put_action(ORDER.key(merchant_id, order_id), order), *stock,
                                              created])
            except ExtraConditionFailed as e:
                if 1 <= e.index <= len(take) and known.get("buckets"):
                    if time.monotonic() >= give_up_at:
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
            return as_placed(order), True

    def mark_fulfilment_pending(self, order: dict, reason: str) -> dict:
        """The fulfilment outcome is unknown: PAID → FULFILMENT_PENDING, with ``reason`` in
        ``status_history`` and the ``order.fulfilment_pending`` event, in one transaction
        (conditional on PAID). No money moves. An order in any other state is returned as it is
        (idempotent). Returns the order."""
        for _ in range(TRANSITION_TRIES):
            if order["status"] != PAID:
                return order
            self.events.transact(self._transition(order, (PAID,), FULFILMENT_PENDING, None, reason))
            order = self.get_order(order["merchant_id"], order["order_id"])  # ours, or a concurrent delivery's
        if order["status"] != PAID:
            return order
        raise ConcurrencyExhausted(f"order {order['order_id']}: the transition kept conflicting; retry")

    def capture(self, order: dict, fulfilment_id: str, fee_bps: int) -> dict:
        """Fulfilment succeeded: move the payment from ``pending`` to ``available`` (less the fee);
        from PAID or FULFILMENT_PENDING to FULFILLED.

        Idempotent: a second call on a FULFILLED order changes nothing. Returns the order.
        """
        mid, oid, amt, cur = order["merchant_id"], order["order_id"], order["amount"], order["currency"]
        fee = fee_for(amt, fee_bps)
        fees = accounts.merchant_account(mid, "fees", cur, shard_key=oid)
        postings = [Posting(accounts.merchant_account(mid, "pending", cur, shard_key=oid).account_id, -amt),
                    Posting(accounts.merchant_account(mid, "available", cur).account_id, amt - fee)]
        if fee:
            postings.append(Posting(fees.account_id, fee))
        journal = Journal(f"{oid}:capture", "order_capture", mid, cur, [p for p in postings if p.amount],
                          metadata={"order_id": oid}, settlement={"merchant_id": mid, "gross": amt, "fee": fee})
        self._finish(journal, order, FULFILLED, {"fulfilment_id": fulfilment_id, "fee": fee}, None,
                     opens=[accounts.merchant_account(mid, "available", cur), fees])
        return self.get_order(mid, oid)

    def refund(self, order: dict, reason: str) -> dict:
        """Fulfilment was refused for good: refund the customer and restore stock (compensating
        journal); from PAID or FULFILMENT_PENDING to FAILED. Callers refund only on a definitive
        answer of the fulfilment service, never on a timeout. Idempotent. Returns the order."""
        mid, oid, amt, cur = order["merchant_id"], order["order_id"], order["amount"], order["currency"]
        journal = Journal(f"{oid}:refund", "order_refund", mid, cur,
                          [Posting(accounts.merchant_account(mid, "pending", cur, shard_key=oid).account_id, -amt),
                           Posting(accounts.wallet(mid, order["customer_id"], cur).account_id, amt)],
                          metadata={"order_id": oid, "reason": reason})
        stored = self.main.get(ORDER.key(mid, oid), raw=True) or {}  # what it took (internal: not on `order`)
        taken = stored.get("stock_taken") or {PRODUCT.key(mid, order["product_id"]): order["quantity"]}
        restock = [{"Update": {"TableName": self.main.table, "Key": {"pk": ddb.value(k)},
                               "UpdateExpression": "SET stock = stock + :q",
                               "ExpressionAttributeValues": {":q": ddb.value(q)}}} for k, q in taken.items()]
        self._finish(journal, order, FAILED, {"failure_reason": reason}, restock)
        return self.get_order(mid, oid)

    def _transition(self, order: dict, from_status: tuple[str, ...], status: str, sets: dict | None,
                    detail: str | None = None) -> list[dict]:
        """The order's guarded status Update and its event Put (``EventLog.transition``)."""
        return self.events.transition(self.main, ORDER.key(order["merchant_id"], order["order_id"]), order,
                                      from_status, status, EVENTS[status], "order_id", sets, detail)

    def _finish(self, journal: Journal, order: dict, status: str, sets: dict, also: list[dict] | None,
                opens=()) -> None:
        """Post ``journal`` with the order's transition to ``status`` and its event. When the
        transition's guard fails, the order is read again: captured or refunded already (a
        duplicate delivery) ends here; still awaiting fulfilment (another transition, such as
        FULFILMENT_PENDING, came first) is tried again with the fresh order."""
        for _ in range(TRANSITION_TRIES):
            extra = self._transition(order, AWAITING_FULFILMENT, status, sets) + list(also or [])
            try:
                self.ledger.post(journal, opens=list(opens), extra=extra)
                return
            except ExtraConditionFailed:
                order = self.get_order(order["merchant_id"], order["order_id"])
                if order["status"] not in AWAITING_FULFILMENT:
                    return  # already captured or refunded: nothing to do
        raise ConcurrencyExhausted(f"order {order['order_id']}: the transition kept conflicting; retry")
