"""Events and webhooks on the local cloud: the outbox, Standard Webhooks deliveries to the local
receiver (which verifies each with ``standardwebhooks``), verified again here, independently;
retries with the same webhook-id, redelivery, secret rotation, 410, the endpoint API, and an
outage between the state change and the publication that loses nothing."""
import time
import uuid
from collections import defaultdict
from datetime import datetime, timezone

import boto3
import pytest
import requests
from standardwebhooks import Webhook

from infra import catalog
from infra.tools.client import ApiError, wait_for

ORDER_STATUS_OF = {"order.created": "PAID", "order.fulfilment_pending": "FULFILMENT_PENDING",
                   "order.fulfilled": "FULFILLED", "order.failed": "FAILED"}


class Receiver:
    """One path of the local webhook receiver (its own secrets, mode and record)."""

    def __init__(self, base: str):
        self.base, self.name = base, f"t-{uuid.uuid4().hex[:10]}"
        self.url = f"{base}/hooks/{self.name}"

    def control(self, **cfg) -> None:
        requests.post(f"{self.base}/_control/{self.name}", json=cfg, timeout=5).raise_for_status()

    def received(self) -> list[dict]:
        return requests.get(f"{self.base}/_received/{self.name}", timeout=5).json()["deliveries"]

    def wait_delivered(self, ids, timeout: float = 60) -> list[dict]:
        """Every delivery received once each of ``ids`` was answered 2xx."""
        def done():
            got = self.received()
            return got if set(ids) <= {d["webhook_id"] for d in got if d["answered"] < 300} else None
        return wait_for(done, timeout, 0.3, what=f"deliveries of {sorted(ids)}")


@pytest.fixture
def receiver(cloud) -> Receiver:
    return Receiver(cloud["webhook_receiver_url"])


def subscribe(client, receiver: Receiver, events=("order.*",)) -> dict:
    """An endpoint at ``receiver`` whose secret the receiver knows."""
    ep = client.create_webhook_endpoint(receiver.url, list(events))
    receiver.control(secrets=[ep["secret"]])
    return ep


def paid_order(admin, client, mid) -> dict:
    customer = f"c-{uuid.uuid4().hex[:8]}"
    admin.credit(mid, customer, 10_000)
    product = client.create_product("thing", 1_000, 5)
    return client.order(product["product_id"], customer)


def settled(client, order_id: str) -> dict:
    return wait_for(lambda: (o := client.get_order(order_id))["status"] in ("FULFILLED", "FAILED") and o, 90)


def archived() -> int:
    return boto3.client("events").describe_archive(ArchiveName=catalog.EVENT_BUS.archive_name)["EventCount"]


def test_order_events_arrive_in_order_per_object_signed_and_verified(admin, merchant, receiver, fulfilment_mode):
    client, mid = merchant
    ep = subscribe(client, receiver)
    in_archive = archived()
    fulfilled = settled(client, paid_order(admin, client, mid)["order_id"])
    fulfilment_mode("fail")
    refused = settled(client, paid_order(admin, client, mid)["order_id"])
    fulfilment_mode("lost")  # delivered, the answer lost: FULFILMENT_PENDING, then looked up
    looked_up = settled(client, paid_order(admin, client, mid)["order_id"])
    assert [fulfilled["status"], refused["status"], looked_up["status"]] == ["FULFILLED", "FAILED", "FULFILLED"]

    events = client.all_events()
    assert len(events) == 7 and [e["created_at"] for e in events] == sorted((e["created_at"] for e in events),
                                                                          reverse=True)
    got = receiver.wait_delivered({e["event_id"] for e in events})
    by_id = {e["event_id"]: e for e in events}
    per_object = defaultdict(list)
    for d in got:  # verified here, independently of the receiver, with the secret the merchant was given
        body = Webhook(ep["secret"]).verify(d["raw"], d["headers"])
        assert d["verified"] and body == by_id[d["webhook_id"]] and d["webhook_id"] == body["event_id"]
        per_object[body["object_id"]].append(body)
    for order in (fulfilled, refused, looked_up):
        bodies = sorted({b["event_id"]: b for b in per_object[order["order_id"]]}.values(), key=lambda b: b["sequence"])
        assert [b["sequence"] for b in bodies] == list(range(1, len(order["status_history"]) + 1))
        assert [ORDER_STATUS_OF[b["type"]] for b in bodies] == [h["status"] for h in order["status_history"]]
        for b in bodies:  # each carries the order as that change left it
            assert b["data"]["object"]["status_history"] == order["status_history"][:b["sequence"]]
            assert b["created_at"] == order["status_history"][b["sequence"] - 1]["at"]
    assert [h["status"] for h in looked_up["status_history"]] == ["PAID", "FULFILMENT_PENDING", "FULFILLED"]
    wait_for(lambda: all(client.event(e["event_id"])["deliveries"][0]["status"] == "delivered" for e in events))
    assert archived() >= in_archive + 7  # published to payrail's bus, whose archive keeps them


def test_a_receiver_failing_three_times_gets_the_same_webhook_id_four_times(admin, merchant, receiver):
    client, mid = merchant
    ep = subscribe(client, receiver, ["order.created"])
    receiver.control(mode="fail", times=3, status=503)
    order = paid_order(admin, client, mid)
    created = wait_for(lambda: client.events(event_type="order.created")["data"])[0]
    assert created["object_id"] == order["order_id"]
    got = receiver.wait_delivered({created["event_id"]})
    assert [d["webhook_id"] for d in got] == [created["event_id"]] * 4
    assert [d["answered"] for d in got] == [503, 503, 503, 200]
    assert len({d["timestamp"] for d in got}) > 1  # each attempt is signed anew at its own time
    delivery = wait_for(lambda: (d := client.event(created["event_id"])["deliveries"][0])["status"] == "delivered"
                        and d)
    assert delivery["attempts"] == 4 and delivery["last_status_code"] == 200 and delivery["endpoint_id"] == \
        ep["endpoint_id"]
    attempts = client.webhook_attempts(ep["endpoint_id"])["data"]
    assert [(a["attempt"], a["status_code"], a["outcome"]) for a in attempts] == [
        (4, 200, "delivered"), (3, 503, "failed"), (2, 503, "failed"), (1, 503, "failed")]
    assert all(a["event_id"] == created["event_id"] and a["latency_ms"] >= 0 for a in attempts)
    assert "on purpose" in attempts[-1]["response_excerpt"]
    page = client.webhook_attempts(ep["endpoint_id"], limit=2)
    rest = client.webhook_attempts(ep["endpoint_id"], starting_after=page["data"][-1]["attempt_id"])
    assert page["has_more"] and [a["attempt"] for a in page["data"] + rest["data"]] == [4, 3, 2, 1]
    assert client.webhook_endpoint(ep["endpoint_id"]).get("failing_since") is None  # the success cleared it


def test_redelivery_sends_the_same_event_again(admin, merchant, receiver):
    client, mid = merchant
    ep = subscribe(client, receiver, ["order.created"])
    paid_order(admin, client, mid)
    created = wait_for(lambda: client.events(event_type="order.created")["data"])[0]
    receiver.wait_delivered({created["event_id"]})
    assert client.redeliver(created["event_id"]) == {"event_id": created["event_id"],
                                                     "endpoint_ids": [ep["endpoint_id"]]}
    wait_for(lambda: len(receiver.received()) == 2)
    first, again = receiver.received()
    assert again["webhook_id"] == first["webhook_id"] and again["body"] == first["body"] and again["verified"]
    wait_for(lambda: client.event(created["event_id"])["deliveries"][0]["attempts"] == 2)
    fulfilled = wait_for(lambda: client.events(event_type="order.fulfilled")["data"])[0]
    with pytest.raises(ApiError) as e:  # no endpoint listens to order.fulfilled here
        client.redeliver(fulfilled["event_id"])
    assert e.value.status == 409


def test_secret_rotation_signs_with_both_secrets_during_the_overlap(admin, merchant, receiver):
    client, mid = merchant
    ep = subscribe(client, receiver, ["order.created"])
    rotated = client.rotate_webhook_secret(ep["endpoint_id"])
    assert rotated["secret"] != ep["secret"] and rotated["previous_secret_expires_at"]
    assert "secret" not in client.webhook_endpoint(ep["endpoint_id"])
    receiver.control(secrets=[rotated["secret"]])  # the merchant switched to the new secret
    paid_order(admin, client, mid)
    created = wait_for(lambda: client.events(event_type="order.created")["data"])[0]
    d = receiver.wait_delivered({created["event_id"]})[0]
    assert len(d["signatures"]) == 2
    for secret in (ep["secret"], rotated["secret"]):  # receivers on either secret accept it
        assert Webhook(secret).verify(d["raw"], d["headers"])["event_id"] == created["event_id"]


def test_410_gone_disables_the_endpoint_and_nothing_more_is_sent(admin, merchant, receiver, cloud):
    client, mid = merchant
    ep = subscribe(client, receiver, ["order.*"])
    receiver.control(mode="gone")
    paid_order(admin, client, mid)
    disabled = wait_for(lambda: (e := client.webhook_endpoint(ep["endpoint_id"]))["status"] == "disabled" and e)
    assert "410" in disabled["disabled_reason"] and disabled["disabled_at"]
    witness = Receiver(cloud["webhook_receiver_url"])  # a second endpoint shows when later events went out
    subscribe(client, witness, ["order.*"])
    later = settled(client, paid_order(admin, client, mid)["order_id"])
    later_events = {e["event_id"] for e in client.all_events() if e["object_id"] == later["order_id"]}
    witness.wait_delivered(later_events)
    received = receiver.received()
    assert received and {d["answered"] for d in received} == {410}
    assert not later_events & {d["webhook_id"] for d in received}  # nothing sent to the disabled endpoint
    enabled = client.update_webhook_endpoint(ep["endpoint_id"], disabled=False)
    assert enabled["status"] == "enabled" and enabled.get("disabled_reason") is None


def test_an_outage_between_the_change_and_the_publication_loses_no_event(admin, merchant, receiver, cloud):
    """The publication goes away — the bus is deleted (the stream consumer keeps failing and
    retrying), or on LocalStack, whose PutEvents to a deleted bus still succeeds, the consumer's
    event source mapping is disabled: the order changes state and its events wait in the outbox;
    once the publication is back every event is published and delivered, signed, in sequence."""
    from infra.local.provision import create_event_bus

    client, mid = merchant
    ep = subscribe(client, receiver)
    bus, lam = boto3.client("events"), boto3.client("lambda")
    if cloud["target"] == "localstack":
        mapping = lam.list_event_source_mappings(FunctionName=catalog.FUNCTIONS["events"].name)["EventSourceMappings"][0]
        lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
        wait_for(lambda: lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Disabled", 30)
    else:
        bus.delete_event_bus(Name=catalog.EVENT_BUS.name)
    try:
        order = settled(client, paid_order(admin, client, mid)["order_id"])
        events = client.all_events()
        assert order["status"] == "FULFILLED" and len(events) == 2  # the changes and their events committed
        time.sleep(3)  # the stream consumer keeps trying (and failing) meanwhile
        assert receiver.received() == [] and client.event(events[-1]["event_id"])["deliveries"] == []
    finally:
        if cloud["target"] == "localstack":
            lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
        else:
            create_event_bus(bus)
    got = receiver.wait_delivered({e["event_id"] for e in events}, timeout=120)
    assert sorted(Webhook(ep["secret"]).verify(d["raw"], d["headers"])["sequence"] for d in got) == [1, 2]


def test_webhook_endpoint_api(admin, merchant, receiver, cloud):
    client, mid = merchant
    ep = client.create_webhook_endpoint(receiver.url, ["order.*", "payout.*"], description="main")
    assert ep["secret"].startswith("whsec_") and ep["status"] == "enabled"
    second = client.create_webhook_endpoint(receiver.url + "/2", ["*"])
    assert [e["endpoint_id"] for e in client.request("GET", "/v1/webhook_endpoints")["data"]] == [
        second["endpoint_id"], ep["endpoint_id"]]
    page = client.request("GET", "/v1/webhook_endpoints", params={"limit": 1})
    assert page["has_more"] and page["data"][0]["endpoint_id"] == second["endpoint_id"]
    updated = client.update_webhook_endpoint(ep["endpoint_id"], enabled_events=["order.fulfilled"], disabled=True)
    assert updated["enabled_events"] == ["order.fulfilled"] and updated["status"] == "disabled"
    assert updated["disabled_reason"] == "disabled by the merchant"
    for bad in ({"url": "http://10.1.2.3/hook"}, {"url": "https://user:pw@example.com/"},
                {"enabled_events": ["order.shipped"]}, {"enabled_events": []}, {"colour": "red"}):
        with pytest.raises(ApiError) as e:
            client.update_webhook_endpoint(ep["endpoint_id"], **bad)
        assert e.value.status == 400, bad
    other = admin.as_merchant(admin.create_merchant("other")["api_key"])
    for call in (lambda c: c.webhook_endpoint(ep["endpoint_id"]), lambda c: c.delete_webhook_endpoint(ep["endpoint_id"]),
                 lambda c: c.webhook_attempts(ep["endpoint_id"])):
        with pytest.raises(ApiError) as e:
            call(other)
        assert e.value.status == 404  # another merchant's endpoint does not exist for it
    assert client.delete_webhook_endpoint(ep["endpoint_id"]) == {"endpoint_id": ep["endpoint_id"], "deleted": True}
    with pytest.raises(ApiError) as e:
        client.webhook_endpoint(ep["endpoint_id"])
    assert e.value.status == 404
    for n in range(15):  # the limit is 16 endpoints per merchant
        client.create_webhook_endpoint(f"{receiver.url}/{n}", ["order.created"])
    with pytest.raises(ApiError) as e:
        client.create_webhook_endpoint(receiver.url, ["*"])
    assert e.value.status == 409 and e.value.code == "too_many_endpoints"


def test_event_log_pages_newest_first_and_filters_by_type(admin, merchant):
    client, mid = merchant
    for _ in range(3):
        settled(client, paid_order(admin, client, mid)["order_id"])
    events = client.all_events()
    assert len(events) == 6 and len({e["event_id"] for e in events}) == 6
    first = client.events(limit=4)
    rest = client.events(limit=4, starting_after=first["data"][-1]["event_id"])
    assert first["has_more"] and not rest["has_more"] and first["data"] + rest["data"] == events
    fulfilled = client.all_events(event_type="order.fulfilled")
    assert [e["event_id"] for e in fulfilled] == [e["event_id"] for e in events if e["type"] == "order.fulfilled"]
    older_created = [e for e in events if e["type"] == "order.created" and e["event_id"] < fulfilled[0]["event_id"]]
    assert client.events(limit=1, event_type="order.created",
                         starting_after=fulfilled[0]["event_id"])["data"] == older_created[:1]
    assert client.event(events[0]["event_id"])["deliveries"] == []  # no endpoint: nothing to deliver
    other = admin.as_merchant(admin.create_merchant("other")["api_key"])
    with pytest.raises(ApiError) as e:
        other.event(events[0]["event_id"])
    assert e.value.status == 404 and other.events()["data"] == []


def test_an_endpoint_failing_for_days_is_disabled_and_says_why(platform, merchant, receiver):
    """The rule itself, on the real table (days cannot pass in a test): failures keep the first
    failure's time; past ``disable_after_seconds`` of failing the endpoint is disabled."""
    client, mid = merchant
    ep = subscribe(client, receiver)
    endpoints = platform.webhook_endpoints
    raw = endpoints.get_raw(mid, ep["endpoint_id"])
    t0 = 1_800_000_000
    endpoints.record_failure(raw, "HTTP 500", t0)
    endpoints.record_failure(raw, "HTTP 502", t0 + 86_400)
    assert client.webhook_endpoint(ep["endpoint_id"])["status"] == "enabled"
    endpoints.record_failure(raw, "no answer within 10 s", t0 + endpoints.disable_after)
    seen = client.webhook_endpoint(ep["endpoint_id"])
    assert seen["status"] == "disabled" and "5.0 days" in seen["disabled_reason"]
    assert "no answer within 10 s" in seen["disabled_reason"]


def test_events_handler_publishes_and_reports_failures_from_the_first_failed_record(handler, monkeypatch, cloud):
    from tests.conftest import load_event

    ids = [f"evt_{uuid.uuid4().hex[:24]}" for _ in range(2)]
    batch = load_event("dynamodb/event_inserted", MERCHANT_ID="m_0000000000000000", EVENT_ID=ids[0])
    second = load_event("dynamodb/event_inserted", MERCHANT_ID="m_0000000000000000", EVENT_ID=ids[1])["Records"][0]
    second["dynamodb"]["SequenceNumber"] = "000000000000000000202"
    batch["Records"].append(second)
    before = archived()
    assert handler("events", batch) == {"batchItemFailures": []}
    assert archived() == before + 2
    if cloud["target"] == "localstack":
        return  # LocalStack accepts PutEvents to a bus that does not exist (the outage test disables the mapping)
    monkeypatch.setenv("EVENT_BUS_NAME", "payrail-no-such-bus")  # the bus is unreachable: both come back
    assert handler("events", batch) == {"batchItemFailures": [{"itemIdentifier": "000000000000000000201"},
                                                              {"itemIdentifier": "000000000000000000202"}]}


def test_a_stale_or_duplicate_attempt_message_is_dropped(handler, admin, merchant, receiver):
    from tests.conftest import load_event

    client, mid = merchant
    ep = subscribe(client, receiver, ["order.created"])
    paid_order(admin, client, mid)
    created = wait_for(lambda: client.events(event_type="order.created")["data"])[0]
    receiver.wait_delivered({created["event_id"]})
    stale = load_event("sqs/webhook_attempt", MERCHANT_ID=mid, EVENT_ID=created["event_id"],
                       ENDPOINT_ID=ep["endpoint_id"], ATTEMPT="0")  # attempt 0 again, after it was made
    assert handler("webhooks", stale) == {"batchItemFailures": []}
    assert len(receiver.received()) == 1 and client.event(created["event_id"])["deliveries"][0]["attempts"] == 1


def test_a_slow_endpoint_is_bounded_in_concurrency_and_does_not_hold_up_another_merchant(admin, cloud):
    """Thirty deliveries to an endpoint that answers after 1.5 s: at most 4 at a time reach it (the
    endpoint's slots); another merchant's event, sent while that backlog drains, arrives before the
    backlog is through."""
    slow_merchant = admin.create_merchant("slow")
    slow_client, slow_mid = admin.as_merchant(slow_merchant["api_key"]), slow_merchant["merchant"]["merchant_id"]
    slow = Receiver(cloud["webhook_receiver_url"])
    subscribe(slow_client, slow, ["order.created"])
    slow.control(mode="slow", delay_seconds=1.5)
    customer = f"c-{uuid.uuid4().hex[:8]}"
    admin.credit(slow_mid, customer, 100_000)
    product = slow_client.create_product("thing", 100, 50)
    for _ in range(30):
        slow_client.order(product["product_id"], customer)
    wait_for(lambda: len(slow.received()) >= 4)  # the backlog is draining
    other = admin.create_merchant("other")
    other_client, other_mid = admin.as_merchant(other["api_key"]), other["merchant"]["merchant_id"]
    fast = Receiver(cloud["webhook_receiver_url"])
    subscribe(other_client, fast, ["order.created"])
    paid_order(admin, other_client, other_mid)
    fast_arrival = wait_for(fast.received)[0]["received_at"]
    slow_ids = {e["event_id"] for e in slow_client.all_events(event_type="order.created")}
    got = slow.wait_delivered(slow_ids, timeout=120)
    assert max(d["received_at"] for d in got) > fast_arrival  # the other merchant did not wait for the backlog
    stats = requests.get(f"{cloud['webhook_receiver_url']}/_received/{slow.name}", timeout=5).json()
    # the endpoint's concurrency bound (WEBHOOK_ENDPOINT_CONCURRENCY); LocalStack's SQS event source
    # runs one batch at a time, so there the bound is never reached
    assert (1 if cloud["target"] == "localstack" else 2) <= stats["in_flight_max"] <= 4


def test_recover_resends_exactly_the_failed_deliveries_and_the_event_log_filters_by_delivery_success(
        admin, merchant, receiver):
    """An endpoint answers 500 until its deliveries have failed (past the retry horizon), then is fixed;
    a recovery since before the first event re-sends each FAILED delivery once and leaves the
    delivered one alone; ``delivery_success`` lists the events on either side before and after."""
    client, mid = merchant
    ep = subscribe(client, receiver, ["order.created"])
    since = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    paid_order(admin, client, mid)
    ok = wait_for(lambda: client.events(event_type="order.created")["data"])[0]
    receiver.wait_delivered({ok["event_id"]})
    receiver.control(mode="fail", status=500)
    for _ in range(2):
        paid_order(admin, client, mid)
    created = wait_for(lambda: (d := client.events(event_type="order.created")["data"]) and len(d) == 3 and d)
    failed = [e["event_id"] for e in created[:2]]
    status = lambda e: ((d := client.event(e)["deliveries"]) and d[0]["status"])  # noqa: E731
    wait_for(lambda: all(status(e) == "failed" for e in failed), 90)
    ids = lambda **kw: [e["event_id"] for e in client.events(**kw)["data"]]  # noqa: E731
    assert wait_for(lambda: ids(delivery_success=False) == failed and ids(delivery_success=True) == [ok["event_id"]])
    assert ids(delivery_success=False, event_type="order.fulfilled") == []
    assert client.events(delivery_success=False, limit=1)["has_more"]
    received_before = receiver.received()

    receiver.control(mode="ok")
    key = f"recover-{uuid.uuid4()}"
    job = client.recover_webhook_endpoint(ep["endpoint_id"], since, idempotency_key=key)
    assert job["status"] in ("QUEUED", "RUNNING", "COMPLETED") and job["total"] == 2 and job["since"].startswith(since[:19])
    assert client.recover_webhook_endpoint(ep["endpoint_id"], since, idempotency_key=key)["recovery_id"] == \
        job["recovery_id"]  # the same request again: the same job
    done = wait_for(lambda: (j := client.webhook_recovery(ep["endpoint_id"], job["recovery_id"]))["status"]
                    == "COMPLETED" and j)
    assert (done["resent"], done["skipped"], done["total"]) == (2, 0, 2)
    got = receiver.wait_delivered(set(failed))
    again = [d for d in got[len(received_before):]]
    assert sorted(d["webhook_id"] for d in again) == sorted(failed)  # each failed one once, the delivered one not
    assert all(d["verified"] for d in again)
    wait_for(lambda: all(status(e) == "delivered" for e in failed))
    assert wait_for(lambda: ids(delivery_success=False) == [] and
                    ids(delivery_success=True) == [e["event_id"] for e in created])
    later = client.recover_webhook_endpoint(ep["endpoint_id"], since)  # nothing failed is left
    assert wait_for(lambda: client.webhook_recovery(ep["endpoint_id"], later["recovery_id"])["status"] == "COMPLETED")
    assert later["total"] == 0 and len(receiver.received()) == len(got)
    for bad in ({"since": "2999-01-01"}, {"since": "yesterday"}, {}):
        with pytest.raises(ApiError) as e:
            client.request("POST", f"/v1/webhook_endpoints/{ep['endpoint_id']}/recover", bad,
                           idempotency_key=f"bad-{uuid.uuid4()}")
        assert e.value.status == 400, bad
    with pytest.raises(ApiError) as e:
        client.webhook_recovery(ep["endpoint_id"], "rcv_" + "0" * 24)
    assert e.value.status == 404


def test_a_recover_while_one_is_queued_answers_that_one_and_a_disabled_endpoint_is_refused(platform, merchant,
                                                                                            receiver):
    from payrail.webhooks.model import RecoveryJob, RecoveryStatus
    from payrail.webhooks.recovery import Recoveries

    client, mid = merchant
    ep = subscribe(client, receiver, ["order.created"])
    recoveries = Recoveries(platform.deliveries)
    queued = RecoveryJob(recovery_id=f"rcv_{uuid.uuid4().hex[:24]}", merchant_id=mid, endpoint_id=ep["endpoint_id"],
                         since="2026-01-01T00:00:00.000000Z", status=RecoveryStatus.QUEUED, total=0, resent=0,
                         skipped=0, created_at="2026-01-01T00:00:00.000000Z", updated_at="2026-01-01T00:00:00.000000Z",
                         expiration=int(time.time()) + 3600)
    assert recoveries.records.create(queued)  # queued, its first step not yet taken by the worker
    answer = client.recover_webhook_endpoint(ep["endpoint_id"], "2026-01-01")
    assert answer["recovery_id"] == queued.recovery_id and answer["status"] == "QUEUED"
    assert recoveries.records.move(queued, RecoveryStatus.FAILED, {"failure_reason": "test over"})
    fresh = client.recover_webhook_endpoint(ep["endpoint_id"], "2026-01-01")  # none running now: a new job
    assert fresh["recovery_id"] != queued.recovery_id
    client.update_webhook_endpoint(ep["endpoint_id"], disabled=True)
    with pytest.raises(ApiError) as e:
        client.recover_webhook_endpoint(ep["endpoint_id"], "2026-01-01")
    assert e.value.status == 409 and e.value.code == "invalid_state"
