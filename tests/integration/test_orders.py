"""Orders end to end: payment, fulfilment callout through SQS, capture, compensating refund on a
refusal, an unknown outcome (timeout, lost answer, 500s) that is looked up, never refunded on a
guess; a service that never receives the order (503s) fails and refunds it after the bounded
attempts; a service that hangs after receipt leaves the order FULFILMENT_UNKNOWN at its deadline
for the admin to settle; a fulfilment after the refund is recorded and raised, moving no money."""
import pytest
import requests

from infra.tools.client import ApiError
from infra.tools.client import wait_for


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
    """The service answers 500 to everything (an unknown outcome: it may have done the work): the
    order waits in FULFILMENT_PENDING. The same SQS message delivered twice more at once
    (at-least-once) changes nothing; when the service is back, the order is delivered and captured
    exactly once."""
    from concurrent.futures import ThreadPoolExecutor

    from infra import catalog
    from infra.local.runtime import LambdaContext, load_handler
    from tests.conftest import load_event

    client, mid = merchant
    admin.credit(mid, "ivan", 2_000)
    product = client.create_product("pen", 500, 3)
    fulfilment_mode("error")
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


ZERO = {"currency": "USD", "available": 0, "held": 0, "pending": 0, "reserved": 0}
DONE = ("FULFILLED", "FAILED", "FULFILMENT_UNKNOWN")


def test_a_service_turning_every_request_away_fails_the_order_and_refunds_it(cloud, platform, admin, merchant,
                                                                            fulfilment_mode):
    """503 to every POST, lookup and cancel: no request ever reached the service, so after the
    bounded attempts (3 in the test cloud, with backoff) the order is FAILED with the last error
    and refunded by the compensating journal; the service is told (cancel, best effort) and, once
    it is back, acknowledges it."""
    from tests.conftest import quiet_audit

    client, mid = merchant
    admin.credit(mid, "jade", 3_000)
    product = client.create_product("kettle", 1_200, 4)
    fulfilment_mode("unavailable")
    order = client.order(product["product_id"], "jade", quantity=2)
    oid = order["order_id"]
    failed = wait_for(lambda: (o := client.get_order(oid))["status"] in DONE and o, timeout=60)
    assert failed["status"] == "FAILED" and failed["failure_kind"] == "not_received"
    assert failed["fulfilment_attempts"] == 3 and failed["fulfilment_uncertain"] is False
    assert "503" in failed["failure_reason"] and "503" in failed["last_error"]
    assert [h["status"] for h in failed["status_history"]] == ["PAID", "FULFILMENT_PENDING", "FAILED"]
    assert client.wallet("jade")["balance"] == 3_000 and client.product(product["product_id"])["stock"] == 4
    assert client.balances() == ZERO
    assert [h["type"] for h in client.wallet_history("jade")["data"]] == ["order_refund", "order_payment",
                                                                         "wallet_credit"]
    assert platform.ledger.get_journal(f"{oid}:refund")["postings"]
    assert platform.ledger.get_journal(f"{oid}:capture") is None
    fulfilment_mode("ok")  # the service is back: the next look's cancel is acknowledged
    told = wait_for(lambda: (o := client.get_order(oid)).get("cancel_acknowledged_at") and o, timeout=30)
    assert told["status"] == "FAILED" and not told.get("late_fulfilment")
    stats = fulfilment_stats(cloud)
    assert stats["cancelled"][oid] >= 1 and oid not in stats["fulfilled"]
    assert client.wallet("jade")["balance"] == 3_000 and client.balances() == ZERO
    report = quiet_audit(platform.ledger)
    assert report["ok"], report


def test_a_service_hanging_after_receipt_leaves_the_order_unknown_for_the_admin_to_settle(cloud, platform, admin,
                                                                                         merchant, fulfilment_mode):
    """The service records each order and never answers: the outcome stays unknown, so nothing is
    refunded on a guess; at the deadline (20 s after payment in the test cloud) the orders are
    FULFILMENT_UNKNOWN with the money pending and an event for an operator. The admin fails one
    (refund journal; the service is told) and fulfils the other (capture journal); every repeat,
    or the other decision afterwards, answers 409 and moves nothing."""
    from infra.tools.client import ApiError
    from tests.conftest import quiet_audit

    client, mid = merchant
    for c in ("kim", "lee"):
        admin.credit(mid, c, 2_000)
    product = client.create_product("radio", 800, 5)
    fulfilment_mode("hang", delay_seconds=2.0)
    a, b = (client.order(product["product_id"], c)["order_id"] for c in ("kim", "lee"))

    def both():
        orders = [client.get_order(x) for x in (a, b)]
        return all(o["status"] in DONE for o in orders) and orders
    unknown = wait_for(both, timeout=90)
    assert [o["status"] for o in unknown] == ["FULFILMENT_UNKNOWN"] * 2
    for o in unknown:
        assert [h["status"] for h in o["status_history"]] == ["PAID", "FULFILMENT_PENDING", "FULFILMENT_UNKNOWN"]
        assert o["fulfilment_uncertain"] is True and o["fulfilment_deadline"] > o["created_at"] and o["last_error"]
    raised = {e["object_id"]: e for e in client.all_events(event_type="order.fulfilment_unknown")}
    assert set(raised) == {a, b} and raised[a]["data"]["object"]["status"] == "FULFILMENT_UNKNOWN"
    assert client.balances()["pending"] == 1_600
    assert [client.wallet(c)["balance"] for c in ("kim", "lee")] == [1_200, 1_200]
    assert all(platform.ledger.get_journal(f"{x}:{j}") is None for x in (a, b) for j in ("refund", "capture"))

    failed = admin.settle_order(mid, a, "fail", note="the service never answered")
    assert failed["status"] == "FAILED" and failed["failure_kind"] == "operator" and failed["settled_by"] == "admin"
    assert "the service never answered" in failed["failure_reason"]
    fulfilled = admin.settle_order(mid, b, "fulfil", fulfilment_id="ful_by_phone_1")
    fee = (800 * 290 + 5_000) // 10_000
    assert fulfilled["status"] == "FULFILLED" and fulfilled["settled_by"] == "admin"
    assert fulfilled["fulfilment_id"] == "ful_by_phone_1" and fulfilled["fee"] == fee
    for oid, decision in ((a, "fail"), (a, "fulfil"), (b, "fulfil"), (b, "fail")):
        with pytest.raises(ApiError) as e:
            admin.settle_order(mid, oid, decision)
        assert e.value.status == 409 and e.value.code == "invalid_state"
    with pytest.raises(ApiError) as e:
        admin.settle_order("m_" + "0" * 16, a, "fail")
    assert e.value.status == 404

    assert client.wallet("kim")["balance"] == 2_000 and client.wallet("lee")["balance"] == 1_200
    assert client.product(product["product_id"])["stock"] == 4
    assert client.balances() == {**ZERO, "available": 800 - fee}
    assert platform.ledger.get_journal(f"{a}:refund")["postings"] and platform.ledger.get_journal(f"{a}:capture") is None
    assert platform.ledger.get_journal(f"{b}:capture")["postings"] and platform.ledger.get_journal(f"{b}:refund") is None
    told = wait_for(lambda: (o := client.get_order(a)).get("cancel_acknowledged_at") and o, timeout=30)
    assert told["status"] == "FAILED" and fulfilment_stats(cloud)["cancelled"][a] >= 1
    report = quiet_audit(platform.ledger)
    assert report["ok"], report


def test_a_fulfilment_after_the_refund_is_recorded_and_raised_and_moves_no_money(cloud, platform, admin, merchant,
                                                                               fulfilment_mode, handler):
    """The order failed and was refunded after the service turned every request away; then a copy
    of a request that a gateway delayed reaches the service and it delivers. The next look (here a
    redelivered message) learns it from the cancel's answer: ``late_fulfilment`` on the order, an
    ``order.late_fulfilment`` event, the refund stands, and a repeat records nothing twice."""
    from tests.conftest import load_event

    client, mid = merchant
    admin.credit(mid, "max", 1_000)
    product = client.create_product("cable", 400, 2)
    fulfilment_mode("unavailable")
    oid = client.order(product["product_id"], "max")["order_id"]
    failed = wait_for(lambda: (o := client.get_order(oid))["status"] in DONE and o, timeout=60)
    assert failed["status"] == "FAILED" and failed["failure_kind"] == "not_received"
    balances, history = client.balances(), client.wallet_history("max")["data"]
    requests.post(cloud["fulfilment_url"] + "/_control", json={"fulfil": oid, "mode": "ok"}, timeout=5).raise_for_status()
    delivered = requests.get(f"{cloud['fulfilment_url']}/fulfilments/{oid}", timeout=5).json()
    assert delivered["status"] == "FULFILLED"

    event = load_event("sqs/fulfilment_order", MERCHANT_ID=mid, ORDER_ID=oid)
    assert handler("fulfilment", event) == {"batchItemFailures": []}
    late = client.get_order(oid)
    assert late["status"] == "FAILED" and late["late_fulfilment"]["fulfilment_id"] == delivered["fulfilment_id"]
    assert late["late_fulfilment"]["at"] >= failed["updated_at"]
    assert late["status_history"][-1]["status"] == "FAILED" and "after the refund" in late["status_history"][-1]["detail"]
    raised = [e for e in client.all_events(event_type="order.late_fulfilment") if e["object_id"] == oid]
    assert len(raised) == 1 and raised[0]["data"]["object"]["late_fulfilment"] == late["late_fulfilment"]

    assert handler("fulfilment", event) == {"batchItemFailures": []}  # a duplicate changes nothing
    assert client.get_order(oid) == late
    assert len([e for e in client.all_events(event_type="order.late_fulfilment") if e["object_id"] == oid]) == 1
    assert client.balances() == balances == ZERO and client.wallet("max")["balance"] == 1_000
    assert client.wallet_history("max")["data"] == history
    assert platform.ledger.get_journal(f"{oid}:capture") is None



def test_a_capture_and_a_refund_answer_the_order_they_wrote_without_reading_it_again(cloud, platform, admin,
                                                                                      merchant, fulfilment_mode):
    """The order a capture or a refund returns is the one its transaction left (what a read
    afterwards finds), built from the transition itself: a capture reads no order at all, a
    refund only the stock it puts back. A write another writer made after the order was read
    (a look's ``last_error``) fails the transition's guard: the order is read again, and the
    answer carries that write too."""
    client, mid = merchant
    for c in ("uma", "vic"):
        admin.credit(mid, c, 2_000)
    product = client.create_product("lamp", 700, 5)
    fulfilment_mode("hang", delay_seconds=1.0)  # past the deadline (20 s) nothing but a definitive answer writes
    a, b = (client.order(product["product_id"], c)["order_id"] for c in ("uma", "vic"))
    assert wait_for(lambda: all(client.get_order(x)["status"] == "FULFILMENT_UNKNOWN" for x in (a, b)), timeout=90)
    order_a, order_b = platform.orders.get_order(mid, a), platform.orders.get_order(mid, b)
    platform.orders.orders.change(order_b, "FULFILMENT_UNKNOWN", sets={"last_error": "a look meanwhile"})
    reads: list[tuple[str, str]] = []

    def count(params, event_name, **_):
        key = params.get("Key", {}).get("pk", {}).get("S", "")
        reads.append((event_name.rsplit(".", 1)[-1], key.split("#")[0]))
    clients = {id(platform.main.db): platform.main.db, id(platform.ledger.db): platform.ledger.db}
    for db in clients.values():
        db.meta.events.register("before-parameter-build.dynamodb", count, unique_id="test-no-reread")
    try:
        captured = platform.orders.capture(order_a, "ful-test", 290)
        captured_reads, reads[:] = list(reads), []
        refunded = platform.orders.refund(order_b, "refused by the test")
        refund_reads = list(reads)
    finally:
        for db in clients.values():
            db.meta.events.unregister("before-parameter-build.dynamodb", unique_id="test-no-reread")
    assert ("GetItem", "ORDER") not in captured_reads, captured_reads
    # the stock it took (to put it back), then the order again after the guard met the look's write
    assert refund_reads.count(("GetItem", "ORDER")) == 2, refund_reads
    for mine in (captured, refunded):
        stored = platform.orders.get_order(mid, mine.order_id)
        assert mine.model_dump(mode="json") == stored.model_dump(mode="json")
    assert captured.status == "FULFILLED" and captured.fulfilment_id == "ful-test" and captured.fee == 20
    assert refunded.status == "FAILED" and refunded.failure_reason == "refused by the test"
    assert refunded.last_error == "a look meanwhile"
    assert [h["status"] for h in refunded.model_dump()["status_history"]] == [
        "PAID", "FULFILMENT_PENDING", "FULFILMENT_UNKNOWN", "FAILED"]
    assert client.wallet("vic")["balance"] == 2_000 and client.product(product["product_id"])["stock"] == 4
