"""The webhook product's entities, their status enums and their lifecycle tables.

Entities (frozen pydantic models; the domain takes and returns them, the API's response models
are views of them — :mod:`payrail.api.models.webhooks` and :mod:`payrail.api.models.events` — and
:mod:`payrail.webhooks.records` is the one place that turns them into DynamoDB items and back; the
event they deliver is core's, :class:`payrail.core.events.Event`)::

    WebhookEndpoint   where a merchant's events are delivered, with its signing secrets
    SigningSecret     one of an endpoint's secrets (``expires_at`` once rotated out)
    WebhookDelivery   one event's delivery to one endpoint: status, attempts made, last answer
    DeliveryAttempt   one attempt of a delivery, as the endpoint's attempts log shows it
    RecoveryJob       a re-send of an endpoint's failed deliveries since a time, with its progress

Items read from the table are trusted (payrail wrote them): records build entities with
``model_construct``; extra attributes an item carries are kept (``extra="allow"``).

Lifecycles (:class:`payrail.core.lifecycle.Lifecycle`): a delivery (:data:`LIFECYCLE`) is created
``pending`` by its first claim. Each move is a conditional write: an attempt's outcome is guarded
by the attempt's claim (taken only while the delivery is ``pending``), a redelivery by the final
status it leaves. A recovery job (:data:`RECOVERY_LIFECYCLE`) is created QUEUED, RUNNING once the
worker takes it, then COMPLETED or FAILED. Neither emits events (they are the events' delivery)
nor moves money.
"""
from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, Field

from payrail.core import clock
from payrail.core.entity import Entity as CoreEntity
from payrail.core.lifecycle import Lifecycle, Move


class DeliveryStatus(StrEnum):
    """The three persisted states of a webhook delivery."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class EndpointStatus(StrEnum):
    """An endpoint's status: deliveries are made only while it is enabled."""

    ENABLED = "enabled"
    DISABLED = "disabled"


class AttemptOutcome(StrEnum):
    """What one attempt came to: a 2xx in time, or not."""

    DELIVERED = "delivered"
    FAILED = "failed"


class RecoveryStatus(StrEnum):
    """A recovery job's status."""

    QUEUED = "QUEUED"          # accepted; the worker has not taken it yet
    RUNNING = "RUNNING"        # re-sending, page by page (progress on GET)
    COMPLETED = "COMPLETED"    # every failed delivery since ``since`` was sent again
    FAILED = "FAILED"          # stopped (the endpoint was deleted or disabled meanwhile)


DS, RJ = DeliveryStatus, RecoveryStatus
#: every allowed transition of a delivery
LIFECYCLE: Lifecycle[DeliveryStatus] = Lifecycle("webhook delivery", DeliveryStatus, DS.PENDING, moves=[
    Move(DS.PENDING, DS.PENDING, None),      # an attempt failed: the retry is scheduled
    Move(DS.PENDING, DS.DELIVERED, None),    # a 2xx within the timeout
    Move(DS.PENDING, DS.FAILED, None),       # 410 Gone, past the retry horizon, a failed redelivery, no endpoint
    Move(DS.DELIVERED, DS.PENDING, None),    # a redelivery asked for
    Move(DS.FAILED, DS.PENDING, None),       # a redelivery (or a recovery) asked for
])

#: every allowed transition of a recovery job (created QUEUED)
RECOVERY_LIFECYCLE: Lifecycle[RecoveryStatus] = Lifecycle("webhook recovery", RecoveryStatus, RJ.QUEUED, moves=[
    Move(RJ.QUEUED, RJ.RUNNING, None),       # the worker took it
    Move(RJ.RUNNING, RJ.RUNNING, None),      # a page re-sent: progress recorded
    Move(RJ.RUNNING, RJ.COMPLETED, None),    # no failed delivery left since ``since``
    Move(RJ.QUEUED, RJ.FAILED, None),        # the endpoint is gone or disabled
    Move(RJ.RUNNING, RJ.FAILED, None),
])


#: epoch seconds as the API's time (ISO 8601, UTC, microseconds)
iso = clock.iso


class Entity(CoreEntity):
    """Base of the webhook package's entities: attributes an item carries beyond the fields are
    kept (a read-then-write never drops one)."""

    model_config = ConfigDict(extra="allow")


class SigningSecret(Entity):
    secret: str = Field(description="whsec_ + base64 of 32 random bytes (Standard Webhooks)")
    created_at: int = Field(description="epoch seconds")
    expires_at: int | None = Field(default=None, description="epoch seconds; set once rotated out")


class WebhookEndpoint(Entity):
    """A merchant's webhook endpoint (see :mod:`payrail.webhooks.endpoints`)."""

    endpoint_id: str
    url: str
    enabled_events: list[str]
    description: str | None = None
    status: EndpointStatus
    created_at: str
    updated_at: str
    disabled_reason: str | None = Field(default=None, description="why it is disabled (410 Gone, failing for days, "
                                                                  "or the merchant)")
    disabled_at: str | None = None
    failing_since: int | None = Field(default=None, description="first failed attempt since the last success "
                                                                "(epoch seconds)")
    last_failure: str | None = None
    merchant_id: str
    secrets: list[SigningSecret] = Field(default_factory=list)
    deleted_at: str | None = None
    expiration: int | None = None

    def signing_secrets(self, now: float) -> list[str]:
        """The secrets that sign a delivery made at ``now``: the newest, and the rotated-out ones
        whose overlap has not ended."""
        return [s.secret for s in self.secrets if not s.expires_at or s.expires_at > now]

    def rotated_until(self) -> int | None:
        """When the last rotated-out secret stops signing (epoch seconds), or None."""
        rotated = [s.expires_at for s in self.secrets if s.expires_at]
        return max(rotated) if rotated else None

    def public(self) -> dict:
        """The endpoint as the merchant sees it now: no secrets, no keys or expiry; ``failing_since``
        as ISO 8601; ``previous_secret_expires_at`` while a rotated-out secret still signs."""
        out = {k: v for k, v in super().public().items() if k not in _ENDPOINT_HIDDEN}
        if out.get("failing_since"):
            out["failing_since"] = iso(out["failing_since"])
        until = self.rotated_until()
        out["previous_secret_expires_at"] = iso(until) if until and until > clock.now() else None
        return out


#: an endpoint's attributes never shown to the merchant (``secrets`` holds the signing secrets)
_ENDPOINT_HIDDEN = frozenset({"merchant_id", "secrets", "deleted_at", "expiration"})


class NewSecret(CoreEntity):
    """An endpoint just created or re-keyed, with its new signing ``secret`` (shown only then)."""

    endpoint: WebhookEndpoint
    secret: str

    def public(self) -> dict:
        """The endpoint's view with its ``secret``."""
        return self.endpoint.public() | {"secret": self.secret}


class WebhookDelivery(Entity):
    """One event's delivery to one endpoint (see :mod:`payrail.webhooks.delivery`)."""

    endpoint_id: str
    status: DeliveryStatus
    attempts: int
    updated_at: str | None = None
    last_attempt_at: str | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    next_attempt_at: str | None = None
    delivered_at: str | None = None
    failure_reason: str | None = None
    merchant_id: str
    event_id: str
    last_outcome: AttemptOutcome | None = None
    started_at: int | None = None
    claimed: int | None = None
    lease_until: int | None = None
    expiration: int | None = None

    def public(self) -> dict:
        """The delivery as the merchant sees it (its claim, lease, keys and expiry left out)."""
        return {k: v for k, v in super().public().items() if k not in _DELIVERY_INTERNAL}

    @property
    def failing(self) -> bool:
        """Its latest outcome is a failure: FAILED, or pending again after a failed attempt."""
        return self.status == DS.FAILED or (self.status == DS.PENDING and self.attempts > 0
                                            and self.last_outcome == AttemptOutcome.FAILED)


#: a delivery's attributes the merchant does not see
_DELIVERY_INTERNAL = frozenset({"merchant_id", "event_id", "lease_until", "claimed", "started_at", "expiration",
                                "last_outcome"})


class DeliveryAttempt(Entity):
    attempt_id: str
    event_id: str
    endpoint_id: str
    attempt: int = Field(description="1 for the first attempt of a delivery")
    at: str
    status_code: int | None = None
    latency_ms: int
    response_excerpt: str = Field(description="the first 200 characters of the answer")
    error: str | None = None
    outcome: AttemptOutcome
    expiration: int | None = None

    def public(self) -> dict:
        """The attempt as the merchant sees it (its expiry left out)."""
        return {k: v for k, v in super().public().items() if k != "expiration"}


class RecoveryJob(Entity):
    """A re-send of every FAILED delivery of one endpoint for events created since ``since``."""

    recovery_id: str
    endpoint_id: str
    since: str = Field(description="events created at or after this time (RFC 3339, UTC)")
    status: RecoveryStatus
    total: int = Field(description="FAILED deliveries found since `since` when the job was accepted")
    resent: int = Field(description="failed deliveries sent again so far (each once)")
    skipped: int = Field(description="failed deliveries found that another redelivery had already reopened")
    failure_reason: str | None = None
    created_at: str
    updated_at: str
    completed_at: str | None = None
    merchant_id: str
    cursor: str | None = None
    expiration: int | None = None

    def public(self) -> dict:
        """The job as the merchant sees it (its cursor, merchant and expiry left out)."""
        return {k: v for k, v in super().public().items() if k not in ("merchant_id", "cursor", "expiration")}
