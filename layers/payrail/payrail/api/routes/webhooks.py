"""Webhook endpoints (Stripe's naming) and the event log with its deliveries (payrail.webhooks)."""

from payrail.api import models
from payrail.api.edge import MERCHANT, Routes, call
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from payrail.api.params import EndpointIdPath, EventIdPath, EventTypeQuery, IdempotencyKey, Limit, cursor

routes = Routes("webhooks")

EndpointCursor = cursor(models.ENDPOINT_ID, 27, "webhook endpoint")
AttemptCursor = cursor(models.ATTEMPT_ID, 28, "attempt")
EventCursor = cursor(models.EVENT_ID, 28, "event")
RecoveryIdPath = Annotated[str, Path(pattern=models.RECOVERY_ID, max_length=28, description="recovery id")]
DeliverySuccess = Annotated[bool | None, Query(description="true: only events delivered to every endpoint; false: "
                                                           "only events whose latest attempt to some endpoint failed "
                                                           "with no success since (still retrying, or failed)")]


@routes.post("/v1/webhook_endpoints", operation_id="createWebhookEndpoint",
             auth=MERCHANT, status=201, response=models.WebhookEndpointWithSecret,
             errors=(409,))
def create_endpoint(body: models.WebhookEndpointIn) -> dict:
    """Create an endpoint; its signing secret is returned once (409 past the endpoint limit)."""
    c = call()
    return c.platform.webhook_endpoints.create(c.merchant_id, body.url, body.enabled_events, body.description).public()


@routes.get("/v1/webhook_endpoints", operation_id="listWebhookEndpoints",
            auth=MERCHANT, response=models.WebhookEndpointPage)
def list_endpoints(limit: Limit = 10, starting_after: EndpointCursor = None) -> dict:
    """The merchant's endpoints, newest first."""
    return call().platform.webhook_endpoints.list(call().merchant_id, limit, starting_after).public()


@routes.get("/v1/webhook_endpoints/<endpoint_id>", operation_id="getWebhookEndpoint",
            auth=MERCHANT, response=models.WebhookEndpoint)
def get_endpoint(endpoint_id: EndpointIdPath) -> dict:
    """An endpoint, with why it is disabled or failing."""
    return call().platform.webhook_endpoints.get(call().merchant_id, endpoint_id).public()


@routes.post("/v1/webhook_endpoints/<endpoint_id>", operation_id="updateWebhookEndpoint",
             auth=MERCHANT, response=models.WebhookEndpoint)
def update_endpoint(endpoint_id: EndpointIdPath, body: models.WebhookEndpointUpdateIn) -> dict:
    """Change the URL, the events or the description; disable or re-enable."""
    return call().platform.webhook_endpoints.update(call().merchant_id, endpoint_id, url=body.url,
                                                    enabled_events=body.enabled_events,
                                                    description=body.description, disabled=body.disabled).public()


@routes.route("DELETE", "/v1/webhook_endpoints/<endpoint_id>", operation_id="deleteWebhookEndpoint",
              auth=MERCHANT, response=models.WebhookEndpointDeleted)
def delete_endpoint(endpoint_id: EndpointIdPath) -> dict:
    """Delete an endpoint: nothing more is delivered to it."""
    return call().platform.webhook_endpoints.delete(call().merchant_id, endpoint_id)


@routes.post("/v1/webhook_endpoints/<endpoint_id>/rotate_secret", operation_id="rotateWebhookEndpointSecret",
             summary="Rotate the endpoint's signing secret.",
             auth=MERCHANT,
             response=models.WebhookEndpointWithSecret, errors=(409,))
def rotate_secret(endpoint_id: EndpointIdPath) -> dict:
    """A new signing secret (returned once); the current one keeps signing for 24 h, so both
    signatures are sent meanwhile."""
    return call().platform.webhook_endpoints.rotate_secret(call().merchant_id, endpoint_id).public()


@routes.get("/v1/webhook_endpoints/<endpoint_id>/attempts", operation_id="listWebhookEndpointAttempts",
            auth=MERCHANT, response=models.DeliveryAttemptPage)
def list_attempts(endpoint_id: EndpointIdPath, limit: Limit = 10, starting_after: AttemptCursor = None) -> dict:
    """Delivery attempts to an endpoint, newest first: time, status code, latency, answer excerpt."""
    return call().platform.deliveries.attempts(call().merchant_id, endpoint_id, limit, starting_after).public()


@routes.post("/v1/webhook_endpoints/<endpoint_id>/recover", operation_id="recoverWebhookEndpoint",
             summary="Re-send every failed delivery to the endpoint since a time, as one background job.",
             auth=MERCHANT, status=202, response=models.Recovery, errors=(409,), idempotency="required")
def recover_endpoint(endpoint_id: EndpointIdPath, body: models.RecoverIn, idempotency_key: IdempotencyKey) -> dict:
    """Each FAILED delivery of an event created since `since` is sent once more through the usual
    delivery path (signed, logged in the attempts, not retried if it fails again); GET the job for
    its progress. While a recovery of the endpoint is queued or running, that one is answered (409
    when the endpoint is disabled)."""
    c = call()
    return c.platform.deliveries.recovery.start(c.merchant_id, endpoint_id, body.since)[0].public()


@routes.get("/v1/webhook_endpoints/<endpoint_id>/recoveries/<recovery_id>", operation_id="getWebhookEndpointRecovery",
            summary="Show a recovery of the endpoint's failed deliveries with its progress.",
            auth=MERCHANT, response=models.Recovery)
def get_recovery(endpoint_id: EndpointIdPath, recovery_id: RecoveryIdPath) -> dict:
    """A recovery job: QUEUED, RUNNING (resent of total so far), COMPLETED or FAILED."""
    return call().platform.deliveries.recovery.get(call().merchant_id, endpoint_id, recovery_id).public()


@routes.get("/v1/events", operation_id="listEvents", auth=MERCHANT, response=models.EventPage)
def list_events(limit: Limit = 10, starting_after: EventCursor = None, event_type: EventTypeQuery = None,
                delivery_success: DeliverySuccess = None) -> dict:
    """The merchant's events, newest first (kept 30 days), optionally of one type or by delivery success."""
    p, mid = call().platform, call().merchant_id
    if delivery_success is not None:
        return p.deliveries.events_by_success(mid, delivery_success, limit, starting_after, event_type).public()
    return p.events.list(mid, limit, starting_after, event_type).public()


@routes.get("/v1/events/<event_id>", operation_id="getEvent", auth=MERCHANT, response=models.EventWithDeliveries)
def get_event(event_id: EventIdPath) -> dict:
    """An event with the state of its delivery to each endpoint."""
    p, mid = call().platform, call().merchant_id
    event = p.events.get(mid, event_id)
    return event.public() | {"deliveries": [d.public() for d in p.deliveries.for_event(mid, event_id)]}


@routes.post("/v1/events/<event_id>/redeliver", operation_id="redeliverEvent",
             auth=MERCHANT, status=202, response=models.Redelivery,
             errors=(409,))
def redeliver(event_id: EventIdPath, body: models.RedeliverIn | None = None) -> dict:
    """Send an event again now, to one endpoint or to every enabled subscribed one (409 when none)."""
    c = call()
    ids = c.platform.deliveries.redeliver(c.merchant_id, event_id, body.endpoint_id if body else None)
    return {"event_id": event_id, "endpoint_ids": ids}
