"""Payouts: hold on creation, provider dispatch by a worker, then capture or release.

Lifecycle (every arrow a conditional write guarded by the status it leaves)::

    PENDING ──worker claims──▶ PROCESSING ──provider SUCCESS──▶ SUCCEEDED  (journal capture: held → payouts)
        │                          └────────provider FAILED───▶ FAILED     (journal release: held → available)
        └──────────────────────────────────────────────────────▶ FAILED

Creation is one transaction: payout put + hold journal (available → held, ``balance >=
amount``). The payout state machine (``infra/asl/payout.asl.json``) drives the rest.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from payrail import accounts
from payrail.errors import InsufficientFunds, NotFound, ValidationFailed
from payrail.ids import derived
from payrail.ledger import ExtraConditionFailed, Journal, Ledger, Posting, now_iso
from payrail.money import check_amount, check_currency
from payrail.providers.base import PayoutProvider, ProviderResult, ProviderTransientError
from payrail.idempotency import check_fingerprint
from payrail.store import MainTable, key, public

PENDING, PROCESSING, SUCCEEDED, FAILED = "PENDING", "PROCESSING", "SUCCEEDED", "FAILED"
OPEN = (PENDING, PROCESSING)


class Beneficiary(BaseModel):
    """A bank-account beneficiary (account number 10-16 digits, seed 003)."""

    type: Literal["bank_account"] = "bank_account"
    account_number: str = Field(pattern=r"^\d{10,16}$")
    bank_code: str | None = Field(default=None, max_length=20)
    name: str = Field(min_length=1, max_length=100)


class Payouts:
    """Payout aggregate: creation with a hold, worker attempts, capture, release, reconcile."""

    def __init__(self, ledger: Ledger, main: MainTable):
        self.ledger = ledger
        self.main = main

    def get(self, merchant_id: str, payout_id: str) -> dict:
        p = self.main.get(key("PAYOUT", merchant_id, payout_id))
        if not p:
            raise NotFound("payout not found", param="payout_id")
        return p

    def create(self, merchant_id: str, amount: int, currency: str, beneficiary: dict,
               idempotency_key: str, fingerprint: str | None = None) -> tuple[dict, bool]:
        """Hold ``amount`` (minor units) of the merchant's available balance and record the payout.

        Returns:
            ``(payout, created)``.

        Raises:
            ValidationFailed, InsufficientFunds (402), IdempotencyMismatch (422: the key created
            another payout; ``fingerprint`` is stored on the payout).
        """
        check_amount(amount)
        check_currency(currency)
        try:
            ben = Beneficiary.model_validate(beneficiary).model_dump()
        except ValidationError as e:
            err = e.errors()[0]
            raise ValidationFailed(f"beneficiary: {err['msg']}",
                                   param="beneficiary." + ".".join(map(str, err["loc"]))) from None
        payout_id = derived("po", merchant_id, idempotency_key)
        existing = self.main.get(key("PAYOUT", merchant_id, payout_id), raw=True)
        if existing:
            check_fingerprint(existing, fingerprint)
            return public(existing), False
        ts = now_iso()
        payout = {"type": "payout", "payout_id": payout_id, "merchant_id": merchant_id, "amount": amount,
                  "currency": currency, "beneficiary": ben, "status": PENDING, "attempts": 0,
                  "request_fingerprint": fingerprint,
                  "created_at": ts, "updated_at": ts, "status_history": [{"status": PENDING, "at": ts}]}
        held = accounts.merchant_account(merchant_id, "held", currency)
        journal = Journal(f"{payout_id}:hold", "payout_hold", merchant_id, currency,
                          [Posting(accounts.merchant_account(merchant_id, "available", currency).account_id, -amount),
                           Posting(held.account_id, amount)], metadata={"payout_id": payout_id})
        try:
            self.ledger.post(journal, opens=[held],
                             extra=[self.main.put_action(key("PAYOUT", merchant_id, payout_id), payout)],
                             created_at=ts)
        except NotFound:
            raise InsufficientFunds("no available balance in this currency", param="amount") from None
        except ExtraConditionFailed:  # a concurrent request with this key created it
            existing = self.main.get(key("PAYOUT", merchant_id, payout_id), raw=True)
            check_fingerprint(existing, fingerprint)
            return public(existing), False
        return self.get(merchant_id, payout_id), True

    def attempt(self, merchant_id: str, payout_id: str, attempt: int, provider: PayoutProvider) -> dict:
        """One dispatch attempt (the worker's job). Looks the transfer up first, so a retry after
        a lost answer never submits twice (Cashfree: query status on 5xx before re-initiating).

        Returns:
            ``{"status": "SUCCEEDED"|"FAILED", "provider_reference", "reason"}``.

        Raises:
            ProviderTransientError: the provider did not give a final answer; retry later.
        """
        payout = self.get(merchant_id, payout_id)
        if payout["status"] not in OPEN:
            return self._outcome(payout)
        self.main.transition(key("PAYOUT", merchant_id, payout_id), OPEN, PROCESSING,
                             {"attempts": attempt + 1, "provider": provider.name}, detail=f"attempt {attempt + 1}")
        result = provider.status(payout_id)
        if result.status == "NOT_FOUND":
            result = provider.submit(payout_id, payout["amount"], payout["currency"], payout["beneficiary"])
        return self._final(result)

    def reconcile(self, merchant_id: str, payout_id: str, provider: PayoutProvider) -> dict:
        """After retries ran out or the dispatch timed out: ask the provider what happened.

        Returns ``{"status": "SUCCEEDED"|"FAILED"|"PENDING", ...}``; ``NOT_FOUND`` means the
        provider never received it, so releasing is safe (FAILED).
        """
        payout = self.get(merchant_id, payout_id)
        if payout["status"] not in OPEN:
            return self._outcome(payout)
        try:
            result = provider.status(payout_id)
        except ProviderTransientError as e:
            return {"status": "PENDING", "reason": str(e)}
        if result.status == "NOT_FOUND":
            return {"status": FAILED, "reason": "provider never received the transfer"}
        if result.status == "PENDING":
            return {"status": "PENDING", "reason": "provider still processing"}
        return self._final(result)

    @staticmethod
    def _final(result: ProviderResult) -> dict:
        if result.status == "SUCCESS":
            return {"status": SUCCEEDED, "provider_reference": result.reference}
        if result.status == "FAILED":
            return {"status": FAILED, "provider_reference": result.reference, "reason": result.reason or "failed"}
        raise ProviderTransientError(f"provider status {result.status}")

    @staticmethod
    def _outcome(payout: dict) -> dict:
        return {"status": payout["status"], "provider_reference": payout.get("provider_reference"),
                "reason": payout.get("failure_reason")}

    def capture(self, merchant_id: str, payout_id: str, provider_reference: str | None) -> dict:
        """Provider paid: the hold leaves the platform (held → payouts). Idempotent."""
        p = self.get(merchant_id, payout_id)
        out = accounts.merchant_account(merchant_id, "payouts", p["currency"])
        return self._settle(p, "capture", SUCCEEDED,
                            [(accounts.merchant_account(merchant_id, "held", p["currency"]), -1), (out, 1)],
                            {"provider_reference": provider_reference}, opens=[out])

    def release(self, merchant_id: str, payout_id: str, reason: str) -> dict:
        """Payout failed: the hold returns to available (held → available). Idempotent."""
        p = self.get(merchant_id, payout_id)
        return self._settle(p, "release", FAILED,
                            [(accounts.merchant_account(merchant_id, "held", p["currency"]), -1),
                             (accounts.merchant_account(merchant_id, "available", p["currency"]), 1)],
                            {"failure_reason": reason})

    def _settle(self, p: dict, phase: str, status: str, legs, sets: dict, opens=()) -> dict:
        if p["status"] not in OPEN:
            return p
        journal = Journal(f"{p['payout_id']}:{phase}", f"payout_{phase}", p["merchant_id"], p["currency"],
                          [Posting(spec.account_id, sign * p["amount"]) for spec, sign in legs],
                          metadata={"payout_id": p["payout_id"]})
        transition = self.main.transition_action(key("PAYOUT", p["merchant_id"], p["payout_id"]), OPEN, status,
                                                 {k: v for k, v in sets.items() if v is not None}, detail=phase)
        try:
            self.ledger.post(journal, opens=list(opens), extra=[transition])
        except ExtraConditionFailed:
            pass  # already settled by a duplicate step
        return self.get(p["merchant_id"], p["payout_id"])
