"""Reservations and seller payouts on the local cloud: reserve, fulfil by UPI through
Cashfree (one transfer per reservation, audit id order-<id>), refused and unknown outcomes,
release, expiry by the schedule, and bounded concurrency with duplicates against a slow provider."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from infra.tools.client import ApiError, wait_for
from tests.integration.test_payouts import UPI_BAD, UPI_OK, standin

FINAL = ("FULFILLED", "RELEASED", "EXPIRED")


def reserve(client, amount: int, beneficiary: dict = UPI_OK, **fields) -> dict:
    return client.reserve(amount, beneficiary, **fields)


def fulfil(client, reservation_id: str, body: dict | None = None) -> tuple[int, dict]:
    return client.fulfil(reservation_id, **(body or {}))


def get(client, reservation_id: str) -> dict:
    return client.reservation(reservation_id)


def settled(client, reservation_id: str, status: str = "FULFILLED") -> dict:
    return wait_for(lambda: (r := get(client, reservation_id))["status"] == status and r, 90, 0.5,
                    what=f"reservation {reservation_id} {status}")


@pytest.fixture
def seller(admin, merchant):
    client, mid = merchant
    admin.top_up(mid, 1_000_000, "INR")
    return client, mid


def test_fulfil_pays_the_reservation_by_upi_once(seller, platform):
    client, _ = seller
    r = reserve(client, 15_000, order_reference="order-42")
    assert r["status"] == "RESERVED" and r["audit_id"] == f"order-{r['reservation_id']}" and r["provider"] == "cashfree"
    assert client.balances("INR")["reserved"] == 15_000
    status, body = fulfil(client, r["reservation_id"], {"amount": 15_000})
    assert status == 200, body
    assert body["audit_id"] == f"order-{r['reservation_id']}" and body["fulfilled_amount"] == 15_000
    assert body["provider"]["status"] == "SUCCESS" and body["provider"]["reference_id"] and body["status"] == "FULFILLED"
    again = fulfil(client, r["reservation_id"])  # a duplicate later: the same answer, no second transfer
    assert again == (200, body)
    bal = client.balances("INR")
    assert (bal["available"], bal["reserved"], bal["held"]) == (1_000_000 - 15_000, 0, 0)
    payout = client.get_payout(body["payout_id"])
    assert payout["reservation_id"] == r["reservation_id"] and payout["transfer_id"] == body["payout_id"]
    capture = platform.ledger.get_journal(f"{body['payout_id']}:capture")
    assert capture["metadata"]["audit_id"] == body["audit_id"]
    assert get(client, r["reservation_id"])["status"] == "FULFILLED"


def test_fulfil_checks_the_amount_and_pays_nothing_when_it_differs(seller):
    client, _ = seller
    r = reserve(client, 5_000)
    status, body = fulfil(client, r["reservation_id"], {"amount": 4_999})
    assert status == 400 and body["error"]["param"] == "amount"
    assert "4999" in body["error"]["message"] and "5000" in body["error"]["message"]
    after = get(client, r["reservation_id"])
    assert after["status"] == "RESERVED" and after["fulfilments"] == 0 and client.balances("INR")["held"] == 0


def test_a_refused_transfer_answers_502_and_leaves_the_reservation_fulfillable(seller):
    client, _ = seller
    r = reserve(client, 7_000, UPI_BAD)
    status, body = fulfil(client, r["reservation_id"])
    assert status == 502 and body["error"]["code"] == "provider_failed"
    assert body["error"]["provider"]["status"] == "FAILED" and "VPA is invalid" in body["error"]["provider"]["reason"]
    back = get(client, r["reservation_id"])
    assert back["status"] == "RESERVED" and back["fulfilments"] == 1
    bal = client.balances("INR")
    assert (bal["reserved"], bal["held"]) == (7_000, 0)
    status, _ = fulfil(client, r["reservation_id"])  # a new attempt is a new transfer
    latest = get(client, r["reservation_id"])
    assert status == 502 and latest["fulfilments"] == 2 and latest["payout_id"] != back["payout_id"]
    assert client.get_payout(latest["payout_id"])["status"] == "FAILED"


def test_an_unknown_outcome_is_pending_reconciliation_never_a_failure(seller, cloud):
    client, _ = seller
    before = standin(cloud, "cashfree", "/_stats")
    r = reserve(client, 9_000)
    # no callback either: the provider's answer is lost and only the workflow's looks find out
    standin(cloud, "cashfree", "/_control", {"mode": "timeout", "delay_seconds": 4, "methods": ["POST"],
                                            "callback_url": None})
    answer: dict = {}
    t = threading.Thread(target=lambda: answer.update(zip(("status", "body"), fulfil(client, r["reservation_id"]))))
    t.start()
    try:
        # the submission's answer is lost (the provider did it); keep the provider unreachable for the next looks
        payout_id = wait_for(lambda: get(client, r["reservation_id"]).get("payout_id"), 20, 0.2)
        wait_for(lambda: [a["result"] for a in client.get_payout(payout_id)["attempts"]] == ["UNKNOWN"], 20, 0.2)
        standin(cloud, "cashfree", "/_control", {"mode": "failing", "methods": []})
        t.join(30)
        assert answer["status"] == 504 and answer["body"]["error"]["code"] == "provider_timeout", answer
        pending = get(client, r["reservation_id"])
        assert pending["status"] == "FULFILLING" and client.balances("INR")["held"] >= 9_000
    finally:
        standin(cloud, "cashfree", "/_control", {"mode": "ok", "methods": [],
                                                "callback_url": f"{cloud['api_url']}/v1/callbacks/cashfree"})
    done = settled(client, r["reservation_id"])  # reconciled with the provider: it had paid
    status, body = fulfil(client, r["reservation_id"])
    assert status == 200 and body["payout_id"] == payout_id and done["fulfilments"] == 1
    after = standin(cloud, "cashfree", "/_stats")
    assert (after["transfers"] - before["transfers"], after["submissions"] - before["submissions"]) == (1, 1)


def test_release_and_expiry_return_the_money(seller, cloud):
    from infra.local.runtime import fire_rule, scheduled_rules

    client, mid = seller
    start = client.balances("INR")["available"]
    released = reserve(client, 3_000)
    assert client.request("POST", f"/v1/reservations/{released['reservation_id']}/release")["status"] == "RELEASED"
    with pytest.raises(ApiError) as e:
        client.request("POST", f"/v1/reservations/{released['reservation_id']}/release")
    assert e.value.status == 409 and "RELEASED" in e.value.body["error"]["message"]
    status, body = fulfil(client, released["reservation_id"])
    assert status == 409 and body["error"]["code"] == "reservation_released"
    short = reserve(client, 2_000, expires_in_seconds=1)
    swept = reserve(client, 1_000, expires_in_seconds=1)
    wait_for(lambda: datetime.now(timezone.utc).isoformat() > swept["expires_at"].replace("Z", "+00:00"), 5, 0.2)
    status, body = fulfil(client, short["reservation_id"])  # past its expiry: expired on the spot
    assert status == 409 and body["error"]["code"] == "reservation_expired"
    rule = next(r for r in scheduled_rules() if r["name"].endswith("reservation-expiry"))
    fire_rule(rule, datetime.now(timezone.utc), cloud["region"])  # as EventBridge does every minute
    assert get(client, swept["reservation_id"])["status"] == "EXPIRED"
    bal = client.balances("INR")
    assert (bal["available"], bal["reserved"]) == (start, 0)
    assert [h["status"] for h in get(client, short["reservation_id"])["status_history"]] == ["RESERVED", "EXPIRED"]
    listed = client.request("GET", "/v1/reservations", params={"status": "EXPIRED"})["data"]
    assert {x["reservation_id"] for x in listed} == {short["reservation_id"], swept["reservation_id"]}


def test_six_reservations_and_five_duplicates_against_a_slow_provider(seller, cloud):
    """A keyed mutex and semaphore: at most 4 transfers in flight at Cashfree (its default
    bound), duplicates never pay twice nor block the others, every reservation completes."""
    client, _ = seller
    rs = [reserve(client, 1_000 + i) for i in range(6)]
    before = standin(cloud, "cashfree", "/_stats")
    standin(cloud, "cashfree", "/_control", {"mode": "slow", "delay_seconds": 1.5, "reset_in_flight_max": True})
    try:
        calls = [r["reservation_id"] for r in rs] + [rs[0]["reservation_id"]] * 5
        with ThreadPoolExecutor(len(calls)) as pool:
            answers = list(pool.map(lambda rid: fulfil(client, rid), calls))
        done = [settled(client, r["reservation_id"]) for r in rs]
    finally:
        standin(cloud, "cashfree", "/_control", {"mode": "ok"})
    after = standin(cloud, "cashfree", "/_stats")
    assert {status for status, _ in answers} <= {200, 202}, answers
    first = [body for rid, (_, body) in zip(calls, answers) if rid == rs[0]["reservation_id"]]
    assert len({b["payout_id"] for b in first}) == 1  # the duplicates waited on the one payout
    assert [r["fulfilments"] for r in done] == [1] * 6
    assert (after["transfers"] - before["transfers"], after["submissions"] - before["submissions"]) == (6, 6)
    assert after["in_flight_max"] <= 4, after
    assert client.balances("INR")["reserved"] == 0
