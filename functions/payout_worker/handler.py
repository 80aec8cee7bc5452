"""Payout queue consumer (bounded concurrency): one provider attempt per message, answered to the
waiting state machine with the message's task token.

* final answer (SUCCEEDED / FAILED) -> ``SendTaskSuccess`` with the outcome;
* transient provider error -> ``SendTaskFailure`` with error ``ProviderTransientError`` (the state
  machine backs off and re-enters the dispatch state);
* anything else (e.g. DynamoDB unavailable) -> the record fails, SQS redelivers it, then the DLQ;
  the state machine's dispatch timeout then reconciles with the provider.
"""
from __future__ import annotations

import json
import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from payrail import ddb, deadline
from payrail.platform import Platform
from payrail.providers.base import ProviderTransientError
from payrail.settings import Settings

platform = Platform(Settings.from_env(os.environ))
logger = Logger(service="payrail-payout-worker")
tracer = Tracer(service="payrail-payout-worker")
metrics = Metrics(namespace="payrail", service="payout-worker")
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    msg = json.loads(record.body)
    sfn = ddb.client("stepfunctions")
    try:
        outcome = platform.payouts.attempt(msg["merchant_id"], msg["payout_id"], int(msg["attempt"]["value"]),
                                           platform.provider)
    except ProviderTransientError as e:
        metrics.add_metric(name="ProviderTransientErrors", unit=MetricUnit.Count, value=1)
        answer = {"taskToken": msg["task_token"], "error": "ProviderTransientError", "cause": str(e)[:256]}
    else:
        answer = {"taskToken": msg["task_token"], "output": json.dumps(outcome)}
    try:
        (sfn.send_task_success if "output" in answer else sfn.send_task_failure)(**answer)
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist):
        logger.warning("state machine no longer waits for this attempt", payout_id=msg["payout_id"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@deadline.from_lambda_context
def lambda_handler(event: dict, context) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
