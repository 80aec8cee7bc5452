"""Reconciliation on the local cloud: payouts through the Cashfree stand-in, a run over today
(queued by the API, executed by the reconciliation function) finds the day's paid transfers
matched, and each break made at the stand-in exactly once in its class; resolutions post one
journal each, idempotently, and the ledger audit stays exact."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timezone

import pytest
import requests

from infra.tools.client import ApiError, standin as standin_at, wait_for
from tests.conftest import quiet_audit

FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
UPI_OK = {"type": "upi", "vpa": "success@upi", "name": "Ravi Kumar"}


def in_bank(suffix: str) -> dict:
    return {"type": "bank_account", "bank_code": "HDFC0001234", "account_number": f"5010000{suffix}", "name": "Ravi Kumar"}


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def reconcile(admin, provider: str = "cashfree", cloud: dict | None = None, again: bool = False) -> dict:
    """A run of ``provider``'s today through the API, from the source its connector declares
    (:func:`infra.tools.demo_reconciliation.start_run`), polled to its end."""
    from infra.tools.demo_reconciliation import start_run
    from payrail.providers import registry

    run = start_run(admin, cloud, provider, today(), again)
    assert run["status"] in ("QUEUED", "RUNNING", "COMPLETED") and run["source"] == registry.entry(provider).statement
    return wait_for(lambda: (r := admin.reconciliation_get(run["run_id"]))["status"] in ("COMPLETED", "FAILED") and r,
                    120, 0.5, what="reconciliation run ended")


def report(run: dict) -> list[dict]:
    r = requests.get(run["download_url"], timeout=30)
    assert r.status_code == 200
    return list(csv.DictReader(io.StringIO(r.text)))


def exceptions_of(admin, transfer_ids: set[str], **params) -> list[dict]:
    out, after = [], None
    while True:
        page = admin.reconciliation_exceptions(provider="cashfree", limit=100, **params,
                                               **({"starting_after": after} if after else {}))
        out += [e for e in page["data"] if e["transfer_id"] in transfer_ids]
        if not page["has_more"]:
            return out
        after = page["data"][-1]["exception_id"]


@pytest.fixture
def day(admin, merchant, cloud, platform):
    """A merchant's day at Cashfree: three paid payouts, one payrail captured that the provider then
    failed (missing_at_provider), one payrail released that the provider then paid
    (paid_after_release). ``(client, merchant_id, {name: payout})``."""
    client, mid = merchant
    admin.top_up(mid, 5_000_000, "INR")
    paid = [client.payout(10_000 + i, UPI_OK, currency="INR") for i in range(3)]
    pending = client.payout(20_000, in_bank("0004"), currency="INR")
    held = client.payout(30_000, in_bank("0005"), currency="INR")
    for p in paid:
        wait_for(lambda: client.get_payout(p["payout_id"])["status"] == "SUCCEEDED", 60, 0.3, what="paid")
    wait_for(lambda: client.get_payout(pending["payout_id"])["status"] == "PROCESSING", 60, 0.3, what="pending")
    wait_for(lambda: client.get_payout(held["payout_id"])["status"] == "ON_HOLD", 60, 0.3, what="on hold")
    # payrail captures a transfer the provider still holds (a wrong answer taken for paid) ...
    p = client.get_payout(pending["payout_id"])
    assert platform.payouts.capture(mid, p["payout_id"], p["run"])["status"] == "SUCCEEDED"
    # ... which the provider then fails: money claimed but never sent
    standin_at(cloud["standins"]["cashfree"], f"/_control/transfers/{p['provider_key']}", {"status": "FAILED"})
    # the admin releases the payout on hold; the provider pays it anyway: money left twice
    admin.decide_payout(mid, held["payout_id"], "reject", "the beneficiary's bank confirmed it will not pay")
    h = wait_for(lambda: (x := client.get_payout(held["payout_id"]))["status"] == "FAILED" and x, 30, 0.3,
                 what="released")
    standin_at(cloud["standins"]["cashfree"], f"/_control/transfers/{h['provider_key']}", {"status": "SUCCESS"})
    return client, mid, {"paid": [client.get_payout(x["payout_id"]) for x in paid], "missing": p, "released": h}


def test_a_day_reconciled_finds_each_break_once_in_its_class(admin, day, platform, cloud):
    client, mid, made = day
    ids = {p["transfer_id"] for p in made["paid"]} | {made["missing"]["transfer_id"], made["released"]["transfer_id"]}
    run = reconcile(admin, cloud=cloud)
    assert run["status"] == "COMPLETED", run.get("failure_reason")
    assert run["progress"] == 1 and run["download_url"]
    rows = {r["transfer_id"]: r for r in report(run) if r["transfer_id"] in ids}
    assert {t: r["class"] for t, r in rows.items()} == {
        **{p["transfer_id"]: "matched" for p in made["paid"]},
        made["missing"]["transfer_id"]: "missing_at_provider", made["released"]["transfer_id"]: "paid_after_release"}
    assert sum(run["counts"].values()) == run["rows"] and run["counts"]["float_drift"] == 0
    found = exceptions_of(admin, ids, status="open")
    assert sorted((e["class"], e["transfer_id"]) for e in found) == sorted([
        ("missing_at_provider", made["missing"]["transfer_id"]),
        ("paid_after_release", made["released"]["transfer_id"])])
    for e in found:
        assert e["merchant_id"] == mid and e["run_id"] == run["run_id"] and e["evidence"]["journal_ids"]
        assert e["evidence"]["provider"][0]["status"] == ("FAILED" if e["class"] == "missing_at_provider" else "SUCCESS")
    # the merchant hears of its breaks by event
    types = [ev["type"] for ev in client.events(limit=100)["data"]]
    assert types.count("reconciliation.exception") == 2
    # a second run over the same day finds the same exceptions, recorded once
    again = reconcile(admin, cloud=cloud, again=True)
    assert again["status"] == "COMPLETED" and again["run_id"] != run["run_id"]
    assert len(exceptions_of(admin, ids)) == 2
    listed = admin.reconciliations(provider="cashfree", limit=100)["data"]
    assert {run["run_id"], again["run_id"]} <= {r["run_id"] for r in listed}


def test_resolutions_post_one_journal_each_and_keep_the_audit_exact(admin, day, platform, cloud):
    client, mid, made = day
    ids = {made["missing"]["transfer_id"], made["released"]["transfer_id"]}
    assert reconcile(admin, cloud=cloud)["status"] == "COMPLETED"
    found = {e["class"]: e for e in exceptions_of(admin, ids, status="open")}
    before = client.balances("INR")["available"]
    missing = found["missing_at_provider"]
    with pytest.raises(ApiError) as err:  # a resolution the class does not take
        admin.resolve_exception(missing["exception_id"], "write_off", "not this one")
    assert err.value.status == 400
    resolved = admin.resolve_exception(missing["exception_id"], "reverse_capture", "the provider failed it")
    assert resolved["status"] == "RESOLVED" and resolved["journal_id"] == f"recon:{missing['exception_id']}"
    # the capture reversed: the money is the merchant's again
    assert client.balances("INR")["available"] == before + made["missing"]["amount"]
    again = admin.resolve_exception(missing["exception_id"], "reverse_capture", "the provider failed it")
    assert again["status_history"] == resolved["status_history"]
    assert client.balances("INR")["available"] == before + made["missing"]["amount"]
    with pytest.raises(ApiError) as err:
        admin.resolve_exception(missing["exception_id"], "acknowledge", "changed my mind")
    assert err.value.status == 409
    paid_twice = found["paid_after_release"]
    w = admin.resolve_exception(paid_twice["exception_id"], "write_off", "below the recovery threshold")
    journal = platform.ledger.get_journal(w["journal_id"])
    assert sorted(p["amount"] for p in journal["postings"]) == [-made["released"]["amount"], made["released"]["amount"]]
    assert client.balances("INR")["available"] == before + made["missing"]["amount"]  # the platform bears it
    assert {e["exception_id"] for e in exceptions_of(admin, ids, status="resolved")} == {
        missing["exception_id"], paid_twice["exception_id"]}
    assert not exceptions_of(admin, ids, status="open")
    report_ = quiet_audit(platform.ledger)
    assert report_["ok"], report_


def test_a_run_is_refused_for_an_unknown_provider_and_a_finished_run_cannot_be_cancelled(admin, cloud):
    with pytest.raises(ApiError) as err:
        admin.reconciliation("nobank", today(), today())
    assert err.value.status == 400 and err.value.body["error"]["param"] == "provider"
    run = reconcile(admin, "safepay", cloud)
    with pytest.raises(ApiError) as err:
        admin.reconciliation_cancel(run["run_id"])
    assert err.value.status == 409
    with pytest.raises(ApiError) as err:
        admin.reconciliation_get("rec_" + uuid.uuid4().hex)
    assert err.value.status == 404


def test_a_settlement_file_put_into_the_inbox_starts_a_run_that_reads_it(admin, day, cloud):
    """The provider's file (the generic columns of a connector that documents none) put into
    ``reconciliation/inbox/<provider>/<day>.csv``: S3 → EventBridge → the queue → a run of that day."""
    import boto3

    from payrail.providers.statements import ProviderRecord
    from payrail.reconciliation.records import write_generic_file

    client, mid, made = day
    now = datetime.now(timezone.utc)
    rec = lambda p, status, **kw: ProviderRecord(provider="cashfree", transfer_id=p["transfer_id"], amount=p["amount"],  # noqa: E731
                                                 currency="INR", status=status, booked_at=now, **kw)
    unknown = f"po_{uuid.uuid4().hex[:24]}"
    records = [rec(p, "SUCCESS") for p in made["paid"]] + [
        rec(made["missing"], "FAILED"), rec(made["released"], "SUCCESS"),
        rec(made["paid"][0], "SUCCESS", provider_reference="paid-again"),
        ProviderRecord(provider="cashfree", transfer_id=unknown, amount=777, currency="INR", status="SUCCESS",
                       booked_at=now)]
    out = io.StringIO()
    write_generic_file(records, out)
    s3 = boto3.client("s3")  # the cloud fixture put its endpoints into the environment
    earlier = {r["run_id"] for r in admin.reconciliations(provider="cashfree", limit=100)["data"]}
    s3.put_object(Bucket=cloud["bucket"], Key=f"reconciliation/inbox/cashfree/{today()}.csv", Body=out.getvalue().encode())
    run = wait_for(lambda: next((r for r in admin.reconciliations(provider="cashfree", limit=20)["data"]
                                 if r["trigger"] == "settlement_file" and r["run_id"] not in earlier
                                 and r["status"] in ("COMPLETED", "FAILED")), None),
                   120, 0.5, what="the run the file started")
    assert run["status"] == "COMPLETED" and run["source"] == "settlement_file", run.get("failure_reason")
    ids = {p["transfer_id"] for p in made["paid"]} | {made["missing"]["transfer_id"], made["released"]["transfer_id"],
                                                       unknown}
    rows = [r for r in report(run) if r["transfer_id"] in ids]
    got = sorted((r["transfer_id"], r["class"]) for r in rows)
    assert got == sorted([*((p["transfer_id"], "matched") for p in made["paid"]),
                          (made["paid"][0]["transfer_id"], "unknown_to_payrail"),
                          (made["missing"]["transfer_id"], "missing_at_provider"),
                          (made["released"]["transfer_id"], "paid_after_release"), (unknown, "unknown_to_payrail")])


def test_the_demo_step_finds_its_break_and_resolves_it(admin, cloud):
    from infra.tools.demo_reconciliation import reconciliation_demo

    checks, lines = reconciliation_demo(admin, cloud)
    assert [c for c in checks if not c[1]] == [] and len(checks) == 3, checks
    assert "paid_after_release" in lines[0] and "write_off" in lines[1]


def test_a_malformed_settlement_file_fails_its_run_naming_the_line(admin, cloud):
    import boto3

    day = "2001-05-05"
    body = ("provider,kind,transfer_id,provider_reference,amount,currency,status,booked_at\n"  # the generic columns
            "safepay,transfer,po_1,,100,PKR,SUCCESS,2001-05-05T10:00:00Z\nsafepay,transfer,po_2,,ten,PKR,SUCCESS,"
            "2001-05-05T10:00:00Z\n")
    boto3.client("s3").put_object(Bucket=cloud["bucket"], Key=f"reconciliation/inbox/safepay/{day}.csv", Body=body.encode())
    run = wait_for(lambda: next((r for r in admin.reconciliations(provider="safepay", limit=50)["data"]
                                 if r["from"] == day and r["status"] in ("COMPLETED", "FAILED")), None),
                   120, 0.5, what="the run the file started")
    assert run["status"] == "FAILED" and "line 3" in run["failure_reason"] and run["download_url"] is None


def test_a_duplicate_message_for_a_run_held_by_its_executor_changes_nothing(platform):
    """A run RUNNING under a live lease is left to its executor (a duplicate message); once the
    lease has lapsed (the executor died) the next message runs it to its end; a message for a
    completed run leaves it and its report alone."""
    from datetime import timedelta

    from payrail.reconciliation.matcher import iso

    r = platform.reconciliations
    run, _ = r.create_run("safepay", "2001-06-06", "2001-06-06", run_id=f"rec_test_{uuid.uuid4().hex[:12]}")
    later = iso(datetime.now(timezone.utc) + timedelta(hours=1))
    assert r.runs.transition(r.runs.item(run.run_id), ("QUEUED",), "RUNNING", {"lease_until": later})
    assert r.execute(run.run_id).status == "RUNNING"  # its executor holds it: nothing done
    assert r.runs.raw(run.run_id).get("shards_done") is None
    r.main.update(r.runs.key(run.run_id), "SET lease_until = :l", {":l": "2001-01-01T00:00:00.000000Z"})
    done = r.execute(run.run_id)
    assert done.status == "COMPLETED" and done.report_key
    again = r.execute(run.run_id)
    assert again.status_history == done.status_history
    assert r.s3.head_object(Bucket=r.bucket, Key=done.report_key)["ContentLength"] > 0


def test_the_daily_schedule_queues_the_previous_day_of_its_provider_once(handler, admin):
    from tests.conftest import load_event

    event = load_event("eventbridge/reconciliation_schedule")
    out = handler("reconciliation", event)
    assert out["run_id"] == "rec_daily_safepay_2001-07-07"
    assert handler("reconciliation", event)["run_id"] == out["run_id"]  # a repeated firing: the same run
    run = wait_for(lambda: (r := admin.reconciliation_get(out["run_id"]))["status"] in ("COMPLETED", "FAILED") and r,
                   120, 0.5, what="the scheduled run ended")
    assert (run["status"], run["trigger"], run["from"], run["to"]) == ("COMPLETED", "schedule", "2001-07-07",
                                                                        "2001-07-07")
    with pytest.raises(ValueError):
        handler("reconciliation", event | {"resources": ["arn:aws:events:us-east-1:1:rule/payrail-settlement-daily"]})


class Killed(BaseException):
    """The Lambda runtime ending a request mid-way (not an exception the code handles)."""


def _running(r, run_id: str, lease_until: str, **sets) -> None:
    """Move a new run to RUNNING as an executor would, holding ``lease_until``."""
    assert r.runs.transition(r.runs.item(run_id), ("QUEUED",), "RUNNING", {"lease_until": lease_until, **sets})


def _new_run(r, provider: str = "safepay", day: str = "2001-06-07"):
    return r.create_run(provider, day, day, run_id=f"rec_test_{uuid.uuid4().hex[:12]}")[0]


def test_a_run_whose_request_died_before_queueing_it_is_queued_again(platform, handler, monkeypatch):
    """Two requests die between creating their run and queueing it. The one whose client asks again
    with its key is queued by that repeat; the other, never asked again, is queued by the
    reconciliation sweep (its real handler) once its deadline has passed. Both complete, and the
    sweep leaves no deadline armed. (The sweep reads every run of the table: its counts are not
    the test's to assert.)"""
    from payrail.core.ids import derived
    from payrail.core.store import RECONCILIATION
    from payrail.platform import Platform
    from payrail.reconciliation import service
    from tests.conftest import load_event

    keys = [str(uuid.uuid4()), str(uuid.uuid4())]
    with monkeypatch.context() as m:
        m.setattr(service, "START_GRACE_SECONDS", 0)
        m.setattr(Platform, "_queue_reconciliation", lambda self, run_id: (_ for _ in ()).throw(Killed()))
        for key in keys:
            with pytest.raises(Killed):
                platform.start_reconciliation("safepay", "2001-06-08", "2001-06-08", key, None)
    ids = [derived("rec", "safepay", key) for key in keys]
    assert [platform.reconciliations.get(i).status for i in ids] == ["QUEUED", "QUEUED"]
    platform.start_reconciliation("safepay", "2001-06-08", "2001-06-08", keys[0], None)  # the client asks again
    handler("reconciliation", load_event("eventbridge/reconciliation_sweep"))
    for run_id in ids:
        done = wait_for(lambda: (x := platform.reconciliation_view(run_id))["status"] in ("COMPLETED", "FAILED") and x,
                        120, 0.5, what="the run ended")
        assert done["status"] == "COMPLETED", done
        assert "due_pk" not in platform.main.get(RECONCILIATION.key("ALL", run_id), raw=True)


def test_a_cancelled_run_keeps_no_report_its_executor_uploaded_before_it_died(platform):
    """An executor uploads a run's report and dies before completing it; the run is cancelled
    meanwhile. The message that comes back ends it CANCELLED and removes that report: a cancelled
    run has none."""
    from botocore.exceptions import ClientError

    from payrail.reconciliation.service import report_key

    r = platform.reconciliations
    run = _new_run(r)
    _running(r, run.run_id, "2001-01-01T00:00:00.000000Z")
    r.s3.put_object(Bucket=r.bucket, Key=report_key(run.run_id), Body=b"transfer_id,kind,class\n")
    assert r.cancel(run.run_id).status == "CANCELLING"
    done = r.execute(run.run_id)
    assert done.status == "CANCELLED"
    assert [h.status for h in done.status_history] == ["QUEUED", "RUNNING", "CANCELLING", "CANCELLED"]
    with pytest.raises(ClientError):
        r.s3.head_object(Bucket=r.bucket, Key=report_key(run.run_id))


def test_a_run_is_taken_over_by_the_domain_clock_and_failed_once_its_executions_all_died(platform):
    """A run's lease is read from the domain's clock (a simulator's virtual time moves it): once
    that clock is past the lease, the next message takes the run over and runs it to its end. A run
    whose :data:`MAX_TAKES` executions all died is not run again: the next message fails it."""
    import time

    from payrail.core import clock
    from payrail.reconciliation.service import MAX_TAKES

    r = platform.reconciliations
    held = _new_run(r)
    _running(r, held.run_id, clock.iso(clock.now() + 3600), takes=1)

    class TwoHoursLater:
        monotonic = staticmethod(time.monotonic)

        @staticmethod
        def now() -> float:
            return time.time() + 7200
    try:
        clock.set_source(TwoHoursLater())
        done = r.execute(held.run_id)
    finally:
        clock.reset()
    assert done.status == "COMPLETED" and r.runs.raw(held.run_id)["takes"] == 2
    dead = _new_run(r)
    _running(r, dead.run_id, "2001-01-01T00:00:00.000000Z", takes=MAX_TAKES)
    failed = r.execute(dead.run_id)
    assert failed.status == "FAILED" and f"died {MAX_TAKES} times" in failed.failure_reason


def test_an_outage_fails_the_message_before_its_last_receive_and_the_run_on_it(platform, monkeypatch):
    """The provider cannot be read: before the message's last receive the error is raised (the
    message comes back, the run is run again); on the last one the run ends FAILED with the reason."""
    from payrail.providers.connectors.base import ConnectorUnavailable

    r = platform.reconciliations

    class Down:
        def statement(self, start, end):
            raise ConnectorUnavailable("statement: HTTP 503")
    monkeypatch.setattr(r, "connector", lambda name: Down())
    run = _new_run(r)
    with pytest.raises(ConnectorUnavailable):
        r.execute(run.run_id, last_attempt=False)
    assert r.get(run.run_id).status == "RUNNING"
    r.main.update(r.runs.key(run.run_id), "SET lease_until = :l", {":l": "2001-01-01T00:00:00.000000Z"})
    failed = r.execute(run.run_id, last_attempt=True)
    assert failed.status == "FAILED" and "ConnectorUnavailable" in failed.failure_reason


def test_a_run_cancelled_while_it_fails_ends_cancelled(platform, monkeypatch):
    """The operator cancels a run while it runs, and the run then meets an error: its cancel was
    answered, so it ends CANCELLED (with no report), not FAILED."""
    r = platform.reconciliations
    run = _new_run(r)

    class CancelledThenBroken:
        def statement(self, start, end):
            assert r.cancel(run.run_id).status == "CANCELLING"
            raise ValueError("the statement's page 2 is not JSON")
    monkeypatch.setattr(r, "connector", lambda name: CancelledThenBroken())
    done = r.execute(run.run_id)
    assert done.status == "CANCELLED" and done.failure_reason is None and done.report_key is None
