"""Mobile-money payments end to end on the local cloud: the API → risk and routing → hold → the
dispatcher → the payments queue's worker → the MTN MoMo, AirtelTigo and Telecel stand-ins → capture,
release, failover, expiry (worker and sweeper), cancel, refund, events, and the ledger after each.

Stand-in scenarios by the recipient number's last digit: 1 ok, 2 pending then ok, 3 fails, 4 no answer
(stays pending), 5 the provider lacks float. TEST_SETTINGS: expiry after 20 s, no exploration."""
from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from infra.tools.client import ApiError, standin as standin_at, wait_for
from tests.conftest import quiet_audit

PREFIX = {"MTN": "024", "AT": "027", "TELECEL": "020"}
PROVIDER = {"MTN": "mtn_momo", "AT": "airteltigo", "TELECEL": "telecel"}
SETTLED = ("CONFIRMED", "FAILED", "EXPIRED", "CANCELLED", "REFUNDED")
FLOAT = 1_000_000  # 10,000.00 GHS at each provider


def number(network: str, last: str) -> str:
    """A fresh national number on ``network`` ending in ``last`` (the stand-in scenario)."""
    return f"{PREFIX[network]}{uuid.uuid4().int % 10**6:06d}{last}"


def settled(client, payment_id: str, timeout: float = 60, states=SETTLED) -> dict:
    return wait_for(lambda: (p := client.payment(payment_id))["status"] in states and p, timeout, 0.4,
                    what=f"payment {payment_id} in {states}")


def standin(cloud, name: str, path: str, body: dict | None = None) -> dict:
    return standin_at(cloud["standins"][name], path, body)


def journals(platform, payment_id: str) -> dict[str, bool]:
    return {phase: platform.ledger.get_journal(f"pay:{payment_id}:{phase}") is not None
            for phase in ("hold", "capture", "release", "refund")}


def clean_window(platform, *providers: str) -> None:
    """Forget the routing window and health (earlier tests' failures, or timeouts of a loaded machine),
    so routes start on-net: deletes the ``route#…`` items of the rate-limits table."""
    db, table = platform.route_stats.db, platform.route_stats.table
    kw = dict(TableName=table, FilterExpression="begins_with(pk, :r)", ExpressionAttributeValues={":r": {"S": "route#"}},
              ProjectionExpression="pk")
    while True:
        r = db.scan(**kw)
        for item in r["Items"]:
            db.delete_item(TableName=table, Key={"pk": item["pk"]})
        if "LastEvaluatedKey" not in r:
            break
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
    assert all(s["fail"] == 0 for s in platform.route_stats.read(list(providers or PROVIDER.values())).values())


def floats(client) -> dict:
    return client.request("GET", "/v1/balances", params={"currency": "GHS"})["floats"]


@pytest.fixture
def momo(admin, merchant, platform):
    """A merchant with 10,000.00 GHS of float at each of the three providers; a fresh routing window."""
    clean_window(platform)
    client, mid = merchant
    for provider in PROVIDER.values():
        admin.fund_float(mid, provider, FLOAT)
    return client, mid


@pytest.fixture
def modes(cloud):
    """``set_mode(provider, mode, methods=None)``; every stand-in back to ok afterwards."""
    def set_mode(provider, mode, methods=None):
        standin(cloud, provider, "/_control", {"mode": mode, "methods": methods or []})
    yield set_mode
    for p in PROVIDER.values():
        set_mode(p, "ok")


def test_on_net_payment_through_each_network_moves_money_once(momo, platform):
    client, mid = momo
    for network, provider in PROVIDER.items():
        p = client.pay(12_345, number(network, "1"), description="school fees")
        assert p["status"] == "PENDING" and uuid.UUID(p["payment_id"])
        assert p["route"]["provider"] == provider and p["route"]["on_net"] is True
        assert p["fee"] == (12_345 * 50 + 5_000) // 10_000 and p["network"] == network
        assert {c["provider"] for c in p["candidates"]} == set(PROVIDER.values())
        assert all(c["score"] > 0 and c["why"] for c in p["candidates"])
        assert p["expires_at"] and p["estimated_completion_at"] and p["risk"]["decision"] == "accept"
        done = settled(client, p["payment_id"])
        assert done["status"] == "CONFIRMED" and done["provider_reference"]
        assert [h["status"] for h in done["status_history"]] == ["INITIATED", "VALIDATING", "PENDING", "PROCESSING",
                                                                  "CONFIRMED"]
        assert all(h["at"] for h in done["status_history"]) and done["status_history"][2]["detail"]
        assert journals(platform, p["payment_id"]) == {"hold": True, "capture": True, "release": False, "refund": False}
        f = floats(client)[provider]
        assert f == {"available": FLOAT - 12_345 - p["fee"], "held": 0}
    events = [e for e in client.request("GET", "/v1/events", params={"limit": 100})["data"]
              if e["type"].startswith("payment.")]
    seqs = {}
    for e in events:
        seqs.setdefault(e["object_id"], []).append((e["sequence"], e["type"]))
    assert len(seqs) == 3
    for pid, s in seqs.items():
        assert sorted(s) == [(1, "payment.initiated"), (2, "payment.validating"), (3, "payment.pending"),
                             (4, "payment.processing"), (5, "payment.confirmed")]


def test_off_net_route_when_the_on_net_float_is_short(admin, merchant):
    client, mid = merchant
    admin.fund_float(mid, "airteltigo", 500_000)  # only AirtelTigo has float: an MTN number goes off-net
    p = client.pay(10_000, number("MTN", "1"))
    assert p["route"]["provider"] == "airteltigo" and p["route"]["on_net"] is False
    assert p["fee"] == 150 and "off-net" in p["route"]["why"]
    mtn = next(c for c in p["candidates"] if c["provider"] == "mtn_momo")
    assert mtn["eligible"] is False and mtn["rank"] is None and "float" in mtn["why"]
    assert settled(client, p["payment_id"])["status"] == "CONFIRMED"
    assert floats(client)["airteltigo"] == {"available": 500_000 - 10_150, "held": 0}
    with pytest.raises(ApiError) as e:  # no provider's float covers it: 402, nothing created
        client.pay(600_000, number("MTN", "1"))
    assert (e.value.status, e.value.code) == (402, "insufficient_float")
    assert len(client.payments(limit=100)["data"]) == 1


@pytest.mark.parametrize("network", ["MTN", "AT", "TELECEL"])
def test_provider_without_float_fails_over_before_acceptance(momo, platform, network):
    client, mid = momo
    p = client.pay(20_000, number(network, "5"))  # the on-net provider refuses for lack of its float
    assert p["route"]["provider"] == PROVIDER[network]
    done = settled(client, p["payment_id"])
    assert done["status"] == "CONFIRMED" and done["provider"] != PROVIDER[network]
    first = done["failovers"][0]
    assert first["from_provider"] == PROVIDER[network] and "float" in first["why"]
    assert done["route"]["on_net"] is False and done["fee"] == 300
    # the worker logs the final provider's answer just after a callback may have confirmed the payment
    done = wait_for(lambda: (d := client.payment(p["payment_id"]))["attempts"][-1]["provider"] == d["provider"] and d,
                    10, what="the final provider's answer logged")
    assert done["attempts"][0]["provider"] == PROVIDER[network] and done["attempts"][-1]["provider"] == done["provider"]
    assert platform.ledger.get_journal(f"pay:{p['payment_id']}:failover:1") is not None
    f = floats(client)
    assert f[PROVIDER[network]] == {"available": FLOAT, "held": 0}  # the hold moved, nothing was taken
    assert f[done["provider"]] == {"available": FLOAT - 20_300, "held": 0}
    assert sum(x["available"] for x in f.values()) == 3 * FLOAT - 20_300


def test_unreachable_provider_fails_over_and_degraded_provider_loses_then_regains_traffic(momo, modes, cloud,
                                                                                           platform):
    client, mid = momo
    modes("mtn_momo", "failing")
    first = client.pay(15_000, number("MTN", "1"))
    assert first["route"]["provider"] == "mtn_momo"
    done = settled(client, first["payment_id"])
    assert done["status"] == "CONFIRMED" and done["provider"] != "mtn_momo"
    assert done["failovers"][0]["from_provider"] == "mtn_momo" and done["submissions"] == 1
    # MTN's failures and health now cost it the route, even on-net
    second = client.pay(15_000, number("MTN", "1"))
    mtn = next(c for c in second["candidates"] if c["provider"] == "mtn_momo")
    assert second["route"]["provider"] != "mtn_momo" and mtn["failures"] >= 1 and mtn["healthy"] is False
    assert settled(client, second["payment_id"])["status"] == "CONFIRMED"
    # recovered: a health probe marks it up; once its failures leave the 30 s window it wins again
    modes("mtn_momo", "ok")
    assert client.request("GET", "/health/detailed")["providers"]["mtn_momo"]["ok"] is True
    back = wait_for(lambda: (p := client.pay(15_000, number("MTN", "1")))["route"]["provider"] == "mtn_momo" and p,
                    timeout=60, interval=3, what="MTN regains traffic")
    assert settled(client, back["payment_id"])["status"] == "CONFIRMED"


def test_pending_then_success_and_provider_failure(momo, platform):
    client, mid = momo
    pending = client.pay(5_000, number("TELECEL", "2"))
    failed = client.pay(5_000, number("AT", "3"))
    p = settled(client, pending["payment_id"])
    assert p["status"] == "CONFIRMED" and p["looks"] >= 2
    f = settled(client, failed["payment_id"])
    assert f["status"] == "FAILED" and "not registered" in f["failure_reason"]
    assert journals(platform, failed["payment_id"]) == {"hold": True, "capture": False, "release": True,
                                                        "refund": False}
    assert [h["status"] for h in f["status_history"]][-2:] == ["PROCESSING", "FAILED"]


def test_expiry_after_asking_the_provider_with_and_without_a_late_confirmation(momo, platform, cloud, handler):
    client, mid = momo
    silent = client.pay(7_000, number("MTN", "4"))      # the provider never answers: EXPIRED
    late = client.pay(7_000, number("MTN", "4"))        # the provider confirms late: CONFIRMED, never EXPIRED
    wait_for(lambda: client.payment(late["payment_id"])["status"] == "PROCESSING", 30)
    time.sleep(12)
    key = client.payment(late["payment_id"])["provider_key"]
    assert client.payment(late["payment_id"])["provider"] == "mtn_momo"
    standin(cloud, "mtn_momo", f"/_control/transfers/{key}", {"status": "SUCCESS"})
    s = settled(client, silent["payment_id"], timeout=90)
    assert s["status"] == "EXPIRED" and "after 20 s" in s["expiry_reason"]
    assert journals(platform, silent["payment_id"])["release"] is True
    l = settled(client, late["payment_id"], timeout=90)
    assert l["status"] == "CONFIRMED" and "EXPIRED" not in [h["status"] for h in l["status_history"]]
    # an EXPIRED payment can be neither cancelled nor confirmed
    with pytest.raises(ApiError) as e:
        client.cancel_payment(silent["payment_id"])
    assert e.value.status == 409 and "EXPIRED" in e.value.body["error"]["message"]
    standin(cloud, "mtn_momo", f"/_control/transfers/{s['provider_key']}", {"status": "SUCCESS"})
    # the stand-in's (unsigned) MTN callback reaches /v1/callbacks/mtn_momo; payrail asks MTN, records it
    after = wait_for(lambda: (x := client.payment(silent["payment_id"])).get("late_provider_status") and x, 30,
                     what="late confirmation recorded")
    handler("payment_expiry", {"time": "2026-01-01T00:00:00Z"})
    assert after["status"] == "EXPIRED" and after["late_provider_status"] == "SUCCESS"
    assert client.payment(silent["payment_id"])["status"] == "EXPIRED"
    assert journals(platform, silent["payment_id"])["capture"] is False


def test_sweeper_expires_what_the_worker_left(momo, platform, handler, modes):
    client, mid = momo
    for p in PROVIDER.values():
        modes(p, "failing", ["GET"])  # no status lookup answers: nothing is ever sent; the payment stays PENDING
    p = client.pay(3_000, number("AT", "1"))
    time.sleep(21)
    handler("payment_expiry", {"time": "2026-01-01T00:00:00Z"})
    done = settled(client, p["payment_id"], timeout=30)
    assert done["status"] == "EXPIRED" and done["submissions"] == 0 and "nothing was sent" in done["expiry_reason"]


class Killed(BaseException):
    """The API's runtime was killed here (nothing after this point runs)."""


def test_a_creation_that_never_completed_expires_and_its_retry_answers_it(momo, platform, handler, monkeypatch):
    """A payment's creation dies right after its first write (the runtime killed before risk and
    routing) and the client gives up: nothing is held, and the sweeper ends the payment EXPIRED at
    the deadline that first write armed. A later retry with the same key answers that payment."""
    from types import SimpleNamespace

    from payrail.payments import Payments, payment_id_for

    client, mid = momo
    key, phone = str(uuid.uuid4()), number("MTN", "1")

    def killed(self, p):
        raise Killed()
    monkeypatch.setattr(Payments, "_advance", killed)
    with pytest.raises(Killed):
        platform.payments.create(mid, 5_000, "GHS", SimpleNamespace(phone=phone, name="Ama Mensah", network=None), key)
    monkeypatch.undo()
    pid = payment_id_for(mid, key)
    p = client.payment(pid)
    assert p["status"] == "INITIATED" and p["expires_at"]
    time.sleep(21)
    handler("payment_expiry", {"time": "2026-01-01T00:00:00Z"})
    done = client.payment(pid)
    assert done["status"] == "EXPIRED" and "creation did not complete" in done["expiry_reason"]
    assert [h["status"] for h in done["status_history"]] == ["INITIATED", "EXPIRED"]
    assert journals(platform, pid) == {"hold": False, "capture": False, "release": False, "refund": False}
    assert floats(client)["mtn_momo"] == {"available": FLOAT, "held": 0}
    again = client.pay(5_000, phone, key=key)
    assert (again["payment_id"], again["status"]) == (pid, "EXPIRED")
    assert client.pay(5_000, phone, key=key) == again


def test_cancel_from_every_state(momo, modes, platform):
    client, mid = momo
    for p in PROVIDER.values():
        modes(p, "failing", ["GET"])  # keeps the payment PENDING (its provider cannot be asked)
    pending = client.pay(4_000, number("MTN", "1"))
    time.sleep(1)
    assert client.payment(pending["payment_id"])["status"] == "PENDING"
    c = client.cancel_payment(pending["payment_id"])
    assert c["status"] == "CANCELLED" and c["cancel_reason"]
    assert journals(platform, pending["payment_id"])["release"] is True
    with pytest.raises(ApiError) as e:  # a second cancel
        client.cancel_payment(pending["payment_id"])
    assert (e.value.status, e.value.code) == (409, "invalid_state") and "CANCELLED" in e.value.body["error"]["message"]
    for p in PROVIDER.values():
        modes(p, "ok")
    processing = client.pay(4_000, number("MTN", "4"))
    wait_for(lambda: client.payment(processing["payment_id"])["status"] == "PROCESSING", 30)
    confirmed = settled(client, client.pay(4_000, number("MTN", "1"))["payment_id"])
    failed = settled(client, client.pay(4_000, number("MTN", "3"))["payment_id"])
    declined = client.pay(4_000, "+233241110001")  # blocklisted
    refunded = client.refund_payment(confirmed["payment_id"])
    for pid, state in ((processing["payment_id"], "PROCESSING"), (failed["payment_id"], "FAILED"),
                       (declined["payment_id"], "FAILED"), (refunded["payment_id"], "REFUNDED")):
        with pytest.raises(ApiError) as e:
            client.cancel_payment(pid)
        assert e.value.status == 409 and state in e.value.body["error"]["message"]
    for pid in (str(uuid.uuid4()),):
        with pytest.raises(ApiError) as e:
            client.cancel_payment(pid)
        assert e.value.status == 404
    with pytest.raises(ApiError) as e:
        client.payment("not-a-uuid")
    assert e.value.status == 400 and e.value.body["error"]["param"] == "payment_id"
    with pytest.raises(ApiError) as e:
        client.payment(str(uuid.uuid4()))
    assert e.value.status == 404


def test_refund_reverses_at_the_provider_with_its_own_journal(momo, platform, cloud):
    client, mid = momo
    p = settled(client, client.pay(25_000, number("TELECEL", "1"))["payment_id"])
    assert p["status"] == "CONFIRMED"
    before = floats(client)[p["provider"]]["available"]
    r = client.refund_payment(p["payment_id"])
    assert r["status"] == "REFUNDED" and r["refund"]["reversal_id"] == f"{p['payment_id']}-refund"
    assert floats(client)[p["provider"]]["available"] == before + 25_000
    assert journals(platform, p["payment_id"]) == {"hold": True, "capture": True, "release": False, "refund": True}
    with pytest.raises(ApiError) as e:
        client.refund_payment(p["payment_id"])
    assert (e.value.status, e.value.code) == (409, "already_refunded")


def test_parallel_refunds_answer_once_and_409_already_refunded_whatever_the_timing(momo, platform):
    client, mid = momo
    p = settled(client, client.pay(12_000, number("MTN", "1"))["payment_id"])
    assert p["status"] == "CONFIRMED"
    before = floats(client)[p["provider"]]["available"]

    def refund(_):
        try:
            return 200, client.refund_payment(p["payment_id"])["status"]
        except ApiError as e:
            return e.status, e.code

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(refund, range(10)))
    assert sorted(answers) == [(200, "REFUNDED")] + [(409, "already_refunded")] * 9, answers
    with pytest.raises(ApiError) as e:  # and afterwards
        client.refund_payment(p["payment_id"])
    assert (e.value.status, e.value.code, e.value.body["error"]["param"]) == (409, "already_refunded", "status")
    assert floats(client)[p["provider"]]["available"] == before + 12_000
    assert journals(platform, p["payment_id"])["refund"]
    assert [h["status"] for h in client.payment(p["payment_id"])["status_history"]].count("REFUNDED") == 1
    assert "refund_claim" not in client.payment(p["payment_id"])


def test_a_refund_replayed_with_its_idempotency_key_answers_as_the_first(momo):
    client, mid = momo
    p = settled(client, client.pay(7_000, number("AT", "1"))["payment_id"])
    assert p["status"] == "CONFIRMED"
    key = str(uuid.uuid4())
    first = client.request("POST", f"/v1/payments/{p['payment_id']}/refund", idempotency_key=key)
    assert first["status"] == "REFUNDED"
    again = client.http.post(f"{client.url}/v1/payments/{p['payment_id']}/refund", timeout=30,
                             headers={"x-api-key": client.api_key, "idempotency-key": key})
    assert (again.status_code, again.json(), again.headers.get("Idempotent-Replayed")) == (200, first, "true")
    with pytest.raises(ApiError) as e:  # another request (no key, or another key) is not a replay
        client.request("POST", f"/v1/payments/{p['payment_id']}/refund", idempotency_key=str(uuid.uuid4()))
    assert (e.value.status, e.value.code) == (409, "already_refunded")


def test_risk_rules(admin, merchant, platform):
    client, mid = merchant
    admin.fund_float(mid, "mtn_momo", 5_000_000)
    declined = client.pay(1_000, "+233241110001")
    assert declined["status"] == "FAILED" and declined["failure_reason"] == "risk_declined"
    assert declined["risk"]["decision"] == "decline" and declined["risk"]["reasons"][0]["rule"] == "blocklisted"
    assert journals(platform, declined["payment_id"])["hold"] is False and floats(client)["mtn_momo"]["held"] == 0
    assert [h["status"] for h in declined["status_history"]] == ["INITIATED", "VALIDATING", "FAILED"]
    # duplicate: same number and amount under another key within minutes is flagged, not declined
    phone = number("MTN", "1")
    client.pay(2_000, phone)
    dup = client.pay(2_000, phone)
    assert dup["status"] == "PENDING" and [r["rule"] for r in dup["risk"]["reasons"]] == ["duplicate"]
    assert dup["risk"]["score"] == 50
    # velocity per recipient: the 11th payment to one number within the hour is declined
    phone = number("MTN", "1")
    for i in range(10):
        assert client.pay(100 + i, phone)["status"] == "PENDING"
    v = client.pay(200, phone)
    assert v["status"] == "FAILED" and "recipient_velocity" in [r["rule"] for r in v["risk"]["reasons"]]
    # large amounts are scored
    big = client.pay(2_600_000, number("MTN", "1"))
    assert "large_amount" in [r["rule"] for r in big["risk"]["reasons"]] and big["status"] == "PENDING"


def test_merchant_velocity_rule(platform):
    from payrail.payments.risk import RiskCounters, RiskPolicy, assess

    counters = RiskCounters(platform.settings.rate_limit_table)
    mid = f"m_{uuid.uuid4().hex[:16]}"
    policy = RiskPolicy(merchant_max_count=3, merchant_max_amount=10**9)
    for i in range(3):
        assert not assess(policy, counters, mid, f"+23324123{i:04d}", 500, f"p{i}").declined
        counters.add(mid, f"+23324123{i:04d}", 500, f"p{i}", policy.window_seconds)
    r = assess(policy, counters, mid, "+233241239999", 500, "p9")
    assert r.declined and r.reasons[0]["rule"] == "merchant_velocity"


def test_validation_nothing_created(momo):
    client, mid = momo
    cases = [({"amount": 99}, "amount"), ({"amount": 5_000_001}, "amount"),
             ({"recipient": {"phone": "12345", "name": "A"}}, "recipient.phone"),
             ({"recipient": {"phone": "0302123456", "name": "A"}}, "recipient.phone"),   # a landline
             ({"recipient": {"phone": "+923001234567", "name": "A"}}, "recipient.phone"),
             ({"currency": "USD"}, "currency"), ({"amount": 100.0}, "amount")]
    for change, param in cases:
        body = {"amount": 1_000, "currency": "GHS", "recipient": {"phone": number("MTN", "1"), "name": "A"}} | change
        with pytest.raises(ApiError) as e:
            client.request("POST", "/v1/payments", body, idempotency_key=str(uuid.uuid4()))
        assert e.value.status == 400 and e.value.body["error"]["param"] == param, (change, e.value.body)
    with pytest.raises(ApiError) as e:  # Idempotency-Key is required
        client.request("POST", "/v1/payments", {"amount": 1_000, "currency": "GHS",
                                                "recipient": {"phone": number("MTN", "1"), "name": "A"}})
    assert e.value.status == 400
    assert client.payments(limit=100)["data"] == []
    # an explicit network on a ported number is honoured
    ported = client.pay(1_000, number("TELECEL", "1"), network="MTN")
    assert ported["recipient"]["ported"] is True and ported["route"]["provider"] == "mtn_momo"
    assert ported["recipient"]["detected_network"] == "TELECEL" and ported["recipient"]["network_source"] == "explicit"


def test_idempotent_replay_concurrency_list_and_audit(momo, platform):
    client, mid = momo
    key = str(uuid.uuid4())
    phone = number("AT", "1")
    a = client.pay(1_500, phone, key=key)
    b = client.pay(1_500, phone, key=key)
    assert a["payment_id"] == b["payment_id"]
    with pytest.raises(ApiError) as e:
        client.pay(1_600, phone, key=key)
    assert e.value.status == 422
    with ThreadPoolExecutor(5) as pool:
        made = list(pool.map(lambda i: client.pay(1_000 + i, number("MTN", "1")), range(5)))
    ids = {p["payment_id"] for p in made}
    assert len(ids) == 5
    for pid in ids:
        assert settled(client, pid)["status"] == "CONFIRMED"
    page1 = client.payments(limit=3, status="CONFIRMED")
    page2 = client.payments(limit=3, status="CONFIRMED", starting_after=page1["data"][-1]["payment_id"])
    assert page1["has_more"] and {p["payment_id"] for p in page1["data"] + page2["data"]} >= ids
    assert all(p["status"] == "CONFIRMED" for p in page1["data"] + page2["data"])
    assert client.payments(network="AT")["data"][0]["payment_id"] == a["payment_id"]
    assert all(p["provider"] == "mtn_momo" for p in client.payments(provider="mtn_momo", limit=100)["data"])
    total_held = sum(f["held"] for f in floats(client).values())
    assert total_held == 0
    report = quiet_audit(platform.ledger)
    assert report["ok"], {k: v for k, v in report.items() if k != "ok"}


def test_provider_health_in_detailed_health_not_in_readiness(admin, modes):
    modes("telecel", "failing")
    detailed = admin.request("GET", "/health/detailed")
    assert detailed["providers"]["telecel"]["ok"] is False and detailed["providers"]["mtn_momo"]["ok"] is True
    assert admin.request("GET", "/health/ready")["status"] == "ok"


def test_daily_report_per_provider_and_merchant(momo, handler, platform, cloud):
    import boto3

    client, mid = momo
    ok = settled(client, client.pay(10_000, number("MTN", "1"))["payment_id"])
    bad = settled(client, client.pay(10_000, number("MTN", "3"))["payment_id"])
    day = ok["created_at"][:10]
    out = handler("payment_reports", {"date": day})
    s3 = boto3.client("s3")
    by_merchant = s3.get_object(Bucket=platform.settings.reports_bucket, Key=out["keys"][1])["Body"].read().decode()
    row = next(line.split(",") for line in by_merchant.splitlines() if line.startswith(mid))
    header = by_merchant.splitlines()[0].split(",")
    r = dict(zip(header, row))
    assert (r["payments"], r["confirmed"], r["failed"], r["amount_confirmed"], r["fees"], r["success_rate"]) == \
        ("2", "1", "1", "10000", str(ok["fee"]), "0.5000")
    assert bad["fee"] > 0
    by_provider = s3.get_object(Bucket=platform.settings.reports_bucket, Key=out["keys"][0])["Body"].read().decode()
    assert by_provider.splitlines()[0].startswith("provider,date,currency,payments")
    assert any(line.startswith("mtn_momo,") for line in by_provider.splitlines())


def test_provider_callbacks_are_authenticated_then_confirmed_with_the_provider(momo, cloud, platform):
    import hashlib
    import hmac

    import requests

    client, mid = momo
    p = client.pay(9_000, number("TELECEL", "4"))  # Telecel never answers the POST; the transfer stays PENDING
    p = wait_for(lambda: (x := client.payment(p["payment_id"]))["status"] == "PROCESSING" and x, 30)
    assert p["provider"] == "telecel"
    body = json.dumps({"event": "disbursement.updated", "data": {"reference": p["provider_key"], "status": "SUCCESS",
                                                                  "transaction_id": "TX1"}}).encode()
    ts = int(time.time())
    sig = hmac.new(b"tc-local-callback", f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    url = f"{cloud['api_url']}/v1/callbacks/telecel"
    forged = requests.post(url, data=body, headers={"content-type": "application/json",
                                                    "X-Telecel-Signature": f"t={ts},v1={'0' * 64}"}, timeout=10)
    assert forged.status_code == 401
    # authentic, but the provider itself still says PENDING: nothing changes
    ack = requests.post(url, data=body, headers={"content-type": "application/json",
                                                 "X-Telecel-Signature": f"t={ts},v1={sig}"}, timeout=10).json()
    assert (ack["object_type"], ack["object_id"], ack["status"]) == ("payment", p["payment_id"], "PROCESSING")
    assert ack["outcome"] == "no_change"
    # the provider settles it (its back office), its own callback arrives: confirmed once, whichever comes first
    standin(cloud, "telecel", f"/_control/transfers/{p['provider_key']}", {"status": "SUCCESS"})
    done = settled(client, p["payment_id"], timeout=30)
    assert done["status"] == "CONFIRMED"
    again = requests.post(url, data=body, headers={"content-type": "application/json",
                                                   "X-Telecel-Signature": f"t={ts},v1={sig}"}, timeout=10).json()
    assert again["outcome"] == "no_change" and again["status"] == "CONFIRMED"
    assert [h["status"] for h in client.payment(p["payment_id"])["status_history"]].count("CONFIRMED") == 1


def test_airteltigo_callbacks_replayed_after_the_outcome_is_known_are_ignored_without_a_lookup(momo, cloud, platform,
                                                                                              monkeypatch):
    """AirtelTigo signs the body only, so a callback can be replayed forever: once the payment's outcome
    is known, a replay is acknowledged and the provider is not asked again."""
    import base64
    import hashlib
    import hmac

    import requests

    from payrail.providers.connectors.airteltigo.connector import AirtelTigoConnector

    client, mid = momo
    url = f"{cloud['api_url']}/v1/callbacks/airteltigo"

    def callback(p: dict, code: str) -> bytes:
        return json.dumps({"transaction": {"id": p["provider_key"], "message": "done", "status_code": code,
                                           "airtel_money_id": "AM1"}}).encode()

    def signed(body: bytes) -> dict:
        sig = base64.b64encode(hmac.new(b"at-local-callback", body, hashlib.sha256).digest()).decode()
        return {"content-type": "application/json", "X-Signature": sig}

    lookups = []
    status = AirtelTigoConnector.status
    monkeypatch.setattr(AirtelTigoConnector, "status", lambda self, tid: lookups.append(tid) or status(self, tid))

    def replay(body: bytes) -> dict:  # in this process, where the lookups are counted
        return platform.callbacks.receive("airteltigo", signed(body), body, time.time())

    paid = settled(client, client.pay(3_000, number("AT", "1"))["payment_id"])
    failed = settled(client, client.pay(3_000, number("AT", "3"))["payment_id"])
    assert (paid["status"], paid["provider"], failed["status"], failed["provider"]) == (
        "CONFIRMED", "airteltigo", "FAILED", "airteltigo")
    body = callback(paid, "TS")
    ack = requests.post(url, data=body, headers=signed(body), timeout=10).json()  # through the API: acknowledged
    assert (ack["outcome"], ack["object_id"], ack["status"]) == ("no_change", paid["payment_id"], "CONFIRMED")
    for _ in range(3):
        assert (replay(body)["outcome"], lookups) == ("no_change", [])
    refunded = client.refund_payment(paid["payment_id"])
    assert (replay(body)["status"], lookups) == ("REFUNDED", [])
    assert client.payment(paid["payment_id"])["status_history"] == refunded["status_history"]
    # a payment that ended unpaid: one lookup records the provider's final late answer, replays then cost none
    body = callback(failed, "TF")
    # unless the stand-in's own callback came after the release and recorded it already (then none)
    recorded = client.payment(failed["payment_id"]).get("late_provider_status") == "FAILED"
    assert replay(body)["outcome"] == "no_change" and lookups == ([] if recorded else [failed["transfer_id"]])
    assert client.payment(failed["payment_id"])["late_provider_status"] == "FAILED"
    for _ in range(3):
        assert (replay(body)["status"], lookups) == ("FAILED", [] if recorded else [failed["transfer_id"]])


def test_a_move_that_lost_its_race_for_the_hold_changes_nothing(momo, modes, platform, monkeypatch):
    """A callback's release reads a held payment, and a racing look captures it before the release
    posts: the provider's held float no longer covers the release, which the ledger refuses for
    lack of funds. The release is then a move that changed nothing (the payment moved meanwhile),
    where it used to raise (a 500 to the provider's callback)."""
    client, mid = momo
    for p in PROVIDER.values():
        modes(p, "failing", ["GET"])  # no status lookup answers: the payment stays held
    made = client.pay(4_000, number("MTN", "1"))
    svc, raced = platform.payments, []
    held = svc.get(mid, made["payment_id"])
    assert held.status in ("PENDING", "PROCESSING")
    real = svc.ledger.post

    def post(journal, **kw):
        if journal.journal_id.endswith(":release") and not raced:
            for _ in range(5):  # read afresh: the payment's own looks may touch it meanwhile
                if svc.capture(svc.get(mid, made["payment_id"]), "race-ref", "a racing look found it paid"):
                    raced.append(True)
                    break
        return real(journal, **kw)
    monkeypatch.setattr(svc.ledger, "post", post)
    assert svc.release(held, "FAILED", "a callback said it failed") is False
    assert raced == [True] and client.payment(made["payment_id"])["status"] == "CONFIRMED"
    assert journals(platform, made["payment_id"])["release"] is False
