"""Mobile-money payments to Ghana wallets: initiate, list, get, cancel, refund; the
admin funds the merchant's float at each provider."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from payrail.api import models
from payrail.api.edge import ADMIN, MERCHANT, Routes, call
from payrail.api.params import IdempotencyKey, Limit, OptionalIdempotencyKey, TimeBound, cursor, path_id
from payrail.core.errors import NotFound

routes = Routes("payments")

PaymentIdPath = path_id(models.PAYMENT_ID, 36, "payment id (a UUID)")
PaymentCursor = cursor(models.PAYMENT_ID, 36, "payment")


@routes.post("/v1/payments", operation_id="createPayment",
             auth=MERCHANT, status=201, response=models.Payment, errors=(402,),
             idempotency="required")
def initiate_payment(body: models.PaymentIn, idempotency_key: IdempotencyKey) -> dict:
    """Pay a Ghana mobile-money wallet: validated (limits, number, network), risk-checked, routed and
    held at the chosen provider (PENDING), or FAILED with reason risk_declined and nothing held. 402
    insufficient_float when no provider's float covers amount + fee (nothing created)."""
    c = call()
    payment, _ = c.platform.payments.create(
        c.merchant_id, body.amount, body.currency, body.recipient, idempotency_key,
        description=body.description, metadata=body.metadata, fingerprint=c.fingerprint)
    return payment.view()


@routes.get("/v1/payments", operation_id="listPayments", auth=MERCHANT, response=models.PaymentPage)
def list_payments(limit: Limit = 10, starting_after: PaymentCursor = None,
                  status: Annotated[models.PaymentStatusName | None, Query()] = None,
                  network: Annotated[models.Network | None, Query()] = None,
                  provider: Annotated[models.MomoProvider | None, Query()] = None,
                  created_from: TimeBound = None, created_to: TimeBound = None) -> dict:
    """The merchant's payments, newest first, filtered by status, network, provider and creation time."""
    c = call()
    page = c.platform.payments.page(c.merchant_id, limit=limit, starting_after=starting_after, status=status,
                                    network=network, provider=provider, created_from=created_from,
                                    created_to=created_to)
    return {"data": [p.view() for p in page.data], "has_more": page.has_more}


@routes.get("/v1/payments/<payment_id>", operation_id="getPayment", auth=MERCHANT, response=models.Payment)
def get_payment(payment_id: PaymentIdPath) -> dict:
    """A payment with its history, risk, route and every candidate's score, attempts and failovers."""
    return call().platform.payments.get(call().merchant_id, payment_id.lower()).view()


@routes.post("/v1/payments/<payment_id>/cancel", operation_id="cancelPayment", summary="Cancel a PENDING payment.",
             auth=MERCHANT, response=models.Payment, errors=(409,))
def cancel_payment(payment_id: PaymentIdPath) -> dict:
    """PENDING → CANCELLED (hold released); from any other state 409 invalid_state naming it."""
    return call().platform.payments.cancel(call().merchant_id, payment_id.lower()).view()


@routes.post("/v1/payments/<payment_id>/refund", operation_id="refundPayment",
             summary="Refund a CONFIRMED payment through the provider's reversal.",
             auth=MERCHANT, response=models.Payment, errors=(409, 502, 503, 504),
             idempotency="optional")
def refund_payment(payment_id: PaymentIdPath, idempotency_key: OptionalIdempotencyKey = None) -> dict:
    """CONFIRMED → REFUNDED through the provider's reversal (a compensating journal), once: a refund of a
    payment that is refunded or being refunded answers 409 already_refunded, whatever the timing (a retry
    with the first request's Idempotency-Key replays its answer); 409 invalid_state from another state,
    refund_refused when the provider refuses; 503 when it cannot be asked; 504 when its answer was lost."""
    c = call()
    return c.platform.payments.refund(c.merchant_id, payment_id.lower(), owner=c.request_id).view()


@routes.post("/v1/admin/floats/top_up", operation_id="topUpFloat",
             auth=ADMIN, status=201, response=models.FloatTopUp, errors=(404,),
             idempotency="required")
def fund_float(body: models.FloatTopUpIn, idempotency_key: IdempotencyKey) -> dict:
    """Fund a merchant's mobile-money float at one provider (once per merchant and Idempotency-Key)."""
    c = call()
    if not c.platform.merchants.get(body.merchant_id):
        raise NotFound("merchant not found", param="merchant_id")
    return c.platform.payments.fund_float(body.merchant_id, body.provider, body.amount, idempotency_key,
                                          fingerprint=c.fingerprint).public()
