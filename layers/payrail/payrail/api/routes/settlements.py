"""Settlement jobs: the admin's over every merchant, each merchant's over its own captures."""

from payrail.api import models
from payrail.api.edge import ADMIN, MERCHANT, Routes, call
from payrail.api.params import JobIdPath, OptionalIdempotencyKey
from payrail.core.store import SETTLEMENT_ALL as ALL

routes = Routes("settlement")


def _scope() -> str:
    c = call()
    return c.merchant_id if c.merchant else ALL


def _start(body: models.WindowIn, key: str | None) -> dict:
    c = call()
    return c.platform.start_settlement(_scope(), body.from_, body.to, key, c.fingerprint).public()


def _get(job_id: str) -> dict:
    return call().platform.settlement_view(_scope(), job_id).public()


def _cancel(job_id: str) -> dict:
    return call().platform.cancel_settlement(_scope(), job_id).public()


_START = dict(status=202, response=models.SettlementJob, errors=(409,), idempotency="optional")
_JOB = dict(response=models.SettlementJob)


@routes.post("/v1/admin/settlements", operation_id="createPlatformSettlement", auth=ADMIN, **_START)
def admin_settlement(body: models.WindowIn, idempotency_key: OptionalIdempotencyKey = None) -> dict:
    """Settle every merchant's captures in a window of UTC days (409 when too many jobs run)."""
    return _start(body, idempotency_key)


@routes.get("/v1/admin/settlements/<job_id>", operation_id="getPlatformSettlement", auth=ADMIN, **_JOB)
def admin_settlement_get(job_id: JobIdPath) -> dict:
    """A platform-wide job with its progress and, once complete, its download link."""
    return _get(job_id)


@routes.post("/v1/admin/settlements/<job_id>/cancel", operation_id="cancelPlatformSettlement",
             auth=ADMIN, errors=(409,), **_JOB)
def admin_settlement_cancel(job_id: JobIdPath) -> dict:
    """Cancel a running platform-wide job."""
    return _cancel(job_id)


@routes.post("/v1/settlements", operation_id="createSettlement", auth=MERCHANT, **_START)
def settlement(body: models.WindowIn, idempotency_key: OptionalIdempotencyKey = None) -> dict:
    """Settle the merchant's own captures in a window of UTC days (409 when too many jobs run)."""
    return _start(body, idempotency_key)


@routes.get("/v1/settlements/<job_id>", operation_id="getSettlement", auth=MERCHANT, **_JOB)
def settlement_get(job_id: JobIdPath) -> dict:
    """A job with its progress and, once complete, its download link."""
    return _get(job_id)


@routes.post("/v1/settlements/<job_id>/cancel", operation_id="cancelSettlement", auth=MERCHANT, errors=(409,), **_JOB)
def settlement_cancel(job_id: JobIdPath) -> dict:
    """Cancel a running job."""
    return _cancel(job_id)
