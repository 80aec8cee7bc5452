"""The fault simulator (``make simulate``): a bounded run on fixed seeds ends with no violation,
and the simulator catches a defect re-introduced into the payout code."""
from __future__ import annotations

import pytest

from infra.sim.__main__ import run_one, shrink
from infra.sim.simulator import Engine, workload
from payrail.core import clock

SEEDS = range(1, 31)


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
        r = run_one(engine, seed, workload(seed, 12))
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
    r = run_one(engine, 105, workload(105, 12))
    assert r.violation is None, str(r.violation)
    assert r.quiescent
