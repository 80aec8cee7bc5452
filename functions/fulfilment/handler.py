"""Fulfilment queue consumer: call the fulfilment service for each paid order, then capture or
refund it (``payrail.fulfilment.fulfil_order``). Failed records are reported individually
(``ReportBatchItemFailures``) and come back after the visibility timeout, then go to the DLQ."""
from __future__ import annotations

import json
import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from payrail.fulfilment import fulfil_order
from payrail.platform import Platform
from payrail.settings import Settings

platform = Platform(Settings.from_env(os.environ))
logger = Logger(service="payrail-fulfilment")
tracer = Tracer(service="payrail-fulfilment")
metrics = Metrics(namespace="payrail", service="fulfilment")
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    msg = json.loads(record.body)
    order = fulfil_order(platform.orders, platform.merchants, platform.fulfilment, msg["merchant_id"], msg["order_id"])
    metrics.add_metric(name=f"Orders{order['status'].title()}", unit=MetricUnit.Count, value=1)
    logger.info("order step done", order_id=order["order_id"], status=order["status"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
