"""Settlement: per merchant, UTC day and currency, the gross, fee, net and count of captured
orders in a window, written as one CSV to S3.

The job fans out over ``days x shards`` slices of the sparse settlement index (state machine
``infra/asl/settlement.asl.json``): ``plan`` → Map(``aggregate`` per slice, partials to S3) →
``finalize`` (merge, CSV, totals). Progress is the set of finished slices (a string-set ADD, so
a retried slice counts once). Cancel is cooperative: slices and finalize stop on CANCELLING.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Callable

from payrail import ddb
from payrail.errors import Conflict, NotFound, ValidationFailed
from payrail.idempotency import check_fingerprint
from payrail.ids import random_id
from payrail.ledger import Ledger, now_iso
from payrail.store import SETTLEMENT, SETTLEMENT_SLOTS, MainTable

CSV_COLUMNS = ["merchant_id", "date", "currency", "gross", "fee", "net", "txn_count"]
RUNNING, CANCELLING, CANCELLED, COMPLETED, FAILED = "RUNNING", "CANCELLING", "CANCELLED", "COMPLETED", "FAILED"
ALL = "ALL"  # scope of platform-wide jobs
MAX_DAYS = 366


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
        max_active: jobs one scope (a merchant, or the admin's ALL) may have RUNNING or CANCELLING
            at once. A per-scope counter item (``SETTLEMENT_SLOTS#<scope>``) is incremented in the
            transaction that creates a job and decremented in the one that ends it, so the bound
            holds under concurrent requests; scheduled jobs are never refused.
    """

    def __init__(self, ledger: Ledger, main: MainTable, s3, bucket: str, max_active: int = 2):
        self.ledger, self.main, self.s3, self.bucket = ledger, main, s3, bucket
        self.max_active = max_active

    # ---- jobs ----------------------------------------------------------------------------
    def create_job(self, scope: str, start: str, end: str, job_id: str | None = None,
                   trigger: str = "api", fingerprint: str | None = None) -> tuple[dict, bool]:
        """Create a RUNNING job for ``scope`` (a merchant id or ALL). ``(job, created)``.

        Args:
            job_id: derived from an idempotency key (or the schedule); an existing job with this
                id is returned (``created`` False) when ``fingerprint`` matches.

        Raises:
            ValidationFailed: bad window. Conflict (``too_many_jobs``): ``max_active`` jobs run.
            IdempotencyMismatch: ``job_id`` names a job created by another request.
        """
        a, b = parse_window(start, end)
        job_id = job_id or random_id("stl")
        pk = SETTLEMENT.key(scope, job_id)
        existing = self.main.get(pk, raw=True)
        if existing:
            return self._existing(existing, fingerprint), False
        ts = now_iso()
        job = {"type": SETTLEMENT.type, "job_id": job_id, "scope": scope, "from": a.isoformat(), "to": b.isoformat(),
               "shards": self.ledger.shards, "slices_total": ((b - a).days + 1) * self.ledger.shards,
               "trigger": trigger, "status": RUNNING, "created_at": ts, "updated_at": ts,
               "request_fingerprint": fingerprint, "status_history": [{"status": RUNNING, "at": ts}]}
        slot = {"Update": {"TableName": self.main.table, "Key": {"pk": ddb.value(SETTLEMENT_SLOTS.key(scope))},
                           "UpdateExpression": "ADD active :one",
                           "ExpressionAttributeValues": {":one": ddb.value(1)}}}
        if trigger != "schedule":
            slot["Update"]["ConditionExpression"] = "attribute_not_exists(active) OR active < :max"
            slot["Update"]["ExpressionAttributeValues"][":max"] = ddb.value(self.max_active)
        try:
            self.main.db.transact_write_items(TransactItems=[self.main.put_action(pk, job), slot])
        except self.main.db.exceptions.TransactionCanceledException as err:
            codes = ddb.cancellation_codes(err)
            if codes and codes[0] == "ConditionalCheckFailed":  # a concurrent request created it
                return self._existing(self.main.get(pk, raw=True), fingerprint), False
            raise Conflict(f"{self.max_active} settlement jobs are already running; wait for one to finish "
                           "or cancel one", code="too_many_jobs") from None
        return self.get(scope, job_id), True

    def _existing(self, job: dict, fingerprint: str | None) -> dict:
        check_fingerprint(job, fingerprint)
        return self.get(job["scope"], job["job_id"])

    def get(self, scope: str, job_id: str) -> dict:
        j = self.main.get(SETTLEMENT.key(scope, job_id))
        if not j:
            raise NotFound("settlement job not found", param="job_id")
        done = j.pop("slices_done", None) or set()
        j["slices_done"] = len(done)
        j["progress"] = round(len(done) / j["slices_total"], 4) if j["slices_total"] else 1
        return j

    def attach_execution(self, scope: str, job_id: str, execution_arn: str) -> None:
        """Remember the workflow execution of a job (so cancel can stop it)."""
        self.main.update(SETTLEMENT.key(scope, job_id), "SET execution_arn = :e", {":e": execution_arn})

    def cancel(self, scope: str, job_id: str, stop_execution: Callable[[str], None]) -> dict:
        """Cancel a RUNNING job: mark it CANCELLING, stop its workflow execution with
        ``stop_execution(arn)``, then mark it CANCELLED. Slices still in flight see CANCELLING and
        skip. A job whose execution is not known yet stays CANCELLING until its finalize step.

        Raises:
            NotFound; Conflict (``job_not_running``) when the job already finished.
        """
        self.get(scope, job_id)
        pk = SETTLEMENT.key(scope, job_id)
        try:
            job = self.main.transition(pk, (RUNNING,), CANCELLING, detail="cancel requested")
        except Conflict:
            raise Conflict("job is not running", code="job_not_running") from None
        if job.get("execution_arn"):
            stop_execution(job["execution_arn"])
            self._mark_cancelled(pk)
        return self.get(scope, job_id)

    def download_url(self, job: dict, expires_seconds: int) -> str | None:
        if job["status"] != COMPLETED:
            return None
        return self.s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": job["report_key"]},
                                              ExpiresIn=expires_seconds)

    # ---- the workflow steps ---------------------------------------------------------------
    def plan(self, scope: str, job_id: str) -> list[dict]:
        """The slices of a job: ``[{"date": "YYYY-MM-DD", "shard": n}, ...]``; none when the job was
        cancelled before its workflow started (finalize then marks it CANCELLED at once)."""
        j = self.get(scope, job_id)
        if j["status"] != RUNNING:
            return []
        a, b = date.fromisoformat(j["from"]), date.fromisoformat(j["to"])
        return [{"date": (a + timedelta(days=d)).isoformat(), "shard": s}
                for d in range((b - a).days + 1) for s in range(j["shards"])]

    def aggregate(self, scope: str, job_id: str, day: str, shard: int) -> dict:
        """Sum one slice into ``{merchant|date|currency: [gross, fee, count]}`` and store it in S3.

        Returns ``{"rows": n, "skipped": bool}``; skipped when the job is being cancelled.
        """
        if self.get(scope, job_id)["status"] != RUNNING:
            return {"rows": 0, "skipped": True}
        acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        n = 0
        for row in self.ledger.settlement_rows(day, shard):
            s = row["settlement"]
            if scope != ALL and s["merchant_id"] != scope:
                continue
            a = acc[f"{s['merchant_id']}|{day}|{row['currency']}"]
            a[0] += s["gross"]
            a[1] += s["fee"]
            a[2] += 1
            n += 1
        self.s3.put_object(Bucket=self.bucket, Key=self._part_key(job_id, day, shard),
                           Body=json.dumps(acc).encode(), ContentType="application/json")
        self.main.update(SETTLEMENT.key(scope, job_id), "ADD slices_done :s SET updated_at = :ts",
                         {":s": {f"{day}#{shard}"}, ":ts": now_iso()})
        return {"rows": n, "skipped": False}

    def finalize(self, scope: str, job_id: str) -> dict:
        """Merge the partials into the CSV ``settlements/<job_id>.csv`` and complete the job
        (or mark it CANCELLED). Returns the job."""
        job = self.get(scope, job_id)
        pk = SETTLEMENT.key(scope, job_id)
        if job["status"] == CANCELLING:
            self._mark_cancelled(pk)
            return self.get(scope, job_id)
        if job["status"] != RUNNING:
            return job
        total: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
        for s in self.plan(scope, job_id):
            part = json.loads(self.s3.get_object(Bucket=self.bucket, Key=self._part_key(job_id, s["date"], s["shard"]))
                              ["Body"].read())
            for k, (g, f, c) in part.items():
                t = total[tuple(k.split("|"))]
                t[0] += g
                t[1] += f
                t[2] += c
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        sums = {"gross": 0, "fee": 0, "net": 0, "txn_count": 0}
        for (mid, day, cur), (g, f, c) in sorted(total.items()):
            w.writerow([mid, day, cur, g, f, g - f, c])
            sums["gross"] += g
            sums["fee"] += f
            sums["net"] += g - f
            sums["txn_count"] += c
        report_key = f"settlements/{job_id}.csv"
        self.s3.put_object(Bucket=self.bucket, Key=report_key, Body=buf.getvalue().encode(), ContentType="text/csv")
        try:
            self._end(job, (RUNNING,), COMPLETED, {"report_key": report_key, "rows": len(total), "totals": sums})
        except Conflict:  # cancelled while merging: keep the file, honour the cancel
            self._mark_cancelled(pk)
        return self.get(scope, job_id)

    def _end(self, job: dict, from_status: tuple[str, ...], to_status: str, sets: dict | None = None) -> None:
        """Move a job to a final status and free its slot, in one transaction.

        Raises:
            Conflict: the job is not in ``from_status``.
        """
        pk = SETTLEMENT.key(job["scope"], job["job_id"])
        slot = {"Update": {"TableName": self.main.table, "Key": {"pk": ddb.value(SETTLEMENT_SLOTS.key(job["scope"]))},
                           "UpdateExpression": "ADD active :minus",
                           "ExpressionAttributeValues": {":minus": ddb.value(-1)}}}
        try:
            self.main.db.transact_write_items(TransactItems=[
                self.main.transition_action(pk, from_status, to_status, sets), slot])
        except self.main.db.exceptions.TransactionCanceledException:
            raise Conflict(f"{pk} is not in {from_status}", code="invalid_state") from None

    def _mark_cancelled(self, pk: str) -> None:
        """CANCELLING -> CANCELLED; a no-op when the cancel request already finished the job."""
        job = self.main.get(pk)
        with contextlib.suppress(Conflict):
            self._end(job, (CANCELLING,), CANCELLED)

    def fail(self, scope: str, job_id: str, reason: str) -> dict:
        with contextlib.suppress(Conflict):  # already finished: keep its outcome
            self._end(self.get(scope, job_id), (RUNNING, CANCELLING), FAILED, {"failure_reason": reason[:500]})
        return self.get(scope, job_id)

    @staticmethod
    def _part_key(job_id: str, day: str, shard: int) -> str:
        return f"settlements/{job_id}/parts/{day}-{shard:03d}.json"


def window_for_schedule(event_time: str) -> tuple[str, str]:
    """The scheduled daily job settles the previous UTC day of the event's ``time``."""
    t = datetime.fromisoformat(event_time.replace("Z", "+00:00")).astimezone(timezone.utc)
    d = (t - timedelta(days=1)).date().isoformat()
    return d, d
