"""Business metrics from the outbox's events (payrail.core.outcomes): what counts, under which dimensions."""
import json

from payrail.core import outcomes
from payrail.providers import registry

PROVIDERS = tuple(registry.REGISTRY)


def item(event_type, obj, stored=True):
    """An events-table item (``body`` as stored), or the event body itself."""
    body = {"event_id": "evt_1", "type": event_type, "data": {"object": obj}}
    return {"type": event_type, "body": json.dumps(body)} if stored else body


def history(*statuses):
    return [{"status": s, "at": "2026-01-01T00:00:00Z"} for s in statuses]


def dims(o):
    return o.metric, o.dims


def test_a_payout_the_provider_paid_or_failed_counts_for_that_provider():
    paid = item("payout.succeeded", {"provider": "cashfree", "status_history": history("PENDING", "PROCESSING", "SUCCEEDED")})
    failed = item("payout.failed", {"provider": "safepay", "status_history": history("PENDING", "FAILED")})
    assert dims(outcomes.outcome(paid, PROVIDERS)) == (
        "Payouts", {"service": "payrail", "provider": "cashfree", "status": "SUCCEEDED"})
    assert dims(outcomes.outcome(failed, PROVIDERS)) == (
        "Payouts", {"service": "payrail", "provider": "safepay", "status": "FAILED"})


def test_an_outcome_no_provider_decided_does_not_count_against_one():
    rejected = item("payout.failed", {"provider": "cashfree", "status_history": history("IN_REVIEW", "FAILED")})
    declined = item("payment.failed", {"provider": "mtn_momo", "status_history": history("INITIATED", "VALIDATING", "FAILED")})
    assert outcomes.outcome(rejected, PROVIDERS).dims["provider"] == outcomes.NO_PROVIDER
    assert outcomes.outcome(declined, PROVIDERS).dims["provider"] == outcomes.NO_PROVIDER


def test_payments_count_by_final_status_and_provider_an_unknown_provider_as_other():
    expired = item("payment.expired", {"provider": "telecel", "status_history": history("INITIATED", "PENDING", "EXPIRED")},
                   stored=False)
    refunded = item("payment.refunded", {"provider": "mtn_momo",
                                         "status_history": history("PENDING", "PROCESSING", "CONFIRMED", "REFUNDED")})
    stranger = item("payment.confirmed", {"provider": "acme", "status_history": history("PROCESSING", "CONFIRMED")})
    assert dims(outcomes.outcome(expired, PROVIDERS)) == (
        "Payments", {"service": "payrail", "provider": "telecel", "status": "EXPIRED"})
    assert outcomes.outcome(refunded, PROVIDERS).dims["status"] == "REFUNDED"
    assert outcomes.outcome(stranger, PROVIDERS).dims["provider"] == "other"


def test_settlement_jobs_count_by_status_and_non_final_events_not_at_all():
    done = item("settlement.completed", {"job_id": "stl_1", "status": "COMPLETED"})
    assert dims(outcomes.outcome(done, PROVIDERS)) == ("SettlementJobs", {"service": "payrail", "status": "COMPLETED"})
    for t in ("payout.created", "payout.processing", "payment.pending", "settlement.running", "order.fulfilled"):
        assert outcomes.outcome(item(t, {"provider": "cashfree"}), PROVIDERS) is None


def test_tally_counts_each_outcome():
    paid = item("payout.succeeded", {"provider": "cashfree", "status_history": history("PROCESSING", "SUCCEEDED")})
    other = item("payout.created", {"provider": "cashfree"})
    counts = outcomes.tally([paid, paid, other, paid], PROVIDERS)
    assert [(o.metric, o.dims["status"], n) for o, n in counts.items()] == [("Payouts", "SUCCEEDED", 3)]


def test_emit_prints_one_emf_record_per_outcome_with_its_own_dimensions(capsys, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "payrail-events")  # as deployed: must not replace the fixed service
    paid = item("payout.succeeded", {"provider": "cashfree", "status_history": history("PROCESSING", "SUCCEEDED")})
    failed = item("payment.failed", {"provider": "mtn_momo", "status_history": history("PROCESSING", "FAILED")})
    job = item("settlement.failed", {"status": "FAILED"})
    counts = outcomes.tally([paid, paid, failed, job], PROVIDERS)
    counts[outcomes.Outcome("Payouts", (("service", "payrail"), ("provider", "safepay"), ("status", "FAILED")))] = 0
    outcomes.emit(counts)
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert len(records) == 3  # the zero count is not emitted
    seen = {}
    for r in records:
        (directive,) = r["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == outcomes.NAMESPACE
        (metric,) = directive["Metrics"]
        assert metric["Unit"] == "Count"
        (names,) = directive["Dimensions"]
        seen[(metric["Name"], tuple((d, r[d]) for d in names))] = r[metric["Name"]]
    assert seen == {
        ("Payouts", (("service", "payrail"), ("provider", "cashfree"), ("status", "SUCCEEDED"))): [2.0],
        ("Payments", (("service", "payrail"), ("provider", "mtn_momo"), ("status", "FAILED"))): [1.0],
        ("SettlementJobs", (("service", "payrail"), ("status", "FAILED"))): [1.0],
    }
