"""Data access of reconciliation: the one place that knows its items, keys and expressions, and
how both sides of a comparison are read.

* :class:`RunRecords` — runs ``RECON#ALL#<run_id>`` (``shards_done``: a string set of finished
  shards, added to only while the run is RUNNING), listed newest first in ``by_merchant``
  (``list_pk = RECON#ALL``).
* :class:`ExceptionRecords` — exceptions ``RECONEXC#ALL#<exception_id>``, listed the same way;
  created with their ``reconciliation.exception`` event, resolved through
  :data:`payrail.reconciliation.model.EXCEPTION_LIFECYCLE` (with the resolution's journal).
* :func:`payrail_records` — payrail's side of one shard, from the ledger's reconciliation index
  (:meth:`payrail.core.ledger.Ledger.reconciliation_rows`).
* :func:`from_status` — the ``status_lookup`` source: a connector's ``status()`` answer as a
  :class:`payrail.providers.statements.ProviderRecord`.
* :func:`open_transfer` — payrail's record of a transfer outside the window read (its ending
  journal, or its hold while it is still open), found from the transfer id alone.
"""
from __future__ import annotations

import csv
import marshal
import re
import struct
import sys
from datetime import date, datetime, timedelta
from functools import partial
from typing import Iterator, NamedTuple

from payrail.core import ddb
from payrail.core.errors import ValidationFailed
from payrail.core.events import EventLog
from payrail.core.ledger import Ledger, now_iso
from payrail.core.store import (RECONCILIATION, RECONCILIATION_EXCEPTION, RECONCILIATION_SCOPE as ALL, MainTable,
                                due, listed)
from payrail.providers.connectors.base import TransferResult
from payrail.providers import statements
from payrail.providers.statements import ProviderRecord
from payrail.reconciliation.matcher import PayrailRecord, Window
from payrail.reconciliation.model import (EXCEPTION_LIFECYCLE, LIFECYCLE, RS, XS, ReconciliationException,
                                          ReconciliationRun)


class RunRecords:
    """Reads and guarded writes of reconciliation runs. Args: main: the main table; events: the
    outbox (a completed run's ``reconciliation.completed``, scope ``ALL``)."""

    def __init__(self, main: MainTable, events: EventLog | None):
        self.main, self.events = main, events

    @staticmethod
    def key(run_id: str) -> str:
        return RECONCILIATION.key(ALL, run_id)

    def item(self, run_id: str) -> dict | None:
        return self.main.get(self.key(run_id))

    def get(self, run_id: str) -> ReconciliationRun | None:
        item = self.item(run_id)
        return None if item is None else load_run(item)

    @staticmethod
    def new(run_id: str, provider: str, start: str, end: str, source: str, shards: int, trigger: str,
            fingerprint: str | None, ts: str, start_by: str) -> dict:
        """A new QUEUED run's item, its ``due`` timer armed at ``start_by`` (ISO time: the
        reconciliation sweep queues it again if it is still QUEUED then)."""
        return {"type": RECONCILIATION.type, "run_id": run_id, "provider": provider, "from": start, "to": end,
                "source": source, "trigger": trigger, "status": LIFECYCLE.initial, "shards_total": shards,
                "created_at": ts, "updated_at": ts, "request_fingerprint": fingerprint,
                "status_history": [{"status": LIFECYCLE.initial, "at": ts}],
                **listed(RECONCILIATION, ALL, run_id, ts), **due(RECONCILIATION, run_id, start_by)}

    def create(self, item: dict) -> bool:
        """Put the run; False when a run with its id exists (nothing written)."""
        return self.main.put_new(self.key(item["run_id"]), item)

    def raw(self, run_id: str) -> dict | None:
        return self.main.get(self.key(run_id), raw=True)

    def page(self, limit: int, starting_after: str | None, provider: str | None) -> dict:
        return self.main.page(RECONCILIATION, ALL, limit=limit, starting_after=starting_after,
                              where={"provider": provider} if provider else None)

    def take_over(self, run_id: str, lease_until: str | None, new_lease: str, now: str) -> bool:
        """Take a RUNNING run whose execution's lease (``lease_until``, as read) has lapsed by
        ``now``, counting the take (``takes``): one conditional write, so of two executors only one
        gets it. False otherwise."""
        cond, values = "#st = :running AND (attribute_not_exists(lease_until) OR lease_until < :now)", {
            ":running": ddb.value(RS.RUNNING), ":now": ddb.value(now), ":new": ddb.value(new_lease),
            ":one": ddb.value(1)}
        try:
            self.main.db.update_item(TableName=self.main.table, Key={"pk": ddb.value(self.key(run_id))},
                                     UpdateExpression="SET lease_until = :new ADD takes :one", ConditionExpression=cond,
                                     ExpressionAttributeNames={"#st": "status"}, ExpressionAttributeValues=values)
        except self.main.db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def past_due(self, now: str) -> list[str]:
        """Ids of the runs whose ``due`` timer is at or before ``now`` (ISO time), oldest first,
        whatever their status (the index copy may lag: callers read the run again)."""
        return [item["run_id"] for item in self.main.due_items(RECONCILIATION, now)]

    def disarm(self, run_id: str) -> None:
        """Remove the run's ``due`` timer (a no-op when it has none, or there is no such run)."""
        try:
            self.main.update(self.key(run_id), "REMOVE due_pk, due_sk", {}, condition="attribute_exists(pk)")
        except self.main.db.exceptions.ConditionalCheckFailedException:
            pass

    def count_shard(self, run_id: str, shard: int) -> bool:
        """Count ``shard`` done while the run is RUNNING (a repeat counts once); False otherwise."""
        try:
            self.main.db.update_item(
                TableName=self.main.table, Key={"pk": ddb.value(self.key(run_id))},
                UpdateExpression="ADD shards_done :s SET updated_at = :ts", ConditionExpression="#st = :running",
                ExpressionAttributeNames={"#st": "status"},
                ExpressionAttributeValues={":s": ddb.value({str(shard)}), ":ts": ddb.value(now_iso()),
                                           ":running": ddb.value(RS.RUNNING)})
        except self.main.db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def transition(self, run: dict, sources: tuple[str, ...], target: str, sets: dict | None = None,
                   detail: str | None = None) -> bool:
        """Move ``run`` (as read) by :data:`LIFECYCLE`; completion carries its event (scope ``ALL``)
        in the same transaction. False when the run changed meanwhile. Raises IllegalMove."""
        pk = self.key(run["run_id"])
        done, total = len(run.get("shards_done") or ()), run.get("shards_total") or 0
        run = {**run, "shards_done": done,  # the run as GET shows it (its event's object)
               "progress": round(min(done, total) / total, 4) if total else 1}
        states = LIFECYCLE.check(sources, target)
        if self.events and all(LIFECYCLE.move(s, target).event for s in states):
            actions = LIFECYCLE.actions(self.events, self.main, pk, run, target, sources=sources, id_field="run_id",
                                        sets=sets, detail=detail, merchant_id=ALL)
        else:
            actions = [self.main.transition_action(pk, tuple(sources), target, sets, detail)]
        try:
            self.main.db.transact_write_items(TransactItems=actions)
            return True
        except self.main.db.exceptions.TransactionCanceledException:
            return False


def load_run(item: dict) -> ReconciliationRun:
    """A run item (as clients see it) as the entity, with ``shards_done`` counted."""
    done = item.pop("shards_done", None) or set()
    return ReconciliationRun.model_validate(item | {"shards_done": len(done)})


class ExceptionRecords:
    """Reads and guarded writes of reconciliation exceptions."""

    def __init__(self, main: MainTable, events: EventLog):
        self.main, self.events = main, events

    @staticmethod
    def key(exception_id: str) -> str:
        return RECONCILIATION_EXCEPTION.key(ALL, exception_id)

    def get(self, exception_id: str) -> ReconciliationException | None:
        item = self.main.get(self.key(exception_id))
        return None if item is None else ReconciliationException.model_validate(item)

    def item(self, exception_id: str) -> dict | None:
        return self.main.get(self.key(exception_id))

    def create(self, exc: dict) -> bool:
        """Put a new OPEN exception with its ``reconciliation.exception`` event (to the merchant
        whose money it touches, else scope ``ALL``) in one transaction. False when it exists: a
        run over the same transfers finds the same exception, recorded once."""
        ts = exc["created_at"]
        item = {"type": RECONCILIATION_EXCEPTION.type, **exc, "status": EXCEPTION_LIFECYCLE.initial,
                "updated_at": ts, "status_history": [{"status": EXCEPTION_LIFECYCLE.initial, "at": ts}],
                **listed(RECONCILIATION_EXCEPTION, ALL, exc["exception_id"], ts)}
        actions = [self.main.put_action(self.key(exc["exception_id"]), item),
                   self.events.put_action(exc.get("merchant_id") or ALL, EXCEPTION_LIFECYCLE.created_event,
                                          {k: v for k, v in item.items() if k not in ("list_pk", "list_sk")},
                                          exc["exception_id"], 1, ts)]
        try:
            self.main.db.transact_write_items(TransactItems=actions)
            return True
        except self.main.db.exceptions.TransactionCanceledException as err:
            if ddb.cancellation_codes(err)[:1] == ["ConditionalCheckFailed"]:
                return False
            raise

    def page(self, limit: int, starting_after: str | None, where: dict) -> dict:
        return self.main.page(RECONCILIATION_EXCEPTION, ALL, limit=limit, starting_after=starting_after,
                              where=where or None)

    def resolve_actions(self, exc: dict, sets: dict, detail: str) -> list[dict]:
        """OPEN → RESOLVED with ``sets`` and its ``reconciliation.exception_resolved`` event (to
        the merchant, else ``ALL``), guarded by the status and history as read."""
        return EXCEPTION_LIFECYCLE.actions(self.events, self.main, self.key(exc["exception_id"]), exc, XS.RESOLVED,
                                           id_field="exception_id", sets=sets, detail=detail,
                                           merchant_id=exc.get("merchant_id") or ALL)


# ---- the two sides ----------------------------------------------------------------------------
def days(window: Window) -> list[str]:
    """The UTC dates ``window`` reads (its grace included)."""
    a, b = window.read_from.date(), (window.read_to - timedelta(microseconds=1)).date()
    return [(a + timedelta(days=n)).isoformat() for n in range((b - a).days + 1)]


#: journals one key range of the reconciliation index should hold (a few 1 MB pages: DynamoDB Local
#: re-reads the rest of a key range for every page, so a whole large partition reads quadratically)
RANGE_ROWS = 2_000
MAX_RANGES = 96


def key_ranges(ledger: Ledger, provider: str, window: Window) -> list[tuple[str, str, str]]:
    """``(day, lo, hi)`` time ranges cutting every day the window reads (its grace included) so
    that a range of one shard holds about :data:`RANGE_ROWS` journals, from a small sample of each
    day (:meth:`Ledger.settlement_day_estimate` on the provider's partitions)."""
    from payrail.core.ledger import reconciliation_partition

    read_from, read_to = _iso(window.read_from), _iso(window.read_to)
    out = []
    for day in days(window):
        rows = ledger.settlement_day_estimate(day, partition=reconciliation_partition(provider, day, 0))
        parts = max(1, min(MAX_RANGES, -(-rows // (RANGE_ROWS * ledger.shards))))
        d0 = datetime.fromisoformat(day).replace(tzinfo=window.start.tzinfo)
        for k in range(parts):
            lo = _iso(d0 + timedelta(seconds=86_400 * k // parts))
            hi = _iso(d0 + timedelta(seconds=86_400 * (k + 1) // parts))
            lo, hi = max(lo, read_from), min(hi, read_to)
            if lo < hi:
                out.append((day, lo, hi))
    return out


#: a :class:`PayrailRecord` from a plain tuple of its fields (PayrailRecord._make without a Python call per record)
as_payrail = partial(tuple.__new__, PayrailRecord)


def payrail_range(ledger: Ledger, provider: str, shard: int, r: tuple[str, str, str]) -> list[PayrailRecord]:
    """Payrail's side of one shard in one key range ``(day, lo, hi)`` of :func:`key_ranges`: every
    journal that ended a transfer at ``provider`` there, from the reconciliation index."""
    day, lo, hi = r
    return list(map(as_payrail, ledger.reconciliation_rows(provider, day, shard, lo, hi)))


def payrail_records(ledger: Ledger, provider: str, shard: int, ranges: list[tuple[str, str, str]],
                    pool=None) -> list[PayrailRecord]:
    """Payrail's side of one shard: every journal that ended a transfer at ``provider`` in the key
    ``ranges`` (:func:`key_ranges`), from the reconciliation index, the ranges read in parallel on
    ``pool`` (an executor; None: one after another)."""
    read = partial(payrail_range, ledger, provider, shard)
    parts = pool.map(read, ranges) if pool is not None else map(read, ranges)
    return [p for part in parts for p in part]


def _iso(t: datetime) -> str:
    from payrail.reconciliation.matcher import iso
    return iso(t)


def from_status(p: PayrailRecord, result: TransferResult, asked_at: datetime) -> ProviderRecord | None:
    """The ``status_lookup`` source: the provider's answer about payrail's transfer ``p`` as a
    provider record (:func:`payrail.providers.statements.from_status`), or None when the provider
    never received it (``NOT_FOUND``). ``ON_HOLD`` is open (``PENDING``). A status answer names no
    currency and often no amount (nor when it was booked): those are payrail's own (``booked_at``
    the time of asking), so a lookup can find a wrong status or a wrong reported amount, never a
    wrong currency."""
    r = statements.from_status(p.provider, result, p.currency, asked_at, amount=p.amount, kind=p.kind)
    return None if r is None else r.model_copy(update={"transfer_id": p.transfer_id})


#: the columns of the generic settlement file (ProviderRecord's field names), read when a connector
#: documents no file of its own
GENERIC_COLUMNS = ("provider", "kind", "transfer_id", "provider_reference", "amount", "currency", "status",
                   "booked_at")


def parse_generic_file(lines, provider: str) -> Iterator[ProviderRecord]:
    """The rows of a settlement file in :data:`GENERIC_COLUMNS` (header first; ``provider`` and
    ``kind`` may be left out). Raises ValueError naming the line of a malformed row."""
    import csv

    reader = csv.DictReader(lines)
    missing = {"transfer_id", "amount", "currency", "status", "booked_at"} - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"settlement file header lacks {sorted(missing)}")
    for n, row in enumerate(reader, start=2):
        try:
            yield ProviderRecord(provider=row.get("provider") or provider, kind=row.get("kind") or "transfer",
                                 transfer_id=row["transfer_id"] or None,
                                 provider_reference=row.get("provider_reference") or None, amount=int(row["amount"]),
                                 currency=row["currency"], status=row["status"],
                                 booked_at=datetime.fromisoformat(row["booked_at"].replace("Z", "+00:00")))
        except (ValueError, TypeError) as err:
            raise ValueError(f"settlement file line {n}: {err}") from None


class Spilled(NamedTuple):
    """A provider's record as a plain tuple (the fields of :class:`ProviderRecord` a match reads),
    a fraction of a model's memory, for the records a shard of a run holds: what
    :func:`generic_rows` reads a generic settlement file as, and what a run's spill
    (:func:`spill_row`, :func:`read_spill`) holds, ``booked_at`` there its ISO string. Validated as
    a ProviderRecord is."""

    provider: str
    kind: str
    transfer_id: str | None
    provider_reference: str | None
    amount: int
    currency: str
    status: str
    booked_at: datetime | str

    #: a plain record names payrail's transfer id (or none): never only the provider's key
    transfer_key = None

    def model_dump(self, mode: str | None = None) -> dict:
        from payrail.reconciliation.matcher import iso
        return self._asdict() | {"booked_at": iso(self.booked_at)}


_KINDS = frozenset({"transfer", "reversal"})
_STATUSES = frozenset({"SUCCESS", "FAILED", "PENDING"})
_CURRENCY = re.compile(r"[A-Z]{3}")


def generic_rows(lines, provider: str) -> Iterator[Spilled]:
    """:func:`parse_generic_file` as :class:`Spilled` tuples, with the same checks (a provider
    record's: kind, transfer id of 1 to 256 characters or none, a whole amount of at least 0, a
    three-letter currency, a status, an ISO booking time) and the same errors, without building a
    model per row: the reader of a large settlement file. A booking time already in payrail's
    form (:func:`payrail.reconciliation.matcher.iso`, ``2026-03-01T23:59:58.000000Z``) is kept as
    that string, any other as its datetime. Raises ValueError naming the line of a malformed row."""
    reader = csv.reader(lines)
    header = next(reader, None) or []
    missing = {"transfer_id", "amount", "currency", "status", "booked_at"} - set(header)
    if missing:
        raise ValueError(f"settlement file header lacks {sorted(missing)}")
    width = len(header)
    at = {name: i for i, name in enumerate(header)}  # a repeated column: its last value (as DictReader)
    ip, ik, ir = at.get("provider"), at.get("kind"), at.get("provider_reference")
    it, ia, ic, is_, ib = at["transfer_id"], at["amount"], at["currency"], at["status"], at["booked_at"]
    same, currencies, fromiso = sys.intern, set(), datetime.fromisoformat
    n = 1
    for row in reader:
        if not row:
            continue  # a blank line (DictReader skips it, and does not count it)
        n += 1
        if len(row) < width:
            row += [None] * (width - len(row))  # a short row's missing values (DictReader's restval)
        try:
            kind = (row[ik] if ik is not None else None) or "transfer"
            tid, cur, status = row[it] or None, row[ic], row[is_]
            if kind not in _KINDS:
                raise ValueError(f"kind {kind!r} is not one of {sorted(_KINDS)}")
            if tid is not None and len(tid) > 256:
                raise ValueError("transfer_id is longer than 256 characters")
            amount = int(row[ia])
            if amount < 0:
                raise ValueError(f"amount {amount} is below 0")
            if cur not in currencies:
                if not isinstance(cur, str) or not _CURRENCY.fullmatch(cur):
                    raise ValueError(f"currency {cur!r} is not three capital letters")
                currencies.add(cur)
            if status not in _STATUSES:
                raise ValueError(f"status {status!r} is not one of {sorted(_STATUSES)}")
            b = row[ib]
            booked = fromiso(b.replace("Z", "+00:00"))
            if len(b) == 27 and b[-1] == "Z" and b[4] == b[7] == "-" and b[10] == "T" and b[13] == b[16] == ":" \
                    and b[19] == ".":
                booked = b  # already payrail's form (matcher.iso): kept, not formatted again
        except (ValueError, TypeError, AttributeError) as err:
            raise ValueError(f"settlement file line {n}: {err}") from None
        yield Spilled(same((row[ip] if ip is not None else None) or provider), same(kind), tid,
                      (row[ir] if ir is not None else None) or None, amount, same(cur), same(status), booked)


def spill_row(r, at: str) -> tuple:
    """A provider's record (a :class:`ProviderRecord` or :class:`Spilled`) as a row of a run's
    spill (:class:`SpillWriter`): the fields of :class:`Spilled`, ``at`` (its booking time as
    :func:`payrail.reconciliation.matcher.iso` writes it) for ``booked_at``."""
    return r.provider, r.kind, r.transfer_id, r.provider_reference, r.amount, r.currency, r.status, at


#: rows of a spill written (and read back) at once
SPILL_BATCH = 4_096
_SIZE = struct.Struct("<I")


class SpillWriter:
    """A run's spill file: rows of :func:`spill_row` appended in batches of ``batch`` rows,
    each batch one ``marshal`` record behind its length (plain strings, ints and None: read back
    without parsing text, the batch's repeated strings stored once)."""

    def __init__(self, path: str, batch: int = SPILL_BATCH):
        self.file = open(path, "wb", buffering=1 << 20)
        self.rows: list[tuple] = []
        self.batch = batch

    def write(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            data = marshal.dumps(self.rows)
            self.file.write(_SIZE.pack(len(data)))
            self.file.write(data)
            self.rows = []

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.file.close()


def read_spill(path: str) -> Iterator[Spilled]:
    """The records of a spill file (:class:`SpillWriter`), each ``booked_at`` the ISO string it
    was spilled with (what :func:`payrail.reconciliation.matcher.iso` gives back unchanged, and
    what orders them as the times would)."""
    make = partial(tuple.__new__, Spilled)  # Spilled._make without a Python call per row
    with open(path, "rb") as f:
        while head := f.read(_SIZE.size):
            yield from map(make, marshal.loads(f.read(_SIZE.unpack(head)[0])))


def write_generic_file(records, out) -> None:
    """Write ``records`` (ProviderRecords) to the text file ``out`` in :data:`GENERIC_COLUMNS`."""
    import csv

    from payrail.reconciliation.matcher import iso
    w = csv.writer(out, lineterminator="\n")
    w.writerow(GENERIC_COLUMNS)
    for r in records:
        w.writerow([r.provider, r.kind, r.transfer_id or "", r.provider_reference or "", r.amount, r.currency, r.status,
                    iso(r.booked_at)])


def candidate_journals(kind: str, transfer_id: str) -> tuple[list[str], str | None]:
    """``(ending journal ids, hold journal id)`` that a transfer id can have been written with:
    a payout's run (``<payout_id>`` or ``<payout_id>_r<n>``), a payment's route
    (``<payment_id>-<n>``) or a payment's reversal (``<payment_id>-refund``)."""
    if kind == "reversal" and transfer_id.endswith("-refund"):
        return [f"pay:{transfer_id[:-len('-refund')]}:refund"], None
    head, sep, tail = transfer_id.rpartition("-")
    if sep and tail.isdigit() and len(head) == 36:  # a payment's uuid and route number
        n = int(tail)
        return ([f"pay:{head}:capture", f"pay:{head}:release"] + [f"pay:{head}:failover:{j}" for j in range(n, n + 3)],
                f"pay:{head}:hold")
    head, sep, tail = transfer_id.rpartition("_r")
    if sep and tail.isdigit():
        return [f"{head}:r{tail}:capture", f"{head}:r{tail}:release"], f"{head}:r{tail}:hold"
    return [f"{transfer_id}:capture", f"{transfer_id}:release"], f"{transfer_id}:hold"


def open_transfer(ledger: Ledger, provider: str, kind: str, transfer_id: str) -> PayrailRecord | None:
    """Payrail's record of ``transfer_id`` at ``provider`` found by its journal ids (not by the
    window): its ending journal, or its hold (outcome ``held``) while nothing ended it; None when
    payrail never wrote either."""
    ending, hold = candidate_journals(kind, transfer_id)
    for jid in ending:
        j = ledger.get_journal(jid)
        r = (j or {}).get("reconciliation")
        if r and r["transfer_id"] == transfer_id and r["provider"] == provider:
            return PayrailRecord(provider, r["kind"], transfer_id, j["merchant_id"], r["amount"], j["currency"],
                                 r["outcome"], j["created_at"], jid)
    j = ledger.get_journal(hold) if hold else None
    if j and (j.get("metadata") or {}).get("provider", provider) == provider:
        legs = [p["amount"] for p in j["postings"] if p["amount"] > 0]
        return PayrailRecord(provider, kind, transfer_id, j["merchant_id"], sum(legs), j["currency"], "held",
                             j["created_at"], j["journal_id"])
    return None


def check_day(value: str, param: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{param} must be a date YYYY-MM-DD", param=param) from None
