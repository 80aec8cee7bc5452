"""The local function runtime keeps Lambda's isolation between concurrent invocations."""
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

from infra.local.runtime import Functions, http_event
from payrail.core.ids import derived


def test_concurrent_cold_invocations_never_see_each_others_events(function_env, admin, merchant):
    client, mid = merchant
    product = client.create_product("p", 10, 1_000)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: admin.credit(mid, f"iso-{i}", 1_000), range(48)))
    functions = Functions({})  # fresh: every concurrent invocation is a cold start
    run = uuid.uuid4().hex[:6]

    def invoke(i):
        event = http_event("POST", "/v1/orders", {"content-type": "application/json", "x-api-key": client.api_key,
                                                  "idempotency-key": f"{run}-{i}"},
                           json.dumps({"product_id": product["product_id"], "quantity": 1,
                                       "customer_id": f"iso-{i}"}).encode(), "127.0.0.1")
        body = json.loads(functions.invoke("api", event)["body"])
        return body.get("order_id") == derived("ord", mid, f"{run}-{i}") and body.get("customer_id") == f"iso-{i}"
    with ThreadPoolExecutor(24) as pool:
        assert all(pool.map(invoke, range(48)))
    assert functions.stats()["api"]["environments"] > 1
