"""The reconciliation part of ``make demo``: a merchant's day at Cashfree reconciled, one break made
at the provider on purpose (a payout payrail released that the provider then pays), found once in
its class and resolved by a write-off; the demo's ledger audit that follows must stay exact."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import requests

from infra.tools.client import ApiError, Payrail, standin as standin_at, wait_for

UPI_OK = {"type": "upi", "vpa": "success@upi", "name": "Ravi Kumar"}
ON_HOLD = {"type": "bank_account", "bank_code": "HDFC0001234", "account_number": "50100000005", "name": "Ravi Kumar"}


def pay_after_release(desc: dict, provider_key: str) -> str:
    """Make the provider pay a transfer payrail released. The stand-ins' back office for breaks
    (``POST /_control/breaks {"kind": "pay_released", "key"}``) is used where the stand-in has it;
    a stand-in without it (before the stand-ins gain their break controls) takes the path for its
    provider API and refuses it (401 without the API's credentials, or 404), and the transfer, still
    open at the provider, is paid through ``/_control/transfers/<key>`` instead."""
    url = desc["standins"]["cashfree"]
    try:
        standin_at(url, "/_control/breaks", {"kind": "pay_released", "key": provider_key})
        return "/_control/breaks pay_released"
    except ApiError as e:  # pending the stand-ins' break control: the documented call above is refused
        if e.status not in (401, 404):
            raise
        standin_at(url, f"/_control/transfers/{provider_key}", {"status": "SUCCESS"})
        return "/_control/transfers SUCCESS (the stand-in has no /_control/breaks yet)"


def start_run(admin: Payrail, desc: dict, provider: str, day: str, again: bool = False) -> dict:
    """A reconciliation run of ``provider``'s ``day`` from the source its connector declares
    (``Entry.statement``): for a ``settlement_file`` connector its stand-in's file of the day
    (``GET /_control/settlement_file?day=``) put into the inbox, which starts the run by itself
    (the run returned is that one); for the others, or ``again`` (the day's file is in the inbox
    already), a run started through the API."""
    from payrail.providers import registry

    if again or registry.entry(provider).statement != "settlement_file":
        return admin.reconciliation(provider, day, day)
    import boto3

    def file_runs() -> dict[str, dict]:
        page = admin.reconciliations(provider=provider, limit=100)["data"]
        return {r["run_id"]: r for r in page if r["trigger"] == "settlement_file" and r["from"] == day}
    before = set(file_runs())
    text = requests.get(f"{desc['standins'][provider]}/_control/settlement_file", params={"day": day},
                        timeout=30).text
    boto3.client("s3").put_object(Bucket=desc["bucket"], Key=f"reconciliation/inbox/{provider}/{day}.csv",
                                  Body=text.encode())
    return wait_for(lambda: next((r for i, r in file_runs().items() if i not in before), None), 60, 0.5,
                    what=f"the run the {provider} settlement file of {day} started")


def reconciliation_demo(admin: Payrail, desc: dict) -> tuple[list, list[str]]:
    """Returns ``(checks, summary lines)``."""
    t0 = time.monotonic()
    checks: list[tuple[str, bool, str]] = []
    m = admin.create_merchant("Reconciled Merchant", fee_bps=100)
    client, mid = admin.as_merchant(m["api_key"]), m["merchant"]["merchant_id"]
    admin.top_up(mid, 1_000_000, "INR")
    paid = [client.payout(5_000 + i, UPI_OK, currency="INR") for i in range(5)]
    held = client.payout(7_000, ON_HOLD, currency="INR")
    wait_for(lambda: all(client.get_payout(p["payout_id"])["status"] == "SUCCEEDED" for p in paid), 60, 0.5,
             what="demo payouts paid")
    wait_for(lambda: client.get_payout(held["payout_id"])["status"] == "ON_HOLD", 60, 0.5, what="payout on hold")
    admin.decide_payout(mid, held["payout_id"], "reject", "the beneficiary's bank confirmed it will not pay")
    released = wait_for(lambda: (p := client.get_payout(held["payout_id"]))["status"] == "FAILED" and p, 30, 0.5,
                        what="payout released")
    how = pay_after_release(desc, released["provider_key"])

    today = datetime.now(timezone.utc).date().isoformat()
    run = start_run(admin, desc, "cashfree", today)
    run = wait_for(lambda: (r := admin.reconciliation_get(run["run_id"]))["status"] in ("COMPLETED", "FAILED") and r,
                   120, 0.5, what="reconciliation run")
    mine = {p["payout_id"] for p in paid} | {held["payout_id"]}
    found = [e for e in admin.reconciliation_exceptions(provider="cashfree", status="open", limit=100)["data"]
             if e["transfer_id"] in mine]
    checks.append(("the day reconciled", run["status"] == "COMPLETED", f"{run['run_id']} {run['status']}"))
    checks.append(("the injected break found once, as paid_after_release",
                   [(e["class"], e["transfer_id"]) for e in found] == [("paid_after_release", held["payout_id"])],
                   f"{len(found)} exception(s) of the merchant's transfers"))
    resolved = None
    if found:
        try:
            resolved = admin.resolve_exception(found[0]["exception_id"], "write_off",
                                               "demo: below the recovery threshold")
        except ApiError as e:
            resolved = {"status": f"refused {e.status}", "journal_id": None}
    checks.append(("the break resolved with one journal (write-off)",
                   bool(resolved) and resolved["status"] == "RESOLVED" and bool(resolved["journal_id"]),
                   (resolved or {}).get("journal_id") or ""))
    counts = run.get("counts") or {}
    table = ", ".join(f"{c} {n}" for c, n in counts.items() if n)
    lines = [f"reconciliation {run['run_id']}  cashfree {today}: {run['status']}, {run.get('rows')} transfers "
             f"in {time.monotonic() - t0:.1f}s; breaks by class: {table}",
             f"  break injected ({how}) on {held['payout_id']}; resolved: "
             f"{(resolved or {}).get('resolution')} {(resolved or {}).get('journal_id')}"]
    return checks, lines
