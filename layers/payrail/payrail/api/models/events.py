"""Events (the outbox) with their deliveries, and redeliveries."""
from pydantic import Field

from payrail.api.models import ENDPOINT_ID, Model, Strict, examples
from payrail.api.models.views import view
from payrail.core import events
from payrail.webhooks import model

__all__ = ["EventData", "Event", "Delivery", "EventWithDeliveries", "EventPage", "RedeliverIn", "Redelivery"]


EventData = view(events.EventData, "EventData", Model, __name__)
#: an event as a view of :class:`payrail.core.events.Event`
Event = view(events.Event, "Event", Model, __name__, nested={events.EventData: EventData})
#: a delivery as a view of :class:`payrail.webhooks.model.WebhookDelivery`
Delivery = view(model.WebhookDelivery, "Delivery", Model, __name__,
                exclude=("merchant_id", "event_id", "last_outcome", "started_at", "claimed", "lease_until", "expiration"))


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
