"""``python -m infra.sim [--seeds N] [--seed S] [--first F] [--ops K] [--jobs J] [--stop] [--no-shrink]`` (``make simulate``).

Runs N schedules (seeds F … F+N-1), one line per 100, and ends with
``simulate: <n> schedules, <steps> steps, <faults> faults injected, <v> violations``. A violation
prints its seed, the invariant and the schedule shrunk (operations, then faults) to the shortest
that still fails the same invariant; ``--seed S`` replays one schedule exactly.

``--jobs J`` runs the schedules in J worker processes, each with its own DynamoDB Local; a schedule
depends on its seed alone, so the output (in seed order) and every replay are those of one process.
"""
from __future__ import annotations

import argparse
import multiprocessing
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


_engine: Engine | None = None


def _worker_start() -> None:
    """A worker process's engine (stopped when the worker exits)."""
    global _engine
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool
    _engine = Engine()
    multiprocessing.util.Finalize(None, _engine.close, exitpriority=10)


def _worker_run(job: tuple) -> tuple:
    """One schedule in a worker: ``(seed, steps, faults, violated, report lines)``."""
    seed, n_ops, do_shrink = job
    res = run_one(_engine, seed, workload(seed, n_ops))
    lines = report(_engine, res, do_shrink) if res.violation else []
    return seed, res.steps, len(res.faults), res.violation is not None, lines


def _results(seeds: list[int], a) -> object:
    """``(seed, steps, faults, violated, report lines)`` of each schedule, in seed order."""
    if a.jobs <= 1:
        engine = Engine()
        try:
            for seed in seeds:
                res = run_one(engine, seed, workload(seed, a.ops))
                lines = report(engine, res, not a.no_shrink) if res.violation else []
                yield seed, res.steps, len(res.faults), res.violation is not None, lines
        finally:
            engine.close()
        return
    with multiprocessing.get_context("fork").Pool(a.jobs, initializer=_worker_start) as pool:
        yield from pool.imap(_worker_run, [(s, a.ops, not a.no_shrink) for s in seeds])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m infra.sim")
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--seed", type=int, default=None, help="replay this one schedule")
    ap.add_argument("--ops", type=int, default=12, help="client operations per schedule")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (each its own DynamoDB Local)")
    ap.add_argument("--no-shrink", action="store_true")
    ap.add_argument("--stop", action="store_true", help="stop at the first violation")
    a = ap.parse_args(argv)
    seeds = [a.seed] if a.seed is not None else list(range(a.first, a.first + a.seeds))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop DynamoDB Local on a kill too
    t0 = time.monotonic()
    steps = faults = violations = 0
    results = _results(seeds, a)
    try:
        for i, (seed, n_steps, n_faults, violated, lines) in enumerate(results, 1):
            steps += n_steps
            faults += n_faults
            for line in lines:
                print(line, flush=True)
            if violated:
                violations += 1
                if a.stop:
                    seeds = seeds[:i]
                    break
            if i % 100 == 0:
                print(f"  {i} schedules, {steps} steps, {faults} faults, {violations} violations, "
                      f"{i / (time.monotonic() - t0) * 3600:.0f} schedules/hour", flush=True)
    finally:
        results.close()
    print(f"simulate: {len(seeds)} schedules, {steps} steps, {faults} faults injected, {violations} violations")
    return 1 if violations else 0


def report(engine: Engine, res, do_shrink: bool) -> list[str]:
    """The lines telling of a violation: its seed and invariant, the shrunk schedule, the replay."""
    v = res.violation
    lines = [f"VIOLATION seed={res.seed} invariant={v.invariant}: {v.detail}"]
    if do_shrink:
        ops, faults, final = shrink(engine, res)
        lines += [f"  shrunk: {len(ops)} of {len(res.ops)} operations, {len(faults)} of {len(res.faults)} faults"
                  f" -> {final.violation.invariant if final.violation else 'no longer fails'}",
                  f"  operations: {ops}", f"  faults (decision #, kind): {faults}"]
    return lines + [f"  replay: make simulate SEED={res.seed}"]


if __name__ == "__main__":
    sys.exit(main())
