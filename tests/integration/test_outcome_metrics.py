"""Business metrics (payrail.core.outcomes) from the outbox events the real domain writes: the events
function, fed a payout's stored events, emits its final outcome under its provider."""
from __future__ import annotations

import json
import uuid

import pytest

from infra.tools.client import wait_for
from payrail.core import ddb

pytestmark = pytest.mark.cloud


def emf(out: str) -> list[dict]:
    return [r for r in (json.loads(line) for line in out.splitlines() if line.startswith("{")) if "_aws" in r]


def stream_batch(platform, merchant_id: str) -> dict:
    """The merchant's stored events as the events table's stream hands them over (oldest first)."""
    listed = platform.events.list(merchant_id, limit=100).data[::-1]
    return {"Records": [{"eventName": "INSERT", "eventSource": "aws:dynamodb",
                         "dynamodb": {"NewImage": ddb.dump(platform.events.get_item(merchant_id, e.event_id)),
                                      "SequenceNumber": f"{n + 1:021d}", "StreamViewType": "NEW_IMAGE"}}
                        for n, e in enumerate(listed)]}


def test_the_events_function_counts_a_payout_by_final_status_and_provider(admin, merchant, platform, handler, capsys):
    client, mid = merchant
    admin.top_up(mid, 5_000_000, "PKR")
    paid = client.payout(5_000, f"{uuid.uuid4().int % 10**6:06d}0001")
    admin.payout_settings(mid, payout_review_threshold=50)
    rejected_in_review = client.payout(6_000, f"{uuid.uuid4().int % 10**6:06d}0001")
    admin.decide_payout(mid, rejected_in_review["payout_id"], "reject")
    done = wait_for(lambda: (p := client.get_payout(paid["payout_id"]))["status"] in ("SUCCEEDED", "FAILED") and p,
                    60, 0.5, what="payout final")
    assert done["status"] == "SUCCEEDED"
    batch = stream_batch(platform, mid)
    capsys.readouterr()
    assert handler("events", batch) == {"batchItemFailures": []}
    counted = {}
    for r in emf(capsys.readouterr().out):
        (directive,) = r["_aws"]["CloudWatchMetrics"]
        for m in directive["Metrics"]:
            dims = tuple((d, r[d]) for d in directive["Dimensions"][0])
            counted[(m["Name"], dims)] = r[m["Name"]]
    assert counted[("Payouts", (("service", "payrail"), ("provider", done["provider"]), ("status", "SUCCEEDED")))] == [1.0]
    # rejected in review: its provider never decided it
    assert counted[("Payouts", (("service", "payrail"), ("provider", "none"), ("status", "FAILED")))] == [1.0]
    assert not [k for k in counted if k[0] == "Payouts" and ("status", "FAILED") in k[1] and ("provider", "none") not in k[1]]
    assert counted[("EventsPublished", (("service", "events"),))] == [float(len(batch["Records"]))]


def test_each_call_to_a_provider_emits_its_latency_by_provider_and_operation(platform, capsys):
    from payrail.providers.connectors.base import BankAccount, TransferRequest

    connector = platform.providers.get("safepay")
    req = TransferRequest(transfer_id=f"tr_{uuid.uuid4().hex[:20]}", amount=4_321, currency="PKR",
                          beneficiary=BankAccount(bank_code="HBL", account_number=f"{uuid.uuid4().int % 10**6:06d}0001",
                                                  name="Ayesha Khan"))
    capsys.readouterr()
    connector.submit(req)
    assert connector.status(req.transfer_id).transfer_id == req.transfer_id
    points = []
    for r in emf(capsys.readouterr().out):
        (directive,) = r["_aws"]["CloudWatchMetrics"]
        for m in directive["Metrics"]:
            if m["Name"] == "ProviderLatency":
                (dims,) = directive["Dimensions"]
                points.append((directive["Namespace"], m["Unit"], {d: r[d] for d in dims}, r[m["Name"]]))
    assert [p[:3] for p in points] == [
        ("payrail", "Milliseconds", {"service": "payrail", "provider": "safepay", "operation": "submit"}),
        ("payrail", "Milliseconds", {"service": "payrail", "provider": "safepay", "operation": "status"})]
    assert all(min(p[3] if isinstance(p[3], list) else [p[3]]) > 0 for p in points)  # milliseconds the call took
