"""The local function runtime keeps Lambda's isolation between concurrent invocations; its API emulator
parses HTTP as strictly as API Gateway."""
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from infra.tools.client import ApiError
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


# ---- the API emulator's HTTP: what API Gateway refuses is refused, chunked bodies arrive whole ----------
def _raw(cloud, data: bytes) -> bytes:
    """Send ``data`` on a fresh connection to the API emulator; everything it answers until it closes."""
    import socket
    from urllib.parse import urlparse

    u = urlparse(cloud["api_url"])
    with socket.create_connection((u.hostname, u.port), timeout=20) as s:
        s.sendall(data)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out


def _status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer[9:12])


def _credit(mid: str, customer: str, amount: int) -> bytes:
    return json.dumps({"merchant_id": mid, "customer_id": customer, "currency": "USD", "amount": amount}).encode()


def _admin_head(cloud, path: str = "/v1/admin/wallets/credit") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {cloud['admin_token']}\r\nIdempotency-Key: {uuid.uuid4()}\r\n").encode()


def test_the_api_emulator_refuses_two_differing_content_lengths(cloud, merchant):
    client, mid = merchant
    body = _credit(mid, "cl", 700)
    answer = _raw(cloud, _admin_head(cloud) + f"Content-Length: {len(body)}\r\nContent-Length: 5\r\n\r\n".encode()
                  + body)
    assert _status(answer) == 400 and b"Content-Length" in answer, answer
    answer = _raw(cloud, _admin_head(cloud) + f"Content-Length: {len(body)}\r\nTransfer-Encoding: chunked\r\n\r\n"
                  .encode() + body)
    assert _status(answer) == 400, answer  # both framings at once (request smuggling): refused too
    with pytest.raises(ApiError) as e:  # nothing reached the function
        client.wallet("cl")
    assert e.value.status == 404


def test_the_api_emulator_decodes_chunked_bodies(cloud, merchant):
    client, mid = merchant
    body = _credit(mid, "chunky", 900)
    chunked = b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (body[:10], body[10:])) + b"0\r\n\r\n"
    answer = _raw(cloud, _admin_head(cloud) + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked)
    assert _status(answer) == 200, answer
    assert client.wallet("chunky")["balance"] == 900
    answer = _raw(cloud, _admin_head(cloud) + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
    assert _status(answer) == 400, answer  # bad chunk framing


def test_the_api_emulator_refuses_http_0_9_and_keeps_http_1_1_alive(cloud):
    answer = _raw(cloud, b"GET /health/live\r\n")
    assert _status(answer) == 400 and b"HTTP/0.9" in answer, answer
    assert _status(_raw(cloud, b"GET /health/live HTTP/2.0\r\nHost: api\r\n\r\n")) == 400
    two = _raw(cloud, b"GET /health/live HTTP/1.1\r\nHost: api\r\n\r\n"
                      b"GET /health/live HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n")
    assert two.count(b"HTTP/1.1 200 OK\r\n") == 2 and two.count(b'{"status": "ok"}') + two.count(b'{"status":"ok"}') == 2
