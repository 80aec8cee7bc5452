"""Contention removals against DynamoDB Local: counter accounts, stock buckets, and the
order as its own idempotency record."""
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from infra.tools.client import ApiError, wait_for
from payrail.core import accounts
from payrail.core.errors import InsufficientFunds, NotFound
from payrail.core.ledger import UNBOUNDED, AccountSpec, Journal, Posting
from payrail.commerce.orders import BUCKETED_FROM, STOCK_BUCKETS, bucket_key
from payrail.core.store import PRODUCT


def _counter_move(ledger, mid, amount, n=0):
    """funding (unbounded counter) -> pending shard (non-negative counter): no read, no version."""
    funding = accounts.merchant_account(mid, "funding", "USD", shard_key="f")
    pending = accounts.merchant_account(mid, "pending", "USD", shard_key="p")
    return ledger.post(Journal(f"{mid}-c{n}-{uuid.uuid4().hex[:6]}", "test", mid, "USD",
                               [Posting(funding.account_id, -amount), Posting(pending.account_id, amount)]),
                       opens=[funding, pending]), pending


def test_counter_accounts_take_concurrent_movements_without_retries_and_audit_exactly(platform, monkeypatch):
    mid = f"m_{uuid.uuid4().hex[:16]}"
    reads = []
    real_get = platform.ledger.get_accounts
    monkeypatch.setattr(platform.ledger, "get_accounts", lambda ids: reads.append(ids) or real_get(ids))
    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(lambda i: _counter_move(platform.ledger, mid, 7, i), range(200)))
    assert all(r.created for r, _ in results) and reads == []  # never read, never retried
    pending = results[0][1]
    a = platform.ledger.get_account(pending.account_id)
    assert (a["balance"], a["seq"], a["kind"], a["currency"]) == (1_400, 200, "pending", "USD")
    assert platform.ledger.history(pending.account_id)["data"] == []  # counters keep no posting items
    # what audit() checks, on this merchant's items (the shared ledger has other tests' work in flight)
    legs: dict[str, list[int]] = {}
    for it in platform.ledger.scan():
        if it["sk"] == "J" and it["merchant_id"] == mid:
            for p in it["postings"]:
                legs.setdefault(p["account_id"], []).append(p["amount"])
    for account_id, amounts in legs.items():
        acct = platform.ledger.get_account(account_id)
        assert (acct["balance"], acct["seq"]) == (sum(amounts), len(amounts)) == ((1_400, 200) if "pending" in account_id
                                                                                else (-1_400, 200))


def test_counter_debit_below_zero_or_of_a_missing_account_changes_nothing(platform):
    mid = f"m_{uuid.uuid4().hex[:16]}"
    _, pending = _counter_move(platform.ledger, mid, 100)
    available = AccountSpec(f"{mid}:available:USD", mid, "USD", "available", UNBOUNDED)
    with pytest.raises(InsufficientFunds):  # a non-negative counter: balance >= :debit, no read
        platform.ledger.post(Journal(f"{mid}-over", "t", mid, "USD", [Posting(pending.account_id, -101),
                                                                       Posting(available.account_id, 101)]),
                             opens=[available])
    assert platform.ledger.get_journal(f"{mid}-over") is None
    assert platform.ledger.get_account(pending.account_id)["balance"] == 100
    assert platform.ledger.get_account(available.account_id) is None
    missing = accounts.merchant_account(mid, "fees", "USD", shard_key="x")
    with pytest.raises(NotFound):  # a credit of a counter that may not be opened
        platform.ledger.post(Journal(f"{mid}-nf", "t", mid, "USD", [Posting(pending.account_id, -1),
                                                                     Posting(missing.account_id, 1)]))
    assert platform.ledger.get_account(missing.account_id) is None


def _bucket_stock(platform, mid, pid):
    pk = PRODUCT.key(mid, pid)
    return [platform.main.get(bucket_key(pk, n))["stock"] for n in range(STOCK_BUCKETS)]


def test_bucketed_stock_spans_buckets_and_never_oversells(admin, merchant, platform):
    client, mid = merchant
    admin.credit(mid, "big", 10_000)
    product = client.create_product("bulk", 1, BUCKETED_FROM)
    pid = product["product_id"]
    assert product["stock"] == BUCKETED_FROM and client.product(pid)["stock"] == BUCKETED_FROM
    assert _bucket_stock(platform, mid, pid) == [BUCKETED_FROM // STOCK_BUCKETS] * STOCK_BUCKETS
    big = client.order(pid, "big", quantity=1_000)  # more than any one bucket holds
    assert client.product(pid)["stock"] == BUCKETED_FROM - 1_000
    with pytest.raises(ApiError) as e:
        client.order(pid, "big", quantity=BUCKETED_FROM - 1_000 + 1)
    assert e.value.status == 409 and e.value.code == "out_of_stock"
    client.order(pid, "big", quantity=BUCKETED_FROM - 1_000)
    assert _bucket_stock(platform, mid, pid) == [0] * STOCK_BUCKETS
    with pytest.raises(ApiError) as e:
        client.order(pid, "big", quantity=1)
    assert e.value.code == "out_of_stock"
    assert client.wallet("big")["balance"] == 10_000 - BUCKETED_FROM
    order = wait_for(lambda: (o := platform.orders.get_order(mid, big["order_id"])) and o, timeout=10)
    raw = platform.main.get(f"ORDER#{mid}#{big['order_id']}", raw=True)
    assert sum(raw["stock_taken"].values()) == 1_000 and "stock_taken" not in order


def test_a_refused_order_of_bucketed_stock_is_refunded_into_the_buckets_it_took_from(admin, merchant, platform,
                                                                                    fulfilment_mode):
    """The fulfilment worker refunds with the order as clients see it (no ``stock_taken``): the
    refund reads what the order took (before: it restored to the product item, which holds no
    stock when bucketed, and the refund failed on every retry)."""
    client, mid = merchant
    admin.credit(mid, "refused", 5_000)
    pid = client.create_product("bulk", 1, BUCKETED_FROM)["product_id"]
    fulfilment_mode("fail")
    big = client.order(pid, "refused", quantity=1_000)  # more than any one bucket holds
    failed = wait_for(lambda: (o := client.get_order(big["order_id"]))["status"] == "FAILED" and o, timeout=60,
                      what="order refused and refunded")
    assert failed["failure_reason"] and client.wallet("refused")["balance"] == 5_000
    assert client.product(pid)["stock"] == BUCKETED_FROM
    assert _bucket_stock(platform, mid, pid) == [BUCKETED_FROM // STOCK_BUCKETS] * STOCK_BUCKETS


def test_bucketed_stock_under_64_concurrent_buyers_sells_exactly_what_there_is(admin, merchant):
    client, mid = merchant
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: admin.credit(mid, f"b{i}", 1_000), range(200)))
    product = client.create_product("bulk", 10, BUCKETED_FROM)

    def buy(i):
        try:
            return client.order(product["product_id"], f"b{i}", quantity=10, key=f"b-{uuid.uuid4()}")["order_id"]
        except ApiError as e:
            return e.code
    with ThreadPoolExecutor(64) as pool:
        answers = list(pool.map(buy, range(200)))
    counts = Counter("sold" if a.startswith("ord_") else a for a in answers)
    assert counts == {"sold": BUCKETED_FROM // 10, "out_of_stock": 200 - BUCKETED_FROM // 10}
    assert client.product(product["product_id"])["stock"] == 0


def test_replay_answers_the_order_as_placed_after_it_changed(admin, merchant, platform):
    client, mid = merchant
    admin.credit(mid, "lee", 5_000)
    product = client.create_product("p", 1_000, 5)
    key = f"k-{uuid.uuid4()}"
    first = client.order(product["product_id"], "lee", key=key)
    wait_for(lambda: client.get_order(first["order_id"])["status"] == "FULFILLED", timeout=60)
    r = client.http.post(f"{client.url}/v1/orders", json={"product_id": product["product_id"], "quantity": 1,
                                                           "customer_id": "lee"},
                         headers={"x-api-key": client.api_key, "idempotency-key": key}, timeout=30)
    assert r.status_code == 201 and r.headers.get("Idempotent-Replayed") == "true"
    assert r.json() == first and first["status"] == "PAID"
    assert client.wallet("lee")["balance"] == 4_000


def test_wallet_credit_is_its_own_idempotency_record(cloud, admin, merchant):
    """A credit's journal is its key's record: a repeat (concurrent or later) answers the same
    movement, replayed, and moves nothing; another request with the key is 422."""
    client, mid = merchant
    key = f"c-{uuid.uuid4()}"
    body = {"merchant_id": mid, "customer_id": "max", "currency": "USD", "amount": 700}

    def credit(b=body):
        return admin.http.post(f"{admin.url}/v1/admin/wallets/credit", json=b, timeout=30,
                               headers={"authorization": f"Bearer {cloud['admin_token']}", "idempotency-key": key})
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: credit(), range(8)))
    assert {r.status_code for r in answers} == {200}
    assert len({r.text for r in answers}) == 1 and answers[0].json()["balance_after"] == 700
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in answers) == 7
    later = credit()
    assert later.status_code == 200 and later.json() == answers[0].json()
    assert later.headers.get("Idempotent-Replayed") == "true"
    assert credit({**body, "amount": 701}).status_code == 422
    assert client.wallet("max")["balance"] == 700
