"""Payment expiry sweeper, fired by an EventBridge schedule (every minute): every PENDING or
PROCESSING payment past ``TRANSACTION_TIMEOUT_SECONDS`` (``due`` index) is settled after asking
its provider — CONFIRMED if it paid, FAILED if it failed, otherwise EXPIRED with the hold released;
an INITIATED or VALIDATING payment past its deadline (a creation that never completed) EXPIRED,
nothing held (:meth:`payrail.payments.Payments.expire_due`)."""
from __future__ import annotations

import os

from aws_lambda_powertools.metrics import MetricUnit

from payrail.handlers import HTTP_CALLS, wiring
from payrail.platform import Platform
from payrail.core.settings import Settings

platform = Platform(Settings.from_env(os.environ))
fn = wiring("payment-expiry", patch_modules=HTTP_CALLS)
logger, metrics = fn.logger, fn.metrics


@fn.handler
def lambda_handler(event: dict, context) -> dict:
    swept = platform.payments.expire_due()
    metrics.add_metric(name="PaymentsExpired", unit=MetricUnit.Count, value=swept.get("EXPIRED", 0))
    if swept:
        logger.info("payments swept", swept=swept, scheduled_at=event.get("time"))
    return swept
