"""Payout and reservation events through the outbox, and provider callbacks.

Every payout scenario produces its ``payout.*`` events in order per object, signed, delivered to
the local receiver and verified here independently with ``standardwebhooks``; a provider callback
is authenticated by the provider's scheme (forged, unsigned and stale ones: 401, nothing changes),
confirmed with the provider's status API before anything moves, and settles a payout once however
often it arrives and however it races the workflow."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from standardwebhooks import Webhook

from infra.tools.client import standin as standin_at, wait_for
from infra.local.standins import STANDINS
from tests.integration.test_payouts import in_bank, pk_bank, settled
from tests.integration.test_webhooks import receiver, subscribe  # noqa: F401 - receiver: a fixture
from tests.conftest import quiet_audit

CASHFREE_SECRET = STANDINS["cashfree"].credentials["client_secret"]


def status_of(event_type: str) -> str:
    """The status a payout event announces (``payout.created`` and ``payout.pending``: PENDING)."""
    kind = event_type.split(".", 1)[1]
    return "PENDING" if kind in ("created", "pending") else kind.upper()


@pytest.fixture
def funded(admin, merchant):
    client, mid = merchant
    for currency in ("PKR", "INR"):
        admin.top_up(mid, 50_000_000, currency)
    return client, mid


def cashfree_callback(transfer: dict, *, secret: str = CASHFREE_SECRET, sent_at: float | None = None,
                      signed: bool = True) -> tuple[dict, bytes]:
    """A Cashfree Payouts V2 webhook for ``transfer`` (the provider's view of it), signed as Cashfree
    signs: base64 HMAC-SHA256 of ``x-webhook-timestamp`` + raw body."""
    body = json.dumps({"type": f"TRANSFER_{transfer['status']}", "event_time": "2026-11-22T10:00:00Z",
                       "data": transfer}).encode()
    ts = str(int((sent_at or time.time()) * 1000))
    headers = {"content-type": "application/json", "x-webhook-timestamp": ts, "x-webhook-version": "2024-01-01"}
    if signed:
        headers["x-webhook-signature"] = base64.b64encode(
            hmac.new(secret.encode(), ts.encode() + body, hashlib.sha256).digest()).decode()
    return headers, body


def provider_view(cloud, transfer_id: str) -> dict:
    """The transfer as Cashfree's Get Transfer Status V2 answers it (from the stand-in)."""
    c = STANDINS["cashfree"].credentials
    r = requests.get(f"{cloud['standins']['cashfree']}/payout/transfers", params={"transfer_id": transfer_id},
                     headers={"x-client-id": c["client_id"], "x-client-secret": c["client_secret"],
                              "x-api-version": "2024-01-01"}, timeout=5)
    r.raise_for_status()
    return r.json()


def post_callback(cloud, connector: str, headers: dict, body: bytes) -> requests.Response:
    return requests.post(f"{cloud['api_url']}/v1/callbacks/{connector}", data=body, headers=headers, timeout=30)


def at_provider(client, payout_id: str) -> dict:
    """The payout once its provider has the transfer and reports it PENDING."""
    return wait_for(lambda: (p := client.get_payout(payout_id)).get("provider_status") == "PENDING" and p, 60, 0.3,
                    what=f"payout {payout_id} pending at its provider")


def payout_events(client, payout_id: str) -> list[dict]:
    return sorted((e for e in client.all_events() if e["object_id"] == payout_id), key=lambda e: e["sequence"])


def test_every_payout_scenario_produces_its_events_in_order_signed_and_verified(admin, funded, receiver, cloud):
    client, mid = funded
    ep = subscribe(client, receiver, ["payout.*", "reservation.*"])
    ok = client.payout(1_000, pk_bank("0001"))
    fails = client.payout(1_000, {**in_bank("0003")}, "INR")
    held = client.payout(1_000, pk_bank("0005"))
    review = client.payout(20_000_000, pk_bank("0001"))
    cancelled = client.payout(20_000_000, pk_bank("0001"))
    client.cancel_payout(cancelled["payout_id"])
    admin.request("POST", f"/v1/admin/merchants/{mid}/payouts/{review['payout_id']}/approve", {}, admin=True)
    wait_for(lambda: client.get_payout(held["payout_id"])["status"] == "ON_HOLD", 60, what="on hold")
    standin_at(cloud["standins"]["safepay"], f"/_control/transfers/{client.get_payout(held['payout_id'])['provider_key']}",
               {"status": "SUCCESS"})
    finals = {p["payout_id"]: settled(client, p["payout_id"], timeout=90) for p in (ok, fails, held, review, cancelled)}
    reinit = client.reinitiate_payout(fails["payout_id"])
    assert reinit["status"] == "PENDING" and reinit["run"] == 2
    finals[fails["payout_id"]] = settled(client, fails["payout_id"], timeout=90)
    assert [finals[p["payout_id"]]["status"] for p in (ok, fails, held, review, cancelled)] == \
        ["SUCCEEDED", "FAILED", "SUCCEEDED", "SUCCEEDED", "CANCELLED"]

    expected = {  # each payout's statuses, in order: one event per status_history entry
        ok["payout_id"]: ["PENDING", "PROCESSING", "SUCCEEDED"],
        fails["payout_id"]: ["PENDING", "PROCESSING", "FAILED", "PENDING", "PROCESSING", "FAILED"],
        held["payout_id"]: ["PENDING", "PROCESSING", "ON_HOLD", "SUCCEEDED"],
        review["payout_id"]: ["IN_REVIEW", "PENDING", "PROCESSING", "SUCCEEDED"],
        cancelled["payout_id"]: ["IN_REVIEW", "CANCELLED"],
    }
    all_ids = set()
    for pid, statuses in expected.items():
        p = finals[pid]
        assert [h["status"] for h in p["status_history"]] == statuses
        events = wait_for(lambda: (e := payout_events(client, pid)) and len(e) == len(statuses) and e, 30,
                          what=f"events of {pid}")
        assert [e["sequence"] for e in events] == list(range(1, len(statuses) + 1))
        assert [status_of(e["type"]) for e in events] == statuses
        assert events[0]["type"] == ("payout.in_review" if statuses[0] == "IN_REVIEW" else "payout.created")
        for e in events:  # the payout as that change left it
            assert e["data"]["object"]["status_history"] == p["status_history"][:e["sequence"]]
            assert e["data"]["object"]["status"] == statuses[e["sequence"] - 1]
        all_ids |= {e["event_id"] for e in events}
    assert payout_events(client, fails["payout_id"])[3]["type"] == "payout.pending"  # the reinitiation

    got = receiver.wait_delivered(all_ids, timeout=90)
    seen = defaultdict(list)
    for d in got:  # verified here with the merchant's secret, independently of the receiver
        body = Webhook(ep["secret"]).verify(d["raw"], d["headers"])
        assert d["verified"] and body["event_id"] == d["webhook_id"]
        seen[body["object_id"]].append(body["sequence"])
    for pid, statuses in expected.items():
        assert sorted(set(seen[pid])) == list(range(1, len(statuses) + 1))


def test_reservation_events_follow_its_lifecycle(admin, funded):
    client, mid = funded
    r = client.request("POST", "/v1/reservations", {"amount": 700, "currency": "INR",
                                                     "beneficiary": {"type": "upi", "vpa": "success@upi", "name": "Ravi"}},
                       idempotency_key=str(uuid.uuid4()))
    client.request("POST", f"/v1/reservations/{r['reservation_id']}/fulfil")
    done = wait_for(lambda: (x := client.request("GET", f"/v1/reservations/{r['reservation_id']}"))["status"] == "FULFILLED"
                    and x, 60, what="reservation fulfilled")
    released = client.request("POST", "/v1/reservations", {"amount": 300, "currency": "INR",
                                                            "beneficiary": {"type": "upi", "vpa": "success@upi", "name": "Ravi"}},
                              idempotency_key=str(uuid.uuid4()))
    client.request("POST", f"/v1/reservations/{released['reservation_id']}/release")
    for res, types in ((done, ["reservation.created", "reservation.fulfilling", "reservation.fulfilled"]),
                       (released, ["reservation.created", "reservation.released"])):
        events = payout_events(client, res["reservation_id"])
        assert [e["type"] for e in events] == types and [e["sequence"] for e in events] == list(range(1, len(types) + 1))
    payout = client.get_payout(done["payout_id"])
    assert [status_of(e["type"]) for e in payout_events(client, payout["payout_id"])] == \
        [h["status"] for h in payout["status_history"]]


def test_forged_unsigned_and_stale_callbacks_are_refused_and_change_nothing(funded, cloud, platform):
    client, mid = funded
    p = at_provider(client, client.payout(2_500, in_bank("0004"), "INR")["payout_id"])  # stays PENDING there
    view = provider_view(cloud, p["transfer_id"]) | {"status": "SUCCESS"}
    events_before = len(payout_events(client, p["payout_id"]))
    for headers, body in (cashfree_callback(view, secret="not-the-secret"),  # forged
                          cashfree_callback(view, signed=False),  # unsigned
                          cashfree_callback(view, sent_at=time.time() - 301)):  # stale (replayed later)
        r = post_callback(cloud, "cashfree", headers, body)
        assert r.status_code == 401 and r.json()["error"]["code"] == "callback_rejected", r.text
    h, b = cashfree_callback(view)
    tampered = b.replace(b'"SUCCESS"', b'"FAILED"')
    assert post_callback(cloud, "cashfree", h, tampered).status_code == 401  # body changed after signing
    assert post_callback(cloud, "nosuchprovider", h, b).status_code == 404
    # correctly signed but not what the provider says: asked, and nothing moves
    r = post_callback(cloud, "cashfree", h, b)
    assert r.status_code == 200 and r.json()["outcome"] == "no_change" and r.json()["status"] == "PROCESSING"
    after = client.get_payout(p["payout_id"])
    assert after["status"] == "PROCESSING" and len(payout_events(client, p["payout_id"])) == events_before
    assert platform.ledger.get_journal(f"{p['payout_id']}:capture") is None
    assert platform.ledger.get_journal(f"{p['payout_id']}:release") is None


def test_a_callback_settles_a_payout_once_however_often_it_comes_and_however_it_races(funded, cloud, platform):
    client, mid = funded
    held_before = client.balances("INR")["held"]
    p = at_provider(client, client.payout(3_300, in_bank("0004"), "INR")["payout_id"])
    # the provider pays; its own callback (from the stand-in) races ten copies of ours and the
    # workflow's next look
    standin_at(cloud["standins"]["cashfree"], f"/_control/transfers/{p['provider_key']}", {"status": "SUCCESS"})
    headers, body = cashfree_callback(provider_view(cloud, p["transfer_id"]))
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: post_callback(cloud, "cashfree", headers, body), range(10)))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    # captured by one of them (or already by the stand-in's own callback): none captures twice
    assert {a.json()["outcome"] for a in answers} <= {"captured", "no_change"}
    assert {a.json()["status"] for a in answers} == {"SUCCEEDED"}
    assert wait_for(lambda: standin_at(cloud["standins"]["cashfree"], "/_stats")["callbacks_sent"] >= 1, 10)
    time.sleep(2)  # let the workflow's own look and the stand-in's callback land too
    final = client.get_payout(p["payout_id"])
    assert final["status"] == "SUCCEEDED"
    assert [h["status"] for h in final["status_history"]] == ["PENDING", "PROCESSING", "SUCCEEDED"]
    events = payout_events(client, p["payout_id"])
    assert [e["type"] for e in events] == ["payout.created", "payout.processing", "payout.succeeded"]
    assert platform.ledger.get_journal(f"{p['payout_id']}:capture") is not None
    assert platform.ledger.get_journal(f"{p['payout_id']}:release") is None
    assert client.balances("INR")["held"] == held_before  # one hold, captured once
    assert quiet_audit(platform.ledger)["ok"]


def test_a_callback_that_settles_a_payout_while_the_worker_waits_on_the_provider_ends_the_workflow(funded, cloud,
                                                                                                    platform):
    """The provider pays and calls back while its answer to the submission never arrives: the
    callback captures; the worker, back from its lost answer, finds the payout settled and ends
    (before, its bookkeeping write failed on the moved payout and the message was retried)."""
    client, mid = funded
    log = Path(cloud["data_dir"]) / "logs" / "payrail.log"
    crashes = lambda: log.read_text().count("payrail.core.errors.Conflict: the payout changed meanwhile")  # noqa: E731
    crashed_before = crashes()
    before = standin_at(cloud["standins"]["cashfree"], "/_stats")
    standin_at(cloud["standins"]["cashfree"], "/_control", {"mode": "timeout", "delay_seconds": 4, "methods": ["POST"]})
    try:
        p = client.payout(1_234, in_bank("0001"), "INR")
        done = settled(client, p["payout_id"], timeout=60)
    finally:
        standin_at(cloud["standins"]["cashfree"], "/_control", {"mode": "ok", "methods": []})
    assert done["status"] == "SUCCEEDED" and done["submissions"] == 1
    time.sleep(6)  # the worker's hung submission returns and its look ends
    after = standin_at(cloud["standins"]["cashfree"], "/_stats")
    assert after["transfers"] - before["transfers"] == 1 and after["callbacks_sent"] > before["callbacks_sent"]
    final = client.get_payout(p["payout_id"])
    assert [h["status"] for h in final["status_history"]] == ["PENDING", "PROCESSING", "SUCCEEDED"]
    assert [e["type"] for e in payout_events(client, p["payout_id"])] == \
        ["payout.created", "payout.processing", "payout.succeeded"]
    assert platform.ledger.get_journal(f"{p['payout_id']}:capture") is not None
    assert platform.ledger.get_journal(f"{p['payout_id']}:release") is None
    assert crashes() == crashed_before  # the worker ended its look instead of failing the message
