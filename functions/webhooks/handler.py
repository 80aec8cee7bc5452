"""The ``webhooks`` queue -> one delivery attempt per message (``payrail.webhooks.delivery``).

The records of a batch run concurrently, each cut off at the attempt timeout, so one slow
endpoint holds at most its own attempts (and at most ``WEBHOOK_ENDPOINT_CONCURRENCY`` of them)
while the others finish. A record that fails for an infrastructure reason is reported
(``ReportBatchItemFailures``) and comes back after the visibility timeout; its delivery's claim
has expired by then.
"""
from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from payrail import deadline
from payrail.platform import Platform
from payrail.settings import Settings

platform = Platform(Settings.from_env(os.environ))
logger = Logger(service="payrail-webhooks")
tracer = Tracer(service="payrail-webhooks")
metrics = Metrics(namespace="payrail", service="webhooks")
pool = ThreadPoolExecutor(max_workers=10, thread_name_prefix="webhook-attempt")  # one per record of a batch


def attempt(record: dict) -> str:
    msg = json.loads(record["body"])
    outcome = platform.deliveries.handle(msg)
    logger.info("webhook attempt", outcome=outcome, event_id=msg["event_id"], endpoint_id=msg["endpoint_id"],
                attempt=msg["attempt"])
    return outcome


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@deadline.from_lambda_context
def lambda_handler(event: dict, context) -> dict:
    records = event.get("Records", [])
    futures = [(r["messageId"], pool.submit(attempt, r)) for r in records]
    failures = []
    for message_id, future in futures:
        try:
            outcome = future.result()
        except Exception:  # noqa: BLE001 - this record comes back after the visibility timeout
            logger.exception("webhook attempt failed", message_id=message_id)
            failures.append({"itemIdentifier": message_id})
            continue
        if outcome in ("delivered", "retrying", "failed", "gone"):
            metrics.add_metric(name=f"Webhooks{outcome.title()}", unit=MetricUnit.Count, value=1)
    return {"batchItemFailures": failures}
