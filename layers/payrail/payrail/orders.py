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

Placing an order is ONE transaction: order put (attribute_not_exists), stock decrement
(``stock >= :q``), and the payment journal (wallet → merchant ``pending``, wallet ``balance >=
amount``). Nothing changes when any condition fails.
"""
from __future__ import annotations

from payrail import accounts
from payrail.errors import Conflict, InsufficientFunds, NotFound, OutOfStock, ValidationFailed
from payrail.ids import derived, random_id
from payrail.idempotency import check_fingerprint
from payrail.ledger import ExtraConditionFailed, Journal, Ledger, Posting, now_iso
from payrail.money import check_amount, check_currency, fee_for
from payrail.store import ORDER, PRODUCT, MainTable, public
from payrail.wallets import check_customer_id

PAID, FULFILMENT_PENDING, FULFILLED, FAILED = "PAID", "FULFILMENT_PENDING", "FULFILLED", "FAILED"
#: the states a capture or a refund leaves
AWAITING_FULFILMENT = (PAID, FULFILMENT_PENDING)
MAX_QUANTITY = 1_000


class Orders:
    """Products and orders of merchants."""

    def __init__(self, ledger: Ledger, main: MainTable):
        self.ledger = ledger
        self.main = main

    # ---- products ----------------------------------------------------------------------
    def create_product(self, merchant_id: str, name: str, price: int, currency: str, stock: int) -> dict:
        """Create a product. ``price`` in minor units; ``stock`` a non-negative count.

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
        self.main.put_new(PRODUCT.key(merchant_id, product["product_id"]), product)
        return public(product)

    def get_product(self, merchant_id: str, product_id: str) -> dict:
        """Raises NotFound for unknown ids and for other merchants' products."""
        p = self.main.get(PRODUCT.key(merchant_id, product_id))
        if not p:
            raise NotFound("product not found", param="product_id")
        return p

    # ---- orders ------------------------------------------------------------------------
    def get_order(self, merchant_id: str, order_id: str) -> dict:
        o = self.main.get(ORDER.key(merchant_id, order_id))
        if not o:
            raise NotFound("order not found", param="order_id")
        return o

    def place(self, merchant_id: str, product_id: str, quantity: int, customer_id: str,
              idempotency_key: str, fingerprint: str | None = None) -> tuple[dict, bool]:
        """Reserve stock and pay from the customer's wallet, atomically.

        Args:
            idempotency_key: the order id derives from it, so a retry names the same order.
            fingerprint: the request's fingerprint, stored on the order; a later request with the
                same key but another fingerprint is refused even after the key's record expired.

        Returns:
            ``(order, created)``; ``created`` is False when the key named an existing order.

        Raises:
            ValidationFailed, NotFound (product), OutOfStock (409), InsufficientFunds (402),
            IdempotencyMismatch (422).
        """
        check_customer_id(customer_id)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            raise ValidationFailed(f"quantity must be an integer 1..{MAX_QUANTITY}", param="quantity")
        order_id = derived("ord", merchant_id, idempotency_key)
        product = self.get_product(merchant_id, product_id)
        if product["stock"] < quantity:
            return self._existing_or_raise(merchant_id, order_id, fingerprint,
                                           OutOfStock("not enough stock", param="quantity"))
        amount, currency = product["price"] * quantity, product["currency"]
        w = accounts.wallet(merchant_id, customer_id, currency)
        pending = accounts.merchant_account(merchant_id, "pending", currency, shard_key=order_id)
        ts = now_iso()
        order = {"type": ORDER.type, "order_id": order_id, "merchant_id": merchant_id, "product_id": product_id,
                 "quantity": quantity, "customer_id": customer_id, "amount": amount, "currency": currency,
                 "status": PAID, "created_at": ts, "updated_at": ts, "request_fingerprint": fingerprint,
                 "status_history": [{"status": PAID, "at": ts}]}
        stock = {"Update": {"TableName": self.main.table, "Key": {"pk": {"S": PRODUCT.key(merchant_id, product_id)}},
                            "UpdateExpression": "SET stock = stock - :q", "ConditionExpression": "stock >= :q",
                            "ExpressionAttributeValues": {":q": {"N": str(quantity)}}}}
        journal = Journal(f"{order_id}:pay", "order_payment", merchant_id, currency,
                          [Posting(w.account_id, -amount), Posting(pending.account_id, amount)],
                          metadata={"order_id": order_id})
        try:
            res = self.ledger.post(journal, opens=[pending],
                                   extra=[self.main.put_action(ORDER.key(merchant_id, order_id), order), stock],
                                   created_at=ts)
        except ExtraConditionFailed as e:
            if e.index == 1:
                return self._existing_or_raise(merchant_id, order_id, fingerprint,
                                               OutOfStock("not enough stock", param="quantity"))
            return self._existing_or_raise(merchant_id, order_id, fingerprint, NotFound("order not found"))
        except NotFound:
            raise InsufficientFunds("customer has no wallet in this currency", param="customer_id") from None
        if not res.created:  # this idempotency key already placed its order
            return self._existing_or_raise(merchant_id, order_id, fingerprint, NotFound("order not found"))
        return public(order), True

    def _existing_or_raise(self, merchant_id: str, order_id: str, fingerprint: str | None,
                           error: Exception) -> tuple[dict, bool]:
        """A retry of an order placed earlier answers with that order (if it is the same request)."""
        existing = self.main.get(ORDER.key(merchant_id, order_id), raw=True)
        if existing:
            check_fingerprint(existing, fingerprint)
            return public(existing), False
        raise error

    def mark_fulfilment_pending(self, order: dict, reason: str) -> dict:
        """The fulfilment outcome is unknown: PAID → FULFILMENT_PENDING (conditional on PAID), with
        ``reason`` in ``status_history``. No money moves. An order in any other state is
        returned as it is (idempotent). Returns the order."""
        if order["status"] != PAID:
            return order
        try:
            return self.main.transition(ORDER.key(order["merchant_id"], order["order_id"]), (PAID,),
                                        FULFILMENT_PENDING, detail=reason[:500])
        except Conflict:  # a concurrent delivery moved it first
            return self.get_order(order["merchant_id"], order["order_id"])

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
        restock = {"Update": {"TableName": self.main.table,
                              "Key": {"pk": {"S": PRODUCT.key(mid, order["product_id"])}},
                              "UpdateExpression": "SET stock = stock + :q",
                              "ExpressionAttributeValues": {":q": {"N": str(order["quantity"])}}}}
        self._finish(journal, order, FAILED, {"failure_reason": reason}, restock)
        return self.get_order(mid, oid)

    def _finish(self, journal: Journal, order: dict, status: str, sets: dict, also: dict | None,
                opens=()) -> None:
        pk = ORDER.key(order["merchant_id"], order["order_id"])
        extra = [self.main.transition_action(pk, AWAITING_FULFILMENT, status, sets)] + ([also] if also else [])
        try:
            self.ledger.post(journal, opens=list(opens), extra=extra)
        except ExtraConditionFailed:
            pass  # the order was already captured or refunded: a duplicate delivery, nothing to do
