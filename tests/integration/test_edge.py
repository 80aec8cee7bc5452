"""The edge: authentication first, strict input, 405, rate limits, key rotation and
suspension, idempotency gaps, balance snapshots, bounded settlement jobs, an honest OpenAPI."""
import json
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from infra.tools.client import ApiError, wait_for


def _post(cloud, path, body, **headers):
    return requests.post(cloud["api_url"] + path, data=json.dumps(body), timeout=30,
                         headers={"content-type": "application/json", **headers})


def test_authentication_runs_before_validation(cloud, merchant):
    for headers in ({}, {"x-api-key": "sk_not_a_key"}):
        r = _post(cloud, "/v1/orders", {}, **headers)
        assert r.status_code == 401, r.text
        assert r.json()["error"]["code"] == "unauthorized" and "product_id" not in r.text
    r = _post(cloud, "/v1/admin/merchants", {"bogus": 1})  # admin route, no token: 401, not 400
    assert r.status_code == 401
    client, _ = merchant  # a merchant key on an admin route: 403 before the body is looked at
    r = _post(cloud, "/v1/admin/wallets/credit", {}, **{"x-api-key": client.api_key})
    assert r.status_code == 403


@pytest.mark.parametrize("amount", [True, "100", 100.0, 1e3, -5, 0, 10**16])
def test_money_fields_are_strict_integers(cloud, admin, merchant, amount):
    _, mid = merchant
    r = _post(cloud, "/v1/admin/wallets/credit", {"merchant_id": mid, "customer_id": "strict", "currency": "USD",
                                                 "amount": amount},
              authorization=f"Bearer {cloud['admin_token']}", **{"idempotency-key": str(uuid.uuid4())})
    assert r.status_code == 400 and r.json()["error"]["param"] == "amount", r.text
    r = requests.get(f"{cloud['api_url']}/v1/customers/strict/wallets/USD", timeout=10,
                     headers={"x-api-key": merchant[0].api_key})
    assert r.status_code == 404  # nothing was credited


def test_quantities_and_counts_are_strict_and_unknown_fields_refused(merchant):
    client, _ = merchant
    for body, param in (({"name": "p", "price": 100, "currency": "USD", "stock": "5"}, "stock"),
                        ({"name": "p", "price": 100, "currency": "USD", "stock": 5, "bogus": 1}, "bogus"),
                        ({"name": "p", "price": 100.0, "currency": "USD", "stock": 5}, "price")):
        with pytest.raises(ApiError) as e:
            client.request("POST", "/v1/products", body)
        assert e.value.status == 400 and e.value.body["error"]["param"] == param
    with pytest.raises(ApiError) as e:
        client.request("POST", "/v1/payouts", {"amount": 100, "currency": "PKR", "merchant_ref": "x",
                                               "beneficiary": {"type": "bank_account", "bank_code": "HBL",
                                                               "account_number": "1234560001", "name": "A"}},
                       idempotency_key="k")
    assert e.value.status == 400 and e.value.code == "parameter_unknown"
    assert e.value.body["error"]["param"] == "merchant_ref"


def test_wrong_method_on_a_known_path_is_405(cloud, merchant):
    client, _ = merchant
    r = requests.delete(f"{cloud['api_url']}/v1/orders/ord_{'0' * 24}", headers={"x-api-key": client.api_key},
                        timeout=10)
    assert r.status_code == 405 and r.headers["allow"] == "GET" and r.json()["error"]["code"] == "method_not_allowed"
    r = requests.get(f"{cloud['api_url']}/v1/orders", headers={"x-api-key": client.api_key}, timeout=10)
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    assert requests.get(f"{cloud['api_url']}/v1/nothing", timeout=10).status_code == 404


def test_ids_have_patterns_and_bounded_lengths(cloud, merchant):
    client, _ = merchant
    for path in (f"/v1/orders/{'o' * 3000}", "/v1/payouts/po_zz", "/v1/customers/a b/wallets/USD"):
        r = requests.get(cloud["api_url"] + path, headers={"x-api-key": client.api_key}, timeout=10)
        assert r.status_code == 400 and r.json()["error"]["param"], (path, r.text)
    with pytest.raises(ApiError) as e:
        client.request("POST", "/v1/orders", {"product_id": "p" * 3000, "quantity": 1, "customer_id": "c"},
                       idempotency_key="long-id")
    assert e.value.status == 400 and e.value.body["error"]["param"] == "product_id"


def test_rate_limit_holds_across_environments_and_callers_are_independent(cloud, admin):
    limited = admin.as_merchant(admin.create_merchant("limited", rate_limit_per_minute=100)["api_key"])
    other = admin.as_merchant(admin.create_merchant("other", rate_limit_per_minute=100)["api_key"])

    def get(_):
        r = limited.http.get(cloud["api_url"] + "/v1/balances?currency=USD", headers={"x-api-key": limited.api_key},
                             timeout=30)
        return r.status_code, r.headers
    answers = list(ThreadPoolExecutor(16).map(get, range(120)))  # 16 at once: many execution environments
    statuses = [s for s, _ in answers]
    assert statuses.count(200) == 100 and statuses.count(429) == 20
    refused = next(h for s, h in answers if s == 429)
    assert 1 <= int(refused["retry-after"]) <= 60 and refused["ratelimit-limit"] == "100"
    assert refused["ratelimit-remaining"] == "0" and int(refused["ratelimit-reset"]) >= 1
    ok = next(h for s, h in answers if s == 200)
    assert ok["ratelimit-limit"] == "100" and 0 <= int(ok["ratelimit-remaining"]) < 100
    body = limited.http.get(cloud["api_url"] + "/v1/balances?currency=USD",
                            headers={"x-api-key": limited.api_key}, timeout=30).json()
    assert body["error"]["code"] == "rate_limited"
    assert other.balances()["available"] == 0  # another merchant is unaffected


def test_rate_limiter_window_rolls_over(platform, cloud):
    from payrail.core.ratelimit import RateLimiter

    rl = RateLimiter(cloud["tables"]["rate-limits"], window_seconds=60)
    caller, t0 = f"test:{uuid.uuid4()}", time.time()
    assert [rl.hit(caller, 3, now=t0).allowed for _ in range(4)] == [True, True, True, False]
    late = rl.hit(caller, 3, now=t0 + 61)  # a new window starts with this request
    assert late.allowed and late.remaining == 2


def test_rotated_key_expires_after_the_overlap_and_new_key_works(cloud, admin):
    created = admin.create_merchant("rotating")
    old = admin.as_merchant(created["api_key"])
    mid = created["merchant"]["merchant_id"]
    rotated = old.request("POST", "/v1/api_keys/rotate", {"overlap_seconds": 3600})
    new = admin.as_merchant(rotated["api_key"])
    assert old.balances() and new.balances()  # both valid during the overlap
    keys = admin.request("GET", f"/v1/admin/merchants/{mid}", admin=True)["api_keys"]
    assert len(keys) == 2 and keys[0]["expires_at"] and "hash" not in keys[0] and not keys[1].get("expires_at")
    newer = admin.request("POST", f"/v1/admin/merchants/{mid}/api_keys/rotate", {"overlap_seconds": 0}, admin=True)
    t0 = time.monotonic()

    def refused(c):
        try:
            c.balances()
            return False
        except ApiError as e:
            return e.status == 401
    wait_for(lambda: refused(old) and refused(new), timeout=10, interval=0.2)
    assert time.monotonic() - t0 < 5.5  # "refused everywhere within 5 s" (cache ≤ 5 s)
    assert admin.as_merchant(newer["api_key"]).balances()["currency"] == "USD"


def test_suspended_merchant_is_refused_within_seconds_then_reactivated(admin, merchant):
    client, mid = merchant
    assert client.balances()
    admin.request("POST", f"/v1/admin/merchants/{mid}/suspend", {"reason": "chargebacks"}, admin=True)
    t0 = time.monotonic()

    def forbidden():
        try:
            client.balances()
            return False
        except ApiError as e:
            return e.status == 403 and e.code == "merchant_suspended"
    wait_for(forbidden, timeout=10, interval=0.2)
    assert time.monotonic() - t0 < 5.5
    with pytest.raises(ApiError) as e:
        admin.request("POST", f"/v1/admin/merchants/{mid}/suspend", {}, admin=True)
    assert e.value.status == 409
    admin.request("POST", f"/v1/admin/merchants/{mid}/reactivate", {}, admin=True)
    wait_for(lambda: client.balances(), timeout=10)


def test_a_suspended_merchants_refusals_count_against_it_not_against_its_address(cloud, function_env, admin,
                                                                                 monkeypatch):
    """Behind one address (a NAT) a suspended merchant keeps calling: its 403s count against its own
    quota, so the address's failed-authentication quota (3 here) stays for everyone else behind it."""
    from infra import catalog
    from infra.local.runtime import LambdaContext, load_handler
    from tests.conftest import load_event

    monkeypatch.setenv("ANONYMOUS_RATE_LIMIT_PER_MINUTE", "3")  # this execution environment only
    fn = catalog.FUNCTIONS["api"]
    api = load_handler(fn, instance=2000 + uuid.uuid4().int % 10**6)
    ip = f"198.51.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"  # an address no other test uses
    suspended = admin.create_merchant(f"susp-{uuid.uuid4().hex[:6]}", rate_limit_per_minute=5)
    active = admin.create_merchant(f"nat-{uuid.uuid4().hex[:6]}")
    admin.request("POST", f"/v1/admin/merchants/{suspended['merchant']['merchant_id']}/suspend", {}, admin=True)

    def send(path: str, **headers) -> tuple[int, str]:
        event = load_event("apigw/health_live")
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["requestContext"]["http"]["sourceIp"] = ip
        event["requestContext"]["requestId"] = str(uuid.uuid4())
        event["headers"] = {**event["headers"], **headers}
        out = api(event, LambdaContext(fn, fn.name))
        return out["statusCode"], json.loads(out["body"])["error"]["code"] if out["statusCode"] >= 400 else "ok"

    refused = [send("/v1/directory", **{"x-api-key": suspended["api_key"]}) for _ in range(4)]
    admin_route = f"/v1/admin/merchants/{active['merchant']['merchant_id']}"
    refused.append(send(admin_route, **{"x-api-key": suspended["api_key"]}))  # also on the wrong surface
    assert refused == [(403, "merchant_suspended")] * 5
    # the address's quota is untouched: another merchant's key and a mistyped key from it still get answers
    assert send("/v1/directory", **{"x-api-key": active["api_key"]}) == (200, "ok")
    assert send(admin_route, **{"x-api-key": active["api_key"]}) == (403, "forbidden")
    assert send("/v1/directory", **{"x-api-key": "sk_mistyped"}) == (401, "unauthorized")
    # the suspended merchant's own quota (5 a minute) is what runs out
    assert send("/v1/directory", **{"x-api-key": suspended["api_key"]}) == (429, "rate_limited")
    assert send("/v1/directory", **{"x-api-key": active["api_key"]}) == (200, "ok")
    # failed authentication still counts against the address
    assert [send("/v1/directory", **{"x-api-key": "sk_mistyped"})[0] for _ in range(3)] == [401, 401, 429]


# ---- idempotency ----------------------------------------------------------------------------------
def _idempotency_records(cloud):
    import boto3

    return boto3.client("dynamodb"), cloud["tables"]["idempotency"]


def test_reused_key_with_another_request_is_refused_after_the_record_expired(cloud, admin, merchant):
    client, mid = merchant
    admin.credit(mid, "ivy", 10_000)
    product = client.create_product("p", 1_000, 10)
    key = f"k-{uuid.uuid4()}"
    first = client.order(product["product_id"], "ivy", key=key)
    db, table = _idempotency_records(cloud)
    for item in db.scan(TableName=table)["Items"]:  # what the 24 h TTL does
        db.delete_item(TableName=table, Key={"id": item["id"]})
    with pytest.raises(ApiError) as e:
        client.order(product["product_id"], "ivy", quantity=3, key=key)
    assert e.value.status == 422 and e.value.code == "idempotency_key_reused"
    assert client.order(product["product_id"], "ivy", key=key)["order_id"] == first["order_id"]  # same request
    assert client.wallet("ivy")["balance"] == 9_000 and client.product(product["product_id"])["stock"] == 9
    k2 = f"k-{uuid.uuid4()}"  # wallet credits too (the key's journal keeps the fingerprint)
    admin.credit(mid, "ivy", 500, key=k2)
    for item in db.scan(TableName=table)["Items"]:
        db.delete_item(TableName=table, Key={"id": item["id"]})
    with pytest.raises(ApiError) as e:
        admin.credit(mid, "ivy", 700, key=k2)
    assert e.value.status == 422
    assert client.wallet("ivy")["balance"] == 9_500


def _two_environments(monkeypatch, target, method: str):
    """Two execution environments of the api function (two module instances, as two Lambdas);
    the first one's ``target.<method>`` (looked up in its module) waits until released."""
    from infra import catalog
    from infra.local.runtime import load_handler

    fn = catalog.FUNCTIONS["api"]
    first, second = load_handler(fn, instance=911), load_handler(fn, instance=912)
    obj = target(sys.modules["payrail_fn_api_911"])
    entered, release = threading.Event(), threading.Event()
    real = getattr(obj, method)

    def slow(*a, **kw):
        entered.set()
        release.wait(20)
        return real(*a, **kw)
    monkeypatch.setattr(obj, method, slow)
    return fn, first, second, entered, release


def test_concurrent_repeat_in_another_execution_environment_answers_409(cloud, function_env, admin, merchant,
                                                                         monkeypatch):
    """One request holds its key while a repeat arrives in another execution environment (another
    module instance, as another Lambda): the repeat answers 409, then replays once the first is done.
    (A keyed route with an idempotency record: the admin's top-up.)"""
    from infra.local.runtime import LambdaContext
    from tests.conftest import load_event

    client, mid = merchant
    event = load_event("apigw/place_order", API_KEY="unused", IDEMPOTENCY_KEY=f"conc-{uuid.uuid4()}",
                       PRODUCT_ID="unused", CUSTOMER_ID="unused")
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/v1/admin/balances/top_up"
    event["headers"] = {**{k: v for k, v in event["headers"].items() if k != "x-api-key"},
                        "authorization": f"Bearer {cloud['admin_token']}"}
    event["body"] = json.dumps({"merchant_id": mid, "currency": "PKR", "amount": 1_000})
    fn, first, second, entered, release = _two_environments(monkeypatch, lambda m: m.platform.wallets, "top_up")
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("first", first(event, LambdaContext(fn, "arn"))))
    t.start()
    assert entered.wait(20)
    repeat = second(event, LambdaContext(fn, "arn"))
    assert repeat["statusCode"] == 409
    assert json.loads(repeat["body"])["error"]["code"] == "idempotency_request_in_progress"
    release.set()
    t.join(30)
    assert out["first"]["statusCode"] == 201
    replay = second(event, LambdaContext(fn, "arn"))
    assert replay["statusCode"] == 201 and json.loads(replay["body"]) == json.loads(out["first"]["body"])
    assert replay["headers"].get("Idempotent-Replayed") == "true"
    assert client.balances("PKR")["available"] == 1_000


def test_order_key_racing_across_environments_places_one_order(function_env, admin, merchant, monkeypatch):
    """An order is its own idempotency record: the first request has read (no order yet) and is
    about to write when a repeat in another execution environment places the order; the first
    one's transaction then fails on the order's journal and it answers the same order, replayed."""
    from infra.local.runtime import LambdaContext
    from tests.conftest import load_event

    client, mid = merchant
    admin.credit(mid, "kim", 5_000)
    product = client.create_product("p", 1_000, 10)
    event = load_event("apigw/place_order", API_KEY=client.api_key, IDEMPOTENCY_KEY=f"race-{uuid.uuid4()}",
                       PRODUCT_ID=product["product_id"], CUSTOMER_ID="kim")
    fn, first, second, entered, release = _two_environments(monkeypatch, lambda m: m.platform.orders, "_place")
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("first", first(event, LambdaContext(fn, "arn"))))
    t.start()
    assert entered.wait(20)  # the first has read: no order under this key yet
    placed = second(event, LambdaContext(fn, "arn"))
    assert placed["statusCode"] == 201 and "Idempotent-Replayed" not in placed["headers"]
    release.set()
    t.join(30)
    assert out["first"]["statusCode"] == 201 and json.loads(out["first"]["body"]) == json.loads(placed["body"])
    assert out["first"]["headers"].get("Idempotent-Replayed") == "true"
    assert client.wallet("kim")["balance"] == 4_000 and client.product(product["product_id"])["stock"] == 9


def test_own_claim_resent_after_a_stall_and_an_expired_claim_do_not_block(cloud):
    """(c) The SDK re-sends the claim after a stalled write that had succeeded: the request finds its
    own claim and runs. A claim whose lease ran out (its invocation is gone) is taken over."""
    from payrail.core.idempotency import IdempotencyStore

    store = IdempotencyStore(cloud["tables"]["idempotency"])
    runs = []

    def effect():
        runs.append(1)
        return 201, {"n": len(runs)}
    kw = dict(caller="m:test", route="POST /x", fingerprint="f1", lease_seconds=20, effect=effect)
    key = str(uuid.uuid4())
    rid = store.record_id("m:test", "POST /x", key)
    store.db.put_item(TableName=store.table, Item={  # the claim that "stalled" but was written
        "id": {"S": rid}, "status": {"S": "IN_PROGRESS"}, "fingerprint": {"S": "f1"}, "owner": {"S": "req-1"},
        "lease_until": {"N": str(int((time.time() + 20) * 1000))}, "expiration": {"N": str(int(time.time()) + 3600)}})
    assert store.run(key=key, owner="req-1", **kw).status == 201 and runs == [1]
    key2 = str(uuid.uuid4())
    store.db.put_item(TableName=store.table, Item={  # a claim of an invocation that died 1 s ago
        "id": {"S": store.record_id("m:test", "POST /x", key2)}, "status": {"S": "IN_PROGRESS"},
        "fingerprint": {"S": "f1"}, "owner": {"S": "req-dead"},
        "lease_until": {"N": str(int((time.time() - 1) * 1000))}, "expiration": {"N": str(int(time.time()) + 3600)}})
    out = store.run(key=key2, owner="req-2", **kw)
    assert out.status == 201 and not out.replayed and runs == [1, 1]
    assert store.run(key=key2, owner="req-3", **kw).replayed  # and is then replayed


def test_balances_are_one_snapshot_under_concurrent_payouts(admin, merchant):
    """available + held never exceeds the merchant's funds while payouts move money between them."""
    client, mid = merchant
    admin.top_up(mid, 100_000)
    funds = client.balances("PKR")["available"]
    stop = threading.Event()
    seen = []

    def watch():
        while not stop.is_set():
            b = client.balances("PKR")
            seen.append(b["available"] + b["held"])
    watchers = [threading.Thread(target=watch) for _ in range(4)]
    for w in watchers:
        w.start()
    list(ThreadPoolExecutor(8).map(lambda i: client.payout(1_000, f"12345{i:05d}0001"), range(40)))
    stop.set()
    for w in watchers:
        w.join()
    assert len(seen) > 20 and max(seen) <= funds


# ---- settlement jobs ----------------------------------------------------------------------------------
def test_settlement_jobs_are_bounded_per_merchant_and_honour_idempotency_keys(cloud, admin):
    client = admin.as_merchant(admin.create_merchant("stl-bound")["api_key"])
    window = {"from": "2020-01-01", "to": "2020-12-31"}
    key = f"stl-{uuid.uuid4()}"
    first = client.request("POST", "/v1/settlements", window, idempotency_key=key)
    assert client.request("POST", "/v1/settlements", window, idempotency_key=key)["job_id"] == first["job_id"]
    with pytest.raises(ApiError) as e:
        client.request("POST", "/v1/settlements", {"from": "2020-01-01", "to": "2020-01-02"}, idempotency_key=key)
    assert e.value.status == 422
    started = [first["job_id"]]
    refused = []
    for _ in range(3):
        try:
            started.append(client.request("POST", "/v1/settlements", window)["job_id"])
        except ApiError as err:
            refused.append((err.status, err.code))
    assert len(started) == 2 and refused == [(409, "too_many_jobs")] * 2
    for job_id in started:  # finishing (here: cancelling) a job frees its slot
        try:
            client.settlement_cancel(job_id)
        except ApiError as err:
            assert err.status == 409  # it completed first: also frees the slot
    wait_for(lambda: all(client.settlement_get(j)["status"] in ("CANCELLED", "COMPLETED", "FAILED") for j in started),
             timeout=60)
    assert client.request("POST", "/v1/settlements", window)["status"] == "QUEUED"  # accepted again


# ---- the OpenAPI document -------------------------------------------------------------------------------
def test_openapi_documents_every_status_with_typed_schemas(cloud):
    doc = requests.get(cloud["api_url"] + "/openapi.json", timeout=10).json()
    ops = [(p, m, op) for p, item in doc["paths"].items() for m, op in item.items()]
    assert len(ops) >= 25
    for path, method, op in ops:
        codes = set(op["responses"])
        success = [c for c in codes if c.startswith("2")]
        assert len(success) == 1 or set(success) == {"200", "202"}, (path, method)  # 202: accepted, under way
        for code in success:
            schema = op["responses"][code]["content"]["application/json"]["schema"]
            assert "$ref" in schema, (path, method, schema)  # a typed model, not a free-form object
        if op.get("security"):
            assert {"401", "403", "429"} <= codes, (path, method)
        if op.get("parameters") or op.get("requestBody"):
            assert "400" in codes, (path, method)
        if "{" in path:
            assert "404" in codes, (path, method)
        for code in codes - set(success):
            assert op["responses"][code]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorBody")
        assert "422" not in codes or any(p["name"] == "idempotency-key" for p in op.get("parameters", []))
    assert "HTTPValidationError" not in doc["components"]["schemas"]
