"""Settlement sweep, fired by an EventBridge schedule (every minute): a settlement job the API
created whose workflow execution never started (the request died between the two, and its client
never retried) is started once :data:`payrail.settlement.service.START_GRACE_SECONDS` have passed;
one whose execution ended without starting it is marked FAILED, its slot given back; a cancel that
died between CANCELLING and CANCELLED is finished
(:meth:`payrail.platform.Platform.start_unstarted_settlements`)."""
from __future__ import annotations

import os

from aws_lambda_powertools.metrics import MetricUnit

from payrail.handlers import wiring
from payrail.platform import Platform
from payrail.core.settings import Settings

platform = Platform(Settings.from_env(os.environ))
fn = wiring("settlement-sweep")
logger, metrics = fn.logger, fn.metrics


@fn.handler
def lambda_handler(event: dict, context) -> dict:
    swept = platform.start_unstarted_settlements()
    metrics.add_metric(name="SettlementJobsStartedBySweep", unit=MetricUnit.Count, value=swept["started"])
    if swept["started"] or swept["failed"] or swept["cancelled"]:
        logger.warning("settlement jobs left by a start or a cancel that died", swept=swept,
                       scheduled_at=event.get("time"))
    return swept
