"""Settlement state machine tasks.

Events:
* ``{"step": "plan", "execution", "input": {"scope", "job_id"} | <scheduled event>}`` - from the API or the
  EventBridge schedule (``time`` of the scheduled event: settles the previous UTC day, job id
  ``stl_daily_<date>`` so repeated firings name one job). Moves the job QUEUED -> RUNNING and
  returns ``{scope, job_id, slices_total, concurrency}`` with ``slices`` (inline Map) or
  ``bucket`` + ``manifest_key`` (Distributed Map), or ``{scope, job_id, cancelled: true}``.
* ``{"step": "aggregate", "scope", "job_id", "slice": {slice, date, shard, part, parts}}`` -> ``{rows, skipped}``.
* ``{"step": "finalize", "scope", "job_id"}`` -> the job.
* ``{"step": "fail", "scope", "job_id", "error"}`` -> the job, marked FAILED.
"""
from __future__ import annotations

import json
import os

from payrail.handlers import wiring
from payrail.platform import Platform
from payrail.core.settings import Settings
from payrail.settlement.service import ALL, window_for_schedule

platform = Platform(Settings.from_env(os.environ))
fn = wiring("settlement")
logger, metrics = fn.logger, fn.metrics


@fn.handler
def lambda_handler(event: dict, context) -> dict:
    s = platform.settlements
    step = event["step"]
    if step == "plan":
        inp = event.get("input") or {}
        scope, job_id = inp.get("scope"), inp.get("job_id")
        if not job_id:  # scheduled run
            start, end = window_for_schedule(inp["time"])
            scope, job_id = ALL, f"stl_daily_{start}"
            s.create_job(scope, start, end, job_id=job_id, trigger="schedule")
        if event.get("execution"):
            s.attach_execution(scope, job_id, event["execution"])
        return s.plan(scope, job_id, platform.settings.settlement_max_concurrency)
    if step == "aggregate":
        return s.aggregate(event["scope"], event["job_id"], event["slice"])
    if step == "finalize":
        job = s.finalize(event["scope"], event["job_id"])
    elif step == "fail":
        error = event.get("error") or {}
        job = s.fail(event["scope"], event["job_id"], json.dumps(error)[:500])
    else:
        raise ValueError(f"unknown step {step!r}")
    return {k: v for k, v in job.public().items() if k in ("job_id", "scope", "status", "report_key", "totals", "rows")}
