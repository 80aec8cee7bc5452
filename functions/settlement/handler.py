"""Settlement state machine tasks: each event is one of the workflow's task messages
(:mod:`payrail.settlement.workflow`, by its ``step``), each answer one of its results.

* ``plan`` (:class:`PlanTask`) - from the API (``input``: the job) or the EventBridge schedule
  (``input``: the scheduled event, whose ``time`` settles the previous UTC day, job id
  ``stl_daily_<date>`` so repeated firings name one job). Moves the job QUEUED -> RUNNING and
  answers :class:`Planned` (``slices`` for the inline Map, or ``bucket`` + ``manifest_key`` for
  the Distributed Map), or :class:`NotStarted`.
* ``aggregate`` (:class:`SliceTask`) -> :class:`SliceResult`.
* ``finalize`` (:class:`FinalizeTask`) -> :class:`JobState`.
* ``fail`` (:class:`FailTask`) -> :class:`JobState`, the job marked FAILED.
"""
from __future__ import annotations

import json
import os

from payrail.handlers import wiring
from payrail.platform import Platform
from payrail.core.settings import Settings
from payrail.settlement.service import ALL, window_for_schedule
from payrail.settlement.workflow import TASKS, FailTask, JobRef, JobState, PlanTask, SliceTask

platform = Platform(Settings.from_env(os.environ))
fn = wiring("settlement")
logger, metrics = fn.logger, fn.metrics


@fn.handler
def lambda_handler(event: dict, context) -> dict:
    s = platform.settlements
    kind = TASKS.get(event.get("step"))
    if kind is None:
        raise ValueError(f"unknown step {event.get('step')!r}")
    task = kind.model_validate(event)
    if isinstance(task, PlanTask):
        if isinstance(task.input, JobRef):
            scope, job_id = task.input.scope, task.input.job_id
        else:  # scheduled run
            start, end = window_for_schedule(task.input.time)
            scope, job_id = ALL, f"stl_daily_{start}"
            s.create_job(scope, start, end, job_id=job_id, trigger="schedule")
        if task.execution:
            s.attach_execution(scope, job_id, task.execution)
        return s.plan(scope, job_id, platform.settings.settlement_max_concurrency).message()
    if isinstance(task, SliceTask):
        return s.aggregate(task.scope, task.job_id, task.slice).message()
    if isinstance(task, FailTask):
        job = s.fail(task.scope, task.job_id, json.dumps(task.error)[:500])
    else:
        job = s.finalize(task.scope, task.job_id)
    return JobState(scope=job.scope, job_id=job.job_id, status=job.status, report_key=job.report_key, rows=job.rows,
                    totals=job.totals).message()
