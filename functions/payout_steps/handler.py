"""Payout state machine tasks: ``capture`` / ``release`` the hold, ``reconcile`` with the provider.

Event: ``{"action": "capture"|"release"|"reconcile", "payout_id", "merchant_id", ...}``.
Every action is idempotent (guarded by the payout status), so Step Functions retries are safe.
"""
from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from payrail import deadline
from payrail.platform import Platform
from payrail.settings import Settings

platform = Platform(Settings.from_env(os.environ))
logger = Logger(service="payrail-payout-steps")
tracer = Tracer(service="payrail-payout-steps")
metrics = Metrics(namespace="payrail", service="payout-steps")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@deadline.from_lambda_context
def lambda_handler(event: dict, context) -> dict:
    action, mid, pid = event["action"], event["merchant_id"], event["payout_id"]
    if action == "reconcile":
        return platform.payouts.reconcile(mid, pid, platform.provider)
    outcome = event.get("outcome") or {}
    detail = {**(outcome.get("detail") or {}), **outcome}  # reconcile nests its answer under "detail"
    if action == "capture":
        payout = platform.payouts.capture(mid, pid, detail.get("provider_reference"))
    elif action == "release":
        payout = platform.payouts.release(mid, pid, str(detail.get("reason") or "failed")[:500])
    else:
        raise ValueError(f"unknown action {action!r}")
    metrics.add_metric(name=f"Payouts{payout['status'].title()}", unit=MetricUnit.Count, value=1)
    return {"payout_id": pid, "status": payout["status"]}
