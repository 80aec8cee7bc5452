"""Payouts: a hold on creation, the provider chosen then, a worker that asks before it sends,
and exactly one capture or one release per run.

Every status change is a move of :data:`payrail.payouts.model.PAYOUT_LIFECYCLE` (from → to, its
event, whether a journal moves money with it; drawn in ``docs/payouts.md``), applied by
:class:`payrail.payouts.records.PayoutRecords` as a conditional write guarded by the status it
leaves. Created PENDING, or IN_REVIEW at the review threshold (an admin approves or rejects); the
worker sends it (PROCESSING, ON_HOLD while the provider holds it); the provider's answer captures
(SUCCEEDED) or releases (FAILED, or CANCELLED after a cancel) the hold; a FAILED payout may be
reinitiated (a new hold, run + 1).

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
from typing import Callable, Mapping

from payrail.core import accounts
from payrail.core.errors import Conflict, InsufficientFunds, NotFound, ValidationFailed
from payrail.core.events import EventLog
from payrail.core.ids import derived
from payrail.core.idempotency import check_fingerprint
from payrail.core.ledger import ExtraConditionFailed, Journal, Ledger, Posting, now_iso
from payrail.core.money import CURRENCIES, check_amount, check_currency
from payrail.core.store import MainTable
from payrail.payouts.beneficiaries import Beneficiaries, BeneficiaryInput, Destination, check_details, resolve
from payrail.payouts.model import AT_PROVIDER, DISPATCHABLE, HELD, Page, Payout, PayoutStatus as PS
from payrail.payouts.records import PayoutRecords, load_payout
from payrail.payouts.workflow import UNKNOWN, Next, Outcome
from payrail.providers.connectors.base import (ConnectorUnavailable, OutcomeUnknown, ProviderStatus, TransferRejected,
                                               TransferRequest, TransferResult)
from payrail.providers.slots import Providers
from payrail.core import clock

#: the review rule's reason, on the payout and its status entry
REVIEW_REASON = "amount at or above the review threshold"


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

    def threshold_minor(self, merchant: Mapping, currency: str) -> int:
        major = merchant.get("payout_review_threshold") or self.review_threshold
        return major * 10 ** CURRENCIES[currency]

    def enabled(self, merchant: Mapping) -> list[str]:
        cur = merchant.get("payout_currencies")
        return list(self.currencies if cur is None else cur)

    def reviewed(self, merchant: Mapping, amount: int, currency: str) -> bool:
        """Whether a payout of ``amount`` (minor units) waits IN_REVIEW for an admin."""
        return amount >= self.threshold_minor(merchant, currency)

    def next_check(self, looks: int) -> int:
        """Seconds before the next look after ``looks`` earlier ones: base · 2^looks, capped."""
        return min(self.check_max_seconds, self.check_base_seconds * 2 ** min(looks, 20))


#: a capture or release re-reads the payout and tries again at most this many times when another
#: change of it committed between its read and its write
TRANSITION_TRIES = 5

#: ``(payout as read, its new status) -> [TransactWriteItems actions]``, run with every capture and release
Linked = Callable[[Payout, PS], list[dict]]


def journal_id(p: Payout, phase: str) -> str:
    """``<payout_id>:<phase>`` for run 1, ``<payout_id>:r<run>:<phase>`` after a reinitiation."""
    return f"{p.payout_id}:{phase}" if p.run == 1 else f"{p.payout_id}:r{p.run}:{phase}"


def transfer_id(payout_id: str, run: int) -> str:
    return payout_id if run == 1 else f"{payout_id}_r{run}"


def _reconciled(p: Payout, outcome: str) -> dict:
    """The reconciliation mark of the journal ending ``p``'s run (``captured`` or ``released``)."""
    return {"provider": p.provider, "transfer_id": p.transfer_id, "kind": "transfer", "outcome": outcome,
            "amount": p.amount}


def _in(seconds: int) -> str:
    return (clock.utcnow() + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _short(text: str | None, n: int) -> str | None:
    return (text or "")[:n] or None


class Payouts:
    """The payout aggregate (see the module docstring).

    Args:
        ledger, main, events: the tables.
        providers: the configured connectors and their in-flight slots.
        beneficiaries: saved beneficiaries (a payout may name one).
        policy: review threshold, backoff, enabled currencies.
        linked: :data:`Linked`, run with every capture and release (a reservation's payout moves
            its reservation in the same transaction).
    """

    def __init__(self, ledger: Ledger, main: MainTable, events: EventLog, providers: Providers,
                 beneficiaries: Beneficiaries, policy: PayoutPolicy = PayoutPolicy(), linked: Linked | None = None):
        self.ledger = ledger
        self.records = PayoutRecords(main, events)
        self.providers = providers
        self.beneficiaries = beneficiaries
        self.policy = policy
        self.linked: Linked = linked or (lambda p, status: [])

    # ---- reads ------------------------------------------------------------------------------------
    def get(self, merchant_id: str, payout_id: str) -> Payout:
        """The payout. Raises NotFound."""
        p = self.records.get(merchant_id, payout_id)
        if not p:
            raise NotFound("payout not found", param="payout_id")
        return p

    def page(self, merchant_id: str, *, limit: int = 10, starting_after: str | None = None,
             status: str | None = None, created_from: str | None = None, created_to: str | None = None,
             merchant_reference: str | None = None) -> Page[Payout]:
        """The merchant's payouts, newest first (filters combine)."""
        if merchant_reference is not None:
            pid = self.records.by_reference(merchant_id, merchant_reference)
            p = self.records.get(merchant_id, pid) if pid else None
            keep = p is not None and (status is None or p.status == status) and \
                (created_from is None or p.created_at >= created_from) and \
                (created_to is None or p.created_at[:len(created_to)] <= created_to)
            return Page([p] if keep else [], False)
        return self.records.page(merchant_id, limit, starting_after, status=status, created_from=created_from,
                                 created_to=created_to)

    # ---- creation -----------------------------------------------------------------------------------
    def destination(self, merchant_id: str, beneficiary: BeneficiaryInput | None,
                    beneficiary_id: str | None) -> tuple[Destination, str | None]:
        """Where a payout goes: an inline beneficiary, or a saved one (active). Raises ValidationFailed, NotFound."""
        if (beneficiary is None) == (beneficiary_id is None):
            raise ValidationFailed("give exactly one of beneficiary or beneficiary_id", param="beneficiary",
                                   code="parameter_missing" if beneficiary is None else "parameter_invalid")
        if beneficiary_id is not None:
            saved = self.beneficiaries.active(merchant_id, beneficiary_id)
            return check_details(saved.details), beneficiary_id
        return resolve(beneficiary), None

    def provider_for(self, merchant: Mapping, amount: int, currency: str, dest: Destination) -> str:
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

    def new(self, merchant: Mapping, payout_id: str, amount: int, currency: str, dest: Destination,
            ts: str, **fields) -> Payout:
        """A new payout (not written): provider chosen and recorded, review rule applied;
        ``fields``: more of :class:`Payout`'s (None ones left out).

        Raises:
            ValidationFailed: the currency is not enabled for the merchant, or no provider pays it.
        """
        provider = self.provider_for(merchant, amount, currency, dest)
        review = self.policy.reviewed(merchant, amount, currency)
        status = PS.IN_REVIEW if review else PS.PENDING
        entry = {"status": status, "at": ts} | ({"detail": REVIEW_REASON} if review else {})
        tid = transfer_id(payout_id, 1)
        return load_payout({
            "payout_id": payout_id, "merchant_id": merchant["merchant_id"], "amount": amount, "currency": currency,
            "beneficiary": dest.details.model_dump(exclude_unset=True), "status": status, "run": 1,
            "provider": provider, "transfer_id": tid, "provider_key": self.providers.get(provider).transfer_key(tid),
            "attempts": [], "submissions": 0, "checks": 0, "review_reason": REVIEW_REASON if review else None,
            "created_at": ts, "updated_at": ts, "status_history": [entry],
            **{k: v for k, v in fields.items() if v is not None}})

    def hold(self, p: Payout, source: str = "available") -> tuple[Journal, list]:
        """The hold journal of ``p``'s run: ``source`` → held (``source`` is ``available``, or
        ``reserved`` for a reservation's payout)."""
        held = accounts.merchant_account(p.merchant_id, "held", p.currency)
        src = accounts.merchant_account(p.merchant_id, source, p.currency)
        return (Journal(journal_id(p, "hold"), "payout_hold", p.merchant_id, p.currency,
                        [Posting(src.account_id, -p.amount), Posting(held.account_id, p.amount)],
                        metadata={"payout_id": p.payout_id, "run": p.run}), [held])

    def create(self, merchant: Mapping, amount: int, currency: str, idempotency_key: str, *,
               beneficiary: BeneficiaryInput | None = None, beneficiary_id: str | None = None,
               merchant_reference: str | None = None, description: str | None = None,
               fingerprint: str | None = None) -> tuple[Payout, bool]:
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
        if existing := self._replay(mid, payout_id, fingerprint):
            return existing, False
        dest, ben_id = self.destination(mid, beneficiary, beneficiary_id)
        ts = now_iso()
        p = self.new(merchant, payout_id, amount, currency, dest, ts, beneficiary_id=ben_id,
                     merchant_reference=merchant_reference, description=description)
        journal, opens = self.hold(p)
        extra = self.records.create_actions(p, fingerprint)
        if merchant_reference:
            extra.append(self.records.reference_put_action(mid, merchant_reference, payout_id))
        try:
            res = self.ledger.post(journal, opens=opens, extra=extra, created_at=ts)
        except (NotFound, InsufficientFunds):
            raise InsufficientFunds(f"the available {currency} balance is less than {amount}", param="amount",
                                    code="insufficient_balance") from None
        except ExtraConditionFailed as e:
            if e.index == 0:  # a concurrent request with this key created it
                return self._replay(mid, payout_id, fingerprint), False
            raise Conflict(f"merchant_reference {merchant_reference!r} is used by payout "
                           f"{self.records.by_reference(mid, merchant_reference)}", param="merchant_reference",
                           code="duplicate_merchant_reference") from None
        if not res.created:  # its hold was there already: a concurrent request with this key created it
            return self._replay(mid, payout_id, fingerprint), False
        return p, True  # as written: no read

    def _replay(self, merchant_id: str, payout_id: str, fingerprint: str | None) -> Payout | None:
        """The payout an earlier request with this key created (its fingerprint checked), or None."""
        p, item = self.records.fingerprint(merchant_id, payout_id)
        if item:
            check_fingerprint(item, fingerprint)
        return p

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
        p, owner = self.records.claimed(merchant_id, payout_id)
        if p is None or p.run != run or p.status not in DISPATCHABLE:
            return Outcome(next=Next.END, payout_status=p.status if p else PS.FAILED, reason=nothing)
        if first_look and p.status != PS.PENDING and owner != first_look:
            return Outcome(next=Next.END, payout_status=p.status, reason="another look has this run")
        with self.providers.slot(p.provider) as free:
            if not free:
                busy = self.policy.busy_retry_seconds
                return Outcome(next=Next.CHECK, payout_status=p.status, reason=f"{p.provider} busy",
                               next_check_seconds=random.randint(busy, 2 * busy))
            if p.status == PS.PENDING:
                try:
                    p = self.records.apply(self.records.move(p, PS.PROCESSING, f"sent to {p.provider}",
                                                             sets={"first_look": first_look} if first_look else None))
                except Conflict:  # cancelled meanwhile, or another look claimed it
                    p, owner = self.records.claimed(merchant_id, payout_id)
                    if p.status not in AT_PROVIDER or (first_look and owner != first_look):
                        return Outcome(next=Next.END, payout_status=p.status, reason=nothing)
            try:
                return self._look(p, connector or self.providers.get(p.provider))
            except Conflict:  # settled meanwhile (a provider callback, an admin decision): done if it left
                p = self.get(merchant_id, payout_id)
                if p.run == run and p.status in AT_PROVIDER:
                    raise  # still at the provider: the message comes back and looks again
                return Outcome(next=Next.END, payout_status=p.status, reason="settled meanwhile")

    def conclude(self, merchant_id: str, payout_id: str, run: int, decision: Next, outcome: Outcome) -> Payout:
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

    def _look(self, p: Payout, connector) -> Outcome:
        try:
            result = connector.status(p.transfer_id)
        except ConnectorUnavailable as e:
            if p.submissions == 0 and p.checks + 1 >= self.policy.max_unreached:
                return self._verdict(p, Next.RELEASE, UNKNOWN, f"{p.provider} unreachable; nothing was sent: {e}")
            return self._unknown(p, f"status lookup: {e}")
        if result.status == ProviderStatus.NOT_FOUND:
            if p.cancel_requested_at:
                return self._unknown(p, "cancel requested and the provider does not list the transfer; not sending")
            # marked before sending: a crash after this point never counts as "never sent"; guarded by the
            # count read, so of two looks that both found nothing (a duplicated dispatch) only one sends
            p = self.records.apply(self.records.update(p, AT_PROVIDER, adds={"submissions": 1},
                                                       equals={"submissions": p.submissions}))
            req = TransferRequest(transfer_id=p.transfer_id, amount=p.amount, currency=p.currency,
                                  beneficiary=check_details(p.beneficiary).beneficiary,
                                  remarks=p.description or p.audit_id)
            try:
                result = connector.submit(req)
            except TransferRejected as e:
                self._note_attempt(p, "REJECTED", f"{e.code}: {e.message}")
                return self._verdict(p, Next.RELEASE, ProviderStatus.FAILED,
                                     f"refused by {p.provider}: {e.code}: {e.message}")
            except OutcomeUnknown as e:
                return self._unknown(p, f"submission: {e}", attempt="UNKNOWN")
            except ConnectorUnavailable as e:
                return self._unknown(p, f"submission not delivered: {e}", attempt="NOT_DELIVERED")
            self._note_attempt(p, result.status.value, result.reason, result.provider_reference)
        return self._observe(p, result)

    def _note_attempt(self, p: Payout, result: str, detail: str | None = None, reference: str | None = None) -> Payout:
        """Append the answer to one submission to ``attempts`` — whatever the payout's status by
        now (a provider callback may have settled it while the answer was on its way): the log of
        what the provider answered stays whole."""
        entry = {"number": len(p.attempts or []) + 1, "run": p.run, "at": now_iso(), "transfer_id": p.transfer_id,
                 "result": result}
        entry |= {k: v for k, v in (("detail", _short(detail, 300)), ("provider_reference", reference)) if v}
        return self.records.apply(self.records.update(p, tuple(PS), appends={"attempts": [entry]}))

    def _verdict(self, p: Payout, nxt: Next, observed, reason: str | None, reference: str | None = None) -> Outcome:
        return Outcome(next=nxt, payout_status=p.status, observed=observed, reason=_short(reason, 500),
                       provider_reference=reference)

    def _unknown(self, p: Payout, reason: str, attempt: str | None = None) -> Outcome:
        """Not known yet: look again later; the hold stays."""
        wait = self.policy.next_check(p.checks)
        sets = {"last_error": reason[:300], "last_checked_at": now_iso(), "next_check_at": _in(wait)}
        if attempt:
            p = self._note_attempt(p, attempt, reason)
        self.records.apply(self.records.update(p, AT_PROVIDER, sets=sets, adds={"checks": 1}))
        return Outcome(next=Next.CHECK, payout_status=p.status, observed=UNKNOWN, reason=reason[:500],
                       next_check_seconds=wait)

    def _observe(self, p: Payout, r: TransferResult) -> Outcome:
        if r.status == ProviderStatus.SUCCESS:
            return self._verdict(p, Next.CAPTURE, r.status, None, r.provider_reference)
        if r.status == ProviderStatus.FAILED:
            return self._verdict(p, Next.RELEASE, r.status, r.reason, r.provider_reference)
        wait = self.policy.next_check(p.checks)
        sets = {"provider_status": r.status.value, "provider_reference": r.provider_reference,
                "last_checked_at": now_iso(), "next_check_at": _in(wait), "last_error": None}
        to, detail = None, None
        if r.status == ProviderStatus.ON_HOLD:
            sets["hold_reason"] = r.reason
            if p.status != PS.ON_HOLD:
                to, detail = PS.ON_HOLD, f"held by {p.provider}: {r.reason}"
        elif p.status == PS.ON_HOLD:  # released from its hold, still pending at the provider
            to, detail = PS.PROCESSING, f"{p.provider} released its hold"
        actions = self.records.move(p, to, detail, sets=sets, adds={"checks": 1}) if to else \
            self.records.update(p, AT_PROVIDER, sets=sets, adds={"checks": 1})
        p = self.records.apply(actions)
        return Outcome(next=Next.CHECK, payout_status=p.status, observed=r.status, reason=_short(r.reason, 500),
                       provider_reference=r.provider_reference, next_check_seconds=wait)

    # ---- money: capture and release ------------------------------------------------------------------
    def capture(self, merchant_id: str, payout_id: str, run: int, provider_reference: str | None = None) -> Payout:
        """The provider paid run ``run``: held → payouts, SUCCEEDED, ``payout.succeeded``.
        Idempotent (a no-op unless the payout is at the provider in that run); a capture racing
        another (the workflow's and a callback's) makes one journal and one event."""
        def actions(p: Payout):
            out = accounts.merchant_account(merchant_id, "payouts", p.currency)
            held = accounts.merchant_account(merchant_id, "held", p.currency)
            journal = Journal(journal_id(p, "capture"), "payout_capture", merchant_id, p.currency,
                              [Posting(held.account_id, -p.amount), Posting(out.account_id, p.amount)],
                              metadata={"payout_id": payout_id, "run": run, "provider": p.provider,
                                        "provider_reference": provider_reference, "audit_id": p.audit_id},
                              reconciliation=_reconciled(p, "captured"))
            change = self.records.move(p, PS.SUCCEEDED, f"paid by {p.provider}", hold_ended=True, sets={
                "provider_reference": provider_reference or p.provider_reference,
                "provider_status": ProviderStatus.SUCCESS.value, "next_check_at": None, "last_error": None})
            return journal, [out], [*change, *self.linked(p, PS.SUCCEEDED)]
        return self._settle(merchant_id, payout_id, run, AT_PROVIDER, actions)

    def release(self, merchant_id: str, payout_id: str, run: int, reason: str, *, provider_reference: str | None = None,
                expect: tuple[str, ...] = AT_PROVIDER, to: PS | None = None, sets: dict | None = None) -> Payout:
        """Return run ``run``'s hold (held → available, or → reserved for a reservation's payout):
        FAILED, or CANCELLED when a cancel was requested (or ``to``), with its event. Idempotent (a
        no-op unless the payout is in one of ``expect`` in that run)."""
        def actions(p: Payout):
            status = to or (PS.CANCELLED if p.cancel_requested_at else PS.FAILED)
            source = accounts.merchant_account(merchant_id, "reserved" if p.reservation_id else "available",
                                               p.currency)
            held = accounts.merchant_account(merchant_id, "held", p.currency)
            journal = Journal(journal_id(p, "release"), "payout_release", merchant_id, p.currency,
                              [Posting(held.account_id, -p.amount), Posting(source.account_id, p.amount)],
                              metadata={"payout_id": payout_id, "run": run, "reason": reason[:200]},
                              reconciliation=_reconciled(p, "released"))
            field = "failure_reason" if status == PS.FAILED else "cancel_reason"
            changes = {field: reason[:500], "next_check_at": None, **(sets or {})}
            if provider_reference:
                changes["provider_reference"] = provider_reference
            change = self.records.move(p, status, reason, sets=changes, hold_ended=True)
            return journal, [source], [*change, *self.linked(p, status)]
        return self._settle(merchant_id, payout_id, run, expect, actions)

    def _settle(self, merchant_id: str, payout_id: str, run: int, expect: tuple[str, ...], actions) -> Payout:
        """Post ``actions(payout)`` (journal, accounts to open, the payout's change and what is
        linked to it) while the payout is in ``expect`` in ``run``. When the transaction's guards
        fail, or the ledger refuses the movement for funds a racing move of the payout has taken
        (its hold captured or released meanwhile), the payout is read again: moved on (a duplicate
        step, or a concurrent decision) ends here; another change that kept it in ``expect`` (its
        status history grew) is tried again. Raises InsufficientFunds only while the payout is
        still as it was read (a hold that does not cover its payout: a bug, never swallowed)."""
        for _ in range(TRANSITION_TRIES):
            p = self.get(merchant_id, payout_id)
            if p.run != run or p.status not in expect:
                return p
            journal, opens, extra = actions(p)
            try:
                self.ledger.post(journal, opens=opens, extra=extra)
                break
            except ExtraConditionFailed:
                continue
            except InsufficientFunds:
                now = self.get(merchant_id, payout_id)
                if now.run == run and now.status in expect and now.status_history == p.status_history:
                    raise
                continue
        return self.get(merchant_id, payout_id)

    def confirm(self, merchant_id: str, payout_id: str, transfer_key: str) -> tuple[str, Payout]:
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
        if p.provider_key != transfer_key or p.status not in AT_PROVIDER:
            return "no_change", p
        with self.providers.slot(p.provider) as free:
            if not free:
                return "deferred", p
            try:
                r = self.providers.get(p.provider).status(p.transfer_id)
            except ConnectorUnavailable:
                return "deferred", p
        if r.status == ProviderStatus.SUCCESS:
            return "captured", self.capture(merchant_id, payout_id, p.run, r.provider_reference)
        if r.status == ProviderStatus.FAILED:
            return "released", self.release(merchant_id, payout_id, p.run, r.reason or f"failed at {p.provider}",
                                            provider_reference=r.provider_reference)
        return "no_change", p

    # ---- decisions ------------------------------------------------------------------------------------
    def cancel(self, merchant_id: str, payout_id: str) -> Payout:
        """Merchant cancel (see the module docstring): PENDING / IN_REVIEW → CANCELLED at once;
        ON_HOLD → ``cancel_requested_at`` (CANCELLED when the provider says it will not pay).

        Raises:
            NotFound; Conflict (409 ``invalid_state``, naming the current status).
        """
        p = self.get(merchant_id, payout_id)
        if p.status in (PS.PENDING, PS.IN_REVIEW):
            p = self.release(merchant_id, payout_id, p.run, "cancelled by the merchant",
                             expect=(p.status,), to=PS.CANCELLED)
            if p.status == PS.CANCELLED:
                return p
        elif p.status == PS.ON_HOLD:
            if p.cancel_requested_at:
                return p
            try:
                return self.records.apply(self.records.update(p, (PS.ON_HOLD,), sets={"cancel_requested_at": now_iso()}))
            except Conflict:
                p = self.get(merchant_id, payout_id)
        raise Conflict(f"payout is {p.status}; only PENDING, IN_REVIEW or ON_HOLD payouts can be cancelled",
                       code="invalid_state")

    def approve(self, merchant_id: str, payout_id: str, note: str | None = None) -> Payout:
        """Admin: IN_REVIEW → PENDING (the workflow starts). Raises NotFound, Conflict."""
        p = self.get(merchant_id, payout_id)
        try:
            if p.status != PS.IN_REVIEW:
                raise Conflict("not in review")
            return self.records.apply(self.records.move(p, PS.PENDING,
                                                        f"approved by the admin{': ' + note if note else ''}",
                                                        sets={"review_decision": "approved"}))
        except Conflict:
            raise Conflict(f"payout is {self.get(merchant_id, payout_id).status}; only IN_REVIEW payouts can be "
                           "approved", code="invalid_state") from None

    def reject(self, merchant_id: str, payout_id: str, note: str | None = None) -> Payout:
        """Admin: release an IN_REVIEW payout (FAILED), or an ON_HOLD one (the provider is asked
        first: paid → captured and 409 ``provider_paid``; failed → released with its reason).

        Raises:
            NotFound; Conflict (``invalid_state`` naming the current status, ``provider_paid``).
        """
        p = self.get(merchant_id, payout_id)
        why = f"rejected by the admin{': ' + note if note else ''}"
        if p.status not in (PS.IN_REVIEW, PS.ON_HOLD):
            raise Conflict(f"payout is {p.status}; only IN_REVIEW or ON_HOLD payouts can be rejected",
                           code="invalid_state")
        if p.status == PS.IN_REVIEW:
            p = self.release(merchant_id, payout_id, p.run, why, expect=(PS.IN_REVIEW,), to=PS.FAILED,
                             sets={"review_decision": "rejected"})
        elif p.status == PS.ON_HOLD:
            try:
                r = self.providers.get(p.provider).status(p.transfer_id)
            except ConnectorUnavailable:
                r = None
            if r is not None and r.status == ProviderStatus.SUCCESS:
                p = self.capture(merchant_id, payout_id, p.run, r.provider_reference)
                raise Conflict(f"{p.provider} has paid this payout; it is {p.status}", code="provider_paid")
            if r is not None and r.status == ProviderStatus.FAILED:
                why = r.reason or why
            p = self.release(merchant_id, payout_id, p.run, why, expect=(PS.ON_HOLD,),
                             sets={"released_by": "admin"})
        if p.status in HELD:
            raise Conflict(f"payout is {p.status}; only IN_REVIEW or ON_HOLD payouts can be rejected",
                           code="invalid_state")
        return p

    def reinitiate(self, merchant: Mapping, payout_id: str) -> Payout:
        """A FAILED payout gets a new run: a new hold, a new transfer id, the review rule again.

        Raises:
            NotFound; Conflict (409 ``invalid_state`` naming the current status; a reservation's
            payout is re-fulfilled through its reservation); InsufficientFunds (402, nothing held).
        """
        mid = merchant["merchant_id"]
        p = self.get(mid, payout_id)
        if p.status != PS.FAILED:
            raise Conflict(f"payout is {p.status}; only a FAILED payout can be reinitiated", code="invalid_state")
        if p.reservation_id:
            raise Conflict("this payout pays a reservation: fulfil the reservation again", code="invalid_state")
        run = p.run + 1
        review = self.policy.reviewed(merchant, p.amount, p.currency)
        tid = transfer_id(payout_id, run)
        journal, opens = self.hold(p.model_copy(update={"run": run}))
        change = self.records.move(p, PS.IN_REVIEW if review else PS.PENDING, f"reinitiated (run {run})",
                                   new_hold_at=now_iso(), sets={
            "run": run, "transfer_id": tid, "provider_key": self.providers.get(p.provider).transfer_key(tid),
            "checks": 0, "submissions": 0, "failure_reason": None, "next_check_at": None, "last_error": None,
            "provider_status": None, "provider_reference": None, "hold_reason": None, "review_decision": None,
            "review_reason": REVIEW_REASON if review else None})
        try:
            self.ledger.post(journal, opens=opens, extra=change)
        except (NotFound, InsufficientFunds):
            raise InsufficientFunds(f"the available {p.currency} balance is less than {p.amount}",
                                    param="amount", code="insufficient_balance") from None
        except ExtraConditionFailed:
            raise Conflict(f"payout is {self.get(mid, payout_id).status}; only a FAILED payout can be reinitiated",
                           code="invalid_state") from None
        return self.get(mid, payout_id)
