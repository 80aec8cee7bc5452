"""DynamoDB stream of the ``events`` table (the outbox) -> payrail's EventBridge bus and one
webhook delivery per subscribed endpoint (``payrail.core.events``, ``payrail.webhooks.delivery``).

Records are handled in stream order, ten at a time (one ``PutEvents`` and one
``SendMessageBatch`` per ten events). At the first failure the rest of the batch is reported as
failed (``ReportBatchItemFailures`` with the sequence numbers from the first record not done), so
the stream hands those over again and what was done before is not published again (at most the
failed group of ten may be). Nothing is lost while the bus or the queue is down: the event source
retries for as long as the stream keeps the record (24 h), and the outbox keeps events 30 days.

The published events' outcomes (payouts and payments by final status and provider, settlement
jobs by status) are emitted as business metrics (:mod:`payrail.core.outcomes`).
"""
from __future__ import annotations

import os
from collections import Counter
from datetime import datetime

from aws_lambda_powertools.metrics import MetricUnit

from payrail.core import ddb, events, outcomes
from payrail.handlers import wiring
from payrail.providers import registry
from payrail.core.events import EVENT_SOURCE, Event
from payrail.platform import Platform
from payrail.core.settings import Settings
from payrail.webhooks.model import WebhookEndpoint

platform = Platform(Settings.from_env(os.environ))
fn = wiring("events")
logger, metrics = fn.logger, fn.metrics
#: PutEvents takes at most 10 entries
GROUP = 10


def publish(batch: list[Event]) -> int:
    """Put events on the bus (``detail-type`` = the event type, ``detail`` = its stored body); returns
    how many of them, from the first, the bus took (all unless it refused one)."""
    if not batch:
        return 0
    r = ddb.client("events").put_events(Entries=[{
        "Source": EVENT_SOURCE, "DetailType": e.type, "Detail": e.body,
        "EventBusName": platform.settings.event_bus_name,
        "Time": datetime.fromisoformat(e.created_at.replace("Z", "+00:00"))} for e in batch])
    if not r.get("FailedEntryCount"):
        return len(batch)
    first = next(n for n, e in enumerate(r["Entries"]) if e.get("ErrorCode"))
    logger.warning("EventBridge refused an event", event_id=batch[first].event_id, entry=r["Entries"][first])
    return first


@fn.handler
def lambda_handler(event: dict, context) -> dict:
    records = event.get("Records", [])
    endpoints: dict[str, list[WebhookEndpoint]] = {}  # per merchant, for this batch
    done = published = 0  # records handled, in stream order
    counts = Counter()  # the outcomes of the events published
    try:
        for start in range(0, len(records), GROUP):
            group = [(start + n, r) for n, r in enumerate(records[start:start + GROUP])]
            inserts = [(pos, ddb.load(r["dynamodb"]["NewImage"])) for pos, r in group
                       if r.get("eventName") == "INSERT"]  # not TTL expiries
            batch = [events.load(item) for _, item in inserts]
            taken = publish(batch)
            platform.deliveries.fan_out(batch[:taken], endpoints)
            published += taken
            counts += outcomes.tally([item for _, item in inserts[:taken]], registry.REGISTRY)
            if taken < len(inserts):
                done = inserts[taken][0]
                raise RuntimeError(f"EventBridge refused event {inserts[taken][1]['event_id']}")
            done = start + len(group)
    except Exception:  # noqa: BLE001 - reported to the event source, which hands the rest over again
        logger.exception("publishing events failed", first_failed=records[done]["dynamodb"]["SequenceNumber"])
        return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in records[done:]]}
    finally:
        metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=published)
        outcomes.emit(counts)
    return {"batchItemFailures": []}
