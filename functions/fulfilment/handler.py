"""Fulfilment queue consumer: the next fulfilment step of each order
(``payrail.commerce.fulfilment.fulfil_order``): capture, refund on a definitive refusal or after the bounded
attempts that never reached the service, FULFILMENT_PENDING and another look later when the
outcome is unknown (the message goes back on the queue with a growing delay, ``FulfilmentChecks``),
FULFILMENT_UNKNOWN for an operator at the deadline; for an order failed without the service's
refusal, the cancel and the looks for a late fulfilment (``next_look``). Every order's looks end by
its deadline. Failed records (bugs, outages of payrail's own stores) are reported individually
(``ReportBatchItemFailures``): they come back after the visibility timeout, then go to the DLQ."""
from __future__ import annotations

import json
import os

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from payrail.core import deadline
from payrail.commerce.fulfilment import fulfil_order, next_look
from payrail.handlers import HTTP_CALLS, wiring
from payrail.platform import Platform
from payrail.core.settings import Settings

platform = Platform(Settings.from_env(os.environ))
fn = wiring("fulfilment", patch_modules=HTTP_CALLS)
logger, metrics = fn.logger, fn.metrics


def record_handler(record: SQSRecord) -> None:
    msg = json.loads(record.body)
    if deadline.remaining() < 3 * platform.settings.fulfilment_timeout_seconds:  # a lookup, a POST, a cancel
        platform.fulfilment_checks.send(msg)  # not enough time left in this invocation: later, as it is
        logger.info("deferred to the next invocation", order_id=msg["order_id"])
        return
    order = fulfil_order(platform.orders, platform.merchants, platform.fulfilment, msg["merchant_id"], msg["order_id"],
                         platform.fulfilment_policy)
    metrics.add_metric(name=f"Orders{order.status.title().replace('_', '')}", unit=MetricUnit.Count, value=1)
    if order.late_fulfilment:
        metrics.add_metric(name="OrdersLateFulfilment", unit=MetricUnit.Count, value=1)
        logger.warning("fulfilled after the refund: an operator settles it with the service",
                       order_id=order.order_id, late_fulfilment=order.late_fulfilment.model_dump())
    delay = next_look(order, int(msg.get("attempt", 0)), platform.fulfilment_checks, platform.fulfilment_policy)
    if delay is not None:
        platform.fulfilment_checks.schedule(msg, delay)
        logger.info("asking again later", order_id=order.order_id, status=str(order.status),
                    attempt=msg.get("attempt", 0), delay_seconds=delay)
    else:
        logger.info("order step done", order_id=order.order_id, status=str(order.status))


lambda_handler = fn.batch(record_handler, EventType.SQS)
