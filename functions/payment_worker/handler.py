"""Payments queue consumer: one look at a payment's provider per message
(:meth:`payrail.payments.Payments.look`: status first, a submission only when the provider never
heard of the route's transfer, a failover before any provider accepted it), inside one of the
provider's in-flight slots. When the payment is still open the next look is sent with
``DelaySeconds`` = the backoff (:class:`payrail.payments.workflow.PaymentLook`, ``look + 1``).

Anything else (e.g. DynamoDB unavailable) fails the record: SQS redelivers it, then the DLQ; the
expiry sweeper settles a payment whose chain of looks ended that way.
"""
from __future__ import annotations

import os

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from payrail.core import ddb
from payrail.handlers import HTTP_CALLS, wiring
from payrail.payments.workflow import Next, PaymentLook
from payrail.platform import Platform
from payrail.core.settings import Settings

platform = Platform(Settings.from_env(os.environ))
fn = wiring("payment-worker", patch_modules=HTTP_CALLS)
metrics = fn.metrics


def record_handler(record: SQSRecord) -> None:
    msg = PaymentLook.model_validate_json(record.body)
    outcome = platform.payments.look(msg.merchant_id, msg.payment_id, msg.look)
    metrics.add_metric(name=f"PaymentLook{outcome.next.title()}", unit=MetricUnit.Count, value=1)
    if outcome.next == Next.CHECK:
        nxt = PaymentLook(payment_id=msg.payment_id, merchant_id=msg.merchant_id, look=msg.look + 1)
        ddb.client("sqs").send_message(QueueUrl=platform.settings.payment_queue_url, MessageBody=nxt.model_dump_json(),
                                       DelaySeconds=min(900, outcome.delay_seconds))


lambda_handler = fn.batch(record_handler, EventType.SQS)
