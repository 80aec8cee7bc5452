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


def test_a_first_look_without_its_claim_is_caught(engine, monkeypatch):
    """Duplicate first looks (the stream and SQS both deliver twice) must never send one transfer
    twice; without the first look's claim the provider's book shows a second submission."""
    from payrail.payouts import service

    attempt = service.Payouts.attempt
    monkeypatch.setattr(service.Payouts, "attempt",
                        lambda self, mid, pid, run, connector=None, first_look=None: attempt(self, mid, pid, run, connector))
    caught = None
    for seed in range(1, 41):
        r = run_one(engine, seed, workload(seed, 12))
        if r.violation:
            caught = r
            break
    assert caught is not None and caught.violation.invariant == "provider_paid_twice"
    ops, faults, final = shrink(engine, caught, budget=12)
    assert final.violation is not None and final.violation.invariant == "provider_paid_twice"
    assert len(ops) <= len(caught.ops) and len(faults) <= len(caught.faults)
