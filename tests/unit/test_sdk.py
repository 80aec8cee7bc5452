"""The Python SDK (sdk/python, import ``payrail_client``): the committed package is what openapi-python-client
makes of the committed OpenAPI document (`make sdk`), every operation is a function, and the hand-written
layer adds Idempotency-Keys, retries 409/429/5xx as documented (honouring ``Retry-After``, bounded),
pages with ``starting_after`` and verifies webhooks; here on ``httpx.MockTransport`` (no network)."""
from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import re
from pathlib import Path
from datetime import datetime, timezone

import httpx
import payrail_client
import pytest
from standardwebhooks import Webhook

from infra import sdk
from payrail_client import AsyncRetryTransport, Payrail, PayrailError, RetryPolicy, WebhookVerificationError, \
    WebhookVerifier
from payrail_client.api import IDEMPOTENT_OPERATIONS
from payrail_client.api.balances import get_balance
from payrail_client.api.payouts import create_payout, list_payouts
from payrail_client.api.orders import create_product
from payrail_client.models import PayoutIn, ProductIn
from payrail_client.payrail import CURSORS

DOC = json.loads(sdk.OPENAPI_FILE.read_text())
OPERATIONS = [(m.upper(), p, op) for p, ops in DOC["paths"].items() for m, op in ops.items()]
NO_WAIT = RetryPolicy(jitter=0)


def test_committed_sdk_is_what_the_generator_makes_of_the_document(tmp_path):
    fresh = sdk.files(sdk.generate(tmp_path))
    committed = sdk.files(sdk.PACKAGE_DIR)
    assert sorted(committed) == sorted(fresh), "run `make sdk` and commit sdk/python/payrail_client"
    stale = [rel for rel in fresh if committed[rel] != fresh[rel]]
    assert not stale, f"run `make sdk` and commit sdk/python/payrail_client ({stale[:5]} differ)"
    assert sdk.HAND_WRITTEN <= set(sdk.files(sdk.PACKAGE_DIR, generated_only=False))


def snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def test_every_operation_is_a_generated_function_with_its_method_and_path():
    functions = {}
    for method, path, op in OPERATIONS:
        tag = re.sub(r"\W+", "_", op["tags"][0]).lower()
        module = importlib.import_module(f"payrail_client.api.{tag}.{snake(op['operationId'])}")
        assert {"sync", "sync_detailed", "asyncio", "asyncio_detailed"} <= set(vars(module)), op["operationId"]
        source = inspect.getsource(module._get_kwargs)
        assert f'"method": "{method.lower()}"' in source and f'"url": "{path}"' in source, op["operationId"]
        functions[op["operationId"]] = module
    generated = {f.stem for f in Path(payrail_client.__file__).parent.glob("api/*/*.py") if f.stem != "__init__"}
    assert generated == {snake(o) for o in functions} and len(functions) == len(OPERATIONS)


def test_idempotent_operations_are_the_routes_taking_an_idempotency_key():
    keyed = {(m, p) for m, p, op in OPERATIONS
             if any(x["in"] == "header" and x["name"] == "idempotency-key" for x in op.get("parameters", []))}
    assert IDEMPOTENT_OPERATIONS == keyed and ("POST", "/v1/payouts") in keyed


def test_every_list_with_a_cursor_pages_by_a_field_its_objects_have():
    schemas = DOC["components"]["schemas"]
    listed = set()
    for _, path, op in OPERATIONS:
        if not any(p["name"] == "starting_after" for p in op.get("parameters", [])):
            continue
        page = schemas[op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
        item = page["properties"]["data"]["items"]["$ref"].rsplit("/", 1)[1]
        assert item in CURSORS and CURSORS[item] in schemas[item]["properties"], (path, item)
        listed.add(item)
    assert listed == set(CURSORS)


# ---- the transport, on a mock network ------------------------------------------------------------------------
class Script:
    """A mock API answering ``answers`` in turn (each ``(status, headers, body)`` or an exception to
    raise); records every request it saw."""

    def __init__(self, *answers):
        self.answers, self.requests = list(answers), []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, headers, body = answer
        return httpx.Response(status, headers=headers, json=body)

    def keys(self) -> list[str | None]:
        return [r.headers.get("idempotency-key") for r in self.requests]


def example(path: str, method: str, status: str) -> dict:
    """The first response example the document gives for ``method path`` answering ``status``."""
    media = DOC["paths"][path][method]["responses"][status]["content"]["application/json"]
    return next(iter(media["examples"].values()))["value"]


PAYOUT = example("/v1/payouts", "post", "201")
PAYOUT_IN = PayoutIn.from_dict({"amount": 100, "currency": "PKR", "beneficiary": {
    "type": "bank_account", "bank_code": "HBL", "account_number": "1234560002", "name": "Ali Raza"}})
BALANCE = example("/v1/balances", "get", "200")


def error(code: str) -> dict:
    return {"error": {"type": "x", "code": code, "message": code, "param": None}}


def payrail(script: Script, policy: RetryPolicy = NO_WAIT) -> tuple[Payrail, list[float]]:
    slept: list[float] = []
    return Payrail("sk_test", base_url="http://api.test", retry=policy, transport=httpx.MockTransport(script),
                   sleep=slept.append), slept


def test_a_keyed_post_gets_one_fresh_key_kept_on_every_retry_and_429_waits_retry_after():
    script = Script((429, {"retry-after": "2"}, error("rate_limited")), (503, {}, error("service_unavailable")),
                    (201, {}, PAYOUT))
    client, slept = payrail(script)
    response = create_payout.sync_detailed(client=client.client, body=PAYOUT_IN)  # a generated function
    assert response.status_code == 201 and response.parsed.payout_id == PAYOUT["payout_id"]
    keys = script.keys()
    assert len(keys) == 3 and keys[0] and len(set(keys)) == 1
    assert slept == [2.0, 1.0]  # Retry-After, then the second backoff step (0.5 * 2**1)
    assert script.requests[0].headers["x-api-key"] == "sk_test"


def test_the_callers_key_is_sent_and_a_route_without_keys_gets_none():
    script = Script((201, {}, PAYOUT), (201, {}, example("/v1/products", "post", "201")))
    client, _ = payrail(script)
    client.call(create_payout, body=PAYOUT_IN, idempotency_key="po-1")
    client.call(create_product, body=ProductIn(name="Book", price=2500, currency="USD", stock=1))
    assert script.keys() == ["po-1", None]


def test_a_5xx_on_a_post_without_idempotency_is_not_sent_again():
    script = Script((503, {"retry-after": "1"}, error("service_unavailable")))
    client, slept = payrail(script)
    with pytest.raises(PayrailError) as e:
        client.call(create_product, body=ProductIn(name="Book", price=2500, currency="USD", stock=1))
    assert (e.value.status, e.value.code, len(script.requests), slept) == (503, "service_unavailable", 1, [])


def test_409_retries_only_a_key_still_in_flight():
    script = Script((409, {}, error("idempotency_request_in_progress")), (201, {}, PAYOUT),
                    (409, {}, error("payout_not_cancellable")))
    client, slept = payrail(script)
    assert client.call(create_payout, body=PAYOUT_IN).payout_id == PAYOUT["payout_id"]
    assert slept == [0.5] and len(set(script.keys()[:2])) == 1
    with pytest.raises(PayrailError) as e:
        client.call(create_payout, body=PAYOUT_IN)
    assert e.value.code == "payout_not_cancellable" and len(script.requests) == 3


def test_retries_are_bounded_and_a_retry_after_beyond_the_bound_is_answered_at_once():
    script = Script(*[(429, {"retry-after": "1"}, error("rate_limited"))] * 4)
    client, slept = payrail(script, RetryPolicy(max_retries=3, jitter=0))
    with pytest.raises(PayrailError) as e:
        client.call(get_balance, currency="PKR")
    assert e.value.status == 429 and len(script.requests) == 4 and slept == [1.0, 1.0, 1.0]
    script = Script((429, {"retry-after": "3600"}, error("rate_limited")))
    client, slept = payrail(script, RetryPolicy(max_retry_after=60, jitter=0))
    with pytest.raises(PayrailError):
        client.call(get_balance, currency="PKR")
    assert len(script.requests) == 1 and slept == []


def test_backoff_grows_exponentially_up_to_its_cap_within_the_jitter():
    policy = RetryPolicy(backoff_base=0.5, backoff_max=4, jitter=0.2)
    for retry, nominal in enumerate([0.5, 1, 2, 4, 4]):
        assert nominal * 0.8 <= policy.backoff(retry) <= nominal * 1.2


def test_lost_connections_are_retried_when_resending_is_harmless():
    request = httpx.Request("POST", "http://api.test/v1/products")
    lost = Script(httpx.ReadTimeout("lost", request=request))
    client, _ = payrail(lost)
    with pytest.raises(httpx.ReadTimeout):  # an unkeyed POST may have run: not sent again
        client.call(create_product, body=ProductIn(name="Book", price=2500, currency="USD", stock=1))
    assert len(lost.requests) == 1
    script = Script(httpx.ConnectError("refused"), httpx.ReadTimeout("lost", request=request), (201, {}, PAYOUT))
    client, slept = payrail(script)
    assert client.call(create_payout, body=PAYOUT_IN).payout_id == PAYOUT["payout_id"]
    assert len(script.requests) == 3 and len(set(script.keys())) == 1 and slept == [0.5, 1.0]
    refused = Script(httpx.ConnectError("refused"), (200, {}, BALANCE))
    client, _ = payrail(refused)
    assert client.call(get_balance, currency="PKR").available == BALANCE["available"]


def test_the_async_transport_retries_the_same_way():
    script = Script((429, {"retry-after": "0"}, error("rate_limited")), (201, {}, PAYOUT))
    slept: list[float] = []

    async def sleep(s: float) -> None:
        slept.append(s)
    client = Payrail("sk_test", base_url="http://api.test", retry=NO_WAIT)
    client.client.set_async_httpx_client(httpx.AsyncClient(
        base_url="http://api.test", headers={"X-API-Key": "sk_test"},
        transport=AsyncRetryTransport(httpx.MockTransport(script), NO_WAIT, sleep=sleep)))
    payout = asyncio.run(client.acall(create_payout, body=PAYOUT_IN))
    assert payout.payout_id == PAYOUT["payout_id"] and slept == [0.0] and len(set(script.keys())) == 1


def test_paginate_follows_starting_after_until_has_more_is_false():
    ids = [PAYOUT["payout_id"][:-1] + str(i) for i in range(5, 0, -1)]
    pages = [{"data": [PAYOUT | {"payout_id": i} for i in ids[:2]], "has_more": True},
             {"data": [PAYOUT | {"payout_id": i} for i in ids[2:4]], "has_more": True},
             {"data": [PAYOUT | {"payout_id": ids[4]}], "has_more": False}]
    script = Script(*[(200, {}, p) for p in pages])
    client, _ = payrail(script)
    assert [p.payout_id for p in client.paginate(list_payouts, limit=2)] == ids
    assert [r.url.params.get("starting_after") for r in script.requests] == [None, ids[1], ids[3]]
    assert {r.url.params["limit"] for r in script.requests} == {"2"}


def test_payrail_needs_exactly_one_credential():
    with pytest.raises(ValueError):
        Payrail()
    with pytest.raises(ValueError):
        Payrail("sk_x", admin_token="t")
    admin = Payrail(admin_token="tok", base_url="http://api.test")
    assert admin.client.get_httpx_client().headers["authorization"] == "Bearer tok"


# ---- webhooks ------------------------------------------------------------------------------------------------
SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
EVENT = next(iter(DOC["webhooks"]["payout.succeeded"]["post"]["requestBody"]["content"]["application/json"]
                  ["examples"].values()))["value"]


def signed(body: str, *secrets: str, at: datetime | None = None) -> dict[str, str]:
    at = at or datetime.now(timezone.utc)
    return {"Webhook-Id": EVENT["event_id"], "Webhook-Timestamp": str(int(at.timestamp())),
            "Webhook-Signature": " ".join(Webhook(s).sign(EVENT["event_id"], at, body) for s in secrets)}


def test_the_verifier_returns_the_event_and_refuses_a_tampered_or_foreign_or_old_delivery():
    body = json.dumps(EVENT)
    event = WebhookVerifier(SECRET).verify(body.encode(), signed(body, SECRET))
    assert (event.type_, event.event_id, event.data.object_["payout_id"]) == (
        "payout.succeeded", EVENT["event_id"], EVENT["object_id"])
    amount = EVENT["data"]["object"]["amount"]
    tampered = body.replace(f'"amount": {amount}', f'"amount": {amount * 10}')
    assert tampered != body
    other = "whsec_" + "A" * 32
    for raw, headers in ((tampered, signed(body, SECRET)),
                         (body, signed(body, other)),
                         (body, signed(body, SECRET, at=datetime(2020, 1, 1, tzinfo=timezone.utc))),
                         (body, {**signed(body, SECRET), "Webhook-Signature": "garbage"}),
                         (body, {"webhook-id": EVENT["event_id"]})):
        with pytest.raises(WebhookVerificationError):
            WebhookVerifier(SECRET).verify(raw, headers)
    # while a secret rotates: payrail signs with both, and a receiver holding either verifies
    assert WebhookVerifier(other, SECRET).verify(body, signed(body, other)).event_id == EVENT["event_id"]
    assert WebhookVerifier(SECRET).verify(body, signed(body, other, SECRET)).event_id == EVENT["event_id"]
    with pytest.raises(ValueError):
        WebhookVerifier()
