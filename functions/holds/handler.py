"""Hold sweep, fired by an EventBridge schedule (every five minutes): counts the payouts whose
amount is held, those held longer than ``HOLD_AGE_BOUND_SECONDS`` and the oldest hold's age
(:meth:`payrail.payouts.holds.OpenHolds.summary`), as metrics; the stack alarms on any hold past the
bound. It changes nothing: an operator decides (a payout in review, on hold at its provider, or
stuck in its workflow)."""
from __future__ import annotations

import os
from dataclasses import asdict

from aws_lambda_powertools.metrics import MetricUnit

from payrail.handlers import wiring
from payrail.payouts import holds
from payrail.platform import Platform
from payrail.core.settings import Settings

platform = Platform(Settings.from_env(os.environ))
fn = wiring("holds", metrics_service=holds.METRIC_SERVICE)
logger, metrics = fn.logger, fn.metrics


@fn.handler
def lambda_handler(event: dict, context) -> dict:
    bound = platform.settings.hold_age_bound_seconds
    s = platform.holds.summary(bound)
    metrics.add_metric(name=holds.HOLDS_OPEN, unit=MetricUnit.Count, value=s.open)
    metrics.add_metric(name=holds.HOLDS_PAST_BOUND, unit=MetricUnit.Count, value=s.past_bound)
    metrics.add_metric(name=holds.OLDEST_HOLD_AGE, unit=MetricUnit.Seconds, value=s.oldest_age_seconds)
    if s.past_bound:
        logger.warning("payout holds past the bound", **asdict(s), bound_seconds=bound, scheduled_at=event.get("time"))
    return asdict(s) | {"bound_seconds": bound}
