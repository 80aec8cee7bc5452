"""Reconciliation runs and their exceptions: the admin compares a provider's books with the
ledger and resolves every break."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query

from payrail.api import models
from payrail.api.edge import ADMIN, Routes, call
from payrail.api.params import Limit, OptionalIdempotencyKey, cursor, path_id

routes = Routes("reconciliation")

RunIdPath = path_id(models.RECONCILIATION_ID, 84, "reconciliation run id")
ExceptionIdPath = path_id(models.RECONCILIATION_EXCEPTION_ID, 28, "reconciliation exception id")
RunCursor = cursor(models.RECONCILIATION_ID, 84, "run")
ExceptionCursor = cursor(models.RECONCILIATION_EXCEPTION_ID, 28, "exception")
ProviderQuery = Annotated[str | None, Query(pattern=models.PROVIDER_NAME, max_length=32,
                                            description="only this provider's")]


@routes.post("/v1/admin/reconciliations", operation_id="createReconciliation", auth=ADMIN, status=202,
             response=models.ReconciliationRun, idempotency="optional")
def create_reconciliation(body: models.ReconciliationIn, idempotency_key: OptionalIdempotencyKey = None) -> dict:
    """Start a reconciliation of one provider's books against the ledger over a window of UTC days."""
    c = call()
    return c.platform.start_reconciliation(body.provider, body.from_, body.to, idempotency_key, c.fingerprint)


@routes.get("/v1/admin/reconciliations", operation_id="listReconciliations", auth=ADMIN,
            response=models.ReconciliationRunPage)
def list_reconciliations(limit: Limit = 10, starting_after: RunCursor = None, provider: ProviderQuery = None) -> dict:
    """List reconciliation runs, newest first, with their counts per class."""
    return call().platform.reconciliation_page(limit=limit, starting_after=starting_after, provider=provider)


@routes.get("/v1/admin/reconciliations/<run_id>", operation_id="getReconciliation", auth=ADMIN,
            response=models.ReconciliationRun)
def get_reconciliation(run_id: RunIdPath) -> dict:
    """Get a reconciliation run with its progress, counts per class and, once complete, its report link."""
    return call().platform.reconciliation_view(run_id)


@routes.post("/v1/admin/reconciliations/<run_id>/cancel", operation_id="cancelReconciliation", auth=ADMIN,
             errors=(409,), response=models.ReconciliationRun)
def cancel_reconciliation(run_id: RunIdPath) -> dict:
    """Cancel a queued or running reconciliation run; it leaves no report."""
    return call().platform.cancel_reconciliation(run_id)


@routes.get("/v1/admin/reconciliation_exceptions", operation_id="listReconciliationExceptions", auth=ADMIN,
            response=models.ReconciliationExceptionPage)
def list_reconciliation_exceptions(limit: Limit = 10, starting_after: ExceptionCursor = None,
                                   cls: Annotated[models.BreakClassName | None, Query(alias="class")] = None,
                                   provider: ProviderQuery = None,
                                   status: Annotated[Literal["open", "resolved"] | None, Query()] = None) -> dict:
    """List the breaks reconciliation runs found, newest first, by class, provider and status."""
    out = call().platform.reconciliations.exception_page(limit=limit, starting_after=starting_after, cls=cls,
                                                          provider=provider, status=status)
    return out.public()


@routes.post("/v1/admin/reconciliation_exceptions/<exception_id>/resolve", operation_id="resolveReconciliationException",
             auth=ADMIN, errors=(409,), response=models.ReconciliationException)
def resolve_reconciliation_exception(exception_id: ExceptionIdPath, body: models.ResolutionIn) -> dict:
    """Resolve a reconciliation exception with a reason, posting its journal where money must move."""
    return call().platform.reconciliations.resolve(exception_id, body.resolution, body.reason).public()
