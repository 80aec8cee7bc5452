"""Payouts from the merchant's available balance."""

from payrail.api import models
from payrail.api.edge import MERCHANT, Routes, call
from payrail.api.params import IdempotencyKey, PayoutIdPath

routes = Routes("payouts")


@routes.post("/v1/payouts", auth=MERCHANT, status=201, response=models.Payout, errors=(402,),
             idempotency="required")
def create_payout(body: models.PayoutIn, idempotency_key: IdempotencyKey) -> dict:
    """Hold the amount and start the payout (402 when the available balance is short)."""
    c = call()
    payout, _ = c.platform.payouts.create(c.merchant_id, body.amount, body.currency, body.beneficiary.model_dump(),
                                          idempotency_key, fingerprint=c.fingerprint)
    return payout


@routes.get("/v1/payouts/<payout_id>", auth=MERCHANT, response=models.Payout)
def get_payout(payout_id: PayoutIdPath) -> dict:
    """A payout with its status history."""
    return call().platform.payouts.get(call().merchant_id, payout_id)
