"""Payrail's side of a run read ahead on a pool of threads: every shard streams its records in
the order of its key ranges, whether a range was held as read or packed while the provider's side
was spilled, and no more than ``ahead`` unpacked ranges are ever held."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from payrail.reconciliation.matcher import PayrailRecord
from payrail.reconciliation.service import SHARDS, _Reads

RANGES = [("2026-03-01", f"{h:02d}", f"{h + 1:02d}") for h in range(0, 24, 6)]


def _record(shard: int, r: tuple, n: int) -> PayrailRecord:
    return PayrailRecord("cashfree", "transfer", f"po_{shard}_{r[1]}_{n}", "m_1", 100 + n, "INR", "captured",
                         f"{r[0]}T{r[1]}:00:00.{n:06d}Z", f"jr_{shard}_{r[1]}_{n}")


@pytest.mark.parametrize("ahead,packed", [(1, 0), (3, 0), (4, 10), (2, 200)])
def test_every_shard_streams_its_ranges_in_order_packed_or_not(ahead, packed):
    lock, taken = threading.Lock(), []

    def read(shard: int, r: tuple) -> list[PayrailRecord]:
        with lock:
            taken.append((shard, r))
        return [_record(shard, r, n) for n in range(3)]

    with ThreadPoolExecutor(4) as pool:
        reads = _Reads(pool, read, RANGES, ahead, packed)
        got = []
        for shard in range(SHARDS):
            for p in reads.shard(shard):
                assert reads.held <= ahead
                assert isinstance(p, PayrailRecord)
                got.append(p)
    assert got == [_record(s, r, n) for s in range(SHARDS) for r in RANGES for n in range(3)]
    assert sorted(taken) == sorted((s, r) for s in range(SHARDS) for r in RANGES)  # each range read once


def test_a_cancelled_read_starts_no_more_ranges():
    started = []

    def read(shard: int, r: tuple) -> list[PayrailRecord]:
        started.append((shard, r))
        return []

    with ThreadPoolExecutor(1) as pool:
        reads = _Reads(pool, read, RANGES, 2, 3)
        reads.cancel()
        assert not reads.inflight
        assert list(reads.shard(0)) == []  # taking a shard after the cancel reads nothing more
    assert len(started) <= 5  # at most the two held and three packed ranges submitted before it
