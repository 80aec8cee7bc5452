"""No oversell and no overdraft under concurrency, through the HTTP API on DynamoDB Local."""
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from infra.tools.client import ApiError


def test_stock_100_and_500_parallel_orders_sell_exactly_100(admin, merchant, platform):
    client, mid = merchant
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: admin.credit(mid, f"buyer-{i}", 10_000), range(500)))
    product = client.create_product("limited", price=700, stock=100)

    def buy(i):
        try:
            return client.order(product["product_id"], f"buyer-{i}", key=f"buy-{uuid.uuid4()}")["order_id"]
        except ApiError as e:
            return e.code
    with ThreadPoolExecutor(64) as pool:
        answers = list(pool.map(buy, range(500)))
    sold = [a for a in answers if a and a.startswith("ord_")]
    assert len(sold) == 100 and len(set(sold)) == 100
    assert Counter(a for a in answers if not a.startswith("ord_")) == {"out_of_stock": 400}
    assert client.product(product["product_id"])["stock"] == 0
    # every sold order paid exactly once: 100 payment journals, 100 debited wallets
    paid = [platform.ledger.get_journal(f"{oid}:pay") for oid in sold]
    assert all(j and sum(p["amount"] for p in j["postings"]) == 0 for j in paid)
    debited = [i for i in range(500) if platform.ledger.get_account(f"{mid}:wallet:buyer-{i}:USD")["balance"] < 10_000]
    assert len(debited) == 100


def test_one_wallet_200_parallel_debits_never_below_zero(admin, merchant, platform):
    client, mid = merchant
    admin.credit(mid, "whale", 10_000)

    def debit(i):
        key = f"d-{uuid.uuid4()}"
        while True:  # 409 concurrent_update is retryable: the client retries with the same key
            try:
                admin.debit(mid, "whale", 70, key=key)
                return True
            except ApiError as e:
                if e.code != "concurrent_update":
                    assert e.code == "insufficient_funds", e.body
                    return False
    with ThreadPoolExecutor(64) as pool:
        results = list(pool.map(debit, range(200)))
    assert sum(results) == 10_000 // 70  # 142 debits fit, 58 refused
    history, cursor = [], None
    while True:
        page = client.wallet_history("whale", limit=100, starting_after=cursor)
        history += page["data"]
        if not page["has_more"]:
            break
        cursor = page["data"][-1]["seq"]
    balance = client.wallet("whale")["balance"]
    assert balance == 10_000 - 142 * 70 >= 0
    assert balance == sum(p["amount"] for p in history)
    assert min(p["balance_after"] for p in history) >= 0


def test_an_order_that_met_the_last_unit_s_buyer_is_refused_from_a_fresh_read_not_another_transaction(
        admin, merchant, platform):
    """Contention on the last unit: order A's transaction is cancelled because another (B's, taking
    the last unit) held the product item — as DynamoDB answers when two transactions meet. A then
    sees the product sold out in one read and is refused: no second TransactWriteItems. A sold-out
    product read quietly is refused with none at all."""
    import json
    from types import SimpleNamespace

    import pytest

    from payrail.core.errors import OutOfStock

    client, mid = merchant
    for buyer in ("a", "b", "c"):
        admin.credit(mid, buyer, 10_000)
    product = client.create_product("last one", price=700, stock=1)
    orders = platform.orders
    product_pk = orders.products.key(mid, product["product_id"])
    db = orders.ledger.db
    sent = {"a": 0, "b": 0, "c": 0}
    state = {"who": "a", "armed": True}

    def conflict_first(params, **_):
        who = state["who"]
        sent[who] += 1
        if who != "a" or not state["armed"]:
            return None
        state["armed"] = False
        state["who"] = "b"  # B's order commits while A's transaction is in flight
        orders.place(mid, product["product_id"], 1, "b", "order-b")
        state["who"] = "a"
        reasons = [{"Code": "TransactionConflict" if a.get("Update", {}).get("Key", {}).get("pk", {}).get("S")
                    == product_pk else "None"} for a in json.loads(params["body"])["TransactItems"]]
        return SimpleNamespace(status_code=400, headers={}), {
            "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": reasons}
    db.meta.events.register("before-call.dynamodb.TransactWriteItems", conflict_first, unique_id="test-conflict")
    try:
        with pytest.raises(OutOfStock):
            orders.place(mid, product["product_id"], 1, "a", "order-a")
        state["who"] = "c"
        with pytest.raises(OutOfStock):  # sold out: refused from the order's one read
            orders.place(mid, product["product_id"], 1, "c", "order-c")
    finally:
        db.meta.events.unregister("before-call.dynamodb.TransactWriteItems", unique_id="test-conflict")
    assert sent == {"a": 1, "b": 1, "c": 0}
    assert client.product(product["product_id"])["stock"] == 0
    assert client.wallet("a")["balance"] == client.wallet("c")["balance"] == 10_000
    assert client.wallet("b")["balance"] == 10_000 - 700


def test_a_sold_out_product_is_refused_from_the_order_s_one_read_and_a_retry_still_replays(admin, merchant, platform):
    """Refused from the one ``BatchGetItem`` that also read the key's order: no second read and
    no write. A key that placed an order before the product sold out still replays it."""
    import pytest

    from payrail.core.errors import OutOfStock

    client, mid = merchant
    for buyer in ("a", "b"):
        admin.credit(mid, buyer, 10_000)
    product = client.create_product("one left", price=700, stock=1)
    orders = platform.orders
    placed, _ = orders.place(mid, product["product_id"], 1, "a", "sold-a")
    sent: list[str] = []

    def count(event_name, **_):
        sent.append(event_name.rsplit(".", 1)[-1])
    clients = {id(c): c for c in (orders.products.main.db, orders.orders.main.db, orders.ledger.db)}.values()
    for db in clients:
        db.meta.events.register("before-call.dynamodb", count, unique_id="test-count")
    try:
        with pytest.raises(OutOfStock):
            orders.place(mid, product["product_id"], 1, "b", "late-b")
        refused = list(sent)
        replay, created = orders.place(mid, product["product_id"], 1, "a", "sold-a")
    finally:
        for db in clients:
            db.meta.events.unregister("before-call.dynamodb", unique_id="test-count")
    assert refused == ["BatchGetItem"]
    assert not created and replay.order_id == placed.order_id
    assert client.wallet("b")["balance"] == 10_000
