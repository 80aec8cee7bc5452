"""Payout queue consumer: one look at the provider per message (:meth:`payrail.payouts.service.Payouts.attempt`:
status first, a submission only when the provider never heard of the transfer, inside one of the
provider's platform-wide in-flight slots). The body is :class:`payrail.payouts.workflow.Dispatch`.

* A run's **first look** (no task token; sent by the dispatcher): a final answer is applied here
  (:meth:`~payrail.payouts.service.Payouts.conclude`: capture or release); a run still open (CHECK) is
  handed over to the state machine (:class:`~payrail.payouts.workflow.Handover`, execution
  ``<payout_id>-r<run>``, waiting ``next_check_seconds`` first), and so is a run whose first look
  failed (the workflow dispatches its looks again, as it does for a lost dispatch). If even the
  handover fails the record fails: SQS redelivers it, and the redelivered first look carries on.
* A **workflow look** (with a task token): the :class:`~payrail.payouts.workflow.Outcome` is
  answered to the waiting state machine (provider trouble is an outcome, never an error); anything
  else (e.g. DynamoDB unavailable) fails the record: SQS redelivers it, then the DLQ; the state
  machine's dispatch timeout then dispatches again.
"""
from __future__ import annotations

import os

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from payrail.core import ddb
from payrail.handlers import HTTP_CALLS, wiring
from payrail.payouts.workflow import Dispatch, Handover, Next
from payrail.platform import Platform
from payrail.core.settings import Settings

platform = Platform(Settings.from_env(os.environ))
fn = wiring("payout-worker", patch_modules=HTTP_CALLS)
logger, metrics = fn.logger, fn.metrics


def hand_over(msg: Dispatch, wait_seconds: int, lost: int = 0) -> None:
    """Start the run's execution (a repeat answers ExecutionAlreadyExists: the run is handed over already)."""
    run = Handover(payout_id=msg.payout_id, merchant_id=msg.merchant_id, run=msg.run, dispatches_lost=lost,
                   first_check_seconds=wait_seconds)
    sfn = ddb.client("stepfunctions")
    try:
        sfn.start_execution(stateMachineArn=platform.settings.payout_state_machine_arn, name=run.execution_name(),
                            input=run.model_dump_json())
    except sfn.exceptions.ExecutionAlreadyExists:
        logger.info("payout run already handed over", payout_id=msg.payout_id, run=msg.run)


def first_look(msg: Dispatch, look_id: str) -> None:
    payouts = platform.payouts
    try:
        outcome = payouts.attempt(msg.merchant_id, msg.payout_id, msg.run, first_look=look_id)
        if outcome.next in (Next.CAPTURE, Next.RELEASE):
            payouts.conclude(msg.merchant_id, msg.payout_id, msg.run, outcome.next, outcome)
    except Exception:
        logger.exception("first look failed: handing the run over", payout_id=msg.payout_id, run=msg.run)
        metrics.add_metric(name="PayoutFirstLookFailed", unit=MetricUnit.Count, value=1)
        hand_over(msg, payouts.policy.next_check(0), lost=1)
        return
    metrics.add_metric(name=f"PayoutFirstLook{outcome.next.title()}", unit=MetricUnit.Count, value=1)
    if outcome.next == Next.CHECK:
        hand_over(msg, outcome.next_check_seconds)


def record_handler(record: SQSRecord) -> None:
    msg = Dispatch.model_validate_json(record.body)
    if msg.task_token is None:
        first_look(msg, record.message_id)
        return
    outcome = platform.payouts.attempt(msg.merchant_id, msg.payout_id, msg.run)
    metrics.add_metric(name=f"PayoutLook{outcome.next.title()}", unit=MetricUnit.Count, value=1)
    sfn = ddb.client("stepfunctions")
    try:
        sfn.send_task_success(taskToken=msg.task_token, output=outcome.model_dump_json())
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist):
        logger.warning("state machine no longer waits for this look", payout_id=msg.payout_id, run=msg.run)


lambda_handler = fn.batch(record_handler, EventType.SQS)
