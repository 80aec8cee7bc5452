"""Payout state machine tasks: ``capture`` or ``release`` a run's hold.

Event: :class:`payrail.payouts.workflow.StepRequest`; result: :class:`~payrail.payouts.workflow.StepResult`.
Both are idempotent (guarded by the payout's status and run), so Step Functions retries are safe.
"""
from __future__ import annotations

import os

from aws_lambda_powertools.metrics import MetricUnit

from payrail.handlers import HTTP_CALLS, wiring
from payrail.payouts.workflow import Next, StepRequest, StepResult
from payrail.platform import Platform
from payrail.core.settings import Settings

platform = Platform(Settings.from_env(os.environ))
fn = wiring("payout-steps", patch_modules=HTTP_CALLS)
logger, metrics = fn.logger, fn.metrics


@fn.handler
def lambda_handler(event: dict, context) -> dict:
    req = StepRequest.model_validate(event)
    payout = platform.payouts.conclude(req.merchant_id, req.payout_id, req.run, Next(req.action.upper()), req.outcome)
    metrics.add_metric(name=f"Payouts{payout.status.title()}", unit=MetricUnit.Count, value=1)
    return StepResult(payout_id=req.payout_id, status=payout.status).model_dump(mode="json")
