"""The fulfilment client against the local fulfilment stand-in (the real HTTP server): what counts
as delivered, refused, not received or unknown; idempotency by key; status lookups; cancels;
state kept across a restart; when an order is looked at again."""
import json
import time
import uuid

import pytest
import requests

from infra.local.process import free_port
from infra.local.services import FulfilmentState, serve_fulfilment
from payrail.commerce.fulfilment import (
    CANCELLED,
    FAILED,
    FULFILLED,
    NOT_RECEIVED,
    UNKNOWN,
    FulfilmentChecks,
    FulfilmentClient,
    FulfilmentPolicy,
    next_look,
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


def test_an_unavailable_service_has_not_received_never_a_refusal(service):
    """503 to a POST: the service turned the request away (not received, never FAILED); a 503 to
    a lookup says nothing at all (UNKNOWN, not a sign that the service has the order)."""
    client, set_mode, _ = service
    set_mode("unavailable")
    o = order()
    submitted, looked = client.submit(o), client.lookup(o)
    assert submitted.kind == NOT_RECEIVED and "503" in submitted.reason and not submitted.may_be_received
    assert looked.kind == UNKNOWN and not looked.may_be_received
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


def test_checks_back_off_exponentially_with_the_attempt_in_the_message():
    sqs = FakeSqs()
    checks = FulfilmentChecks(sqs, "q", base_seconds=2)
    msg = {"merchant_id": "m", "order_id": "o"}
    delays = []
    for _ in range(11):
        delays.append(checks.schedule(msg))
        msg = json.loads(sqs.sent[-1]["MessageBody"])
    assert delays == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert [m["DelaySeconds"] for m in sqs.sent] == delays and msg["attempt"] == 11
    assert checks.schedule(msg, 7) == 7 and sqs.sent[-1]["DelaySeconds"] == 7  # an explicit delay (the deadline)


# ---- what counts as not received ------------------------------------------------------------------
@pytest.fixture
def answering():
    """``url_for(status)``: a loopback endpoint that answers every request with ``status``
    (a gateway in front of the service, or the service itself)."""
    from infra.local.httpserver import JsonHandler, serve

    class H(JsonHandler):
        def do_POST(self):
            self.body()
            self.reply(int(self.path.split("/")[1]), {"message": "answered on purpose"})
        do_GET = do_POST

    port = free_port()
    server = serve("127.0.0.1", port, H, "answering")
    yield lambda status: f"http://127.0.0.1:{port}/{status}/fulfilments"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("status", [429, 502, 503])
def test_a_post_turned_away_is_not_received(answering, status):
    outcome = FulfilmentClient(answering(status), timeout_seconds=2).submit(order())
    assert outcome.kind == NOT_RECEIVED and str(status) in outcome.reason and not outcome.may_be_received


@pytest.mark.parametrize("status", [500, 504, 408, 409])
def test_a_post_answered_ambiguously_is_unknown_and_may_have_arrived(answering, status):
    outcome = FulfilmentClient(answering(status), timeout_seconds=2).submit(order())
    assert outcome.kind == UNKNOWN and outcome.may_be_received


def test_a_refused_connection_is_not_received():
    outcome = FulfilmentClient(f"http://127.0.0.1:{free_port()}/fulfilments", timeout_seconds=2).submit(order())
    assert outcome.kind == NOT_RECEIVED and "NewConnectionError" in outcome.reason


def test_a_failed_tls_handshake_is_not_received(service, tmp_path):
    """https to the plain-HTTP stand-in: the handshake fails before any request is sent."""
    client, _, stats = service
    tls = FulfilmentClient(client.url.replace("http://", "https://"), timeout_seconds=2)
    outcome = tls.submit(order())
    assert outcome.kind == NOT_RECEIVED and "SSLError" in outcome.reason
    assert stats()["posts"] == 0


def test_a_name_that_does_not_resolve_is_not_received(monkeypatch):
    """The resolver's failure as urllib3 reports it (no DNS query leaves the machine)."""
    import socket

    def fail(*a, **kw):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", fail)
    outcome = FulfilmentClient("http://fulfilment.example.internal/fulfilments", timeout_seconds=2).submit(order())
    assert outcome.kind == NOT_RECEIVED and "NameResolutionError" in outcome.reason


def test_a_reset_after_sending_and_a_read_timeout_are_unknown(service):
    client, set_mode, _ = service
    set_mode("lost")
    lost = client.submit(order())
    set_mode("slow")
    slow = FulfilmentClient(client.url, timeout_seconds=0.5).submit(order())  # a fresh connection
    assert (lost.kind, slow.kind) == (UNKNOWN, UNKNOWN) and lost.may_be_received and slow.may_be_received
    assert "ReadTimeout" in slow.reason and "ProtocolError" in lost.reason


def test_a_lookup_that_finds_the_order_in_progress_says_the_service_has_it(service):
    client, set_mode, _ = service
    set_mode("hang", delay_seconds=1.0)
    o = order()
    assert client.submit(o).kind == UNKNOWN
    looked = client.lookup(o)
    assert looked.kind == UNKNOWN and looked.may_be_received  # PROCESSING: received


# ---- cancels ----------------------------------------------------------------------------------------
def test_a_cancel_before_delivery_is_acknowledged_and_a_late_post_is_refused(service):
    client, _, stats = service
    o = order()
    assert client.cancel(o).kind == CANCELLED
    assert client.submit(o).kind == FAILED and client.lookup(o).kind == FAILED
    assert stats()["fulfilled"] == {} and stats()["cancelled"] == {o["order_id"]: 1}


def test_a_cancel_stops_work_in_progress(service):
    client, set_mode, stats = service
    set_mode("hang", delay_seconds=1.0)
    o = order()
    assert client.submit(o).kind == UNKNOWN
    assert client.cancel(o).kind == CANCELLED and client.lookup(o).kind == FAILED
    assert stats()["fulfilled"] == {}


def test_a_cancel_after_delivery_answers_the_fulfilment(service):
    client, _, _ = service
    o = order()
    delivered = client.submit(o)
    too_late = client.cancel(o)
    assert too_late.kind == FULFILLED and too_late.fulfilment_id == delivered.fulfilment_id


def test_an_unanswered_cancel_is_unknown(service):
    client, set_mode, _ = service
    set_mode("unavailable")
    assert client.cancel(order()).kind == UNKNOWN


# ---- when an order is looked at again -----------------------------------------------------------------
def test_next_look_backs_off_until_the_deadline_then_stops():
    from datetime import datetime, timezone

    checks = FulfilmentChecks(FakeSqs(), "q", base_seconds=4)
    policy = FulfilmentPolicy(max_attempts=3, give_up_seconds=60)
    now = datetime(2026, 1, 1, 0, 0, 50, tzinfo=timezone.utc)
    pending = {"status": "FULFILMENT_PENDING", "created_at": "2026-01-01T00:00:00.000000Z"}
    assert next_look(pending, 0, checks, policy, now) == 4
    assert next_look(pending, 3, checks, policy, now) == 10  # 32 s of backoff, but the deadline is in 10 s
    assert next_look({**pending, "fulfilment_deadline": "2026-01-01T00:10:00.000000Z"}, 3, checks, policy, now) == 32
    failed = {"status": "FAILED", "failure_kind": "not_received", "created_at": pending["created_at"]}
    assert next_look(failed, 1, checks, policy, now) == 8  # cancel unacknowledged: look for a late delivery
    assert next_look(failed, 1, checks, policy, datetime(2026, 1, 1, 0, 1, 1, tzinfo=timezone.utc)) is None
    assert next_look({**failed, "cancel_acknowledged_at": "…"}, 1, checks, policy, now) is None
    assert next_look({**failed, "failure_kind": "refused"}, 1, checks, policy, now) is None
    assert next_look({**pending, "status": "FULFILLED"}, 0, checks, policy, now) is None
    assert next_look({**pending, "status": "FULFILMENT_UNKNOWN"}, 0, checks, policy, now) is None
