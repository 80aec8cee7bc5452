"""Health: liveness, readiness and details (public, not rate limited)."""

from aws_lambda_powertools.event_handler import Response, content_types

from payrail.api import models
from payrail.api.edge import Routes, call

routes = Routes("health")

#: seconds of the health deadline kept back to send the answer after the checks
ANSWER_MARGIN_SECONDS = 0.5


def _answer(detailed: bool) -> Response[dict]:
    """Within ``health_deadline_seconds`` (and the invocation's deadline), whatever hangs: the
    checks get that time less :data:`ANSWER_MARGIN_SECONDS`."""
    c = call()
    budget = min(c.platform.settings.health_deadline_seconds, c.remaining()) - ANSWER_MARGIN_SECONDS
    h = c.platform.health(providers=detailed, budget=max(budget, 0.1))  # providers never part of readiness
    body = {"status": "ok" if h["ok"] else "unavailable", **(h if detailed else {})}
    return Response(status_code=200 if h["ok"] else 503, content_type=content_types.APPLICATION_JSON, body=body)


@routes.get("/health/live", operation_id="getHealthLive", summary="Check that the function answers.",
            auth=None, response=models.Health, rate_limited=False)
def live() -> dict:
    """The function answers."""
    return {"status": "ok"}


@routes.get("/health/ready", operation_id="getHealthReady", summary="Check that every table and queue answers.",
            auth=None, response=models.Health, errors=(503,), rate_limited=False)
def ready() -> Response[dict]:
    """Every table and queue answers (503 otherwise)."""
    return _answer(detailed=False)


@routes.get("/health/detailed", operation_id="getHealthDetailed",
            auth=None, response=models.DetailedHealth, errors=(503,), rate_limited=False)
def detailed() -> Response[dict]:
    """Each dependency's check with its latency, and each mobile-money provider's health (not part of
    readiness: a provider down only loses its traffic to the others)."""
    return _answer(detailed=True)
