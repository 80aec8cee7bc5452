"""Reservations: a seller's payout for an order, two-phase (Mojaloop's prepare/fulfil,
TigerBeetle's pending transfer).

Every status change is a move of :data:`payrail.payouts.model.RESERVATION_LIFECYCLE` (drawn in
``docs/payouts.md``): reserve (available → reserved) makes it RESERVED; fulfil moves it to
FULFILLING with a payout holding the reserved money (reserved → held); the payout's capture
makes it FULFILLED, its release RESERVED again (held → reserved); release and expiry end a
RESERVED one (RELEASED, EXPIRED: reserved → available).

**Fulfil** pays the reservation's beneficiary through a payout whose id — and so the provider's
transfer id — derives from the reservation id and the fulfilment's number (``po_…`` of
``<reservation_id>#<n>``): however many duplicate requests arrive, concurrently or later, the
first one's conditional write RESERVED → FULFILLING wins and every duplicate waits on the same
payout, so a reservation is paid by exactly one transfer, and other reservations are never
blocked (there is no lock, only the reservation's own status). The payout goes through the same
workflow and in-flight bound per provider as any payout. A transfer the provider refused or failed
returns the money to ``reserved`` and the reservation to RESERVED (fulfil again: the next attempt
is a new transfer, ``#<n+1>``); an unknown outcome leaves it FULFILLING — pending reconciliation,
which the workflow does by asking the provider. The audit id is ``order-<reservation_id>``.

**Expiry.** A RESERVED reservation past ``expires_at`` is released by the sweeper (an EventBridge
schedule, every minute) through the ``due`` index; a fulfil arriving after ``expires_at`` expires it
on the spot. An expired or released reservation cannot be fulfilled (409).
"""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Mapping

from payrail.core import accounts
from payrail.core.errors import Conflict, InsufficientFunds, NotFound, ProviderFailed, ProviderTimeout, ValidationFailed
from payrail.core.events import EventLog
from payrail.core.ids import derived
from payrail.core.idempotency import check_fingerprint
from payrail.core.ledger import ExtraConditionFailed, Journal, Ledger, Posting, now_iso
from payrail.core.store import MainTable
from payrail.payouts.beneficiaries import BeneficiaryInput, check_details
from payrail.payouts.model import FINAL, Fulfilment, Page, Payout, ProviderAnswer, PayoutStatus as PS, Reservation, ReservationStatus as RS
from payrail.payouts.records import ReservationRecords, load_reservation
from payrail.payouts.service import Payouts
from payrail.core import clock

RESERVED, FULFILLING, FULFILLED, RELEASED, EXPIRED = RS.RESERVED, RS.FULFILLING, RS.FULFILLED, RS.RELEASED, RS.EXPIRED


def audit_id(reservation_id: str) -> str:
    return f"order-{reservation_id}"


def _iso_in(seconds: int) -> str:
    return (clock.utcnow() + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Reservations:
    """The reservation aggregate (see the module docstring).

    Args:
        ledger, main, events: the tables.
        payouts: fulfilments are payouts.
        fulfil_wait_seconds: how long a fulfil waits for the provider's answer before answering 202.
    """

    def __init__(self, ledger: Ledger, main: MainTable, events: EventLog, payouts: Payouts,
                 fulfil_wait_seconds: float = 8.0):
        self.ledger = ledger
        self.records = ReservationRecords(main, events)
        self.payouts = payouts
        self.fulfil_wait_seconds = fulfil_wait_seconds

    def get(self, merchant_id: str, reservation_id: str) -> Reservation:
        """Raises NotFound."""
        r = self.records.get(merchant_id, reservation_id)
        if not r:
            raise NotFound("reservation not found", param="reservation_id")
        return r

    def page(self, merchant_id: str, limit: int, starting_after: str | None,
             status: str | None = None) -> Page[Reservation]:
        return self.records.page(merchant_id, limit, starting_after, status=status)

    # ---- reserve ------------------------------------------------------------------------------------
    def reserve(self, merchant: Mapping, amount: int, currency: str, expires_in_seconds: int, idempotency_key: str, *,
                beneficiary: BeneficiaryInput | None = None, beneficiary_id: str | None = None,
                order_reference: str | None = None, fingerprint: str | None = None) -> Reservation:
        """Reserve ``amount`` (minor units) of the available balance for an order's seller payout.
        The beneficiary is checked and a provider must pay it (as for a payout).

        Raises:
            ValidationFailed (400); InsufficientFunds (402 ``insufficient_balance``, nothing reserved);
            IdempotencyMismatch (422).
        """
        mid = merchant["merchant_id"]
        rid = derived("res", mid, idempotency_key)
        if existing := self.records.stored(mid, rid):
            check_fingerprint(existing, fingerprint)
            return self.records.load(existing)
        dest, ben_id = self.payouts.destination(mid, beneficiary, beneficiary_id)
        ts = now_iso()
        provider = self.payouts.provider_for(merchant, amount, currency, dest)
        r = load_reservation({
            "reservation_id": rid, "merchant_id": mid, "amount": amount, "currency": currency,
            "beneficiary": dest.details.model_dump(exclude_unset=True), "beneficiary_id": ben_id,
            "order_reference": order_reference, "provider": provider, "status": RESERVED,
            "expires_at": _iso_in(expires_in_seconds), "audit_id": audit_id(rid), "fulfilments": 0,
            "created_at": ts, "updated_at": ts, "status_history": [{"status": RESERVED, "at": ts}]})
        reserved = accounts.merchant_account(mid, "reserved", currency)
        journal = Journal(f"{rid}:reserve", "reservation_reserve", mid, currency,
                          [Posting(accounts.merchant_account(mid, "available", currency).account_id, -amount),
                           Posting(reserved.account_id, amount)], metadata={"reservation_id": rid})
        try:
            self.ledger.post(journal, opens=[reserved], extra=self.records.create_actions(r, fingerprint), created_at=ts)
        except (NotFound, InsufficientFunds):
            raise InsufficientFunds(f"the available {currency} balance is less than {amount}", param="amount",
                                    code="insufficient_balance") from None
        except ExtraConditionFailed:
            check_fingerprint(self.records.stored(mid, rid), fingerprint)
        return self.get(mid, rid)

    # ---- release and expiry -------------------------------------------------------------------------------
    def release(self, merchant_id: str, reservation_id: str, expired: bool = False) -> Reservation:
        """RESERVED → RELEASED (or EXPIRED): reserved → available.

        Raises:
            NotFound; Conflict (409 ``invalid_state`` naming the current status).
        """
        r = self.get(merchant_id, reservation_id)
        to = EXPIRED if expired else RELEASED
        if r.status == RESERVED:
            mid, cur = merchant_id, r.currency
            avail = accounts.merchant_account(mid, "available", cur)
            journal = Journal(f"{reservation_id}:release", "reservation_expiry" if expired else "reservation_release",
                              mid, cur, [Posting(accounts.merchant_account(mid, "reserved", cur).account_id, -r.amount),
                                         Posting(avail.account_id, r.amount)], metadata={"reservation_id": reservation_id})
            change = self.records.move(r, to, "past its expiry" if expired else "released by the merchant",
                                       timer_ended=True)
            try:
                self.ledger.post(journal, opens=[avail], extra=change)
            except ExtraConditionFailed:
                pass
            r = self.get(merchant_id, reservation_id)
            if r.status == to:
                return r
        raise Conflict(f"reservation is {r.status}; only a RESERVED reservation can be "
                       f"{'expired' if expired else 'released'}", code="invalid_state")

    def expire_due(self, now: str | None = None, limit: int = 100) -> dict:
        """The sweeper: expire every RESERVED reservation whose ``expires_at`` is past (``now``,
        ISO). Returns ``{"expired": n, "skipped": m}`` (skipped: fulfilling, or moved on meanwhile)."""
        now = now or now_iso()
        expired = skipped = 0
        for item in self.records.due(now, limit):
            try:
                self.release(item["merchant_id"], item["reservation_id"], expired=True)
                expired += 1
            except (Conflict, NotFound):
                skipped += 1
        return {"expired": expired, "skipped": skipped}

    # ---- fulfil -------------------------------------------------------------------------------------------
    def fulfil(self, merchant: Mapping, reservation_id: str, amount: int | None = None) -> tuple[int, Fulfilment]:
        """Pay the reservation's beneficiary (see the module docstring); wait up to
        ``fulfil_wait_seconds`` for the provider.

        Returns:
            ``(200, fulfilment)`` when paid; ``(202, fulfilment)`` while the payout is under way.

        Raises:
            NotFound; ValidationFailed (400: ``amount`` differs, naming both amounts); Conflict (409:
            released, expired); ProviderFailed (502: refused or failed, re-fulfillable);
            ProviderTimeout (504: no answer, pending reconciliation).
        """
        mid = merchant["merchant_id"]
        r = self.get(mid, reservation_id)
        if amount is not None and amount != r.amount:
            raise ValidationFailed(f"amount {amount} does not equal the reservation's amount {r.amount}",
                                   param="amount", code="amount_mismatch")
        if r.status == RESERVED and r.expires_at <= now_iso():
            try:
                r = self.release(mid, reservation_id, expired=True)
            except Conflict:
                r = self.get(mid, reservation_id)
        if r.status == RESERVED:
            r = self._start(merchant, r)
        if r.status in (RELEASED, EXPIRED):
            raise Conflict(f"reservation is {r.status}; it cannot be fulfilled",
                           code=f"reservation_{r.status.lower()}")
        return self._answer(r, self._wait(mid, r.payout_id))

    def _start(self, merchant: Mapping, r: Reservation) -> Reservation:
        """RESERVED → FULFILLING with a new payout holding the reserved money, in one transaction;
        a concurrent duplicate loses the race and gets the winner's reservation back."""
        mid, rid = merchant["merchant_id"], r.reservation_id
        n = r.fulfilments + 1
        ts = now_iso()
        p = self.payouts.new(merchant, derived("po", mid, f"{rid}#{n}"), r.amount, r.currency,
                             check_details(r.beneficiary), ts,
                             reservation_id=rid, audit_id=r.audit_id, beneficiary_id=r.beneficiary_id)
        journal, opens = self.payouts.hold(p, source="reserved")
        change = self.records.move(r, FULFILLING, f"payout {p.payout_id}", equals={"fulfilments": r.fulfilments},
                                   sets={"payout_id": p.payout_id, "fulfilments": n}, ts=ts)
        try:
            self.ledger.post(journal, opens=opens, extra=[*change, *self.payouts.records.create_actions(p)],
                             created_at=ts)
        except ExtraConditionFailed:
            pass  # a duplicate fulfil got there first: wait on its payout
        return self.get(mid, rid)

    def _wait(self, merchant_id: str, payout_id: str) -> Payout:
        deadline = clock.monotonic() + self.fulfil_wait_seconds
        while True:
            p = self.payouts.get(merchant_id, payout_id)
            if p.status in FINAL or clock.monotonic() >= deadline:
                return p
            time.sleep(0.25)

    def _answer(self, r: Reservation, p: Payout) -> tuple[int, Fulfilment]:
        provider = {"name": p.provider, "reference_id": p.provider_reference,
                    "status": {PS.SUCCEEDED: "SUCCESS", PS.FAILED: "FAILED"}.get(p.status)
                    or p.provider_status or ("UNKNOWN" if p.last_error else None)}
        body = {"audit_id": r.audit_id, "reservation_id": r.reservation_id, "fulfilled_amount": r.amount,
                "payout_id": p.payout_id, "payout_status": p.status,
                "provider": ProviderAnswer.model_construct(**provider)}
        if p.status == PS.SUCCEEDED:
            return 200, Fulfilment.model_construct(**body, status=str(FULFILLED))
        if p.status in (PS.FAILED, PS.CANCELLED):
            reason = p.failure_reason or p.cancel_reason or "failed"
            raise ProviderFailed(f"{p.provider} did not pay: {reason}; the reservation can be fulfilled again",
                                 provider=provider | {"reason": reason})
        if provider["status"] == "UNKNOWN":
            raise ProviderTimeout(f"{p.provider} gave no answer ({p.last_error}); the transfer is being "
                                  f"reconciled, payout {p.payout_id}", provider=provider | {"reason": p.last_error})
        return 202, Fulfilment.model_construct(**body, status=str(FULFILLING))


def payout_settled(main: MainTable, events: EventLog, p: Payout, status: PS) -> list[dict]:
    """Actions :class:`payrail.payouts.service.Payouts` adds to a capture or release of a reservation's
    payout (its ``linked`` hook): the reservation goes FULFILLING → FULFILLED
    (``reservation.fulfilled``), or back to RESERVED (``reservation.payout_failed``), guarded by
    its status, its payout and its status history as read now."""
    records = ReservationRecords(main, events)
    r = records.read_for(p)
    if r is None:
        return []
    guard = {"payout_id": p.payout_id}
    if status == PS.SUCCEEDED:
        return records.move(r, FULFILLED, f"paid by {p.provider}", sources=(FULFILLING,), equals=guard,
                            timer_ended=True, sets={"fulfilled_at": now_iso()})
    return records.move(r, RESERVED, f"payout {p.payout_id} {status.lower()}; can be fulfilled again",
                        sources=(FULFILLING,), equals=guard)
