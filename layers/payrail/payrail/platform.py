"""Wiring: builds the aggregates and AWS clients once per process from :class:`Settings`."""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor, wait
from functools import cached_property, partial
from typing import TYPE_CHECKING, Callable, NotRequired, TypedDict

from payrail.core import clock
from payrail.core import ddb
from payrail.core.ids import derived
from payrail.core.settings import Settings

if TYPE_CHECKING:  # the domain modules are imported by the property that builds them (cold starts)
    from botocore.client import BaseClient

    from payrail.payouts.beneficiaries import Beneficiaries
    from payrail.providers.callbacks import Callbacks
    from payrail.core.events import EventLog
    from payrail.commerce.fulfilment import FulfilmentChecks, FulfilmentClient, FulfilmentPolicy
    from payrail.payouts.holds import OpenHolds
    from payrail.core.ledger import Ledger
    from payrail.core.merchants import Merchants
    from payrail.operations import Operations
    from payrail.commerce.orders import Orders
    from payrail.payments import Payments, RouteStats
    from payrail.payouts.service import Payouts
    from payrail.providers.slots import Providers
    from payrail.payouts.reservations import Reservations
    from payrail.settlement.model import SettlementJob
    from payrail.reconciliation.service import Reconciliations
    from payrail.settlement.service import Settlements
    from payrail.core.store import MainTable
    from payrail.commerce.wallets import Wallets
    from payrail.webhooks.delivery import Deliveries
    from payrail.webhooks.endpoints import WebhookEndpoints


class Check(TypedDict):
    """One health check: whether it passed, how long it took (ms), and why not."""

    ok: bool
    ms: float
    error: NotRequired[str]


class HealthReport(TypedDict):
    """:meth:`Platform.health`: ``ok`` when every table and queue answered; each check by name;
    with ``providers``, each mobile-money provider's (not part of ``ok``)."""

    ok: bool
    checks: dict[str, Check]
    providers: NotRequired[dict[str, Check]]


class HealthClients(TypedDict):
    """The health checks' own clients (``ddb.HEALTH_CLIENT_CONFIG``)."""

    dynamodb: BaseClient
    sqs: BaseClient


class Platform:
    """Lazily built domain objects sharing one set of clients (safe to keep across invocations).
    Each property imports its domain module when first used, so a function's cold start imports
    only what its invocations use (``make bench`` measures it)."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @cached_property
    def ledger(self) -> Ledger:
        from payrail.core.ledger import Ledger

        return Ledger(self.settings.ledger_table)

    @cached_property
    def main(self) -> MainTable:
        from payrail.core.store import MainTable

        return MainTable(self.settings.main_table)

    @cached_property
    def merchants(self) -> Merchants:
        from payrail.core.merchants import Merchants

        return Merchants(self.main, self.settings.api_key_cache_seconds)

    @cached_property
    def wallets(self) -> Wallets:
        from payrail.commerce.wallets import Wallets

        return Wallets(self.ledger, self.main)

    @cached_property
    def orders(self) -> Orders:
        from payrail.commerce.orders import Orders

        return Orders(self.ledger, self.main, self.events)

    # ---- events and webhooks -----------------------------------------------------------------------
    @cached_property
    def events(self) -> EventLog:
        from payrail.core.events import EventLog

        return EventLog(self.settings.events_table)

    @cached_property
    def webhook_endpoints(self) -> WebhookEndpoints:
        from payrail.webhooks.endpoints import WebhookEndpoints

        s = self.settings
        return WebhookEndpoints(s.webhooks_table, local_mode=s.webhook_local_mode, max_endpoints=s.webhook_max_endpoints,
                                secret_overlap_seconds=s.webhook_secret_overlap_seconds,
                                disable_after_seconds=s.webhook_disable_after_seconds)

    @cached_property
    def deliveries(self) -> Deliveries:
        from payrail.webhooks.delivery import Deliveries, Policy, Sender

        s = self.settings
        policy = Policy(tuple(s.retry_schedule()), s.webhook_retry_horizon_seconds, s.webhook_timeout_seconds,
                        s.webhook_endpoint_concurrency)
        return Deliveries(s.webhooks_table, self.events, self.webhook_endpoints, ddb.client("sqs"), s.webhook_queue_url,
                          Sender(s.webhook_timeout_seconds, block_private=not s.webhook_local_mode), policy)

    @cached_property
    def providers(self) -> Providers:
        """The configured connectors (settings from ``CONNECTOR_*``, credentials from their secrets)
        and their platform-wide in-flight slots."""
        from payrail.providers.slots import Providers, ProviderSlots

        s = self.settings
        return Providers(s.connector_env, ProviderSlots(s.rate_limit_table), s.provider_slot_wait_seconds)

    @cached_property
    def beneficiaries(self) -> Beneficiaries:
        from payrail.payouts.beneficiaries import Beneficiaries

        return Beneficiaries(self.main, self.providers)

    @cached_property
    def holds(self) -> OpenHolds:
        """The open payout holds across merchants (the ``main`` table's ``due`` index)."""
        from payrail.payouts.holds import OpenHolds

        return OpenHolds(self.settings.main_table)

    @cached_property
    def payouts(self) -> Payouts:
        from payrail.payouts.service import PayoutPolicy, Payouts
        from payrail.payouts.reservations import payout_settled

        return Payouts(self.ledger, self.main, self.events, self.providers, self.beneficiaries,
                       PayoutPolicy.from_settings(self.settings), linked=partial(payout_settled, self.main, self.events))

    @cached_property
    def callbacks(self) -> Callbacks:
        from payrail.providers.callbacks import Callbacks
        from payrail.core.store import PAYMENT, PAYOUT
        from payrail.payments.records import load as payment_of

        return Callbacks(self.main, self.providers, {
            PAYOUT.type: lambda item, hint: self.payouts.confirm(item["merchant_id"], item["payout_id"],
                                                                 hint.transfer_key),
            PAYMENT.type: lambda item, hint: self.payments.confirm(payment_of(item), hint.transfer_key)})

    @cached_property
    def route_stats(self) -> RouteStats:
        from payrail.payments import RouteStats

        return RouteStats(self.settings.rate_limit_table, self.settings.payment_routing_window_seconds)

    @cached_property
    def payments(self) -> Payments:
        """Mobile-money payments (policies from the PAYMENT_* / TRANSACTION_* settings)."""
        from payrail.payments import Payments, RiskCounters, RiskPolicy, RoutingPolicy

        s = self.settings
        routing = RoutingPolicy(s.payment_fee_on_net_bps, s.payment_fee_off_net_bps, s.payment_fee_off_net_min,
                                s.payment_routing_window_seconds, s.payment_routing_exploration)
        risk = RiskPolicy(s.min_transaction_amount, s.max_transaction_amount, s.payment_velocity_window_seconds,
                          s.payment_recipient_max_count, s.payment_recipient_max_amount, s.payment_merchant_max_count,
                          s.payment_merchant_max_amount, s.payment_duplicate_window_seconds, s.payment_duplicate_score,
                          s.payment_risk_decline_score, frozenset(x for x in s.payment_blocklist.split(",") if x))
        return Payments(self.ledger, self.main, self.events, self.providers, self.route_stats,
                        RiskCounters(s.rate_limit_table), routing, risk, s.transaction_timeout_seconds,
                        s.payment_backoff_base_seconds, s.payment_backoff_max_seconds)

    @cached_property
    def reservations(self) -> Reservations:
        from payrail.payouts.reservations import Reservations

        return Reservations(self.ledger, self.main, self.events, self.payouts, self.settings.reservation_fulfil_wait_seconds)

    @cached_property
    def settlements(self) -> Settlements:
        from payrail.core.ledger import Ledger
        from payrail.settlement.service import Settlements

        return Settlements(Ledger(self.settings.ledger_table, ddb.client(read_job=True)), self.main,
                           ddb.client("s3"), self.settings.reports_bucket,
                           self.settings.settlement_max_active_jobs, events=self.events)

    # ---- settlement jobs and their workflow executions ---------------------------------------
    def start_settlement(self, scope: str, start: str, end: str, idempotency_key: str | None,
                         fingerprint: str | None) -> SettlementJob:
        """Create a QUEUED job (id derived from the key when one is given, random otherwise) and
        start its execution (named after the job, so a repeat start is a no-op; its first step
        moves the job to RUNNING). Returns the job as clients see it."""
        job_id = derived("stl", scope, idempotency_key) if idempotency_key else None
        job, _ = self.settlements.create_job(scope, start, end, job_id=job_id, fingerprint=fingerprint)
        self._start_settlement_execution(job)
        return self.settlement_view(scope, job.job_id, job)

    def start_unstarted_settlements(self) -> dict[str, int]:
        """The settlement sweep (a schedule): start the QUEUED jobs whose execution never started
        and finish the cancels that died (:meth:`Settlements.start_unstarted`); returns its counts."""
        return self.settlements.start_unstarted(self._start_settlement_execution, self._stop_settlement_execution)

    def _start_settlement_execution(self, job: SettlementJob) -> bool:
        """Start the job's execution, named after the job with the job as its input, and remember
        it. Step Functions answers a start of a running execution's name and input with that
        execution, so a repeat is harmless. True when the execution runs; False when an execution
        of that name has already ended."""
        sfn = ddb.client("stepfunctions")
        try:
            arn = sfn.start_execution(stateMachineArn=self.settings.settlement_state_machine_arn, name=job.job_id,
                                      input=json.dumps({"scope": job.scope, "job_id": job.job_id}))["executionArn"]
        except sfn.exceptions.ExecutionAlreadyExists:
            return False
        self.settlements.attach_execution(job.scope, job.job_id, arn)
        return True

    def settlement_view(self, scope: str, job_id: str, job: SettlementJob | None = None) -> SettlementJob:
        """A job with its presigned ``download_url`` once COMPLETED. Raises NotFound."""
        job = job or self.settlements.get(scope, job_id)
        return self.settlements.with_download_url(job, self.settings.presign_seconds)

    def cancel_settlement(self, scope: str, job_id: str) -> SettlementJob:
        """Cancel a queued or running job and stop its execution (named after the job, so it is
        found even before the job records it). Raises NotFound, Conflict."""
        return self.settlement_view(scope, job_id,
                                    self.settlements.cancel(scope, job_id, self._stop_settlement_execution))

    def _stop_settlement_execution(self, job: SettlementJob) -> None:
        """Stop the job's execution (named after the job, so it is found even before the job
        records it); a no-op when there is none."""
        sfn = ddb.client("stepfunctions")
        machine = self.settings.settlement_state_machine_arn
        arn = job.execution_arn or machine.replace(":stateMachine:", ":execution:") + f":{job.job_id}"
        try:
            sfn.stop_execution(executionArn=arn, cause="settlement job cancelled")
        except sfn.exceptions.ExecutionDoesNotExist:
            pass

    # ---- reconciliation runs and their exceptions ----------------------------------------------
    @cached_property
    def reconciliations(self) -> Reconciliations:
        """Reconciliation runs (payrail.reconciliation): the ledger, each provider's connector and
        statement source (the registry's ``Entry.statement``), the reports bucket."""
        from payrail.core.ledger import Ledger
        from payrail.providers import registry
        from payrail.reconciliation.service import Reconciliations

        s = self.settings
        momo = [n for n, e in registry.REGISTRY.items() if hasattr(e.cls, "balance")]
        ledger = Ledger(s.ledger_table, ddb.client(read_job=True, plain_queries=True))
        return Reconciliations(ledger, self.main, self.events, ddb.client("s3"), s.reports_bucket, self.providers.get,
                               lambda name: registry.entry(name).statement, grace_seconds=s.reconciliation_grace_seconds,
                               booking_grace_seconds=s.reconciliation_booking_grace_seconds,
                               concurrency=s.reconciliation_concurrency, momo=momo, known=lambda: registry.REGISTRY)

    def start_reconciliation(self, provider: str, start: str, end: str, idempotency_key: str | None,
                             fingerprint: str | None, *, run_id: str | None = None, trigger: str = "api") -> dict:
        """Create a QUEUED run (id derived from the key when one is given) and queue it for the
        reconciliation function; a repeat while the run is still QUEUED queues it again (the first
        request may have died before queueing it; a repeated message is a no-op: a run executes
        once). Returns the run as clients see it. Raises ValidationFailed, IdempotencyMismatch."""
        run_id = run_id or (derived("rec", provider, idempotency_key) if idempotency_key else None)
        run, _ = self.reconciliations.create_run(provider, start, end, run_id=run_id, trigger=trigger,
                                                 fingerprint=fingerprint)
        if run.status == "QUEUED":
            self._queue_reconciliation(run.run_id)
        return self.reconciliation_view(run.run_id, run)

    def _queue_reconciliation(self, run_id: str) -> None:
        if self.settings.reconciliation_queue_url:
            ddb.client("sqs").send_message(QueueUrl=self.settings.reconciliation_queue_url,
                                           MessageBody=json.dumps({"run_id": run_id}))

    def requeue_stalled_reconciliations(self) -> dict[str, int]:
        """The reconciliation sweep (:meth:`payrail.reconciliation.service.Reconciliations.requeue_stalled`):
        runs left QUEUED or CANCELLING past their deadline are queued again. ``{"requeued", "checked"}``."""
        return self.reconciliations.requeue_stalled(self._queue_reconciliation)

    def reconciliation_view(self, run_id: str, run=None) -> dict:
        """A run with its progress and, once COMPLETED, its presigned ``download_url``. Raises NotFound."""
        r = self.reconciliations
        run = run or r.get(run_id)
        out = run.public()
        out.pop("lease_until", None)  # the executor's bookkeeping
        out.pop("takes", None)
        done = out.get("shards_done", 0)
        out["shards_done"] = done
        out["progress"] = round(min(done, run.shards_total) / run.shards_total, 4) if run.shards_total else 1
        return out | {"download_url": r.download_url(run, self.settings.presign_seconds)}

    def reconciliation_page(self, **kw) -> dict:
        page = self.reconciliations.page(**kw)
        return {"data": [self.reconciliation_view(r.run_id, r) for r in page.data], "has_more": page.has_more}

    def cancel_reconciliation(self, run_id: str) -> dict:
        """Raises NotFound, Conflict (``run_not_running``)."""
        return self.reconciliation_view(run_id, self.reconciliations.cancel(run_id))

    @cached_property
    def operations(self) -> Operations:
        """The operator's cross-merchant views, queue depths, DLQ redrive and ledger audit."""
        from payrail.operations import Operations

        s = self.settings
        return Operations(self.main, self.ledger, ddb.client("sqs"), {
            "fulfilment": s.fulfilment_queue_url, "payouts": s.payout_queue_url, "payments": s.payment_queue_url,
            "webhooks": s.webhook_queue_url}, self.holds)

    @cached_property
    def fulfilment(self) -> FulfilmentClient:
        from payrail.commerce.fulfilment import FulfilmentClient

        return FulfilmentClient(str(self.settings.fulfilment_url), self.settings.fulfilment_timeout_seconds)

    @cached_property
    def fulfilment_checks(self) -> FulfilmentChecks:
        from payrail.commerce.fulfilment import FulfilmentChecks

        s = self.settings
        return FulfilmentChecks(ddb.client("sqs"), s.fulfilment_queue_url, s.fulfilment_backoff_base_seconds)

    @cached_property
    def fulfilment_policy(self) -> FulfilmentPolicy:
        from payrail.commerce.fulfilment import FulfilmentPolicy

        return FulfilmentPolicy(self.settings.fulfilment_max_attempts, self.settings.fulfilment_give_up_seconds)

    @cached_property
    def health_clients(self) -> HealthClients:
        """DynamoDB and SQS clients for health checks only (``ddb.HEALTH_CLIENT_CONFIG``: short
        timeouts, no retries), made once per Platform."""
        import boto3

        return HealthClients(dynamodb=boto3.client("dynamodb", config=ddb.HEALTH_CLIENT_CONFIG),
                             sqs=boto3.client("sqs", config=ddb.HEALTH_CLIENT_CONFIG))

    @cached_property
    def health_route_stats(self) -> RouteStats:
        """The routing window's health records written through the health DynamoDB client (one
        attempt, short timeouts), so recording a probe never outlives the health deadline by more."""
        from payrail.payments import RouteStats

        return RouteStats(self.settings.rate_limit_table, self.settings.payment_routing_window_seconds,
                          client=self.health_clients["dynamodb"])

    def health(self, providers: bool = False, budget: float | None = None) -> HealthReport:
        """Check every dependency, all at once, under one deadline ``budget`` seconds from now
        (default ``settings.health_deadline_seconds``): ``{"ok": bool, "checks": {name: {"ok",
        "ms", "error"?}}}``; a check without an answer by the deadline has failed. Returns by the
        deadline whatever is down or hangs: each check runs on a thread of its own, with the
        health clients' short timeouts, and is not waited for past the deadline.

        With ``providers``, each mobile-money provider's health (its balance call) is checked at
        the same time and reported under ``"providers"`` (not part of ``ok``: one provider down
        only loses its traffic to the others); each is then recorded for routing in the time left
        before the deadline, and a record not written by then is left to finish on its own."""
        s = self.settings
        budget = s.health_deadline_seconds if budget is None else budget
        until = clock.monotonic() + budget
        clients = self.health_clients
        checks = {
            f"dynamodb:{t}": (lambda t=t: clients["dynamodb"].describe_table(TableName=t))
            for t in (s.ledger_table, s.main_table, s.idempotency_table, s.events_table)
        }
        for name, url in (("sqs:fulfilment", s.fulfilment_queue_url), ("sqs:payouts", s.payout_queue_url),
                          ("sqs:payments", s.payment_queue_url)):
            if url:
                checks[name] = lambda url=url: clients["sqs"].get_queue_attributes(
                    QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        names = [n for n, _ in self.payments.momo_providers()] if providers else []
        probes = {**checks, **{f"provider:{n}": (lambda n=n: self.providers.get(n).balance()) for n in names}}
        t0 = time.perf_counter()
        pool = ThreadPoolExecutor(max_workers=len(probes) + len(names), thread_name_prefix="health")
        try:
            futures = {name: pool.submit(_check, fn) for name, fn in probes.items()}
            wait(futures.values(), timeout=max(0.0, until - clock.monotonic()))
            out = {name: f.result() if f.done() else
                   {"ok": False, "error": f"no answer within {budget:.1f} s",
                    "ms": round((time.perf_counter() - t0) * 1000, 1)}
                   for name, f in futures.items()}
            recorded = [pool.submit(self._record_provider_health, n, out[f"provider:{n}"]) for n in names]
            wait(recorded, timeout=max(0.0, until - clock.monotonic()))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        body = HealthReport(ok=all(out[name]["ok"] for name in checks), checks={name: out[name] for name in checks})
        if providers:
            body["providers"] = {n: out[f"provider:{n}"] for n in names}
        return body

    def _record_provider_health(self, name: str, check: Check) -> None:
        try:
            self.health_route_stats.health(name, check["ok"], check.get("error"))
        except Exception:  # noqa: BLE001 - health never fails on its own bookkeeping
            pass


def _check(fn: Callable[[], object]) -> Check:
    """Run one health check: ``{"ok", "ms", "error"?}`` (never raises)."""
    t0 = time.perf_counter()
    try:
        fn()
        out = Check(ok=True, ms=0.0)
    except Exception as e:  # noqa: BLE001 - a health check reports any failure
        out = Check(ok=False, ms=0.0, error=f"{type(e).__name__}: {str(e)[:200]}")
    out["ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return out
