"""The operator's routes across merchants: payouts and payments by status and age, holds still
open past a bound, queue and DLQ depths, DLQ redrive, the ledger audit."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from payrail.api import models
from payrail.api.edge import ADMIN, Routes, call
from payrail.api.params import Limit, MerchantIdPath, PayoutIdPath, TimeBound, path_id
from payrail.api.routes.payments import PaymentIdPath

routes = Routes("operations")

OlderThan = Annotated[int | None, Query(ge=0, le=10**9, description="only objects created at least this many "
                                                                    "seconds ago")]
QueuePath = path_id(r"^[a-z][a-z0-9_-]{0,39}$", 40, "queue name (fulfilment, payouts, payments, webhooks)")


@routes.get("/v1/admin/payouts", operation_id="listAllPayouts", auth=ADMIN, response=models.PayoutPage)
def admin_payouts(limit: Limit = 10, status: Annotated[models.PayoutStatusName | None, Query()] = None,
                  older_than_seconds: OlderThan = None, created_from: TimeBound = None,
                  created_to: TimeBound = None) -> dict:
    """Every merchant's payouts, oldest first, by status and age (IN_REVIEW for the review queue)."""
    return call().platform.operations.payouts(status, limit=limit, older_than_seconds=older_than_seconds,
                                              created_from=created_from, created_to=created_to).public()


@routes.get("/v1/admin/merchants/<merchant_id>/payouts/<payout_id>", operation_id="getMerchantPayout",
            auth=ADMIN, response=models.Payout)
def admin_payout(merchant_id: MerchantIdPath, payout_id: PayoutIdPath) -> dict:
    """One merchant's payout with its status history, attempts and provider answers."""
    call().platform.merchants.require(merchant_id)
    return call().platform.payouts.get(merchant_id, payout_id).public()


@routes.get("/v1/admin/payments", operation_id="listAllPayments", auth=ADMIN, response=models.PaymentPage)
def admin_payments(limit: Limit = 10, status: Annotated[models.PaymentStatusName | None, Query()] = None,
                   older_than_seconds: OlderThan = None, created_from: TimeBound = None,
                   created_to: TimeBound = None) -> dict:
    """Every merchant's mobile-money payments, oldest first, by status and age."""
    page = call().platform.operations.payments(status, limit=limit, older_than_seconds=older_than_seconds,
                                               created_from=created_from, created_to=created_to)
    return {"data": [p.view() for p in page.data], "has_more": page.has_more}


@routes.get("/v1/admin/merchants/<merchant_id>/payments/<payment_id>", operation_id="getMerchantPayment",
            auth=ADMIN, response=models.Payment)
def admin_payment(merchant_id: MerchantIdPath, payment_id: PaymentIdPath) -> dict:
    """One merchant's payment with its risk, route, attempts and failovers."""
    call().platform.merchants.require(merchant_id)
    return call().platform.payments.get(merchant_id, payment_id.lower()).view()


@routes.get("/v1/admin/holds", operation_id="listHolds", auth=ADMIN, response=models.Holds)
def admin_holds(older_than_seconds: Annotated[int, Query(ge=0, le=10**9, description="seconds")] = 3600,
                limit: Limit = 10) -> dict:
    """Payouts still holding money (PENDING, IN_REVIEW, PROCESSING, ON_HOLD) held at least
    older_than_seconds (default an hour) since their creation or reinitiation, oldest first."""
    return call().platform.operations.holds(older_than_seconds, limit=limit).public()


@routes.get("/v1/admin/queues", operation_id="listQueues", auth=ADMIN, response=models.QueueList)
def admin_queues() -> dict:
    """Every queue's depth (visible, in flight, delayed) and its DLQ's."""
    return {"data": [q.model_dump() for q in call().platform.operations.queue_depths()]}


@routes.get("/v1/admin/queues/<queue>", operation_id="getQueue", auth=ADMIN, response=models.Queue)
def admin_queue(queue: QueuePath) -> dict:
    """One queue's depth and its DLQ's."""
    return call().platform.operations.queue(queue).model_dump()


@routes.post("/v1/admin/queues/<queue>/redrive", operation_id="redriveQueue",
             auth=ADMIN, status=202, response=models.Redrive, errors=(409,))
def admin_redrive(queue: QueuePath, body: models.RedriveIn | None = None) -> dict:
    """Move the queue's DLQ messages back to it (SQS StartMessageMoveTask); 409 while a move runs."""
    return call().platform.operations.redrive(queue, body.max_per_second if body else None).model_dump()


@routes.get("/v1/admin/ledger/audit", operation_id="auditLedger", auth=ADMIN, response=models.LedgerAudit)
def admin_ledger_audit() -> dict:
    """Reconcile the whole ledger: balanced journals, account balances equal to their legs, no
    orphan postings, every currency summing to zero."""
    return call().platform.operations.audit().model_dump()
