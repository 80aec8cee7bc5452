"""DynamoDB stream of the ``events`` table (the outbox) -> payrail's EventBridge bus and one
webhook delivery per subscribed endpoint (``payrail.events``, ``payrail.webhooks.delivery``).

Records are handled in stream order; at the first failure the rest of the batch is reported as
failed too (``ReportBatchItemFailures`` with the first failed sequence number), so the stream
hands that record and the ones after it over again and nothing before it is published twice.
Nothing is lost while the bus or the queue is down: the stream keeps retrying (the event source
retries for as long as the stream keeps the record, 24 h; the outbox itself keeps events 30 days).
"""
from __future__ import annotations

import os
from datetime import datetime

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from payrail import ddb, deadline
from payrail.events import EVENT_SOURCE
from payrail.platform import Platform
from payrail.settings import Settings

platform = Platform(Settings.from_env(os.environ))
logger = Logger(service="payrail-events")
tracer = Tracer(service="payrail-events")
metrics = Metrics(namespace="payrail", service="events")


def publish(item: dict) -> None:
    """Put one event on the bus (``detail-type`` = the event type, ``detail`` = its body)."""
    r = ddb.client("events").put_events(Entries=[{
        "Source": EVENT_SOURCE, "DetailType": item["type"], "Detail": item["body"],
        "EventBusName": platform.settings.event_bus_name,
        "Time": datetime.fromisoformat(item["created_at"].replace("Z", "+00:00"))}])
    if r.get("FailedEntryCount"):
        raise RuntimeError(f"EventBridge refused event {item['event_id']}: {r['Entries'][0]}")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@deadline.from_lambda_context
def lambda_handler(event: dict, context) -> dict:
    endpoints: dict[str, list[dict]] = {}  # per merchant, for this batch
    records = event.get("Records", [])
    for i, record in enumerate(records):
        if record.get("eventName") != "INSERT":
            continue  # TTL expiry and the like
        try:
            item = ddb.load(record["dynamodb"]["NewImage"])
            publish(item)
            if item["merchant_id"] not in endpoints:
                endpoints[item["merchant_id"]] = platform.webhook_endpoints.for_merchant(item["merchant_id"])
            targets = platform.deliveries.fan_out(item, endpoints[item["merchant_id"]])
        except Exception:  # noqa: BLE001 - reported to the event source, which hands the rest over again
            logger.exception("publishing an event failed", sequence_number=record["dynamodb"]["SequenceNumber"])
            return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in records[i:]]}
        metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=1)
        logger.info("event published", event_id=item["event_id"], type=item["type"], deliveries=len(targets))
    return {"batchItemFailures": []}
