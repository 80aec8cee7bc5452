"""The matcher: payrail's view of a provider's transfers against the provider's, one class per
transfer. Pure (no I/O): the service feeds it one shard of a run at a time.

**Payrail's view** is one :class:`PayrailRecord` per transfer run, from the journal that ended it
(``captured``, ``released``, a refund's ``reversed``) or, for a transfer still open at the cut-off,
its hold (``held``). **The provider's** is a stream of
:class:`payrail.providers.statements.ProviderRecord`. Both are keyed by ``(kind, transfer_id)``.

**Ownership and midnight.** A run over ``[start, end)`` reads both sides over
``[start - grace, end + grace)`` and reports a transfer only if its *anchor* lies in
``[start, end)``: payrail's time when payrail knows the transfer, the provider's booking time
otherwise. A transfer captured at 23:59:58 that the provider books at 00:00:03 the next day is
therefore read by both days' runs, matched by both, and reported by exactly one (the capture's
day); nothing within the grace is a break.

**Classes** (:func:`classify`), for payrail's outcome against the provider's status:

=================  ===============  ==================  ==================  ============================
payrail \\ provider  SUCCESS          FAILED              PENDING             no record
=================  ===============  ==================  ==================  ============================
captured/reversed  matched (or       missing_at_provider status_mismatch     missing_at_provider
                   currency/amount
                   mismatch)
released           paid_after_       matched             status_mismatch     matched (never sent)
                   release
held (open)        status_mismatch   status_mismatch     matched (both open) status_mismatch
no record          unknown_to_       matched (nothing    unknown_to_payrail
                   payrail           moved)
=================  ===============  ==================  ==================  ============================

A second SUCCESS record for one key is one more ``unknown_to_payrail`` (the provider paid one
run twice). Currency is compared before amount.

**Next-day bookings** (settlement files, :func:`defer` and :func:`carry_over`, apart from
:func:`match`). A provider may book a transfer payrail ended late on day D in its next day's
settlement file. D's run, started by D's file before D+1's exists, cannot see that booking: a
transfer it finds no record of that payrail ended in D's last ``reconciliation_booking_grace_seconds``
is ``deferred`` (not a break), and D+1's run classifies D's deferred transfers against its own
provider records (``matched``, or ``missing_at_provider`` when D+1's file holds none either).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import NamedTuple

from payrail.providers.statements import ProviderBalance, ProviderRecord
from payrail.reconciliation.model import BreakClass

C = BreakClass
#: payrail outcomes in which money left payrail's books towards the provider
MONEY_OUT = frozenset({"captured", "reversed"})


class PayrailRecord(NamedTuple):
    """Payrail's view of one transfer run from the ledger: ``amount`` in minor units of
    ``currency``; ``outcome`` one of ``captured``, ``released``, ``reversed`` (a refund's reversal)
    or ``held`` (no ending journal by the cut-off); ``at`` the ISO time of that journal;
    ``journal_id`` the journal's id."""

    provider: str
    kind: str
    transfer_id: str
    merchant_id: str
    amount: int
    currency: str
    outcome: str
    at: str
    journal_id: str

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.transfer_id


class Result(NamedTuple):
    """One reported transfer: its class, key, payrail's record (None: unknown to payrail) and the
    provider's record (None: none)."""

    cls: BreakClass
    key: tuple[str, str | None]
    payrail: PayrailRecord | None
    provider: ProviderRecord | None


_new = tuple.__new__  # a named tuple from a tuple, without the Python call of its class's __new__


def iso(t: datetime | str) -> str:
    """``t`` as payrail's sortable ISO string (UTC, microseconds, ``Z``: ``2026-03-01T23:59:58.000000Z``);
    a string is taken as one already (a spilled record's booking time, :func:`payrail.reconciliation.records.read_spill`)."""
    if t.__class__ is str:
        return t
    if t.tzinfo is not timezone.utc:
        t = t.astimezone(timezone.utc)
    return t.isoformat(timespec="microseconds")[:-6] + "Z"  # "+00:00" is the last six characters


@dataclass(frozen=True)
class Window:
    """A run's window ``[start, end)`` (UTC) and the grace read around it (seconds, the setting
    ``reconciliation_grace_seconds``)."""

    start: datetime
    end: datetime
    grace_seconds: int = 0

    @property
    def read_from(self) -> datetime:
        return self.start - timedelta(seconds=self.grace_seconds)

    @property
    def read_to(self) -> datetime:
        return self.end + timedelta(seconds=self.grace_seconds)

    @cached_property
    def _bounds(self) -> tuple[str, str, str, str]:
        return iso(self.start), iso(self.end), iso(self.read_from), iso(self.read_to)

    @property
    def start_iso(self) -> str:
        """``start`` as :func:`iso` writes it."""
        return self._bounds[0]

    @property
    def end_iso(self) -> str:
        """``end`` as :func:`iso` writes it."""
        return self._bounds[1]

    def owns(self, at: str) -> bool:
        """Whether a transfer anchored at ``at`` (ISO string) is this window's."""
        b = self._bounds
        return b[0] <= at < b[1]

    def reads(self, at: str) -> bool:
        """Whether ``at`` lies in the window with its grace (what the sides are read over)."""
        b = self._bounds
        return b[2] <= at < b[3]


def classify(p: PayrailRecord | None, r: ProviderRecord | None) -> BreakClass:
    """The class of one transfer (module docstring's table). Raises ValueError without either side."""
    if p is None:
        if r is None:
            raise ValueError("a transfer needs at least one side")
        return C.MATCHED if r.status == "FAILED" else C.UNKNOWN_TO_PAYRAIL
    if r is None:
        return {"released": C.MATCHED, "held": C.STATUS_MISMATCH}.get(p.outcome, C.MISSING_AT_PROVIDER)
    if p.outcome in MONEY_OUT:
        if r.status == "SUCCESS":
            if r.currency != p.currency:
                return C.CURRENCY_MISMATCH
            return C.MATCHED if r.amount == p.amount else C.AMOUNT_MISMATCH
        return C.MISSING_AT_PROVIDER if r.status == "FAILED" else C.STATUS_MISMATCH
    if p.outcome == "released":
        return {"SUCCESS": C.PAID_AFTER_RELEASE, "FAILED": C.MATCHED}.get(r.status, C.STATUS_MISMATCH)
    return C.MATCHED if r.status == "PENDING" else C.STATUS_MISMATCH


def match(payrail: Iterable[PayrailRecord], provider: Iterable[ProviderRecord], window: Window) -> Iterator[Result]:
    """Every transfer of ``window`` in exactly one :class:`Result` (a second paid record of one
    key adds one ``unknown_to_payrail``), payrail's transfers first, in the order given.

    The provider's side is read first and held, indexed by key (:func:`provider_index`); payrail's
    is then streamed through it and never held, each transfer decided as it comes (so payrail's
    side may still be being read while the first are decided). Each key of payrail's side is one
    transfer run (one journal ended it). The service gives it one shard of a run at a time: a
    sixteenth of a provider-day.

    Both sides should be what was read over the window with its grace; records outside it are
    matched like any other but reported only when anchored inside (module docstring).
    """
    theirs, orphans = provider_index(provider)
    pop, start, end = theirs.pop, window.start_iso, window.end_iso
    for p in payrail:
        key = p.kind, p.transfer_id
        r = pop(key, None)
        if r is None or r.__class__ is list:
            yield from _results(key, p, _records(r), window)
        elif start <= p.at < end:  # one record each side (most transfers): _results' answer, without its lists
            # most of these are a capture paid as booked: classify's answer without its call
            cls = C.MATCHED if (r.status == "SUCCESS" and p.outcome in MONEY_OUT and r.currency == p.currency
                                and r.amount == p.amount) else classify(p, r)
            yield _new(Result, (cls, key, p, r))
    for key, rs in theirs.items():
        yield from _results(key, None, _records(rs), window)
    for r in orphans:
        if window.owns(iso(r.booked_at)):
            yield Result(classify(None, r), (r.kind, None), None, r)


def provider_index(provider: Iterable[ProviderRecord]) -> tuple[dict, list[ProviderRecord]]:
    """``(records by (kind, transfer_id), records naming no transfer id)`` of the provider's side,
    in the order given. A key's value is its one record, or a list of its records when it has
    several (most keys have one: no list is kept for them)."""
    theirs: dict[tuple[str, str], ProviderRecord | list[ProviderRecord]] = {}
    orphans: list[ProviderRecord] = []
    for r in provider:
        if r.transfer_id is None:
            orphans.append(r)
            continue
        key = (r.kind, r.transfer_id)
        have = theirs.get(key)
        if have is None:
            theirs[key] = r
        elif isinstance(have, list):
            have.append(r)
        else:
            theirs[key] = [have, r]
    return theirs, orphans


def _records(value) -> tuple | list:
    """A :func:`provider_index` value as its records."""
    if value is None:
        return ()
    return value if isinstance(value, list) else (value,)


def _results(key, p: PayrailRecord | None, rs, window: Window) -> Iterator[Result]:
    paid = [r for r in rs if r.status == "SUCCESS"]
    primary = paid[0] if paid else (max(rs, key=lambda r: r.booked_at) if rs else None)
    anchor = p.at if p is not None else iso(primary.booked_at)
    if not window.owns(anchor):
        return
    yield Result(classify(p, primary), key, p, primary)
    for extra in paid[1:]:  # the provider paid one run more than once
        yield Result(C.UNKNOWN_TO_PAYRAIL, key, p, extra)


# ---- next-day bookings (settlement files) ------------------------------------------------------
def defer(res: Result, since: str, cutoff: str) -> Result:
    """``res`` as ``deferred`` when it is a ``missing_at_provider`` with no provider record of a
    transfer payrail ended in ``[since, cutoff)`` (ISO strings: the last booking-grace seconds
    before the run's cut-off, an empty range where nothing may be deferred), which the provider may
    book in its next day's file; any other result unchanged."""
    p = res.payrail
    if res.cls == C.MISSING_AT_PROVIDER and res.provider is None and p is not None and since <= p.at < cutoff:
        return res._replace(cls=C.DEFERRED)
    return res


def carry_over(deferred: Iterable[PayrailRecord], provider: Iterable[ProviderRecord]) -> Iterator[Result]:
    """The previous day's ``deferred`` transfers, each in exactly one :class:`Result` of this run
    whatever its times, against ``provider`` (this run's records naming their keys): the table's
    class (``matched``, an amount or currency mismatch, ``missing_at_provider`` with no record);
    a second paid record of one is one more ``unknown_to_payrail``, as in :func:`match`."""
    theirs: dict[tuple[str, str | None], list[ProviderRecord]] = {}
    for r in provider:
        theirs.setdefault((r.kind, r.transfer_id), []).append(r)
    for p in deferred:
        rs = theirs.get(p.key, [])
        paid = [r for r in rs if r.status == "SUCCESS"]
        primary = paid[0] if paid else (max(rs, key=lambda r: r.booked_at) if rs else None)
        yield Result(classify(p, primary), p.key, p, primary)
        for extra in paid[1:]:
            yield Result(C.UNKNOWN_TO_PAYRAIL, p.key, p, extra)


def float_drift(balance: ProviderBalance, ledger: int, currency: str) -> int:
    """The provider's balance minus the ledger's float + held for that provider (minor units);
    0 when they agree. Raises ValueError when the currencies differ (a connector's bug)."""
    if balance.currency != currency:
        raise ValueError(f"{balance.provider} reports its balance in {balance.currency}, the ledger in {currency}")
    return balance.amount - ledger
