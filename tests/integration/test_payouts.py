"""Payouts end to end on the local cloud: hold → Step Functions → SQS worker (in-flight slots per
provider) → the Cashfree and Safepay connectors → their stand-ins → capture or release.

The payout scenarios by account suffix (0001 ok, 0002 transient, 0003 fails, 0004 pending, 0005 on
hold), the review rule, cancel and reinitiate, a worker that dies after the provider accepted, and
the money after each: exactly one hold and one capture or release per run."""
from __future__ import annotations

import uuid

import pytest

from infra.tools.client import ApiError, standin as standin_at, wait_for
from payrail.payouts.service import Payouts
from payrail.providers.slots import Providers

FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
UPI_OK = {"type": "upi", "vpa": "success@upi", "name": "Ravi Kumar"}
UPI_BAD = {"type": "upi", "vpa": "invalid@upi", "name": "Ravi Kumar"}


def in_bank(suffix: str) -> dict:
    return {"type": "bank_account", "bank_code": "HDFC0001234", "account_number": f"5010000{suffix}", "name": "Ravi Kumar"}


def pk_bank(suffix: str) -> str:
    return f"{uuid.uuid4().int % 10**6:06d}{suffix}"  # 10 digits at HBL, scenario by the last four


def jazzcash(suffix: str) -> dict:  # a Jazz number: the stand-in's Raast directory links it to JazzCash
    return {"type": "mobile_wallet", "wallet_code": "JAZZCASH", "msisdn": f"+92300123{suffix}", "name": "Ayesha Khan"}


def settled(client, payout_id: str, timeout: float = 60) -> dict:
    return wait_for(lambda: (p := client.get_payout(payout_id))["status"] in FINAL and p, timeout, 0.5,
                    what=f"payout {payout_id} final")


def standin(cloud, name: str, path: str, body: dict | None = None) -> dict:
    return standin_at(cloud["standins"][name], path, body)


def journals(platform, p: dict) -> dict[str, bool]:
    """Which of the payout's run-1 journals exist."""
    return {phase: platform.ledger.get_journal(f"{p['payout_id']}:{phase}") is not None
            for phase in ("hold", "capture", "release")}


@pytest.fixture
def funded(admin, merchant):
    """A payouts-only merchant: 50,000.00 PKR and 50,000.00 INR of available balance from admin top-ups."""
    client, mid = merchant
    for currency in ("PKR", "INR"):
        admin.top_up(mid, 5_000_000, currency)
    return client, mid


def test_payout_scenarios_through_both_connectors(funded, platform):
    client, mid = funded
    cases = [  # (beneficiary, currency, provider, final status, attempts, reason)
        (pk_bank("0001"), "PKR", "safepay", "SUCCEEDED", 1, None),
        (pk_bank("0002"), "PKR", "safepay", "SUCCEEDED", 2, None),
        (pk_bank("0003"), "PKR", "safepay", "FAILED", 1, "Account validation failed"),
        (jazzcash("0001"), "PKR", "safepay", "SUCCEEDED", 1, None),
        (in_bank("0002"), "INR", "cashfree", "SUCCEEDED", 2, None),
        (in_bank("0003"), "INR", "cashfree", "FAILED", 1, "Account validation failed"),
        (UPI_OK, "INR", "cashfree", "SUCCEEDED", 1, None),
        (UPI_BAD, "INR", "cashfree", "FAILED", 1, "The beneficiary VPA is invalid"),
    ]
    before = {c: client.balances(c) for c in ("PKR", "INR")}
    created = [client.payout(10_000 + i, ben, currency) for i, (ben, currency, *_) in enumerate(cases)]
    assert all(p["status"] == "PENDING" for p in created)
    assert [p["provider"] for p in created] == [c[2] for c in cases]  # chosen at creation, recorded
    paid = {"PKR": 0, "INR": 0}
    for p, (_, currency, provider, status, attempts, reason) in zip(created, cases):
        done = settled(client, p["payout_id"])
        # a provider callback may capture just before the worker logs the provider's answer to it
        done = wait_for(lambda: len((d := client.get_payout(p["payout_id"]))["attempts"]) >= attempts and d, 10, 0.3,
                        what="the provider's last answer logged")
        assert (done["status"], len(done["attempts"]), done["provider"]) == (status, attempts, provider), done
        assert done["attempts"][-1]["result"] == ("SUCCESS" if status == "SUCCEEDED" else "FAILED")
        if attempts == 2:  # the first submission got a 5xx: not a failure, looked up, then sent once more
            assert done["attempts"][0]["result"] == "UNKNOWN"
        history = [h["status"] for h in done["status_history"]]
        assert history == ["PENDING", "PROCESSING", status]
        assert journals(platform, done) == {"hold": True, "capture": status == "SUCCEEDED",
                                            "release": status == "FAILED"}
        if reason:
            assert done["failure_reason"] == reason
        else:
            assert done["provider_reference"]
            paid[currency] += done["amount"]
    for c in ("PKR", "INR"):
        after = client.balances(c)
        assert after["held"] == 0 and after["available"] == before[c]["available"] - paid[c]


def test_pending_at_the_provider_is_checked_with_backoff_and_keeps_the_hold(funded, cloud):
    client, _ = funded
    p = client.payout(7_000, pk_bank("0004"))
    looked = wait_for(lambda: (x := client.get_payout(p["payout_id"]))["checks"] >= 3 and x, 40, 0.5)
    assert looked["status"] == "PROCESSING" and looked["provider_status"] == "PENDING"
    assert looked["next_check_at"] > looked["last_checked_at"]
    assert [h["status"] for h in looked["status_history"]] == ["PENDING", "PROCESSING"]  # no repeated entries
    assert len(looked["attempts"]) == 1 and client.balances("PKR")["held"] >= 7_000
    # the provider's back office settles it: the next look captures
    standin(cloud, "safepay", f"/_control/transfers/{p['provider_key']}", {"status": "SUCCESS"})
    done = settled(client, p["payout_id"])
    assert done["status"] == "SUCCEEDED" and [h["status"] for h in done["status_history"]] == [
        "PENDING", "PROCESSING", "SUCCEEDED"]


def executions(cloud, payout_id: str) -> list[str]:
    """Names of the payout state machine's executions for ``payout_id``."""
    import boto3

    sfn = boto3.client("stepfunctions")
    return [e["name"] for e in sfn.list_executions(stateMachineArn=cloud["state_machines"]["payout"],
                                                  maxResults=1000)["executions"] if e["name"].startswith(payout_id)]


def test_a_payout_paid_at_its_first_look_needs_no_execution_and_a_pending_one_is_handed_over(funded, cloud):
    """The first look (the dispatcher's message) captures itself; only a run that must be looked
    at again becomes a state machine execution (Step Functions bills every transition)."""
    client, _ = funded
    paid, pending = client.payout(1_111, pk_bank("0001")), client.payout(2_222, pk_bank("0004"))
    assert settled(client, paid["payout_id"])["status"] == "SUCCEEDED"
    assert wait_for(lambda: executions(cloud, pending["payout_id"]), 30, 0.5) == [f"{pending['payout_id']}-r1"]
    assert executions(cloud, paid["payout_id"]) == []
    standin(cloud, "safepay", f"/_control/transfers/{pending['provider_key']}", {"status": "SUCCESS"})
    done = settled(client, pending["payout_id"])  # the workflow's next look captures
    assert [h["status"] for h in done["status_history"]] == ["PENDING", "PROCESSING", "SUCCEEDED"]


def test_a_duplicate_first_look_never_sends_the_transfer_again(funded, cloud, platform):
    """The dispatcher's stream may deliver a record twice, and so two first looks: the one that
    claimed the run carries on (its own redelivery too); another ends without asking the provider."""
    client, mid = funded
    p = client.payout(3_333, pk_bank("0004"))  # stays pending at the provider
    claimed = wait_for(lambda: (x := platform.payouts.records.get(mid, p["payout_id"], raw=True)).get("first_look")
                       and len(x["attempts"]) == 1 and x, 30, 0.3, what="the first look claimed the run and sent the transfer")
    assert claimed["status"] == "PROCESSING"
    assert "first_look" not in client.get_payout(p["payout_id"])  # bookkeeping, not shown
    before = standin(cloud, "safepay", "/_stats")
    dup = platform.payouts.attempt(mid, p["payout_id"], 1, first_look="another-message-id")
    assert (dup.next, dup.reason, dup.observed) == ("END", "another look has this run", None)
    own = platform.payouts.attempt(mid, p["payout_id"], 1, first_look=claimed["first_look"])  # its redelivery
    assert own.next == "CHECK" and own.observed == "PENDING", own
    after = standin(cloud, "safepay", "/_stats")
    assert after["submissions"] == before["submissions"] and after["transfers"] == before["transfers"]
    assert platform.payouts.records.get(mid, p["payout_id"])["submissions"] == 1


def test_on_hold_keeps_the_hold_and_is_resumed_by_the_provider(funded, cloud):
    client, _ = funded
    available = client.balances("INR")["available"]
    p = client.payout(8_000, in_bank("0005"), "INR")
    held = wait_for(lambda: (x := client.get_payout(p["payout_id"]))["status"] == "ON_HOLD" and x, 30, 0.5)
    assert held["hold_reason"] == "Held for compliance review"
    assert client.balances("INR")["held"] >= 8_000
    standin(cloud, "cashfree", f"/_control/transfers/{p['provider_key']}", {"status": "SUCCESS"})
    done = settled(client, p["payout_id"])
    assert done["status"] == "SUCCEEDED"
    assert [h["status"] for h in done["status_history"]] == ["PENDING", "PROCESSING", "ON_HOLD", "SUCCEEDED"]
    assert client.balances("INR")["available"] == available - 8_000


def test_on_hold_released_by_an_admin_decision(funded, admin, platform):
    client, mid = funded
    available = client.balances("PKR")["available"]
    p = client.payout(9_000, pk_bank("0005"))
    wait_for(lambda: client.get_payout(p["payout_id"])["status"] == "ON_HOLD", 30, 0.5)
    with pytest.raises(ApiError) as e:  # the merchant cannot approve
        client.request("POST", f"/v1/admin/merchants/{mid}/payouts/{p['payout_id']}/reject")
    assert e.value.status == 403
    released = admin.decide_payout(mid, p["payout_id"], "reject", "provider confirmed it will not pay")
    assert released["status"] == "FAILED" and released["released_by"] == "admin"
    assert "provider confirmed" in released["failure_reason"]
    assert client.balances("PKR")["available"] == available and journals(platform, p)["release"]
    with pytest.raises(ApiError) as e:
        admin.decide_payout(mid, p["payout_id"], "reject")
    assert e.value.status == 409 and "FAILED" in e.value.body["error"]["message"]


def test_cancel_of_an_on_hold_payout_waits_for_the_provider_to_refuse_it(funded, cloud):
    client, _ = funded
    available = client.balances("PKR")["available"]
    p = client.payout(6_000, pk_bank("0005"))
    wait_for(lambda: client.get_payout(p["payout_id"])["status"] == "ON_HOLD", 30, 0.5)
    asked = client.cancel_payout(p["payout_id"])
    assert asked["status"] == "ON_HOLD" and asked["cancel_requested_at"]  # the provider still holds it
    assert client.balances("PKR")["available"] == available - 6_000
    standin(cloud, "safepay", f"/_control/transfers/{p['provider_key']}",
            {"status": "FAILED", "reason": "rejected on the provider's dashboard"})
    done = settled(client, p["payout_id"])
    assert done["status"] == "CANCELLED" and done["cancel_reason"] == "rejected on the provider's dashboard"
    assert client.balances("PKR")["available"] == available


def test_review_rule_comes_before_any_provider_call(funded, admin, platform):
    client, mid = funded
    admin.top_up(mid, 25_000_000)
    big = [client.payout(10_000_000, pk_bank("0001")) for _ in range(2)]  # 100,000.00 PKR: at the threshold
    assert [p["status"] for p in big] == ["IN_REVIEW", "IN_REVIEW"]
    assert client.balances("PKR")["held"] >= 20_000_000
    connector = platform.providers.get("safepay")
    assert all(connector.status(p["transfer_id"]).status == "NOT_FOUND" for p in big)  # the provider never saw them
    approved = admin.decide_payout(mid, big[0]["payout_id"], "approve", "looks fine")
    assert approved["status"] == "PENDING" and approved["review_decision"] == "approved"
    rejected = admin.decide_payout(mid, big[1]["payout_id"], "reject")
    assert rejected["status"] == "FAILED" and journals(platform, rejected)["release"]
    assert settled(client, big[0]["payout_id"])["status"] == "SUCCEEDED"
    assert connector.status(big[1]["transfer_id"]).status == "NOT_FOUND"
    with pytest.raises(ApiError) as e:
        admin.decide_payout(mid, big[0]["payout_id"], "approve")
    assert e.value.status == 409
    # configurable per merchant (major units): 50.00 PKR
    admin.payout_settings(mid, payout_review_threshold=50)
    assert client.payout(5_000, pk_bank("0001"))["status"] == "IN_REVIEW"
    assert client.payout(4_999, pk_bank("0001"))["status"] == "PENDING"


def test_cancel_before_the_provider_has_it(funded, platform, admin):
    client, mid = funded
    available = client.balances("PKR")["available"]
    admin.payout_settings(mid, payout_review_threshold=1_000)
    in_review = client.payout(100_000, pk_bank("0001"))
    assert client.cancel_payout(in_review["payout_id"])["status"] == "CANCELLED"
    # every safepay slot taken: the workers cannot reach the provider, so the payout stays PENDING
    slots, limit = platform.providers.slots, platform.providers.settings("safepay").max_in_flight
    tokens = [slots.acquire("safepay", limit, 60, wait_seconds=20) for _ in range(limit)]  # workers and callbacks free theirs
    try:
        assert all(tokens)
        pending = client.payout(3_000, pk_bank("0001"))
        cancelled = client.cancel_payout(pending["payout_id"])
        assert cancelled["status"] == "CANCELLED" and cancelled["cancel_reason"] == "cancelled by the merchant"
    finally:
        for t in tokens:
            slots.release("safepay", t)
    assert client.balances("PKR")["available"] == available and client.balances("PKR")["held"] == 0
    assert all(journals(platform, p)["release"] for p in (in_review, pending))
    done = settled(client, client.payout(2_000, pk_bank("0001"))["payout_id"])
    with pytest.raises(ApiError) as e:
        client.cancel_payout(done["payout_id"])
    assert e.value.status == 409 and "SUCCEEDED" in e.value.body["error"]["message"]


def test_reinitiate_a_failed_payout(funded, cloud, admin, platform):
    client, mid = funded
    # the provider is down: a payout it never received is released after a few looks
    standin(cloud, "safepay", "/_control", {"mode": "failing"})
    try:
        p = client.payout(5_000, pk_bank("0001"))
        failed = settled(client, p["payout_id"])
    finally:
        standin(cloud, "safepay", "/_control", {"mode": "ok"})
    assert failed["status"] == "FAILED" and "unreachable" in failed["failure_reason"] and failed["submissions"] == 0
    again = client.reinitiate_payout(p["payout_id"])
    assert again["status"] == "PENDING" and again["run"] == 2 and again["transfer_id"] == f"{p['payout_id']}_r2"
    done = settled(client, p["payout_id"])
    assert done["status"] == "SUCCEEDED" and done["run"] == 2
    assert platform.ledger.get_journal(f"{p['payout_id']}:r2:capture") is not None
    with pytest.raises(ApiError) as e:
        client.reinitiate_payout(p["payout_id"])
    assert e.value.status == 409 and "SUCCEEDED" in e.value.body["error"]["message"]
    # a refused account fails again; with the balance gone, reinitiating is 402 and holds nothing
    refused = settled(client, client.payout(4_000, pk_bank("0003"))["payout_id"])
    available = client.balances("PKR")["available"]
    drain = client.payout(available, pk_bank("0001"))
    settled(client, drain["payout_id"])
    with pytest.raises(ApiError) as e:
        client.reinitiate_payout(refused["payout_id"])
    assert e.value.status == 402 and e.value.code == "insufficient_balance"
    assert client.get_payout(refused["payout_id"])["run"] == 1 and client.balances("PKR")["held"] == 0


class WorkerDied(BaseException):
    """The worker's process ends here (not an Exception: nothing in the worker catches it)."""


def test_a_worker_that_dies_after_the_provider_accepted_pays_once(funded, cloud, platform):
    client, mid = funded
    available = client.balances("PKR")["available"]
    before = standin(cloud, "safepay", "/_stats")
    slots, limit = platform.providers.slots, platform.providers.settings("safepay").max_in_flight
    tokens = [slots.acquire("safepay", limit, 60, wait_seconds=20) for _ in range(limit)]  # workers and callbacks free theirs  # the platform's workers must wait
    real = platform.providers.get("safepay")

    class DiesAfterSubmit:
        capabilities, transfer_key, status = real.capabilities, real.transfer_key, real.status

        def submit(self, req):
            real.submit(req)  # the provider accepts the transfer ...
            raise WorkerDied  # ... and the worker is gone before recording anything

    try:
        assert all(tokens)
        p = client.payout(4_321, pk_bank("0001"))
        unbounded = Payouts(platform.ledger, platform.main, platform.events, Providers(platform.settings.connector_env),
                            platform.beneficiaries, platform.payouts.policy)
        with pytest.raises(WorkerDied):
            unbounded.attempt(mid, p["payout_id"], 1, connector=DiesAfterSubmit())
        crashed = client.get_payout(p["payout_id"])
        assert crashed["status"] == "PROCESSING" and crashed["attempts"] == [] and crashed["submissions"] == 1
        assert not journals(platform, p)["capture"] and client.balances("PKR")["held"] >= 4_321
    finally:
        for t in tokens:
            slots.release("safepay", t)
    done = settled(client, p["payout_id"])  # the next look finds the transfer paid: capture, no second transfer
    after = standin(cloud, "safepay", "/_stats")
    assert done["status"] == "SUCCEEDED" and len(done["attempts"]) == 0 and done["submissions"] == 1
    assert (after["submissions"] - before["submissions"], after["transfers"] - before["transfers"]) == (1, 1)
    assert journals(platform, p) == {"hold": True, "capture": True, "release": False}
    assert client.balances("PKR")["available"] == available - 4_321


def test_in_flight_transfers_per_provider_are_bounded(funded, cloud):
    """TEST_SETTINGS sets CONNECTOR_SAFEPAY_MAX_IN_FLIGHT=3 (as `make up --set` does)."""
    client, _ = funded
    standin(cloud, "safepay", "/_control", {"mode": "slow", "delay_seconds": 1.5, "reset_in_flight_max": True})
    try:
        ps = [client.payout(1_000 + i, pk_bank("0001")) for i in range(6)]
        done = [settled(client, p["payout_id"], timeout=90) for p in ps]
    finally:
        standin(cloud, "safepay", "/_control", {"mode": "ok"})
    stats = standin(cloud, "safepay", "/_stats")
    assert [p["status"] for p in done] == ["SUCCEEDED"] * 6
    # LocalStack's SQS mapping runs one batch at a time, so there the bound is never reached
    assert (1 if cloud.get("target") == "localstack" else 2) <= stats["in_flight_max"] <= 3, stats


def test_connector_credentials_come_from_their_secret_never_the_environment(cloud, platform):
    from infra.local.standins import STANDINS
    from payrail.providers import registry

    env = cloud["function_env"]
    for name in registry.REGISTRY:
        creds = {var for var, field in registry.env_names(name).items() if field in registry.secret_fields(name)}
        assert registry.secret_env_name(name) in env and not creds & set(env), name
        settings = platform.providers.settings(name)  # read from moto's Secrets Manager
        for field, value in STANDINS[name].credentials.items():
            got = getattr(settings, field)
            assert (got.get_secret_value() if hasattr(got, "get_secret_value") else got) == value
        assert STANDINS[name].credentials[registry.secret_fields(name)[-1]] not in repr(settings)


def test_a_settling_move_that_lost_its_race_for_the_hold_finds_the_payout_moved_on(funded, platform, monkeypatch):
    """A release reads a payout at the provider, and a racing capture (a callback, or the
    workflow's look) settles it before the release posts: the merchant's held balance no longer
    covers the release, which the ledger refuses for lack of funds. The release then finds the
    payout SUCCEEDED and changes nothing, where it used to raise (a 500 to its caller)."""
    client, mid = funded
    p = client.payout(7_000, pk_bank("0004"))  # PENDING at the provider: it stays PROCESSING
    wait_for(lambda: client.get_payout(p["payout_id"])["status"] == "PROCESSING", 30, 0.3, what="at the provider")
    svc, raced = platform.payouts, []
    real = svc.ledger.post

    def post(journal, **kw):
        if journal.journal_id.endswith(":release") and not raced:
            raced.append(svc.capture(mid, p["payout_id"], 1, "race-ref").status)
        return real(journal, **kw)
    monkeypatch.setattr(svc.ledger, "post", post)
    assert client.balances("PKR")["held"] == 7_000
    done = svc.release(mid, p["payout_id"], 1, "the provider said it failed")
    assert raced == ["SUCCEEDED"] and done.status == "SUCCEEDED"
    assert journals(platform, p) == {"hold": True, "capture": True, "release": False}


def test_a_created_payout_is_answered_as_written_and_a_repeat_of_its_key_as_a_replay(funded, admin, platform):
    """``create`` answers the payout it wrote (what a read finds; IN_REVIEW, so nothing moves it
    meanwhile) without reading it back; the same key again is a replay (``created`` False)."""
    client, mid = funded
    admin.payout_settings(mid, payout_review_threshold=50)
    merchant, key = platform.merchants.get(mid, fresh=True), f"as-written-{uuid.uuid4()}"
    ben = in_bank("0001")
    reads: list[str] = []

    def count(event_name, **_):
        reads.append(event_name.rsplit(".", 1)[-1])
    db = platform.main.db
    db.meta.events.register("before-parameter-build.dynamodb.GetItem", count, unique_id="test-as-written")
    try:
        payout, created = platform.payouts.create(merchant, 6_000, "INR", key, beneficiary=ben)
    finally:
        db.meta.events.unregister("before-parameter-build.dynamodb.GetItem", unique_id="test-as-written")
    again, created_again = platform.payouts.create(merchant, 6_000, "INR", key, beneficiary=ben)
    stored = platform.payouts.get(mid, payout.payout_id)
    assert created and not created_again and payout.status == "IN_REVIEW"
    assert reads.count("GetItem") == 1, reads  # the key's earlier payout, looked for before the write
    for dump in ({"mode": "json"}, {"mode": "json", "exclude_none": True}, {"mode": "json", "exclude_unset": True}):
        assert payout.model_dump(**dump) == stored.model_dump(**dump) == again.model_dump(**dump)
