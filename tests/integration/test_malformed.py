"""Malformed requests schemathesis does not generate, through the local API Gateway emulator and,
where the emulator cannot express the request, as raw API Gateway events fed to the handler.

Every answer must be a 4xx with payrail's error shape ``{"error": {"type", "code", "message",
"param"}}``; a 5xx (or API Gateway's bare ``{"message": "Internal Server Error"}``) is a bug.
"""
import base64
import json
import uuid

import pytest
import requests

from tests.conftest import load_event

#: the request body limit the edge enforces (413 above it)
BODY_LIMIT = 1024 * 1024


def error_of(status: int, raw: bytes | str, expected_status: int | None = None, param: str | None = None) -> dict:
    """Assert a 4xx answer (``expected_status`` if given) in the payrail error shape naming ``param``
    (if given); returns the ``error`` object."""
    assert 400 <= status < 500, f"expected a 4xx, got {status}: {raw[:300]!r}"
    if expected_status is not None:
        assert status == expected_status, f"expected {expected_status}, got {status}: {raw[:300]!r}"
    body = json.loads(raw)
    assert set(body) == {"error"} and set(body["error"]) == {"type", "code", "message", "param"}, body
    if param is not None:
        assert body["error"]["param"] == param, body
    return body["error"]


def http_error(r: requests.Response, expected_status: int | None = None, param: str | None = None) -> dict:
    return error_of(r.status_code, r.content, expected_status, param)


@pytest.fixture
def api(cloud, merchant):
    """``api(method, path, data=..., headers=...)``: a raw request with the merchant's key."""
    client, _ = merchant

    def send(method: str, path: str, data: bytes | str | None = None, headers: dict | None = None,
             key: str | None = client.api_key) -> requests.Response:
        h = {"content-type": "application/json"} | ({"x-api-key": key} if key else {}) | (headers or {})
        return requests.request(method, cloud["api_url"] + path, data=data, headers=h, timeout=60)
    return send


# ---- bodies the JSON parser must refuse with 400 --------------------------------------------------------
def test_non_utf8_json_body_is_400(api):
    http_error(api("POST", "/v1/products", b'{"name": "\xff\xfe"}'), 400)


def test_multipart_without_boundary_is_refused(api):
    r = api("POST", "/v1/products", b"--x\r\nname=a\r\n--x--", headers={"content-type": "multipart/form-data"})
    http_error(r)


def test_deeply_nested_body_is_400(api):
    http_error(api("POST", "/v1/products", "[" * 100_000 + "]" * 100_000), 400)


def test_body_over_the_size_limit_is_413(api):
    body = json.dumps({"name": "x" * BODY_LIMIT, "price": 100, "currency": "USD", "stock": 1})
    http_error(api("POST", "/v1/products", body), 413)


# ---- ids far longer than any id payrail issues ---------------------------------------------------------------
def test_3000_character_id_in_the_path_is_4xx(api):
    http_error(api("GET", "/v1/orders/" + "o" * 3000))


def test_3000_character_id_in_the_body_is_400_naming_it(api):
    body = json.dumps({"product_id": "p" * 3000, "quantity": 1, "customer_id": "c-1"})
    http_error(api("POST", "/v1/orders", body, headers={"idempotency-key": str(uuid.uuid4())}), 400, "product_id")


# ---- routes and methods ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method,path", [("DELETE", "/v1/orders/x"), ("PUT", "/v1/products"), ("PATCH", "/v1/payouts/x")])
def test_unsupported_method_on_a_known_path_is_405(api, method, path):
    http_error(api(method, path, "{}"), 405)


@pytest.mark.parametrize("method,path", [("GET", "/v1/nope"), ("POST", "/v2/orders")])
def test_unknown_route_is_404(api, method, path):
    http_error(api(method, path, "{}"), 404)


def test_unauthenticated_request_is_401_before_any_validation(api):
    err = http_error(api("POST", "/v1/orders", "{}", key=None), 401)
    assert err["code"] == "unauthorized" and err["param"] is None


# ---- strict fields --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("amount", ["true", '"100"', "100.0", "1e3"])
def test_amount_that_is_not_a_json_integer_is_400_naming_amount(cloud, merchant, amount):
    _, merchant_id = merchant
    body = f'{{"merchant_id": "{merchant_id}", "customer_id": "c-1", "currency": "USD", "amount": {amount}}}'
    r = requests.post(cloud["api_url"] + "/v1/admin/wallets/credit", data=body, timeout=60, headers={
        "content-type": "application/json", "authorization": f"Bearer {cloud['admin_token']}",
        "idempotency-key": str(uuid.uuid4())})
    http_error(r, 400, "amount")


def test_unknown_field_is_400_naming_it(api):
    body = json.dumps({"name": "p", "price": 100, "currency": "USD", "stock": 1, "bogus": 1})
    http_error(api("POST", "/v1/products", body), 400, "bogus")


# ---- base64 bodies (API Gateway sends isBase64Encoded: true for bodies it does not treat as text) ------------
def test_base64_body_is_processed_like_the_plain_body(handler, merchant):
    client, _ = merchant
    fields = {"name": "b64 \u00e9", "price": 1_234, "currency": "USD", "stock": 7}
    event = load_event("apigw/create_product_base64", API_KEY=client.api_key,
                       BODY=base64.b64encode(json.dumps(fields).encode()).decode())
    r = handler("api", event)
    assert r["statusCode"] == 201, r
    created = json.loads(r["body"])
    plain = client.create_product(fields["name"], fields["price"], fields["stock"])
    same = {k: v for k, v in created.items() if k in fields or k == "merchant_id"}
    assert same == {k: v for k, v in plain.items() if k in same} and set(fields) <= set(same)
    assert client.product(created["product_id"])["name"] == fields["name"]


@pytest.mark.parametrize("body", ["not*base64!", base64.b64encode(b'{"name": "\xff\xfe"}').decode()],
                         ids=["invalid-base64", "not-utf8"])
def test_base64_body_that_does_not_decode_is_400(handler, merchant, body):
    client, _ = merchant
    r = handler("api", load_event("apigw/create_product_base64", API_KEY=client.api_key, BODY=body))
    error_of(r["statusCode"], r.get("body") or "", 400)
