"""The HTTP API through the local API Gateway emulator: auth, tenancy, errors, idempotency."""
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from infra.tools.client import ApiError


def test_health_endpoints(cloud):
    assert requests.get(cloud["api_url"] + "/health/live", timeout=10).json() == {"status": "ok"}
    ready = requests.get(cloud["api_url"] + "/health/ready", timeout=10)
    assert ready.status_code == 200
    detailed = requests.get(cloud["api_url"] + "/health/detailed", timeout=10).json()
    assert {"dynamodb:payrail-ledger", "sqs:payouts"} <= set(detailed["checks"])


def test_missing_and_invalid_credentials_401_admin_route_with_merchant_key_403(cloud, merchant):
    client, _ = merchant
    r = requests.get(cloud["api_url"] + "/v1/balances?currency=USD", timeout=10)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = requests.get(cloud["api_url"] + "/v1/balances?currency=USD", headers={"x-api-key": "sk_wrong"}, timeout=10)
    assert r.status_code == 401
    with pytest.raises(ApiError) as e:
        client.request("POST", "/v1/admin/merchants", {"name": "x"})
    assert e.value.status == 403
    r = requests.post(cloud["api_url"] + "/v1/admin/merchants", json={"name": "x"},
                      headers={"authorization": "Bearer wrong"}, timeout=10)
    assert r.status_code == 401


def test_other_merchants_objects_answer_404(admin, merchant):
    a, a_id = merchant
    other = admin.as_merchant(admin.create_merchant("other")["api_key"])
    product = a.create_product("p", 100, 5)
    admin.credit(a_id, "c1", 1_000)
    order = a.order(product["product_id"], "c1")
    for call in (lambda: other.product(product["product_id"]), lambda: other.get_order(order["order_id"]),
                 lambda: other.wallet("c1")):
        with pytest.raises(ApiError) as e:
            call()
        assert e.value.status == 404
    with pytest.raises(ApiError) as e:  # and cannot buy it either
        other.order(product["product_id"], "c1")
    assert e.value.status == 404


def test_validation_errors_name_the_field(merchant):
    client, _ = merchant
    with pytest.raises(ApiError) as e:
        client.create_product("p", price=-5, stock=1)
    assert e.value.status == 400 and e.value.body["error"]["param"] == "price"
    with pytest.raises(ApiError) as e:
        client.payout(100, "12ab")
    assert e.value.body["error"]["param"].startswith("beneficiary")
    with pytest.raises(ApiError) as e:
        client.request("POST", "/v1/orders", {"product_id": "x", "quantity": 1, "customer_id": "c"})  # no key
    assert e.value.status == 400 and e.value.body["error"]["param"] == "idempotency-key"
    with pytest.raises(ApiError) as e:
        client.wallet_history("c1", limit=500)
    assert e.value.body["error"]["param"] == "limit"
    err = e.value.body["error"]
    assert set(err) == {"type", "code", "message", "param"}


def test_credit_debit_balance_and_history(admin, merchant):
    client, mid = merchant
    assert admin.credit(mid, "alice", 5_000)["balance_after"] == 5_000
    d = admin.debit(mid, "alice", 1_200)
    assert (d["balance_before"], d["balance_after"]) == (5_000, 3_800)
    with pytest.raises(ApiError) as e:
        admin.debit(mid, "alice", 3_801)
    assert e.value.status == 402 and e.value.code == "insufficient_funds"
    assert client.wallet("alice")["balance"] == 3_800
    hist = client.wallet_history("alice")["data"]
    assert [(h["amount"], h["balance_before"], h["balance_after"]) for h in hist] == [(-1200, 5000, 3800), (5000, 0, 5000)]
    with pytest.raises(ApiError) as e:
        admin.credit("m_0000000000000000", "bob", 10)  # well-formed, unknown
    assert e.value.status == 404
    with pytest.raises(ApiError) as e:
        admin.credit("m_doesnotexist", "bob", 10)  # not an id at all
    assert e.value.status == 400 and e.value.body["error"]["param"] == "merchant_id"


def test_idempotent_replay_mismatch_and_concurrent_repeats(admin, merchant):
    client, mid = merchant
    admin.credit(mid, "carol", 10_000)
    product = client.create_product("p", 1_000, 50)
    key = f"k-{uuid.uuid4()}"
    first = client.order(product["product_id"], "carol", key=key)
    replay = client.order(product["product_id"], "carol", key=key)
    assert replay == first
    with pytest.raises(ApiError) as e:
        client.order(product["product_id"], "carol", quantity=2, key=key)
    assert e.value.status == 422 and e.value.body["error"]["type"] == "idempotency_error"
    # 20 concurrent requests with one new key: one effect, every answer is the order or a 409
    key2 = f"k-{uuid.uuid4()}"

    def attempt(_):
        try:
            return client.order(product["product_id"], "carol", key=key2)["order_id"]
        except ApiError as err:
            return err.status
    answers = list(ThreadPoolExecutor(20).map(attempt, range(20)))
    order_ids = {a for a in answers if isinstance(a, str)}
    assert len(order_ids) == 1 and set(a for a in answers if not isinstance(a, str)) <= {409}
    assert client.wallet("carol")["balance"] == 10_000 - 2 * 1_000
    assert client.product(product["product_id"])["stock"] == 48


#: every admin route taking an Idempotency-Key that acts for one merchant: the body of a request for merchant ``m``
ADMIN_KEYED = {
    "POST /v1/admin/balances/top_up": lambda m, n: {"merchant_id": m, "currency": "PKR", "amount": n},
    "POST /v1/admin/floats/top_up": lambda m, n: {"merchant_id": m, "provider": "mtn_momo", "currency": "GHS",
                                                  "amount": n},
    "POST /v1/admin/wallets/credit": lambda m, n: {"merchant_id": m, "customer_id": "kim", "currency": "USD",
                                                   "amount": n},
    "POST /v1/admin/wallets/debit": lambda m, n: {"merchant_id": m, "customer_id": "kim", "currency": "USD",
                                                  "amount": n},
}


def test_the_admins_idempotency_keys_are_scoped_by_the_target_merchant_on_every_admin_route(admin):
    from payrail.api.edge import ADMIN
    from payrail.api.routes import ALL

    keyed = {s.name for routes in ALL for s in routes.specs if s.auth == ADMIN and s.idempotency}
    # settlements and reconciliations are platform-wide: no merchant to scope their keys by
    assert keyed - {"POST /v1/admin/settlements", "POST /v1/admin/reconciliations"} == set(ADMIN_KEYED)
    made = [admin.create_merchant(f"scope-{uuid.uuid4().hex[:6]}") for _ in range(2)]
    clients = {m["merchant"]["merchant_id"]: admin.as_merchant(m["api_key"]) for m in made}
    a, b = clients
    for mid in (a, b):
        admin.credit(mid, "kim", 5_000)  # something to debit
    for route, body in ADMIN_KEYED.items():
        path = route.split(" ", 1)[1]
        key = f"admin-{uuid.uuid4()}"
        first = {mid: admin.request("POST", path, body(mid, 300), idempotency_key=key, admin=True) for mid in (a, b)}
        assert {mid: out.get("merchant_id", mid) for mid, out in first.items()} == {a: a, b: b}, route
        assert first[a]["journal_id"] != first[b]["journal_id"], route
        for mid in (a, b):  # each merchant's request replays its own answer
            again = admin.request("POST", path, body(mid, 300), idempotency_key=key, admin=True)
            assert again["journal_id"] == first[mid]["journal_id"], route
        with pytest.raises(ApiError) as e:  # the same key for the same merchant with another request
            admin.request("POST", path, body(a, 301), idempotency_key=key, admin=True)
        assert (e.value.status, e.value.code) == (422, "idempotency_key_reused"), route
    for client in clients.values():  # each effect happened once for each merchant
        assert client.request("GET", "/v1/balances", params={"currency": "PKR"})["available"] == 300
        assert client.request("GET", "/v1/balances", params={"currency": "GHS"})["floats"]["mtn_momo"]["available"] == 300
        assert client.wallet("kim")["balance"] == 5_000


def test_crash_after_write_before_response_does_not_charge_twice(function_env, admin, merchant, monkeypatch):
    """The domain write succeeds, then the function fails before storing its response. The
    idempotency claim is released; the retry runs again and the derived order id turns it into a
    no-op that answers with the first order."""
    from infra.local.runtime import load_handler
    from infra import catalog
    from tests.conftest import load_event

    client, mid = merchant
    admin.credit(mid, "dave", 3_000)
    product = client.create_product("p", 1_000, 10)
    api_key = client.api_key
    handler = load_handler(catalog.FUNCTIONS["api"], instance=900)
    module = __import__("sys").modules["payrail_fn_api_900"]
    event = load_event("apigw/place_order", API_KEY=api_key, IDEMPOTENCY_KEY=f"crash-{uuid.uuid4()}",
                       PRODUCT_ID=product["product_id"], CUSTOMER_ID="dave")

    class Ctx:
        function_name, memory_limit_in_mb, aws_request_id = "payrail-api", 1024, "r1"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:payrail-api"

        @staticmethod
        def get_remaining_time_in_millis():
            return 29_000

    real_place = module.platform.orders.place

    def place_then_crash(*a, **kw):
        real_place(*a, **kw)
        raise RuntimeError("process died after the write")
    monkeypatch.setattr(module.platform.orders, "place", place_then_crash)
    died = handler(event, Ctx())  # an internal fault: 500, logged with the correlation id
    assert died["statusCode"] == 500 and json.loads(died["body"])["error"]["code"] == "internal_error"
    monkeypatch.setattr(module.platform.orders, "place", real_place)
    retried = handler(event, Ctx())
    assert retried["statusCode"] == 201
    assert client.wallet("dave")["balance"] == 2_000
    assert client.product(product["product_id"])["stock"] == 9
    assert json.loads(retried["body"])["status"] in ("PAID", "FULFILLED")


def test_openapi_served_and_swagger_ui(cloud):
    doc = requests.get(cloud["api_url"] + "/openapi.json", timeout=10).json()
    assert doc["openapi"].startswith("3.1") and "/v1/orders" in doc["paths"]
    ui = requests.get(cloud["api_url"] + "/docs", timeout=10)
    assert ui.status_code == 200 and "swagger" in ui.text.lower()
