"""Orders end to end: payment, fulfilment callout through SQS, capture, compensating refund on a
refusal, and an unknown outcome (timeout, lost answer, service away) that is looked up, never refunded."""
import pytest
import requests

from infra.local.client import ApiError
from infra.local.client import wait_for


def test_order_is_paid_atomically_then_fulfilled_and_captured(admin, merchant):
    client, mid = merchant
    admin.credit(mid, "eve", 10_000)
    product = client.create_product("book", 2_500, 3)
    order = client.order(product["product_id"], "eve", quantity=2)
    assert order["status"] == "PAID" and order["amount"] == 5_000
    assert client.wallet("eve")["balance"] == 5_000 and client.product(product["product_id"])["stock"] == 1
    done = wait_for(lambda: (o := client.get_order(order["order_id"]))["status"] == "FULFILLED" and o)
    assert done["fulfilment_id"] and [h["status"] for h in done["status_history"]] == ["PAID", "FULFILLED"]
    fee = (5_000 * 290 + 5_000) // 10_000
    assert done["fee"] == fee
    assert client.balances() == {"currency": "USD", "available": 5_000 - fee, "held": 0, "pending": 0, "reserved": 0}


def test_refusals_change_nothing(admin, merchant):
    client, mid = merchant
    admin.credit(mid, "frank", 1_000)
    product = client.create_product("tv", 1_500, 1)
    with pytest.raises(ApiError) as e:
        client.order(product["product_id"], "frank")
    assert e.value.status == 402 and e.value.code == "insufficient_funds"
    with pytest.raises(ApiError) as e:
        client.order(product["product_id"], "frank", quantity=2)
    assert e.value.status == 409 and e.value.code == "out_of_stock"
    with pytest.raises(ApiError) as e:
        client.order(product["product_id"], "nobody")
    assert e.value.status == 402
    assert client.wallet("frank")["balance"] == 1_000 and client.product(product["product_id"])["stock"] == 1
    assert client.balances()["pending"] == 0


def fulfilment_stats(cloud) -> dict:
    return requests.get(cloud["fulfilment_url"] + "/_stats", timeout=5).json()


def test_refused_fulfilment_refunds_the_customer_and_restores_stock(admin, merchant, fulfilment_mode):
    client, mid = merchant
    admin.credit(mid, "gina", 4_000)
    product = client.create_product("lamp", 1_000, 5)
    fulfilment_mode("fail")  # the service refuses (422): a definitive answer
    order = client.order(product["product_id"], "gina", quantity=3)
    failed = wait_for(lambda: (o := client.get_order(order["order_id"]))["status"] != "PAID" and o, timeout=90)
    assert failed["status"] == "FAILED" and failed["failure_reason"]
    assert client.wallet("gina")["balance"] == 4_000
    assert client.product(product["product_id"])["stock"] == 5
    assert client.balances() == {"currency": "USD", "available": 0, "held": 0, "pending": 0, "reserved": 0}
    kinds = [h["type"] for h in client.wallet_history("gina")["data"]]
    assert kinds == ["order_refund", "order_payment", "wallet_credit"]


@pytest.mark.parametrize("mode", ["slow", "lost"])
def test_unanswered_fulfilment_is_looked_up_and_captured_once_never_refunded(cloud, admin, merchant,
                                                                             fulfilment_mode, mode):
    """'slow' answers after 3 s (the test cloud times out after 1 s); 'lost' delivers and drops the
    answer. Either way the service delivered: the order must end FULFILLED, delivered once."""
    client, mid = merchant
    admin.credit(mid, "hugo", 4_000)
    product = client.create_product("lamp", 1_000, 5)
    fulfilment_mode(mode)
    order = client.order(product["product_id"], "hugo", quantity=3)
    done = wait_for(lambda: (o := client.get_order(order["order_id"]))["status"] in ("FULFILLED", "FAILED") and o,
                    timeout=90)
    assert done["status"] == "FULFILLED" and done["fulfilment_id"]
    history = done["status_history"]
    assert [h["status"] for h in history] == ["PAID", "FULFILMENT_PENDING", "FULFILLED"]
    assert "no answer" in history[1]["detail"]
    assert fulfilment_stats(cloud)["fulfilled"][order["order_id"]] == 1
    fee = (3_000 * 290 + 5_000) // 10_000
    assert client.wallet("hugo")["balance"] == 1_000
    assert client.product(product["product_id"])["stock"] == 2
    assert client.balances() == {"currency": "USD", "available": 3_000 - fee, "held": 0, "pending": 0, "reserved": 0}
    assert [h["type"] for h in client.wallet_history("hugo")["data"]] == ["order_payment", "wallet_credit"]


def test_service_slower_than_the_timeout_for_many_orders_refunds_none(cloud, platform, admin, merchant,
                                                                     fulfilment_mode):
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import quiet_audit

    client, mid = merchant
    n, price = 8, 700
    product = client.create_product("mug", price, n)
    customers = [f"slow-{i}" for i in range(n)]
    for c in customers:
        admin.credit(mid, c, 1_000)
    fulfilment_mode("slow")
    with ThreadPoolExecutor(n) as pool:
        orders = list(pool.map(lambda c: client.order(product["product_id"], c), customers))

    def finished():
        states = [client.get_order(o["order_id"]) for o in orders]
        return all(o["status"] in ("FULFILLED", "FAILED") for o in states) and states
    states = wait_for(finished, timeout=120)
    assert [o["status"] for o in states] == ["FULFILLED"] * n
    fulfilled = fulfilment_stats(cloud)["fulfilled"]
    assert [fulfilled.get(o["order_id"]) for o in orders] == [1] * n
    assert [client.wallet(c)["balance"] for c in customers] == [1_000 - price] * n
    assert client.product(product["product_id"])["stock"] == 0
    fee = (price * 290 + 5_000) // 10_000
    assert client.balances() == {"currency": "USD", "available": n * (price - fee), "held": 0, "pending": 0, "reserved": 0}
    report = quiet_audit(platform.ledger)
    assert report["ok"], report


def test_duplicate_delivery_while_fulfilment_pending_never_refunds_nor_delivers_twice(
        cloud, function_env, platform, admin, merchant, fulfilment_mode):
    """The service is unreachable: the order waits in FULFILMENT_PENDING. The same SQS message
    delivered twice more at once (at-least-once) changes nothing; when the service is back, the
    order is delivered and captured exactly once."""
    from concurrent.futures import ThreadPoolExecutor

    from infra import catalog
    from infra.local.runtime import LambdaContext, load_handler
    from tests.conftest import load_event

    client, mid = merchant
    admin.credit(mid, "ivan", 2_000)
    product = client.create_product("pen", 500, 3)
    fulfilment_mode("unavailable")
    order = client.order(product["product_id"], "ivan", quantity=2)
    oid = order["order_id"]
    wait_for(lambda: client.get_order(oid)["status"] == "FULFILMENT_PENDING", timeout=30)
    fn = catalog.FUNCTIONS["fulfilment"]
    handlers = [load_handler(fn, instance=950 + i) for i in range(2)]
    event = load_event("sqs/fulfilment_order", MERCHANT_ID=mid, ORDER_ID=oid)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda h: h(event, LambdaContext(fn, fn.name)), handlers))
    assert results == [{"batchItemFailures": []}] * 2  # each scheduled another look
    pending = client.get_order(oid)
    assert pending["status"] == "FULFILMENT_PENDING"
    assert [h["status"] for h in pending["status_history"]] == ["PAID", "FULFILMENT_PENDING"]
    assert client.wallet("ivan")["balance"] == 1_000 and client.balances()["pending"] == 1_000
    assert platform.ledger.get_journal(f"{oid}:refund") is None
    fulfilment_mode("ok")
    done = wait_for(lambda: (o := client.get_order(oid))["status"] != "FULFILMENT_PENDING" and o, timeout=60)
    assert done["status"] == "FULFILLED"
    assert fulfilment_stats(cloud)["fulfilled"][oid] == 1
    assert platform.ledger.get_journal(f"{oid}:refund") is None
    assert client.wallet("ivan")["balance"] == 1_000 and client.product(product["product_id"])["stock"] == 1
    assert client.balances()["pending"] == 0


def test_duplicate_fulfilment_delivery_is_harmless(cloud, platform, admin, merchant):
    """The same SQS message delivered twice (at-least-once) captures once."""
    from infra import catalog
    from infra.local.runtime import LambdaContext, load_handler
    from tests.conftest import fulfilled_order, load_event

    client, mid = merchant
    order = fulfilled_order(admin, client, mid, 1_000)
    before = client.balances()
    handler = load_handler(catalog.FUNCTIONS["fulfilment"], instance=901)
    event = load_event("sqs/fulfilment_order", MERCHANT_ID=mid, ORDER_ID=order["order_id"])
    result = handler(event, LambdaContext(catalog.FUNCTIONS["fulfilment"], "arn"))
    assert result == {"batchItemFailures": []}
    assert client.balances() == before
    assert platform.ledger.get_journal(f"{order['order_id']}:capture")["postings"]
