"""The fulfilment client against the local fulfilment stand-in (the real HTTP server): what counts
as delivered, refused or unknown; idempotency by key; status lookups; state kept across a restart."""
import json
import time
import uuid

import pytest
import requests

from infra.local.process import free_port
from infra.local.services import FulfilmentState, serve_fulfilment
from payrail.fulfilment import (
    FAILED,
    FULFILLED,
    NOT_RECEIVED,
    UNKNOWN,
    FulfilmentChecks,
    FulfilmentClient,
    FulfilmentOutcomeUnknown,
)


@pytest.fixture
def service(tmp_path):
    """``(client with a 0.5 s timeout, set_mode(mode, delay), stats())`` on a fresh stand-in."""
    port = free_port()
    server, _ = serve_fulfilment("127.0.0.1", port, tmp_path / "fulfilment.json")
    base = f"http://127.0.0.1:{port}"

    def set_mode(mode, delay_seconds=1.5):
        requests.post(f"{base}/_control", json={"mode": mode, "delay_seconds": delay_seconds}, timeout=5).raise_for_status()

    yield FulfilmentClient(f"{base}/fulfilments", timeout_seconds=0.5), set_mode, \
        lambda: requests.get(f"{base}/_stats", timeout=5).json()
    server.shutdown()
    server.server_close()


def order():
    return {"order_id": f"ord_{uuid.uuid4().hex[:12]}", "product_id": "p", "quantity": 1, "customer_id": "c"}


def test_delivered_once_per_key_and_a_repeat_answers_the_first_result(service):
    client, _, stats = service
    o = order()
    assert client.lookup(o).kind == NOT_RECEIVED
    first = client.submit(o)
    assert first.kind == FULFILLED and first.fulfilment_id
    assert client.submit(o) == first and client.lookup(o) == first
    assert stats()["fulfilled"] == {o["order_id"]: 1}


def test_a_refusal_is_definitive(service):
    client, set_mode, stats = service
    set_mode("fail")
    o = order()
    refused = client.submit(o)
    assert refused.kind == FAILED and refused.reason
    set_mode("ok")
    assert client.submit(o).kind == FAILED and client.lookup(o).kind == FAILED  # the first result stands
    assert stats()["fulfilled"] == {}


@pytest.mark.parametrize("mode", ["slow", "lost"])
def test_no_answer_is_unknown_and_the_lookup_finds_the_delivery(service, mode):
    """slow: answers after the client's timeout; lost: fulfils, then drops the connection."""
    client, set_mode, stats = service
    set_mode(mode)
    o = order()
    assert client.submit(o).kind == UNKNOWN
    if mode == "slow":
        assert client.lookup(o).kind == UNKNOWN  # still PROCESSING
        assert client.submit(o).kind == UNKNOWN  # a repeat while in progress: 409, not a refusal
        time.sleep(1.5)  # the first request's work ends
    found = client.lookup(o)
    assert found.kind == FULFILLED and found.fulfilment_id
    assert stats()["fulfilled"] == {o["order_id"]: 1}


def test_an_unavailable_service_is_unknown_never_a_refusal(service):
    client, set_mode, _ = service
    set_mode("unavailable")
    o = order()
    assert client.submit(o).kind == UNKNOWN and client.lookup(o).kind == UNKNOWN
    set_mode("ok")
    assert client.lookup(o).kind == NOT_RECEIVED  # nothing was done while it was away


def test_state_survives_a_restart_and_work_in_progress_is_finished(tmp_path):
    path = tmp_path / "fulfilment.json"
    before = FulfilmentState(path)
    assert before.receive("k1", {"order_id": "o1"}) is None
    before.complete("k1", failed=False)
    assert before.receive("k2", {"order_id": "o2"}) is None  # in progress when the platform stops
    after = FulfilmentState(path)
    assert after.receive("k1", {"order_id": "o1"}) == (200, before.lookup("k1"))
    assert after.lookup("k2")["status"] == "FULFILLED"
    assert after.stats()["fulfilled"] == {"o1": 1, "o2": 1}


class FakeSqs:
    def __init__(self):
        self.sent = []

    def send_message(self, **kw):
        self.sent.append(kw)


def test_checks_back_off_exponentially_then_leave_the_message_to_sqs_redelivery():
    sqs = FakeSqs()
    checks = FulfilmentChecks(sqs, "q", max_attempts=12, base_seconds=2)
    msg = {"merchant_id": "m", "order_id": "o"}
    delays = []
    for _ in range(11):
        delays.append(checks.schedule(msg))
        msg = json.loads(sqs.sent[-1]["MessageBody"])
    assert delays == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert [m["DelaySeconds"] for m in sqs.sent] == delays and msg["attempt"] == 11
    with pytest.raises(FulfilmentOutcomeUnknown):
        checks.schedule(msg)
    assert len(sqs.sent) == 11
