"""Events (the outbox) with their deliveries, and redeliveries."""
from typing import Any

from pydantic import Field

from payrail.api.models import ENDPOINT_ID, Model, Strict, of_enum, examples
from payrail.webhooks.model import DeliveryStatus

__all__ = ["EventData", "Event", "Delivery", "EventWithDeliveries", "EventPage", "RedeliverIn", "Redelivery"]


class EventData(Model):
    object: dict[str, Any] = Field(description="the object as it stands after the change")


class Event(Model):
    event_id: str = Field(description="also the webhook-id header of every delivery of this event")
    type: str
    api_version: str
    created_at: str
    object_id: str
    sequence: int = Field(description="per object, 1, 2, 3 … in the order of its changes; discard lower ones")
    data: EventData


class Delivery(Model):
    endpoint_id: str
    status: of_enum(DeliveryStatus)
    attempts: int
    updated_at: str | None = None
    last_attempt_at: str | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    next_attempt_at: str | None = None
    delivered_at: str | None = None
    failure_reason: str | None = None


class EventWithDeliveries(Event):
    deliveries: list[Delivery]


class EventPage(Model):
    data: list[Event]
    has_more: bool


class RedeliverIn(Strict):
    endpoint_id: str | None = Field(default=None, pattern=ENDPOINT_ID, max_length=27,
                                    description="only this endpoint (default: every enabled, subscribed one)")

    model_config = examples(
        {"endpoint_id": "we_000000000000000000000001"},
    )


class Redelivery(Model):
    event_id: str
    endpoint_ids: list[str]
