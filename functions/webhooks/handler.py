"""The ``webhooks`` queue -> one delivery attempt per message (``payrail.webhooks.delivery``).

A batch's records are grouped by endpoint: groups run concurrently, a group's records one after
another, so a burst to one endpoint uses one of its slots per batch instead of making most of its
messages find the slots taken and come back. Once an attempt of a group is slow (over
``SLOW_SECONDS``), or the invocation's time runs short, the rest of the group goes back on the
queue untouched (not an attempt), so a slow endpoint holds this batch for at most one attempt's
timeout and other endpoints' messages keep flowing. A record that fails for an infrastructure
reason is reported (``ReportBatchItemFailures``) and comes back after the visibility timeout.
"""
from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from aws_lambda_powertools.metrics import MetricUnit

from payrail.core import deadline
from payrail.handlers import HTTP_CALLS, wiring
from payrail.platform import Platform
from payrail.core.settings import Settings

platform = Platform(Settings.from_env(os.environ))
fn = wiring("webhooks", patch_modules=HTTP_CALLS)
logger, metrics = fn.logger, fn.metrics
pool = ThreadPoolExecutor(max_workers=10, thread_name_prefix="webhook-attempts")  # one per group of a batch
#: an attempt slower than this hands the rest of its group back to the queue
SLOW_SECONDS = 1.0


def run_group(records: list[dict], ends_at: float) -> tuple[list[str], list[str]]:
    """Attempt one endpoint's records in order; returns ``(outcomes, failed message ids)``."""
    outcomes, failed = [], []
    for i, record in enumerate(records):
        msg = json.loads(record["body"])
        if i and time.monotonic() + platform.settings.webhook_timeout_seconds > ends_at:
            platform.deliveries.enqueue([json.loads(r["body"]) for r in records[i:]])
            outcomes.append("deferred")
            break
        t0 = time.monotonic()
        try:
            outcome = platform.deliveries.handle(msg)
        except Exception:  # noqa: BLE001 - this record comes back after the visibility timeout
            logger.exception("webhook attempt failed", message_id=record["messageId"])
            failed.append(record["messageId"])
            continue
        outcomes.append(outcome)
        logger.info("webhook attempt", outcome=outcome, event_id=msg.get("event_id"), endpoint_id=msg["endpoint_id"],
                    attempt=msg.get("attempt"), recovery_id=msg.get("recovery_id"))
        if time.monotonic() - t0 > SLOW_SECONDS and i + 1 < len(records):
            platform.deliveries.enqueue([json.loads(r["body"]) for r in records[i + 1:]])
            outcomes.append("deferred")
            break
    return outcomes, failed


@fn.handler
def lambda_handler(event: dict, context) -> dict:
    groups: dict[str, list[dict]] = defaultdict(list)
    for record in event.get("Records", []):
        groups[json.loads(record["body"])["endpoint_id"]].append(record)
    ends_at = time.monotonic() + deadline.remaining()
    outcomes, failures = [], []
    for done, failed in pool.map(lambda records: run_group(records, ends_at), groups.values()):
        outcomes += done
        failures += [{"itemIdentifier": m} for m in failed]
    for outcome in ("delivered", "retrying", "failed", "gone"):
        metrics.add_metric(name=f"Webhooks{outcome.title()}", unit=MetricUnit.Count, value=outcomes.count(outcome))
    return {"batchItemFailures": failures}
