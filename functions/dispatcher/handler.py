"""DynamoDB stream of the main table -> the next step of each new object (transactional outbox).

A new PAID order goes to the fulfilment queue; a new payout starts its state machine execution,
named after the payout (a repeat start answers ExecutionAlreadyExists and is ignored). The
stream retries failed records, so a crash after the write never loses the next step.
"""
from __future__ import annotations

import json
import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord, DynamoDBRecordEventName

from payrail import ddb, deadline
from payrail.settings import Settings

settings = Settings.from_env(os.environ)
logger = Logger(service="payrail-dispatcher")
tracer = Tracer(service="payrail-dispatcher")
metrics = Metrics(namespace="payrail", service="dispatcher")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def payout_input(payout_id: str, merchant_id: str) -> dict:
    """Execution input of the payout state machine (retry schedule from settings, in seconds)."""
    return {"payout_id": payout_id, "merchant_id": merchant_id, "attempt": {"value": 0},
            "max_attempts": settings.payout_max_attempts, "backoff": settings.backoff_schedule()}


def record_handler(record: DynamoDBRecord) -> None:
    if record.event_name != DynamoDBRecordEventName.INSERT:
        return
    item = record.dynamodb.new_image
    kind = item.get("type")
    if kind == "order" and item.get("status") == "PAID":
        ddb.client("sqs").send_message(
            QueueUrl=settings.fulfilment_queue_url,
            MessageBody=json.dumps({"merchant_id": item["merchant_id"], "order_id": item["order_id"]}))
    elif kind == "payout":
        sfn = ddb.client("stepfunctions")
        try:
            sfn.start_execution(stateMachineArn=settings.payout_state_machine_arn, name=item["payout_id"],
                                input=json.dumps(payout_input(item["payout_id"], item["merchant_id"])))
        except sfn.exceptions.ExecutionAlreadyExists:
            logger.info("payout execution already started", payout_id=item["payout_id"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@deadline.from_lambda_context
def lambda_handler(event: dict, context) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
