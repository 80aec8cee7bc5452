"""The daily payments report, fired by an EventBridge schedule (00:30 UTC, the previous day; an
event with ``{"date": "YYYY-MM-DD"}`` reports that day): CSVs per provider and per merchant in the
reports bucket (:func:`payrail.payments.report.write_daily`)."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from payrail.core import ddb
from payrail.handlers import wiring
from payrail.payments.report import write_daily
from payrail.platform import Platform
from payrail.core.settings import Settings

platform = Platform(Settings.from_env(os.environ))
fn = wiring("payment-reports", metrics=False)
logger = fn.logger


@fn.handler
def lambda_handler(event: dict, context) -> dict:
    day = event.get("date")
    if not day:
        fired = datetime.fromisoformat(event["time"].replace("Z", "+00:00")) if event.get("time") else \
            datetime.now(timezone.utc)
        day = (fired.date() - timedelta(days=1)).isoformat()
    out = write_daily(platform.main, ddb.client("s3"), platform.settings.reports_bucket, day).public()
    logger.info("payment report written", **out)
    return out
