"""The scheduler, the workload, the invariants and the shrinker (``make simulate``).

One *schedule* = a seed. From it: a workload (a list of client operations), and a run in which the
scheduler repeatedly picks one ready action at random — resume a paused invocation, start a client
operation, deliver an SQS message, deliver a stream record, advance a state machine execution,
deliver a provider callback, fire a sweeper — and, when nothing is ready, advances virtual time to
the next due moment. Faults are asked for at every yield point (see ``world.Faults``). After every
step and at quiescence the invariants are checked; the first violation ends the schedule, and the
shrinker then removes operations and faults while the same invariant still fails.

Streams: the main table's stream records are synthesized from the table (a consistent scan after
every step, diffed against the previous one: INSERT / MODIFY with old and new images), then
delivered with duplicates and delays; a record whose invocation fails is delivered again.
"""
from __future__ import annotations

import base64
import importlib.util
import inspect
import itertools
import json
import os
import random
import socket
import sys
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from infra.sim.world import (EPOCH, Crash, die, Execution, Faults, FakeFulfilment, FakeMomo, FakeProvider, FakeReceiver,
                             FakeS3, FakeSQS, FakeStepFunctions, InlineExecutor, Invocation, Queue, SettlementExecution,
                             SimProviders, VirtualClock, current)

ROOT = Path(__file__).resolve().parents[2]

#: default per-run fault probabilities (each decision point asks for some of these)
DEFAULT_FAULTS = {
    # an invocation dies at a DynamoDB call: before it is sent, or after DynamoDB applied it
    "crash_before_call": 0.01, "crash_after_call": 0.01,
    # DynamoDB answers throttling / a 500 (the call had no effect)
    "ddb_throttle": 0.01, "ddb_500": 0.005,
    # around the other AWS calls of the handlers
    "crash_before_send": 0.02, "crash_before_start_execution": 0.02, "crash_before_task_success": 0.02,
    # SQS
    "sqs_duplicate": 0.1, "sqs_delay": 0.1,
    # the stream
    "stream_duplicate": 0.1, "stream_delay": 0.1,
    # the provider
    "provider_unavailable": 0.05, "provider_refuses": 0.03, "provider_fails": 0.2,
    "provider_pending_hours": 0.05, "provider_pays_late": 0.2, "provider_on_hold": 0.3,
    "provider_timeout_after_accept": 0.08, "provider_5xx_after_paying": 0.05, "provider_status_unavailable": 0.05,
    # a provider that reports FAILED and pays later (no system can undo a release then): off by default
    "provider_flips": 0.0,
    # a provider that reports SUCCESS and reverses it moments later (the money comes back; Cashfree's REVERSED)
    "provider_reverses": 0.1,
    "callback_never": 0.3, "callback_twice": 0.2, "callback_late": 0.3,
    # the merchant's webhook endpoint: unreachable, a 500, a 2xx after the attempt's timeout
    "receiver_down": 0.05, "receiver_500": 0.05, "receiver_slow": 0.03,
    # the state machine's capture / release task starts up to two minutes late (Lambda throttled it)
    "step_late": 0.1,
    # virtual time jumps past the slot lease (60 s), a dispatch timeout (300 s) or hours of backoff
    "clock_jump": 0.01,
    # the fulfilment service: the POST never arrives, the order is refused, delivered late (PROCESSING
    # meanwhile), delivered with the answer lost (a read timeout); a status lookup without an answer
    "fulfilment_unreachable": 0.1, "fulfilment_fails": 0.15, "fulfilment_late": 0.2, "fulfilment_no_answer": 0.15,
    "fulfilment_status_unavailable": 0.05,
    # a mobile-money provider refuses a payment for lack of its float (nothing sent: the next route may pay it)
    "provider_no_float": 0.05,
    # settlement: an invocation dies at an S3 call or before stopping its job's execution; Step
    # Functions runs a task twice (at-least-once: a retry after an answer it did not get)
    "crash_before_s3": 0.02, "crash_before_stop_execution": 0.05, "step_duplicate": 0.1,
}

PAYOUT_WORKLOAD = {  # operation: weight (wallets, payouts, reservations)
    "fund": 2, "wallet_credit": 2, "wallet_debit": 2, "payout": 6, "payout_retry": 1,
    "approve": 2, "reject": 1, "cancel": 2, "reinitiate": 2,
    "reserve": 3, "fulfil": 4, "release_reservation": 1,
}
#: orders against small stock, mobile-money payments
COMMERCE_WORKLOAD = {"order": 4, "payment": 4, "payment_cancel": 1, "payment_refund": 1}
#: settlement jobs of the schedule's first day, asked for (and cancelled) once it has closed
SETTLEMENT_WORKLOAD = {"settle": 1, "settle_cancel": 1}
#: every operation that moves or settles money (the seeds kept as regression tests were found with this mix)
MOVEMENT_WORKLOAD = PAYOUT_WORKLOAD | COMMERCE_WORKLOAD | SETTLEMENT_WORKLOAD
#: reconciliation runs of the schedule's first day (of one provider each, asked for while the day
#: goes on), and their cancels
RECONCILIATION_WORKLOAD = {"reconcile": 1, "reconcile_cancel": 1}
WORKLOAD = MOVEMENT_WORKLOAD | RECONCILIATION_WORKLOAD

CURRENCY = "INR"
UPI = {"type": "upi", "vpa": "success@upi", "name": "Ravi Kumar"}

#: the payout lifecycle (``payrail.payouts.service``'s module docstring): status → allowed next statuses
PAYOUT_MOVES = {
    None: {"PENDING", "IN_REVIEW"},
    "IN_REVIEW": {"PENDING", "FAILED", "CANCELLED"},
    "PENDING": {"PROCESSING", "CANCELLED"},
    "PROCESSING": {"ON_HOLD", "SUCCEEDED", "FAILED", "CANCELLED"},
    "ON_HOLD": {"PROCESSING", "SUCCEEDED", "FAILED", "CANCELLED"},
    "FAILED": {"PENDING", "IN_REVIEW"},
    "SUCCEEDED": set(), "CANCELLED": set(),
}
HELD = ("PENDING", "IN_REVIEW", "PROCESSING", "ON_HOLD")
#: the order lifecycle (``payrail.commerce.model.LIFECYCLE``); FAILED → FAILED records a late fulfilment
ORDER_MOVES = {
    None: {"PAID"}, "PAID": {"FULFILMENT_PENDING", "FULFILLED", "FAILED"},
    "FULFILMENT_PENDING": {"FULFILMENT_UNKNOWN", "FULFILLED", "FAILED"},
    "FULFILMENT_UNKNOWN": {"FULFILLED", "FAILED"}, "FULFILLED": set(), "FAILED": {"FAILED"},
}
#: the one product's price (minor units) and the customer's wallet credit before the schedule starts
PRICE, CUSTOMER_CREDIT = 700, 10_000
#: mobile-money payments: their currency, one recipient per network (MTN, Telecel, AirtelTigo prefixes)
MOMO_CURRENCY, MOMO_PHONES = "GHS", ("+233241234567", "+233201234567", "+233271234567")
#: what the admin may have funded each provider's float with (one float may be short: failover)
FLOATS = (3_000, 20_000, 60_000)
PAYMENT_HELD, PAYMENT_ENDS = ("PENDING", "PROCESSING"), ("CONFIRMED", "FAILED", "EXPIRED", "REFUNDED", "CANCELLED")
#: the reservation lifecycle (``payrail.payouts.reservations``'s module docstring)
RESERVATION_MOVES = {
    None: {"RESERVED"}, "RESERVED": {"FULFILLING", "RELEASED", "EXPIRED"}, "FULFILLING": {"FULFILLED", "RESERVED"},
    "FULFILLED": set(), "RELEASED": set(), "EXPIRED": set(),
}
#: the DynamoDB operations that may change a table (the scheduler re-reads the tables after a step with one)
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})
#: the chance that a merchant reinitiates a payout as soon as it fails (its webhook handler does)
REINITIATE_ON_FAILURE = 0.5
#: how many times an operator redrives the dead-letter queues in one schedule
REDRIVES = 3
#: the sweepers' EventBridge schedules (reservation expiry, payment expiry, settlement sweep: every minute)
SWEEP_SECONDS = 60
#: the settlement job's final statuses (``payrail.settlement.model.LIFECYCLE``)
SETTLEMENT_ENDS = ("COMPLETED", "CANCELLED", "FAILED")
#: a reconciliation's sources (``payrail.providers.statements``): the books' check at quiescence
#: reads each provider from one of them, chosen by the seed
RECONCILIATION_SOURCES = ("list_api", "status_lookup", "settlement_file")


class Unavailable(Exception):
    """A 503 or an in-progress 409 from the API: the client retries with the same key."""


class Violation(Exception):
    def __init__(self, invariant: str, detail: str):
        super().__init__(f"{invariant}: {detail}")
        self.invariant, self.detail = invariant, detail


# ---- the engine (once per process) ------------------------------------------------------------------
class Engine:
    """DynamoDB Local (started with ``infra.local.engines``), the domain wired to it, the handler
    modules loaded with the simulated clients. One per process; :meth:`reset` empties the tables."""

    def __init__(self, port: int | None = None):
        from infra.local import engines

        self.tmp = Path(tempfile.mkdtemp(prefix="payrail-sim-"))
        if port is None:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.close()
        self.proc = engines.start_dynamodb_local("127.0.0.1", port, None, self.tmp / "dynamodb.log")
        self.port = port
        self._http = None
        self._saved_env = dict(os.environ)  # restored by close(): the process may go on with other work
        os.environ.update({
            "AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "sim",
            "AWS_SECRET_ACCESS_KEY": "sim", "AWS_DEFAULT_REGION": "us-east-1",
            "POWERTOOLS_METRICS_NAMESPACE": "payrail", "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "CRITICAL",
            "PAYOUT_QUEUE_URL": "sim://queue/payouts", "PAYMENT_QUEUE_URL": "sim://queue/payments",
            "FULFILMENT_QUEUE_URL": "sim://queue/fulfilment", "PAYOUT_STATE_MACHINE_ARN": "sim:payout",
            "PAYOUT_BACKOFF_BASE_SECONDS": "2", "PAYOUT_BACKOFF_MAX_SECONDS": "900",
            "PAYOUT_REVIEW_THRESHOLD": "40", "RESERVATION_FULFIL_WAIT_SECONDS": "0",
            "PROVIDER_SLOT_WAIT_SECONDS": "0", "WEBHOOK_QUEUE_URL": "sim://queue/webhooks",
            "WEBHOOK_LOCAL_MODE": "true", "SETTLEMENT_STATE_MACHINE_ARN": "sim:settlement",
            "RECONCILIATION_QUEUE_URL": "sim://queue/reconciliation",
        })
        import boto3

        from infra import catalog
        from infra.local.provision import create_table
        from payrail.core import clock, ddb

        self.world: World | None = None
        self.writes = 0  # DynamoDB write calls answered (or applied) so far
        self.written: set[str] = set()  # tables written since the checks last read them
        self.clock = VirtualClock()
        clock.set_source(self.clock)
        self.admin = boto3.client("dynamodb")
        self.tables = list(catalog.TABLES.values())
        for t in self.tables:
            create_table(self.admin, t)
        # every DynamoDB client the domain makes from now on carries the fault hooks
        session = boto3._get_default_session()._session
        session.register("before-parameter-build.dynamodb", self._parameters)
        session.register("before-call.dynamodb", self._before_call)
        session.register("after-call.dynamodb", self._after_call)
        real_client = self._real_client = ddb.client
        real_client.cache_clear()  # a client made before would point at another endpoint

        def client(service: str = "dynamodb", read_job: bool = False, plain_queries: bool = False):
            if service == "sqs":
                return self.world.sqs
            if service == "stepfunctions":
                return self.world.sfn
            if service == "s3":
                return self.world.s3
            return real_client(service, read_job, plain_queries)
        ddb.client = client
        self.dispatcher = _load("dispatcher")
        self.worker = _load("payout_worker")
        self.steps = _load("payout_steps")
        self.fulfilment = _load("fulfilment")
        self.payment_worker = _load("payment_worker")
        self.settlement = _load("settlement")
        self.reconciliation = _load("reconciliation")
        self.reconciliation._metrics = lambda run: None  # no metrics flushes to stdout
        from payrail.reconciliation import service as reconciliation

        reconciliation.ThreadPoolExecutor = InlineExecutor  # its parallel reads: the invocation's own calls
        self.steps_body = inspect.unwrap(self.steps.lambda_handler)
        self.settlement_body = inspect.unwrap(self.settlement.lambda_handler)
        from infra.local.runtime import isolate_powertools_router_state

        isolate_powertools_router_state()
        # the HTTP API: one resolver per concurrent request (a resolver keeps its request's state)
        self.apis = [_load("api", f"sim_fn_api_{i}").app for i in range(World.max_running)]
        for mod in (self.dispatcher, self.worker, self.steps, self.fulfilment, self.payment_worker,
                    self.settlement):  # no metrics flushes to stdout
            if hasattr(mod, "metrics"):
                mod.metrics = SimpleNamespace(add_metric=lambda **_: None)

    # botocore hooks (run in the calling thread; only invocations get faults)
    def _parameters(self, model=None, params=None, context=None, **_):
        if model.name in WRITES and context is not None:  # the tables the write may change, once it is applied
            context["sim_tables"] = _tables(model.name, params or {})

    def _before_call(self, model=None, **_):
        inv = current()
        if inv is None or self.world is None:
            return None
        inv.pause()
        w = self.world
        fault = w.faults.ask("crash_before_call", "ddb_throttle", "ddb_500")
        if fault == "crash_before_call":
            raise die(f"before {model.name}")
        if fault:
            from botocore.exceptions import ClientError

            code = "ProvisionedThroughputExceededException" if fault == "ddb_throttle" else "InternalServerError"
            raise ClientError({"Error": {"Code": code, "Message": "simulated"},
                               "ResponseMetadata": {"HTTPStatusCode": 400 if fault == "ddb_throttle" else 500}},
                              model.name)
        return None

    def _after_call(self, model=None, http_response=None, context=None, **_):
        if model.name in WRITES:
            self.writes += 1  # something may have changed: the scheduler looks again after this step
            self.written |= (context or {}).get("sim_tables", {"*"})  # their items are read again ("*": any)
        inv = current()
        if inv is None or self.world is None:
            return
        if self.world.faults.ask("crash_after_call"):
            raise die(f"after {model.name} was applied, before its answer arrived")

    def raw(self, operation: str, body: dict) -> dict:
        """One DynamoDB call straight over HTTP, its JSON answer as sent (items in DynamoDB JSON):
        the invariant checks' scans, for which botocore's response parser costs more than the call.
        DynamoDB Local checks that a request is signed, not its signature."""
        import http.client

        for attempt in (1, 2):
            if self._http is None:
                self._http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self._http.request("POST", "/", body=json.dumps(body), headers={
                    "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"DynamoDB_20120810.{operation}",
                    "X-Amz-Date": "20270115T080000Z",
                    "Authorization": "AWS4-HMAC-SHA256 Credential=sim/20270115/us-east-1/dynamodb/aws4_request, "
                                     "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64})
                r = self._http.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException):
                self._http.close()
                self._http = None
                if attempt == 2:
                    raise
                continue
            if r.status != 200:
                raise RuntimeError(f"DynamoDB Local answered {r.status} to {operation}: {data[:300]!r}")
            return json.loads(data)
        raise AssertionError("unreachable")

    def items(self, operation: str, **body) -> list[dict]:
        """Every item a ``Scan`` or ``Query`` returns, page after page (DynamoDB JSON, as sent)."""
        out = []
        while True:
            r = self.raw(operation, body)
            out += r["Items"]
            if "LastEvaluatedKey" not in r:
                return out
            body["ExclusiveStartKey"] = r["LastEvaluatedKey"]

    def reset(self) -> None:
        """Empty every table (scan + batch delete; DynamoDB Local keeps the tables)."""
        for t in self.tables:
            keys = [t.pk] + ([t.sk] if t.sk else [])
            items = self.items("Scan", TableName=t.name, ProjectionExpression=", ".join(f"#{i}" for i in range(len(keys))),
                               ExpressionAttributeNames={f"#{i}": k for i, k in enumerate(keys)})
            for i in range(0, len(items), 25):
                left = {t.name: [{"DeleteRequest": {"Key": it}} for it in items[i:i + 25]]}
                while left:  # DynamoDB Local processes a batch whole; a real table may hand some back
                    left = self.raw("BatchWriteItem", {"RequestItems": left}).get("UnprocessedItems") or None

    def close(self) -> None:
        """Stop DynamoDB Local and give the process back as it was: the environment, the domain's
        client factory (its cached clients dropped), the default session's hooks, the real clock."""
        import boto3

        from infra.local import engines
        from payrail.core import clock, ddb

        if self._http is not None:
            self._http.close()
        engines.stop_process(self.proc)
        session = boto3._get_default_session()._session
        session.unregister("before-parameter-build.dynamodb", self._parameters)
        session.unregister("before-call.dynamodb", self._before_call)
        session.unregister("after-call.dynamodb", self._after_call)
        ddb.client = self._real_client
        ddb.client.cache_clear()
        os.environ.clear()
        os.environ.update(self._saved_env)
        clock.reset()


def _load(fn: str, name: str | None = None):
    spec = importlib.util.spec_from_file_location(name or f"sim_fn_{fn}", ROOT / "functions" / fn / "handler.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # as Lambda's import does: pydantic resolves models by module
    spec.loader.exec_module(mod)
    return mod


# ---- one schedule ------------------------------------------------------------------------------------
@dataclass
class Result:
    seed: int
    steps: int = 0
    faults: list = field(default_factory=list)
    ops: list = field(default_factory=list)
    violation: Violation | None = None
    quiescent: bool = False


def workload(seed: int, n_ops: int, mix: dict[str, int] | None = None) -> list[tuple]:
    """The schedule's client operations: ``(n, op, arg)`` with ``arg`` an amount, a quantity or an
    index (``n`` names the operation's idempotency key, so a shrunk workload keeps its keys);
    ``mix`` the weights (default :data:`WORKLOAD`)."""
    rng = random.Random(f"ops-{seed}")
    kinds, weights = zip(*(mix or WORKLOAD).items())
    ops = [(0, "fund", 20_000)]
    for i in range(1, n_ops):
        k = rng.choices(kinds, weights)[0]
        arg = {"fund": lambda: rng.randint(1, 10) * 1000, "payout": lambda: rng.randint(1, 60) * 100,
               "wallet_credit": lambda: rng.randint(1, 50) * 100,
               "wallet_debit": lambda: rng.randint(1, 50) * 100,
               "reserve": lambda: rng.randint(1, 39) * 100, "order": lambda: rng.randint(1, 3),
               "payment": lambda: rng.randint(1, 50) * 100}.get(k, lambda: rng.randint(0, 1000))()
        ops.append((i, k, arg))
    return ops


class World:
    """One schedule's simulated world (see the module docstring)."""

    lambda_timeout = 30.0
    max_running = 3

    def __init__(self, engine: Engine, seed: int, ops: list[tuple], probabilities: dict[str, float],
                 plan: dict[int, str] | None = None, max_steps: int = 4000):
        from payrail.core.settings import Settings
        from payrail.platform import Platform
        from payrail.providers.slots import ProviderSlots

        self.engine, self.seed, self.ops = engine, seed, list(ops)
        Invocation.ids = itertools.count(1)  # request ids as in any other process: the schedule is its seed's alone
        self.rng = random.Random(f"sched-{seed}")
        self.faults = Faults(random.Random(f"faults-{seed}"), probabilities, plan)
        random.seed(seed)  # the domain's own jitter (slot order, busy retries)
        self.clock = engine.clock
        self.clock.t, self.clock.m = 1_800_000_000.0, 1_000.0
        self.back = threading.Semaphore(0)
        self.stopping = False
        self.max_steps = max_steps
        self.sqs, self.sfn, self.s3 = FakeSQS(self), FakeStepFunctions(self), FakeS3(self)
        from infra import catalog

        recon = catalog.QUEUES["reconciliation"]
        #: invocation kind -> its function's timeout (seconds), where it is not ``lambda_timeout``
        self.timeouts = {"reconciliation": float(catalog.FUNCTIONS["reconciliation"].timeout)}
        self.queues = {"payouts": Queue("payouts", 60, 5), "payments": Queue("payments", 60, 5),
                       "fulfilment": Queue("fulfilment", 120, 5), "webhooks": Queue("webhooks", 180, 5),
                       "reconciliation": Queue("reconciliation", recon.visibility_timeout, recon.max_receive_count)}
        self.receiver = FakeReceiver(self)
        self.event_stream: list[dict] = []  # pending records of the events table's stream {due, item}
        self.events_seen: set[str] = set()
        self.executions: dict[str, Execution] = {}
        self.tokens: dict[str, Execution] = {}
        self.provider = FakeProvider(self)
        self.settings = Settings.from_env(os.environ)
        self.platform = Platform(self.settings)
        self.platform.__dict__["providers"] = SimProviders(self.provider, ProviderSlots(self.settings.rate_limit_table),
                                                          world=self)
        self.shipper = FakeFulfilment(self)
        self.platform.__dict__["fulfilment"] = self.shipper
        self.momo = {n: FakeMomo(self, n, net) for n, net in self.platform.payments.momo_providers()}
        self.platform.providers.named.update(self.momo)
        for mod in (engine.worker, engine.steps, engine.fulfilment, engine.payment_worker, engine.settlement,
                    engine.reconciliation):
            mod.platform = self.platform
        self.running: list[Invocation] = []
        self.stream: list[dict] = []      # pending stream records {due, record}
        self.images: dict[str, dict] = {}  # pk -> last image seen (raw DynamoDB JSON)
        self.callbacks: list[dict] = []    # pending provider callbacks {due, transfer_id}
        self.payouts: list[str] = []       # payout ids created (in order)
        self.retry_ops: list[tuple] = []   # client retries after a failed request
        self.histories: dict[str, dict] = {}
        self.reservations: dict[str, dict] = {}
        self.reservation_ids: list[str] = []
        self.orders: dict[str, dict] = {}
        self.product_id: str | None = None
        self.initial_stock = 0
        self.payments: dict[str, dict] = {}
        self.payment_ids: list[str] = []
        self.floats_funded = 0
        #: when each sweeper (an ``_do_<name>`` step) last fired
        self.last_sweeps = {"sweep": EPOCH, "payment_sweep": EPOCH, "settlement_sweep": EPOCH,
                            "reconciliation_sweep": EPOCH}
        self.redrives = 0
        self.seen_writes = -1
        self.ledger_items: list[dict] | None = None  # the ledger as the checks last read it
        self.first_answers: dict[str, tuple] = {}  # request with its key -> (when, status, body) first answered
        self.idempotency_broken: str | None = None
        self.funded_keys: dict[str, int] = {}
        self.ops_started: list[tuple] = []
        self.images_version = 0
        self.checked = None
        self.steps = 0
        self.tokens_n = 0
        self.merchant = None
        self.settlement_runs: dict[str, SettlementExecution] = {}
        self.settlements: dict[str, dict] = {}   # job id -> its item as last seen
        self.settlement_ids: list[str] = []
        self.cancelled_jobs: set[str] = set()     # jobs whose cancel answered (they must end CANCELLED)
        self.deferred: list[dict] = []            # client operations waiting for their moment {due, op, attempt}
        self.recon_runs: dict[str, dict] = {}     # run id -> its item as last seen
        self.recon_ids: list[str] = []            # runs the workload asked for
        self.cancelled_runs: set[str] = set()     # runs whose cancel answered (they must end CANCELLED)

    # -- wiring used by the fakes
    def provider_changed(self, t) -> None:
        if self.faults.ask("callback_never"):
            return
        for _ in range(2 if self.faults.ask("callback_twice") else 1):
            late = self.rng.uniform(1, 1800) if self.faults.ask("callback_late") else self.rng.uniform(0, 5)
            self.callbacks.append({"due": t.final_at + late, "transfer_id": t.transfer_id})
        if t.reversed_at is not None:  # the provider tells of the reversal too
            self.callbacks.append({"due": t.reversed_at + self.rng.uniform(0, 5), "transfer_id": t.transfer_id})

    def payment_provider_changed(self, provider: str, t) -> None:
        """A mobile-money provider's callbacks for a new transfer (as :meth:`provider_changed`)."""
        if self.faults.ask("callback_never"):
            return
        for _ in range(2 if self.faults.ask("callback_twice") else 1):
            late = self.rng.uniform(1, 1800) if self.faults.ask("callback_late") else self.rng.uniform(0, 5)
            self.callbacks.append({"due": t.final_at + late, "transfer_id": t.transfer_id, "provider": provider})
        if t.reversed_at is not None:
            self.callbacks.append({"due": t.reversed_at + self.rng.uniform(0, 5), "transfer_id": t.transfer_id,
                                   "provider": provider})

    def start_settlement(self, name: str, inp: dict) -> None:
        self.settlement_runs[name] = SettlementExecution(name, inp["scope"], inp["job_id"], due=self.clock.now())

    def start_execution(self, name: str, inp: dict) -> None:
        ex = Execution(name, inp, state="wait", due=self.clock.now() + int(inp.get("first_check_seconds") or 0),
                       world=self)
        self.executions[name] = ex

    # -- the run
    def run(self) -> Result:
        res = Result(self.seed, ops=list(self.ops))
        try:
            self._setup()
            self._loop()
            self.check(final=True)
            self.check_books()
            res.quiescent = True
        except Violation as v:
            res.violation = v
        finally:
            self._stop()
        res.steps, res.faults = self.steps, self.faults.injected
        return res

    def _setup(self) -> None:
        m, self.api_key = self.platform.merchants.create("sim merchant", 100, payout_currencies=[CURRENCY],
                                                         payout_review_threshold=40)
        self.receiver.secret = self.platform.webhook_endpoints.create(self.mid_of(m), "http://127.0.0.1/hook",
                                                                      ["*"])["secret"]
        self.platform.deliveries.sender = self.receiver
        for app in self.engine.apis:
            app.edge.platform = self.platform
        self.free_apis = list(self.engine.apis)
        self.merchant = m
        self.mid = m["merchant_id"]
        self.snapshot()  # the merchant's own records are not part of the stream this simulates
        self.stream.clear()

    def set_up_shop(self) -> None:
        """Before the schedule's first order: the product (small stock: orders compete for the last
        units) and the customer's wallet credit. Drawn from its own stream, so a schedule without
        orders runs as it would without this workload."""
        if self.product_id is None:
            self.initial_stock = random.Random(f"shop-{self.seed}").randint(3, 8)
            self.product_id = self.platform.orders.create_product(self.mid, "flash sale", PRICE, CURRENCY,
                                                                  self.initial_stock).product_id
            self.platform.wallets.move(self.mid, "cust_1", CURRENCY, CUSTOMER_CREDIT, "credit", "shop-credit")
            self.funded_keys["shop-credit"] = CUSTOMER_CREDIT

    def fund_floats(self) -> None:
        """Before the schedule's first payment: the admin funds each provider's float (one may be short)."""
        if not self.floats_funded:
            rng = random.Random(f"floats-{self.seed}")
            for name in self.momo:
                amount = rng.choice(FLOATS)
                self.platform.payments.fund_float(self.mid, name, amount, f"float-{name}")
                self.floats_funded += amount
                self.momo[name].funded += amount

    @staticmethod
    def mid_of(m) -> str:
        return m["merchant_id"]

    def _stop(self) -> None:
        self.stopping = True
        for inv in self.running:
            inv.go.release()
            inv.thread.join(5)
        self.running.clear()
        self.stopping = False

    def ready(self) -> list[tuple]:
        now = self.clock.now()
        acts = [("resume", inv) for inv in self.running]
        if len(self.running) < self.max_running:
            if self.ops:
                acts.append(("op", None))
            if self.retry_ops:
                acts.append(("retry", None))
            acts += [("sqs", m) for m in self.queues["payouts"].visible(now)]
            acts += [("webhook", m) for m in self.queues["webhooks"].visible(now)]
            acts += [("fulfilment", m) for m in self.queues["fulfilment"].visible(now)]
            acts += [("payment", m) for m in self.queues["payments"].visible(now)]
            acts += [("reconciliation", m) for m in self.queues["reconciliation"].visible(now)]
            acts += [("events", r) for r in self.event_stream if r["due"] <= now]
            acts += [("stream", r) for r in self.stream if r["due"] <= now]
            acts += [("callback", c) for c in self.callbacks if c["due"] <= now]
            acts += [("sfn", ex) for ex in self.executions.values() if ex.state in ("wait", "step") and ex.due <= now]
            acts += [(name, None) for name, due in self.sweeps_due().items() if due <= now]
            acts += [("deferred", d) for d in self.deferred if d["due"] <= now]
            acts += [("settle", (ex, task, piece)) for ex in self.settlement_runs.values()
                     for task, piece in ex.ready(now)]
        return acts

    def sweeps_due(self) -> dict[str, float]:
        """Each sweeper's next firing while it has something to sweep (schedules fire every minute
        regardless; only firings with work are simulated): ``sweep`` while a reservation is
        RESERVED, ``payment_sweep`` while a payment's expiry timer is armed (a held payment, or a
        creation not yet complete: its first write arms it), ``settlement_sweep`` while a settlement
        job's start deadline is armed, ``reconciliation_sweep`` while a reconciliation run's is."""
        armed = {"sweep": any(r["status"] == "RESERVED" for r in self.reservations.values()),
                 "payment_sweep": any(p["status"] in PAYMENT_HELD or p.get("due_sk") for p in self.payments.values()),
                 "settlement_sweep": any(j.get("due_sk") for j in self.settlements.values()),
                 "reconciliation_sweep": any(r.get("due_sk") for r in self.recon_runs.values())}
        return {name: self.last_sweeps[name] + SWEEP_SECONDS for name, on in armed.items() if on}

    def next_due(self) -> float | None:
        dues = [q.next_due() for q in self.queues.values()]
        dues += [r["due"] for r in self.event_stream]
        dues += [r["due"] for r in self.stream] + [c["due"] for c in self.callbacks]
        dues += list(self.sweeps_due().values())
        dues += [d["due"] for d in self.deferred] + [ex.next_due() for ex in self.settlement_runs.values()]
        for ex in self.executions.values():
            if ex.state in ("wait", "step", "waiting"):
                dues.append(ex.due)
        dues = [d for d in dues if d is not None]
        return min(dues) if dues else None

    def _loop(self) -> None:
        while True:
            self.expire_tokens()
            acts = self.ready()
            if not acts:
                if self.running:
                    acts = [("resume", inv) for inv in self.running]
                else:
                    due = self.next_due()
                    if due is None and self.redrive():
                        continue
                    if due is None:
                        return  # quiescent
                    self.clock.advance(max(0.0, due - self.clock.now()) + 0.001)
                    continue
            self.steps += 1
            if self.steps > self.max_steps:
                raise Violation("liveness", f"no quiescence within {self.max_steps} steps")
            kind, what = self.rng.choice(acts)
            self.clock.advance(self.rng.uniform(0, 0.5))
            if self.faults.ask("clock_jump"):
                self.clock.advance(self.rng.choice((61, 301, 3600, 6 * 3600)))
            getattr(self, f"_do_{kind}")(what)
            if self.engine.writes != self.seen_writes:  # nothing written: nothing to stream or check again
                self.seen_writes = self.engine.writes
                self.snapshot()
                self.check()
            else:
                self.check_flags()

    def redrive(self) -> bool:
        """The operator's answer to a DLQ alarm once all else is quiet (``payrail dlq redrive``): the
        dead letters back to their queue, at most :data:`REDRIVES` times a schedule."""
        dead = [q for q in self.queues.values() if q.dlq]
        if not dead or self.redrives >= REDRIVES:
            return False
        self.redrives += 1
        for q in dead:
            for m in q.dlq:  # a moved message keeps its id (a first look's claim names it)
                q.messages[m["id"]] = {**m, "receives": 0, "visible_at": self.clock.now() + 300}
            q.dlq.clear()
        return True

    def expire_tokens(self) -> None:
        now = self.clock.now()
        for ex in self.executions.values():
            if ex.state == "waiting" and ex.due <= now:  # Dispatch TimeoutSeconds → CountLost
                ex.input["dispatches_lost"] = ex.input.get("dispatches_lost", 0) + 1
                ex.token = None
                if ex.input["dispatches_lost"] >= Execution.MAX_LOST:
                    ex.state = "failed"
                else:
                    ex.state, ex.due = "wait", now + Execution.PAUSE_AFTER_LOSS

    # -- actions
    def spawn(self, kind: str, label: str, fn, on_done=None) -> None:
        inv = Invocation(self, kind, label, fn, on_done)
        inv.thread.start()
        self.running.append(inv)
        self._do_resume(inv)

    def _do_resume(self, inv: Invocation) -> None:
        inv.go.release()
        self.back.acquire()
        if inv.finished:
            self.running.remove(inv)
            inv.thread.join()
            if inv.on_done:
                inv.on_done(inv)

    def _do_op(self, _) -> None:
        op = self.ops.pop(0)
        self.ops_started.append(op)
        self.start_op(op, attempt=1)

    def _do_deferred(self, d: dict) -> None:
        self.deferred.remove(d)
        self.start_op(d["op"], d["attempt"])

    def _do_retry(self, _) -> None:
        op, attempt = self.retry_ops.pop(self.rng.randrange(len(self.retry_ops)))
        self.start_op(op, attempt)

    def start_op(self, op: tuple, attempt: int) -> None:
        n, kind, arg = op
        fn = getattr(self, f"op_{kind}")(arg, f"{kind}-{n}")
        if fn is None:
            return
        if isinstance(fn, float):  # not yet: the operation waits for its moment
            self.deferred.append({"due": fn, "op": op, "attempt": attempt})
            return

        def done(inv):
            if isinstance(inv.error, Violation):
                raise inv.error
            if isinstance(inv.error, (Crash, Unavailable)) or _retryable(inv.error):
                if attempt < 4 and self.rng.random() < 0.8:  # the client retries with the same key
                    self.retry_ops.append((op, attempt + 1))
            elif inv.error is not None and not _client_error(inv.error):
                raise Violation("no_500", f"{kind} raised {type(inv.error).__name__}: {inv.error}")
        self.spawn("op", f"{kind}({arg})", fn, done)

    def _consume(self, queue: str, m: dict, kind: str, name: str, label: str, handle,
                 refusals_retry: bool = True, outages: tuple[type, ...] = ()) -> None:
        """One receive of ``m`` from ``queue`` by its function (``handle(record)``, the SQS record
        Lambda would pass; an invocation of ``kind`` named ``label``): past the queue's max receives
        the message moves to its DLQ instead; it is invisible for the visibility timeout, deleted
        once handled; a crash, a throttle or (``refusals_retry``: the function fails a record it
        refuses, and SQS redelivers it) a client error, or an error of ``outages`` (the function
        fails the record for an outage it met) leaves it to come again; anything else is a
        ``no_500`` violation of the function called ``name``."""
        q = self.queues[queue]
        m["receives"] += 1
        if m["receives"] > q.max_receives:
            q.dlq.append(q.messages.pop(m["id"]))
            return
        m["visible_at"] = self.clock.now() + q.visibility
        from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

        record = SQSRecord({"messageId": m["id"], "body": m["body"], "attributes": {
            "ApproximateReceiveCount": str(m["receives"])}, "messageAttributes": {}})

        def done(inv):
            if inv.error is None:
                q.messages.pop(m["id"], None)
            elif not isinstance(inv.error, (Crash, *outages)) and not _retryable(inv.error) and not (
                    refusals_retry and _client_error(inv.error)):
                raise Violation("no_500", f"{name} raised {type(inv.error).__name__}: {inv.error}")
        self.spawn(kind, label, lambda: handle(record), done)

    def _do_sqs(self, m: dict) -> None:
        """The ``payouts`` queue → ``functions/payout_worker``: one look at the payout's provider."""
        self._consume("payouts", m, "sqs", "payout worker", f"look {m['body'][:60]}", self.engine.worker.record_handler)

    def _do_events(self, r: dict) -> None:
        """The events table's stream → ``functions/events``: one delivery per subscribed endpoint."""
        self.event_stream.remove(r)

        def done(inv):
            if inv.error is not None:  # the stream hands the record over again
                if not isinstance(inv.error, Crash) and not _retryable(inv.error):
                    raise Violation("no_500", f"events consumer raised {type(inv.error).__name__}: {inv.error}")
                self.event_stream.append({**r, "due": self.clock.now() + 1})
        self.spawn("events", "fan out", lambda: self.platform.deliveries.fan_out([r["item"]]), done)

    def _do_webhook(self, m: dict) -> None:
        """The ``webhooks`` queue → one delivery attempt (``functions/webhooks``)."""
        self._consume("webhooks", m, "webhook", "webhook attempt", "deliver",
                      lambda record: self.platform.deliveries.handle(json.loads(record.body)), refusals_retry=False)

    def _do_fulfilment(self, m: dict) -> None:
        """The ``fulfilment`` queue → ``functions/fulfilment``: the order's next fulfilment step."""
        self._consume("fulfilment", m, "fulfilment", "fulfilment worker", f"fulfil {m['body'][:60]}",
                      self.engine.fulfilment.record_handler)

    def _do_payment(self, m: dict) -> None:
        """The ``payments`` queue → ``functions/payment_worker``: one look at the payment's provider."""
        self._consume("payments", m, "payment", "payment worker", f"look {m['body'][:60]}",
                      self.engine.payment_worker.record_handler)

    def _do_reconciliation(self, m: dict) -> None:
        """The ``reconciliation`` queue → ``functions/reconciliation``: execute the run it names."""
        from payrail.providers.connectors.base import ConnectorUnavailable

        self._consume("reconciliation", m, "reconciliation", "reconciliation", f"reconcile {m['body'][:60]}",
                      self.engine.reconciliation.record_handler, outages=(ConnectorUnavailable,))

    def _fire_sweep(self, name: str, what: str, call: Callable[[], object]) -> None:
        """One firing of the sweeper ``name`` (its schedule's Lambda invocation); a crash or a
        retryable error waits for the next firing, any other error is a 500."""
        self.last_sweeps[name] = self.clock.now()

        def done(inv):
            if inv.error is not None and not isinstance(inv.error, Crash) and not _retryable(inv.error):
                raise Violation("no_500", f"{what} raised {type(inv.error).__name__}: {inv.error}")
        self.spawn("sweep", what, call, done)

    def _do_payment_sweep(self, _) -> None:
        """``functions/payment_expiry``."""
        self._fire_sweep("payment_sweep", "expire payments", lambda: self.platform.payments.expire_due())

    def _do_settlement_sweep(self, _) -> None:
        """``functions/settlement_sweep``: start the jobs whose execution never started."""
        self._fire_sweep("settlement_sweep", "start unstarted settlements",
                         lambda: self.platform.start_unstarted_settlements())

    def _do_reconciliation_sweep(self, _) -> None:
        """``functions/reconciliation``'s sweep: queue again the runs left QUEUED or CANCELLING."""
        self._fire_sweep("reconciliation_sweep", "requeue stalled reconciliations",
                         lambda: self.platform.requeue_stalled_reconciliations())

    def _do_stream(self, r: dict) -> None:
        self.stream.remove(r)
        from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

        record = DynamoDBRecord(r["record"])

        def done(inv):
            if inv.error is not None:  # the stream retries the record
                if not isinstance(inv.error, Crash) and not _retryable(inv.error):
                    raise Violation("no_500", f"dispatcher raised {type(inv.error).__name__}: {inv.error}")
                self.stream.append({**r, "due": self.clock.now() + 1})
        self.spawn("stream", "dispatch", lambda: self.engine.dispatcher.record_handler(record), done)

    def _do_sweep(self, _) -> None:
        """``functions/reservations``: expire the reservations past their time."""
        self._fire_sweep("sweep", "expire reservations", lambda: self.platform.reservations.expire_due())

    def _do_callback(self, c: dict) -> None:
        self.callbacks.remove(c)
        tid = c["transfer_id"]
        pid = tid.split("_r")[0]

        def done(inv):
            if inv.error is not None and not isinstance(inv.error, Crash) and not _retryable(inv.error):
                raise Violation("no_500", f"callback raised {type(inv.error).__name__}: {inv.error}")
        if c.get("provider"):  # a mobile-money callback: the payment its transfer key names (the index's lookup)
            from payrail.payments.records import load

            p = next((p for p in self.payments.values() if p.get("provider_key") == tid), None)
            if p is not None:
                self.spawn("callback", f"callback {tid}", lambda: self.platform.payments.confirm(load(p), tid), done)
            return
        self.spawn("callback", f"callback {tid}", lambda: self.platform.payouts.confirm(self.mid, pid, tid), done)

    def _do_sfn(self, ex: Execution) -> None:
        from payrail.payouts.workflow import Dispatch

        if ex.state == "wait":  # Dispatch: sqs:sendMessage.waitForTaskToken
            self.tokens_n += 1
            ex.token = f"tok-{ex.name}-{self.tokens_n}"
            self.tokens[ex.token] = ex
            i = ex.input
            msg = Dispatch(payout_id=i["payout_id"], merchant_id=i["merchant_id"], run=i["run"],
                           dispatches_lost=i.get("dispatches_lost", 0), task_token=ex.token)
            self.queues["payouts"].send(msg.model_dump_json(), self.clock.now())
            ex.state, ex.due = "waiting", self.clock.now() + Execution.DISPATCH_TIMEOUT
            return
        # step: the capture / release lambda task
        ex.state = "running"
        i = ex.input
        event = {"action": ex.outcome["next"].lower(), "payout_id": i["payout_id"], "merchant_id": i["merchant_id"],
                 "run": i["run"], "dispatches_lost": i.get("dispatches_lost", 0), "outcome": ex.outcome}

        def done(inv):
            if inv.error is None:
                ex.state = "done"
            elif not isinstance(inv.error, Crash) and not _retryable(inv.error):
                # the ASL retries every error, but one that is not an outage is a bug (an execution that fails)
                raise Violation("no_500", f"{event['action']} task raised {type(inv.error).__name__}: {inv.error}")
            elif ex.step_attempts < len(Execution.STEP_RETRY):
                ex.state, ex.due = "step", self.clock.now() + Execution.STEP_RETRY[ex.step_attempts]
                ex.step_attempts += 1
            else:
                ex.state = "failed"
        self.spawn("step", f"{event['action']} {i['payout_id']}", lambda: self.engine.steps_body(event, None), done)

    def _do_settle(self, what: tuple) -> None:
        """One task of a settlement execution (``functions/settlement``), as its ASL runs it."""
        from payrail.settlement.service import IncompleteSlices

        ex, task, piece = what
        event = {"step": task, "scope": ex.scope, "job_id": ex.job_id}
        if task == "plan":
            event = {"step": "plan", "execution": ex.name, "input": {"scope": ex.scope, "job_id": ex.job_id}}
        elif task == "aggregate":
            event["slice"] = {k: piece[k] for k in ("slice", "date", "shard", "part", "parts")}
            piece["running"] = True
        elif task == "fail":
            event["error"] = {"Error": "States.TaskFailed", "Cause": ex.error or "a task failed"}
        if task != "aggregate":
            ex.state = "running"
        attempt_key = f"{task}:{piece['slice']}" if piece else task

        def outage(e) -> bool:
            if e is None or isinstance(e, Crash) or _retryable(e):
                return e is not None
            if task == "finalize" and isinstance(e, IncompleteSlices):
                return True  # the workflow's Catch marks the job FAILED
            raise Violation("no_500", f"settlement {task} raised {type(e).__name__}: {e}")

        def twin_done(inv):
            outage(inv.error)

        def done(inv):
            now = self.clock.now()
            if piece:
                piece["running"] = False
            if outage(inv.error):
                n = ex.attempts[attempt_key] = ex.attempts.get(attempt_key, 0) + 1
                retry = not isinstance(inv.error, IncompleteSlices) and n <= len(ex.RETRY)
                if retry:
                    wait = now + ex.RETRY[n - 1]
                    if piece:
                        piece["due"] = wait
                    else:
                        ex.state, ex.due = task, wait
                elif task == "fail":
                    ex.state = "done"  # MarkFailed's retries are spent: the execution fails
                else:
                    ex.state, ex.due, ex.error = "fail", now, f"{type(inv.error).__name__}: {inv.error}"[:300]
                return
            if task == "plan":
                out = inv.result
                if out.get("cancelled"):
                    ex.state = "done"
                    return
                ex.slices = [dict(x) for x in out.get("slices") or json.loads(
                    self.s3.objects[out["manifest_key"]])]
                ex.state, ex.due = "map", now
            elif task == "aggregate":
                if piece in ex.slices:
                    ex.slices.remove(piece)
            else:
                ex.state = "done"
            if ex.state == "map" and not ex.slices:
                ex.state, ex.due = "finalize", now
            if ex.stopped and ex.state != "done":
                ex.state = "done"
        run = lambda: self.engine.settlement_body(event, None)  # noqa: E731
        self.spawn("settle", f"settlement {task} {ex.job_id}", run, done)
        if self.faults.ask("step_duplicate") and len(self.running) < self.max_running:
            self.spawn("settle", f"settlement {task} {ex.job_id} (again)", run, twin_done)

    # -- the workload's operations (each returns the function its invocation runs)
    def op_fund(self, amount, key):
        self.funded_keys[key] = amount
        return lambda: self.platform.wallets.top_up(self.mid, CURRENCY, amount, key)

    def op_wallet_credit(self, amount, key):
        self.funded_keys[key] = amount
        return lambda: self.platform.wallets.move(self.mid, "cust_1", CURRENCY, amount, "credit", key)

    def op_wallet_debit(self, amount, key):
        return lambda: self.platform.wallets.move(self.mid, "cust_1", CURRENCY, amount, "debit", key)

    def op_payout(self, amount, key):
        def create():
            status, body = self.request("POST", "/v1/payouts", {"amount": amount, "currency": CURRENCY,
                                                                "beneficiary": dict(UPI)}, key)
            if status == 201 and body["payout_id"] not in self.payouts:
                self.payouts.append(body["payout_id"])
            return status, body
        return create

    def request(self, method: str, path: str, body: dict | None, key: str | None) -> tuple[int, dict]:
        """One request through the real HTTP API (edge, authentication, rate limit, idempotency,
        route, domain), in the calling invocation: ``(status, body)``. A 500 is a bug; the answers
        to one Idempotency-Key are checked by :meth:`answered`."""
        app = self.free_apis.pop()
        try:
            headers = {"content-type": "application/json", "x-api-key": self.api_key}
            if key:
                headers["idempotency-key"] = key
            event = {"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "", "headers": headers,
                     "requestContext": {"requestId": f"req-{current().id}", "routeKey": "$default", "stage": "$default",
                                        "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                                                 "sourceIp": "127.0.0.1", "userAgent": "sim"}},
                     "body": json.dumps(body) if body is not None else None, "isBase64Encoded": False}
            r = app.resolve(event, SimpleNamespace(aws_request_id=f"inv-{current().id}"))
        finally:
            self.free_apis.append(app)
        status, answer = r["statusCode"], json.loads(r["body"] or "null")
        if status >= 500 and status != 503:
            raise Violation("no_500", f"{method} {path} answered {status}: {r['body'][:300]}")
        if key:
            self.answered(f"{method} {path} {key}", status, answer)
        if status == 503 or (status == 409 and (answer or {}).get("error", {}).get("code") ==
                             "idempotency_request_in_progress"):
            raise Unavailable(f"{status}")  # the client retries with the same key
        return status, answer

    def answered(self, request: str, status: int, body) -> None:
        """An idempotent replay answers exactly what the first request answered: every 2xx answer to
        one key within the record's retention equals the first."""
        if not 200 <= status < 300:
            return
        first = self.first_answers.get(request)
        if first is None:
            self.first_answers[request] = (self.clock.now(), status, body)
            return
        at, s0, b0 = first
        if self.clock.now() - at < self.settings.idempotency_ttl_seconds - 60 and (s0, b0) != (status, body):
            self.idempotency_broken = (f"{request}: first {s0} {json.dumps(b0, sort_keys=True)[:400]}, "
                                       f"replayed {status} {json.dumps(body, sort_keys=True)[:400]}")

    def op_payout_retry(self, arg, key):  # a client retrying an earlier payout request later
        done = [(n, a) for n, k, a in self.ops_started if k == "payout"]
        if not done:
            return None
        n, amount = done[arg % len(done)]
        return self.op_payout(amount, f"payout-{n}")

    def _pick(self, arg):
        return self.payouts[arg % len(self.payouts)] if self.payouts else None

    def op_approve(self, arg, key):
        pid = self._pick(arg)
        return pid and (lambda: self.platform.payouts.approve(self.mid, pid, "sim"))

    def op_reject(self, arg, key):
        pid = self._pick(arg)
        if not pid:
            return None
        p = self.platform.payouts.get(self.mid, pid)
        t = self.provider.book.get(p.get("transfer_id"))
        if p["status"] == "ON_HOLD" and (t is None or self.provider.will_pay(t)):
            return None  # an operator releases an ON_HOLD payout only once the provider said it will not pay
        return lambda: self.platform.payouts.reject(self.mid, pid, "sim")

    def op_cancel(self, arg, key):
        pid = self._pick(arg)
        return pid and (lambda: self.platform.payouts.cancel(self.mid, pid))

    def op_reinitiate(self, arg, key):
        pid = self._pick(arg)
        return pid and (lambda: self.platform.payouts.reinitiate(self.merchant, pid))

    def op_reserve(self, amount, key):
        def reserve():
            r = self.platform.reservations.reserve(self.merchant, amount, CURRENCY, self.rng.choice((60, 300, 1800)),
                                                   key, beneficiary=dict(UPI))
            if r["reservation_id"] not in self.reservation_ids:
                self.reservation_ids.append(r["reservation_id"])
        return reserve

    def op_fulfil(self, arg, key):
        if not self.reservation_ids:
            return None
        rid = self.reservation_ids[arg % len(self.reservation_ids)]
        return lambda: self.platform.reservations.fulfil(self.merchant, rid)

    def op_order(self, quantity, key):
        self.set_up_shop()
        return lambda: self.platform.orders.place(self.mid, self.product_id, quantity, "cust_1", key)

    def op_payment(self, amount, key):
        self.fund_floats()

        def create():
            phone = MOMO_PHONES[amount // 100 % len(MOMO_PHONES)]
            p, _ = self.platform.payments.create(self.mid, amount, MOMO_CURRENCY,
                                                 SimpleNamespace(phone=phone, name="Ama Mensah", network=None), key)
            if p.payment_id not in self.payment_ids:
                self.payment_ids.append(p.payment_id)
        return create

    def op_payment_cancel(self, arg, key):
        if not self.payment_ids:
            return None
        pid = self.payment_ids[arg % len(self.payment_ids)]
        return lambda: self.platform.payments.cancel(self.mid, pid)

    def op_payment_refund(self, arg, key):
        if not self.payment_ids:
            return None
        pid = self.payment_ids[arg % len(self.payment_ids)]
        return lambda: self.platform.payments.refund(self.mid, pid, owner=f"{key}-{current().id}")

    def closed(self) -> float | None:
        """None once the schedule's first UTC day has closed; until then when a client asks for its
        settlement (a few minutes after midnight, as the daily schedule does)."""
        midnight = (EPOCH // 86_400 + 1) * 86_400
        if self.clock.now() >= midnight:
            return None
        return midnight + self.rng.uniform(60, 900)

    def op_settle(self, arg, key):
        """The merchant's settlement of the schedule's first day (the API's start: job + execution)."""
        if (later := self.closed()) is not None:
            return later
        day = self.first_day()

        def start():
            job = self.platform.start_settlement(self.mid, day, day, key, None)
            if job.job_id not in self.settlement_ids:
                self.settlement_ids.append(job.job_id)
        return start

    def op_settle_cancel(self, arg, key):
        if (later := self.closed()) is not None:
            return later
        if not self.settlement_ids:  # before the job: once it is asked for, racing its tasks
            asked = [d["due"] for d in self.deferred if d["op"][1] == "settle"]
            return min(asked) + self.rng.uniform(0, 60) if asked else None
        job_id = self.settlement_ids[arg % len(self.settlement_ids)]

        def cancel():
            self.platform.cancel_settlement(self.mid, job_id)
            self.cancelled_jobs.add(job_id)
        return cancel

    def providers(self) -> list[FakeProvider]:
        """Every provider stand-in: the payout provider, then the mobile-money ones."""
        return [self.provider, *self.momo.values()]

    def first_day(self) -> str:
        """The schedule's first UTC day (ISO date): what its settlements and reconciliations cover."""
        from datetime import datetime, timezone

        return datetime.fromtimestamp(EPOCH, timezone.utc).date().isoformat()

    def publish_file(self, prov: FakeProvider, day: str) -> None:
        """The provider puts its settlement file of ``day`` (as its books stand now) into the inbox."""
        from payrail.reconciliation.service import inbox_key

        self.s3.objects[inbox_key(prov.name, day)] = prov.settlement_file(day, self.clock.now())

    def op_reconcile(self, arg, key):
        """An operator's run of one provider's first day (``POST /v1/admin/reconciliations``), while
        the day goes on: of a provider that has booked transfers (the payout provider when none
        has); a provider read from settlement files has published its file so far."""
        from payrail.providers import registry

        busy = [p for p in self.providers() if p.book] or [self.provider]
        prov = busy[arg % len(busy)]
        day = self.first_day()
        if registry.entry(prov.name).statement == "settlement_file":
            self.publish_file(prov, day)

        def start():
            run = self.platform.start_reconciliation(prov.name, day, day, key, None)
            if run["run_id"] not in self.recon_ids:
                self.recon_ids.append(run["run_id"])
        return start

    def op_reconcile_cancel(self, arg, key):
        if not self.recon_ids:
            return None
        run_id = self.recon_ids[arg % len(self.recon_ids)]

        def cancel():
            self.platform.cancel_reconciliation(run_id)
            self.cancelled_runs.add(run_id)
        return cancel

    def op_release_reservation(self, arg, key):
        if not self.reservation_ids:
            return None
        rid = self.reservation_ids[arg % len(self.reservation_ids)]
        return lambda: self.platform.reservations.release(self.mid, rid)

    # -- the stream, synthesized
    def snapshot(self) -> None:
        seen = {it["pk"]["S"]: it for it in self.engine.items("Scan", TableName=self.settings.main_table,
                                                                ConsistentRead=True)}

        def order(pk):  # ids derive from the random merchant id: order by what the schedule decides
            it = seen[pk]
            return tuple(it.get(a, {}).get("S", "") for a in ("created_at", "type", "updated_at"))
        for pk in sorted(seen, key=order):
            it = seen[pk]
            old = self.images.get(pk)
            if old == it:
                continue
            rec = {"eventID": f"{pk}-{self.steps}", "eventName": "MODIFY" if old else "INSERT", "eventSource": "aws:dynamodb",
                   "dynamodb": {"Keys": {"pk": it["pk"]}, "NewImage": it, **({"OldImage": old} if old else {}),
                                "StreamViewType": "NEW_AND_OLD_IMAGES"}}
            for _ in range(2 if self.faults.ask("stream_duplicate") else 1):
                late = self.rng.uniform(1, 60) if self.faults.ask("stream_delay") else 0.0
                self.stream.append({"due": self.clock.now() + late, "record": rec})
            item = plain(it)
            if item.get("type") == "payout":
                before = self.histories.get(item["payout_id"])
                if item["status"] == "FAILED" and (before or {}).get("status") != "FAILED" \
                        and item["payout_id"] in self.payouts and self.rng.random() < REINITIATE_ON_FAILURE:
                    # the merchant's payout.failed handler reinitiates it at once
                    self.retry_ops.append(((1000 + self.steps, "reinitiate", self.payouts.index(item["payout_id"])), 1))
                self.histories[item["payout_id"]] = item
            elif item.get("type") == "reservation":
                self.reservations[item["reservation_id"]] = item
            elif item.get("type") == "order":
                self.orders[item["order_id"]] = item
            elif item.get("type") == "payment":
                self.payments[item["payment_id"]] = item
            elif item.get("type") == "settlement":
                self.settlements[item["job_id"]] = item
            elif item.get("type") == "reconciliation":
                self.recon_runs[item["run_id"]] = item
        if seen != self.images:
            self.images_version += 1
        self.images = seen

    # -- invariants
    def check_flags(self) -> None:
        """The invariants the world's fakes watch as they go (no table read)."""
        if self.idempotency_broken:
            raise Violation("idempotent_replay", self.idempotency_broken)
        starved = self.platform.providers.starved
        if starved:
            raise Violation("slot_lease", starved)

    def check(self, final: bool = False) -> None:
        from payrail.core.ledger import audit

        self.check_flags()
        ledger = self.settings.ledger_table
        if {ledger, "*"} & self.engine.written or self.ledger_items is None:  # else the ledger is as last read
            self.engine.written.clear()
            self.ledger_items = self.scan(ledger)
        items = self.ledger_items
        key = (len(items), self.images_version)
        if key == self.checked and not final:
            return  # nothing was written since the last check
        self.checked = key
        a = audit(SimpleNamespace(scan=lambda segments=1: iter(items)))  # the ledger's own audit, on one scan
        if not a["ok"]:
            raise Violation("ledger_audit", json.dumps({k: a[k] for k in ("unbalanced_journals", "account_mismatches",
                                                                          "orphan_postings", "total_by_currency")}))
        ends = defaultdict(list)  # (payout, run) -> its capture and release journals
        for it in items:
            if it["sk"] == "J" and it.get("type") in ("payout_capture", "payout_release"):
                m = it.get("metadata") or {}
                ends[(m.get("payout_id"), m.get("run"))].append(it["journal_id"])
        for (pid, run), js in ends.items():
            if len(js) > 1:
                raise Violation("one_end_per_run", f"{pid} run {run} ended {len(js)} times: {js}")
        accts = [it for it in items if it["sk"] == "A"]
        for x in accts:
            if x.get("floor") == "non_negative" and x["balance"] < 0:
                raise Violation("floor", f"{x['account_id']} at {x['balance']}")
        by_kind = defaultdict(int)
        for x in accts:
            if x.get("merchant_id") == self.mid and x["currency"] == CURRENCY:
                by_kind[x["kind"]] += x["balance"]
        funding_in = -by_kind.get("funding", 0)
        out = by_kind.get("payouts", 0)
        inside = sum(v for k, v in by_kind.items() if k not in ("funding", "payouts"))
        if funding_in != inside + out:
            raise Violation("conservation", f"funding in {funding_in} != balances {inside} + out {out} ({dict(by_kind)})")
        if funding_in > sum(self.funded_keys.values()) + 0:
            raise Violation("conservation", f"funding in {funding_in} exceeds what was ever funded or credited")
        payouts = list(self.histories.values())
        held = sum(p["amount"] for p in payouts if p["status"] in HELD)
        if by_kind.get("held", 0) != held:
            raise Violation("hold_matches_status", f"held balance {by_kind.get('held', 0)} != {held} in held statuses")
        reserved = sum(r["amount"] for r in self.reservations.values() if r["status"] == "RESERVED")
        if by_kind.get("reserved", 0) != reserved:
            raise Violation("reserved_matches_status", f"reserved balance {by_kind.get('reserved', 0)} != {reserved} "
                            "in RESERVED reservations")
        for r in self.reservations.values():
            prev = None
            for e in r.get("status_history") or []:
                if e["status"] != prev and e["status"] not in RESERVATION_MOVES.get(prev, set()):
                    raise Violation("status_history", f"{r['reservation_id']}: {prev} → {e['status']}")
                prev = e["status"]
            if final and r["status"] not in ("FULFILLED", "RELEASED", "EXPIRED"):
                raise Violation("stuck", f"reservation {r['reservation_id']} is {r['status']} at quiescence")
        paid_ids, captured = set(), 0
        for t in self.provider.book.values():
            if t.submits > 1:
                raise Violation("provider_paid_twice", f"transfer {t.transfer_id} submitted {t.submits} times")
        for p in payouts:
            prev = None
            for e in p.get("status_history") or []:
                if e["status"] != prev and e["status"] not in PAYOUT_MOVES.get(prev, set()):
                    raise Violation("status_history", f"{p['payout_id']}: {prev} → {e['status']}")
                prev = e["status"]
            t = self.provider.book.get(p["transfer_id"])
            if p["status"] in ("FAILED", "CANCELLED") and t is not None and self.provider.will_pay(t):
                raise Violation("released_paid_transfer", f"{p['payout_id']} run {p['run']} {p['status']} but the "
                                f"provider pays {t.transfer_id}")
            if p["status"] == "SUCCEEDED":
                if t is None or not (self.provider.will_pay(t) or t.reversed_at is not None):
                    raise Violation("captured_unpaid", f"{p['payout_id']} SUCCEEDED, provider has "
                                    f"{t and t.final} for {p['transfer_id']}")
                captured += p["amount"]
                paid_ids.add(p["transfer_id"])
        if out != captured:
            raise Violation("money_out", f"payouts account {out} != captured payouts {captured}")
        self.check_orders(final)
        self.check_payments(accts, final)
        self.check_settlements(items, final)
        self.check_reconciliations(final)
        self.check_events(final)
        if final:
            for p in payouts:
                if p["status"] not in ("SUCCEEDED", "FAILED", "CANCELLED", "IN_REVIEW"):
                    raise Violation("stuck", f"{p['payout_id']} is {p['status']} at quiescence")
            for t in self.provider.book.values():
                if self.provider.will_pay(t) and t.transfer_id not in paid_ids:
                    owner = next((p for p in payouts if p["transfer_id"] == t.transfer_id), None)
                    raise Violation("paid_not_captured", f"provider paid {t.transfer_id}; payout is "
                                    f"{owner and owner['status']}")

    def check_orders(self, final: bool) -> None:
        """Orders against small stock, with the fulfilment service's book as the oracle."""
        if self.product_id is None:
            return
        product = plain(self.images[self.platform.orders.products.key(self.mid, self.product_id)])
        sold = sum(o["quantity"] for o in self.orders.values() if o["status"] != "FAILED")
        if product["stock"] < 0 or product["stock"] + sold != self.initial_stock:
            raise Violation("stock", f"stock {product['stock']} + sold {sold} != initial {self.initial_stock}")
        for o in self.orders.values():
            oid, prev = o["order_id"], None
            for e in o.get("status_history") or []:
                if e["status"] not in ORDER_MOVES.get(prev, set()):
                    raise Violation("status_history", f"{oid}: {prev} → {e['status']}")
                prev = e["status"]
            s = self.shipper.book.get(oid)
            if o["status"] == "FAILED" and s is not None and s.delivers():
                raise Violation("refund_delivered", f"{oid} FAILED ({o.get('failure_kind')}) and refunded, but the "
                                f"service delivers it")
            if o["status"] == "FULFILLED" and o.get("settled_by") != "admin" and (s is None or not s.delivers()):
                raise Violation("captured_undelivered", f"{oid} FULFILLED, the service has "
                                f"{s and (s.final, s.cancelled)}")
            if final and not (o["status"] in ("FULFILLED", "FAILED") or
                              (o["status"] == "FULFILMENT_UNKNOWN" and o.get("fulfilment_deadline"))):
                raise Violation("stuck", f"order {oid} is {o['status']} at quiescence")

    def check_payments(self, accts: list[dict], final: bool) -> None:
        """Mobile-money payments, with each provider's book as the oracle."""
        g = defaultdict(int)
        for x in accts:
            if x.get("merchant_id") == self.mid and x["currency"] == MOMO_CURRENCY:
                g[x["kind"]] += x["balance"]
        funding_in, out = -g.get("momo_funding", 0), g.get("momo_sent", 0)
        inside = sum(v for k, v in g.items() if k not in ("momo_funding", "momo_sent"))
        if funding_in != inside + out or funding_in != self.floats_funded:
            raise Violation("conservation", f"{MOMO_CURRENCY}: floats funded {self.floats_funded}, funding in "
                            f"{funding_in} != balances {inside} + sent {out} ({dict(g)})")
        pays = list(self.payments.values())
        sent = sum(p["amount"] for p in pays if p["status"] == "CONFIRMED")
        if out != sent:
            raise Violation("money_out", f"momo_sent {out} != confirmed payments {sent}")
        held = sum(p["total"] for p in pays if p["status"] in PAYMENT_HELD)
        if g.get("momo_held", 0) != held:
            raise Violation("hold_matches_status", f"momo_held {g.get('momo_held', 0)} != {held} in held payments")
        for name, prov in self.momo.items():
            for t in prov.book.values():
                if t.submits > 1:
                    raise Violation("provider_paid_twice", f"{name} transfer {t.transfer_id} submitted {t.submits} times")
            for rid, n in prov.reversals.items():
                if n > 1:
                    raise Violation("provider_refunded_twice", f"{name} reversed {rid} {n} times")
        for p in pays:
            pid = p["payment_id"]
            paid = [(n, t.transfer_id) for n, prov in self.momo.items() for t in prov.book.values()
                    if t.transfer_id.startswith(pid + "-") and prov.will_pay(t)]
            if len(paid) > 1:
                raise Violation("paid_twice", f"payment {pid} paid by {paid}")
            prov = self.momo.get(p.get("provider"))
            t = prov and prov.book.get(p.get("transfer_id"))
            if p["status"] in ("CONFIRMED", "REFUNDED") and (t is None or not (prov.will_pay(t) or
                                                                               t.reversed_at is not None)):
                raise Violation("captured_unpaid", f"payment {pid} {p['status']}, {p.get('provider')} has "
                                f"{t and t.final} for {p.get('transfer_id')}")
            if p["status"] in ("FAILED", "CANCELLED") and t is not None and prov.will_pay(t):
                raise Violation("released_paid_transfer", f"payment {pid} {p['status']} but {p['provider']} pays "
                                f"{t.transfer_id}")
            if p["status"] == "REFUNDED" and not prov.reversals.get(f"{pid}-refund"):
                raise Violation("refund_unreversed", f"payment {pid} REFUNDED without the provider's reversal")
            if final and p["status"] not in PAYMENT_ENDS:
                raise Violation("stuck", f"payment {pid} is {p['status']} at quiescence")

    def check_settlements(self, ledger_items: list[dict], final: bool) -> None:
        """Settlement jobs: a COMPLETED job's totals and CSV equal the ledger's captures in its
        window (the window closed before the job planned: nothing lands in it later); a job whose
        cancel answered ends CANCELLED, with no CSV; at quiescence every job has ended."""
        from payrail.settlement.model import LIFECYCLE as SETTLEMENT

        for jid, j in self.settlements.items():
            prev = None
            for e in j.get("status_history") or []:
                if e["status"] != prev and (prev is None and e["status"] != SETTLEMENT.initial or
                                            prev is not None and e["status"] not in SETTLEMENT.targets(prev)):
                    raise Violation("status_history", f"settlement {jid}: {prev} → {e['status']}")
                prev = e["status"]
            report = self.s3.objects.get(f"settlements/{jid}.csv")
            if j["status"] == "COMPLETED":
                rows = [it["settlement"] for it in ledger_items if it.get("settlement") and
                        it["settlement"]["merchant_id"] == j["scope"] and j["from"] <= it["created_at"][:10] <= j["to"]]
                gross, fee = sum(r["gross"] for r in rows), sum(r["fee"] for r in rows)
                want = {"gross": gross, "fee": fee, "net": gross - fee, "txn_count": len(rows)}
                if j.get("totals") != want:
                    raise Violation("settlement_totals", f"{jid}: totals {j.get('totals')} != the ledger's {want}")
                got = [line.split(",") for line in (report or b"").decode().splitlines()[1:]]
                csv_sums = {"gross": sum(int(r[3]) for r in got), "fee": sum(int(r[4]) for r in got),
                            "net": sum(int(r[5]) for r in got), "txn_count": sum(int(r[6]) for r in got)}
                if report is None or csv_sums != want:
                    raise Violation("settlement_totals", f"{jid}: CSV {report is not None and csv_sums} != the "
                                    f"ledger's {want}")
            if j["status"] == "CANCELLED" and report is not None:
                raise Violation("settlement_cancelled", f"{jid} CANCELLED but its CSV exists")
            if final and jid in self.cancelled_jobs and j["status"] != "CANCELLED":
                raise Violation("settlement_cancelled", f"{jid}: its cancel answered, it ended {j['status']}")
            if final and j["status"] not in SETTLEMENT_ENDS:
                raise Violation("stuck", f"settlement {jid} is {j['status']} at quiescence")

    def check_reconciliations(self, final: bool) -> None:
        """Reconciliation runs: their status histories follow the lifecycle; a COMPLETED run's
        report holds one row per transfer it counted, class by class; at quiescence every run has
        ended, one whose cancel answered ended CANCELLED, and a cancelled run has no report."""
        from payrail.reconciliation.model import LIFECYCLE
        from payrail.reconciliation.service import report_key

        for rid, r in self.recon_runs.items():
            prev = None
            for e in r.get("status_history") or []:
                if e["status"] != prev and (prev is None and e["status"] != LIFECYCLE.initial or
                                            prev is not None and e["status"] not in LIFECYCLE.targets(prev)):
                    raise Violation("status_history", f"reconciliation {rid}: {prev} → {e['status']}")
                prev = e["status"]
            report = self.s3.objects.get(report_key(rid))
            if r["status"] == "COMPLETED":
                if report is None:
                    raise Violation("reconciliation_report", f"{rid} COMPLETED without its report")
                rows = report.decode().splitlines()[1:]
                got = defaultdict(int)
                for line in rows:
                    got[line.split(",")[2]] += 1
                want = {c: n for c, n in (r.get("counts") or {}).items() if n and c != "float_drift"}
                if dict(got) != want or len(rows) != r.get("rows"):
                    raise Violation("reconciliation_report", f"{rid}: report rows {dict(got)} != counts {want} "
                                    f"({len(rows)} rows, run says {r.get('rows')})")
            if not final:
                continue
            if r["status"] not in ("COMPLETED", "FAILED", "CANCELLED"):
                raise Violation("stuck", f"reconciliation {rid} is {r['status']} at quiescence")
            if rid in self.cancelled_runs and r["status"] != "CANCELLED":
                raise Violation("reconciliation_cancelled", f"{rid}: its cancel answered, it ended {r['status']}")
            if r["status"] == "CANCELLED" and report is not None:
                raise Violation("reconciliation_cancelled", f"{rid} CANCELLED but its report exists")

    def check_books(self) -> None:
        """At quiescence, payrail's books against a provider's: one more reconciliation run of one
        provider that moved money (chosen by the seed), over the days of the schedule, read from a
        source chosen by the seed too (the list API, status lookups, or settlement files the
        stand-in publishes), with no fault. Each transfer must be in the class the stand-in's book
        gives it (the oracle: ``matched`` where both sides agree, ``missing_at_provider`` where
        payrail captured a transfer the provider reversed afterwards; any other class is a break
        nobody made), every transfer once; a mobile-money provider's float drift must be its
        balance less the float the ledger's journals give."""
        from datetime import datetime, timezone

        from payrail.reconciliation.service import report_key

        journals = [it for it in self.scan(self.settings.ledger_table)
                    if it["sk"] == "J" and it.get("reconciliation")]
        last = datetime.fromtimestamp(self.clock.now(), timezone.utc).date().isoformat()
        moved = [p for p in self.providers() if p.book or any(j["reconciliation"]["provider"] == p.name
                                                               for j in journals)]
        if not moved:
            return
        pick = random.Random(f"books-{self.seed}")
        prov, source = pick.choice(moved), pick.choice(RECONCILIATION_SOURCES)
        saved, self.faults = self.faults, Faults(random.Random(0), {})
        try:
            mine = {(j["reconciliation"]["kind"], j["reconciliation"]["transfer_id"]): j for j in journals
                    if j["reconciliation"]["provider"] == prov.name}
            theirs = defaultdict(list)
            for rec in prov.records(self.clock.now()):
                theirs[(rec.kind, rec.transfer_id)].append(rec)
            if source == "settlement_file":
                for n in range((datetime.fromisoformat(last) - datetime.fromisoformat(self.first_day())).days + 1):
                    day = datetime.fromtimestamp(EPOCH + 86_400 * n, timezone.utc).date().isoformat()
                    self.publish_file(prov, day)
            r = self.platform.reconciliations
            run, _ = r.create_run(prov.name, self.first_day(), last, run_id=f"rec_books_{prov.name}", source=source)
            run = r.execute(run.run_id)
            where = f"{prov.name} via {source}"
            if run.status != "COMPLETED":
                raise Violation("books", f"{where}: the run ended {run.status}: {run.failure_reason}")
            want = {}
            for key in set(mine) | (set(theirs) if source != "status_lookup" else set()):
                j, recs = mine.get(key), theirs.get(key, [])
                status = recs[0].status if recs else None
                if j is None:
                    want[key] = "unknown_to_payrail" if status == "SUCCESS" else "matched"
                elif j["reconciliation"]["outcome"] == "released":
                    want[key] = {"SUCCESS": "paid_after_release", "PENDING": "status_mismatch"}.get(status, "matched")
                else:
                    want[key] = {"SUCCESS": "matched", "PENDING": "status_mismatch"}.get(status,
                                                                                        "missing_at_provider")
            rows = [line.split(",") for line in self.s3.objects[report_key(run.run_id)].decode().splitlines()[1:]]
            got = {(row[1], row[0]): row[2] for row in rows}
            if len(got) != len(rows) or got != want:
                diff = sorted(f"{k[1]}: {got.get(k)} (want {want.get(k)})" for k in set(got) | set(want)
                              if got.get(k) != want.get(k))
                raise Violation("books", f"{where}: {len(rows)} rows; {diff[:5] or 'a transfer reported twice'}")
            if isinstance(prov, FakeMomo):  # a capture takes amount + fee from the float, a reversal gives back
                ledger = prov.funded
                for j in mine.values():
                    outcome = j["reconciliation"]["outcome"]
                    if outcome == "captured":
                        ledger -= sum(x["amount"] for x in j["postings"] if x["amount"] > 0)
                    elif outcome == "reversed":
                        ledger += j["reconciliation"]["amount"]
                drift = prov.balance() - ledger
                if (run.float or {}).get("drift") != drift or (run.counts or {}).get("float_drift", 0) != (drift != 0):
                    raise Violation("books", f"{where}: float {run.float}, counts {run.counts}; the books' drift "
                                    f"is {drift}")
        finally:
            self.faults = saved

    def scan(self, table: str) -> list[dict]:
        return [plain(it) for it in self.engine.items("Scan", TableName=table, ConsistentRead=True)]

    def check_events(self, final: bool) -> None:
        from payrail.core import events

        seqs = defaultdict(list)
        for it in self.engine.items("Query", TableName=self.settings.events_table, KeyConditionExpression="pk = :p",
                                    ExpressionAttributeValues={":p": {"S": f"EVT#{self.mid}"}}, ConsistentRead=True):
            e = events.load(plain(it))
            seqs[e.object_id].append(e.sequence)
            if e.event_id not in self.events_seen:  # the events table's stream: INSERT records
                self.events_seen.add(e.event_id)
                for _ in range(2 if self.faults.ask("stream_duplicate") else 1):
                    late = self.rng.uniform(1, 60) if self.faults.ask("stream_delay") else 0.0
                    self.event_stream.append({"due": self.clock.now() + late, "item": e})
        bad = [w for w, ok in self.receiver.received if not ok]
        if bad:
            raise Violation("webhook_signature", f"{bad[0]} arrived without a valid signature for the endpoint's secret")
        if final:  # every event was delivered to the endpoint (subscribed to all) at least once
            got = {w for w, _ in self.receiver.received}
            if missing := sorted(self.events_seen - got):
                raise Violation("webhook_delivered", f"{len(missing)} of {len(self.events_seen)} events never "
                                f"delivered, first {missing[0]}")
        for oid, s in seqs.items():
            if len(s) != len(set(s)):
                raise Violation("event_sequence", f"{oid}: duplicate sequence numbers {sorted(s)}")
            if sorted(s) != list(range(1, len(s) + 1)):
                raise Violation("event_sequence", f"{oid}: sequence {sorted(s)} has a gap")
        # each change an object's status history records came with its event (one transaction)
        objects = [(p["payout_id"], p) for p in self.histories.values()]
        objects += [(r["reservation_id"], r) for r in self.reservations.values()]
        objects += [(o["order_id"], o) for o in self.orders.values()]
        objects += [(p["payment_id"], p) for p in self.payments.values()]
        for oid, obj in objects:
            n = len(obj.get("status_history") or [])
            if sorted(seqs.get(oid, [])) != list(range(1, n + 1)):
                raise Violation("event_per_change", f"{oid}: {n} changes in its status history, events "
                                f"{sorted(seqs.get(oid, []))}")


def plain(item: dict) -> dict:
    """A DynamoDB JSON item as ``payrail.core.ddb.load`` gives it (integers as ``int``, sets as
    ``set``), without botocore's deserializer (the checks turn every item of a table each time)."""
    return {k: _plain(v) for k, v in item.items()}


def _plain(v: dict):
    (t, x), = v.items()
    if t == "S":
        return x
    if t == "N":
        return int(x)  # payrail stores integers only (``ddb.load`` raises on anything else)
    if t == "M":
        return {k: _plain(y) for k, y in x.items()}
    if t == "L":
        return [_plain(y) for y in x]
    if t == "BOOL":
        return x
    if t == "NULL":
        return None
    if t == "SS":
        return set(x)
    if t == "NS":
        return {int(y) for y in x}
    if t == "B":  # base64 in the HTTP answer: a packed text (an event's body) comes back as its text
        from payrail.core import packing

        data = base64.b64decode(x)
        return packing.unpack(data) if packing.is_packed(data) else data
    raise ValueError(f"unexpected attribute type {t}")


def _client_error(e: BaseException) -> bool:
    from payrail.core.errors import PayrailError

    return isinstance(e, PayrailError)


def _tables(operation: str, params: dict) -> set[str]:
    """The tables a DynamoDB write call names."""
    if operation == "TransactWriteItems":
        return {a["TableName"] for item in params.get("TransactItems", ()) for a in item.values()}
    if operation == "BatchWriteItem":
        return set(params.get("RequestItems", {}))
    return {params.get("TableName", "")}


def _retryable(e: BaseException | None) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    return isinstance(e, (ClientError, BotoCoreError))
