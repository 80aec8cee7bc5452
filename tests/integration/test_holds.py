"""Open payout holds (payrail.payouts.holds) and the scheduled hold sweep (functions/holds) on the local cloud."""
from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest

from infra import catalog
from infra.local.cron import scheduled_event

pytestmark = pytest.mark.cloud


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def pk_bank(suffix: str) -> str:
    return f"{uuid.uuid4().int % 10**6:06d}{suffix}"


@pytest.fixture
def in_review(admin, merchant):
    """A merchant whose payouts of 50.00 PKR and more wait for review (their amount held)."""
    client, mid = merchant
    admin.top_up(mid, 5_000_000, "PKR")
    admin.payout_settings(mid, payout_review_threshold=50)
    return client, mid


def open_ids(platform, now: float | None = None) -> dict[str, str]:
    return {h["payout_id"]: h["held_since"] for h in platform.holds.oldest(limit=100_000, now=now)}


def test_a_hold_is_open_from_creation_until_released_and_again_after_reinitiation(in_review, admin, platform):
    client, mid = in_review
    p = client.payout(5_000, pk_bank("0001"))
    assert p["status"] == "IN_REVIEW"
    held = open_ids(platform)
    assert held[p["payout_id"]] == p["created_at"]
    assert "due_pk" not in p and "due_sk" not in client.get_payout(p["payout_id"])  # internal to the index
    later = epoch(p["created_at"]) + 3600
    s = platform.holds.summary(bound_seconds=1800, now=later)
    assert s.open >= 1 and s.past_bound >= 1 and s.oldest_age_seconds >= 3600
    # not yet past a bound longer than its age
    assert p["payout_id"] not in {h["payout_id"] for h in platform.holds.oldest(
        limit=100_000, older_than_seconds=7200, now=later)}

    rejected = admin.decide_payout(mid, p["payout_id"], "reject")
    assert rejected["status"] == "FAILED"
    assert p["payout_id"] not in open_ids(platform)
    raw = platform.payouts.records.get(mid, p["payout_id"], raw=True)
    assert "due_pk" not in raw and "due_sk" not in raw

    again = client.reinitiate_payout(p["payout_id"])
    assert again["status"] == "IN_REVIEW" and again["run"] == 2
    since = open_ids(platform)[p["payout_id"]]
    assert since > p["created_at"]


def test_a_captured_payout_holds_nothing(in_review, admin, platform):
    from infra.tools.client import wait_for

    client, mid = in_review
    p = client.payout(5_000, pk_bank("0001"))
    admin.decide_payout(mid, p["payout_id"], "approve")
    done = wait_for(lambda: (x := client.get_payout(p["payout_id"]))["status"] in ("SUCCEEDED", "FAILED") and x,
                    60, 0.5, what="payout final")
    assert done["status"] == "SUCCEEDED"
    assert p["payout_id"] not in open_ids(platform)


def test_the_hold_sweep_reports_open_holds_as_metrics(in_review, handler, capsys):
    client, _ = in_review
    p = client.payout(5_000, pk_bank("0001"))
    assert p["status"] == "IN_REVIEW"
    event = scheduled_event(f"arn:aws:events:us-east-1:123456789012:rule/{catalog.SCHEDULES['hold-sweep'].name}",
                            datetime.now())
    capsys.readouterr()
    out = handler("holds", event)
    assert out["open"] >= 1 and out["bound_seconds"] == 86_400 and out["oldest_age_seconds"] >= 0
    (emf,) = [r for r in (json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{"))
              if "_aws" in r]
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "payrail" and directive["Dimensions"] == [["service"]] and emf["service"] == "holds"
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {
        "HoldsOpen": "Count", "HoldsPastBound": "Count", "OldestHoldAgeSeconds": "Seconds"}
    assert emf["HoldsOpen"] == [float(out["open"])] and emf["HoldsPastBound"] == [float(out["past_bound"])]
