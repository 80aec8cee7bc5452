"""Settlement: API and schedule start the state machine; slices in parallel; CSV in S3."""
import csv
import io
import json
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import boto3
import pytest
import requests

from infra.catalog import ROOT
from infra.tools.client import ApiError
from infra.tools.client import wait_for
from infra.tools.seed import Seed, delete_captures, seed_captures
from tests.conftest import load_event


def finished(get, job_id):
    """The job once it ended; a scheduled job exists only after its workflow's first step ran."""
    def ended():
        try:
            j = get(job_id)
        except ApiError as e:
            if e.status == 404:
                return None
            raise
        return j["status"] in ("COMPLETED", "FAILED", "CANCELLED") and j
    return wait_for(ended, timeout=120)


def test_merchant_settlement_csv_matches_its_captures(admin, merchant):
    client, mid = merchant
    for i in range(3):
        admin.credit(mid, f"s{i}", 10_000)
    product = client.create_product("item", 3_333, 10)
    orders = [client.order(product["product_id"], f"s{i}", quantity=1 + i) for i in range(3)]
    for o in orders:
        wait_for(lambda o=o: client.get_order(o["order_id"])["status"] == "FULFILLED")
    today = datetime.now(timezone.utc).date().isoformat()
    job = client.settlement(today, today)
    assert job["status"] == "QUEUED" and job["slices_total"] == 16 and job["download_url"] is None
    done = finished(client.settlement_get, job["job_id"])
    assert done["status"] == "COMPLETED" and done["progress"] == 1
    assert [h["status"] for h in done["status_history"]] == ["QUEUED", "RUNNING", "COMPLETED"]
    events = sorted(client.all_events("settlement.created") + client.all_events("settlement.running")
                    + client.all_events("settlement.completed"), key=lambda e: e["sequence"])
    assert [(e["type"], e["sequence"], e["object_id"]) for e in events] == [
        ("settlement.created", 1, job["job_id"]), ("settlement.running", 2, job["job_id"]),
        ("settlement.completed", 3, job["job_id"])]
    assert events[-1]["data"]["object"]["totals"] == done["totals"] and events[-1]["data"]["object"]["status"] == "COMPLETED"
    rows = list(csv.DictReader(io.StringIO(requests.get(done["download_url"], timeout=10).text)))
    gross = sum(o["amount"] for o in orders)
    fee = sum((o["amount"] * 290 + 5_000) // 10_000 for o in orders)
    assert rows == [{"merchant_id": mid, "date": today, "currency": "USD", "gross": str(gross), "fee": str(fee),
                     "net": str(gross - fee), "txn_count": "3"}]
    assert list(rows[0]) == ["merchant_id", "date", "currency", "gross", "fee", "net", "txn_count"]


def test_other_merchants_jobs_are_invisible(admin, merchant):
    client, _ = merchant
    other = admin.as_merchant(admin.create_merchant("o")["api_key"])
    today = datetime.now(timezone.utc).date().isoformat()
    job = client.settlement(today, today)
    with pytest.raises(ApiError) as e:
        other.settlement_get(job["job_id"])
    assert e.value.status == 404
    with pytest.raises(ApiError) as e:
        client.settlement("2026-02-01", "2026-01-01")
    assert e.value.status == 400


def csv_objects(cloud, job_id: str) -> int:
    return boto3.client("s3").list_objects_v2(Bucket=cloud["bucket"], Prefix=f"settlements/{job_id}.csv")["KeyCount"]


def test_cancel_a_running_job_leaves_no_csv_and_no_link(cloud, admin, merchant):
    client, mid = merchant
    start = (datetime.now(timezone.utc) - timedelta(days=60)).date().isoformat()
    end = datetime.now(timezone.utc).date().isoformat()
    job = client.settlement(start, end)  # 61 days x 16 slices: a Distributed Map long enough to cancel midway
    running = wait_for(lambda: (j := client.settlement_get(job["job_id"]))["slices_done"] > 0 and j, timeout=120)
    cancelled = client.settlement_cancel(job["job_id"])
    assert running["status"] == "RUNNING" and cancelled["status"] in ("CANCELLING", "CANCELLED")
    done = finished(client.settlement_get, job["job_id"])
    assert done["status"] == "CANCELLED" and done["download_url"] is None
    assert 0 < done["slices_done"] < done["slices_total"] == 61 * 16
    sfn = boto3.client("stepfunctions")
    # AWS reports ABORTED; moto reports a stop inside a Map state as FAILED (States.Runtime, ProgramStopped)
    assert wait_for(lambda: sfn.describe_execution(executionArn=done["execution_arn"])["status"] != "RUNNING")
    time.sleep(2)  # slices that were in flight end and find the job cancelled
    assert client.settlement_get(job["job_id"])["status"] == "CANCELLED"
    assert csv_objects(cloud, job["job_id"]) == 0
    with pytest.raises(ApiError) as e:
        client.settlement_cancel(job["job_id"])
    assert e.value.status == 409


def test_a_job_cancelled_at_once_ends_cancelled_without_a_file(cloud, admin, merchant):
    client, _ = merchant
    today = datetime.now(timezone.utc).date().isoformat()
    job = client.settlement(today, today)
    cancelled = client.settlement_cancel(job["job_id"])  # usually still QUEUED: the workflow's first step ends it
    assert cancelled["status"] == "CANCELLED" and cancelled["download_url"] is None
    time.sleep(3)  # the execution, if it got going, has seen the cancel
    done = client.settlement_get(job["job_id"])
    assert done["status"] == "CANCELLED" and csv_objects(cloud, job["job_id"]) == 0
    assert [h["status"] for h in done["status_history"]][-2:] == ["CANCELLING", "CANCELLED"]
    events = sorted((e for e in client.all_events() if e["object_id"] == job["job_id"]), key=lambda e: e["sequence"])
    assert [e["type"].split(".")[1] for e in events] == [
        {"QUEUED": "created", "CANCELLING": "cancel_requested"}.get(h["status"], h["status"].lower())
        for h in done["status_history"]]


def test_two_jobs_started_in_the_same_second_get_distinct_ids_and_both_complete(admin, merchant):
    client, _ = merchant
    today = datetime.now(timezone.utc).date().isoformat()
    for _ in range(3):  # on a loaded machine two requests may straddle a second: try again
        time.sleep(1 - time.time() % 1 + 0.02)  # the start of a second
        with ThreadPoolExecutor(2) as pool:
            jobs = list(pool.map(lambda _: client.settlement(today, today), range(2)))
        done = [finished(client.settlement_get, j["job_id"]) for j in jobs]
        assert jobs[0]["job_id"] != jobs[1]["job_id"]
        assert [d["status"] for d in done] == ["COMPLETED", "COMPLETED"]
        assert done[0]["report_key"] != done[1]["report_key"] and done[0]["totals"] == done[1]["totals"]
        if jobs[0]["created_at"][:19] == jobs[1]["created_at"][:19]:
            break
    assert jobs[0]["created_at"][:19] == jobs[1]["created_at"][:19]


def test_csv_equals_a_direct_sum_of_seeded_captures(cloud, admin, platform):
    """Capture journals seeded straight into the ledger (the bench's seeder, the platform's item
    shape) on three days: 48 slices, so the Distributed Map reads its manifest from S3."""
    run = uuid.uuid4().hex[:8]
    seeds = [Seed(f"2002-03-0{d}", 1_000, merchants=40, tag=f"t-{run}") for d in (1, 2, 3)]
    try:
        for s in seeds:
            seed_captures(platform.ledger, s, threads=4)
        job = admin.admin_settlement(seeds[0].day, seeds[-1].day)
        done = finished(admin.admin_settlement_get, job["job_id"])
        assert done["status"] == "COMPLETED" and done["slices_total"] == 48, done
        rows = list(csv.DictReader(io.StringIO(requests.get(done["download_url"], timeout=30).text)))
        got = {(r["merchant_id"], r["date"], r["currency"]): [int(r["gross"]), int(r["fee"]), int(r["txn_count"])]
               for r in rows}
        expected = {k: v for s in seeds for k, v in s.expected.items()}
        assert got == expected and len(rows) == len(expected)
        assert all(int(r["net"]) == int(r["gross"]) - int(r["fee"]) for r in rows)
        assert [(r["date"], r["merchant_id"], r["currency"]) for r in rows] == sorted(
            (r["date"], r["merchant_id"], r["currency"]) for r in rows)
        gross, fee = sum(v[0] for v in expected.values()), sum(v[1] for v in expected.values())
        assert done["totals"] == {"gross": gross, "fee": fee, "net": gross - fee, "txn_count": 3_000}
    finally:
        for s in seeds:
            delete_captures(platform.ledger, s, threads=4)


def test_slices_of_a_day_cover_each_capture_once(cloud, platform):
    """A day's shard cut into time ranges of its index sort key reads every capture exactly once."""
    s = Seed("2002-04-01", 1_000, merchants=5, tag=f"r-{uuid.uuid4().hex[:8]}")
    try:
        seed_captures(platform.ledger, s, threads=4)
        for shard in (0, 7):
            whole = sorted(platform.ledger.settlement_rows(s.day, shard))
            parts = sorted(r for p in range(7) for r in platform.ledger.settlement_rows(s.day, shard, p, 7))
            assert parts == whole and len(whole) > 25
        assert abs(platform.ledger.settlement_day_estimate(s.day, sample=32) - 1_000) < 500
    finally:
        delete_captures(platform.ledger, s, threads=4)


def test_schedule_fires_the_daily_settlement_from_the_cli(cloud, admin):
    """``python -m infra.local fire`` fires the EventBridge rule (stored in moto); the job settles the previous day."""
    at = datetime.now(timezone.utc).replace(microsecond=0)
    out = subprocess.run([sys.executable, "-m", "infra.local", "fire", "settlement-daily", "--at", at.isoformat(),
                          "--data-dir", cloud["data_dir"]], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert "execution" in out
    day = (at - timedelta(days=1)).date().isoformat()
    done = finished(admin.admin_settlement_get, f"stl_daily_{day}")
    assert done["status"] == "COMPLETED" and done["trigger"] == "schedule" and done["scope"] == "ALL"
    sfn = boto3.client("stepfunctions")
    arn = out.strip().splitlines()[-1]
    assert wait_for(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED", timeout=60)



@pytest.mark.parametrize("when", ["before finalize", "while writing", "after a finalize that died"])
def test_a_cancelled_job_never_has_a_csv_and_a_claimed_report_refuses_the_cancel(cloud, platform, when):
    """A cancel that lands before finalize claims the job's report ends the job CANCELLED, with no
    file written. Once finalize has claimed it (it is writing the file, or it wrote the file and
    died before completing the job), the cancel answers 409 ``job_not_running`` and the job
    completes with its file, as the workflow's retry of finalize writes it again: a cancelled job
    never has a CSV."""
    from payrail.core.errors import Conflict
    from payrail.settlement import service
    from payrail.settlement.service import ALL

    s = Seed("2002-05-01", 200, merchants=3, tag=f"f-{uuid.uuid4().hex[:8]}")
    st = platform.settlements
    stops = []
    try:
        seed_captures(platform.ledger, s, threads=2)
        job, _ = st.create_job(ALL, s.day, s.day, trigger="schedule")
        planned = st.plan(ALL, job.job_id, concurrency=4)
        assert sum(st.aggregate(ALL, job.job_id, piece).rows for piece in planned.slices) == 200
        cancel = lambda: st.cancel(ALL, job.job_id, stops.append)  # noqa: E731
        if when == "before finalize":
            assert cancel().status == "CANCELLED" and len(stops) == 1
            done = st.finalize(ALL, job.job_id)
            assert done.status == "CANCELLED" and done.report_key is None
            assert csv_objects(cloud, job.job_id) == 0
            return
        refused = []

        def cancel_refused():
            with pytest.raises(Conflict) as e:
                cancel()
            refused.append(e.value)
        if when == "while writing":
            real = st._day_totals
            with pytest.MonkeyPatch.context() as m:
                m.setattr(st, "_day_totals", lambda *a, **kw: (cancel_refused(), real(*a, **kw))[1])
                done = st.finalize(ALL, job.job_id)
        else:
            with pytest.MonkeyPatch.context() as m:
                m.setattr(service.Settlements, "_end", lambda *a, **kw: (_ for _ in ()).throw(Killed()))
                with pytest.raises(Killed):
                    st.finalize(ALL, job.job_id)
            assert csv_objects(cloud, job.job_id) == 1 and st.get(ALL, job.job_id).status == "RUNNING"
            cancel_refused()
            done = st.finalize(ALL, job.job_id)  # the workflow's retry
        assert refused[0].code == "job_not_running" and "being written" in str(refused[0]) and stops == []
        assert done.status == "COMPLETED" and done.rows > 0 and csv_objects(cloud, job.job_id) == 1
        assert [h.status for h in done.status_history] == ["QUEUED", "RUNNING", "COMPLETED"]
        assert not boto3.client("s3").list_multipart_uploads(Bucket=cloud["bucket"], Prefix="settlements/").get(
            "Uploads")
    finally:
        delete_captures(platform.ledger, s, threads=2)


class Killed(BaseException):
    """The Lambda runtime ending a request mid-way (not an exception the code handles)."""


def _dead_start(platform, monkeypatch, mid: str, day: str, grace_seconds: float, key: str | None = None) -> str:
    """``POST /v1/settlements`` (with ``key``, or a new one) dying after it created the job and
    before it started the job's execution (its client never retries); the job's start deadline
    ``grace_seconds`` away. Returns the job's id."""
    from payrail.core.ids import derived
    from payrail.platform import Platform
    from payrail.settlement import service

    key = key or str(uuid.uuid4())
    with monkeypatch.context() as m:
        m.setattr(service, "START_GRACE_SECONDS", grace_seconds)
        m.setattr(Platform, "_start_settlement_execution", lambda self, job: (_ for _ in ()).throw(Killed()))
        with pytest.raises(Killed):
            platform.start_settlement(mid, day, day, key, None)
    return derived("stl", mid, key)


def test_a_start_that_died_before_its_execution_is_started_by_the_settlement_sweep(merchant, platform, handler,
                                                                                  monkeypatch):
    """Two starts die between creating their job and starting its execution: both jobs stay QUEUED,
    holding the merchant's two active-job slots, so a third start is refused. A sweep before their
    start deadline leaves them; once it has passed, the settlement sweep (its real handler) starts
    both, they complete, their deadlines are removed and the slots come back. (The sweep reads every
    job of the table, other tests' too, so its counts are not the test's to assert.)"""
    from payrail.core.store import SETTLEMENT

    client, mid = merchant
    today = datetime.now(timezone.utc).date().isoformat()
    jobs = [_dead_start(platform, monkeypatch, mid, today, grace_seconds=5) for _ in range(2)]
    event = load_event("eventbridge/settlement_sweep")
    handler("settlement_sweep", event)  # not yet due
    assert [client.settlement_get(j)["status"] for j in jobs] == ["QUEUED", "QUEUED"]
    with pytest.raises(ApiError) as refused:
        client.settlement(today, today)
    assert (refused.value.status, refused.value.code) == (409, "too_many_jobs")
    time.sleep(5.5)
    handler("settlement_sweep", event)
    for j in jobs:
        done = finished(client.settlement_get, j)
        assert done["status"] == "COMPLETED", done
        assert [h["status"] for h in done["status_history"]] == ["QUEUED", "RUNNING", "COMPLETED"]
        assert "due_pk" not in platform.main.get(SETTLEMENT.key(mid, j), raw=True)
    assert finished(client.settlement_get, client.settlement(today, today)["job_id"])["status"] == "COMPLETED"


def test_a_job_whose_execution_ended_without_starting_it_is_failed_by_the_settlement_sweep(merchant, platform,
                                                                                          monkeypatch):
    """An execution named after a job ran and ended before the job existed (so it never started
    it), then the job's own start died: Step Functions refuses a second execution of that name, so
    the sweep marks the job FAILED and gives its slot back instead of leaving it QUEUED."""
    from payrail.core import ddb
    from payrail.core.ids import derived

    client, mid = merchant
    today = datetime.now(timezone.utc).date().isoformat()
    key = str(uuid.uuid4())
    job_id = derived("stl", mid, key)
    sfn = ddb.client("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=platform.settings.settlement_state_machine_arn, name=job_id,
                              input=json.dumps({"scope": mid, "job_id": job_id}))["executionArn"]
    wait_for(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING", timeout=60)
    assert _dead_start(platform, monkeypatch, mid, today, grace_seconds=0, key=key) == job_id
    assert client.settlement_get(job_id)["status"] == "QUEUED"
    assert platform.start_unstarted_settlements()["failed"] >= 1
    failed = client.settlement_get(job_id)
    assert failed["status"] == "FAILED" and "ended before starting it" in failed["failure_reason"]
    assert [h["status"] for h in failed["status_history"]] == ["QUEUED", "FAILED"]
    assert [e["object_id"] for e in client.all_events("settlement.failed")] == [job_id]
    jobs = [client.settlement(today, today)["job_id"] for _ in range(2)]  # both slots are free again
    assert all(finished(client.settlement_get, j)["status"] == "COMPLETED" for j in jobs)


def test_a_cancel_that_died_between_its_writes_is_finished_by_the_settlement_sweep(cloud, merchant, platform,
                                                                                  monkeypatch):
    """A cancel dies after it marked the job CANCELLING and stopped its execution, before marking it
    CANCELLED, and its client never retries. Here the job's execution never started (its start died
    too), so no workflow step will end it either: the job would stay CANCELLING for ever, holding one
    of the merchant's slots. Past the cancel's deadline the settlement sweep stops the execution
    again (a no-op) and marks the job CANCELLED, with no CSV."""
    from payrail.settlement import service

    client, mid = merchant
    today = datetime.now(timezone.utc).date().isoformat()
    job_id = _dead_start(platform, monkeypatch, mid, today, grace_seconds=0)
    with monkeypatch.context() as m:
        m.setattr(service, "START_GRACE_SECONDS", 0)
        m.setattr(service.Settlements, "_mark_cancelled", lambda *a: (_ for _ in ()).throw(Killed()))
        with pytest.raises(Killed):
            platform.cancel_settlement(mid, job_id)
    assert client.settlement_get(job_id)["status"] == "CANCELLING"
    assert platform.start_unstarted_settlements()["cancelled"] >= 1
    done = client.settlement_get(job_id)
    assert done["status"] == "CANCELLED" and done["download_url"] is None and csv_objects(cloud, job_id) == 0
    assert [h["status"] for h in done["status_history"]] == ["QUEUED", "CANCELLING", "CANCELLED"]
