"""The fault simulator (``make simulate``): a bounded run on fixed seeds ends with no violation,
and the simulator catches defects re-introduced into the payout, event and provider-slot code."""
from __future__ import annotations

import random
import uuid

import pytest

from infra import catalog
from infra.sim.__main__ import run_one, shrink
from infra.sim.simulator import MOVEMENT_WORKLOAD, PAYOUT_WORKLOAD, Engine, workload
from payrail.core import clock

SEEDS = range(1, 31)
#: the seeds searched for each re-introduced defect (a search ends at its first catch; each is caught early in its range)
CAPTURE_SEEDS, EVENT_SEEDS, LEASE_SEEDS, REPLAY_SEEDS = range(1, 21), range(1, 11), range(1, 21), range(1, 31)


@pytest.fixture(scope="module")
def engine():
    e = Engine()
    yield e
    e.close()
    clock.reset()


def test_fixed_seeds_keep_every_invariant(engine):
    results = [run_one(engine, seed, workload(seed, 12)) for seed in SEEDS]
    violations = [(r.seed, str(r.violation)) for r in results if r.violation]
    assert violations == []
    assert all(r.quiescent for r in results)
    assert sum(len(r.faults) for r in results) > 0  # faults were injected


def test_a_replayed_seed_runs_the_same_schedule(engine):
    a, b = (run_one(engine, 7, workload(7, 12)) for _ in range(2))
    assert (a.steps, a.faults) == (b.steps, b.faults)


def test_a_submission_without_its_guard_is_caught(engine, monkeypatch):
    """Re-introduce the defect: the submission mark written without its guard on the count read,
    and first looks without their claim. Duplicated dispatches then send one transfer twice, and
    the provider's book shows it."""
    from payrail.payouts import records, service

    update = records.PayoutRecords.update
    monkeypatch.setattr(records.PayoutRecords, "update",
                        lambda self, p, while_in, equals=None, **kw: update(self, p, while_in, **kw))
    attempt = service.Payouts.attempt
    monkeypatch.setattr(service.Payouts, "attempt",
                        lambda self, mid, pid, run, connector=None, first_look=None: attempt(self, mid, pid, run, connector))
    caught = None
    for seed in range(100, 141):
        r = run_one(engine, seed, workload(seed, 12, PAYOUT_WORKLOAD))
        if r.violation:
            caught = r
            break
    assert caught is not None and caught.violation.invariant == "provider_paid_twice"
    ops, faults, final = shrink(engine, caught, budget=12)
    assert final.violation is not None and final.violation.invariant == "provider_paid_twice"
    assert len(ops) <= len(caught.ops) and len(faults) <= len(caught.faults)


def test_duplicated_workflow_looks_send_one_transfer(engine):
    """The schedule of seed=105: a first look fails before its claim, the run goes to the workflow, and SQS delivers
    one of its dispatches twice; both looks find nothing at the provider. Only the look whose
    submission mark wins sends the transfer (the other's message comes back and finds it)."""
    r = run_one(engine, 105, workload(105, 12, PAYOUT_WORKLOAD))
    assert r.violation is None, str(r.violation)
    assert r.quiescent


def test_a_payment_whose_creation_was_abandoned_expires(engine):
    """The schedule of seed=10, shrunk: a clock jump kills a payment's creation (its Lambda timed
    out) after its first write, and the client does not retry. The sweeper ends the payment EXPIRED
    at the deadline that write armed, nothing held: no payment is left between states."""
    r = run_one(engine, 10, [(8, "payment", 600), (10, "wallet_debit", 1400), (11, "reserve", 3500)],
                {71: "clock_jump"})
    assert r.violation is None, str(r.violation)
    assert r.quiescent
    items = engine.admin.scan(TableName=catalog.TABLES["main"].name, FilterExpression="#t = :p",
                              ExpressionAttributeNames={"#t": "type"},
                              ExpressionAttributeValues={":p": {"S": "payment"}})["Items"]
    assert [(i["status"]["S"], [h["M"]["status"]["S"] for h in i["status_history"]["L"]]) for i in items] == \
        [("EXPIRED", ["INITIATED", "VALIDATING", "EXPIRED"])]


def first_violation(engine, seeds, schedule=None) -> object:
    """The first schedule of ``seeds`` that breaks an invariant (None: none did); ``schedule(seed)``
    gives a seed's operations (default: 12 of :data:`PAYOUT_WORKLOAD`)."""
    for seed in seeds:
        r = run_one(engine, seed, schedule(seed) if schedule else workload(seed, 12, PAYOUT_WORKLOAD))
        if r.violation:
            return r
    return None


def test_a_capture_that_skips_its_run_check_is_caught(engine, monkeypatch):
    """Re-introduce the defect: a capture that does not check that the payout is still at the
    provider in the run it was decided for (it relies on the write's guard alone). A second
    capture of a paid payout (a callback racing the workflow's look) then fails instead of
    being a no-op."""
    from payrail.payouts import service
    from payrail.payouts.model import PayoutStatus

    settle = service.Payouts._settle

    def unchecked(self, merchant_id, payout_id, run, expect, actions):
        if actions.__qualname__.startswith("Payouts.capture"):
            run, expect = self.get(merchant_id, payout_id).run, tuple(PayoutStatus)
        return settle(self, merchant_id, payout_id, run, expect, actions)
    monkeypatch.setattr(service.Payouts, "_settle", unchecked)
    caught = first_violation(engine, CAPTURE_SEEDS)
    assert caught is not None and caught.violation.invariant == "no_500", caught and str(caught.violation)


def test_an_event_written_outside_its_transaction_is_caught(engine, monkeypatch):
    """Re-introduce the defect: a change that moves no money commits, and its event is written
    after it. Between the two (or for ever, when the invocation dies there) the object has a
    change without its event."""
    from botocore.exceptions import ClientError

    from payrail.core import ddb, events

    def transact(self, actions):
        outbox = [a for a in actions if a.get("Put", {}).get("TableName") == self.table]
        try:
            self.db.transact_write_items(TransactItems=[a for a in actions if a not in outbox])
        except ClientError as err:
            if ddb.is_code(err, "TransactionCanceledException", "TransactionConflictException"):
                return False
            raise
        for a in outbox:
            self.db.put_item(**a["Put"])
        return True
    monkeypatch.setattr(events.EventLog, "transact", transact)
    caught = first_violation(engine, EVENT_SEEDS)
    assert caught is not None and caught.violation.invariant == "event_per_change", caught and str(caught.violation)


def test_a_slot_lease_that_ignores_its_expiry_is_caught(engine, monkeypatch):
    """Re-introduce the defect: a provider slot is free only once released, whatever its lease
    says. A look that dies holding one keeps it for ever, and later looks are turned away while
    fewer than the limit are in flight."""
    from botocore.exceptions import ClientError

    from payrail.core import ddb
    from payrail.providers import slots

    def try_acquire(self, provider, limit, lease_seconds):
        owner = uuid.uuid4().hex
        now = int(clock.now() * 1000)
        for n in random.sample(range(limit), limit):
            try:
                self.db.update_item(
                    TableName=self.table, Key=self._pk(provider, n),
                    UpdateExpression="SET #o = :o, lease_until = :u", ConditionExpression="attribute_not_exists(#o)",
                    ExpressionAttributeNames={"#o": "owner"},
                    ExpressionAttributeValues={":o": ddb.value(owner), ":u": ddb.value(now + int(lease_seconds * 1000))})
                return f"{n}:{owner}"
            except ClientError as err:
                if not ddb.is_code(err, "ConditionalCheckFailedException"):
                    raise
        return None
    monkeypatch.setattr(slots.ProviderSlots, "try_acquire", try_acquire)
    caught = first_violation(engine, LEASE_SEEDS)
    assert caught is not None and caught.violation.invariant == "slot_lease", caught and str(caught.violation)


def test_a_repeated_key_that_runs_again_instead_of_replaying_is_caught(engine, monkeypatch):
    """Re-introduce the defect: a completed Idempotency-Key runs its request again instead of
    replaying the stored answer. The retry of a payout's creation then answers the payout as it
    stands now, not what the first request answered."""
    from payrail.core import idempotency

    run = idempotency.IdempotencyStore.run

    def again(self, *, effect, **kw):
        out = run(self, effect=effect, **kw)
        return idempotency.Outcome(*effect()) if out.replayed else out
    monkeypatch.setattr(idempotency.IdempotencyStore, "run", again)
    caught = first_violation(engine, REPLAY_SEEDS)
    assert caught is not None and caught.violation.invariant == "idempotent_replay", caught and str(caught.violation)


def test_a_webhook_signed_over_another_serialization_is_caught(engine, monkeypatch):
    """Re-introduce the defect: the signature is computed over the event re-serialized rather than
    over the bytes sent. The endpoint's check with its secret (``standardwebhooks``) then fails."""
    import json

    from payrail.webhooks import delivery

    sign = delivery.sign
    monkeypatch.setattr(delivery, "sign", lambda webhook_id, ts, body, secrets: sign(
        webhook_id, ts, json.dumps(json.loads(body)), secrets))
    caught = first_violation(engine, range(1, 6))
    assert caught is not None and caught.violation.invariant == "webhook_signature", caught and str(caught.violation)


def test_a_settlement_cancel_that_never_marks_the_job_cancelled_is_caught(engine, monkeypatch):
    """Re-introduce the defect: a cancel moves the job to CANCELLING and stops its execution but
    never to CANCELLED (nor do the workflow's steps that see it). The job whose cancel answered is
    left between states."""
    from payrail.settlement import service

    monkeypatch.setattr(service.Settlements, "_mark_cancelled", lambda self, scope, job_id: None)
    caught = None
    for seed in range(11, 21):
        r = run_one(engine, seed, workload(seed, 12, MOVEMENT_WORKLOAD) + [(12, "settle", 5), (13, "settle_cancel", 3)])
        if r.violation:
            caught = r
            break
    assert caught is not None and caught.violation.invariant in ("settlement_cancelled", "stuck"), \
        caught and str(caught.violation)
    assert "settlement" in caught.violation.detail


def test_a_duplicated_finalize_keeps_the_completed_settlement_file(engine):
    """The schedule of seed=1085: Step Functions runs a settlement's Finalize twice; both upload the
    CSV, one completes the job, and the other, finding it no longer RUNNING, must not take that for a
    cancel and delete the completed job's file."""
    r = run_one(engine, 1085, workload(1085, 12, MOVEMENT_WORKLOAD))
    assert r.violation is None, str(r.violation)
    assert r.quiescent


def test_a_settlement_start_that_died_is_started_by_the_sweep(engine, monkeypatch):
    """A settlement start dies between creating its job and starting its execution, and its client
    never retries. Without the settlement sweep (re-introduced: jobs created without a start
    deadline, so the sweep never sees them) the job stays QUEUED for ever, holding one of its
    scope's slots, and the simulator says so; with it, the same schedule ends with every job ended."""
    from payrail.settlement.records import SettlementRecords

    def schedule(seed):
        return workload(seed, 12, MOVEMENT_WORKLOAD) + [(12, "settle", 5), (13, "settle", 7), (14, "settle", 9)]
    create = SettlementRecords.create
    with monkeypatch.context() as m:
        m.setattr(SettlementRecords, "create", lambda self, job, max_active, fingerprint=None, start_by=None:
                  create(self, job, max_active, fingerprint))
        caught = first_violation(engine, range(1, 31), schedule)
    assert caught is not None and caught.violation.invariant == "stuck", caught and str(caught.violation)
    assert "settlement" in caught.violation.detail and "QUEUED" in caught.violation.detail
    fixed = run_one(engine, caught.seed, schedule(caught.seed))
    assert fixed.violation is None and fixed.quiescent, str(fixed.violation)


def test_a_cancel_that_died_between_its_writes_is_finished_by_the_sweep(engine):
    """The schedule of seed=4277: a settlement cancel dies after marking the job CANCELLING (and
    stopping its execution), before marking it CANCELLED, and nothing retries it; the settlement
    sweep finishes it at the cancel's deadline instead of leaving the job CANCELLING for ever."""
    r = run_one(engine, 4277, workload(4277, 12, MOVEMENT_WORKLOAD))
    assert r.violation is None, str(r.violation)
    assert r.quiescent


def test_the_books_check_catches_a_reversed_capture_reported_matched(engine, monkeypatch):
    """Re-introduce the defect: the reconciliation matcher takes a transfer payrail captured and
    the provider then failed (Cashfree's REVERSED: the money came back) for ``matched``. The
    quiescent run of the books (Cashfree, from its settlement file) of the first schedule with such
    a transfer reports it so, where the stand-in's book says ``missing_at_provider``; without the
    defect the same schedule ends clean."""
    from payrail.reconciliation import matcher

    real = matcher.classify
    with monkeypatch.context() as m:
        m.setattr(matcher, "classify", lambda p, r: matcher.C.MATCHED if real(p, r) == matcher.C.MISSING_AT_PROVIDER
                  and r is not None else real(p, r))
        caught = first_violation(engine, range(1, 31))
    assert caught is not None and caught.violation.invariant == "books", caught and str(caught.violation)
    assert "matched (want missing_at_provider)" in caught.violation.detail
    fixed = run_one(engine, caught.seed, workload(caught.seed, 12, PAYOUT_WORKLOAD))
    assert fixed.violation is None and fixed.quiescent, str(fixed.violation)


def test_a_payment_move_that_lost_its_race_for_the_hold_is_not_a_500(engine):
    """The schedule of seed=136: a provider callback reads a held payment, a racing move settles it
    first, and the callback's own move then finds the hold gone: the ledger refused it for lack of
    funds, and the callback answered 500. A move whose payment has moved since it was read is now a
    move that changed nothing."""
    r = run_one(engine, 136, workload(136, 12))
    assert r.violation is None, str(r.violation)
    assert r.quiescent


def test_a_settlement_whose_mark_failed_step_died_still_ends_failed(engine):
    """The schedule of seed=1596: a settlement's slice fails for good, and the MarkFailed task that
    the Map's Catch runs dies (Lambda crashed after reading the job). MarkFailed had no Retry, so the
    execution failed and left the job RUNNING for ever; it is retried as every other task is."""
    r = run_one(engine, 1596, workload(1596, 12))
    assert r.violation is None, str(r.violation)
    assert r.quiescent
