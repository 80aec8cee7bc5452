"""``python -m infra.sim [--seeds N] [--seed S] [--first F] [--ops K] [--stop] [--no-shrink]`` (``make simulate``).

Runs N schedules (seeds F … F+N-1), one line per 100, and ends with
``simulate: <n> schedules, <steps> steps, <faults> faults injected, <v> violations``. A violation
prints its seed, the invariant and the schedule shrunk (operations, then faults) to the shortest
that still fails the same invariant; ``--seed S`` replays one schedule exactly.
"""
from __future__ import annotations

import argparse
import signal
import sys
import time

from infra.sim.simulator import DEFAULT_FAULTS, Engine, World, workload


def run_one(engine: Engine, seed: int, ops: list, plan: dict | None = None, probabilities: dict | None = None):
    engine.reset()
    w = World(engine, seed, ops, probabilities or DEFAULT_FAULTS, plan)
    engine.world = w
    try:
        return w.run()
    finally:
        engine.world = None


def ddmin(items: list, fails) -> list:
    """Delta debugging (Zeller): a 1-minimal sublist of ``items`` for which ``fails`` holds."""
    n = 2
    while len(items) >= 2:
        chunk = max(1, len(items) // n)
        subsets = [items[i:i + chunk] for i in range(0, len(items), chunk)]
        reduced = False
        for i, s in enumerate(subsets):
            rest = [x for j, sub in enumerate(subsets) if j != i for x in sub]
            if fails(rest):
                items, n, reduced = rest, max(n - 1, 2), True
                break
        if not reduced:
            if n >= len(items):
                break
            n = min(len(items), n * 2)
    if len(items) == 1 and fails([]):
        return []
    return items


def shrink(engine: Engine, res, budget: int = 60):
    """The shortest schedule found that still fails ``res``'s invariant: operations first (with the
    original faults), then the fault list (as an exact plan). At most ``budget`` replays."""
    invariant = res.violation.invariant
    tries = [0]

    def fails_with(ops, plan):
        if tries[0] >= budget:
            return False
        tries[0] += 1
        r = run_one(engine, res.seed, ops, plan)
        return r.violation is not None and r.violation.invariant == invariant

    plan_all = dict(res.faults)
    ops = ddmin(list(res.ops), lambda o: fails_with(o, plan_all))
    faults = ddmin(sorted(plan_all.items()), lambda f: fails_with(ops, dict(f)))
    final = run_one(engine, res.seed, ops, dict(faults))
    return ops, faults, final


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m infra.sim")
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--seed", type=int, default=None, help="replay this one schedule")
    ap.add_argument("--ops", type=int, default=12, help="client operations per schedule")
    ap.add_argument("--no-shrink", action="store_true")
    ap.add_argument("--stop", action="store_true", help="stop at the first violation")
    a = ap.parse_args(argv)
    seeds = [a.seed] if a.seed is not None else list(range(a.first, a.first + a.seeds))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop DynamoDB Local on a kill too
    engine = Engine()
    t0 = time.monotonic()
    steps = faults = violations = 0
    try:
        for i, seed in enumerate(seeds, 1):
            res = run_one(engine, seed, workload(seed, a.ops))
            steps += res.steps
            faults += len(res.faults)
            if res.violation:
                violations += 1
                report(engine, res, not a.no_shrink)
                if a.stop:
                    seeds = seeds[:i]
                    break
            if i % 100 == 0:
                print(f"  {i} schedules, {steps} steps, {faults} faults, {violations} violations, "
                      f"{i / (time.monotonic() - t0) * 3600:.0f} schedules/hour", flush=True)
    finally:
        engine.close()
    print(f"simulate: {len(seeds)} schedules, {steps} steps, {faults} faults injected, {violations} violations")
    return 1 if violations else 0


def report(engine: Engine, res, do_shrink: bool) -> None:
    v = res.violation
    print(f"VIOLATION seed={res.seed} invariant={v.invariant}: {v.detail}", flush=True)
    if do_shrink:
        ops, faults, final = shrink(engine, res)
        print(f"  shrunk: {len(ops)} of {len(res.ops)} operations, {len(faults)} of {len(res.faults)} faults"
              f" -> {final.violation.invariant if final.violation else 'no longer fails'}")
        print(f"  operations: {ops}")
        print(f"  faults (decision #, kind): {faults}")
    print(f"  replay: make simulate SEED={res.seed}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
