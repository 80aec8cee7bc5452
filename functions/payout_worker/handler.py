"""Payout queue consumer: one look at the provider per message (:meth:`payrail.payouts.Payouts.attempt`:
status first, a submission only when the provider never heard of the transfer, inside one of the
provider's platform-wide in-flight slots), answered to the waiting state machine with the
message's task token. The body is :class:`payrail.payout_workflow.Dispatch`; the answer an
:class:`~payrail.payout_workflow.Outcome` (provider trouble is an outcome, never an error).

Anything else (e.g. DynamoDB unavailable) fails the record: SQS redelivers it, then the DLQ; the
state machine's dispatch timeout then dispatches again.
"""
from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from payrail import ddb, deadline
from payrail.payout_workflow import Dispatch
from payrail.platform import Platform
from payrail.settings import Settings

platform = Platform(Settings.from_env(os.environ))
logger = Logger(service="payrail-payout-worker")
tracer = Tracer(service="payrail-payout-worker")
metrics = Metrics(namespace="payrail", service="payout-worker")
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    msg = Dispatch.model_validate_json(record.body)
    outcome = platform.payouts.attempt(msg.merchant_id, msg.payout_id, msg.run)
    metrics.add_metric(name=f"PayoutLook{outcome.next.title()}", unit=MetricUnit.Count, value=1)
    sfn = ddb.client("stepfunctions")
    try:
        sfn.send_task_success(taskToken=msg.task_token, output=outcome.model_dump_json())
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist):
        logger.warning("state machine no longer waits for this look", payout_id=msg.payout_id, run=msg.run)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@deadline.from_lambda_context
def lambda_handler(event: dict, context) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
