"""The ``payrail`` CLI through typer's runner against the real local API: settlement with progress
and the CSV downloaded, the review queue and a decision, holds, queues and a DLQ redrive, the
ledger audit, one-line errors, and ``--json`` for scripts."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from datetime import datetime, timezone

import boto3
import pytest
from typer.testing import CliRunner

from infra.cli.main import app
from infra.tools.client import wait_for
from infra.local.process import free_port
from tests.conftest import fulfilled_order, reconciliation_break


@pytest.fixture
def cli(cloud, tmp_path, monkeypatch):
    """``cli(*args, admin=True, api_key=None)`` runs ``payrail`` against the local cloud's API."""
    for var in ("PAYRAIL_URL", "PAYRAIL_ADMIN_TOKEN", "PAYRAIL_API_KEY", "PAYRAIL_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PAYRAIL_PROFILES", str(tmp_path / "no-profiles.toml"))
    monkeypatch.setenv("PAYRAIL_DATA_DIR", str(tmp_path / "no-local-platform"))
    runner = CliRunner()

    def run(*args: str, admin: bool = True, api_key: str | None = None, url: str | None = None):
        opts = ["--url", url or cloud["api_url"]]
        if admin:
            opts += ["--admin-token", cloud["admin_token"]]
        if api_key:
            opts += ["--api-key", api_key]
        return runner.invoke(app, [*opts, *args], catch_exceptions=False)
    return run


def ok_json(result) -> dict:
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_help_lists_every_command():
    out = CliRunner().invoke(app, ["--help"]).stdout
    for command in ("status", "payouts", "reviews", "payments", "holds", "settlement", "dlq", "ledger", "admin-token"):
        assert f" {command} " in out, out
    sub = CliRunner().invoke(app, ["payouts", "--help"]).stdout
    assert all(f" {c} " in sub for c in ("list", "show", "approve", "reject", "cancel", "reinitiate"))


def test_admin_token_prints_a_token_whose_sha256_the_platform_checks(cli, cloud):
    new = ok_json(cli("admin-token", "--json", admin=False))
    assert len(new["token"]) >= 40 and new["sha256"] == hashlib.sha256(new["token"].encode()).hexdigest()
    assert ok_json(cli("admin-token", "--json", admin=False))["token"] != new["token"]
    mine = ok_json(cli("admin-token", "--token", cloud["admin_token"], "--json", admin=False))
    assert mine["sha256"] == cloud["function_env"]["ADMIN_TOKEN_SHA256"]
    text = cli("admin-token", admin=False).stdout
    assert "token:" in text and "sha256:" in text


def test_settlement_start_watch_downloads_the_jobs_csv(cli, admin, merchant, tmp_path):
    client, mid = merchant
    orders = [fulfilled_order(admin, client, mid, price) for price in (1_250, 3_000)]
    today = datetime.now(timezone.utc).date().isoformat()
    dest = tmp_path / "out" / "settlement.csv"
    r = cli("settlement", "start", "--from", today, "--to", today, "--watch", "--output", str(dest), "--json",
            admin=False, api_key=client.api_key)
    result = ok_json(r)
    job = result["job"]
    assert job["status"] == "COMPLETED" and job["slices_done"] == job["slices_total"] == 16
    assert result["csv"] == str(dest) and result["bytes"] == dest.stat().st_size > 0
    rows = list(csv.DictReader(io.StringIO(dest.read_text())))
    gross = sum(o["amount"] for o in orders)
    assert [(r["merchant_id"], r["date"], r["currency"], int(r["gross"]), int(r["txn_count"])) for r in rows] == [
        (mid, today, "USD", gross, 2)]
    assert len(rows) == job["rows"] and int(rows[0]["gross"]) == job["totals"]["gross"]
    assert int(rows[0]["net"]) == job["totals"]["net"] and int(rows[0]["fee"]) == job["totals"]["fee"]
    # without --json: the progress bar on stderr, the result on stdout
    text = cli("settlement", "start", "--from", today, "--watch", "-o", str(tmp_path / "again.csv"),
               admin=False, api_key=client.api_key)
    assert text.exit_code == 0, text.output + text.stderr
    assert "COMPLETED" in text.stdout and "slices" in text.stderr and (tmp_path / "again.csv").read_text() == \
        dest.read_text()


def test_reviews_list_a_payout_in_review_and_approve_sends_it(cli, admin, merchant):
    client, mid = merchant
    admin.top_up(mid, 5_000_000, "PKR")
    admin.payout_settings(mid, payout_review_threshold=100)  # 100.00 PKR
    account = f"{uuid.uuid4().int % 10**6:06d}0001"  # the stand-in pays it
    big = client.payout(20_000, account)
    small = client.payout(5_000, account)
    assert big["status"] == "IN_REVIEW" and small["status"] == "PENDING"
    queue = ok_json(cli("reviews", "--json"))["data"]
    assert big["payout_id"] in [p["payout_id"] for p in queue]
    assert small["payout_id"] not in [p["payout_id"] for p in queue]
    assert [p["created_at"] for p in queue] == sorted(p["created_at"] for p in queue)  # oldest first
    assert all(p["status"] in ("IN_REVIEW", "ON_HOLD") for p in queue)
    table = cli("reviews", "--limit", "100")
    assert table.exit_code == 0 and big["payout_id"] in table.stdout
    in_review = ok_json(cli("payouts", "list", "--status", "IN_REVIEW", "--limit", "100", "--json"))["data"]
    assert big["payout_id"] in [p["payout_id"] for p in in_review]
    # a hold still open: listed by `holds` once older than the bound, not under a bound of an hour
    holds = ok_json(cli("holds", "--older-than", "0s", "--limit", "100", "--json"))
    assert big["payout_id"] in [p["payout_id"] for p in holds["data"]] and holds["oldest_age_seconds"] >= 0
    assert big["payout_id"] not in [p["payout_id"] for p in ok_json(cli("holds", "--older-than", "1h", "--json"))["data"]]

    approved = cli("payouts", "approve", big["payout_id"], "--merchant", mid, "--note", "checked")
    assert approved.exit_code == 0 and f"payout {big['payout_id']} is PENDING" in approved.stdout
    done = wait_for(lambda: (p := ok_json(cli("payouts", "show", big["payout_id"], "--merchant", mid, "--json")))[
        "status"] == "SUCCEEDED" and p, timeout=60)
    assert done["review_decision"] == "approved"
    assert big["payout_id"] not in [p["payout_id"] for p in ok_json(cli("reviews", "--json"))["data"]]
    succeeded = ok_json(cli("payouts", "list", "--status", "SUCCEEDED", "--from", big["created_at"][:19],
                            "--limit", "100", "--json"))["data"]
    assert big["payout_id"] in [p["payout_id"] for p in succeeded]
    # as the merchant (its key): its own payouts, newest first
    own = ok_json(cli("payouts", "list", "--json", admin=False, api_key=client.api_key))["data"]
    assert [p["payout_id"] for p in own][:2] == [small["payout_id"], big["payout_id"]]
    # the same decision again is the API's 409, as one line
    line = one_error_line(cli("payouts", "approve", big["payout_id"], "--merchant", mid))
    assert line.startswith("error: 409 invalid_state: payout is SUCCEEDED")


def test_a_failed_payout_reinitiated_and_a_pending_one_cancelled_by_the_merchant(cli, admin, merchant):
    client, mid = merchant
    admin.top_up(mid, 1_000_000, "PKR")
    failed = client.payout(3_000, f"{uuid.uuid4().int % 10**6:06d}0003")  # the stand-in refuses it
    wait_for(lambda: client.get_payout(failed["payout_id"])["status"] == "FAILED", timeout=60)
    again = ok_json(cli("payouts", "reinitiate", failed["payout_id"], "--json", admin=False, api_key=client.api_key))
    assert again["run"] == 2 and again["status"] in ("PENDING", "PROCESSING", "FAILED")
    admin.payout_settings(mid, payout_review_threshold=10)  # 10.00 PKR: the next one waits IN_REVIEW
    waiting = client.payout(2_000, f"{uuid.uuid4().int % 10**6:06d}0001")
    cancelled = cli("payouts", "cancel", waiting["payout_id"], admin=False, api_key=client.api_key)
    assert cancelled.exit_code == 0 and f"payout {waiting['payout_id']} is CANCELLED" in cancelled.stdout


def test_errors_are_one_line_and_a_non_zero_exit(cli, merchant):
    _, mid = merchant
    missing = f"po_{uuid.uuid4().hex[:24]}"
    assert one_error_line(cli("payouts", "show", missing, "--merchant", mid)).startswith("error: 404 ")
    assert one_error_line(cli("payouts", "show", "nope", "--merchant", mid)).startswith(
        "error: 400 parameter_invalid: payout_id")
    assert "admin token" in one_error_line(cli("dlq", "list", admin=False))
    assert "merchant API key" in one_error_line(cli("payouts", "cancel", missing))
    refused = one_error_line(cli("status", url=f"http://127.0.0.1:{free_port()}"))
    assert "cannot reach" in refused and "connection refused" in refused
    assert "not a duration" in cli("holds", "--older-than", "soon").stderr


def test_status_dlq_list_and_redrive(cli, cloud, monkeypatch):
    status = ok_json(cli("status", "--json"))
    assert status["health"]["status"] == "ok" and status["local"] is None
    assert {q["queue"] for q in status["queues"]} == {"fulfilment", "payouts", "payments", "webhooks"}
    # the local platform's description (what `make up` writes) gives its URL, admin token and ports
    monkeypatch.setenv("PAYRAIL_DATA_DIR", cloud["data_dir"])
    local = CliRunner().invoke(app, ["status", "--json"], catch_exceptions=False)
    assert local.exit_code == 0, local.output
    status = json.loads(local.stdout)
    assert status["url"] == cloud["api_url"] and status["local"]["dynamodb"] == cloud["dynamodb_endpoint"]
    assert status["queues"] is not None and status["local"]["aws_endpoint"] == cloud["aws_endpoint"]
    assert "payrail at" in CliRunner().invoke(app, ["status"]).stdout
    queues = {q["queue"]: q for q in ok_json(cli("dlq", "list", "--json"))["data"]}
    assert set(queues) == {"fulfilment", "payouts", "payments", "webhooks"}
    assert queues["payouts"]["dlq"]["url"] == cloud["dlqs"]["payouts"]
    # a payout look nobody can act on (no such payout) parked in the DLQ, then moved back and consumed
    sqs = boto3.client("sqs")
    body = {"merchant_id": f"m_{uuid.uuid4().hex[:16]}", "payout_id": f"po_{uuid.uuid4().hex[:24]}", "run": 1}
    sqs.send_message(QueueUrl=cloud["dlqs"]["payouts"], MessageBody=json.dumps(body))
    parked = {q["queue"]: q for q in ok_json(cli("dlq", "list", "--json"))["data"]}
    assert parked["payouts"]["dlq"]["messages"] >= 1
    moved = ok_json(cli("dlq", "redrive", "payouts", "--json"))
    assert moved["queue"] == "payouts" and moved["messages"] >= 1 and moved["task_handle"]
    after = {q["queue"]: q for q in ok_json(cli("dlq", "list", "--json"))["data"]}
    assert after["payouts"]["dlq"]["messages"] == 0
    assert one_error_line(cli("dlq", "redrive", "nosuch")).startswith("error: 404 ")


def test_payments_across_merchants_by_status_and_the_merchants_refund(cli, admin, merchant):
    from tests.integration.test_payments import number

    client, mid = merchant
    admin.fund_float(mid, "mtn_momo", 1_000_000)
    p = client.pay(2_500, number("MTN", "1"))
    done = wait_for(lambda: (q := client.payment(p["payment_id"]))["status"] == "CONFIRMED" and q, timeout=60)
    since = ["--from", done["created_at"][:19], "--limit", "100", "--json"]
    confirmed = ok_json(cli("payments", "list", "--status", "CONFIRMED", *since))["data"]
    assert p["payment_id"] in [x["payment_id"] for x in confirmed]
    assert p["payment_id"] not in [x["payment_id"] for x in ok_json(cli("payments", "list", "--status", "PENDING",
                                                                            *since))["data"]]
    shown = ok_json(cli("payments", "show", p["payment_id"], "--merchant", mid, "--json"))
    assert shown["status"] == "CONFIRMED" and shown["merchant_id"] == mid
    refunded = cli("payments", "refund", p["payment_id"], admin=False, api_key=client.api_key)
    assert refunded.exit_code == 0 and "REFUNDED" in refunded.stdout, refunded.output
    refunds = ok_json(cli("payments", "list", "--status", "REFUNDED", *since))["data"]
    assert p["payment_id"] in [x["payment_id"] for x in refunds]
    line = one_error_line(cli("payments", "cancel", p["payment_id"], admin=False, api_key=client.api_key))
    assert line.startswith("error: 409 invalid_state")


def test_ledger_audit_is_ok_and_payments_list_parses(cli):
    audit = ok_json(cli("ledger", "audit", "--json"))
    assert audit["ok"] is True and audit["journals"] > 0 and not audit["unbalanced_journals"]
    assert all(v == 0 for v in audit["total_by_currency"].values())
    text = cli("ledger", "audit")
    assert text.exit_code == 0 and text.stdout.startswith("ledger ok")
    page = ok_json(cli("payments", "list", "--older-than", "0s", "--json"))
    assert set(page) == {"data", "has_more"}


def test_ledger_audit_shows_a_spinner_on_a_terminal_then_the_result(cli, monkeypatch):
    from rich.console import Console

    from infra.cli import main

    screen = io.StringIO()
    monkeypatch.setattr(main, "err", Console(file=screen, force_terminal=True, width=100))
    text = cli("ledger", "audit")
    assert text.exit_code == 0, text.output
    assert "auditing the ledger" in screen.getvalue()  # the status while the request ran
    last = text.stdout.strip().splitlines()[-1]
    assert text.stdout.startswith("ledger ok") and "totals by currency" in last
    screen.truncate(0)
    screen.seek(0)
    audit = ok_json(cli("ledger", "audit", "--json"))  # scripts get the JSON alone, no spinner
    assert audit["ok"] is True and screen.getvalue() == ""


def test_reconciliation_start_watch_shows_the_counts_and_the_break_resolves(cli, admin, cloud, tmp_path):
    paid, held = reconciliation_break(admin, cloud)
    today = datetime.now(timezone.utc).date().isoformat()

    dest = tmp_path / "rec.csv"
    r = cli("reconciliation", "start", "--provider", "cashfree", "--from", today, "--to", today, "--watch",
            "--output", str(dest))
    assert r.exit_code == 0, r.output + r.stderr
    assert "shards" in r.stderr and "COMPLETED" in r.stdout and "paid_after_release" in r.stdout
    rows = {row["transfer_id"]: row["class"] for row in csv.DictReader(io.StringIO(dest.read_text()))}
    assert rows[paid["payout_id"]] == "matched" and rows[held["payout_id"]] == "paid_after_release"
    run_id = next(line.split()[2] for line in r.stdout.splitlines() if line.startswith("reconciliation run "))
    shown = ok_json(cli("reconciliation", "show", run_id, "--json"))
    assert shown["status"] == "COMPLETED" and shown["counts"]["paid_after_release"] >= 1
    assert run_id in [x["run_id"] for x in ok_json(cli("reconciliation", "list", "--provider", "cashfree", "--json",
                                                       "--limit", "100"))["data"]]
    opened = ok_json(cli("reconciliation", "exceptions", "--class", "paid_after_release", "--provider", "cashfree",
                         "--status", "open", "--limit", "100", "--json"))["data"]
    mine = [e for e in opened if e["transfer_id"] == held["payout_id"]]
    assert [e["status"] for e in mine] == ["OPEN"]
    text = cli("reconciliation", "resolve", mine[0]["exception_id"], "--resolution", "write_off",
               "--reason", "below the recovery threshold")
    assert text.exit_code == 0 and "RESOLVED" in text.stdout, text.output + text.stderr
    resolved = ok_json(cli("reconciliation", "exceptions", "--provider", "cashfree", "--status", "resolved",
                           "--limit", "100", "--json"))["data"]
    assert [e["resolution"] for e in resolved if e["exception_id"] == mine[0]["exception_id"]] == ["write_off"]
    again = cli("reconciliation", "resolve", mine[0]["exception_id"], "--resolution", "receivable", "--reason", "other")
    assert one_error_line(again).startswith("error: 409 already_resolved")
