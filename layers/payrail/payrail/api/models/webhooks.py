"""Webhook endpoints and the log of their delivery attempts."""
from typing import Annotated, Literal

from pydantic import Field

from payrail.api.models import Model, Strict, examples
from payrail.webhooks.model import DeliveryStatus

__all__ = ["EventTypePattern", "WebhookUrl", "WebhookEndpointIn", "WebhookEndpointUpdateIn", "WebhookEndpoint",
           "WebhookEndpointWithSecret", "WebhookEndpointPage", "WebhookEndpointDeleted", "DeliveryAttempt",
           "DeliveryAttemptPage"]

EventTypePattern = Annotated[str, Field(pattern=r"^(\*|[a-z_]{1,30}\.(\*|[a-z_]{1,30}))$", max_length=61,
                                        description="an event type (order.fulfilled), a family (order.*) or *")]
WebhookUrl = Annotated[str, Field(min_length=1, max_length=2048,
                                  description="https URL (http to a loopback host in local mode only); must not "
                                              "resolve to a private, loopback or link-local address")]


class WebhookEndpointIn(Strict):
    url: WebhookUrl
    enabled_events: list[EventTypePattern] = Field(min_length=1, max_length=50)
    description: str | None = Field(default=None, max_length=500)

    model_config = examples(
        {"url": "https://example.com/payrail/webhooks", "enabled_events": ["payout.*", "order.fulfilled"],
         "description": "production receiver"},
    )


class WebhookEndpointUpdateIn(Strict):
    url: WebhookUrl | None = None
    enabled_events: list[EventTypePattern] | None = Field(default=None, min_length=1, max_length=50)
    description: str | None = Field(default=None, max_length=500)
    disabled: bool | None = Field(default=None, description="true disables; false re-enables (failures forgotten)")

    model_config = examples(
        {"enabled_events": ["order.*", "payout.*"], "description": "orders and payouts"},
    )


class WebhookEndpoint(Model):
    endpoint_id: str
    url: str
    enabled_events: list[str]
    description: str | None = None
    status: Literal["enabled", "disabled"]
    created_at: str
    updated_at: str
    disabled_reason: str | None = Field(default=None, description="why it is disabled (410 Gone, failing for days, "
                                                                  "or the merchant)")
    disabled_at: str | None = None
    failing_since: str | None = Field(default=None, description="first failed attempt since the last success")
    last_failure: str | None = None
    previous_secret_expires_at: str | None = Field(default=None, description="while a rotated-out secret still signs")


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str = Field(description="the signing secret (whsec_…), shown only in this answer")


class WebhookEndpointPage(Model):
    data: list[WebhookEndpoint]
    has_more: bool


class WebhookEndpointDeleted(Model):
    endpoint_id: str
    deleted: bool


class DeliveryAttempt(Model):
    attempt_id: str
    event_id: str
    endpoint_id: str
    attempt: int = Field(description="1 for the first attempt of a delivery")
    at: str
    status_code: int | None = None
    latency_ms: int
    response_excerpt: str = Field(description="the first 200 characters of the answer")
    error: str | None = None
    outcome: Literal[DeliveryStatus.DELIVERED.value, DeliveryStatus.FAILED.value]


class DeliveryAttemptPage(Model):
    data: list[DeliveryAttempt]
    has_more: bool
