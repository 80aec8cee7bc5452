"""Webhook pieces without the cloud: URL rules (SSRF), the delivery-time address guard, the
attempt's hard timeout, Standard Webhooks signatures, the retry policy, subscriptions and the
event/sequence building blocks."""
import base64
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from payrail.core import ddb
from payrail.core.errors import NotFound, ValidationFailed
from payrail.core.events import EventLog, guard_sequence, object_after
from payrail.core.store import MainTable
from payrail.webhooks.delivery import Policy, Sender, sign
from payrail.webhooks.endpoints import check_event_types, new_secret, signing_secrets, subscribed
from payrail.webhooks.urls import check_url, is_public


def resolver(*addresses):
    """A getaddrinfo stand-in answering ``addresses`` (and recording the hosts asked)."""
    asked = []

    def resolve(host, port, type=0):  # noqa: A002 - getaddrinfo's keyword
        asked.append(host)
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]
    resolve.asked = asked
    return resolve


@pytest.mark.parametrize("address", [
    "10.0.0.5", "172.16.3.4", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "::1", "fe80::1", "fc00::7", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "64:ff9b::a00:1"])
def test_deployed_mode_refuses_urls_resolving_to_non_public_addresses(address):
    with pytest.raises(ValidationFailed) as e:
        check_url("https://hooks.example.com/payrail", local_mode=False, resolve=resolver(address))
    assert e.value.param == "url" and "non-public" in e.value.message


def test_deployed_mode_checks_every_address_of_a_host():
    with pytest.raises(ValidationFailed):
        check_url("https://mixed.example.com/", local_mode=False, resolve=resolver("93.184.216.34", "10.0.0.1"))
    ok = resolver("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")
    assert check_url("https://good.example.com:8443/h?x=1", local_mode=False, resolve=ok) == \
        "https://good.example.com:8443/h?x=1"
    assert ok.asked == ["good.example.com"]


@pytest.mark.parametrize("url, why", [
    ("http://hooks.example.com/x", "https"), ("http://127.0.0.1:9000/x", "https"), ("ftp://example.com", "https"),
    ("https://user:pw@example.com/x", "credentials"), ("https:///nohost", "host"), ("not a url", "host"),
    ("https://example.com:99999/", "valid URL"), ("https://" + "a" * 2050, "characters")])
def test_deployed_mode_refuses_malformed_or_insecure_urls(url, why):
    with pytest.raises(ValidationFailed) as e:
        check_url(url, local_mode=False, resolve=resolver("93.184.216.34"))
    assert why in e.value.message


def test_deployed_mode_refuses_an_unresolvable_host():
    def fail(*_a, **_k):
        raise socket.gaierror(-2, "Name or service not known")
    with pytest.raises(ValidationFailed, match="cannot be resolved"):
        check_url("https://nowhere.invalid/", local_mode=False, resolve=fail)


def test_local_mode_allows_loopback_http_and_any_https_without_resolving():
    def never(*_a, **_k):
        raise AssertionError("local mode resolves nothing")
    for url in ("http://127.0.0.1:4590/hooks/a", "http://localhost/x", "http://[::1]:80/", "https://anywhere.test/"):
        assert check_url(url, local_mode=True, resolve=never) == url
    for url in ("http://10.0.0.1/x", "http://example.com/x", "https://u:p@localhost/"):
        with pytest.raises(ValidationFailed):
            check_url(url, local_mode=True, resolve=never)


def test_is_public():
    assert is_public("93.184.216.34") and is_public("2606:4700::1111")
    assert not is_public("::ffff:127.0.0.1") and not is_public("garbage")


# ---- attempts -------------------------------------------------------------------------------------
class _Recorder(BaseHTTPRequestHandler):
    """Answers 204 and records the request; ``drip`` sends a header a byte at a time, slowly."""

    protocol_version = "HTTP/1.1"
    seen: list = []
    drip = False

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        type(self).seen.append((dict(self.headers), body))
        if type(self).drip:
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for _ in range(25):  # each byte comes well within a read timeout; the whole far beyond it
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:  # the sender cut the connection off
                self.close_connection = True
            return
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()


@pytest.fixture
def receiver():
    handler = type("Recorder", (_Recorder,), {"seen": [], "drip": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    server.shutdown()
    server.server_close()


def test_a_delivery_is_signed_per_standard_webhooks_and_verifies_with_the_library(receiver):
    url, handler = receiver
    old, new = new_secret(), new_secret()
    body = '{"event_id":"evt_1","type":"order.created"}'
    result = Sender(timeout_seconds=5, block_private=False).send(url, "evt_1", body, [old, new])
    assert result.delivered and result.status_code == 204
    headers, raw = handler.seen[0]
    headers = {k.lower(): v for k, v in headers.items()}
    assert raw.decode() == body and headers["webhook-id"] == "evt_1"
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    signatures = headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)
    for secret in (old, new):  # each secret alone verifies the delivery
        assert Webhook(secret).verify(raw, headers) == {"event_id": "evt_1", "type": "order.created"}
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(raw, headers)
    tampered = dict(headers, **{"webhook-id": "evt_2"})
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(raw, tampered)


def test_sign_is_hmac_sha256_of_id_timestamp_body():
    import hashlib
    import hmac
    secret = new_secret()
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, b"evt_9.1700000000.{}", hashlib.sha256).digest()).decode()
    assert sign("evt_9", 1_700_000_000, "{}", [secret]) == f"v1,{expected}"


def test_delivery_time_guard_refuses_a_private_address_before_sending(receiver):
    url, handler = receiver  # 127.0.0.1: what a DNS answer changed after the URL check could point to
    result = Sender(timeout_seconds=5, block_private=True).send(url, "evt_1", "{}", [new_secret()])
    assert not result.delivered and result.status_code is None
    assert "blocked" in result.error and "127.0.0.1" in result.error
    assert handler.seen == []


def test_an_attempt_is_cut_off_at_its_timeout_even_when_bytes_keep_coming(receiver):
    url, handler = receiver
    handler.drip = True
    result = Sender(timeout_seconds=1, block_private=False).send(url, "evt_1", "{}", [new_secret()])
    assert not result.delivered
    assert result.latency_ms < 3_000, "the watchdog closes the connection at the timeout (the drip lasts 5 s)"


def test_refused_connection_is_a_failed_attempt():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    result = Sender(timeout_seconds=2, block_private=False).send(f"http://127.0.0.1:{port}/", "evt_1", "{}",
                                                                [new_secret()])
    assert not result.delivered and result.status_code is None and result.error


# ---- policy, subscriptions, secrets ------------------------------------------------------------------
def test_retry_delays_follow_the_schedule_with_bounded_jitter():
    import random
    p = Policy(schedule=(5, 300, 1800, 7200, 18000, 36000), horizon_seconds=3 * 86_400, timeout_seconds=10,
               endpoint_concurrency=4)
    rng = random.Random(7)
    for made, base in [(1, 5), (2, 300), (3, 1800), (6, 36000), (9, 36000)]:
        delays = [p.delay(made, rng) for _ in range(200)]
        assert base * 0.8 <= min(delays) < max(delays) <= base * 1.2
    # over 3 days: 5 s, 5 min, 30 min, 2 h, 5 h and then 10 h steps -> 12 attempts in all
    t, attempts = 0.0, 1
    while t + p.schedule[min(attempts - 1, 5)] <= p.horizon_seconds:
        t += p.schedule[min(attempts - 1, 5)]
        attempts += 1
    assert attempts == 12 and t <= 3 * 86_400


def test_subscriptions_and_event_type_validation():
    assert subscribed(["*"], "payout.failed") and subscribed(["order.*"], "order.fulfilled")
    assert subscribed(["order.created"], "order.created") and not subscribed(["order.*"], "payout.created")
    assert check_event_types(["order.*", "order.created", "order.*", "payout.*"]) == ["order.*", "order.created",
                                                                                     "payout.*"]
    for bad in (["order.shipped"], ["cats.*"], []):
        with pytest.raises(ValidationFailed) as e:
            check_event_types(bad)
        assert e.value.param == "enabled_events"


def test_rotated_out_secrets_sign_until_their_overlap_ends():
    now = time.time()
    ep = {"secrets": [{"secret": "whsec_old", "expires_at": int(now) + 60}, {"secret": "whsec_older", "expires_at": 5},
                      {"secret": "whsec_new"}]}
    assert signing_secrets(ep, now) == ["whsec_old", "whsec_new"]
    assert signing_secrets(ep, now + 120) == ["whsec_new"]
    assert base64.b64decode(new_secret().removeprefix("whsec_")).__len__() == 32


# ---- events: the sequence rule's building blocks ------------------------------------------------------
def test_a_transition_and_its_event_are_built_together_with_the_sequence_guard():
    main = MainTable("payrail-main", client=object())
    log = EventLog("payrail-events", client=object())
    order = {"order_id": "ord_1", "merchant_id": "m_1", "status": "PAID", "type": "order", "request_fingerprint": "f",
             "status_history": [{"status": "PAID", "at": "t0"}]}
    update, put = log.transition(main, "ORDER#m_1#ord_1", order, ("PAID",), "FAILED", "order.failed", "order_id",
                                 sets={"failure_reason": "refused"}, detail="x" * 600, ts="t1")
    cond = update["Update"]["ConditionExpression"]
    assert cond.endswith("AND size(status_history) = :evt_len")
    assert update["Update"]["ExpressionAttributeValues"][":evt_len"] == {"N": "1"}
    item = ddb.load(put["Put"]["Item"])
    assert put["Put"]["ConditionExpression"] == "attribute_not_exists(pk)"
    assert item["sequence"] == 2 and item["type"] == "order.failed" and item["pk"] == "EVT#m_1"
    import json
    body = json.loads(item["body"])
    obj = body["data"]["object"]
    assert obj["status"] == "FAILED" and obj["failure_reason"] == "refused" and len(obj["status_history"]) == 2
    assert obj["status_history"][-1] == {"status": "FAILED", "at": "t1", "detail": "x" * 500}
    assert "type" not in obj and "request_fingerprint" not in obj
    assert order["status"] == "PAID" and len(order["status_history"]) == 1  # the read object is not touched
    assert body["event_id"] == item["sk"] and body["sequence"] == 2 and body["object_id"] == "ord_1"
    with pytest.raises(ValueError):
        log.put_action("m_1", "order.shipped", order, "ord_1", 1)
    assert guard_sequence({"Update": {}}, 3)["Update"]["ConditionExpression"] == "size(status_history) = :evt_len"
    assert object_after({"status_history": []}, "X", None, "t")["status_history"] == [{"status": "X", "at": "t"}]


def test_an_event_is_unsuccessful_while_a_deliverys_latest_outcome_failed_and_successful_once_all_delivered():
    from payrail.webhooks.model import AttemptOutcome, DeliveryStatus as DS, WebhookDelivery
    from payrail.webhooks.records import _outcome

    def d(status, attempts=1, last=None):
        return WebhookDelivery.model_construct(endpoint_id="we_1", merchant_id="m", event_id="evt_1", status=status,
                                               attempts=attempts, last_outcome=last)
    delivered, failed = d(DS.DELIVERED, last=AttemptOutcome.DELIVERED), d(DS.FAILED, last=AttemptOutcome.FAILED)
    retrying, first = d(DS.PENDING, 2, AttemptOutcome.FAILED), d(DS.PENDING, 0)
    reopened = d(DS.PENDING, 3, AttemptOutcome.DELIVERED)  # a redelivery of a delivered one, not attempted yet
    assert _outcome([delivered, failed]) is False and _outcome([retrying]) is False
    assert _outcome([delivered, delivered]) is True
    assert _outcome([]) is None and _outcome([first]) is None and _outcome([delivered, first]) is None
    assert _outcome([reopened]) is None


def test_a_recovery_since_a_time_starts_at_the_first_event_id_of_that_time():
    from payrail.core.ids import time_ordered
    from payrail.webhooks.recovery import event_id_bound, parse_since

    at = 1_800_000_000.25
    assert time_ordered("evt", at - 0.001) < event_id_bound(at) <= time_ordered("evt", at)
    assert len(event_id_bound(at)) == len(time_ordered("evt", at))
    assert parse_since("2026-03-01") == parse_since("2026-03-01T00:00:00Z") == 1_772_323_200
    for bad in ("2999-01-01", "last week"):
        with pytest.raises(ValidationFailed) as e:
            parse_since(bad)
        assert e.value.param == "since"


# ---- events: read back as typed events, their stored text kept -----------------------------------------
class EventsTable:
    """A stand-in for the events table: keeps what ``put_action`` writes; answers GetItem,
    BatchGetItem and a merchant's Query (newest first)."""

    def __init__(self):
        self.items: dict[tuple[str, str], dict] = {}

    def put(self, action: dict) -> None:
        item = action["Put"]["Item"]
        self.items[item["pk"]["S"], item["sk"]["S"]] = item

    def get_item(self, TableName, Key):  # noqa: N803 - boto3's names
        found = self.items.get((Key["pk"]["S"], Key["sk"]["S"]))
        return {"Item": found} if found else {}

    def batch_get_item(self, RequestItems):  # noqa: N803
        (table, req), = RequestItems.items()
        return {"Responses": {table: [self.items[k["pk"]["S"], k["sk"]["S"]] for k in req["Keys"]
                                      if (k["pk"]["S"], k["sk"]["S"]) in self.items]}}

    def query(self, TableName, ExpressionAttributeValues, Limit, **_):  # noqa: N803
        pk = ExpressionAttributeValues[":p"]["S"]
        return {"Items": sorted((i for (p, _), i in self.items.items() if p == pk), key=lambda i: i["sk"]["S"],
                                reverse=True)[:Limit]}


def test_events_read_from_the_log_are_typed_and_keep_their_stored_text_byte_for_byte():
    import json

    from payrail.core import events as evs
    from payrail.webhooks.delivery import Deliveries
    from payrail.webhooks.model import EndpointStatus, WebhookEndpoint

    table = EventsTable()
    log = EventLog("payrail-events", client=table)
    order = {"order_id": "ord_1", "merchant_id": "m_1", "status": "PAID", "amount": 500, "note": "café",
             "status_history": [{"status": "PAID", "at": "t0"}], "type": "order"}
    for n, event_type in enumerate(("order.created", "order.fulfilled"), start=1):
        table.put(log.put_action("m_1", event_type, order, "ord_1", n, f"2026-01-0{n}T00:00:00Z"))
    stored = [i["body"] for i in sorted((ddb.load(i) for i in table.items.values()), key=lambda i: i["sk"])]

    page = log.list("m_1", limit=1)
    (newest,) = page.data
    assert isinstance(newest, evs.Event) and page.has_more and newest.merchant_id == "m_1"
    assert json.loads(stored[-1])["event_id"] == newest.event_id and newest.object_id == "ord_1"
    assert newest.data.object["note"] == "café" and newest.body == stored[-1]
    # what the API answers is the stored body, keys in their stored order
    assert newest.public() == json.loads(stored[-1]) and list(newest.public()) == list(json.loads(stored[-1]))
    assert page.public() == {"data": [json.loads(stored[-1])], "has_more": True}
    got = log.get("m_1", newest.event_id)
    assert got == newest and got.body == stored[-1]
    assert [e.body for e in log.many("m_1", [newest.event_id, "evt_gone", page.data[0].event_id])] == [stored[-1]] * 2
    assert log.find("m_2", newest.event_id) is None
    with pytest.raises(NotFound):
        log.get("m_2", newest.event_id)
    # an event not read from the log writes the text put_action writes
    assert {evs.construct(evs.Event, json.loads(b)).body for b in stored} == set(stored)

    class Sqs:
        sent: list[dict] = []

        def send_message_batch(self, QueueUrl, Entries):  # noqa: N803
            self.sent += [json.loads(e["MessageBody"]) for e in Entries]
            return {}

    class Endpoints:
        def for_merchant(self, merchant_id):
            return [WebhookEndpoint.model_construct(endpoint_id="we_1", status=EndpointStatus.ENABLED,
                                                    enabled_events=["order.*"])]

    sqs = Sqs()
    deliveries = Deliveries("payrail-webhooks", log, Endpoints(), sqs, "q", Sender(1, False), Policy((5,), 60, 1, 1),
                            client=object())
    events = [evs.load(ddb.load(i)) for i in table.items.values()]
    assert deliveries.fan_out(events) == 2
    assert sorted(m["body"] for m in sqs.sent) == sorted(stored)  # the webhook body is the stored text
    assert {(m["merchant_id"], m["endpoint_id"], m["attempt"]) for m in sqs.sent} == {("m_1", "we_1", 0)}


def test_an_event_item_is_stored_within_a_write_unit_and_loads_back_as_its_body_byte_for_byte():
    """A mobile-money payment's event (the object with its five status changes, about 2.7 KB of
    JSON) is one write unit's item (at most 1 KB as DynamoDB sizes it); what readers load is the
    JSON text the webhook sends, the same bytes as before it was stored."""
    import json

    from infra.tools.metering import item_size
    from payrail.api.models.examples import RESPONSE_EXAMPLES

    log = EventLog("payrail-events", client=object())
    payment = RESPONSE_EXAMPLES["Payment"]
    put = log.put_action(payment["merchant_id"], "payment.confirmed", payment, payment["payment_id"],
                         len(payment["status_history"]))
    stored = put["Put"]["Item"]
    text = ddb.load(stored)["body"]
    assert json.loads(text)["data"]["object"] == json.loads(json.dumps(payment))
    assert len(text) > 2_000 and item_size(stored) <= 1_024
    assert text == json.dumps(json.loads(text), separators=(",", ":"), sort_keys=True)
    assert ddb.load({"body": {"B": base64.b64encode(stored["body"]["B"]).decode()}})["body"] == text
