"""Settlement: per merchant, UTC day and currency, the gross, fee, net and count of captured
orders in a window, written as one CSV to S3.

A job is created QUEUED (by the API or the daily schedule); the state machine
(``infra/asl/settlement.asl.json``) moves it to RUNNING in its first step and ends it COMPLETED
or FAILED; QUEUED and RUNNING jobs can be cancelled (CANCELLING, then CANCELLED). A job the API
created and whose execution was never started (the request died in between, and its client never
retried) is started by the settlement sweep once :data:`START_GRACE_SECONDS` have passed, and a
cancel that died between CANCELLING and CANCELLED is finished by it
(:meth:`Settlements.start_unstarted`), so no job stays QUEUED or CANCELLING holding its scope's slot.

* ``plan`` cuts the window into **slices**: per UTC day, the 16 shards of the sparse settlement
  index, each cut into ``parts`` equal time ranges of the day (:meth:`Ledger.settlement_query`),
  ``parts`` chosen per day from a small sample of the index so that a slice holds about
  :data:`SLICE_ROWS` captures. Writers never change: a big day fans out wider by reading finer,
  and every old row and job stays readable. The slice list (the manifest) goes to S3; up to
  :data:`INLINE_MAX_SLICES` slices run in an inline Map (their list travels in the state), more
  in a Distributed Map that reads the manifest from S3.
* ``aggregate`` sums one slice, streaming the index page by page, into a partial file
  ``settlements/parts/<job>/<slice>.csv`` (``merchant_id,currency,gross,fee,count``, one line per
  merchant and currency); a worker holds one entry per merchant and currency, never the rows.
* ``finalize`` first claims the job's report (a conditional write while the job is RUNNING):
  from then on the job can no longer be cancelled, so a file is only ever written for a job that
  will complete. It then merges the partials day by day and streams the CSV to S3 (a multipart
  upload once it passes 8 MiB), rows ordered by date, merchant, currency; the download link exists
  only once the job is COMPLETED, which is written after the file is complete. A finalize that
  dies anywhere is retried by the workflow and writes the same file again.

Progress is the set of finished slices (a string-set ADD, so a retried slice counts once; only
while the job runs). Cancel (before the report is claimed) stops the execution; a slice in flight
finishes without counting, and a finalize finds the job cancelled before it claims: a cancelled job
never has a CSV.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import math
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from itertools import groupby
from typing import Callable, Iterator

from boto3.s3.transfer import TransferConfig

from payrail.core import clock
from payrail.core.entity import construct
from payrail.core.errors import Conflict, NotFound, ValidationFailed
from payrail.core.events import EventLog
from payrail.core.idempotency import check_fingerprint
from payrail.core.ids import random_id
from payrail.core.ledger import Ledger, now_iso
from payrail.core.store import SETTLEMENT, SETTLEMENT_ALL as ALL, MainTable, due
from payrail.settlement.model import LIFECYCLE, SS, SettlementJob, SettlementStatus
from payrail.settlement.records import SettlementRecords, SlotsTaken
from payrail.settlement.workflow import NotStarted, Planned, Slice, SliceResult

CSV_COLUMNS = ["merchant_id", "date", "currency", "gross", "fee", "net", "txn_count"]
QUEUED, RUNNING, CANCELLING, CANCELLED, COMPLETED, FAILED = SS.QUEUED, SS.RUNNING, SS.CANCELLING, SS.CANCELLED, \
    SS.COMPLETED, SS.FAILED
MAX_DAYS = 366
#: seconds after its creation by the API by which a job's execution should have started it: past
#: them, the settlement sweep starts it (a start is idempotent: the execution is named after the job)
START_GRACE_SECONDS = 60
#: captures one slice should hold: a few 1 MB pages of the index, well under a second of reading
#: and summing for a 1 GB Lambda. Slices of a few pages also keep DynamoDB Local linear: it
#: re-reads the rest of a key range for every page (measured: a 12,500-row partition read in 7
#: pages took 18 s, its twelfth in one page 0.09 s), so a whole-partition read grows with the
#: square of the partition
SLICE_ROWS = 5_000
#: at most this many time ranges per shard and day (a slice of a day's shard is at least 15 minutes)
MAX_PARTS = 96
#: at most this many slices per job: keeps the progress set and the Map results small
MAX_SLICES = 10_000
#: inline Map runs at most 40 iterations at once and carries its items in the state (256 KB);
#: beyond this the Distributed Map reads the manifest from S3
INLINE_MAX_SLICES = 40
#: the final CSV goes up in parts of this size (S3's multipart minimum is 5 MiB)
UPLOAD_PART_BYTES = 8 * 1024 * 1024


class IncompleteSlices(Exception):
    """Finalize found fewer finished slices than planned (a slice failed for good)."""


def parse_window(start: str, end: str) -> tuple[date, date]:
    """Inclusive window of UTC dates ``YYYY-MM-DD``. Raises ValidationFailed."""
    try:
        a, b = date.fromisoformat(start), date.fromisoformat(end)
    except (TypeError, ValueError):
        raise ValidationFailed("from and to must be dates YYYY-MM-DD", param="from") from None
    if b < a:
        raise ValidationFailed("to must not be before from", param="to")
    if (b - a).days >= MAX_DAYS:
        raise ValidationFailed(f"window longer than {MAX_DAYS} days", param="to")
    return a, b


class Settlements:
    """Settlement jobs (main table), slices over the ledger index, partial and final files in S3.

    Args:
        max_active: jobs one scope (a merchant, or the admin's ALL) may have QUEUED, RUNNING or
            CANCELLING at once. A per-scope counter item (``SETTLEMENT_SLOTS#<scope>``) is
            incremented in the transaction that creates a job and decremented in the one that
            ends it, so the bound holds under concurrent requests; scheduled jobs are never refused.
    """

    def __init__(self, ledger: Ledger, main: MainTable, s3, bucket: str, max_active: int = 2,
                 events: EventLog | None = None):
        self.ledger, self.main, self.s3, self.bucket = ledger, main, s3, bucket
        self.records = SettlementRecords(main, events)
        self.max_active = max_active
        self.events = events

    # ---- jobs ----------------------------------------------------------------------------
    def create_job(self, scope: str, start: str, end: str, job_id: str | None = None,
                   trigger: str = "api", fingerprint: str | None = None) -> tuple[SettlementJob, bool]:
        """Create a QUEUED job for ``scope`` (a merchant id or ALL). ``(job, created)``.

        Args:
            job_id: derived from an idempotency key (or the schedule); an existing job with this
                id is returned (``created`` False) when ``fingerprint`` matches. Otherwise a random
                id, so jobs started in the same instant never share one.

        Raises:
            ValidationFailed: bad window. Conflict (``too_many_jobs``): ``max_active`` jobs run.
            IdempotencyMismatch: ``job_id`` names a job created by another request.
        """
        a, b = parse_window(start, end)
        job_id = job_id or random_id("stl")
        if self._existing(scope, job_id, fingerprint):
            return self.get(scope, job_id), False
        job = self.records.new(job_id, scope, a.isoformat(), b.isoformat(), self.ledger.shards,
                               ((b - a).days + 1) * self.ledger.shards, trigger, now_iso())
        scheduled = trigger == "schedule"  # created by its own execution's first step: no start to watch
        start_by = None if scheduled else clock.iso(clock.now() + START_GRACE_SECONDS)
        try:
            if not self.records.create(job, None if scheduled else self.max_active, fingerprint, start_by):
                self._existing(scope, job_id, fingerprint)
                return self.get(scope, job_id), False
        except SlotsTaken:
            raise Conflict(f"{self.max_active} settlement jobs are already running; wait for one to finish "
                           "or cancel one", code="too_many_jobs") from None
        return self.get(scope, job_id), True

    def _existing(self, scope: str, job_id: str, fingerprint: str | None) -> bool:
        """Whether the job exists; raises IdempotencyMismatch when another request created it."""
        job, stored = self.records.stored(scope, job_id)
        if job is not None:
            check_fingerprint({"request_fingerprint": stored}, fingerprint)
        return job is not None

    def get(self, scope: str, job_id: str) -> SettlementJob:
        """The job with ``slices_done`` (a count) and ``progress`` (0..1). Raises NotFound."""
        j = self.records.get(scope, job_id)
        if not j:
            raise NotFound("settlement job not found", param="job_id")
        return j

    def _status(self, scope: str, job_id: str) -> SettlementStatus | None:
        return self.records.status(scope, job_id)

    def attach_execution(self, scope: str, job_id: str, execution_arn: str) -> None:
        """Remember the workflow execution of a job (so cancel can stop it)."""
        self.records.attach_execution(scope, job_id, execution_arn)

    def cancel(self, scope: str, job_id: str, stop_execution: Callable[[SettlementJob], None]) -> SettlementJob:
        """Cancel a QUEUED or RUNNING job: mark it CANCELLING, stop its workflow execution with
        ``stop_execution(job)``, then mark it CANCELLED. Slices still in flight see CANCELLING
        and skip; an execution that starts later ends in its first step.

        Raises:
            NotFound; Conflict (``job_not_running``) when the job already finished, or its finalize
            has claimed its report.
        """
        finish_by = clock.iso(clock.now() + START_GRACE_SECONDS)  # the sweep finishes a cancel that died
        try:
            job = self._move(self.get(scope, job_id), (QUEUED, RUNNING), CANCELLING, due(SETTLEMENT, job_id, finish_by),
                             detail="cancel requested", guard=self.records.NOT_CLAIMED)
        except Conflict:
            if self._status(scope, job_id) == RUNNING:
                raise Conflict("the job's report is already being written; it can no longer be cancelled",
                               code="job_not_running") from None
            raise Conflict("job is not running", code="job_not_running") from None
        stop_execution(job)
        self._mark_cancelled(scope, job_id)
        return self.get(scope, job_id)

    def start_unstarted(self, start: Callable[[SettlementJob], bool],
                        stop: Callable[[SettlementJob], None]) -> dict[str, int]:
        """The settlement sweep, over every job past its deadline (:data:`START_GRACE_SECONDS`
        after the API created it, or after a cancel asked for it):

        * still QUEUED: started with ``start(job)`` (start its execution, named after the job: True
          when it runs, False when an execution of that name has already ended); a job whose
          execution ended without starting it is marked FAILED (its slot given back);
        * still CANCELLING (the cancel died between its writes): ``stop(job)`` stops its execution
          and it is marked CANCELLED (its slot given back), as the cancel would have.

        Each job's deadline is then removed, whatever its status; a sweep that dies leaves it armed
        for the next. Returns counts: ``{"started": n, "failed": n, "cancelled": n, "checked": n}``.
        """
        counts = {"started": 0, "failed": 0, "cancelled": 0, "checked": 0}
        for seen in self.records.past_start_by(clock.now_iso()):
            job = self.records.get(seen.scope, seen.job_id)
            if job is not None and job.status == CANCELLING:
                stop(job)
                self._mark_cancelled(job.scope, job.job_id)
                counts["cancelled"] += 1
            elif job is not None and job.status == QUEUED:
                if start(job):
                    counts["started"] += 1
                else:
                    with contextlib.suppress(Conflict):  # it left QUEUED meanwhile: its execution did start it
                        self._end(self.get(job.scope, job.job_id), (QUEUED,), FAILED,
                                  {"failure_reason": "its workflow execution ended before starting it"})
                        counts["failed"] += 1
            counts["checked"] += 1
            self.records.disarm(seen.scope, seen.job_id)
        return counts

    def download_url(self, job: SettlementJob, expires_seconds: int) -> str | None:
        """A presigned GET of the CSV once the job is COMPLETED (the file is complete by then)."""
        if job.status != COMPLETED:
            return None
        return self.s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": job.report_key},
                                              ExpiresIn=expires_seconds)

    def with_download_url(self, job: SettlementJob, expires_seconds: int) -> SettlementJob:
        """``job`` with its presigned ``download_url`` (None until COMPLETED)."""
        return job.model_copy(update={"download_url": self.download_url(job, expires_seconds)})

    # ---- the workflow steps ---------------------------------------------------------------
    def plan(self, scope: str, job_id: str, concurrency: int) -> Planned | NotStarted:
        """Cut the job into slices, write the manifest (the slices' list, JSON) to S3 and move the
        job QUEUED → RUNNING.

        Returns the :class:`~payrail.settlement.workflow.Planned` job with either its ``slices``
        (at most :data:`INLINE_MAX_SLICES`, for the inline Map) or the ``bucket`` and
        ``manifest_key`` (for the Distributed Map's S3 item reader); :class:`NotStarted` when the
        job was cancelled (or had ended) before it started.
        """
        job = self.get(scope, job_id)
        if job.status not in (QUEUED, RUNNING):
            if job.status == CANCELLING:
                self._mark_cancelled(scope, job_id)
            return NotStarted(scope=scope, job_id=job_id)
        slices = plan_slices(self.ledger, job.from_, job.to, job.shards)
        manifest_key = self._manifest_key(job_id)
        self.s3.put_object(Bucket=self.bucket, Key=manifest_key, Body=json.dumps([s.message() for s in slices]).encode(),
                           ContentType="application/json")
        try:
            if job.status == QUEUED:
                self._move(job, (QUEUED,), RUNNING, {"slices_total": len(slices)})
            elif not self.records.replan(scope, job_id, len(slices)):  # a retried plan: the job already runs
                raise Conflict("the job no longer runs")
        except Conflict:
            return self.plan(scope, job_id, concurrency)  # cancelled meanwhile: see its new status
        if len(slices) <= INLINE_MAX_SLICES:
            return Planned(scope=scope, job_id=job_id, slices_total=len(slices), concurrency=concurrency,
                           slices=slices)
        return Planned(scope=scope, job_id=job_id, slices_total=len(slices), concurrency=concurrency,
                       bucket=self.bucket, manifest_key=manifest_key)

    def aggregate(self, scope: str, job_id: str, piece: Slice) -> SliceResult:
        """Sum one slice (as :meth:`plan` made it) into its partial file in S3 and count it done,
        if the job still runs (a slice that started before a cancel finishes but counts for nothing;
        no slice starts after one: cancel stops the execution). The result is ``skipped`` when the
        job was no longer RUNNING.
        """
        acc: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        n = 0
        for mid, cur, gross, fee in self.ledger.settlement_rows(piece.date, piece.shard, piece.part,
                                                                piece.parts, None if scope == ALL else scope):
            a = acc[mid, cur]
            a[0] += gross
            a[1] += fee
            a[2] += 1
            n += 1
        body = "".join(f"{m},{c},{g},{f},{k}\n" for (m, c), (g, f, k) in sorted(acc.items()))
        self.s3.put_object(Bucket=self.bucket, Key=self._part_key(job_id, piece.slice), Body=body.encode(),
                           ContentType="text/csv")
        return SliceResult(rows=n, skipped=not self.records.count_slice(scope, job_id, piece.slice))

    def finalize(self, scope: str, job_id: str) -> SettlementJob:
        """Claim the job's report, merge the partials into ``settlements/<job_id>.csv`` and complete
        the job; a job cancelled before the claim is marked CANCELLED instead, with no file written.
        Returns the job.

        Raises:
            IncompleteSlices: fewer slices finished than planned (the workflow marks the job FAILED).
        """
        job = self.get(scope, job_id)
        if job.status == RUNNING and job.slices_done < job.slices_total:
            raise IncompleteSlices(f"{job.slices_done} of {job.slices_total} slices finished")
        if job.status != RUNNING or not self.records.claim_report(scope, job_id):
            if self._status(scope, job_id) == CANCELLING:
                self._mark_cancelled(scope, job_id)
            return self.get(scope, job_id)
        manifest = [construct(Slice, s) for s in json.loads(
            self.s3.get_object(Bucket=self.bucket, Key=self._manifest_key(job_id))["Body"].read())]
        report_key = f"settlements/{job_id}.csv"
        sums = {"gross": 0, "fee": 0, "net": 0, "txn_count": 0, "rows": 0}

        def csv_bytes() -> Iterator[bytes]:
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(CSV_COLUMNS)
            for day, group in groupby(manifest, key=lambda s: s.date):
                for (mid, cur), (g, f, c) in sorted(self._day_totals(job_id, [s.slice for s in group]).items()):
                    w.writerow([mid, day, cur, g, f, g - f, c])
                    for k, v in (("gross", g), ("fee", f), ("net", g - f), ("txn_count", c), ("rows", 1)):
                        sums[k] += v
                yield buf.getvalue().encode()
                buf.seek(0)
                buf.truncate()

        self.s3.upload_fileobj(io.BufferedReader(_Reader(csv_bytes())), self.bucket, report_key,
                               ExtraArgs={"ContentType": "text/csv"},
                               Config=TransferConfig(multipart_threshold=UPLOAD_PART_BYTES,
                                                     multipart_chunksize=UPLOAD_PART_BYTES, max_concurrency=2))
        rows = sums.pop("rows")
        with contextlib.suppress(Conflict):  # a twin of this step (a retry) completed it with the same file
            self._end(self.get(scope, job_id), (RUNNING,), COMPLETED,
                      {"report_key": report_key, "rows": rows, "totals": sums})
        return self.get(scope, job_id)

    def _day_totals(self, job_id: str, slices: list[int], batch: int = 8) -> dict[tuple[str, str], list[int]]:
        """``{(merchant_id, currency): [gross, fee, count]}`` over one day's partials, read
        ``batch`` at a time (one entry per merchant and currency is held, not the partials)."""
        totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        read = lambda n: self.s3.get_object(Bucket=self.bucket, Key=self._part_key(job_id, n))["Body"].read()  # noqa: E731
        with ThreadPoolExecutor(batch) as pool:
            for i in range(0, len(slices), batch):
                for body in pool.map(read, slices[i:i + batch]):
                    for line in body.decode().splitlines():
                        mid, cur, g, f, c = line.split(",")
                        t = totals[mid, cur]
                        t[0] += int(g)
                        t[1] += int(f)
                        t[2] += int(c)
        return totals

    def _end(self, job: SettlementJob, from_status: tuple[str, ...], to_status: str, sets: dict | None = None) -> None:
        """Move a job to a final status and free its slot, in one transaction.

        Raises:
            Conflict: the job is not in ``from_status``.
        """
        self._move(job, from_status, to_status, sets, extra=[self.records.free_slot_action(job.scope)])

    def _move(self, job: SettlementJob, from_status: tuple[str, ...], to_status: str, sets: dict | None = None,
              detail: str | None = None, extra: list[dict] = (), guard: str | None = None) -> SettlementJob:
        """Move ``job`` (as :meth:`get` read it) from one of ``from_status`` to ``to_status`` with
        ``extra`` actions and, for a merchant's job, its ``settlement.*`` event, in one
        transaction (``guard``: one more condition on the job's item); when another change of the
        job came first, read it again and retry while it is still in ``from_status``. Returns the
        job after the move.

        Raises:
            Conflict (``invalid_state``): the job is not in ``from_status``.
        """
        LIFECYCLE.check(from_status, to_status)  # a move the table lacks is a bug: IllegalMove, nothing written
        scope, job_id = job.scope, job.job_id
        for _ in range(5):
            if job.status not in from_status:
                break
            if self.records.transition(job, from_status, to_status, sets, detail, extra, guard):
                return self.get(scope, job_id)
            job = self.get(scope, job_id)
        raise Conflict(f"{self.records.key(scope, job_id)} is not in {from_status}", code="invalid_state")

    def _mark_cancelled(self, scope: str, job_id: str) -> None:
        """CANCELLING -> CANCELLED; a no-op when the job already left CANCELLING."""
        with contextlib.suppress(Conflict):
            self._end(self.get(scope, job_id), (CANCELLING,), CANCELLED)

    def fail(self, scope: str, job_id: str, reason: str) -> SettlementJob:
        """Mark the job FAILED with ``reason`` (its first 500 characters) unless it already ended;
        returns the job."""
        with contextlib.suppress(Conflict):  # already finished: keep its outcome
            self._end(self.get(scope, job_id), (QUEUED, RUNNING, CANCELLING), FAILED,
                      {"failure_reason": reason[:500]})
        return self.get(scope, job_id)

    @staticmethod
    def _manifest_key(job_id: str) -> str:
        return f"settlements/parts/{job_id}/manifest.json"

    @staticmethod
    def _part_key(job_id: str, slice_no: int) -> str:
        return f"settlements/parts/{job_id}/{slice_no:05d}.csv"


def plan_slices(ledger: Ledger, first: str, last: str, shards: int) -> list[Slice]:
    """The slices of the UTC days ``first``..``last`` (``YYYY-MM-DD``): per day, each of the
    ``shards`` partitions of the settlement index cut into equal time ranges, as many as an
    estimate of the day's captures (:meth:`Ledger.settlement_day_estimate`) needs for about
    :data:`SLICE_ROWS` a slice, within :data:`MAX_PARTS` and :data:`MAX_SLICES`, numbered from 0."""
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    days = [(a + timedelta(days=d)).isoformat() for d in range((b - a).days + 1)]
    with ThreadPoolExecutor(min(8, len(days))) as pool:
        estimates = list(pool.map(ledger.settlement_day_estimate, days))
    cap = max(1, min(MAX_PARTS, MAX_SLICES // (len(days) * shards)))
    slices: list[Slice] = []
    for day, rows in zip(days, estimates):
        parts = max(1, min(cap, math.ceil(rows / (SLICE_ROWS * shards))))
        slices += [Slice.model_construct(slice=len(slices) + s * parts + p, date=day, shard=s, part=p, parts=parts)
                   for s in range(shards) for p in range(parts)]
    return slices


class _Reader(io.RawIOBase):
    """A read-only raw file over an iterator of byte chunks; wrapped in ``io.BufferedReader``
    (whose ``read(n)`` returns n bytes until the end) it is what ``upload_fileobj`` streams from."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks, self._rest = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self._rest:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._rest = chunk
        n = min(len(b), len(self._rest))
        b[:n], self._rest = self._rest[:n], self._rest[n:]
        return n


def window_for_schedule(event_time: str) -> tuple[str, str]:
    """The scheduled daily job settles the previous UTC day of the event's ``time``."""
    t = datetime.fromisoformat(event_time.replace("Z", "+00:00")).astimezone(timezone.utc)
    d = (t - timedelta(days=1)).date().isoformat()
    return d, d
