"""Capture journals written straight into the ledger table, for the settlement benchmark and tests.

Each row is the journal item :meth:`payrail.core.ledger.Ledger.post` writes when an order is captured
(built by the ledger's own :meth:`~payrail.core.ledger.Ledger.journal_item`, with the postings
``Orders.capture`` makes: ``pending`` shard → ``available`` + ``fees`` shard, and the settlement
index keys), so the settlement job reads exactly what the platform writes. Only the journal items
are written (not the postings and balances an order would also move), which is all settlement
reads; :func:`delete_captures` removes them again, so a ledger audit stays clean afterwards.

Writes go through ``BatchWriteItem`` (25 items a request) from a pool of threads.
"""
from __future__ import annotations

import hashlib
import random
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterator

import boto3
from botocore.config import Config

from payrail.core import accounts
from payrail.core.ledger import Journal, Ledger, Posting
from payrail.core.money import fee_for

CHUNK = 1_000  # rows generated and written by one task


@dataclass
class Seed:
    """What to seed: ``rows`` captures on UTC ``day`` over ``merchants`` merchants, ids derived
    from ``tag`` (so they can be found again to delete them)."""

    day: str
    rows: int
    merchants: int = 2_000
    currencies: tuple[str, ...] = ("USD", "EUR")
    fee_bps: int = 290
    tag: str = "bench"
    #: (merchant_id, day, currency) -> [gross, fee, count], minor units: the direct sum of what was seeded
    expected: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)

    def merchant_id(self, k: int) -> str:
        return "m_" + hashlib.sha256(f"{self.tag}:m:{k}".encode()).hexdigest()[:16]

    def order_id(self, i: int) -> str:
        return "ord_" + hashlib.sha256(f"{self.tag}:{self.day}:{i}".encode()).hexdigest()[:24]

    def captures(self, start: int, stop: int) -> Iterator[tuple[Journal, str]]:
        """Rows ``start..stop-1`` as ``(journal, created_at)``: amounts 1.00–1,000.00, times
        spread over the day, deterministic per chunk."""
        rnd = random.Random(f"{self.tag}:{self.day}:{start}")
        for i in range(start, stop):
            mid, cur = self.merchant_id(rnd.randrange(self.merchants)), rnd.choice(self.currencies)
            oid, gross = self.order_id(i), rnd.randint(100, 100_000)
            fee = fee_for(gross, self.fee_bps)
            sec, micros = rnd.randrange(86_400), rnd.randrange(1_000_000)
            ts = f"{self.day}T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}.{micros:06d}Z"
            # the postings of Orders.capture
            postings = [Posting(accounts.merchant_account(mid, "pending", cur, shard_key=oid).account_id, -gross),
                        Posting(accounts.merchant_account(mid, "available", cur).account_id, gross - fee),
                        Posting(accounts.merchant_account(mid, "fees", cur, shard_key=oid).account_id, fee)]
            yield Journal(f"{oid}:capture", "order_capture", mid, cur, [p for p in postings if p.amount],
                          metadata={"order_id": oid}, settlement={"merchant_id": mid, "gross": gross, "fee": fee}), ts


def direct_sum(seed: Seed) -> Seed:
    """Fill ``seed.expected`` without writing anything (the rows are deterministic)."""
    expected: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for start in range(0, seed.rows, CHUNK):
        for journal, _ in seed.captures(start, min(start + CHUNK, seed.rows)):
            e = expected[journal.merchant_id, seed.day, journal.currency]
            e[0] += journal.settlement["gross"]
            e[1] += journal.settlement["fee"]
            e[2] += 1
    seed.expected = dict(expected)
    return seed


def _client(threads: int):
    return boto3.client("dynamodb", config=Config(max_pool_connections=threads + 4, parameter_validation=False,
                                                  retries={"mode": "adaptive", "max_attempts": 10}))


def _batch_write(db, table: str, requests: list[dict]) -> None:
    """BatchWriteItem in requests of 25, resubmitting what comes back unprocessed."""
    for k in range(0, len(requests), 25):
        pending, pause = requests[k:k + 25], 0.05
        while pending:
            r = db.batch_write_item(RequestItems={table: pending})
            pending = r.get("UnprocessedItems", {}).get(table, [])
            if pending:
                time.sleep(pause)
                pause = min(pause * 2, 2)


def _run(seed: Seed, work: Callable[[int, int], int], threads: int, progress: Callable[[int], None] | None) -> None:
    done, lock = [0], threading.Lock()

    def task(start: int) -> None:
        n = work(start, min(start + CHUNK, seed.rows))
        with lock:
            done[0] += n
            if progress:
                progress(done[0])
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(task, range(0, seed.rows, CHUNK)))


def seed_captures(ledger: Ledger, seed: Seed, threads: int = 8,
                  progress: Callable[[int], None] | None = None) -> Seed:
    """Write ``seed.rows`` capture journals into the ledger table and fill ``seed.expected``.

    Raises:
        botocore.exceptions.ClientError: DynamoDB refused a request (after its retries).
    """
    db, expected, lock = _client(threads), defaultdict(lambda: [0, 0, 0]), threading.Lock()

    def work(start: int, stop: int) -> int:
        sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
        requests = []
        for journal, ts in seed.captures(start, stop):
            requests.append({"PutRequest": {"Item": ledger.journal_item(journal, ts)}})
            s = sums[journal.merchant_id, seed.day, journal.currency]
            s[0] += journal.settlement["gross"]
            s[1] += journal.settlement["fee"]
            s[2] += 1
        _batch_write(db, ledger.table, requests)
        with lock:
            for k, (g, f, c) in sums.items():
                e = expected[k]
                e[0] += g
                e[1] += f
                e[2] += c
        return len(requests)
    _run(seed, work, threads, progress)
    seed.expected = dict(expected)
    return seed


def delete_captures(ledger: Ledger, seed: Seed, threads: int = 8,
                    progress: Callable[[int], None] | None = None) -> None:
    """Delete the journal items :func:`seed_captures` wrote for ``seed`` (found again by their ids)."""
    db = _client(threads)

    def work(start: int, stop: int) -> int:
        _batch_write(db, ledger.table, [{"DeleteRequest": {"Key": {"pk": {"S": f"J#{seed.order_id(i)}:capture"},
                                                                   "sk": {"S": "J"}}}}
                                        for i in range(start, stop)])
        return stop - start
    _run(seed, work, threads, progress)


# ---- a provider-day of transfers (the reconciliation benchmark) --------------------------------------------
@dataclass
class TransferSeed:
    """``rows`` payout runs of one provider ending on UTC ``day`` over ``merchants`` merchants: the
    journals that end them exactly as :meth:`payrail.payouts.service.Payouts.capture` and
    ``release`` write them (with their reconciliation mark), ``released_every``-th one released;
    ``midnight`` of them captured in the last seconds of the day. The provider's side of each is
    :meth:`provider_records` (a paid record for a capture, a failed one for a release, booked a
    few seconds later: across midnight for the last ones)."""

    day: str
    rows: int
    provider: str = "cashfree"
    currency: str = "INR"
    merchants: int = 200
    released_every: int = 20
    midnight: int = 20
    tag: str = "bench-recon"

    def merchant_id(self, k: int) -> str:
        return "m_" + hashlib.sha256(f"{self.tag}:m:{k}".encode()).hexdigest()[:16]

    def payout_id(self, i: int) -> str:
        return "po_" + hashlib.sha256(f"{self.tag}:{self.day}:{i}".encode()).hexdigest()[:24]

    def journal_id(self, i: int) -> str:
        return f"{self.payout_id(i)}:{'release' if self.released(i) else 'capture'}"

    def released(self, i: int) -> bool:
        return i % self.released_every == self.released_every - 1

    def transfer(self, i: int) -> tuple[str, int, str, int]:
        """``(merchant_id, amount, created_at, booked seconds after it)`` of row ``i`` (deterministic)."""
        rnd = random.Random(f"{self.tag}:{self.day}:{i}")
        mid, amount = self.merchant_id(rnd.randrange(self.merchants)), rnd.randint(100, 10_000_000)
        sec = 86_399 if i >= self.rows - self.midnight else rnd.randrange(86_399)
        micros = rnd.randrange(1_000_000)
        ts = f"{self.day}T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}.{micros:06d}Z"
        return mid, amount, ts, rnd.randint(1, 5)

    def journals(self, start: int, stop: int) -> Iterator[tuple[Journal, str]]:
        for i in range(start, stop):
            mid, amount, ts, _ = self.transfer(i)
            pid, released = self.payout_id(i), self.released(i)
            held = accounts.merchant_account(mid, "held", self.currency).account_id
            other = accounts.merchant_account(mid, "available" if released else "payouts", self.currency).account_id
            outcome = "released" if released else "captured"
            yield Journal(self.journal_id(i), "payout_release" if released else "payout_capture", mid, self.currency,
                          [Posting(held, -amount), Posting(other, amount)],
                          metadata={"payout_id": pid, "run": 1, "provider": self.provider},
                          reconciliation={"provider": self.provider, "transfer_id": pid, "kind": "transfer",
                                          "outcome": outcome, "amount": amount}), ts

    def provider_records(self) -> Iterator[dict]:
        """The provider's record of every row: ``{transfer_id, amount, currency, status, booked_at}``."""
        from datetime import datetime, timedelta

        for i in range(self.rows):
            _, amount, ts, lag = self.transfer(i)
            booked = datetime.fromisoformat(ts.replace("Z", "+00:00")) + timedelta(seconds=lag)
            yield {"provider": self.provider, "kind": "transfer", "transfer_id": self.payout_id(i),
                   "provider_reference": f"cf_{i}", "amount": amount, "currency": self.currency,
                   "status": "FAILED" if self.released(i) else "SUCCESS",
                   "booked_at": booked.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}


def _run_rows(rows: int, work: Callable[[int, int], int], threads: int, progress) -> None:
    done, lock = [0], threading.Lock()

    def task(start: int) -> None:
        n = work(start, min(start + CHUNK, rows))
        with lock:
            done[0] += n
            if progress:
                progress(done[0])
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(task, range(0, rows, CHUNK)))


def seed_transfers(ledger: Ledger, seed: TransferSeed, threads: int = 8,
                   progress: Callable[[int], None] | None = None) -> None:
    """Write the ending journals of ``seed``'s transfers into the ledger table (journal items only,
    as :func:`seed_captures`). Raises botocore.exceptions.ClientError."""
    db = _client(threads)

    def work(start: int, stop: int) -> int:
        items = [{"PutRequest": {"Item": ledger.journal_item(j, ts)}} for j, ts in seed.journals(start, stop)]
        _batch_write(db, ledger.table, items)
        return len(items)
    _run_rows(seed.rows, work, threads, progress)


def delete_transfers(ledger: Ledger, seed: TransferSeed, threads: int = 8) -> None:
    """Delete the journal items :func:`seed_transfers` wrote."""
    db = _client(threads)

    def work(start: int, stop: int) -> int:
        _batch_write(db, ledger.table, [{"DeleteRequest": {"Key": {"pk": {"S": f"J#{seed.journal_id(i)}"},
                                                                   "sk": {"S": "J"}}}} for i in range(start, stop)])
        return stop - start
    _run_rows(seed.rows, work, threads, None)
