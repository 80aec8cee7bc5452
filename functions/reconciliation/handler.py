"""Reconciliation runs (payrail.reconciliation).

Events:
* SQS (queue ``reconciliation``), one record per message, a body of either
  ``{"run_id": "rec_..."}`` (a run the API created: executed) or the EventBridge event of a
  settlement file put into ``reconciliation/inbox/<provider>/<day>.csv`` (``detail-type``
  ``Object Created``: a run of that provider and day reading the file, id derived from the key and
  the object's ``sequencer`` and ``eTag``, so a redelivered event is one run and a replaced file another).
* The daily schedule of a provider (``resources``: the rule ``payrail-reconciliation-<provider>``;
  ``time``: its previous UTC day is reconciled, run ``rec_daily_<provider>_<day>``, queued).
* The reconciliation sweep (rule ``payrail-reconciliation-sweep``, every minute): a run left QUEUED
  (its request died before queueing it) or CANCELLING (a cancel that died) past its deadline is
  queued again (:meth:`payrail.platform.Platform.requeue_stalled_reconciliations`).

Metrics (Powertools EMF, namespace ``payrail``): ``ReconciliationRuns`` (dimensions provider,
status) per run ended, ``ReconciliationBreaks`` (provider, class) per break found.
"""
from __future__ import annotations

import json
import os

from aws_lambda_powertools.utilities.batch import EventType  # before payrail's modules (payrail.handlers)

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from payrail.handlers import HTTP_CALLS, NAMESPACE, wiring
from payrail.platform import Platform
from payrail.core.settings import Settings
from payrail.reconciliation.model import BREAKS
from payrail.reconciliation.service import MAX_ATTEMPTS, parse_inbox_key, window_for_schedule

platform = Platform(Settings.from_env(os.environ))
fn = wiring("reconciliation", metrics=False, patch_modules=HTTP_CALLS)
logger = fn.logger
RULE_PREFIX = "payrail-reconciliation-"
SWEEP_RULE = f"{RULE_PREFIX}sweep"


def _metrics(run) -> None:
    with single_metric(name="ReconciliationRuns", unit=MetricUnit.Count, value=1, namespace=NAMESPACE,
                       default_dimensions={"provider": run.provider}) as m:
        m.add_dimension("status", str(run.status))
    for cls, n in (run.counts or {}).items():
        if n and cls in BREAKS:
            with single_metric(name="ReconciliationBreaks", unit=MetricUnit.Count, value=n, namespace=NAMESPACE,
                               default_dimensions={"provider": run.provider}) as m:
                m.add_dimension("class", cls)


def run_message(body: dict, receives: int = MAX_ATTEMPTS) -> dict:
    """Execute the run a queue message names (or the run a settlement file starts), on its
    ``receives``-th receive: an outage before the last fails the record (it comes back)."""
    r = platform.reconciliations
    if body.get("detail-type") == "Object Created":
        key = body["detail"]["object"]["key"]
        provider, day = parse_inbox_key(key)
        obj = body["detail"]["object"]
        seq = f"{obj.get('sequencer', '')}{obj.get('eTag') or obj.get('etag') or ''}" or "0"
        run, _ = r.create_run(provider, day, day, run_id=f"rec_file_{provider}_{day}_{seq}"[:84],
                              trigger="settlement_file", source="settlement_file")
        run_id = run.run_id
    else:
        run_id = body["run_id"]
    run = r.execute(run_id, last_attempt=receives >= MAX_ATTEMPTS)
    logger.info("reconciliation run ended", run_id=run_id, status=str(run.status), counts=run.counts)
    _metrics(run)
    return {"run_id": run_id, "status": str(run.status), "counts": run.counts}


def record_handler(record) -> dict:
    return run_message(json.loads(record.body), int(record.attributes.get("ApproximateReceiveCount") or MAX_ATTEMPTS))


_batch = fn.batch(record_handler, EventType.SQS)


@fn.handler
def _scheduled(event: dict, context) -> dict:
    rule = (event.get("resources") or [""])[0].rsplit("/", 1)[-1]
    if rule == SWEEP_RULE:
        swept = platform.requeue_stalled_reconciliations()
        if swept["requeued"]:
            logger.warning("reconciliation runs left by a request or a cancel that died, queued again", swept=swept,
                           scheduled_at=event.get("time"))
        return swept
    if not rule.startswith(RULE_PREFIX):
        raise ValueError(f"not a reconciliation schedule: {rule!r}")
    provider = rule[len(RULE_PREFIX):]
    day = window_for_schedule(event["time"])
    run = platform.start_reconciliation(provider, day, day, None, None, run_id=f"rec_daily_{provider}_{day}",
                                        trigger="schedule")
    return {"run_id": run["run_id"], "status": run["status"]}


def lambda_handler(event: dict, context) -> dict:
    if "Records" in event:
        return _batch(event, context)
    return _scheduled(event, context)
