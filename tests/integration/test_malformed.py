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

from payrail.providers import registry
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


# ---- provider callbacks: anyone can send one ----------------------------------------------------------------
CALLBACK_HEADER_VALUES = ["9" * 400, "9" * 5000, "\u00b2", f"t={'9' * 400},v1=00", "t=\u00b2,v1=00", "\u00e9" * 44]


@pytest.mark.parametrize("connector", sorted(registry.REGISTRY))
def test_malformed_callback_is_401_for_every_connector_and_rate_limited_per_ip(cloud, connector):
    from payrail.core.settings import Settings

    names = registry.entry(connector).cls.callback_headers
    limit = Settings.from_env(cloud["function_env"]).callback_rate_limit_per_minute
    url = f"{cloud['api_url']}/v1/callbacks/{connector}"
    for value in CALLBACK_HEADER_VALUES if names else [None]:
        headers = {"content-type": "application/json"} | {n: value.encode("latin-1") for n in names}
        r = requests.post(url, data=b"[]", headers=headers, timeout=60)
        err = http_error(r, 401)
        assert err["code"] == "callback_rejected", (value[:20] if value else None, err)
        # the callbacks' own quota (CALLBACK_RATE_LIMIT_PER_MINUTE per source IP) counted it
        assert r.headers["RateLimit-Limit"] == str(limit) and int(r.headers["RateLimit-Remaining"]) < limit


def _signed_callback(connector: str, tmp_path) -> tuple[bytes, dict]:
    """A well-formed callback about an unknown transfer, signed now as the connector's stand-in signs it."""
    from infra.tools.fuzz import signers

    signer = signers(tmp_path)[connector]
    key = f"unknown_{uuid.uuid4().hex[:12]}"
    body = signer.well_formed(key, key if connector == "cashfree" else str(uuid.uuid4()), True)
    return body, signer.signed(body)


def _signature_header(headers: dict) -> str:
    return next(h for h in headers if "signature" in h.lower())


@pytest.mark.parametrize("connector", ["cashfree", "safepay", "airteltigo", "telecel"])
@pytest.mark.parametrize("where", ["last", "first"])
def test_a_non_ascii_character_inside_a_valid_signature_is_401(cloud, connector, where, tmp_path):
    """The signature header exactly as signed but for one character made ``²`` (a digit to
    ``str.isdigit``, not ASCII, so no byte string compares with it): refused, never a 500."""
    body, headers = _signed_callback(connector, tmp_path)
    url = f"{cloud['api_url']}/v1/callbacks/{connector}"
    assert requests.post(url, data=body, headers=headers, timeout=60).status_code == 200  # as signed: accepted
    name = _signature_header(headers)
    value = headers[name]
    start = value.index("v1=") + 3 if "v1=" in value else 0  # Telecel's t=...,v1=<hex>
    at = len(value) - 1 if where == "last" else start
    forged = value[:at] + "\u00b2" + value[at + 1:]
    r = requests.post(url, data=body, headers=headers | {name: forged.encode("latin-1")}, timeout=60)
    assert http_error(r, 401)["code"] == "callback_rejected"


@pytest.mark.parametrize("zeros", [400, 3, 1])
def test_a_telecel_timestamp_padded_with_zeros_is_401_though_the_signature_matches_its_number(cloud, zeros, tmp_path):
    """``t=`` padded with leading zeros names the same second, and the signature over that
    number still matches; but a timestamp is what was signed, as sent: padded, it is refused."""
    body, headers = _signed_callback("telecel", tmp_path)
    url = f"{cloud['api_url']}/v1/callbacks/telecel"
    t, v1 = headers["X-Telecel-Signature"].split(",")
    padded = f"t={'0' * zeros}{t.removeprefix('t=')},{v1}"
    r = requests.post(url, data=body, headers=headers | {"X-Telecel-Signature": padded}, timeout=60)
    assert http_error(r, 401)["code"] == "callback_rejected"


# ---- metadata, control characters, impossible dates, unknown query parameters -------------------------------
PAYMENT = {"amount": 500, "currency": "GHS", "recipient": {"phone": "+233241234561", "name": "Ama Mensah"}}


@pytest.mark.parametrize("metadata,param", [({"": ""}, "metadata"), ({"k" * 41: "v"}, "metadata"),
                                            ({"k": "v" * 501}, "metadata.k"), ({"k": 7}, "metadata.k"),
                                            ({f"k{i}": "v" for i in range(51)}, "metadata")])
def test_metadata_outside_stripes_rule_is_400_naming_it_and_again_on_retry(api, merchant, metadata, param):
    key = str(uuid.uuid4())
    body = json.dumps(PAYMENT | {"metadata": metadata})
    for _ in range(2):  # the retry with the same key is refused the same way (nothing was stored)
        err = http_error(api("POST", "/v1/payments", body, headers={"idempotency-key": key}), 400, param)
        assert err["code"] == "parameter_invalid"
    assert merchant[0].payments()["data"] == []


@pytest.mark.parametrize("name", ["Ali\u0000Raza", "Ali\r\nRaza", "Ali\nRaza", "Ali\u0085Raza"], ids=repr)
def test_payout_to_a_name_with_control_characters_is_400_and_nothing_is_held(admin, merchant, api, name):
    client, merchant_id = merchant
    admin.top_up(merchant_id, 1_000_000)
    body = json.dumps({"amount": 10_000, "currency": "PKR", "beneficiary": {
        "type": "bank_account", "bank_code": "HBL", "account_number": "1234560001", "name": name}})
    err = http_error(api("POST", "/v1/payouts", body, headers={"idempotency-key": str(uuid.uuid4())}), 400,
                     "beneficiary.bank_account.name")
    assert "control characters" in err["message"]
    assert client.payouts()["data"] == [] and client.balances("PKR")["held"] == 0


@pytest.mark.parametrize("path,body,param", [
    ("/v1/products", {"name": "Tea\n", "price": 100, "currency": "USD", "stock": 1}, "name"),
    ("/v1/payments", PAYMENT | {"recipient": {"phone": "+233241234561", "name": "Ama\u0000"}}, "recipient.name"),
    ("/v1/payments", PAYMENT | {"description": "a\rb"}, "description"),
    ("/v1/payments", PAYMENT | {"metadata": {"order\n": "1"}}, "metadata"),
    ("/v1/payments", PAYMENT | {"metadata": {"order": "1\u0000"}}, "metadata.order"),
])
def test_text_with_control_characters_is_400_naming_the_field(api, path, body, param):
    err = http_error(api("POST", path, json.dumps(body), headers={"idempotency-key": str(uuid.uuid4())}), 400, param)
    assert "control characters" in err["message"]


def test_merchant_name_with_control_characters_is_400(cloud):
    r = requests.post(cloud["api_url"] + "/v1/admin/merchants", json={"name": "Shop\u0000"}, timeout=60, headers={
        "authorization": f"Bearer {cloud['admin_token']}", "idempotency-key": str(uuid.uuid4())})
    http_error(r, 400, "name")


@pytest.mark.parametrize("path", ["/v1/payouts", "/v1/payments"])
@pytest.mark.parametrize("value", ["2026-99-99", "2026-01-01T25:61:61Z", "0000-00-00", "2026-02-30", "T25:61:61Z"])
def test_impossible_dates_in_filters_are_400(api, path, value):
    for param in ("created_from", "created_to"):
        http_error(api("GET", f"{path}?{param}={value}"), 400, param)


def test_real_dates_in_filters_still_work(merchant):
    client, _ = merchant
    assert client.payouts(created_from="2026-03-01", created_to="2026-03-01T12:00:00Z")["data"] == []
    assert client.payments(created_from="2024-02-29T23:59")["data"] == []


def test_unknown_query_parameter_is_400_before_anything_happens(admin, merchant, api):
    client, merchant_id = merchant
    admin.top_up(merchant_id, 1_000_000)
    err = http_error(api("GET", "/v1/payouts?stauts=FAILED"), 400, "stauts")
    assert err["code"] == "parameter_unknown"
    key = str(uuid.uuid4())
    body = json.dumps({"amount": 10_000, "currency": "PKR", "beneficiary": {
        "type": "bank_account", "bank_code": "HBL", "account_number": "1234560001", "name": "Ali Raza"}})
    http_error(api("POST", "/v1/payouts?dry_run=true", body, headers={"idempotency-key": key}), 400, "dry_run")
    assert client.payouts()["data"] == []
    # nothing was stored under the key: the same key without the parameter creates the payout once
    r = api("POST", "/v1/payouts", body, headers={"idempotency-key": key})
    assert r.status_code == 201 and "Idempotent-Replayed" not in r.headers, r.text
    assert [p["payout_id"] for p in client.payouts()["data"]] == [r.json()["payout_id"]]


@pytest.mark.parametrize("path", ["/health/live", "/v1/balances?currency=USD", "/v1/payouts/po_" + "0" * 24])
def test_unknown_query_parameter_is_refused_on_routes_with_and_without_parameters(api, path):
    sep = "&" if "?" in path else "?"
    http_error(api("GET", f"{path}{sep}verbose=1"), 400, "verbose")


def test_documented_query_parameters_keep_working(cloud, merchant):
    client, _ = merchant
    assert client.payouts(limit=5, status="FAILED")["data"] == []
    assert client.events(limit=5, event_type="payout.created")["data"] == []
    assert requests.get(cloud["api_url"] + "/docs?format=json", timeout=60).status_code == 200
    assert requests.get(cloud["api_url"] + "/openapi.json", timeout=60).status_code == 200
