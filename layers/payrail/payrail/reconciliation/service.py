"""Reconciliation runs: a provider's books against payrail's ledger over a window of UTC days,
every break recorded as an exception an operator resolves.

A run is created QUEUED (by the API, the daily schedule per provider, or a settlement file put
into ``reconciliation/inbox/<provider>/<day>.csv``) and executed by the reconciliation function
(:meth:`Reconciliations.execute`): RUNNING, then COMPLETED (or FAILED; a cancel ends it CANCELLED).

**Slices.** The ledger's reconciliation index is cut into :data:`payrail.core.ledger.SETTLEMENT_SHARDS`
shards by the *transfer id*, so a provider's records can be cut the same way: the provider's side
is read once and spilled to one temporary file per shard (while payrail's first shard is read).
The shards are then matched one after another (:func:`payrail.reconciliation.matcher.match`): a
shard's spilled records are indexed by transfer, and payrail's journals of that shard are
streamed through the index as they are read, key range by key range (time ranges of about
:data:`payrail.reconciliation.records.RANGE_ROWS` journals, from a sample of each day), in
parallel threads (``concurrency``) that read a few ranges ahead, into the next shard (a small
day's shards are read while one is matched). A worker holds one shard's provider records and a
few key ranges of journals, never the whole day nor a whole shard of payrail's side (but for the
first shard, read whole while the provider's side is spilled, beside up to :data:`PACKED_ROWS` more
journals kept compressed until matched, so that DynamoDB is read all through the spill). Progress
is the set of finished shards. A day fans out within one function rather than a Step Functions Map:
a run is one provider's days, bounded by that provider's volume. The journals are read by a DynamoDB client
whose ``Query`` answers are read as plain JSON (:func:`payrail.core.ddb.plain_query_answer`).

**Sources** (``Entry.statement`` in the registry, :mod:`payrail.providers.statements`):
``list_api`` reads ``connector.statement(from, to)``; ``settlement_file`` reads the inbox files of
the days read (with ``connector.parse_statement_file``, or as the generic columns
:data:`payrail.reconciliation.records.GENERIC_COLUMNS` when the connector documents no file or the
file's header is exactly those columns); ``status_lookup`` asks ``connector.status()`` for every
transfer of payrail's side.

**Next-day bookings** (``settlement_file`` runs; :func:`payrail.reconciliation.matcher.defer`,
:func:`~payrail.reconciliation.matcher.carry_over`). When the file of the day after the window is
not in the inbox as the run starts, a transfer with no provider record that payrail ended in the
window's last ``booking_grace_seconds`` is ``deferred``: counted and reported, not an exception,
and kept in ``reconciliation/deferred/<provider>/<day>.csv`` (:func:`deferred_key`). The run of the
next day reads that file and classifies those transfers against its own provider records (whose
records of them are set aside from the shards), reporting each once: ``matched``, or
``missing_at_provider`` when the next day's file holds no record of it either. A settlement-file run
reads the provider's side up to ``booking_grace_seconds`` past its end (when longer than the
grace), so a run of D made once D+1's file is in matches those transfers itself.

**Floats** (connectors with ``balance()``): the provider's balance against the sum over merchants
of the ledger's ``momo_float`` + ``momo_held`` at that provider, both read when the run ends its
comparison (its cut-off); a difference is one ``float_drift`` exception.

**Report** ``reconciliation/<run_id>.csv``: one row per transfer with its class (columns
:data:`CSV_COLUMNS`), written to a temporary file shard after shard and uploaded to S3 in parts; the
presigned link exists once the run is COMPLETED.

**Resolutions** (:meth:`Reconciliations.resolve`): one balanced journal where money must move,
posted in the same transaction as the exception's move to RESOLVED, its id derived from the
exception, so a repeat changes nothing.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import itertools
import marshal
import os
import tempfile
import zlib
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta, timezone
from functools import partial
from typing import Callable, Iterable, Iterator

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from payrail.core import clock, collector, ddb
from payrail.core.entity import Page
from payrail.core.errors import Conflict, InsufficientFunds, NotFound, ValidationFailed
from payrail.core.events import EventLog
from payrail.core.idempotency import check_fingerprint
from payrail.core.ids import random_id, shard_of
from payrail.core.ledger import (NON_NEGATIVE, SETTLEMENT_SHARDS, UNBOUNDED, AccountSpec, ExtraConditionFailed,
                                 Journal, Ledger, Posting, account_id, now_iso)
from payrail.core.store import RECONCILIATION, MainTable, due
from payrail.providers.connectors.base import ConnectorUnavailable
from payrail.providers.statements import ProviderBalance, ProviderRecord, map_back
from payrail.reconciliation.matcher import (PayrailRecord, Result, Window, carry_over, classify, defer, float_drift,
                                            iso, match)
from payrail.reconciliation.model import (BREAKS, RESOLUTIONS, BreakClass, ReconciliationException,
                                          ReconciliationRun, Resolution, RS, XS)
from payrail.reconciliation.records import (GENERIC_COLUMNS, RANGE_ROWS, ExceptionRecords, RunRecords, as_payrail,
                                            check_day, days, from_status, generic_rows, key_ranges, load_run,
                                            open_transfer, payrail_range, payrail_records, read_spill, spill_row,
                                            SpillWriter)

C = BreakClass
CSV_COLUMNS = ["transfer_id", "kind", "class", "merchant_id", "payrail_outcome", "payrail_amount", "currency",
               "payrail_at", "journal_id", "provider_status", "provider_amount", "provider_currency",
               "provider_reference", "booked_at"]
_COMMAS = len(CSV_COLUMNS) - 1
MATCHED = C.MATCHED
MAX_DAYS = 31
SHARDS = SETTLEMENT_SHARDS
#: the platform's own accounts of resolutions (``platform:<kind>:<currency>``, unbounded): what
#: beneficiaries owe back, and what was written off
PLATFORM = "platform"
RECEIVABLE, LOSS = "recon_receivable", "recon_loss"
#: where a reversed capture's held leg goes instead (the money returns to the merchant)
_UNHOLD = {"held": "available", "momo_held": "momo_float"}
UPLOAD_PART_BYTES = 8 * 1024 * 1024
#: key ranges of payrail's side read ahead of the one being matched, beyond one per thread
READ_AHEAD = 4
#: journals of payrail's side read while the provider's side is spilled beyond the first shard,
#: held packed (marshalled and compressed) until matched
PACKED_ROWS = 250_000
#: how long an execution holds a RUNNING run (seconds): the function's timeout and a margin; a
#: message for a run held longer is taken as its executor's death and runs it again
LEASE_SECONDS = 960
#: receives of a run's message before it goes to the dead-letter queue (the queue's
#: ``max_receive_count``): an outage on the last one fails the run
MAX_ATTEMPTS = 3
#: executions a run may have (each one's lease lapsed: it died); a message finding one more fails it
MAX_TAKES = 3
#: how long a run may stay QUEUED (or CANCELLING) before the reconciliation sweep queues it again
#: (seconds): its message was never sent, or its cancel died between its two writes
START_GRACE_SECONDS = 60


class _Reads:
    """Payrail's side of a run, read on ``pool`` one key range at a time (``read(shard, range)``),
    shard after shard, with at most ``ahead`` ranges read or being read and not yet taken (the
    next shard's first ranges are read while one shard's are matched): :meth:`shard` streams a
    shard's records in the order of its ranges. A run holds at most ``ahead`` ranges' records
    (about :data:`payrail.reconciliation.records.RANGE_ROWS` each) of payrail's side at once, and
    the ``packed`` ranges read at once after the first ``ahead`` (while the provider's side is
    spilled), whose records are kept as one compressed ``marshal`` record per range until taken (a
    fraction of their memory)."""

    def __init__(self, pool, read: Callable, ranges: list, ahead: int, packed: int = 0):
        self.pool, self.read, self.ahead = pool, read, ahead
        self.tasks = ((shard, r) for shard in range(SHARDS) for r in ranges)
        self.inflight: deque = deque()  # (shard, future, packed)
        self.held = 0  # unpacked ranges in flight
        self._top_up()  # the first reads start at once
        for shard, r in itertools.islice(self.tasks, packed):
            self.inflight.append((shard, pool.submit(_packed, read, shard, r), True))

    def _top_up(self) -> None:
        while self.held < self.ahead:
            task = next(self.tasks, None)
            if task is None:
                return
            self.inflight.append((task[0], self.pool.submit(self.read, *task), False))
            self.held += 1

    def shard(self, shard: int) -> Iterator[PayrailRecord]:
        """``shard``'s records (the shards must be taken in order, each to its end)."""
        self._top_up()
        while self.inflight and self.inflight[0][0] == shard:
            _, f, packed = self.inflight.popleft()
            if packed:
                yield from map(as_payrail, marshal.loads(zlib.decompress(f.result())))
                continue
            self.held -= 1
            self._top_up()
            yield from f.result()

    def cancel(self) -> None:
        """Drop the reads not yet started (a run that ends early)."""
        self.tasks = iter(())
        while self.inflight:
            self.inflight.popleft()[1].cancel()


def _packed(read: Callable, shard: int, r) -> bytes:
    # zlib at its fastest level: about a third of marshal's bytes, compressed without the GIL
    return zlib.compress(marshal.dumps([tuple(p) for p in read(shard, r)]), 1)


class _Cancelled(Exception):
    """The run was cancelled while it ran."""


def inbox_key(provider: str, day: str) -> str:
    """Where an operator or a scheduled job puts ``provider``'s settlement file of UTC ``day``."""
    return f"reconciliation/inbox/{provider}/{day}.csv"


def parse_inbox_key(key: str) -> tuple[str, str]:
    """``(provider, day)`` of an inbox key. Raises ValidationFailed for another key."""
    parts = key.split("/")
    if len(parts) != 4 or parts[:2] != ["reconciliation", "inbox"] or not parts[3].endswith(".csv"):
        raise ValidationFailed(f"{key} is not reconciliation/inbox/<provider>/<day>.csv", param="key")
    day = parts[3][:-4]
    check_day(day, "key")
    return parts[2], day


def window_for_schedule(event_time: str) -> str:
    """The UTC day a daily schedule firing at ``event_time`` (ISO) reconciles: the previous one."""
    t = datetime.fromisoformat(event_time.replace("Z", "+00:00")).astimezone(timezone.utc)
    return (t - timedelta(days=1)).date().isoformat()


def report_key(run_id: str) -> str:
    """The S3 key of a run's report."""
    return f"reconciliation/{run_id}.csv"


def deferred_key(provider: str, day: str) -> str:
    """Where a run ending on UTC ``day`` keeps its ``deferred`` transfers for the next day's run."""
    return f"reconciliation/deferred/{provider}/{day}.csv"


def exception_id(provider: str, cls: str, kind: str, transfer_id: str | None, extra: str = "") -> str:
    """Derived from what the break is about, so a run repeated over the same day finds the same id."""
    h = hashlib.sha256("\x1f".join((provider, cls, kind, transfer_id or "", extra)).encode()).hexdigest()[:24]
    return f"rex_{h}"


class Reconciliations:
    """Runs and exceptions (main table), both sides read through the ledger and the connectors,
    reports in S3.

    Args:
        ledger, main, events: payrail's stores. s3, bucket: the reports bucket.
        connector: ``name -> connector`` (``payrail.providers.slots.Providers.get``).
        source: ``name -> StatementSource`` (the registry's ``Entry.statement``).
        grace_seconds: the timing window around midnight (setting ``reconciliation_grace_seconds``).
        booking_grace_seconds: how long before a settlement-file run's cut-off a transfer the day's
            file does not hold may be booked in the next day's (``reconciliation_booking_grace_seconds``).
        concurrency: shards matched at once.
        momo: names of the providers whose float is compared (those with ``balance()``).
    """

    def __init__(self, ledger: Ledger, main: MainTable, events: EventLog, s3, bucket: str,
                 connector: Callable[[str], object], source: Callable[[str], str], *, grace_seconds: int = 300,
                 booking_grace_seconds: int = 3_600, concurrency: int = 4, momo: Iterable[str] = (),
                 float_currency: str = "GHS",
                 known: Callable[[], Iterable[str]] | None = None):
        self.ledger, self.main, self.events, self.s3, self.bucket = ledger, main, events, s3, bucket
        self.connector, self.source = connector, source
        self.grace, self.concurrency = grace_seconds, concurrency
        self.booking_grace = booking_grace_seconds
        self.momo, self.float_currency = frozenset(momo), float_currency
        self.known = known
        self.runs = RunRecords(main, events)
        self.exceptions = ExceptionRecords(main, events)

    # ---- runs ------------------------------------------------------------------------------
    def create_run(self, provider: str, start: str, end: str, *, run_id: str | None = None, trigger: str = "api",
                   fingerprint: str | None = None, source: str | None = None) -> tuple[ReconciliationRun, bool]:
        """A QUEUED run of ``provider`` over UTC dates ``start``..``end`` (inclusive). ``(run, created)``.
        ``source``: where the provider's side is read (default: the connector's registered source;
        a run a settlement file started reads the inbox).

        Raises:
            ValidationFailed: unknown provider, bad or too long window (over :data:`MAX_DAYS` days).
            IdempotencyMismatch: ``run_id`` names a run another request created.
        """
        if self.known is not None and provider not in set(self.known()):
            raise ValidationFailed(f"unknown provider {provider!r}", param="provider")
        a, b = check_day(start, "from"), check_day(end, "to")
        if b < a:
            raise ValidationFailed("to must not be before from", param="to")
        if (b - a).days >= MAX_DAYS:
            raise ValidationFailed(f"window longer than {MAX_DAYS} days", param="to")
        run_id = run_id or random_id("rec")
        existing = self.runs.raw(run_id)
        if existing is None:
            item = self.runs.new(run_id, provider, a.isoformat(), b.isoformat(), source or self.source(provider), SHARDS,
                                 trigger, fingerprint, now_iso(), clock.iso(clock.now() + START_GRACE_SECONDS))
            if self.runs.create(item):
                return self.get(run_id), True
            existing = self.runs.raw(run_id)
        check_fingerprint(existing, fingerprint)
        return self.get(run_id), False

    def get(self, run_id: str) -> ReconciliationRun:
        """Raises NotFound."""
        run = self.runs.get(run_id)
        if run is None:
            raise NotFound("reconciliation run not found", param="run_id")
        return run

    def page(self, *, limit: int = 10, starting_after: str | None = None,
             provider: str | None = None) -> Page[ReconciliationRun]:
        """Runs newest first."""
        out = self.runs.page(limit, starting_after, provider)
        return Page([load_run(i) for i in out["data"]], out["has_more"])

    def download_url(self, run: ReconciliationRun, expires_seconds: int) -> str | None:
        """A presigned GET of the report once the run is COMPLETED."""
        if run.status != RS.COMPLETED or not run.report_key:
            return None
        return self.s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": run.report_key},
                                              ExpiresIn=expires_seconds)

    def cancel(self, run_id: str, _tries: int = 5) -> ReconciliationRun:
        """Cancel a QUEUED run (CANCELLED at once) or a RUNNING one (CANCELLING; the run ends
        CANCELLED at its next shard, with no report). A cancel that dies between its two writes is
        finished by the reconciliation sweep (:meth:`requeue_stalled`). Raises NotFound; Conflict
        (``run_not_running``) when it already ended."""
        run = self.get(run_id)
        if run.status not in (RS.QUEUED, RS.RUNNING):
            raise Conflict("reconciliation run is not running", code="run_not_running")
        finish_by = due(RECONCILIATION, run_id, clock.iso(clock.now() + START_GRACE_SECONDS))
        if not self._move(run, (run.status,), RS.CANCELLING, finish_by, detail="cancel requested"):
            if _tries <= 1:
                raise Conflict("the run changed meanwhile; retry", code="invalid_state")
            return self.cancel(run_id, _tries - 1)
        if run.status == RS.QUEUED:
            self._move(self.get(run_id), (RS.CANCELLING,), RS.CANCELLED)
        return self.get(run_id)

    def requeue_stalled(self, send: Callable[[str], None]) -> dict[str, int]:
        """The reconciliation sweep, over every run past its ``due`` timer (armed
        :data:`START_GRACE_SECONDS` after its creation, or after a cancel): one still QUEUED (the
        request that created it died before queueing it, and nobody asked again) or still
        CANCELLING (a cancel that died between its writes, or whose executor is gone) is queued
        again with ``send(run_id)``: executing it runs it, or ends it CANCELLED (an executor still
        running it stops at its next shard). Each run's timer is then removed, whatever its status; a sweep
        that dies leaves it armed for the next. Returns ``{"requeued": n, "checked": n}``."""
        counts = {"requeued": 0, "checked": 0}
        for run_id in self.runs.past_due(clock.now_iso()):
            run = self.runs.get(run_id)
            if run is not None and run.status in (RS.QUEUED, RS.CANCELLING):
                send(run_id)
                counts["requeued"] += 1
            counts["checked"] += 1
            self.runs.disarm(run_id)
        return counts

    def _move(self, run: ReconciliationRun, sources: tuple[str, ...], target: str, sets: dict | None = None,
              detail: str | None = None) -> bool:
        return self.runs.transition(self.runs.item(run.run_id) or {}, sources, target, sets, detail)

    def fail(self, run_id: str, reason: str) -> ReconciliationRun:
        """Mark a run that could not finish FAILED (a no-op when it already ended); one whose cancel
        was asked for (CANCELLING) ends CANCELLED instead, with no report, as its cancel said."""
        run = self.get(run_id)
        if run.status == RS.CANCELLING:
            return self._end_cancelled(run)
        if run.status in (RS.QUEUED, RS.RUNNING):
            self._move(run, (run.status,), RS.FAILED, {"failure_reason": reason[:500]})
        return self.get(run_id)

    def _end_cancelled(self, run: ReconciliationRun) -> ReconciliationRun:
        """A CANCELLING run ended CANCELLED, with no report (one its executor uploaded is removed)."""
        self.s3.delete_object(Bucket=self.bucket, Key=report_key(run.run_id))
        self._move(run, (RS.CANCELLING,), RS.CANCELLED)
        return self.get(run.run_id)

    def window(self, run: ReconciliationRun) -> Window:
        start = datetime.combine(date.fromisoformat(run.from_), time(), timezone.utc)
        end = datetime.combine(date.fromisoformat(run.to) + timedelta(days=1), time(), timezone.utc)
        return Window(start, end, self.grace)

    # ---- executing a run -------------------------------------------------------------------
    def execute(self, run_id: str, last_attempt: bool = True) -> ReconciliationRun:
        """Run a QUEUED run to its end (see the module docstring). A RUNNING one is run again from
        its start (its message came back: the execution that had it died; everything a run writes
        is idempotent: the report is rewritten, exceptions have derived ids, completion is guarded);
        a CANCELLING one is ended CANCELLED; any other is returned as it is. A run whose
        :data:`MAX_TAKES` executions all died is not run again: the next message fails it (one
        comes back, or an operator redrives it from the dead-letter queue). A run that cannot
        finish (the provider cannot be read, a malformed settlement file, any other error) ends
        FAILED with its ``failure_reason``, never stays RUNNING, but for an outage (DynamoDB, S3 or
        the provider could not answer: :func:`payrail.core.ddb.is_outage`, ConnectorUnavailable)
        while this is not the ``last_attempt`` (its message's last receive, :data:`MAX_ATTEMPTS`):
        the error is raised, the message comes back after its executor's lease has lapsed, and the
        run is run again.

        Raises: the outage, when not ``last_attempt``."""
        run = self.get(run_id)
        if run.status == RS.CANCELLED:  # one its executor uploaded before it died is removed
            self.s3.delete_object(Bucket=self.bucket, Key=report_key(run_id))
            return run
        if run.status == RS.CANCELLING:
            return self._end_cancelled(run)
        lease, now = clock.iso(clock.now() + LEASE_SECONDS), clock.now_iso()
        if run.status == RS.QUEUED:
            if not self._move(run, (RS.QUEUED,), RS.RUNNING, {"lease_until": lease, "takes": 1}):
                return self.get(run_id)  # another executor took it
        elif run.status != RS.RUNNING or (run.get("lease_until") or "") >= now:
            return run  # ended, or RUNNING in an execution that still holds it (a duplicate message)
        elif (run.get("takes") or 1) >= MAX_TAKES:  # every execution of it died: it is not tried again
            return self.fail(run_id, f"its executions died {MAX_TAKES} times before it ended")
        elif not self.runs.take_over(run_id, run.get("lease_until"), lease, now):
            return self.get(run_id)  # another executor took it
        try:
            with collector.paused():  # a run's records hold no cycles (payrail.core.collector)
                return self._execute(self.get(run_id))
        except _Cancelled:
            with contextlib.suppress(Exception):
                if (now_run := self.get(run_id)).status == RS.CANCELLING:
                    self._end_cancelled(now_run)
            return self.get(run_id)
        except Exception as err:  # noqa: BLE001 - recorded on the run, which must not stay RUNNING
            if not last_attempt and (ddb.is_outage(err) or isinstance(err, ConnectorUnavailable)):
                raise
            return self.fail(run_id, f"{type(err).__name__}: {err}")

    def _execute(self, run: ReconciliationRun) -> ReconciliationRun:
        window, source = self.window(run), run.source
        ranges = key_ranges(self.ledger, run.provider, window)
        with tempfile.TemporaryDirectory(prefix="recon-") as tmp, ThreadPoolExecutor(self.concurrency) as pool, \
                ThreadPoolExecutor(1) as spiller:
            since, cutoff = self._deferrable(run, window)
            carried = self._carried(run) if source != "status_lookup" else {}
            deferred: list[PayrailRecord] = []
            # the provider's side is spilled while the first key ranges of payrail's are read
            spilling = spiller.submit(self._spill, run, window, tmp, ranges, carried) \
                if source != "status_lookup" else None
            report = open(os.path.join(tmp, "report.csv"), "w", newline="", buffering=1 << 20)  # closed before its upload
            write = report.write
            write(",".join(CSV_COLUMNS) + "\n")
            counts: Counter = Counter()
            matched = 0
            found: list[Result] = []
            ahead = self.concurrency + READ_AHEAD
            # while the provider's side is spilled, the first shard's journals are read whole, and
            # up to PACKED_ROWS more packed
            reads = _Reads(pool, partial(payrail_range, self.ledger, run.provider), ranges,
                           max(ahead, len(ranges)) if spilling else ahead,
                           PACKED_ROWS // RANGE_ROWS if spilling else 0)
            try:
                spills = spilling.result() if spilling else None
                reads.ahead = ahead
                self._still_running(run.run_id)
                for shard in range(SHARDS):  # one shard matched at a time, its journals streamed as they are read
                    mine = reads.shard(shard)
                    if spills is None:
                        mine = list(mine)
                        theirs = self._lookups(run.provider, mine, pool)
                    else:
                        theirs = read_spill(spills[shard])
                    for res in match(mine, theirs, window):
                        if res.cls is MATCHED and res.provider is not None and res.payrail is not None:
                            matched += 1  # most rows: neither looked up, deferred nor a break
                            write(_line(res) or _csv_line(res))
                            continue
                        if res.payrail is None and res.cls == C.UNKNOWN_TO_PAYRAIL and res.key[1]:
                            res = self._outside(run.provider, res)
                            if res.cls == C.MATCHED and not window.owns(res.payrail.at):
                                continue  # another day's transfer booked in this one: reported by its day
                        res = defer(res, since, cutoff)
                        if res.cls == C.DEFERRED:
                            deferred.append(res.payrail)
                        counts[res.cls] += 1
                        write(_csv_line(res))
                        if res.cls in BREAKS:
                            found.append(res)
                    del mine, theirs
                    if spills is not None:
                        os.unlink(spills[shard])  # matched: its disk space is the report's
                    if not self.runs.count_shard(run.run_id, shard):
                        raise _Cancelled  # no longer RUNNING: cancelled
                # the previous day's deferred transfers
                for res in carry_over(carried.values(), read_spill(spills[SHARDS]) if spills else ()):
                    counts[res.cls] += 1
                    write(_csv_line(res))
                    if res.cls in BREAKS:
                        found.append(res)
            finally:
                reads.cancel()
                report.close()
            counts[C.MATCHED] += matched
            self._keep_deferred(run, deferred)
            drift = self._float(run.provider) if run.provider in self.momo else None
            self._still_running(run.run_id)
            key = report_key(run.run_id)
            self._upload(key, report.name)
        for res in found:
            self.exceptions.create(self._exception(run, res))
        if drift is not None and drift["drift"]:
            counts[C.FLOAT_DRIFT] += 1
            self.exceptions.create(self._float_exception(run, drift))
        rows = sum(n for c, n in counts.items() if c != C.FLOAT_DRIFT)
        sets = {"counts": {str(c): counts.get(c, 0) for c in BreakClass}, "rows": rows, "report_key": key,
                "float": drift}
        if not self._move(self.get(run.run_id), (RS.RUNNING,), RS.COMPLETED, sets):
            raise _Cancelled
        return self.get(run.run_id)

    def _still_running(self, run_id: str) -> None:
        if self.get(run_id).status != RS.RUNNING:
            raise _Cancelled

    def _spill(self, run: ReconciliationRun, window: Window, tmp: str, ranges: list,
               carried: dict | None = None) -> list[str]:
        """Read the provider's side once (its statement API, or the inbox files of the days read)
        into one file per shard of the transfer id, and one more (the last) for the records of
        ``carried`` transfers (the previous day's deferred ones, by key); records outside the
        window and its grace are left out (a settlement file's up to the booking grace past the
        end are kept; of those, one naming only a key when it maps to a transfer of the window).
        A record naming only the provider's key for a transfer (a provider that keeps a uuid of
        payrail's id, not the id) is mapped back to payrail's transfer id through the
        keys of payrail's transfers in the window's ``ranges`` (``Connector.transfer_key``), else
        through the main table's ``by_provider_key`` index; one that maps to none stays without an
        id (``unknown_to_payrail``)."""
        paths = [os.path.join(tmp, f"provider-{s:02d}.spill") for s in range(SHARDS + 1)]
        writers = [SpillWriter(p) for p in paths]
        carried = carried or {}
        wide = self._read_window(run, window)
        try:
            def spill(r: ProviderRecord, at: str) -> None:
                shard = SHARDS if (r.kind, r.transfer_id) in carried else shard_of(r.transfer_id, SHARDS) \
                    if r.transfer_id else 0
                writers[shard].write(spill_row(r, at))
            keyed_only: list[ProviderRecord] = []
            late: set[int] = set()  # keyed_only's records past the grace (kept only when they map back)
            reads = wide.reads
            for r in self._provider_side(run, wide):
                at = iso(r.booked_at)
                if not reads(at):
                    continue
                if r.transfer_id is None and r.transfer_key is not None:
                    if not window.reads(at):
                        late.add(len(keyed_only))
                    keyed_only.append(r)
                else:
                    spill(r, at)
            if keyed_only:
                key = self.connector(run.provider).transfer_key
                keys = {key(p.transfer_id): p.transfer_id for shard in range(SHARDS)
                        for p in payrail_records(self.ledger, run.provider, shard, ranges)}
                keys |= {key(p.transfer_id): p.transfer_id for p in carried.values()}
                for n, r in enumerate(map_back(keyed_only, keys)):
                    if r.transfer_id or n not in late:
                        spill(r if r.transfer_id else self._by_key(run.provider, r), iso(r.booked_at))
        finally:
            for w in writers:
                w.close()
        return paths

    # ---- next-day bookings (settlement files) --------------------------------------------------
    def _read_window(self, run: ReconciliationRun, window: Window) -> Window:
        """The window the provider's side is read over: a settlement-file run's reaches the booking
        grace past its end when that is longer than the grace (the bookings of the day's last
        transfers the next day's file holds)."""
        if run.source != "settlement_file" or self.booking_grace <= window.grace_seconds:
            return window
        return Window(window.start, window.end, self.booking_grace)

    def _deferrable(self, run: ReconciliationRun, window: Window) -> tuple[str, str]:
        """``(since, cutoff)``: the ISO range in which payrail's ending of a transfer the provider's
        side does not hold defers it (:func:`payrail.reconciliation.matcher.defer`): the booking
        grace before the window's end for a settlement-file run while the next day's file is not in
        the inbox (asked before the files are read); empty otherwise."""
        cutoff = iso(window.end)
        if run.source != "settlement_file" or not self.booking_grace:
            return cutoff, cutoff
        try:
            self.s3.head_object(Bucket=self.bucket, Key=inbox_key(run.provider, window.end.date().isoformat()))
            return cutoff, cutoff  # the next day's file is in: what it does not hold is a break now
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
        return iso(window.end - timedelta(seconds=self.booking_grace)), cutoff

    def _carried(self, run: ReconciliationRun) -> dict[tuple[str, str], PayrailRecord]:
        """The transfers the run of the day before this window deferred (``{key: record}``; empty
        when it deferred none or has not run)."""
        day = (date.fromisoformat(run.from_) - timedelta(days=1)).isoformat()
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=deferred_key(run.provider, day))["Body"]
        except self.s3.exceptions.NoSuchKey:
            return {}
        out = {}
        for row in csv.reader(line.decode() for line in body.iter_lines()):
            if row and row[0] != PayrailRecord._fields[0]:
                p = PayrailRecord(*row[:4], int(row[4]), *row[5:])
                out[p.key] = p
        return out

    def _keep_deferred(self, run: ReconciliationRun, deferred: list[PayrailRecord]) -> None:
        """Keep the run's deferred transfers for the next day's run (none: any kept by an earlier
        run of the same day removed, since this run classified them)."""
        if run.source != "settlement_file":
            return
        key = deferred_key(run.provider, run.to)
        if not deferred:
            self.s3.delete_object(Bucket=self.bucket, Key=key)
            return
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(PayrailRecord._fields)
        w.writerows(deferred)
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=out.getvalue().encode(), ContentType="text/csv")

    def _by_key(self, provider: str, r: ProviderRecord) -> ProviderRecord:
        """A record naming only a key no transfer of the window has (a transfer payrail ended on
        another day, booked by the provider in this one) with payrail's transfer id found through
        the main table's ``by_provider_key`` index; unchanged when payrail never sent that key."""
        for item in self.main.by_provider_key(r.transfer_key):
            if item.get("provider") == provider and item.get("transfer_id"):
                return r.model_copy(update={"transfer_id": item["transfer_id"]})
        return r

    def _provider_side(self, run: ReconciliationRun, window: Window) -> Iterator[ProviderRecord]:
        conn = self.connector(run.provider)
        if run.source == "list_api":
            yield from conn.statement(window.read_from, window.read_to)
            return
        own = getattr(conn, "parse_statement_file", None)
        for day in days(window):
            try:
                body = self.s3.get_object(Bucket=self.bucket, Key=inbox_key(run.provider, day))["Body"]
            except self.s3.exceptions.NoSuchKey:
                continue
            from payrail.settlement.service import _Reader
            lines = io.TextIOWrapper(io.BufferedReader(_Reader(body.iter_chunks(1 << 20)), 1 << 20), encoding="utf-8",
                                     newline="")
            header = next(lines, "")
            generic = own is None or header.strip().lstrip("\ufeff") == ",".join(GENERIC_COLUMNS)
            parse = (lambda x: generic_rows(x, run.provider)) if generic else own
            yield from parse(itertools.chain([header], lines))

    def _lookups(self, provider: str, mine: list[PayrailRecord], pool) -> Iterator[ProviderRecord]:
        """The ``status_lookup`` source: ask the provider about each of payrail's transfers (on
        ``pool``'s threads): a reversal (a refund) by the connector's ``reversal_status``, any other
        transfer by its ``status``."""
        conn = self.connector(provider)

        def ask(p: PayrailRecord) -> ProviderRecord | None:
            look = conn.reversal_status if p.kind == "reversal" else conn.status
            return from_status(p, look(p.transfer_id), datetime.fromisoformat(p.at.replace("Z", "+00:00")))
        return (r for r in pool.map(ask, mine) if r is not None)

    def _outside(self, provider: str, res: Result) -> Result:
        """A provider's record payrail's window does not hold: payrail's transfer found by its
        journal ids (ended outside the window, or still held), classified with it."""
        p = open_transfer(self.ledger, provider, res.key[0], res.key[1])
        return res if p is None else Result(classify(p, res.provider), res.key, p, res.provider)

    def _float(self, provider: str) -> dict:
        """The provider's float against the ledger's, at the run's cut-off (now)."""
        bal = self.connector(provider).balance()
        balance = bal if isinstance(bal, ProviderBalance) else ProviderBalance(
            provider=provider, amount=int(bal), currency=self.float_currency, at=clock.utcnow())
        ledger = self.ledger_float(provider)
        return {"provider_balance": balance.amount, "ledger": ledger, "currency": self.float_currency,
                "drift": float_drift(balance, ledger, self.float_currency), "at": iso(balance.at)}

    def ledger_float(self, provider: str) -> int:
        """The sum over merchants of ``momo_float`` + ``momo_held`` at ``provider`` (minor units):
        the merchants from the main table, their accounts in batches."""
        ids: list[str] = []
        kw = dict(TableName=self.main.table, FilterExpression="#t = :m", ProjectionExpression="merchant_id",
                  ExpressionAttributeNames={"#t": "type"}, ExpressionAttributeValues={":m": ddb.value("merchant")})
        while True:
            r = self.main.db.scan(**kw)
            for it in r["Items"]:
                mid = it["merchant_id"]["S"]
                ids += [account_id(mid, k, self.float_currency, owner=provider) for k in ("momo_float", "momo_held")]
            if "LastEvaluatedKey" not in r:
                break
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        total = 0
        for i in range(0, len(ids), 100):
            total += sum(a["balance"] for a in self.ledger.get_accounts(ids[i:i + 100]).values())
        return total

    def _upload(self, key: str, path: str) -> None:
        """Upload the report file ``path`` to ``key``, in parts read from the file as they are
        sent (a few parts in memory, whatever the report's size)."""
        self.s3.upload_file(path, self.bucket, key, ExtraArgs={"ContentType": "text/csv"},
                            Config=TransferConfig(multipart_threshold=UPLOAD_PART_BYTES,
                                                  multipart_chunksize=UPLOAD_PART_BYTES, max_concurrency=2))

    # ---- exceptions ------------------------------------------------------------------------
    def _exception(self, run: ReconciliationRun, res: Result) -> dict:
        p, r = res.payrail, res.provider
        extra = r.provider_reference or iso(r.booked_at) if (r is not None and res.cls == C.UNKNOWN_TO_PAYRAIL) else ""
        return {"exception_id": exception_id(run.provider, res.cls, res.key[0], res.key[1], extra or ""),
                "run_id": run.run_id, "class": str(res.cls), "provider": run.provider, "transfer_id": res.key[1],
                "merchant_id": p.merchant_id if p else None, "created_at": now_iso(),
                "evidence": {"payrail": _payrail(p), "provider": [r.model_dump(mode="json")] if r else [],
                             "journal_ids": [p.journal_id] if p else []}}

    def _float_exception(self, run: ReconciliationRun, drift: dict) -> dict:
        return {"exception_id": exception_id(run.provider, C.FLOAT_DRIFT, "float", run.to, str(drift["drift"])),
                "run_id": run.run_id, "class": str(C.FLOAT_DRIFT), "provider": run.provider, "transfer_id": None,
                "merchant_id": None, "created_at": now_iso(), "evidence": {"float": drift, "journal_ids": []}}

    def get_exception(self, exception_id_: str) -> ReconciliationException:
        """Raises NotFound."""
        exc = self.exceptions.get(exception_id_)
        if exc is None:
            raise NotFound("reconciliation exception not found", param="exception_id")
        return exc

    def exception_page(self, *, limit: int = 10, starting_after: str | None = None, cls: str | None = None,
                       provider: str | None = None, status: str | None = None) -> Page[ReconciliationException]:
        """Exceptions newest first, filtered by class, provider and status (``open``/``resolved``)."""
        where = {k: v for k, v in (("class", cls), ("provider", provider),
                                   ("status", status.upper() if status else None)) if v}
        out = self.exceptions.page(limit, starting_after, where)
        return Page([ReconciliationException.model_validate(i) for i in out["data"]], out["has_more"])

    def resolve(self, exception_id_: str, resolution: str, reason: str, operator: str = "admin",
                _tries: int = 3) -> ReconciliationException:
        """Resolve an OPEN exception with ``resolution`` (one the class accepts,
        :data:`payrail.reconciliation.model.RESOLUTIONS`) and the operator's ``reason``; where
        money moves, one balanced journal ``recon:<exception_id>`` in the same transaction.
        Repeating the same resolution returns the exception as resolved.

        Raises:
            NotFound; ValidationFailed (a resolution the class does not accept);
            Conflict (``already_resolved``: resolved otherwise; ``insufficient_funds``: the
            reversal would take an account below zero).
        """
        exc = self.get_exception(exception_id_)
        res = Resolution(resolution)
        if res not in RESOLUTIONS[exc.cls]:
            raise ValidationFailed(f"a {exc.cls} exception is resolved by one of "
                                   f"{[str(r) for r in RESOLUTIONS[exc.cls]]}", param="resolution")
        if exc.status == XS.RESOLVED:
            if exc.resolution == res:
                return exc
            raise Conflict(f"the exception was already resolved ({exc.resolution})", code="already_resolved")
        item = self.exceptions.item(exception_id_)
        journal = self._journal(exc, res)
        sets = {"resolution": str(res), "reason": reason[:500], "resolved_by": operator,
                "journal_id": journal.journal_id if journal else None}
        actions = self.exceptions.resolve_actions(item, sets, f"{res}: {reason}"[:500])
        try:
            if journal is None:
                self.main.db.transact_write_items(TransactItems=actions)
            else:
                self.ledger.post(journal, opens=self._opens(journal), extra=actions)
        except (ExtraConditionFailed, self.main.db.exceptions.TransactionCanceledException):
            if _tries <= 1:
                raise Conflict("the exception changed meanwhile; retry", code="invalid_state") from None
            return self.resolve(exception_id_, resolution, reason, operator, _tries - 1)  # resolved meanwhile?
        except InsufficientFunds as err:
            raise Conflict(f"the resolution cannot be posted: {err.message}", code="insufficient_funds") from None
        return self.get_exception(exception_id_)

    def _journal(self, exc: ReconciliationException, res: Resolution) -> Journal | None:
        """The resolution's journal (None: no money moves)."""
        if res == Resolution.ACKNOWLEDGE:
            return None
        p = exc.evidence.get("payrail") or {}
        jid, mid, cur, amount = f"recon:{exc.exception_id}", p["merchant_id"], p["currency"], p["amount"]
        meta = {"exception_id": exc.exception_id, "class": str(exc.cls), "resolution": str(res),
                "transfer_id": exc.transfer_id, "provider": exc.provider}
        if res == Resolution.REVERSE_CAPTURE:
            ended = self.ledger.get_journal(p["journal_id"])
            if ended is None:
                raise NotFound("the captured journal is gone", param="exception_id")
            postings = [Posting(_unhold(leg["account_id"]), -leg["amount"]) for leg in ended["postings"]]
            return Journal(jid, "reconciliation_reverse_capture", mid, cur, postings, metadata=meta)
        sent = account_id(mid, "momo_sent", cur, owner=exc.provider) if exc.provider in self.momo \
            else account_id(mid, "payouts", cur)
        other = account_id(PLATFORM, RECEIVABLE if res == Resolution.RECEIVABLE else LOSS, cur)
        return Journal(jid, f"reconciliation_{res}", mid, cur, [Posting(sent, amount), Posting(other, -amount)],
                       metadata=meta)

    @staticmethod
    def _opens(j: Journal) -> list[AccountSpec]:
        out = []
        for p in j.postings:
            merchant, kind, *rest = p.account_id.split(":")
            owner = rest[0] if len(rest) == 2 else None
            floor = UNBOUNDED if kind in (RECEIVABLE, LOSS, "payouts") else NON_NEGATIVE
            out.append(AccountSpec(p.account_id, merchant, j.currency, kind, floor, owner))
        return out


def _unhold(aid: str) -> str:
    parts = aid.split(":")
    parts[1] = _UNHOLD.get(parts[1], parts[1])
    return ":".join(parts)


def _payrail(p: PayrailRecord | None) -> dict | None:
    return None if p is None else p._asdict()


def _line(res: Result) -> str | None:
    """The report's line (:data:`CSV_COLUMNS`) of a matched transfer with both sides, written
    without the csv module when none of its values needs quoting (no comma, quote or line break:
    what the csv module would write too); None when one does."""
    p, r = res.payrail, res.provider
    line = (f"{p.transfer_id},{p.kind},matched,{p.merchant_id},{p.outcome},{p.amount},{p.currency},{p.at},"
            f"{p.journal_id},{r.status},{r.amount},{r.currency},{r.provider_reference or ''},{iso(r.booked_at)}\n")
    if line.count(",") != _COMMAS or '"' in line or "\r" in line or line.find("\n") != len(line) - 1:
        return None
    return line


def _csv_line(res: Result) -> str:
    """The report's line (:data:`CSV_COLUMNS`) of any result, written by the csv module (a CRLF
    terminator makes it quote a value holding a CR or an LF; the line ends with an LF alone)."""
    p, r = res.payrail, res.provider
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(
        [res.key[1] or "", res.key[0], str(res.cls), p.merchant_id if p else "", p.outcome if p else "",
         p.amount if p else "", p.currency if p else "", p.at if p else "", p.journal_id if p else "",
         r.status if r else "", r.amount if r else "", r.currency if r else "",
         (r.provider_reference or "") if r else "", iso(r.booked_at) if r else ""])
    return out.getvalue()[:-2] + "\n"

