"""CPython's cyclic garbage collector, paused around batch work.

A batch job (a reconciliation run) allocates millions of short-lived records without reference
cycles, which reference counting frees as ever, while it holds a few hundred thousand of them (a
shard's index, the ranges read ahead). Each automatic collection of the oldest generation walks
every container held, and the held heap keeps growing, so the collector runs again and again over
the same records: a large share of such a job's CPU (measured in ``docs/benchmarks.md``,
"Reconciliation at scale"). Paused, the few cycles such a job makes (botocore's) wait for one
collection at the end.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_resume = False


@contextmanager
def paused() -> Iterator[None]:
    """Pause automatic collection while the block runs (process-wide: every thread's
    allocations); when the last of the blocks open at once ends, collection is back as it was
    before the first, and, when it was on, one collection runs. Re-entrant and thread-safe."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            resume = _depth == 0 and _resume
            if resume:
                gc.enable()
        if resume:
            gc.collect()
