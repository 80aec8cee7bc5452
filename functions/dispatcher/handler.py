"""DynamoDB stream of the main table -> the next step of each object (transactional outbox).

A new PAID order goes to the fulfilment queue, and so does an order the admin failed (its worker
tells the fulfilment service and looks for a late fulfilment). A payment that becomes PENDING gets its first
look on the payments queue (:class:`payrail.payments.workflow.PaymentLook`). A payout that becomes PENDING (created, approved
after review, or reinitiated) gets its run's first look on the payout queue
(:class:`payrail.payouts.workflow.Dispatch` without a task token; a duplicate first look ends at
the worker's claim, see ``Payouts.attempt``); the worker hands the run to the state machine only
when it must be looked at again. The stream retries failed records, so a crash after
the write never loses the next step.
"""
from __future__ import annotations

import json
import os

from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord, DynamoDBRecordEventName

from payrail.core import ddb
from payrail.handlers import wiring
from payrail.payments.workflow import PaymentLook, PaymentStatus
from payrail.payouts.workflow import Dispatch, PayoutStatus
from payrail.core.settings import Settings
from payrail.core.store import ORDER, PAYMENT, PAYOUT

settings = Settings.from_env(os.environ)
fn = wiring("dispatcher")


def payout_to_look(record: DynamoDBRecord) -> Dispatch | None:
    """The first look of the run this change made PENDING (None otherwise)."""
    new = record.dynamodb.new_image or {}
    if new.get("type") != PAYOUT.type or new.get("status") != PayoutStatus.PENDING:
        return None
    old = record.dynamodb.old_image or {}
    if record.event_name == DynamoDBRecordEventName.MODIFY and old.get("status") == PayoutStatus.PENDING \
            and int(old.get("run", 1)) == int(new.get("run", 1)):
        return None
    return Dispatch(payout_id=new["payout_id"], merchant_id=new["merchant_id"], run=int(new.get("run", 1)))


def payment_to_look(record: DynamoDBRecord) -> PaymentLook | None:
    """The first look when this change made a payment PENDING (None otherwise)."""
    new = record.dynamodb.new_image or {}
    if new.get("type") != PAYMENT.type or new.get("status") != PaymentStatus.PENDING:
        return None
    if (record.dynamodb.old_image or {}).get("status") == PaymentStatus.PENDING:
        return None
    return PaymentLook(payment_id=new["payment_id"], merchant_id=new["merchant_id"], look=1)


def order_to_look(record: DynamoDBRecord) -> bool:
    """True when this change needs a fulfilment look: a new PAID order, or an order the admin
    just failed (``failure_kind`` operator)."""
    item = record.dynamodb.new_image or {}
    if item.get("type") != ORDER.type:
        return False
    if record.event_name == DynamoDBRecordEventName.INSERT:
        return item.get("status") == "PAID"
    old = record.dynamodb.old_image or {}
    return item.get("status") == "FAILED" and item.get("failure_kind") == "operator" and old.get("status") != "FAILED"


def record_handler(record: DynamoDBRecord) -> None:
    item = record.dynamodb.new_image or {}
    if order_to_look(record):
        ddb.client("sqs").send_message(
            QueueUrl=settings.fulfilment_queue_url,
            MessageBody=json.dumps({"merchant_id": item["merchant_id"], "order_id": item["order_id"]}))
    look = payment_to_look(record)
    if look is not None:  # a duplicate first look is dropped by the worker's claim
        ddb.client("sqs").send_message(QueueUrl=settings.payment_queue_url, MessageBody=look.model_dump_json())
    dispatch = payout_to_look(record)
    if dispatch is not None:
        ddb.client("sqs").send_message(QueueUrl=settings.payout_queue_url, MessageBody=dispatch.model_dump_json())


lambda_handler = fn.batch(record_handler, EventType.DynamoDBStreams)
