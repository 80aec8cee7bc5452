"""Every break the stand-ins can make, for every registered connector, on the local cloud: a
merchant's day of real transfers through the API (payouts at Cashfree and Safepay, mobile-money
payments at MTN MoMo, AirtelTigo and Telecel), one break made at the provider per transfer, the day
run from the source the connector declares (``Entry.statement``), and each break found exactly
once in its class while every other transfer of the merchant's day is ``matched``.

Per transfer: ``drop`` on a paid one -> ``missing_at_provider`` (payrail captured, the provider has
no record); ``amount`` -> ``amount_mismatch``; ``pay_released`` on a failed one (payrail released
its hold) -> ``paid_after_release``; ``next_day`` (booked one second after the next midnight) ->
``matched``, within the grace around midnight, never a break; one paid transfer untouched ->
``matched``. Mobile-money providers also compare their float: the stand-in's balance is first set
to the ledger's (``Reconciliations.ledger_float``: every merchant's ``momo_float`` + ``momo_held``
at that provider), then ``float_drift`` moves it -> one ``float_drift`` exception of that drift.

What each source sees: a ``status_lookup`` (MTN MoMo) asks about payrail's own transfers, so a
dropped one is the provider's NOT_FOUND (no record: ``missing_at_provider``, as for the others) and
a booking moved past midnight is invisible to it (the lookup carries no booking time; the record is
anchored at payrail's time), hence ``matched`` as for the others. A ``settlement_file`` connector
reads the inbox files of every day its window and grace touch: the transfer booked past midnight is
in the next day's file, which is put into the inbox first (as the provider's next file would be):
the day's run reads it from there and matches the transfer, and the next day's run (which that file
starts) reads both files and reports none of the day's transfers. A day's run made before the next
day's file is in finds no record of that transfer and defers it to the next day's run
(``deferred``, test_reconciliation_next_day.py).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import requests

from infra.tools.client import standin as standin_at, wait_for
from payrail.providers import registry
from tests.integration.test_reconciliation import report

MOMO = {"mtn_momo": "024", "airteltigo": "027", "telecel": "020"}  # the network's national prefix
FINAL = ("SUCCEEDED", "FAILED", "CANCELLED", "CONFIRMED", "EXPIRED", "REFUNDED")
DRIFT = 1_234  # 12.34 GHS more at the provider than the ledger says


def today() -> date:
    return datetime.now(timezone.utc).date()


def transfers_of_a_day(provider: str, admin, merchant, platform) -> list[dict]:
    """Four paid transfers and one failed at ``provider`` (each the API's payout or payment, final)."""
    client, mid = merchant
    if provider in MOMO:
        from tests.integration.test_payments import clean_window
        clean_window(platform, provider)
        admin.fund_float(mid, provider, 1_000_000)  # only at this provider: every payment routes to it
        made = [client.pay(10_000 + 100 * i, f"{MOMO[provider]}{uuid.uuid4().int % 10**6:06d}{last}")
                for i, last in enumerate("11113")]
        get, key = client.payment, "payment_id"
    else:
        currency = registry.entry(provider).capabilities.currencies
        currency = "INR" if "INR" in currency else "PKR"
        admin.top_up(mid, 5_000_000, currency)
        if currency == "INR":
            bank = lambda last: {"type": "bank_account", "bank_code": "HDFC0001234",  # noqa: E731
                                 "account_number": f"50{uuid.uuid4().int % 10**6:06d}{last}", "name": "Ravi Kumar"}
        else:
            bank = lambda last: f"{uuid.uuid4().int % 10**6:06d}{last}"  # noqa: E731  (an HBL account)
        made = [client.payout(10_000 + 100 * i, bank(last), currency=currency)
                for i, last in enumerate(("0001",) * 4 + ("0003",))]
        get, key = client.get_payout, "payout_id"
    done = [wait_for(lambda m=m: (x := get(m[key]))["status"] in FINAL and x, 90, 0.4, what=f"{provider} final")
            for m in made]
    assert [d["status"] in ("SUCCEEDED", "CONFIRMED") for d in done] == [True] * 4 + [False], \
        [(d["status"], d.get("failure_reason")) for d in done]
    assert all(d["provider"] == provider and d["provider_key"] for d in done)
    return done


def put_file(cloud, provider: str, day: date) -> None:
    """The stand-in's settlement file of ``day`` into the inbox (which starts that day's run)."""
    import boto3

    text = requests.get(f"{cloud['standins'][provider]}/_control/settlement_file", params={"day": day.isoformat()},
                        timeout=30).text
    boto3.client("s3").put_object(Bucket=cloud["bucket"], Key=f"reconciliation/inbox/{provider}/{day}.csv",
                                  Body=text.encode())


def exceptions_of(admin, provider: str) -> list[dict]:
    out, after = [], None
    while True:
        page = admin.reconciliation_exceptions(provider=provider, limit=100,
                                               **({"starting_after": after} if after else {}))
        out += page["data"]
        if not page["has_more"]:
            return out
        after = page["data"][-1]["exception_id"]


@pytest.mark.parametrize("provider", list(registry.REGISTRY))
def test_every_break_made_at_the_provider_is_found_once_in_its_class(provider, admin, merchant, platform, cloud):
    from infra.tools.demo_reconciliation import start_run

    entry = registry.entry(provider)
    mid = merchant[1]
    *paid, failed = transfers_of_a_day(provider, admin, merchant, platform)
    dropped, changed, midnight, clean = paid
    url = cloud["standins"][provider]
    standin_at(url, "/_control/breaks", {"kind": "drop", "key": dropped["provider_key"]})
    standin_at(url, "/_control/breaks", {"kind": "amount", "key": changed["provider_key"],
                                         "amount": changed["amount"] + 1})
    assert standin_at(url, "/_control/breaks", {"kind": "pay_released", "key": failed["provider_key"]})["paid"]
    moved = standin_at(url, "/_control/breaks", {"kind": "next_day", "key": midnight["provider_key"]})
    assert moved["booked_at"].startswith((today() + timedelta(days=1)).isoformat())
    momo = provider in MOMO
    if momo:  # the provider's float equal to the ledger's, then drifted
        standin_at(url, "/_control/float", {"balance": platform.reconciliations.ledger_float(provider)})
        standin_at(url, "/_control/breaks", {"kind": "float_drift", "amount": DRIFT})
    if entry.statement == "settlement_file":  # the next day's file, holding the booking moved past midnight
        put_file(cloud, provider, today() + timedelta(days=1))

    run = start_run(admin, cloud, provider, today().isoformat())
    run = wait_for(lambda: (r := admin.reconciliation_get(run["run_id"]))["status"] in ("COMPLETED", "FAILED") and r,
                   120, 0.5, what="reconciliation run ended")
    assert run["status"] == "COMPLETED" and run["source"] == entry.statement, run.get("failure_reason")
    expected = {dropped["transfer_id"]: "missing_at_provider", changed["transfer_id"]: "amount_mismatch",
                failed["transfer_id"]: "paid_after_release", midnight["transfer_id"]: "matched",
                clean["transfer_id"]: "matched"}
    rows = [r for r in report(run) if r["merchant_id"] == mid or r["transfer_id"] in expected]
    assert sorted((r["transfer_id"], r["class"]) for r in rows) == sorted(expected.items())  # each once, no other
    assert run["counts"]["float_drift"] == (1 if momo else 0)

    mine = [e for e in exceptions_of(admin, provider) if e.get("transfer_id") in expected]
    assert sorted((e["transfer_id"], e["class"]) for e in mine) == sorted(
        (t, c) for t, c in expected.items() if c != "matched")
    assert all(e["merchant_id"] == mid and e["run_id"] == run["run_id"] for e in mine)
    floats = [e for e in exceptions_of(admin, provider) if e["class"] == "float_drift" and e["run_id"] == run["run_id"]]
    assert [e["evidence"]["float"]["drift"] for e in floats] == ([DRIFT] if momo else [])
    if entry.statement == "settlement_file":  # the next day's run reads both files and reports none of today's
        tomorrow = (today() + timedelta(days=1)).isoformat()
        later = wait_for(lambda: next((r for r in admin.reconciliations(provider=provider, limit=100)["data"]
                                       if r["trigger"] == "settlement_file" and r["from"] == tomorrow
                                       and r["status"] in ("COMPLETED", "FAILED")), None),
                         120, 0.5, what="the run the next day's file started")
        assert later["status"] == "COMPLETED", later.get("failure_reason")
        assert not [r for r in report(later) if r["merchant_id"] == mid or r["transfer_id"] in expected
                    or r["class"] != "matched"]  # nor as a transfer unknown to payrail
