"""``make bench-reconciliation-clean``: a clean day of transfers across the five providers, some
straddling midnight, reconciled from each connector's own source with no exception at all.

1. For each provider, ``ROWS / 5`` transfers (default 10,000 in all) ending on UTC day D, as the
   platform writes them: payouts' capture and release journals at Cashfree and Safepay,
   mobile-money payments' at MTN MoMo, AirtelTigo and Telecel (with their reconciliation marks),
   written straight into the ledger table (``BatchWriteItem``); every twentieth one released (the
   provider failed it). The last few of D are captured in its last seconds and booked by the
   provider just after midnight; a few more are the next day's own, just after midnight.
2. The provider's books: the same transfers written into each stand-in's store
   (``POST /_control/book``), booked a few seconds after payrail ended them, so the stand-in serves
   them from the source its connector reads: Safepay's List Payments, MTN's status lookups, the
   settlement files of Cashfree, AirtelTigo and Telecel (``GET /_control/settlement_file``). A
   mobile-money stand-in's float is set to the ledger's.
3. D is reconciled for every provider (a settlement-file provider's run started by D's file put
   into the inbox, the others' through the API), then D+1 (D+1's file, or the API): a settlement
   file's transfers of D booked after midnight are ``deferred`` by D's run (D+1's file is not in
   yet) and ``matched`` by D+1's.
4. Per provider and day the counts per class are printed; every transfer must be ``matched`` or
   (D's straddling ones at a settlement-file provider) ``deferred``, with no exception.

The transfers are seeded rather than driven through the API (10,000 real payouts take far longer
than the comparison they test); the journals are built the way the payout and payment services
build them. The last line is ``reconciliation clean: <n> transfers across <k> providers, exceptions
<e>, deferred then matched <d>``. Exit status 0 when there is no exception and every transfer is in
its class.
"""
from __future__ import annotations

import hashlib
import os
import random
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import requests
import typer

from infra.catalog import ROOT
from infra.local import process
from infra.tools.client import Payrail, standin as standin_at, wait_for

PROVIDERS = ("cashfree", "safepay", "mtn_momo", "airteltigo", "telecel")
CURRENCY = {"cashfree": "INR", "safepay": "PKR", "mtn_momo": "GHS", "airteltigo": "GHS", "telecel": "GHS"}
PAYOUTS = ("cashfree", "safepay")
BOOK_CHUNK = 1_000


@dataclass(frozen=True)
class Transfer:
    """One transfer run as payrail ended it (``at``) and the provider booked it (``booked_at``, or
    None: the provider never booked it); ``amount`` in minor units of ``currency``."""

    provider: str
    transfer_id: str
    journal_id: str
    merchant_id: str
    amount: int
    currency: str
    outcome: str
    at: datetime
    booked_at: datetime | None

    @property
    def payment_id(self) -> str:
        return self.transfer_id.rsplit("-", 1)[0]


def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class CleanDay:
    """``per_provider`` transfers of each provider ending on UTC ``day``, the last ``straddle`` of
    them in its last seconds (booked after midnight), and ``next_day`` more ending just after
    midnight; every ``released_every``-th one released (the provider failed it). Deterministic
    from ``tag``."""

    day: str
    per_provider: int
    straddle: int = 5
    next_day: int = 3
    released_every: int = 20
    merchants: int = 50
    tag: str = "clean"

    @property
    def midnight(self) -> datetime:
        return datetime.combine(date.fromisoformat(self.day) + timedelta(days=1), datetime.min.time(), timezone.utc)

    @property
    def next(self) -> str:
        return self.midnight.date().isoformat()

    def transfers(self, provider: str) -> list[Transfer]:
        """Every transfer of ``provider``: the day's, its straddling ones (last), then the next day's."""
        rnd = random.Random(f"{self.tag}:{self.day}:{provider}")
        start, out = self.midnight - timedelta(days=1), []
        for i in range(self.per_provider + self.next_day):
            if i < self.per_provider - self.straddle:
                at = start + timedelta(seconds=rnd.randrange(86_340), microseconds=rnd.randrange(1_000_000))
                booked = at + timedelta(seconds=rnd.randint(1, 5))
            elif i < self.per_provider:  # the day's last seconds, booked just after midnight
                at = self.midnight - timedelta(seconds=rnd.randint(2, 9), microseconds=rnd.randrange(1_000_000))
                booked = self.midnight + timedelta(seconds=rnd.randint(1, 5))
            else:  # the next day's own
                at = self.midnight + timedelta(seconds=rnd.randint(10, 60), microseconds=rnd.randrange(1_000_000))
                booked = at + timedelta(seconds=rnd.randint(1, 5))
            h = hashlib.sha256(f"{self.tag}:{self.day}:{provider}:{i}".encode()).hexdigest()
            released = i % self.released_every == self.released_every - 1
            outcome = "released" if released else "captured"
            if provider in PAYOUTS:
                tid = f"po_{h[:24]}"
                jid = f"{tid}:{'release' if released else 'capture'}"
            else:
                pid = str(uuid.UUID(h[:32]))
                tid, jid = f"{pid}-1", f"pay:{pid}:{'release' if released else 'capture'}"
            mid = "m_" + hashlib.sha256(f"{self.tag}:m:{rnd.randrange(self.merchants)}".encode()).hexdigest()[:16]
            out.append(Transfer(provider, tid, jid, mid, rnd.randint(100, 5_000_000), CURRENCY[provider], outcome, at,
                                booked))
        return out


def journal(t: Transfer):
    """The journal that ended ``t``, as ``Payouts.capture``/``release`` or ``Payments.capture``/
    ``release`` write it (with its reconciliation mark)."""
    from payrail.core import accounts
    from payrail.core.ledger import Journal, Posting

    mark = {"provider": t.provider, "transfer_id": t.transfer_id, "kind": "transfer", "outcome": t.outcome,
            "amount": t.amount}
    released = t.outcome == "released"
    if t.provider in PAYOUTS:
        held = accounts.merchant_account(t.merchant_id, "held", t.currency).account_id
        other = accounts.merchant_account(t.merchant_id, "available" if released else "payouts", t.currency).account_id
        meta = {"payout_id": t.transfer_id, "run": 1, "provider": t.provider}
        kind = "payout_release" if released else "payout_capture"
    else:
        held = accounts.provider_float(t.merchant_id, "momo_held", t.currency, t.provider).account_id
        other = accounts.provider_float(t.merchant_id, "momo_float" if released else "momo_sent", t.currency,
                                        t.provider).account_id
        meta = {"payment_id": t.payment_id, "provider": t.provider}
        kind = "momo_payment_release" if released else "momo_payment_capture"
    return Journal(t.journal_id, kind, t.merchant_id, t.currency, [Posting(held, -t.amount), Posting(other, t.amount)],
                   metadata=meta, reconciliation=mark)


def seed_ledger(ledger, transfers: list[Transfer], threads: int = 4) -> None:
    """Write the ending journals of ``transfers`` into the ledger table (journal items only, as
    :func:`infra.tools.seed.seed_transfers`)."""
    from infra.tools.seed import _batch_write, _client

    db = _client(threads)
    items = [{"PutRequest": {"Item": ledger.journal_item(journal(t), _iso(t.at))}} for t in transfers]
    chunks = [items[k:k + 500] for k in range(0, len(items), 500)]
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda c: _batch_write(db, ledger.table, c), chunks))


def delete_ledger(ledger, transfers: list[Transfer], threads: int = 4) -> None:
    """Delete the journal items :func:`seed_ledger` wrote."""
    from infra.tools.seed import _batch_write, _client

    db = _client(threads)
    _batch_write(db, ledger.table, [{"DeleteRequest": {"Key": {"pk": {"S": f"J#{t.journal_id}"}, "sk": {"S": "J"}}}}
                                    for t in transfers])


def book(url: str, key, transfers: list[Transfer]) -> None:
    """Book ``transfers`` (those with a booking time) in the stand-in at ``url`` under the
    provider's keys (``key``: the connector's ``transfer_key``)."""
    rows = [{"transfer_id": t.transfer_id, "key": key(t.transfer_id), "amount": t.amount,
             "booked_at": _iso(t.booked_at), "succeeded": t.outcome == "captured"}
            for t in transfers if t.booked_at is not None]
    for k in range(0, len(rows), BOOK_CHUNK):
        standin_at(url, "/_control/book", {"transfers": rows[k:k + BOOK_CHUNK]})


def align_float(desc: dict, platform, provider: str) -> None:
    """A mobile-money stand-in's float set to the ledger's (every merchant's ``momo_float`` +
    ``momo_held`` there); nothing for a provider without a balance."""
    if provider in platform.reconciliations.momo:
        standin_at(desc["standins"][provider], "/_control/float",
                   {"balance": platform.reconciliations.ledger_float(provider)})


def start(admin: Payrail, desc: dict, provider: str, day: str) -> str:
    """Start ``provider``'s run of ``day`` from its connector's source (a settlement-file provider's:
    its stand-in's file of ``day`` put into the inbox, :func:`infra.tools.demo_reconciliation.start_run`);
    its run id."""
    from infra.tools.demo_reconciliation import start_run

    return start_run(admin, desc, provider, day)["run_id"]


def ended(admin: Payrail, run_id: str, timeout: float = 300) -> dict:
    return wait_for(lambda: (r := admin.reconciliation_get(run_id))["status"] in ("COMPLETED", "FAILED", "CANCELLED")
                    and r, timeout, 0.5, what=f"reconciliation run {run_id} ended")


def exceptions_of(admin: Payrail, provider: str, run_ids: set[str]) -> list[dict]:
    out, after = [], None
    while True:
        page = admin.reconciliation_exceptions(provider=provider, limit=100,
                                               **({"starting_after": after} if after else {}))
        out += [e for e in page["data"] if e["run_id"] in run_ids]
        if not page["has_more"]:
            return out
        after = page["data"][-1]["exception_id"]


def expected_counts(clean: CleanDay, provider: str) -> dict[str, dict[str, int]]:
    """``{day: {class: n}}`` of a clean day's two runs at ``provider``. Everything is ``matched``
    but, at a settlement-file provider, D's captured transfers booked after midnight: ``deferred``
    by D's run (D+1's file not in yet) and ``matched`` by D+1's (a released one, which the provider
    failed after midnight, is ``matched`` by D's run: released, never sent)."""
    from payrail.providers import registry

    last = clean.transfers(provider)[clean.per_provider - clean.straddle:clean.per_provider]
    if registry.entry(provider).statement != "settlement_file":
        return {clean.day: {"matched": clean.per_provider}, clean.next: {"matched": clean.next_day}}
    deferred = sum(1 for t in last if t.outcome == "captured")
    return {clean.day: {"matched": clean.per_provider - deferred, "deferred": deferred},
            clean.next: {"matched": clean.next_day + deferred}}


def reconcile_clean_day(desc: dict, platform, clean: CleanDay, providers=PROVIDERS, out=print) -> dict:
    """Seed ``clean`` for ``providers`` into the ledger and the stand-ins of the local cloud
    ``desc``, reconcile D then D+1 for each, and return ``{provider: {"days": {day: run}, "expected":
    {day: {class: n}}, "exceptions": [...]}}``; prints one line per provider and day."""
    ledger, admin = platform.reconciliations.ledger, Payrail(desc["api_url"], admin_token=desc["admin_token"])
    made = {p: clean.transfers(p) for p in providers}
    for p in providers:
        seed_ledger(ledger, made[p])
        book(desc["standins"][p], platform.providers.get(p).transfer_key, made[p])
        align_float(desc, platform, p)
    result = {}
    for day in (clean.day, clean.next):
        runs = {p: start(admin, desc, p, day) for p in providers}
        for p in providers:
            run = ended(admin, runs[p])
            result.setdefault(p, {"days": {}, "expected": {}, "exceptions": []})["days"][day] = run
    for p in providers:
        r = result[p]
        r["expected"] = expected_counts(clean, p)
        r["exceptions"] = exceptions_of(admin, p, {run["run_id"] for run in r["days"].values()})
        for day, run in r["days"].items():
            counts = {c: n for c, n in (run.get("counts") or {}).items() if n}
            found = sum(1 for e in r["exceptions"] if e["run_id"] == run["run_id"])
            out(f"  {p:<10} {day} ({run['source']}): {run['status']} {run.get('rows')} rows, counts {counts}, "
                f"exceptions {found}")
    return result


def clean_problems(result: dict) -> list[str]:
    """What a :func:`reconcile_clean_day` result shows wrong: a run not COMPLETED, an exception,
    counts other than expected (empty: a clean day)."""
    problems = []
    for p, r in result.items():
        problems += [f"{p}: exception {e['class']} of {e.get('transfer_id')}" for e in r["exceptions"]]
        for day, run in r["days"].items():
            counts = {c: n for c, n in (run.get("counts") or {}).items() if n}
            if run["status"] != "COMPLETED" or counts != {c: n for c, n in r["expected"][day].items() if n}:
                problems.append(f"{p} {day}: {run['status']} {run.get('failure_reason') or ''} counts {counts}, "
                                f"expected {r['expected'][day]}")
    return problems


cli = typer.Typer(add_completion=False, help=__doc__.split("\n\n")[0])


@cli.command()
def main(rows: int = typer.Option(int(os.environ.get("ROWS", 10_000)), help="transfers of day D across the providers"),
         day: str = typer.Option("2001-06-01", help="the UTC day D seeded and reconciled (it and D+1 must hold no "
                                 "transfers)"),
         straddle: int = typer.Option(20, help="per provider: D's transfers ended in its last seconds, booked "
                                      "after midnight"),
         next_day: int = typer.Option(10, help="per provider: transfers ended just after midnight (D+1's own)"),
         keep: bool = typer.Option(False, "--keep", help="leave the seeded journals (no ledger audit then)")) -> None:
    """Run the clean day (module docstring); exit status 0 when no exception is found."""
    raise typer.Exit(run(SimpleNamespace(rows=rows, day=day, straddle=straddle, next_day=next_day, keep=keep)))


def run(a: SimpleNamespace) -> int:
    """The clean day with ``main``'s options as attributes of ``a``; returns the exit status."""
    from payrail.core.ledger import audit
    from payrail.core.settings import Settings
    from payrail.platform import Platform

    load0 = os.getloadavg()
    per = a.rows // len(PROVIDERS)
    clean = CleanDay(a.day, per, straddle=min(a.straddle, per), next_day=a.next_day)
    print(f"reconciliation clean day: {per * len(PROVIDERS):,} transfers of {a.day} across {len(PROVIDERS)} "
          f"providers ({clean.straddle} each straddling midnight), {clean.next_day} each of {clean.next}; "
          f"{os.cpu_count()} cores (load average {load0[0]:.1f} at start)", flush=True)
    t0 = time.perf_counter()
    with process.local_cloud(ROOT / ".local" / "bench-reconciliation-clean") as desc:
        os.environ.update(desc["client_env"])
        platform = Platform(Settings.from_env(desc["function_env"]))
        result = reconcile_clean_day(desc, platform, clean, out=lambda s: print(s, flush=True))
        problems = clean_problems(result)
        audit_ok = None
        if not a.keep:
            for p in PROVIDERS:
                delete_ledger(platform.reconciliations.ledger, clean.transfers(p))
            rep = audit(platform.reconciliations.ledger)
            audit_ok = rep["ok"]
            print(f"  deleted the seeded journals; ledger audit {'ok' if audit_ok else rep}", flush=True)
    for line in problems:
        print(f"  PROBLEM {line}", file=sys.stderr)
    exceptions = sum(len(r["exceptions"]) for r in result.values())
    deferred = sum(r["days"][clean.day].get("counts", {}).get("deferred", 0) for r in result.values())
    print(f"  {time.perf_counter() - t0:.0f} s in all (load average {os.getloadavg()[0]:.1f} at the end)")
    print(f"reconciliation clean: {per * len(PROVIDERS) + clean.next_day * len(PROVIDERS)} transfers across "
          f"{len(PROVIDERS)} providers, exceptions {exceptions}, deferred then matched {deferred}")
    return 0 if not problems and audit_ok is not False else 1


if __name__ == "__main__":
    cli()
