"""Next-day bookings and clean days on the local cloud, with a day of transfers seeded as the
platform writes them (``infra.tools.bench_reconciliation_clean``: the ending journals in the ledger,
the same transfers in the stand-ins' books, booked at chosen times).

A settlement-file provider books a transfer payrail ended late on day D in its file of D+1. The run
D's file starts (D+1's file not in yet) defers it (``deferred``: no exception); the run D+1's file
starts matches it, once; one the provider never booked becomes one ``missing_at_provider``, found by
D+1's run. Running D again once D+1's file is in matches the booked one itself (as before) and
finds the same single exception for the other.

A clean day of the five providers, some transfers straddling midnight, gives no exception at all.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from infra.tools.bench_reconciliation_clean import (CleanDay, align_float, book, clean_problems, ended, reconcile_clean_day,
                                                     delete_ledger, seed_ledger, start)
from payrail.providers import registry
from tests.integration.test_reconciliation import report

FILES = [p for p, e in registry.REGISTRY.items() if e.statement == "settlement_file"]


def exceptions_about(admin, provider: str, transfer_ids: set[str]) -> list[dict]:
    out, after = [], None
    while True:
        page = admin.reconciliation_exceptions(provider=provider, limit=100,
                                               **({"starting_after": after} if after else {}))
        out += [e for e in page["data"] if e.get("transfer_id") in transfer_ids]
        if not page["has_more"]:
            return out
        after = page["data"][-1]["exception_id"]


@pytest.fixture
def forget(platform):
    """``forget(transfers)``: their journals, seeded without their accounts' balances, are deleted
    after the test, so the session's ledger stays exact for the audits of the tests that follow."""
    seeded = []
    yield seeded.extend
    delete_ledger(platform.reconciliations.ledger, seeded)


def nonzero(run: dict) -> dict:
    return {c: n for c, n in run["counts"].items() if n}


@pytest.mark.parametrize("provider", FILES)
def test_a_transfer_booked_the_next_day_is_deferred_then_matched_once(provider, admin, cloud, platform, forget):
    clean = CleanDay("2002-03-01", per_provider=6, straddle=2, next_day=1, tag=f"next-day-{provider}")
    *ordinary, late, near, tomorrow = clean.transfers(provider)
    midnight = clean.midnight
    # captured 25 minutes before midnight, booked 40 minutes after it (past the grace around midnight)
    late = replace(late, at=midnight - timedelta(minutes=25), booked_at=midnight + timedelta(minutes=40))
    never = replace(near, booked_at=None)  # captured in the day's last seconds; no file books it
    made = [*ordinary, late, never, tomorrow]
    ids = {t.transfer_id for t in made}
    forget(made)
    seed_ledger(platform.reconciliations.ledger, made)
    book(cloud["standins"][provider], platform.providers.get(provider).transfer_key, made)
    align_float(cloud, platform, provider)

    day = ended(admin, start(admin, cloud, provider, clean.day))  # D's file put in, D+1's not yet: D's run
    assert day["status"] == "COMPLETED", day.get("failure_reason")
    assert nonzero(day) == {"matched": 4, "deferred": 2} and day["rows"] == 6
    rows = {r["transfer_id"]: r["class"] for r in report(day)}
    assert rows == {**{t.transfer_id: "matched" for t in ordinary}, late.transfer_id: "deferred",
                    never.transfer_id: "deferred"}
    assert exceptions_about(admin, provider, ids) == []

    nxt = ended(admin, start(admin, cloud, provider, clean.next))  # D+1's file: D+1's run
    assert nxt["status"] == "COMPLETED", nxt.get("failure_reason")
    assert nonzero(nxt) == {"matched": 2, "missing_at_provider": 1}
    assert sorted((r["transfer_id"], r["class"]) for r in report(nxt)) == sorted([
        (late.transfer_id, "matched"), (tomorrow.transfer_id, "matched"), (never.transfer_id, "missing_at_provider")])
    found = exceptions_about(admin, provider, ids)
    assert [(e["class"], e["transfer_id"], e["run_id"]) for e in found] == [
        ("missing_at_provider", never.transfer_id, nxt["run_id"])]

    again = ended(admin, admin.reconciliation(provider, clean.day, clean.day)["run_id"])  # D once D+1's file is in
    assert again["status"] == "COMPLETED", again.get("failure_reason")
    assert nonzero(again) == {"matched": 5, "missing_at_provider": 1}
    assert {r["transfer_id"]: r["class"] for r in report(again)}[late.transfer_id] == "matched"
    assert [(e["class"], e["transfer_id"]) for e in exceptions_about(admin, provider, ids)] == [
        ("missing_at_provider", never.transfer_id)]


def test_a_clean_day_of_the_five_providers_straddling_midnight_has_no_exception(admin, cloud, platform, forget):
    clean = CleanDay("2002-04-01", per_provider=200, straddle=5, next_day=3)
    forget([t for p in registry.REGISTRY for t in clean.transfers(p)])
    result = reconcile_clean_day(cloud, platform, clean, out=lambda s: None)
    assert clean_problems(result) == []
    assert set(result) == set(registry.REGISTRY)
    for provider, r in result.items():
        for day, run in r["days"].items():
            assert run["rows"] == sum(r["expected"][day].values())
        assert r["exceptions"] == []
    deferred = [r["days"][clean.day]["counts"]["deferred"] for p, r in result.items() if p in FILES]
    assert all(deferred) and sum(r["days"][clean.day]["counts"]["deferred"] for r in result.values()) == sum(deferred)
