"""The one source of truth for payrail's resources.

Both the CDK stack (``infra/stack.py``) and the local cloud (``infra/local``) are built from
these definitions; ``tests/infra/test_drift.py`` fails when the synthesized template and this
catalog disagree. Plain Python: no CDK import, so the local cloud loads it in milliseconds.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASL_DIR = ROOT / "infra" / "asl"
PREFIX = "payrail"


@dataclass(frozen=True)
class Index:
    name: str
    pk: str
    sk: str | None = None
    projection: str = "ALL"  # or KEYS_ONLY: updates of other attributes never write the index


@dataclass(frozen=True)
class Table:
    """A DynamoDB table (on-demand, PITR). Keys are strings."""

    id: str
    pk: str
    sk: str | None = None
    indexes: tuple[Index, ...] = ()
    stream: str | None = None  # StreamViewType
    ttl_attribute: str | None = None

    @property
    def name(self) -> str:
        return f"{PREFIX}-{self.id}"


@dataclass(frozen=True)
class Queue:
    """A standard SQS queue with a DLQ after ``max_receive_count`` receives (seconds for times)."""

    id: str
    visibility_timeout: int
    max_receive_count: int = 5
    retention_seconds: int = 4 * 86400
    #: the longest ``DelaySeconds`` its senders put on a message (a retry's backoff; SQS caps it at 900)
    max_delay_seconds: int = 0

    @property
    def name(self) -> str:
        return f"{PREFIX}-{self.id}"

    @property
    def age_bound_seconds(self) -> int:
        """How old its oldest message may get while the consumers keep up (seconds): sent with the
        longest delay, then received ``max_receive_count`` times, each receive hiding it for the
        visibility timeout; after that it is in the DLQ. An older message means the consumers
        stall or are throttled (the oldest-message alarm's threshold)."""
        return self.max_delay_seconds + self.visibility_timeout * self.max_receive_count

    @property
    def dlq_name(self) -> str:
        return f"{PREFIX}-{self.id}-dlq"


@dataclass(frozen=True)
class SqsSource:
    queue: str
    batch_size: int
    max_concurrency: int
    max_batching_window: int = 0


@dataclass(frozen=True)
class StreamSource:
    table: str
    batch_size: int
    retry_attempts: int = 10
    #: concurrent batches per shard (Lambda's ParallelizationFactor; records of one partition key
    #: stay in order). The local runtime reads each shard one batch at a time.
    parallelization: int = 1


@dataclass(frozen=True)
class Grants:
    """Least-privilege access of one function."""

    tables_rw: tuple[str, ...] = ()
    tables_r: tuple[str, ...] = ()
    queues_send: tuple[str, ...] = ()
    queues_read_attrs: tuple[str, ...] = ()
    #: reads these queues' and their DLQs' depths and moves a DLQ's messages back (StartMessageMoveTask)
    queues_redrive: tuple[str, ...] = ()
    start_executions: tuple[str, ...] = ()
    stop_executions: tuple[str, ...] = ()
    task_callbacks: tuple[str, ...] = ()  # state machines whose task tokens it answers
    bucket: str | None = None  # "r" or "rw" (put, multipart, abort, delete) on the reports bucket
    put_events: bool = False  # may put events on payrail's EventBridge bus


@dataclass(frozen=True)
class Function:
    """A Lambda function: ``functions/<id>/handler.py`` with ``lambda_handler``, sharing the layer."""

    id: str
    env: tuple[str, ...]  # Settings variables this function needs (values come from resources)
    grants: Grants
    timeout: int = 30
    #: MB, as ``make bench`` tunes it (``infra.cost.tune``, with ``tuning`` its strategy)
    memory: int = 512
    #: AWS Lambda Power Tuning's strategy for this function: ``cost`` (queue and stream consumers,
    #: schedules) or ``balanced`` (a caller waits on it)
    tuning: str = "cost"
    sqs: SqsSource | None = None
    stream: StreamSource | None = None
    http: bool = False
    #: calls payout providers: gets every connector's CONNECTOR_* settings and read access to their secrets
    connectors: bool = False

    @property
    def name(self) -> str:
        return f"{PREFIX}-{self.id.replace('_', '-')}"

    @property
    def folder(self) -> Path:
        return ROOT / "functions" / self.id


@dataclass(frozen=True)
class EventBus:
    """payrail's own EventBridge bus, with an archive of its events for replay."""

    id: str
    archive_retention_days: int
    source: str = "payrail"  # the events' ``source`` (payrail.core.events.EVENT_SOURCE); the archive keeps these

    @property
    def name(self) -> str:
        return f"{PREFIX}-{self.id}"

    @property
    def archive_name(self) -> str:
        return f"{PREFIX}-{self.id}-archive"


@dataclass(frozen=True)
class StateMachine:
    """A Standard state machine. ``distributed_map``: it has a Distributed Map reading its items
    from the reports bucket (``settlements/parts/``), so it starts, describes and stops child
    executions of itself and reads that prefix."""

    id: str
    asl: str
    functions: dict[str, str] = field(default_factory=dict)  # ${Name} -> function id (ARN)
    queues: dict[str, str] = field(default_factory=dict)  # ${Name} -> queue id (URL)
    distributed_map: bool = False

    @property
    def name(self) -> str:
        return f"{PREFIX}-{self.id}"

    def definition(self, function_arns: dict[str, str], queue_urls: dict[str, str]) -> str:
        """The ASL with its ``${...}`` substitutions applied (for the local cloud)."""
        subs = {k: function_arns[v] for k, v in self.functions.items()}
        subs |= {k: queue_urls[v] for k, v in self.queues.items()}
        return substitute((ASL_DIR / self.asl).read_text(), subs)


@dataclass(frozen=True)
class Schedule:
    """An EventBridge rule on a cron expression starting a state machine, or invoking a function,
    with the scheduled event (exactly one of ``state_machine`` and ``function``)."""

    id: str
    cron: str  # EventBridge cron fields: minute hour day-of-month month day-of-week year (UTC)
    state_machine: str | None = None
    function: str | None = None

    @property
    def name(self) -> str:
        return f"{PREFIX}-{self.id}"


TABLES = {
    t.id: t
    for t in (
        Table("ledger", pk="pk", sk="sk", indexes=(Index("gsi1", "gsi1pk", "gsi1sk"),)),
        Table("main", pk="pk", stream="NEW_AND_OLD_IMAGES",
              # keys only: an update that moves neither index's keys writes no index (the items are read after)
              indexes=(Index("by_merchant", "list_pk", "list_sk", projection="KEYS_ONLY"),
                       Index("due", "due_pk", "due_sk", projection="KEYS_ONLY"),
                       # provider callbacks find their transfer by the provider's key for it
                       Index("by_provider_key", "provider_key", projection="KEYS_ONLY"),
                       # the operator's lists of payouts and payments across merchants by status and age
                       Index("by_status", "status_pk", "list_sk", projection="KEYS_ONLY"))),
        Table("idempotency", pk="id", ttl_attribute="expiration"),
        Table("rate-limits", pk="pk", ttl_attribute="expiration"),
        # the outbox: events written in the transactions that make the changes (payrail.core.events)
        Table("events", pk="pk", sk="sk", indexes=(Index("by_type", "type_pk", "sk"),), stream="NEW_IMAGE",
              ttl_attribute="expiration"),
        # webhook endpoints, deliveries, attempts and per-endpoint slots (payrail.webhooks)
        Table("webhooks", pk="pk", sk="sk", ttl_attribute="expiration"),
    )
}

QUEUES = {
    q.id: q
    for q in (
        # fulfilment retries, webhook retries and payment looks wait in the queue (DelaySeconds <= 900)
        Queue("fulfilment", visibility_timeout=120, max_receive_count=5, max_delay_seconds=900),
        Queue("payouts", visibility_timeout=60, max_receive_count=5),
        Queue("webhooks", visibility_timeout=180, max_receive_count=5, max_delay_seconds=900),
        # mobile-money payments: one message per look at the provider (payrail.payments.workflow)
        Queue("payments", visibility_timeout=60, max_receive_count=5, max_delay_seconds=900),
        # reconciliation runs: one message per run (the API, a settlement file in the inbox via EventBridge)
        # a redelivered message must find its dead executor's lease (reconciliation LEASE_SECONDS: the
        # function's timeout and a margin) lapsed, or the run would be left RUNNING: six timeouts, as
        # AWS advises for a Lambda's source queue; MAX_ATTEMPTS receives (an outage on the last fails the run)
        Queue("reconciliation", visibility_timeout=5400, max_receive_count=3),
    )
}

EVENT_BUS = EventBus("events", archive_retention_days=30)

BUCKET_ID = "reports"
LOCAL_BUCKET_NAME = f"{PREFIX}-reports"

_DATA = ("LEDGER_TABLE", "MAIN_TABLE")
_PAYOUT_RULES = ("PAYOUT_CURRENCIES", "PAYOUT_REVIEW_THRESHOLD")
_PROVIDER_CALLS = ("RATE_LIMIT_TABLE", "PAYOUT_MAX_ATTEMPTS", "PAYOUT_BACKOFF_BASE_SECONDS",
                   "PAYOUT_BACKOFF_MAX_SECONDS", "PROVIDER_SLOT_WAIT_SECONDS", "PROVIDER_BUSY_RETRY_SECONDS")
_EVENTS = ("EVENTS_TABLE",)  # writers of events (in their own transactions)
_WEBHOOKS = ("EVENTS_TABLE", "WEBHOOKS_TABLE", "WEBHOOK_QUEUE_URL", "WEBHOOK_LOCAL_MODE", "WEBHOOK_TIMEOUT_SECONDS",
             "WEBHOOK_RETRY_SCHEDULE", "WEBHOOK_RETRY_HORIZON_SECONDS", "WEBHOOK_DISABLE_AFTER_SECONDS",
             "WEBHOOK_ENDPOINT_CONCURRENCY", "WEBHOOK_SECRET_OVERLAP_SECONDS", "WEBHOOK_MAX_ENDPOINTS")
#: mobile-money payments: limits, risk, routing, timeouts (payrail.payments)
_PAYMENT_RULES = ("TRANSACTION_TIMEOUT_SECONDS", "MIN_TRANSACTION_AMOUNT", "MAX_TRANSACTION_AMOUNT",
                  "PAYMENT_BACKOFF_BASE_SECONDS", "PAYMENT_BACKOFF_MAX_SECONDS", "PAYMENT_FEE_ON_NET_BPS",
                  "PAYMENT_FEE_OFF_NET_BPS", "PAYMENT_FEE_OFF_NET_MIN", "PAYMENT_ROUTING_WINDOW_SECONDS",
                  "PAYMENT_ROUTING_EXPLORATION", "PAYMENT_VELOCITY_WINDOW_SECONDS", "PAYMENT_RECIPIENT_MAX_COUNT",
                  "PAYMENT_RECIPIENT_MAX_AMOUNT", "PAYMENT_MERCHANT_MAX_COUNT", "PAYMENT_MERCHANT_MAX_AMOUNT",
                  "PAYMENT_DUPLICATE_WINDOW_SECONDS", "PAYMENT_DUPLICATE_SCORE", "PAYMENT_RISK_DECLINE_SCORE",
                  "PAYMENT_BLOCKLIST", "RATE_LIMIT_TABLE", "PROVIDER_SLOT_WAIT_SECONDS")
FUNCTIONS = {
    f.id: f
    for f in (
        Function("api", env=_DATA + _PAYOUT_RULES + _WEBHOOKS + _PAYMENT_RULES + ("PAYMENT_QUEUE_URL",) + (
                     "RESERVATION_TTL_SECONDS", "RESERVATION_FULFIL_WAIT_SECONDS",
                     "IDEMPOTENCY_TABLE", "RATE_LIMIT_TABLE", "REPORTS_BUCKET", "SETTLEMENT_STATE_MACHINE_ARN",
                     "FULFILMENT_QUEUE_URL", "PAYOUT_QUEUE_URL", "ADMIN_TOKEN_SHA256", "DEFAULT_FEE_BPS",
                     "RATE_LIMIT_PER_MINUTE", "ADMIN_RATE_LIMIT_PER_MINUTE", "ANONYMOUS_RATE_LIMIT_PER_MINUTE",
                     "CALLBACK_RATE_LIMIT_PER_MINUTE",
                     "MAX_BODY_BYTES", "API_KEY_CACHE_SECONDS", "API_KEY_OVERLAP_SECONDS", "IDEMPOTENCY_TTL_SECONDS",
                     "PRESIGN_SECONDS", "SETTLEMENT_MAX_ACTIVE_JOBS", "RECONCILIATION_QUEUE_URL"),
                 grants=Grants(tables_rw=("ledger", "main", "idempotency", "rate-limits", "events", "webhooks"),
                               queues_read_attrs=("fulfilment", "payouts", "payments"),
                               queues_send=("webhooks", "reconciliation"),
                               queues_redrive=("fulfilment", "payouts", "webhooks", "payments"),
                               start_executions=("settlement",), stop_executions=("settlement",), bucket="r"),
                 timeout=29, memory=512, tuning="balanced", http=True, connectors=True),
        Function("dispatcher", env=("FULFILMENT_QUEUE_URL", "PAYOUT_QUEUE_URL", "PAYMENT_QUEUE_URL"),
                 grants=Grants(queues_send=("fulfilment", "payouts", "payments")),
                 stream=StreamSource("main", batch_size=100), memory=256),
        Function("fulfilment", env=_DATA + _EVENTS + ("FULFILMENT_URL", "FULFILMENT_TIMEOUT_SECONDS",
                                                      "FULFILMENT_MAX_ATTEMPTS", "FULFILMENT_GIVE_UP_SECONDS",
                                                      "FULFILMENT_BACKOFF_BASE_SECONDS", "FULFILMENT_QUEUE_URL"),
                 grants=Grants(tables_rw=("ledger", "main", "events"), queues_send=("fulfilment",)), timeout=60,
                 sqs=SqsSource("fulfilment", batch_size=10, max_concurrency=8), memory=256),
        # MaximumConcurrency is a ceiling for all providers together (at least the sum of their
        # bounds); each provider's own bound is its in-flight slots (payrail.providers.slots). A run's
        # first look captures or releases itself; a run still open is handed to the state machine
        Function("payout_worker", env=_DATA + _EVENTS + _PAYOUT_RULES + _PROVIDER_CALLS + ("PAYOUT_STATE_MACHINE_ARN",),
                 grants=Grants(tables_rw=("ledger", "main", "rate-limits", "events"), task_callbacks=("payout",),
                               start_executions=("payout",)), timeout=30,
                 sqs=SqsSource("payouts", batch_size=1, max_concurrency=10), connectors=True, memory=256),
        Function("payout_steps", env=_DATA + _EVENTS, grants=Grants(tables_rw=("ledger", "main", "events"))),
        # mobile-money payments: one look per message (status first, submit only if never received,
        # fail over before acceptance), the next look re-sent with DelaySeconds = the backoff
        Function("payment_worker", env=_DATA + _EVENTS + _PAYMENT_RULES + ("PAYMENT_QUEUE_URL",),
                 grants=Grants(tables_rw=("ledger", "main", "rate-limits", "events"), queues_send=("payments",)),
                 timeout=30, sqs=SqsSource("payments", batch_size=1, max_concurrency=10), connectors=True, memory=256),
        # payments past TRANSACTION_TIMEOUT_SECONDS: ask the provider, then confirm, fail or expire
        Function("payment_expiry", env=_DATA + _EVENTS + _PAYMENT_RULES,
                 grants=Grants(tables_rw=("ledger", "main", "rate-limits", "events")), timeout=60, connectors=True),
        # the daily CSV report per provider and per merchant (S3)
        Function("payment_reports", env=_DATA + _PAYMENT_RULES + ("REPORTS_BUCKET",),
                 grants=Grants(tables_r=("main",), bucket="rw"), timeout=300, memory=1024),
        Function("reservations", env=_DATA + _EVENTS, grants=Grants(tables_rw=("ledger", "main", "events")),
                 timeout=60),
        Function("settlement", env=_DATA + _EVENTS + ("REPORTS_BUCKET", "SETTLEMENT_MAX_CONCURRENCY"),
                 grants=Grants(tables_rw=("main", "events"), tables_r=("ledger",), bucket="rw"), timeout=300, memory=1024),
        # reconciliation runs (payrail.reconciliation): a queued run, the daily schedule per provider,
        # a settlement file put into the inbox; the shards of a run are matched in parallel threads
        Function("reconciliation", env=_DATA + _EVENTS + ("REPORTS_BUCKET", "RECONCILIATION_QUEUE_URL",
                                                          "RECONCILIATION_GRACE_SECONDS",
                                                          "RECONCILIATION_BOOKING_GRACE_SECONDS",
                                                          "RECONCILIATION_CONCURRENCY"),
                 grants=Grants(tables_rw=("ledger", "main", "events"), queues_send=("reconciliation",), bucket="rw"),
                 timeout=900, memory=1024, sqs=SqsSource("reconciliation", batch_size=1, max_concurrency=2),
                 connectors=True),
        # settlement jobs the API created whose execution never started, and cancels that died (a schedule)
        Function("settlement_sweep", env=_DATA + _EVENTS + ("SETTLEMENT_STATE_MACHINE_ARN",),
                 grants=Grants(tables_rw=("main", "events"), start_executions=("settlement",),
                               stop_executions=("settlement",)), timeout=60, memory=256),
        # payout holds open past HOLD_AGE_BOUND_SECONDS: counted by a schedule (metrics and their alarm)
        Function("holds", env=("MAIN_TABLE", "HOLD_AGE_BOUND_SECONDS"), grants=Grants(tables_r=("main",)),
                 timeout=60, memory=256),
        # the outbox's stream consumer: the bus, and the first attempt of each webhook delivery.
        # Retries (nearly) without end: an event is never dropped while the stream keeps it (24 h);
        # merchants' events (one partition key each) are published in parallel batches
        Function("events", env=_WEBHOOKS + ("EVENT_BUS_NAME",),
                 grants=Grants(tables_r=("webhooks",), queues_send=("webhooks",), put_events=True),
                 stream=StreamSource("events", batch_size=100, retry_attempts=10_000, parallelization=10), memory=256),
        # webhook delivery attempts (payrail.webhooks.delivery): records of a batch run concurrently
        Function("webhooks", env=_WEBHOOKS, grants=Grants(tables_rw=("webhooks",), tables_r=("events",),
                                                         queues_send=("webhooks",)),
                 timeout=60, sqs=SqsSource("webhooks", batch_size=10, max_concurrency=10), memory=256),
    )
}

STATE_MACHINES = {
    m.id: m
    for m in (
        StateMachine("payout", "payout.asl.json", functions={"PayoutStepsFunctionArn": "payout_steps"},
                     queues={"PayoutQueueUrl": "payouts"}),
        StateMachine("settlement", "settlement.asl.json", functions={"SettlementFunctionArn": "settlement"},
                     distributed_map=True),
    )
}

#: when each provider's previous UTC day is reconciled (EventBridge cron, UTC): after its cut-off and
#: the settlement file it publishes (a file put into the inbox later starts a run of its own)
RECONCILIATION_SCHEDULES = {"cashfree": "0 2 * * ? *", "safepay": "10 2 * * ? *", "mtn_momo": "20 2 * * ? *",
                            "airteltigo": "30 2 * * ? *", "telecel": "40 2 * * ? *"}
#: settlement files put here start a run (S3 object created → EventBridge → queue reconciliation)
RECONCILIATION_INBOX = "reconciliation/inbox/"

SCHEDULES = {s.id: s for s in (Schedule("settlement-daily", cron="15 0 * * ? *", state_machine="settlement"),
                                Schedule("reservation-expiry", cron="* * * * ? *", function="reservations"),
                                Schedule("payment-expiry", cron="* * * * ? *", function="payment_expiry"),
                                Schedule("payment-report-daily", cron="30 0 * * ? *", function="payment_reports"),
                                Schedule("hold-sweep", cron="*/5 * * * ? *", function="holds"),
                                Schedule("settlement-sweep", cron="* * * * ? *", function="settlement_sweep"),
                                Schedule("reconciliation-sweep", cron="* * * * ? *", function="reconciliation"),
                                # the previous UTC day of each provider, after the providers' cut-offs
                                *(Schedule(f"reconciliation-{name}", cron=cron, function="reconciliation")
                                  for name, cron in RECONCILIATION_SCHEDULES.items()))}



@dataclass(frozen=True)
class Alarms:
    """Where the alarms go and their tunable thresholds: the defaults here, overridden per stage by
    the ``payrail:alarms`` context (``cdk.json`` or ``-c``, camelCase keys: ``alarmEmail``,
    ``providerSuccessRatePercent`` ...). Bounds that follow from resources (a queue's oldest
    message: :attr:`Queue.age_bound_seconds`) are not here: they come with the resource."""

    #: the email address subscribed to the alarm topic; no subscription when empty
    alarm_email: str = ""
    #: a provider's payouts and payments that succeeded, percent of those it decided, below which it alarms
    provider_success_rate_percent: float = 90.0
    #: fewer decided outcomes than this in a period: too few to judge a provider (no alarm)
    provider_min_outcomes: int = 10
    #: the API's 5xx answers, percent of its requests, above which it alarms
    api_5xx_rate_percent: float = 1.0
    #: the period every alarm evaluates (seconds)
    period_seconds: int = 300

    @classmethod
    def from_context(cls, ctx: dict | None) -> Alarms:
        """From the ``payrail:alarms`` context object. Raises ValueError naming an unknown key."""
        names = {re.sub(r"_(\w)", lambda m: m.group(1).upper(), f): f for f in cls.__dataclass_fields__}
        unknown = set(ctx or {}) - set(names)
        if unknown:
            raise ValueError(f"unknown payrail:alarms keys {sorted(unknown)}; known: {sorted(names)}")
        return cls(**{names[k]: type(getattr(cls, names[k]))(v) for k, v in (ctx or {}).items()})


ALARMS = Alarms()
#: the SNS topic every alarm notifies
ALARM_TOPIC_NAME = f"{PREFIX}-alarms"
#: the CloudWatch dashboard of the platform
DASHBOARD_NAME = PREFIX

#: HTTP API stage throttling (requests per second, burst).
API_THROTTLE = {"rate_limit": 500, "burst_limit": 1000}
#: environment every function runs with, deployed and locally: pydantic skips its plugin discovery
#: (a scan of every installed distribution's entry points, a tenth of a cold start; payrail has none)
RUNTIME_ENV = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}

#: Settings that are plain configuration (not resource references), with their deployed defaults.
CONFIG_DEFAULTS = {
    "PAYOUT_MAX_ATTEMPTS": "4",
    "PAYOUT_BACKOFF_BASE_SECONDS": "30",
    "FULFILMENT_TIMEOUT_SECONDS": "5",
    "FULFILMENT_MAX_ATTEMPTS": "3",
    "FULFILMENT_GIVE_UP_SECONDS": "3600",
    "FULFILMENT_BACKOFF_BASE_SECONDS": "5",
}

_SUB = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def substitute(text: str, values: dict[str, str]) -> str:
    """Replace ``${Name}`` placeholders. Raises KeyError on a placeholder without a value."""
    return _SUB.sub(lambda m: values[m.group(1)], text)


def placeholders(asl_file: str) -> set[str]:
    return set(_SUB.findall((ASL_DIR / asl_file).read_text()))


def connectors() -> list[str]:
    """The registered payout connectors (``payrail.providers.registry``, imported on demand)."""
    from payrail.providers import registry

    return list(registry.REGISTRY)


def connector_secret_name(connector: str) -> str:
    """The AWS Secrets Manager secret holding a connector's credentials (one per connector)."""
    return f"{PREFIX}/connectors/{connector}"


def connector_env_names() -> list[str]:
    """Every connector's settings variables except its credentials (which stay in its secret),
    and the variable naming its secret."""
    from payrail.providers import registry

    out = []
    for name in registry.REGISTRY:
        secret = set(registry.secret_fields(name))
        out += [var for var, field in registry.env_names(name).items() if field not in secret]
        out.append(registry.secret_env_name(name))
    return out


def env_names(fn: Function) -> tuple[str, ...]:
    """The variables ``fn`` may be given: its settings, and the connectors' when it calls providers."""
    return fn.env + (tuple(connector_env_names()) if fn.connectors else ())


def resource_env(fn: Function, table_names: dict[str, str], queue_urls: dict[str, str],
                 machine_arns: dict[str, str], bucket_name: str, extra: dict[str, str],
                 secret_arns: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of ``fn``: resource references first (``secret_arns``: connector -> the
    ARN of its secret), then configuration from ``extra`` (falling back to CONFIG_DEFAULTS); a
    configuration variable with neither is left out, so the function runs with the settings
    model's default (``payrail.core.settings.Settings`` or the connector's settings model, the one
    place a setting and its default live)."""
    from payrail.providers import registry

    refs = {registry.secret_env_name(c): arn for c, arn in (secret_arns or {}).items()}
    refs |= {
        "LEDGER_TABLE": table_names["ledger"], "MAIN_TABLE": table_names["main"],
        "IDEMPOTENCY_TABLE": table_names["idempotency"], "RATE_LIMIT_TABLE": table_names["rate-limits"],
        "REPORTS_BUCKET": bucket_name,
        "FULFILMENT_QUEUE_URL": queue_urls["fulfilment"], "PAYOUT_QUEUE_URL": queue_urls["payouts"],
        "PAYMENT_QUEUE_URL": queue_urls["payments"], "RECONCILIATION_QUEUE_URL": queue_urls["reconciliation"],
        "PAYOUT_STATE_MACHINE_ARN": machine_arns["payout"],
        "SETTLEMENT_STATE_MACHINE_ARN": machine_arns["settlement"],
        "EVENTS_TABLE": table_names["events"], "WEBHOOKS_TABLE": table_names["webhooks"],
        "WEBHOOK_QUEUE_URL": queue_urls["webhooks"], "EVENT_BUS_NAME": EVENT_BUS.name,
    }
    env = {}
    for var in env_names(fn):
        value = refs[var] if var in refs else extra.get(var, CONFIG_DEFAULTS.get(var))
        if value is not None:
            env[var] = value
    return env


def asl(machine_id: str) -> dict:
    """The raw ASL document of a state machine (placeholders left in string values)."""
    return json.loads((ASL_DIR / STATE_MACHINES[machine_id].asl).read_text())
