"""Fulfilment queue consumer: the next fulfilment step of each paid order
(``payrail.fulfilment.fulfil_order``): capture, refund on a definitive refusal, or, when the
outcome is unknown, FULFILMENT_PENDING and another look later (the message goes back on the queue
with a growing delay, ``FulfilmentChecks``). Failed records are reported individually
(``ReportBatchItemFailures``): they come back after the visibility timeout, then go to the DLQ
(an order whose outcome stays unknown waits there in FULFILMENT_PENDING, never refunded)."""
from __future__ import annotations

import json
import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from payrail import deadline
from payrail.fulfilment import fulfil_order
from payrail.orders import FULFILMENT_PENDING
from payrail.platform import Platform
from payrail.settings import Settings

platform = Platform(Settings.from_env(os.environ))
logger = Logger(service="payrail-fulfilment")
tracer = Tracer(service="payrail-fulfilment")
metrics = Metrics(namespace="payrail", service="fulfilment")
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    msg = json.loads(record.body)
    if deadline.remaining() < 2 * platform.settings.fulfilment_timeout_seconds:  # a POST and a lookup
        platform.fulfilment_checks.send(msg)  # not enough time left in this invocation: later, as it is
        logger.info("deferred to the next invocation", order_id=msg["order_id"])
        return
    order = fulfil_order(platform.orders, platform.merchants, platform.fulfilment, msg["merchant_id"], msg["order_id"])
    metrics.add_metric(name=f"Orders{order['status'].title().replace('_', '')}", unit=MetricUnit.Count, value=1)
    if order["status"] == FULFILMENT_PENDING:
        delay = platform.fulfilment_checks.schedule(msg)  # raises after the last attempt: SQS redelivery, DLQ
        logger.info("fulfilment outcome unknown: asking again later", order_id=order["order_id"],
                    attempt=msg.get("attempt", 0), delay_seconds=delay)
    else:
        logger.info("order step done", order_id=order["order_id"], status=order["status"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@deadline.from_lambda_context
def lambda_handler(event: dict, context) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
