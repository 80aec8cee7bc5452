"""Payouts: a hold on creation, the provider chosen then, a worker that asks before it sends,
and exactly one capture or one release per run.

Lifecycle (every arrow a conditional write guarded by the status it leaves; ``$`` = a journal
in the same transaction)::

    create ──(amount ≥ review threshold)──▶ IN_REVIEW ──admin approve──▶ PENDING
       │ $ hold available → held                 └──admin reject──▶ FAILED        $ release
       ▼
    PENDING ──worker──▶ PROCESSING ◀──▶ ON_HOLD (provider holds it, with a reason)
       │                   │   │           │
       │                   │   │           └──admin release / provider FAILED──▶ FAILED or CANCELLED  $ release
       │                   │   └──provider SUCCESS──▶ SUCCEEDED                          $ capture held → payouts
       │                   └─────provider FAILED / refused──▶ FAILED                     $ release held → available
       └──merchant cancel (PENDING, IN_REVIEW)──▶ CANCELLED                              $ release
    FAILED ──reinitiate──▶ PENDING (or IN_REVIEW), run + 1                              $ a new hold

**Provider.** Chosen at creation from the beneficiary's rail, the currency and the country
(:meth:`payrail.providers.slots.Providers.choose`) and recorded with the run's ``transfer_id`` (the
provider idempotency key: ``<payout_id>`` for run 1, ``<payout_id>_r<n>`` after a reinitiation)
and ``provider_key`` (what the provider calls it). Every later step uses what is recorded.

**The worker** (:meth:`Payouts.attempt`, one SQS message = one look) holds one of the provider's
in-flight slots, asks ``status()`` first and submits only when the provider has never heard of
the transfer, so a retry after a lost answer or a crash never pays twice. A definite refusal
releases the hold; an unknown outcome (timeout, reset, 5xx) is never a failure: the workflow
looks again with capped exponential backoff (``payout_backoff_base_seconds`` doubling up to
``payout_backoff_max_seconds``), showing ``next_check_at``, keeping the hold, and appending no
status entry while nothing changes. Only a payout that was never sent (no submission) is released
when the provider cannot be reached ``payout_max_attempts`` times.

**Cancel.** Before the provider has it (PENDING, IN_REVIEW) a cancel releases at once. ON_HOLD is
different: the provider holds the transfer and may still pay it, and neither connector's API can
withdraw it. So a cancel of an ON_HOLD payout records ``cancel_requested_at`` and keeps the hold;
the payout becomes CANCELLED (released) when the provider answers that it will not pay (FAILED,
e.g. after the merchant rejected it on the provider's dashboard), or SUCCEEDED if the provider pays
first. An admin may release an ON_HOLD payout outright (``reject``) after the provider confirmed
out of band that it will not pay; payrail asks the provider once more first and captures instead
if it has paid.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from payrail.core import clock
from payrail.core import accounts
from payrail.payouts.beneficiaries import Beneficiaries, Destination, check_details, resolve
from payrail.providers.connectors.base import (ConnectorUnavailable, OutcomeUnknown, ProviderStatus, TransferRejected,
                                     TransferRequest, TransferResult)
from payrail.core.errors import Conflict, InsufficientFunds, NotFound, ValidationFailed
from payrail.core.events import EventLog
from payrail.core.ids import derived
from payrail.core.idempotency import check_fingerprint
from payrail.core.ledger import ExtraConditionFailed, Journal, Ledger, Posting, now_iso
from payrail.core.money import CURRENCIES, check_amount, check_currency
from payrail.payouts.workflow import AT_PROVIDER, DISPATCHABLE, HELD, UNKNOWN, Next, Outcome, PayoutStatus as PS
from payrail.providers.slots import Providers
from payrail.core.store import PAYOUT, PAYOUT_REFERENCE, MainTable, due, listed, public


@dataclass(frozen=True)
class PayoutPolicy:
    """The platform's payout rules (from :class:`payrail.core.settings.Settings`); seconds for times.

    ``review_threshold`` is in major units of the payout's currency (100,000.00 PKR is 10,000,000
    minor units); a merchant's ``payout_review_threshold`` overrides it.
    """

    review_threshold: int = 100_000
    check_base_seconds: int = 2
    check_max_seconds: int = 900
    max_unreached: int = 4
    busy_retry_seconds: int = 2
    currencies: tuple[str, ...] = ("PKR", "INR")

    @classmethod
    def from_settings(cls, s) -> "PayoutPolicy":
        return cls(s.payout_review_threshold, s.payout_backoff_base_seconds, s.payout_backoff_max_seconds,
                   s.payout_max_attempts, s.provider_busy_retry_seconds, tuple(s.enabled_payout_currencies()))

    def threshold_minor(self, merchant: dict, currency: str) -> int:
        major = merchant.get("payout_review_threshold") or self.review_threshold
        return major * 10 ** CURRENCIES[currency]

    def enabled(self, merchant: dict) -> list[str]:
        cur = merchant.get("payout_currencies")
        return list(self.currencies if cur is None else cur)

    def next_check(self, looks: int) -> int:
        """Seconds before the next look after ``looks`` earlier ones: base · 2^looks, capped."""
        return min(self.check_max_seconds, self.check_base_seconds * 2 ** min(looks, 20))


#: a capture or release re-reads the payout and tries again at most this many times when another
#: change of it committed between its read and its write
TRANSITION_TRIES = 5


#: the ``due`` index attributes of a payout whose amount is held (set with the hold, removed with
#: its capture or release): ``payrail.payouts.holds`` finds the open holds and their age there
HOLD_ENDED = {"due_pk": None, "due_sk": None}


def held_since(payout_id: str, ts: str) -> dict:
    """The ``due`` index attributes of a hold taken at ``ts`` (ISO time)."""
    return due(PAYOUT, payout_id, ts)


def journal_id(p: dict, phase: str) -> str:
    """``<payout_id>:<phase>`` for run 1, ``<payout_id>:r<run>:<phase>`` after a reinitiation."""
    run = p.get("run", 1)
    return f"{p['payout_id']}:{phase}" if run == 1 else f"{p['payout_id']}:r{run}:{phase}"


def transfer_id(payout_id: str, run: int) -> str:
    return payout_id if run == 1 else f"{payout_id}_r{run}"


def _in(seconds: int) -> str:
    return (clock.utcnow() + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_type(status: str, created: bool = False) -> str:
    """The event announcing a payout's new ``status``: ``payout.created`` for a creation that
    left it PENDING, ``payout.pending`` for an approval or a reinitiation, else
    ``payout.<status>`` (``payout.in_review`` also for a payout created at review)."""
    if status == PS.PENDING:
        return "payout.created" if created else "payout.pending"
    return f"payout.{status.lower()}"


class PayoutRecords:
    """Data access for payouts (``PAYOUT#<merchant>#<payout_id>``) and the merchant references
    they hold (``PAYOUTREF#<merchant>#<reference>``) in the main table; every status change
    carries its ``payout.*`` event (``payrail.core.events``) in the same transaction."""

    def __init__(self, main: MainTable, events: EventLog):
        self.main = main
        self.events = events

    def get(self, merchant_id: str, payout_id: str, raw: bool = False) -> dict | None:
        return self.main.get(PAYOUT.key(merchant_id, payout_id), raw=raw)

    def create_actions(self, p: dict) -> list[dict]:
        """The payout's Put (only if new) and its first event (sequence 1)."""
        return [self.main.put_action(PAYOUT.key(p["merchant_id"], p["payout_id"]), p),
                self.events.put_action(p["merchant_id"], event_type(p["status"], created=True), p, p["payout_id"], 1,
                                       p["created_at"])]

    def reference_put_action(self, merchant_id: str, reference: str, payout_id: str) -> dict:
        return self.main.put_action(PAYOUT_REFERENCE.key(merchant_id, reference),
                                    {"type": PAYOUT_REFERENCE.type, "payout_id": payout_id})

    def by_reference(self, merchant_id: str, reference: str) -> str | None:
        ref = self.main.get(PAYOUT_REFERENCE.key(merchant_id, reference))
        return ref["payout_id"] if ref else None

    def change(self, p: dict, expect: tuple[str, ...], to: str | None = None, detail: str | None = None,
               **kw) -> list[dict]:
        """The actions of a change of payout ``p`` (as read): an Update guarded by its status being
        in ``expect`` and its run being ``p``'s (``kw``: ``sets``, ``removes``, ``appends``,
        ``adds`` of ``MainTable.update_action``); with a new status ``to`` also its event, the
        Update then guarded by ``p``'s ``status_history`` too (``EventLog.transition``)."""
        pk = PAYOUT.key(p["merchant_id"], p["payout_id"])
        if to is None:
            return [self.main.update_action(pk, from_status=tuple(expect), equals={"run": p["run"], **kw.pop("equals", {})}, **kw)]
        return self.events.transition(self.main, pk, p, tuple(expect), to, event_type(to), "payout_id",
                                      detail=detail, equals={"run": p["run"], **kw.pop("equals", {})}, **kw)

    def apply(self, actions: list[dict]) -> dict:
        """Write :meth:`change`'s actions; returns the payout after them.

        Raises:
            Conflict: a guard failed (the payout changed meanwhile); nothing was written.
        """
        if len(actions) == 1:
            return self.main.apply(actions[0], conflict="the payout changed meanwhile")
        if not self.events.transact(actions):
            raise Conflict("the payout changed meanwhile")
        return self.main.get(actions[0]["Update"]["Key"]["pk"]["S"])

    def page(self, merchant_id: str, limit: int, starting_after: str | None, status: str | None,
             created_from: str | None, created_to: str | None) -> dict:
        return self.main.page(PAYOUT, merchant_id, limit=limit, starting_after=starting_after,
                              created_from=created_from, created_to=created_to,
                              where={"status": status} if status else None)


class Payouts:
    """The payout aggregate (see the module docstring).

    Args:
        ledger, main: the tables.
        providers: the configured connectors and their in-flight slots.
        beneficiaries: saved beneficiaries (a payout may name one).
        policy: review threshold, backoff, enabled currencies.
        linked: ``(payout, new_status) -> [TransactWriteItems actions]`` run with every capture
            and release (a reservation's payout moves its reservation in the same transaction).
    """

    def __init__(self, ledger: Ledger, main: MainTable, events: EventLog, providers: Providers,
                 beneficiaries: Beneficiaries, policy: PayoutPolicy = PayoutPolicy(), linked=None):
        self.ledger = ledger
        self.records = PayoutRecords(main, events)
        self.providers = providers
        self.beneficiaries = beneficiaries
        self.policy = policy
        self.linked = linked or (lambda p, status: [])

    # ---- reads ------------------------------------------------------------------------------------
    def get(self, merchant_id: str, payout_id: str) -> dict:
        """The payout as clients see it. Raises NotFound."""
        p = self.records.get(merchant_id, payout_id)
        if not p:
            raise NotFound("payout not found", param="payout_id")
        return p

    def page(self, merchant_id: str, *, limit: int = 10, starting_after: str | None = None,
             status: str | None = None, created_from: str | None = None, created_to: str | None = None,
             merchant_reference: str | None = None) -> dict:
        """The merchant's payouts, newest first: ``{"data", "has_more"}`` (filters combine)."""
        if merchant_reference is not None:
            pid = self.records.by_reference(merchant_id, merchant_reference)
            p = self.records.get(merchant_id, pid) if pid else None
            keep = p is not None and (status is None or p["status"] == status) and \
                (created_from is None or p["created_at"] >= created_from) and \
                (created_to is None or p["created_at"][:len(created_to)] <= created_to)
            return {"data": [p] if keep else [], "has_more": False}
        return self.records.page(merchant_id, limit, starting_after, status, created_from, created_to)

    # ---- creation -----------------------------------------------------------------------------------
    def destination(self, merchant_id: str, beneficiary: dict | None, beneficiary_id: str | None) -> tuple[Destination, str | None]:
        """Where a payout goes: an inline beneficiary, or a saved one (active). Raises ValidationFailed, NotFound."""
        if (beneficiary is None) == (beneficiary_id is None):
            raise ValidationFailed("give exactly one of beneficiary or beneficiary_id", param="beneficiary",
                                   code="parameter_missing" if beneficiary is None else "parameter_invalid")
        if beneficiary_id is not None:
            saved = self.beneficiaries.active(merchant_id, beneficiary_id)
            return check_details(saved["details"]), beneficiary_id
        return resolve(beneficiary), None

    def provider_for(self, merchant: dict, amount: int, currency: str, dest: Destination) -> str:
        """The provider that will pay ``amount`` of ``currency`` to ``dest`` for ``merchant``.

        Raises:
            ValidationFailed: a bad amount; the currency is not enabled for the merchant, or no
                provider pays it there.
        """
        check_amount(amount)
        check_currency(currency)
        if currency not in self.policy.enabled(merchant):
            raise ValidationFailed(f"payouts in {currency} are not enabled for this merchant "
                                   f"(enabled: {', '.join(self.policy.enabled(merchant)) or 'none'})",
                                   param="currency", code="currency_not_enabled")
        return self.providers.choose(dest.rail, currency, dest.country)

    def new_item(self, merchant: dict, payout_id: str, amount: int, currency: str, dest: Destination,
                 ts: str, **fields) -> dict:
        """A new payout item (not written): provider chosen and recorded, review rule applied.

        Raises:
            ValidationFailed: the currency is not enabled for the merchant, or no provider pays it.
        """
        provider = self.provider_for(merchant, amount, currency, dest)
        mid = merchant["merchant_id"]
        review = amount >= self.policy.threshold_minor(merchant, currency)
        status = PS.IN_REVIEW if review else PS.PENDING
        entry = {"status": status, "at": ts} | ({"detail": "amount at or above the review threshold"} if review else {})
        tid = transfer_id(payout_id, 1)
        return {"type": PAYOUT.type, "payout_id": payout_id, "merchant_id": mid, "amount": amount,
                "currency": currency, "beneficiary": dest.details, "status": status, "run": 1,
                "provider": provider, "transfer_id": tid,
                "provider_key": self.providers.get(provider).transfer_key(tid),
                "attempts": [], "submissions": 0, "checks": 0,
                "review_reason": "amount at or above the review threshold" if review else None,
                "created_at": ts, "updated_at": ts, "status_history": [entry],
                **listed(PAYOUT, mid, payout_id, ts), **held_since(payout_id, ts),
                **{k: v for k, v in fields.items() if v is not None}}

    def hold(self, p: dict, source: str = "available") -> tuple[Journal, list]:
        """The hold journal of ``p``'s run: ``source`` → held (``source`` is ``available``, or
        ``reserved`` for a reservation's payout)."""
        held = accounts.merchant_account(p["merchant_id"], "held", p["currency"])
        src = accounts.merchant_account(p["merchant_id"], source, p["currency"])
        return (Journal(journal_id(p, "hold"), "payout_hold", p["merchant_id"], p["currency"],
                        [Posting(src.account_id, -p["amount"]), Posting(held.account_id, p["amount"])],
                        metadata={"payout_id": p["payout_id"], "run": p["run"]}), [held])

    def create(self, merchant: dict, amount: int, currency: str, idempotency_key: str, *,
               beneficiary: dict | None = None, beneficiary_id: str | None = None,
               merchant_reference: str | None = None, description: str | None = None,
               fingerprint: str | None = None) -> tuple[dict, bool]:
        """Hold ``amount`` (minor units) of the merchant's available balance and record the
        payout, in one transaction.

        Returns:
            ``(payout, created)``.

        Raises:
            ValidationFailed (400): a field at fault (``param``); currency not enabled; no provider.
            InsufficientFunds (402 ``insufficient_balance``): more than available; nothing held.
            Conflict (409 ``duplicate_merchant_reference``): another payout has this reference.
            IdempotencyMismatch (422): the key created another payout.
        """
        mid = merchant["merchant_id"]
        payout_id = derived("po", mid, idempotency_key)
        existing = self.records.get(mid, payout_id, raw=True)
        if existing:
            check_fingerprint(existing, fingerprint)
            return public(existing), False
        dest, ben_id = self.destination(mid, beneficiary, beneficiary_id)
        ts = now_iso()
        p = self.new_item(merchant, payout_id, amount, currency, dest, ts, beneficiary_id=ben_id,
                          merchant_reference=merchant_reference, description=description,
                          request_fingerprint=fingerprint)
        journal, opens = self.hold(p)
        extra = self.records.create_actions(p)
        if merchant_reference:
            extra.append(self.records.reference_put_action(mid, merchant_reference, payout_id))
        try:
            self.ledger.post(journal, opens=opens, extra=extra, created_at=ts)
        except (NotFound, InsufficientFunds):
            raise InsufficientFunds(f"the available {currency} balance is less than {amount}", param="amount",
                                    code="insufficient_balance") from None
        except ExtraConditionFailed as e:
            if e.index == 0:  # a concurrent request with this key created it
                existing = self.records.get(mid, payout_id, raw=True)
                check_fingerprint(existing, fingerprint)
                return public(existing), False
            raise Conflict(f"merchant_reference {merchant_reference!r} is used by payout "
                           f"{self.records.by_reference(mid, merchant_reference)}", param="merchant_reference",
                           code="duplicate_merchant_reference") from None
        return self.get(mid, payout_id), True

    # ---- the worker -----------------------------------------------------------------------------------
    def attempt(self, merchant_id: str, payout_id: str, run: int, connector=None, first_look: str | None = None) -> Outcome:
        """One look at the provider for run ``run`` (the worker's job; never raises for provider
        trouble). ``connector`` overrides the recorded provider's (tests only).

        ``first_look`` (the first-look message's id, for a run's first look; None for the state
        machine's looks): the first look that moves the payout PENDING → PROCESSING records its id
        on the payout, and a first look of another id (a duplicate message of the dispatcher) then
        ends without asking the provider, so two first looks never send one transfer twice; the
        redelivery of the claiming message carries on.

        Returns:
            the :class:`Outcome` the state machine routes on (or the worker, for a first look).
        """
        nothing = "nothing to do for this run"
        p, owner = self._read_claimed(merchant_id, payout_id)
        if p is None or p["run"] != run or p["status"] not in DISPATCHABLE:
            return Outcome(next=Next.END, payout_status=p["status"] if p else PS.FAILED, reason=nothing)
        if first_look and p["status"] != PS.PENDING and owner != first_look:
            return Outcome(next=Next.END, payout_status=p["status"], reason="another look has this run")
        with self.providers.slot(p["provider"]) as free:
            if not free:
                busy = self.policy.busy_retry_seconds
                return Outcome(next=Next.CHECK, payout_status=p["status"], reason=f"{p['provider']} busy",
                               next_check_seconds=random.randint(busy, 2 * busy))
            if p["status"] == PS.PENDING:
                try:
                    p = self.records.apply(self.records.change(p, (PS.PENDING,), PS.PROCESSING,
                                                               detail=f"sent to {p['provider']}",
                                                               sets={"first_look": first_look} if first_look else None))
                except Conflict:  # cancelled meanwhile, or another look claimed it
                    p, owner = self._read_claimed(merchant_id, payout_id)
                    if p["status"] not in AT_PROVIDER or (first_look and owner != first_look):
                        return Outcome(next=Next.END, payout_status=p["status"], reason=nothing)
            try:
                return self._look(p, connector or self.providers.get(p["provider"]))
            except Conflict:  # settled meanwhile (a provider callback, an admin decision): done if it left
                p = self.records.get(merchant_id, payout_id)
                if p["run"] == run and p["status"] in AT_PROVIDER:
                    raise  # still at the provider: the message comes back and looks again
                return Outcome(next=Next.END, payout_status=p["status"], reason="settled meanwhile")

    def _read_claimed(self, merchant_id: str, payout_id: str) -> tuple[dict | None, str | None]:
        """The payout as clients see it, and the id of the first look that claimed its run."""
        p = self.records.get(merchant_id, payout_id, raw=True)
        owner = (p or {}).get("first_look")
        return public(p), owner

    def conclude(self, merchant_id: str, payout_id: str, run: int, decision: Next, outcome: Outcome) -> dict:
        """Apply a look's final answer to run ``run``: CAPTURE (:meth:`capture`) or RELEASE
        (:meth:`release`); the payout after it. Idempotent, like both.

        Raises:
            ValueError: ``decision`` is neither CAPTURE nor RELEASE.
        """
        if decision == Next.CAPTURE:
            return self.capture(merchant_id, payout_id, run, outcome.provider_reference)
        if decision == Next.RELEASE:
            return self.release(merchant_id, payout_id, run, outcome.reason or "failed",
                                provider_reference=outcome.provider_reference)
        raise ValueError(f"{decision} is not a decision on the hold")

    def _look(self, p: dict, connector) -> Outcome:
        try:
            result = connector.status(p["transfer_id"])
        except ConnectorUnavailable as e:
            if p.get("submissions", 0) == 0 and p.get("checks", 0) + 1 >= self.policy.max_unreached:
                return self._verdict(p, Next.RELEASE, UNKNOWN, f"{p['provider']} unreachable; nothing was sent: {e}")
            return self._unknown(p, f"status lookup: {e}")
        if result.status == ProviderStatus.NOT_FOUND:
            if p.get("cancel_requested_at"):
                return self._unknown(p, "cancel requested and the provider does not list the transfer; not sending")
            # marked before sending: a crash after this point never counts as "never sent"; guarded by the
            # count read, so of two looks that both found nothing (a duplicated dispatch) only one sends
            p = self.records.apply(self.records.change(p, AT_PROVIDER, adds={"submissions": 1},
                                                       equals={"submissions": p.get("submissions", 0)}))
            req = TransferRequest(transfer_id=p["transfer_id"], amount=p["amount"], currency=p["currency"],
                                  beneficiary=check_details(p["beneficiary"]).beneficiary,
                                  remarks=p.get("description") or p.get("audit_id"))
            try:
                result = connector.submit(req)
            except TransferRejected as e:
                self._note_attempt(p, "REJECTED", f"{e.code}: {e.message}")
                return self._verdict(p, Next.RELEASE, ProviderStatus.FAILED,
                                     f"refused by {p['provider']}: {e.code}: {e.message}")
            except OutcomeUnknown as e:
                return self._unknown(p, f"submission: {e}", attempt="UNKNOWN")
            except ConnectorUnavailable as e:
                return self._unknown(p, f"submission not delivered: {e}", attempt="NOT_DELIVERED")
            self._note_attempt(p, result.status.value, result.reason, result.provider_reference)
        return self._observe(p, result)

    def _note_attempt(self, p: dict, result: str, detail: str | None = None, reference: str | None = None) -> dict:
        """Append the answer to one submission to ``attempts`` — whatever the payout's status by
        now (a provider callback may have settled it while the answer was on its way): the log of
        what the provider answered stays whole."""
        entry = {"number": len(p.get("attempts") or []) + 1, "run": p["run"], "at": now_iso(),
                 "transfer_id": p["transfer_id"], "result": result}
        entry |= {k: v for k, v in (("detail", (detail or "")[:300] or None), ("provider_reference", reference)) if v}
        return self.records.apply(self.records.change(p, tuple(PS), appends={"attempts": [entry]}))

    def _verdict(self, p: dict, nxt: Next, observed, reason: str | None, reference: str | None = None) -> Outcome:
        return Outcome(next=nxt, payout_status=p["status"], observed=observed, reason=(reason or "")[:500] or None,
                       provider_reference=reference)

    def _unknown(self, p: dict, reason: str, attempt: str | None = None) -> Outcome:
        """Not known yet: look again later; the hold stays."""
        wait = self.policy.next_check(p.get("checks", 0))
        sets = {"last_error": reason[:300], "last_checked_at": now_iso(), "next_check_at": _in(wait)}
        if attempt:
            p = self._note_attempt(p, attempt, reason)
        self.records.apply(self.records.change(p, AT_PROVIDER, sets=sets, adds={"checks": 1}))
        return Outcome(next=Next.CHECK, payout_status=p["status"], observed=UNKNOWN, reason=reason[:500],
                       next_check_seconds=wait)

    def _observe(self, p: dict, r: TransferResult) -> Outcome:
        if r.status == ProviderStatus.SUCCESS:
            return self._verdict(p, Next.CAPTURE, r.status, None, r.provider_reference)
        if r.status == ProviderStatus.FAILED:
            return self._verdict(p, Next.RELEASE, r.status, r.reason, r.provider_reference)
        wait = self.policy.next_check(p.get("checks", 0))
        sets = {"provider_status": r.status.value, "provider_reference": r.provider_reference,
                "last_checked_at": now_iso(), "next_check_at": _in(wait), "last_error": None}
        to, detail = None, None
        if r.status == ProviderStatus.ON_HOLD:
            sets["hold_reason"] = r.reason
            if p["status"] != PS.ON_HOLD:
                to, detail = PS.ON_HOLD, f"held by {p['provider']}: {r.reason}"
        elif p["status"] == PS.ON_HOLD:  # released from its hold, still pending at the provider
            to, detail = PS.PROCESSING, f"{p['provider']} released its hold"
        p = self.records.apply(self.records.change(p, AT_PROVIDER, to, detail, sets=sets, adds={"checks": 1}))
        return Outcome(next=Next.CHECK, payout_status=p["status"], observed=r.status, reason=(r.reason or "")[:500] or None,
                       provider_reference=r.provider_reference, next_check_seconds=wait)

    # ---- money: capture and release ------------------------------------------------------------------
    def capture(self, merchant_id: str, payout_id: str, run: int, provider_reference: str | None = None) -> dict:
        """The provider paid run ``run``: held → payouts, SUCCEEDED, ``payout.succeeded``.
        Idempotent (a no-op unless the payout is at the provider in that run); a capture racing
        another (the workflow's and a callback's) makes one journal and one event."""
        def actions(p: dict):
            out = accounts.merchant_account(merchant_id, "payouts", p["currency"])
            held = accounts.merchant_account(merchant_id, "held", p["currency"])
            journal = Journal(journal_id(p, "capture"), "payout_capture", merchant_id, p["currency"],
                              [Posting(held.account_id, -p["amount"]), Posting(out.account_id, p["amount"])],
                              metadata={"payout_id": payout_id, "run": run, "provider": p["provider"],
                                        "provider_reference": provider_reference, "audit_id": p.get("audit_id")})
            change = self.records.change(p, AT_PROVIDER, PS.SUCCEEDED, f"paid by {p['provider']}",
                                         sets={"provider_reference": provider_reference or p.get("provider_reference"),
                                               "provider_status": ProviderStatus.SUCCESS.value, "next_check_at": None,
                                               "last_error": None, **HOLD_ENDED})
            return journal, [out], [*change, *self.linked(p, PS.SUCCEEDED)]
        return self._settle(merchant_id, payout_id, run, AT_PROVIDER, actions)

    def release(self, merchant_id: str, payout_id: str, run: int, reason: str, *, provider_reference: str | None = None,
                expect: tuple[str, ...] = AT_PROVIDER, to: str | None = None, sets: dict | None = None) -> dict:
        """Return run ``run``'s hold (held → available, or → reserved for a reservation's payout):
        FAILED, or CANCELLED when a cancel was requested, with its event. Idempotent (a no-op
        unless the payout is in one of ``expect`` in that run)."""
        def actions(p: dict):
            status = to or (PS.CANCELLED if p.get("cancel_requested_at") else PS.FAILED)
            source = accounts.merchant_account(merchant_id, "reserved" if p.get("reservation_id") else "available",
                                               p["currency"])
            held = accounts.merchant_account(merchant_id, "held", p["currency"])
            journal = Journal(journal_id(p, "release"), "payout_release", merchant_id, p["currency"],
                              [Posting(held.account_id, -p["amount"]), Posting(source.account_id, p["amount"])],
                              metadata={"payout_id": payout_id, "run": run, "reason": reason[:200]})
            field = "failure_reason" if status == PS.FAILED else "cancel_reason"
            changes = {field: reason[:500], "next_check_at": None, **HOLD_ENDED, **(sets or {})}
            if provider_reference:
                changes["provider_reference"] = provider_reference
            change = self.records.change(p, expect, status, reason, sets=changes)
            return journal, [source], [*change, *self.linked(p, status)]
        return self._settle(merchant_id, payout_id, run, expect, actions)

    def _settle(self, merchant_id: str, payout_id: str, run: int, expect: tuple[str, ...], actions) -> dict:
        """Post ``actions(payout)`` (journal, accounts to open, the payout's change and what is
        linked to it) while the payout is in ``expect`` in ``run``. When the transaction's guards
        fail, the payout is read again: moved on (a duplicate step, or a concurrent decision) ends
        here; another change that kept it in ``expect`` (its status history grew) is tried again."""
        for _ in range(TRANSITION_TRIES):
            p = self.get(merchant_id, payout_id)
            if p["run"] != run or p["status"] not in expect:
                return p
            journal, opens, extra = actions(p)
            try:
                self.ledger.post(journal, opens=opens, extra=extra)
                break
            except ExtraConditionFailed:
                continue
        return self.get(merchant_id, payout_id)

    def confirm(self, merchant_id: str, payout_id: str, transfer_key: str) -> tuple[str, dict]:
        """A provider callback (``payrail.providers.callbacks``) said the transfer it knows as
        ``transfer_key`` changed: ask the provider's status API (a callback is a hint) and capture
        or release as the workflow would; both are guarded, so a repeat or a race with the
        workflow's own look settles the payout once.

        Returns:
            ``(outcome, payout)``: ``captured`` / ``released`` (the provider's final answer,
            applied now or before), ``no_change`` (not final; or the key is not this run's, or the
            payout is not at the provider), ``deferred`` (no provider slot, or the provider
            could not be asked: the workflow looks again on its own).
        """
        p = self.get(merchant_id, payout_id)
        if p.get("provider_key") != transfer_key or p["status"] not in AT_PROVIDER:
            return "no_change", p
        with self.providers.slot(p["provider"]) as free:
            if not free:
                return "deferred", p
            try:
                r = self.providers.get(p["provider"]).status(p["transfer_id"])
            except ConnectorUnavailable:
                return "deferred", p
        if r.status == ProviderStatus.SUCCESS:
            return "captured", self.capture(merchant_id, payout_id, p["run"], r.provider_reference)
        if r.status == ProviderStatus.FAILED:
            return "released", self.release(merchant_id, payout_id, p["run"], r.reason or f"failed at {p['provider']}",
                                            provider_reference=r.provider_reference)
        return "no_change", p

    # ---- decisions ------------------------------------------------------------------------------------
    def cancel(self, merchant_id: str, payout_id: str) -> dict:
        """Merchant cancel (see the module docstring): PENDING / IN_REVIEW → CANCELLED at once;
        ON_HOLD → ``cancel_requested_at`` (CANCELLED when the provider says it will not pay).

        Raises:
            NotFound; Conflict (409 ``invalid_state``, naming the current status).
        """
        p = self.get(merchant_id, payout_id)
        if p["status"] in (PS.PENDING, PS.IN_REVIEW):
            p = self.release(merchant_id, payout_id, p["run"], "cancelled by the merchant",
                             expect=(p["status"],), to=PS.CANCELLED)
            if p["status"] == PS.CANCELLED:
                return p
        elif p["status"] == PS.ON_HOLD:
            if p.get("cancel_requested_at"):
                return p
            try:
                return self.records.apply(self.records.change(p, (PS.ON_HOLD,), sets={"cancel_requested_at": now_iso()}))
            except Conflict:
                p = self.get(merchant_id, payout_id)
        raise Conflict(f"payout is {p['status']}; only PENDING, IN_REVIEW or ON_HOLD payouts can be cancelled",
                       code="invalid_state")

    def approve(self, merchant_id: str, payout_id: str, note: str | None = None) -> dict:
        """Admin: IN_REVIEW → PENDING (the workflow starts). Raises NotFound, Conflict."""
        p = self.get(merchant_id, payout_id)
        try:
            return self.records.apply(self.records.change(p, (PS.IN_REVIEW,), PS.PENDING,
                                                          f"approved by the admin{': ' + note if note else ''}",
                                                          sets={"review_decision": "approved"}))
        except Conflict:
            raise Conflict(f"payout is {self.get(merchant_id, payout_id)['status']}; only IN_REVIEW payouts can be "
                           "approved", code="invalid_state") from None

    def reject(self, merchant_id: str, payout_id: str, note: str | None = None) -> dict:
        """Admin: release an IN_REVIEW payout (FAILED), or an ON_HOLD one (the provider is asked
        first: paid → captured and 409 ``provider_paid``; failed → released with its reason).

        Raises:
            NotFound; Conflict (``invalid_state`` naming the current status, ``provider_paid``).
        """
        p = self.get(merchant_id, payout_id)
        why = f"rejected by the admin{': ' + note if note else ''}"
        if p["status"] not in (PS.IN_REVIEW, PS.ON_HOLD):
            raise Conflict(f"payout is {p['status']}; only IN_REVIEW or ON_HOLD payouts can be rejected",
                           code="invalid_state")
        if p["status"] == PS.IN_REVIEW:
            p = self.release(merchant_id, payout_id, p["run"], why, expect=(PS.IN_REVIEW,), to=PS.FAILED,
                             sets={"review_decision": "rejected"})
        elif p["status"] == PS.ON_HOLD:
            try:
                r = self.providers.get(p["provider"]).status(p["transfer_id"])
            except ConnectorUnavailable:
                r = None
            if r is not None and r.status == ProviderStatus.SUCCESS:
                p = self.capture(merchant_id, payout_id, p["run"], r.provider_reference)
                raise Conflict(f"{p['provider']} has paid this payout; it is {p['status']}", code="provider_paid")
            if r is not None and r.status == ProviderStatus.FAILED:
                why = r.reason or why
            p = self.release(merchant_id, payout_id, p["run"], why, expect=(PS.ON_HOLD,),
                             sets={"released_by": "admin"})
        if p["status"] in HELD:
            raise Conflict(f"payout is {p['status']}; only IN_REVIEW or ON_HOLD payouts can be rejected",
                           code="invalid_state")
        return p

    def reinitiate(self, merchant: dict, payout_id: str) -> dict:
        """A FAILED payout gets a new run: a new hold, a new transfer id, the review rule again.

        Raises:
            NotFound; Conflict (409 ``invalid_state`` naming the current status; a reservation's
            payout is re-fulfilled through its reservation); InsufficientFunds (402, nothing held).
        """
        mid = merchant["merchant_id"]
        p = self.get(mid, payout_id)
        if p["status"] != PS.FAILED:
            raise Conflict(f"payout is {p['status']}; only a FAILED payout can be reinitiated", code="invalid_state")
        if p.get("reservation_id"):
            raise Conflict("this payout pays a reservation: fulfil the reservation again", code="invalid_state")
        run = p["run"] + 1
        nxt = {**p, "run": run}
        review = p["amount"] >= self.policy.threshold_minor(merchant, p["currency"])
        status = PS.IN_REVIEW if review else PS.PENDING
        tid = transfer_id(payout_id, run)
        journal, opens = self.hold(nxt)
        change = self.records.change(p, (PS.FAILED,), status, f"reinitiated (run {run})", sets={
            "run": run, "transfer_id": tid, "provider_key": self.providers.get(p["provider"]).transfer_key(tid),
            "checks": 0, "submissions": 0, "failure_reason": None, "next_check_at": None, "last_error": None,
            "provider_status": None, "provider_reference": None, "hold_reason": None, "review_decision": None,
            "review_reason": "amount at or above the review threshold" if review else None,
            **held_since(payout_id, now_iso())})
        try:
            self.ledger.post(journal, opens=opens, extra=change)
        except (NotFound, InsufficientFunds):
            raise InsufficientFunds(f"the available {p['currency']} balance is less than {p['amount']}",
                                    param="amount", code="insufficient_balance") from None
        except ExtraConditionFailed:
            raise Conflict(f"payout is {self.get(mid, payout_id)['status']}; only a FAILED payout can be reinitiated",
                           code="invalid_state") from None
        return self.get(mid, payout_id)

