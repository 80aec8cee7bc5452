"""Reservation expiry sweeper, fired by an EventBridge schedule (every minute): every RESERVED
reservation past its ``expires_at`` is released back to the available balance (EXPIRED), one
conditional transaction each (:meth:`payrail.payouts.reservations.Reservations.expire_due`)."""
from __future__ import annotations

import os

from aws_lambda_powertools.metrics import MetricUnit

from payrail.handlers import HTTP_CALLS, wiring
from payrail.platform import Platform
from payrail.core.settings import Settings

platform = Platform(Settings.from_env(os.environ))
fn = wiring("reservations", patch_modules=HTTP_CALLS)
logger, metrics = fn.logger, fn.metrics


@fn.handler
def lambda_handler(event: dict, context) -> dict:
    swept = platform.reservations.expire_due()
    metrics.add_metric(name="ReservationsExpired", unit=MetricUnit.Count, value=swept["expired"])
    if swept["expired"] or swept["skipped"]:
        logger.info("reservations swept", **swept, scheduled_at=event.get("time"))
    return swept
