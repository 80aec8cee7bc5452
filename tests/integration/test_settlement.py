"""Settlement: API and schedule start the state machine; slices in parallel; CSV in S3."""
import csv
import io
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import boto3
import pytest
import requests

from infra.catalog import ROOT
from infra.local.client import ApiError
from infra.local.client import wait_for


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
    assert job["status"] == "RUNNING" and job["slices_total"] == 16
    done = finished(client.settlement_get, job["job_id"])
    assert done["status"] == "COMPLETED" and done["progress"] == 1
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


def test_cancel_a_running_job(admin, merchant, platform):
    client, mid = merchant
    start = (datetime.now(timezone.utc) - timedelta(days=60)).date().isoformat()
    end = datetime.now(timezone.utc).date().isoformat()
    job = client.settlement(start, end)  # 61 days x 16 slices: long enough to cancel
    cancelled = client.settlement_cancel(job["job_id"])
    assert cancelled["status"] in ("CANCELLING", "CANCELLED")
    done = finished(client.settlement_get, job["job_id"])
    assert done["status"] == "CANCELLED" and done["download_url"] is None
    sfn = boto3.client("stepfunctions")
    # AWS reports ABORTED; moto reports a stop inside a Map state as FAILED (States.Runtime, ProgramStopped)
    assert wait_for(lambda: sfn.describe_execution(executionArn=done["execution_arn"])["status"] != "RUNNING")
    assert client.settlement_get(job["job_id"])["status"] == "CANCELLED"
    with pytest.raises(ApiError) as e:
        client.settlement_cancel(job["job_id"])
    assert e.value.status == 409


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

