"""The items of products, their stock buckets and orders in the main table: the only code of
``payrail.commerce`` that knows their keys, their attributes and the expressions that change them.

Items: product ``pk = PRODUCT#<merchant>#<product_id>`` (``stock`` on it, or ``buckets`` = how
many stock items ``<product key>#B<nn>`` hold it); order ``pk = ORDER#<merchant>#<order_id>`` with
the request's fingerprint and, for a bucketed product, ``stock_taken`` (what it took where).
"""
from __future__ import annotations

from payrail.core import ddb
from payrail.core.errors import Conflict
from payrail.core.events import EventLog, object_after
from payrail.core.ledger import Ledger
from payrail.core.lifecycle import Lifecycle
from payrail.core.entity import construct
from payrail.core.store import ORDER, PRODUCT, MainTable, public
from payrail.commerce.model import Order, Product

#: the attributes of an order as placed (what the first answer and every replay show)
PLACED = ("order_id", "merchant_id", "product_id", "quantity", "customer_id", "amount", "currency", "created_at")


def load_product(item: dict | None) -> Product | None:
    """A stored product item (``buckets`` and internal attributes dropped) as the :class:`Product`,
    unvalidated: payrail wrote it."""
    if item is None:
        return None
    data = public(dict(item))
    data.pop("buckets", None)
    return construct(Product, data)


def load_order(item: dict | None) -> Order | None:
    """A stored order item (internal attributes dropped) as the :class:`Order`, unvalidated:
    payrail wrote it (``model_construct``: no validator on the hot path)."""
    if item is None:
        return None
    return construct(Order, public(dict(item)))


def as_item(order: Order) -> dict:
    """The order's attributes as stored (what it was read or created with)."""
    return order.model_dump(exclude_unset=True)


def as_placed(order: dict) -> dict:
    """The order item as its placing answered it (status, ``updated_at`` and history of that
    moment), whatever happened to it since: the body every replay of its idempotency key answers."""
    first = order["status_history"][0]
    return {**{k: order[k] for k in PLACED}, "status": first["status"], "updated_at": first["at"],
            "status_history": [first]}


def bucket_key(product_pk: str, n: int) -> str:
    """The key of stock bucket ``n`` of the product with key ``product_pk``."""
    return f"{product_pk}#B{n:02d}"


class ProductRecords:
    """Products and their stock. Args: main: the main table."""

    def __init__(self, main: MainTable):
        self.main = main

    @staticmethod
    def key(merchant_id: str, product_id: str) -> str:
        return PRODUCT.key(merchant_id, product_id)

    @staticmethod
    def new(product_id: str, merchant_id: str, name: str, price: int, currency: str, stock: int, ts: str) -> dict:
        """A new product's item (stock on it)."""
        return {"type": PRODUCT.type, "product_id": product_id, "merchant_id": merchant_id, "name": name,
                "price": price, "currency": currency, "stock": stock, "created_at": ts}

    def create(self, product: dict, buckets: int = 0) -> Product:
        """Write a new product (its item, :meth:`new`): its stock on the item, or split evenly over
        ``buckets`` stock items (one transaction). Returns the product."""
        pk = self.key(product["merchant_id"], product["product_id"])
        if not buckets:
            self.main.put_new(pk, product)
            return load_product(product)
        share, rest = divmod(product["stock"], buckets)
        self.main.db.transact_write_items(TransactItems=[
            self.main.put_action(pk, {k: v for k, v in product.items() if k != "stock"} | {"buckets": buckets}),
            *(self.main.put_action(bucket_key(pk, n), {"stock": share + (n < rest)}) for n in range(buckets))])
        return load_product(product)

    def get(self, merchant_id: str, product_id: str) -> Product | None:
        """The product with its stock (the sum of its buckets for a bucketed one), or None."""
        item = self.main.get(self.key(merchant_id, product_id))
        if item and item.get("buckets"):
            item["stock"] = sum(self.buckets(self.key(merchant_id, product_id), item["buckets"]).values())
        return load_product(item)

    def buckets(self, product_pk: str, n: int) -> dict[int, int]:
        """Stock of each bucket (one strongly consistent read; a bucket sold out shows 0)."""
        got = ddb.batch_get(self.main.db, {self.main.table: [{"pk": ddb.value(bucket_key(product_pk, i))}
                                                             for i in range(n)]}, consistent=True)
        by_key = {it["pk"]: it.get("stock", 0) for it in got.get(self.main.table, [])}
        return {i: by_key.get(bucket_key(product_pk, i), 0) for i in range(n)}

    def stock_of(self, keys: list[str]) -> dict[str, int]:
        """The stock on each of these stock items (product or bucket keys; one strongly consistent read)."""
        got = ddb.batch_get(self.main.db, {self.main.table: [{"pk": ddb.value(k)} for k in keys]}, consistent=True)
        return {it["pk"]: it.get("stock", 0) for it in got.get(self.main.table, [])}

    def read(self, main_keys: list[str], ledger: Ledger | None = None, account_id: str | None = None
             ) -> tuple[dict[str, dict], dict[str, dict] | None]:
        """One ``BatchGetItem`` of main-table items by key and, with ``ledger``, one account:
        ``({pk: item}, {account_id: account} or None)``."""
        keys = {self.main.table: [{"pk": ddb.value(k)} for k in main_keys]}
        if ledger is not None:
            keys[ledger.table] = [Ledger._akey(account_id)]
        got = ddb.batch_get(self.main.db, keys)
        accounts = {a["account_id"]: a for a in got.get(ledger.table, [])} if ledger is not None else None
        return {it["pk"]: it for it in got.get(self.main.table, [])}, accounts

    def take_actions(self, take: dict[str, int]) -> list[dict]:
        """Decrement each stock item by its quantity, each guarded by ``stock >= q``."""
        return [self._stock(k, "SET stock = stock - :q", q, "stock >= :q") for k, q in take.items()]

    def restock_actions(self, taken: dict[str, int]) -> list[dict]:
        """Put back what an order took."""
        return [self._stock(k, "SET stock = stock + :q", q) for k, q in taken.items()]

    def _stock(self, pk: str, expression: str, q: int, condition: str | None = None) -> dict:
        update = {"TableName": self.main.table, "Key": {"pk": ddb.value(pk)}, "UpdateExpression": expression,
                  "ExpressionAttributeValues": {":q": ddb.value(q)}}
        return {"Update": update | ({"ConditionExpression": condition} if condition else {})}


class OrderRecords:
    """Orders. Args: main: the main table; events: the outbox; lifecycle: the order's table."""

    def __init__(self, main: MainTable, events: EventLog, lifecycle: Lifecycle):
        self.main, self.events, self.lifecycle = main, events, lifecycle

    @staticmethod
    def key(merchant_id: str, order_id: str) -> str:
        return ORDER.key(merchant_id, order_id)

    @staticmethod
    def new(order_id: str, merchant_id: str, product_id: str, quantity: int, customer_id: str, amount: int,
            currency: str, status: str, fingerprint: str | None, ts: str, stock_taken: dict | None) -> dict:
        """A new order's item (``stock_taken`` only for a bucketed product)."""
        order = {"type": ORDER.type, "order_id": order_id, "merchant_id": merchant_id, "product_id": product_id,
                 "quantity": quantity, "customer_id": customer_id, "amount": amount, "currency": currency,
                 "status": status, "created_at": ts, "updated_at": ts, "request_fingerprint": fingerprint,
                 "status_history": [{"status": status, "at": ts}]}
        return order | ({"stock_taken": stock_taken} if stock_taken else {})

    def put_action(self, order: dict) -> dict:
        """Create the order from its item (:meth:`new`; ``attribute_not_exists``)."""
        return self.main.put_action(self.key(order["merchant_id"], order["order_id"]), order)

    def get(self, merchant_id: str, order_id: str) -> Order | None:
        """The order, or None."""
        return load_order(self.main.get(self.key(merchant_id, order_id)))

    def stored(self, merchant_id: str, order_id: str) -> dict | None:
        """The stored item itself (internal attributes included: fingerprint, ``stock_taken``), or None."""
        return self.main.get(self.key(merchant_id, order_id), raw=True)

    def stock_taken(self, order: Order) -> dict[str, int]:
        """What the order took where (internal: not on the order clients see)."""
        stored = self.stored(order.merchant_id, order.order_id) or {}
        return stored.get("stock_taken") or {PRODUCT.key(order.merchant_id, order.product_id): order.quantity}

    def transition(self, order: Order, sources: tuple[str, ...], status: str, sets: dict | None,
                   detail: str | None = None, **update) -> list[dict]:
        """The guarded status Update and its event Put of a move of the order's lifecycle table
        (raises IllegalMove for one the table lacks, before anything is built)."""
        self.lifecycle.check(sources, status)
        return self.lifecycle.actions(self.events, self.main, self.key(order.merchant_id, order.order_id),
                                      as_item(order), status, sources=sources, id_field="order_id", sets=sets,
                                      detail=detail, **update)

    @staticmethod
    def after(order: Order, status: str, sets: dict | None, detail: str | None, ts: str) -> Order:
        """The order as :meth:`transition` to ``status`` with ``sets``, ``detail`` and ``ts`` leaves
        it once its transaction committed (what the Update wrote), without reading it again."""
        return load_order(object_after(as_item(order), status, sets, ts, detail))

    def change(self, order: Order, status: str, **kw) -> Order | None:
        """An update of the order while it is in ``status`` (``MainTable.update_action``
        keywords); the order after it, or None when it left ``status`` meanwhile."""
        try:
            return load_order(self.main.apply(self.main.update_action(self.key(order.merchant_id, order.order_id),
                                                                      from_status=(status,), **kw)))
        except Conflict:
            return None
