"""Webhook endpoints and the log of their delivery attempts."""
from typing import Annotated

from pydantic import Field

from payrail.api.models import TIME_BOUND, Model, Strict, examples
from payrail.api.models.views import view
from payrail.webhooks import model

__all__ = ["EventTypePattern", "WebhookUrl", "WebhookEndpointIn", "WebhookEndpointUpdateIn", "WebhookEndpoint",
           "WebhookEndpointWithSecret", "WebhookEndpointPage", "WebhookEndpointDeleted", "DeliveryAttempt",
           "DeliveryAttemptPage", "RecoverIn", "Recovery"]

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


#: the endpoint as a view of :class:`payrail.webhooks.model.WebhookEndpoint` (no secrets; times as ISO 8601)
_EndpointView = view(model.WebhookEndpoint, "WebhookEndpoint", Model, __name__,
                     exclude=("merchant_id", "secrets", "deleted_at", "expiration"),
                     failing_since=(str | None, Field(default=None, description="first failed attempt since the last "
                                                                                "success")))


class WebhookEndpoint(_EndpointView):
    previous_secret_expires_at: str | None = Field(default=None, description="while a rotated-out secret still signs")


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str = Field(description="the signing secret (whsec_…), shown only in this answer")


class WebhookEndpointPage(Model):
    data: list[WebhookEndpoint]
    has_more: bool


class WebhookEndpointDeleted(Model):
    endpoint_id: str
    deleted: bool


DeliveryAttempt = view(model.DeliveryAttempt, "DeliveryAttempt", Model, __name__, exclude=("expiration",))


class DeliveryAttemptPage(Model):
    data: list[DeliveryAttempt]
    has_more: bool


class RecoverIn(Strict):
    since: str = Field(pattern=TIME_BOUND, max_length=27,
                       description="re-send the FAILED deliveries of events created at or after this time (RFC 3339 "
                                   "date or UTC time, not in the future)")

    model_config = examples(
        {"since": "2026-03-01T00:00:00Z"},
    )


#: a recovery job as a view of :class:`payrail.webhooks.model.RecoveryJob`
Recovery = view(model.RecoveryJob, "Recovery", Model, __name__, exclude=("merchant_id", "cursor", "expiration"))
