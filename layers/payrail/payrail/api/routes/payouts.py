"""Payouts from the merchant's available balance: create, list, get, cancel, reinitiate;
the admin's review decisions."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from payrail.api import models
from payrail.api.edge import ADMIN, MERCHANT, Routes, call
from payrail.api.params import IdempotencyKey, Limit, MerchantIdPath, PayoutCursor, PayoutIdPath, TimeBound
from payrail.core.errors import NotFound
from payrail.core.merchants import Merchant

routes = Routes("payouts")


def _rules() -> Merchant | None:
    """The calling merchant read fresh: its payout currencies and review threshold apply at once."""
    return call().platform.merchants.get(call().merchant_id, fresh=True)


@routes.post("/v1/payouts", operation_id="createPayout",
             auth=MERCHANT, status=201, response=models.Payout, errors=(402, 404, 409),
             idempotency="required")
def create_payout(body: models.PayoutIn, idempotency_key: IdempotencyKey) -> dict:
    """Hold the amount and start the payout: IN_REVIEW at or above the review threshold (402 when the
    available balance is short, 409 when the merchant_reference is taken)."""
    c = call()
    payout, _ = c.platform.payouts.create(
        _rules(), body.amount, body.currency, idempotency_key,
        beneficiary=body.beneficiary, beneficiary_id=body.beneficiary_id, merchant_reference=body.merchant_reference,
        description=body.description, fingerprint=c.fingerprint)
    return payout.public()


@routes.get("/v1/payouts", operation_id="listPayouts", auth=MERCHANT, response=models.PayoutPage)
def list_payouts(limit: Limit = 10, starting_after: PayoutCursor = None,
                 status: Annotated[models.PayoutStatusName | None, Query()] = None,
                 created_from: TimeBound = None, created_to: TimeBound = None,
                 merchant_reference: Annotated[str | None, Query(pattern=models.REFERENCE, max_length=64)] = None,
                 ) -> dict:
    """The merchant's payouts, newest first, filtered by status, creation time and merchant_reference."""
    c = call()
    return c.platform.payouts.page(c.merchant_id, limit=limit, starting_after=starting_after, status=status,
                                   created_from=created_from, created_to=created_to,
                                   merchant_reference=merchant_reference).public()


@routes.get("/v1/payouts/<payout_id>", operation_id="getPayout", auth=MERCHANT, response=models.Payout)
def get_payout(payout_id: PayoutIdPath) -> dict:
    """A payout with its status history, attempts, provider, provider reference and next check."""
    return call().platform.payouts.get(call().merchant_id, payout_id).public()


@routes.post("/v1/payouts/<payout_id>/cancel", operation_id="cancelPayout",
             auth=MERCHANT, response=models.Payout, errors=(409,))
def cancel_payout(payout_id: PayoutIdPath) -> dict:
    """Cancel before the provider pays: PENDING or IN_REVIEW at once (hold released); ON_HOLD when the
    provider refuses it (cancel_requested_at is set meanwhile); otherwise 409 with the current status."""
    return call().platform.payouts.cancel(call().merchant_id, payout_id).public()


@routes.post("/v1/payouts/<payout_id>/reinitiate", operation_id="reinitiatePayout",
             auth=MERCHANT, response=models.Payout, errors=(402, 409),
             idempotency="required")
def reinitiate_payout(payout_id: PayoutIdPath, idempotency_key: IdempotencyKey) -> dict:
    """Retry a FAILED payout: a new hold and a new run (402 when the balance is now short, 409 with the
    current status otherwise)."""
    return call().platform.payouts.reinitiate(_rules(), payout_id).public()


def _admin_payout(merchant_id: str) -> None:
    if not call().platform.merchants.get(merchant_id):
        raise NotFound("merchant not found", param="merchant_id")


@routes.post("/v1/admin/merchants/<merchant_id>/payouts/<payout_id>/approve", operation_id="approvePayout",
             auth=ADMIN, response=models.Payout,
             errors=(409,))
def approve_payout(merchant_id: MerchantIdPath, payout_id: PayoutIdPath, body: models.DecisionIn | None = None) -> dict:
    """Approve a payout IN_REVIEW: it is dispatched to its provider."""
    _admin_payout(merchant_id)
    return call().platform.payouts.approve(merchant_id, payout_id, body.note if body else None).public()


@routes.post("/v1/admin/merchants/<merchant_id>/payouts/<payout_id>/reject", operation_id="rejectPayout",
             auth=ADMIN, response=models.Payout,
             errors=(409,))
def reject_payout(merchant_id: MerchantIdPath, payout_id: PayoutIdPath, body: models.DecisionIn | None = None) -> dict:
    """Reject a payout IN_REVIEW, or release one ON_HOLD after the provider confirmed it will not pay
    (the provider is asked first: 409 provider_paid if it paid). The hold is released."""
    _admin_payout(merchant_id)
    return call().platform.payouts.reject(merchant_id, payout_id, body.note if body else None).public()
