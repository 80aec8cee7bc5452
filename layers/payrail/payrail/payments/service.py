"""Mobile-money payments to Ghana wallets: create with risk checks and routing, the
workflow's looks at the provider, expiry, cancel, refund, callbacks. See ``payrail.payments``.

Money (journals; ``P`` = the route's provider, accounts per merchant, provider and GHS)::

    PENDING (hold)        momo_float:P → momo_held:P          amount + fee
    failover A → B        momo_held:A → momo_float:A, momo_float:B → momo_held:B   (one journal)
    CONFIRMED (capture)   momo_held:P → momo_sent:P (amount) + momo_fees:P (fee)
    FAILED / EXPIRED / CANCELLED (release)   momo_held:P → momo_float:P
    REFUNDED              momo_sent:P → momo_float:P          amount (the provider's reversal)

Each journal is posted in the same transaction as the payment's guarded transition and its
event; journal ids derive from the payment id, so each happens at most once.
"""
from __future__ import annotations

import math
import random
import uuid
from datetime import datetime, timezone

from payrail.core import accounts, deadline
from payrail.providers.connectors.base import (INSUFFICIENT_FLOAT, ConnectorUnavailable, MobileWallet, OutcomeUnknown,
                                     ProviderStatus, TransferRejected, TransferRequest, TransferResult)
from payrail.providers.connectors.ghana import parse_recipient
from payrail.providers.registry import REGISTRY
from payrail.core.errors import Conflict, InsufficientFunds, NotFound, ProviderFailed, ProviderUnavailable, ValidationFailed
from payrail.core.entity import Page
from payrail.core.events import EventLog
from payrail.core.idempotency import check_fingerprint
from payrail.core.ledger import ExtraConditionFailed, Journal, Ledger, Posting, now_iso
from payrail.payments.risk import RiskCounters, RiskPolicy, assess
from payrail.payments.routing import RouteStats, RoutingPolicy, score_candidates
from payrail.payments.model import FloatBalance, FloatFunding, Payment, RecipientRequest, RouteCandidate
from payrail.payments.records import PaymentRecords
from payrail.payments.workflow import CREATING, FINAL, HELD, LIFECYCLE, PS, Next, Outcome
from payrail.providers.slots import Providers
from payrail.core.store import MainTable
from payrail.core import clock

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "payrail/payments")
CURRENCY = "GHS"
#: how long a refund's claim lasts when no invocation deadline is set (scripts, tests), seconds
REFUND_CLAIM_SECONDS = 30


_iso = clock.iso


def _epoch(iso: str) -> float:
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


def _reconciled(p: Payment, outcome: str, transfer_id: str | None = None) -> dict | None:
    """The reconciliation mark of a journal ending ``p``'s transfer at its current provider
    (``captured``, ``released``), or of its reversal (``reversed``, ``transfer_id`` the reversal's);
    None for a payment never routed to a transfer."""
    if not p.transfer_id:
        return None
    return {"provider": p.provider, "transfer_id": transfer_id or p.transfer_id,
            "kind": "reversal" if outcome == "reversed" else "transfer", "outcome": outcome, "amount": p.amount}


def payment_id_for(merchant_id: str, idempotency_key: str) -> str:
    """The payment's UUID: uuid5 of the merchant and the key (a retry names the same payment)."""
    return str(uuid.uuid5(NAMESPACE, f"{merchant_id}\x1f{idempotency_key}"))


def check_payment_id(payment_id: str) -> str:
    """Raises ValidationFailed (400, ``payment_id``) unless it is a UUID in canonical form."""
    try:
        if str(uuid.UUID(payment_id)) == payment_id.lower():
            return payment_id.lower()
    except (ValueError, AttributeError):
        pass
    raise ValidationFailed("payment_id must be a UUID", param="payment_id")


class Payments:
    """The payment aggregate.

    Args:
        ledger, main, events: the tables.
        providers: the configured connectors and their in-flight slots.
        stats: routing's sliding window and provider health. risk_counters: velocity buckets.
        routing, risk: the policies. timeout_seconds: TRANSACTION_TIMEOUT_SECONDS.
        backoff_base_seconds, backoff_max_seconds: looks at an open transfer.
    """

    def __init__(self, ledger: Ledger, main: MainTable, events: EventLog, providers: Providers, stats: RouteStats,
                 risk_counters: RiskCounters, routing: RoutingPolicy = RoutingPolicy(), risk: RiskPolicy = RiskPolicy(),
                 timeout_seconds: int = 300, backoff_base_seconds: int = 2, backoff_max_seconds: int = 60):
        self.ledger, self.main, self.events, self.providers = ledger, main, events, providers
        self.stats, self.counters, self.routing, self.risk = stats, risk_counters, routing, risk
        self.timeout, self.backoff_base, self.backoff_max = timeout_seconds, backoff_base_seconds, backoff_max_seconds
        self.records = PaymentRecords(main, events)

    # ---- providers -----------------------------------------------------------------------------------
    def momo_providers(self) -> list[tuple[str, str]]:
        """``(connector, network)`` of the configured Ghana mobile-money connectors, registry order."""
        return [(name, e.cls.network) for name, e in REGISTRY.items()
                if e.capabilities.covers("mobile_wallet", CURRENCY, "GH") and self.providers.configured(name)]

    def floats(self, merchant_id: str, currency: str = CURRENCY) -> dict[str, FloatBalance]:
        """The merchant's float at each mobile-money provider (minor units), by provider."""
        names = [n for n, _ in self.momo_providers()]
        ids = {(n, k): accounts.provider_float(merchant_id, k, currency, n).account_id
               for n in names for k in ("momo_float", "momo_held")}
        got = self.ledger.get_accounts(list(ids.values()))
        return {n: FloatBalance.model_construct(available=got.get(ids[(n, "momo_float")], {}).get("balance", 0),
                                                held=got.get(ids[(n, "momo_held")], {}).get("balance", 0))
                for n in names}

    def fund_float(self, merchant_id: str, provider: str, amount: int, idempotency_key: str,
                   fingerprint: str | None = None) -> FloatFunding:
        """Admin: fund the merchant's float at ``provider`` (momo_funding → momo_float), once per key.

        Raises: ValidationFailed (unknown provider, bad amount); IdempotencyMismatch.
        """
        if provider not in dict(self.momo_providers()):
            raise ValidationFailed(f"provider must be one of {', '.join(n for n, _ in self.momo_providers())}",
                                   param="provider")
        fl = accounts.provider_float(merchant_id, "momo_float", CURRENCY, provider)
        src = accounts.provider_float(merchant_id, "momo_funding", CURRENCY, provider)
        jid = f"float:{merchant_id}:{provider}:{idempotency_key}"
        res = self.ledger.post(Journal(jid, "momo_float_funding", merchant_id, CURRENCY,
                                       [Posting(src.account_id, -amount), Posting(fl.account_id, amount)],
                                       metadata={"provider": provider, "request_fingerprint": fingerprint}),
                               opens=[src, fl])
        if not res.created:
            check_fingerprint(res.journal.get("metadata") or {}, fingerprint)
        return FloatFunding.model_construct(merchant_id=merchant_id, provider=provider, currency=CURRENCY,
                                            amount=amount, journal_id=jid, float=self.floats(merchant_id)[provider])

    # ---- reads ----------------------------------------------------------------------------------------
    def get(self, merchant_id: str, payment_id: str) -> Payment:
        """Raises ValidationFailed (not a UUID), NotFound."""
        return self._get(merchant_id, payment_id)

    def _get(self, merchant_id: str, payment_id: str) -> Payment:
        p = self.records.get(merchant_id, check_payment_id(payment_id))
        if p is None:
            raise NotFound("payment not found", param="payment_id")
        return p

    def page(self, merchant_id: str, *, limit: int = 10, starting_after: str | None = None, status: str | None = None,
             network: str | None = None, provider: str | None = None, created_from: str | None = None,
             created_to: str | None = None) -> Page[Payment]:
        """The merchant's payments, newest first; filters combine."""
        where = {k: v for k, v in (("status", status), ("network", network), ("provider", provider)) if v}
        if starting_after:
            check_payment_id(starting_after)
        return self.records.page(merchant_id, limit=limit, starting_after=starting_after,
                                 created_from=created_from, created_to=created_to, where=where or None)

    # ---- creation -------------------------------------------------------------------------------------
    def create(self, merchant_id: str, amount: int, currency: str, recipient: RecipientRequest, idempotency_key: str,
               *, description: str | None = None, metadata: dict | None = None,
               fingerprint: str | None = None) -> tuple[Payment, bool]:
        """INITIATED → VALIDATING → (risk, routing) → PENDING with the hold, or FAILED
        (``risk_declined``, nothing held). A retry with the same key continues or replays.

        The first write arms the payment's expiry timer (``expires_at``, TRANSACTION_TIMEOUT_SECONDS
        on): a creation that never completes (its invocation died, the client gave up) is ended
        EXPIRED by the sweeper, nothing held; a retry with the same key then answers that payment.

        Returns: ``(payment, created)``.

        Raises:
            ValidationFailed (400; ``param`` names the field): currency not GHS, amount outside the
                limits, a malformed or non-mobile number, an unknown network. Nothing is created.
            InsufficientFunds (402 ``insufficient_float``): no provider's float covers amount + fee.
            IdempotencyMismatch (422): the key created another payment.
        """
        if currency != CURRENCY:
            raise ValidationFailed("payments are in GHS", param="currency", code="currency_not_supported")
        if not self.risk.min_amount <= amount <= self.risk.max_amount:
            raise ValidationFailed(f"amount must be between {self.risk.min_amount} and {self.risk.max_amount} "
                                   "pesewas", param="amount")
        rcpt = parse_recipient(recipient.phone, recipient.network)
        pid = payment_id_for(merchant_id, idempotency_key)
        existing = self.records.stored(merchant_id, pid)
        if existing:
            check_fingerprint(existing, fingerprint)
            return self._advance(self.records.get(merchant_id, pid)), False
        providers = self.momo_providers()
        floats = self.floats(merchant_id)
        if not any(n in floats and floats[n].available >= amount + self.routing.fee(amount, net == rcpt.network)
                   for n, net in providers):
            raise InsufficientFunds("no provider float covers the amount and its fee; the admin funds floats",
                                    param="amount", code="insufficient_float")
        p = self.records.new(pid, merchant_id, amount, currency, {
            "phone": rcpt.phone, "name": recipient.name, "network": rcpt.network,
            "detected_network": rcpt.detected, "network_source": rcpt.source, "ported": rcpt.ported},
            description, metadata, fingerprint, now_iso(), _iso(clock.now() + self.timeout))
        created = self.records.create(p)  # False: a concurrent twin created it
        return self._advance(self.records.get(merchant_id, pid)), created

    def _advance(self, p: Payment) -> Payment:
        """Continue a payment's creation from where it stands (INITIATED, VALIDATING)."""
        if p.status == PS.INITIATED:
            self._move(p, (PS.INITIATED,), PS.VALIDATING, detail="risk checks and routing")
            p = self._read(p)
        if p.status != PS.VALIDATING:
            return p
        risk = assess(self.risk, self.counters, p.merchant_id, p.recipient.phone, p.amount, p.payment_id)
        if risk.declined:
            self._move(p, (PS.VALIDATING,), PS.FAILED, detail="risk_declined: " + ", ".join(
                r["rule"] for r in risk.reasons), sets={"risk": risk.as_dict(), "failure_reason": "risk_declined"})
            return self._read(p)
        rng = random.Random(p.payment_id)
        floats = {n: f.available for n, f in self.floats(p.merchant_id).items()}
        providers = self.momo_providers()
        candidates = score_candidates(p.amount, p.network, providers, floats,
                                      self.stats.read([n for n, _ in providers]), self.routing, rng)
        order = [c.provider for c in candidates if c.rank]
        stored = [c.model_dump() for c in candidates]
        for i, provider in enumerate(order):
            c = next(c for c in candidates if c.provider == provider)
            route = self._route(c, i)
            expires = clock.now() + self.timeout
            sets = {"risk": risk.as_dict(), "candidates": stored, "route_order": order, "route_index": i,
                    "route": route, "provider": provider, "fee": c.fee, "total": c.total,
                    "transfer_id": self._transfer_id(p, i), "provider_key": self._key(provider, self._transfer_id(p, i)),
                    "expires_at": _iso(expires),
                    # what the stand-ins and sandboxes show: seconds on-net, longer through the interop switch
                    "estimated_completion_at": _iso(clock.now() + (10 if c.on_net else 30))}
            held = accounts.provider_float(p.merchant_id, "momo_held", CURRENCY, provider)
            src = accounts.provider_float(p.merchant_id, "momo_float", CURRENCY, provider)
            journal = Journal(f"pay:{p.payment_id}:hold", "momo_payment_hold", p.merchant_id, CURRENCY,
                              [Posting(src.account_id, -c.total), Posting(held.account_id, c.total)],
                              metadata={"payment_id": p.payment_id, "provider": provider})
            try:
                if not self._post(p, journal, [held], (PS.VALIDATING,), PS.PENDING, sets, route["why"],
                                  expires_at=_iso(expires)):
                    return self._read(p)  # a concurrent twin of this request routed it
            except (InsufficientFunds, NotFound):
                continue  # this float was spent meanwhile: the next route
            self.counters.add(p.merchant_id, p.recipient.phone, p.amount, p.payment_id,
                              self.risk.window_seconds)
            return self._read(p)
        self._move(p, (PS.VALIDATING,), PS.FAILED, detail="insufficient_float: no provider's float covers it",
                   sets={"risk": risk.as_dict(), "candidates": [c.model_dump() for c in candidates],
                         "failure_reason": "insufficient_float"})
        return self._read(p)

    @staticmethod
    def _route(c: RouteCandidate, index: int) -> dict:
        """The route item (as stored) of candidate ``c`` (a scored candidate, or one stored on the payment) at ``index``."""
        return {"provider": c.provider, "network": c.network, "on_net": c.on_net, "fee": c.fee,
                "score": c.score, "explored": bool(c.get("explored")) and index == 0, "why": c.why, "failover": index}

    @staticmethod
    def _transfer_id(p: Payment, index: int) -> str:
        return f"{p.payment_id}-{index + 1}"

    def _key(self, provider: str, transfer_id: str) -> str:
        return self.providers.get(provider).transfer_key(transfer_id)

    # ---- transitions ---------------------------------------------------------------------------------------
    def _read(self, p: Payment) -> Payment:
        return self.records.reread(p)

    def _move(self, p: Payment, frm: tuple, to: str, sets: dict | None = None, detail: str | None = None) -> bool:
        """A transition without money (a move of the lifecycle table: IllegalMove, before anything
        is written, for one it lacks). False when the payment moved meanwhile."""
        return self.records.transact(self.records.transition(p, frm, to, sets, detail))

    def _post(self, p: Payment, journal: Journal, opens: list, frm: tuple, to: str, sets: dict | None,
              detail: str | None, expires_at: str | None = None) -> bool:
        """A journal with the transition and its event, in one transaction. False when the
        payment moved meanwhile (nothing written): its guard failed, or the ledger refused the
        movement for funds a move of the payment since it was read has taken (a hold captured or
        released by a racing look or callback leaves nothing to release). Raises
        InsufficientFunds (the payment is still as read), NotFound, IllegalMove."""
        try:
            self.ledger.post(journal, opens=opens, extra=self.records.transition(p, frm, to, sets, detail, expires_at))
            return True
        except ExtraConditionFailed:
            return False
        except InsufficientFunds:
            now = self.records.reread(p)
            if now is not None and now.status in frm and now.route_index == p.route_index:
                raise
            return False

    def _accounts(self, p: Payment, provider: str | None = None):
        provider = provider or p.provider
        return {k: accounts.provider_float(p.merchant_id, k, CURRENCY, provider)
                for k in ("momo_float", "momo_held", "momo_sent", "momo_fees")}

    def capture(self, p: Payment, reference: str | None, detail: str) -> bool:
        """PENDING / PROCESSING → CONFIRMED: held → sent + fees."""
        a = self._accounts(p)
        postings = [Posting(a["momo_held"].account_id, -p.total), Posting(a["momo_sent"].account_id, p.amount)]
        if p.fee:
            postings.append(Posting(a["momo_fees"].account_id, p.fee))
        j = Journal(f"pay:{p.payment_id}:capture", "momo_payment_capture", p.merchant_id, CURRENCY, postings,
                    metadata={"payment_id": p.payment_id, "provider": p.provider, "provider_reference": reference},
                    reconciliation=_reconciled(p, "captured"))
        return self._post(p, j, [a["momo_sent"], a["momo_fees"]], HELD, PS.CONFIRMED,
                          {"provider_reference": reference, "confirmed_at": now_iso(), "provider_status": "SUCCESS"},
                          detail)

    def release(self, p: Payment, to: str, reason: str, frm: tuple = HELD, sets: dict | None = None) -> bool:
        """PENDING / PROCESSING → FAILED, EXPIRED or CANCELLED: held → float (IllegalMove, before
        anything is built, for a move the lifecycle table lacks)."""
        LIFECYCLE.check(frm, to)
        a = self._accounts(p)
        j = Journal(f"pay:{p.payment_id}:release", "momo_payment_release", p.merchant_id, CURRENCY,
                    [Posting(a["momo_held"].account_id, -p.total), Posting(a["momo_float"].account_id, p.total)],
                    metadata={"payment_id": p.payment_id, "provider": p.provider, "reason": reason[:200]},
                    reconciliation=_reconciled(p, "released"))
        field = {"FAILED": "failure_reason", "EXPIRED": "expiry_reason", "CANCELLED": "cancel_reason"}[to]
        return self._post(p, j, [], frm, to, {field: reason[:500], **(sets or {})}, reason)

    def failover(self, p: Payment, why: str) -> Payment | None:
        """Move the hold to the next eligible route (before any provider accepted the payment).
        Returns the payment on its new route, or None when no route is left (or its float is short)."""
        order, i = p.route_order or [], p.route_index or 0
        for j in range(i + 1, len(order)):
            nxt = order[j]
            c = next(c for c in p.candidates if c.provider == nxt)
            old, new = self._accounts(p), self._accounts(p, nxt)
            journal = Journal(f"pay:{p.payment_id}:failover:{j}", "momo_payment_failover", p.merchant_id, CURRENCY,
                              [Posting(old["momo_held"].account_id, -p.total),
                               Posting(old["momo_float"].account_id, p.total),
                               Posting(new["momo_float"].account_id, -c.total),
                               Posting(new["momo_held"].account_id, c.total)],
                              metadata={"payment_id": p.payment_id, "from": p.provider, "to": nxt, "why": why[:200]},
                              reconciliation=_reconciled(p, "released"))
            tid = self._transfer_id(p, j)
            change = self.records.change_action(
                p, equals={"route_index": i},
                sets={"route_index": j, "provider": nxt, "route": self._route(c, j) | {"why": f"failover: {why}"[:300]},
                      "fee": c.fee, "total": c.total, "transfer_id": tid, "provider_key": self._key(nxt, tid),
                      "route_submissions": 0},
                appends={"failovers": [{"at": now_iso(), "from_provider": p.provider, "to_provider": nxt,
                                         "why": why[:300]}]})
            try:
                self.ledger.post(journal, opens=[new["momo_held"]], extra=[change])
            except (InsufficientFunds, NotFound):
                continue
            except ExtraConditionFailed:
                return None
            return self._read(p)
        return None

    # ---- the worker's look -----------------------------------------------------------------------------
    def _backoff(self, p: Payment) -> int:
        wait = min(self.backoff_max, self.backoff_base * 2 ** min(max(0, p.looks - 1), 10))
        left = _epoch(p.expires_at) - clock.now() if p.expires_at else wait
        return int(max(1, min(wait, left + 1)))

    def look(self, merchant_id: str, payment_id: str, look: int) -> Outcome:
        """One look at the payment's provider (status first; a submission only when the provider
        never heard of this route's transfer). Never raises for provider trouble."""
        p = self.records.get(merchant_id, payment_id)
        if not p or p.status not in HELD:
            return Outcome(next=Next.END, status=p.status if p else PS.FAILED, reason="nothing to do")
        claimed = self.records.claim_look(merchant_id, payment_id, look)
        if claimed is None:
            return Outcome(next=Next.END, status=p.status, reason="stale look")
        p = claimed
        conn = self.providers.get(p.provider)
        with self.providers.slot(p.provider) as got:
            if not got:
                return Outcome(next=Next.CHECK, status=p.status, delay_seconds=2, reason="provider busy")
            try:
                result = conn.status(p.transfer_id)
            except ConnectorUnavailable as e:
                self.stats.record(p.provider, False)
                return self._unreachable(p, f"{p.provider} unreachable: {e}")
            self.stats.record(p.provider, True)
            if result.status == ProviderStatus.NOT_FOUND:
                if self._expired(p):
                    return self._expire(p, f"{p.provider} never received it")
                return self._submit(p, conn)
            return self._settle(p, result)

    def _expired(self, p: Payment) -> bool:
        return bool(p.expires_at) and clock.now() >= _epoch(p.expires_at)

    def _unreachable(self, p: Payment, why: str) -> Outcome:
        """The provider could not be asked: fail over while nothing was sent to it, else look again."""
        if not p.route_submissions:
            moved = self.failover(p, why)
            if moved:
                return Outcome(next=Next.CHECK, status=moved.status, delay_seconds=0, reason=why[:500])
            if self._expired(p) and not p.submissions:
                return self._expire(p, f"no provider could be reached; nothing was sent ({why})")
        self._note(p, last_error=why)
        return Outcome(next=Next.CHECK, status=p.status, delay_seconds=self._backoff(p), reason=why[:500])

    def _submit(self, p: Payment, conn) -> Outcome:
        if p.status == PS.PENDING:
            if not self._move(p, (PS.PENDING,), PS.PROCESSING, detail=f"sent to {p.provider}"):
                return self._gone(p)
            p = self._read(p)
        marked = self._change(p, adds={"submissions": 1, "route_submissions": 1})  # marked before sending
        if marked is None:
            return self._gone(p)
        p = marked
        req = TransferRequest(transfer_id=p.transfer_id, amount=p.amount, currency=CURRENCY,
                              beneficiary=MobileWallet(wallet_code=p.network, msisdn=p.recipient.phone,
                                                       name=p.recipient.name or "recipient"),
                              remarks=(p.description or "payrail payment")[:140])
        try:
            result = conn.submit(req)
        except TransferRejected as e:
            self._attempt(p, "REJECTED", f"{e.code}: {e.message}")
            if e.code == INSUFFICIENT_FLOAT:
                self.stats.record(p.provider, False)
                return self._no_float(p, f"{p.provider} refused for lack of float: {e.message}")
            return self._fail(p, f"refused by {p.provider}: {e.code}: {e.message}")
        except OutcomeUnknown as e:
            self.stats.record(p.provider, False)
            self._attempt(p, "UNKNOWN", str(e))
            return Outcome(next=Next.CHECK, status=p.status, delay_seconds=self._backoff(p), reason=str(e)[:500])
        except ConnectorUnavailable as e:
            self.stats.record(p.provider, False)
            self._attempt(p, "NOT_DELIVERED", str(e))
            if self._change(p, adds={"route_submissions": -1}) is None:  # it never reached the provider
                return self._gone(p)
            moved = self.failover(p, f"{p.provider} unreachable: {e}")
            if moved:
                return Outcome(next=Next.CHECK, status=moved.status, delay_seconds=0, reason=str(e)[:500])
            return Outcome(next=Next.CHECK, status=p.status, delay_seconds=self._backoff(p), reason=str(e)[:500])
        self._attempt(p, result.status.value, result.reason, result.provider_reference)
        return self._settle(self._read(p), result)

    def _no_float(self, p: Payment, why: str) -> Outcome:
        """The provider refused for lack of its float: nothing was paid, so the next route may pay it."""
        reset = self._change(p, sets={"route_submissions": 0}, equals={"route_index": p.route_index or 0})
        if reset is None:
            return self._gone(p)
        moved = self.failover(reset, why)
        if moved:
            return Outcome(next=Next.CHECK, status=moved.status, delay_seconds=0, reason=why[:500])
        return self._fail(self._read(p), why)

    def _fail(self, p: Payment, reason: str) -> Outcome:
        if not self.release(p, PS.FAILED, reason):
            return self._gone(p)
        return Outcome(next=Next.END, status=PS.FAILED, reason=reason[:500])

    def _settle(self, p: Payment, r: TransferResult) -> Outcome:
        if r.status == ProviderStatus.SUCCESS:
            if not self.capture(p, r.provider_reference, f"paid by {p.provider}"):
                return self._gone(p)
            return Outcome(next=Next.END, status=PS.CONFIRMED)
        if r.status == ProviderStatus.FAILED:
            if r.failure_code == INSUFFICIENT_FLOAT and (p.route_submissions or 0) <= 1:
                self.stats.record(p.provider, False)
                return self._no_float(p, f"{p.provider} failed it for lack of float: {r.reason}")
            return self._fail(p, f"{p.provider}: {r.reason}")
        if self._expired(p):
            return self._expire(p, f"{p.provider} still {r.provider_status or r.status.value} after the timeout")
        self._note(p, provider_status=r.provider_status or r.status.value, provider_reference=r.provider_reference,
                   last_error=None)
        return Outcome(next=Next.CHECK, status=p.status, delay_seconds=self._backoff(p))

    def _expire(self, p: Payment, reason: str) -> Outcome:
        if not self.release(p, PS.EXPIRED, f"expired after {self.timeout} s: {reason}"):
            return self._gone(p)
        return Outcome(next=Next.END, status=PS.EXPIRED, reason=reason[:500])

    def _change(self, p: Payment, **kw) -> Payment | None:
        """An update of a held payment (``MainTable.update_action`` keywords); None when it is no
        longer held (settled meanwhile, e.g. by a provider callback)."""
        return self.records.change(p, **kw)

    def _gone(self, p: Payment) -> Outcome:
        """The payment moved meanwhile (a callback settled it or failed it over): look again at its
        current route while it is held, else stop."""
        now = self._read(p)
        if now.status in HELD:
            return Outcome(next=Next.CHECK, status=now.status, delay_seconds=0, reason="moved meanwhile")
        return Outcome(next=Next.END, status=now.status, reason="settled meanwhile")

    def _note(self, p: Payment, **sets) -> None:
        self._change(p, sets={"last_checked_at": now_iso(), **sets})

    def _attempt(self, p: Payment, result: str, detail: str | None = None, reference: str | None = None) -> None:
        """Log a provider's answer to one submission, whatever the payment's status by now (a
        callback may have settled it while the answer was on its way): the log stays whole."""
        entry = {"number": len(p.attempts or []) + 1, "at": now_iso(), "provider": p.provider,
                 "transfer_id": p.transfer_id, "result": result}
        entry |= {k: v for k, v in (("detail", (detail or "")[:300] or None), ("provider_reference", reference)) if v}
        self.records.log_attempt(p, entry)

    # ---- expiry ---------------------------------------------------------------------------------------------
    def settle_or_expire(self, p: Payment) -> str:
        """A payment past its expiry: ask the provider first. Paid → CONFIRMED (never EXPIRED);
        failed → FAILED; pending or never received → EXPIRED (released). Provider unreachable: if
        nothing was ever sent, EXPIRED; otherwise left for the next sweep. A creation that never
        completed (INITIATED, VALIDATING: nothing held, nothing sent) → EXPIRED, guarded by the
        state it leaves, so a creation finishing at that moment wins or loses whole. Returns the status."""
        if p.status in CREATING and self._expired(p):
            self._move(p, (p.status,), PS.EXPIRED, detail="its creation did not complete; nothing was held",
                       sets={"expiry_reason": f"expired after {self.timeout} s: its creation did not complete; "
                                              "nothing was held"})
            return self._read(p).status
        if p.status not in HELD or not self._expired(p):
            return p.status
        try:
            r = self.providers.get(p.provider).status(p.transfer_id)
        except ConnectorUnavailable as e:
            if not p.submissions:
                self.release(p, PS.EXPIRED, f"expired after {self.timeout} s; nothing was sent ({e})")
            return self._read(p).status
        if r.status == ProviderStatus.SUCCESS:
            self.capture(p, r.provider_reference, f"confirmed by {p.provider} when asked at expiry")
        elif r.status == ProviderStatus.FAILED:
            self.release(p, PS.FAILED, f"{p.provider}: {r.reason}")
        else:
            self.release(p, PS.EXPIRED, f"expired after {self.timeout} s: {p.provider} answered "
                                        f"{r.provider_status or r.status.value}")
        return self._read(p).status

    def expire_due(self, now: float | None = None) -> dict:
        """The sweeper: every payment whose expiry has passed (``due`` index)."""
        counts: dict[str, int] = {}
        for p in self.records.due(_iso(now or clock.now())):
            status = self.settle_or_expire(p) if p else "gone"
            counts[status] = counts.get(status, 0) + 1
        return counts

    # ---- merchant actions --------------------------------------------------------------------------------------
    def cancel(self, merchant_id: str, payment_id: str) -> Payment:
        """PENDING → CANCELLED, hold released. Raises NotFound; Conflict (409 ``invalid_state``
        naming the current state) from any other state, including a second cancel."""
        p = self._get(merchant_id, payment_id)
        for _ in range(5):  # a failover moving the hold meanwhile makes the guarded release retry on the new route
            if p.status != PS.PENDING:
                break
            if self.release(p, PS.CANCELLED, "cancelled by the merchant", frm=(PS.PENDING,)):
                return self._read(p)
            p = self._read(p)
        raise Conflict(f"payment is {p.status}; only a PENDING payment can be cancelled", code="invalid_state",
                       param="status")

    def refund(self, merchant_id: str, payment_id: str, owner: str | None = None) -> Payment:
        """CONFIRMED → REFUNDED through the provider's reversal (key ``<payment>-refund``), with
        a compensating journal (sent → float).

        One refund runs at a time: it first claims the payment (``refund_claim``, a conditional
        write guarded by CONFIRMED and no live claim), so every other refund of it — at the same
        moment or later — answers 409 ``already_refunded`` without asking the provider. A refund
        that fails (the provider refuses, cannot be asked, or its answer was lost) drops its claim,
        so a retry asks again; a claim whose invocation died lapses after the invocation's time.

        Args:
            owner: unique id of this request (the Lambda request id; default a fresh one).

        Raises:
            NotFound; Conflict (409 ``already_refunded`` when the payment is refunded or being
            refunded; ``invalid_state`` naming any other state; ``refund_refused`` when the provider
            refuses the reversal); ProviderUnavailable (503: could not ask, nothing changed);
            ProviderFailed (504 ``provider_timeout``: the answer was lost; ask again).
        """
        p = self._get(merchant_id, payment_id)
        claim = self._claim_refund(p, owner or str(uuid.uuid4()))
        try:
            r = self._reversal(p)
        except BaseException:
            self.records.drop_refund_claim(p, claim)
            raise
        rid = f"{p.payment_id}-refund"
        a = self._accounts(p)
        j = Journal(f"pay:{p.payment_id}:refund", "momo_payment_refund", merchant_id, CURRENCY,
                    [Posting(a["momo_sent"].account_id, -p.amount), Posting(a["momo_float"].account_id, p.amount)],
                    metadata={"payment_id": p.payment_id, "provider": p.provider,
                              "reversal_reference": r.provider_reference},
                    reconciliation=_reconciled(p, "reversed", rid))
        acts = self.records.refund_transition(
            p, claim, {"refund": {"reversal_id": rid, "provider_reference": r.provider_reference, "at": now_iso()}},
            f"reversed by {p.provider}")
        try:
            created = self.ledger.post(j, extra=acts).created
        except ExtraConditionFailed:
            created = False
        if not created:  # our claim lapsed and another refund posted the reversal (or holds the claim now)
            raise self._already_refunded(self._read(p))
        return self._read(p)

    def _already_refunded(self, p: Payment) -> Conflict:
        being = " being" if p.status == PS.CONFIRMED else ""
        return Conflict(f"payment is{being} refunded; a payment is refunded once", code="already_refunded",
                        param="status")

    def _claim_refund(self, p: Payment, owner: str) -> str:
        """Claim ``p`` for one refund (guarded by CONFIRMED and no live claim); returns ``owner``.
        Raises Conflict (``already_refunded``, or ``invalid_state`` naming a state other than CONFIRMED)."""
        if p.status == PS.REFUNDED:
            raise self._already_refunded(p)
        if p.status != PS.CONFIRMED:
            raise Conflict(f"payment is {p.status}; only a CONFIRMED payment can be refunded", code="invalid_state",
                           param="status")
        left = deadline.remaining()
        seconds = (left if left != math.inf else REFUND_CLAIM_SECONDS) + deadline.SAFETY_MARGIN_SECONDS
        if not self.records.claim_refund(p, owner, seconds):
            now = self._read(p)
            if now.status in (PS.CONFIRMED, PS.REFUNDED):
                raise self._already_refunded(now)
            raise Conflict(f"payment is {now.status}; only a CONFIRMED payment can be refunded",
                           code="invalid_state", param="status")
        return owner

    def _reversal(self, p: Payment) -> TransferResult:
        """The provider's settled reversal of ``p`` (asked first, then requested once).
        Raises Conflict (``refund_refused``), ProviderUnavailable, ProviderFailed (see :meth:`refund`)."""
        conn = self.providers.get(p.provider)
        rid = f"{p.payment_id}-refund"
        try:
            r = conn.reversal_status(rid)
            if r.status == ProviderStatus.NOT_FOUND:
                r = conn.reverse(p.transfer_id, rid, p.amount)
        except TransferRejected as e:
            raise Conflict(f"{p.provider} refused the reversal: {e.message}", code="refund_refused") from None
        except ConnectorUnavailable as e:
            raise ProviderUnavailable(f"{p.provider} could not be asked: {e}") from None
        except OutcomeUnknown as e:
            raise ProviderFailed(f"{p.provider} gave no answer; ask again", code="provider_timeout",
                                 provider={"name": p.provider, "status": "UNKNOWN", "reason": str(e)[:200]}) from None
        if r.status == ProviderStatus.FAILED:
            raise Conflict(f"{p.provider} refused the reversal: {r.reason}", code="refund_refused")
        if r.status != ProviderStatus.SUCCESS:
            raise ProviderFailed(f"{p.provider} has not settled the reversal yet; ask again", code="provider_timeout",
                                 provider={"name": p.provider, "status": r.status.value})
        return r

    # ---- provider callbacks (payrail.providers.callbacks) -----------------------------------------------------------
    @staticmethod
    def outcome_known(p: Payment) -> bool:
        """Nothing a provider's callback could say about ``p`` is new: it is CONFIRMED or REFUNDED
        (captured on the provider's own SUCCESS), or it ended without being paid (FAILED, EXPIRED,
        CANCELLED) and a final late answer of the provider is recorded (``late_provider_status``
        SUCCESS or FAILED). A payment still held, or ended with no final late answer yet, is asked
        about (once per callback; the first final late answer is then recorded)."""
        if p.status in (PS.CONFIRMED, PS.REFUNDED):
            return True
        return p.status in FINAL and p.late_provider_status in (ProviderStatus.SUCCESS, ProviderStatus.FAILED)

    def confirm(self, found: Payment, transfer_key: str) -> tuple[str, Payment]:
        """A provider callback named a transfer of this payment (``found``: the payment the main
        table's ``by_provider_key`` index gave for ``transfer_key``, as
        :func:`payrail.payments.records.load` reads its item; it is read again here): ask the
        provider's status API and apply a final answer with the workflow's guarded transitions (a
        repeat or a race with a look settles it once).
        For a payment no longer held (EXPIRED, CANCELLED, FAILED) a late answer changes nothing
        but is recorded as ``late_provider_status`` for an operator.

        A callback whose payment's outcome is already known is acknowledged (``no_change``) and
        ignored **without asking the provider**, so a replayed callback (a provider that signs no
        timestamp, such as AirtelTigo, cannot be dated) never drives lookups: see
        :meth:`outcome_known`. So is one naming another transfer than the payment's current one.

        Returns: ``(outcome, payment)`` with outcome ``captured``, ``released``, ``no_change`` or
        ``deferred`` (the provider could not be asked; the workflow or the sweeper looks again).
        """
        p = self.records.reread(found)
        if p is None or p.provider_key != transfer_key or self.outcome_known(p):
            return "no_change", p or found
        try:
            r = self.providers.get(p.provider).status(p.transfer_id)
        except ConnectorUnavailable:
            return "deferred", p
        if p.status in HELD and r.final:
            self._settle(p, r)
            p = self._read(p)
            return ("captured" if p.status == PS.CONFIRMED else "released" if p.status in FINAL
                    else "no_change"), p
        if p.status in (PS.EXPIRED, PS.CANCELLED, PS.FAILED) and r.status != ProviderStatus.NOT_FOUND:
            p = self.records.note_late_status(p, r.status.value, now_iso())
        return "no_change", p
