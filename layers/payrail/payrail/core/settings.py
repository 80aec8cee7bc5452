"""Settings: one pydantic model, validated once when a function starts.

Handlers call :meth:`Settings.from_env` with ``os.environ``; domain code receives the model.
Resource names come from ``infra/catalog.py`` through each function's environment.
"""
from collections.abc import Mapping

from pydantic import BaseModel, Field, HttpUrl


class Settings(BaseModel):
    """Validated configuration of a payrail function (all durations in seconds)."""

    ledger_table: str = "payrail-ledger"
    main_table: str = "payrail-main"
    idempotency_table: str = "payrail-idempotency"
    reports_bucket: str = "payrail-reports"
    fulfilment_queue_url: str = ""
    payout_queue_url: str = ""
    payout_state_machine_arn: str = ""
    settlement_state_machine_arn: str = ""
    admin_token_sha256: str = Field(default="", pattern=r"^([0-9a-f]{64})?$",
                                    description="hex SHA-256 of the admin bearer token; empty disables admin routes")
    fulfilment_url: HttpUrl = HttpUrl("http://127.0.0.1:4581/fulfilments")
    fulfilment_timeout_seconds: float = Field(default=5.0, gt=0, description="per request to the fulfilment service")
    fulfilment_max_attempts: int = Field(default=3, ge=1, le=20,
                                         description="POSTs that provably never reached the fulfilment service "
                                                     "(refused connection, DNS or TLS failure, 429/502/503) before "
                                                     "the order is FAILED and refunded")
    fulfilment_give_up_seconds: int = Field(default=3_600, ge=1, le=7 * 86_400,
                                            description="from payment, how long an unknown fulfilment outcome is "
                                                        "looked up before the order is FULFILMENT_UNKNOWN for an "
                                                        "operator")
    fulfilment_backoff_base_seconds: int = Field(default=5, ge=1, le=900,
                                                 description="delay before the second look; doubles each time, "
                                                             "at most 900 (and never past the give-up deadline)")
    payout_max_attempts: int = Field(default=4, ge=1, le=20,
                                     description="status lookups that may fail before a payout that was never "
                                                 "sent is released (provider unreachable)")
    payout_backoff_base_seconds: int = Field(default=2, ge=1, description="first wait before looking at a "
                                             "transfer again; doubles each look")
    payout_backoff_max_seconds: int = Field(default=900, ge=1, le=86_400,
                                            description="longest wait between two looks at a transfer")
    payout_currencies: str = Field(default="PKR,INR", pattern=r"^([A-Z]{3}(,[A-Z]{3})*)?$",
                                   description="payout currencies a new merchant has enabled (comma-separated)")
    payout_review_threshold: int = Field(default=100_000, ge=1, le=10**12,
                                         description="payouts of at least this many major units of their currency "
                                                     "wait IN_REVIEW for an admin (per-merchant override)")
    provider_slot_wait_seconds: float = Field(default=2.0, ge=0, le=20,
                                              description="how long a worker waits for one of a provider's "
                                                          "in-flight slots before looking again later")
    provider_busy_retry_seconds: int = Field(default=2, ge=1, le=60,
                                             description="wait before trying again when a provider had no free slot")
    hold_age_bound_seconds: int = Field(default=86_400, ge=60, le=30 * 86_400,
                                        description="a payout's hold open longer than this is counted by the "
                                                    "scheduled hold sweep (its alarm: holds past the bound)")
    reservation_ttl_seconds: int = Field(default=900, ge=1, le=7 * 86_400,
                                         description="default lifetime of a reservation before it expires")
    reservation_fulfil_wait_seconds: float = Field(default=8.0, ge=0, le=20,
                                                   description="how long a fulfil waits for the provider's answer "
                                                               "before answering 202")
    connector_env: dict[str, str] = Field(default_factory=dict, repr=False,
                                          description="the CONNECTOR_* variables (payrail.providers.registry)")
    default_fee_bps: int = Field(default=290, ge=0, le=10_000)
    api_key_cache_seconds: int = Field(default=2, ge=0, le=5,
                                       description="how long one execution environment trusts a resolved API key "
                                                   "or merchant; a revoked key is refused everywhere within this")
    api_key_overlap_seconds: int = Field(default=86_400, ge=0, le=7 * 86_400,
                                         description="default time a rotated-out API key stays valid")
    idempotency_ttl_seconds: int = Field(default=86_400, ge=60)
    presign_seconds: int = Field(default=3_600, ge=60)
    rate_limit_table: str = "payrail-rate-limits"
    rate_limit_per_minute: int = Field(default=100, ge=1, le=100_000,
                                       description="requests per minute per merchant (overridable per merchant)")
    admin_rate_limit_per_minute: int = Field(default=10_000, ge=1, le=100_000)
    anonymous_rate_limit_per_minute: int = Field(default=60, ge=1, le=100_000,
                                                 description="per source IP, for unauthenticated routes and failed "
                                                             "authentication")
    callback_rate_limit_per_minute: int = Field(default=6_000, ge=1, le=1_000_000,
                                                description="per source IP, on the provider callback routes (a "
                                                            "quota of their own, far above a provider's callback "
                                                            "volume: it only stops floods)")
    max_body_bytes: int = Field(default=1_048_576, ge=1_024, le=6_291_456,
                                description="largest request body accepted (bytes); larger answers 413")
    settlement_max_active_jobs: int = Field(default=2, ge=1, le=100,
                                            description="settlement jobs one merchant (or the admin) may run at once")
    settlement_max_concurrency: int = Field(default=40, ge=1, le=1_000,
                                            description="slices of one settlement job read at once (Map "
                                                        "MaxConcurrency; an inline Map runs at most 40)")
    # ---- reconciliation (payrail.reconciliation) ----
    reconciliation_queue_url: str = ""
    reconciliation_grace_seconds: int = Field(default=900, ge=0, le=86_400,
                                              description="timing window around a run's day boundaries: a transfer "
                                                          "payrail and the provider book on either side of midnight "
                                                          "within it is matched, never a break")
    reconciliation_booking_grace_seconds: int = Field(
        default=3_600, ge=0, le=43_200,
        description="settlement-file providers: a transfer payrail ended this long before a day's cut-off that "
                    "the day's file does not hold, while the next day's file is not in, is deferred to the next "
                    "day's run (the provider may book it there), not a break")
    reconciliation_concurrency: int = Field(default=4, ge=1, le=16,
                                            description="shards of one reconciliation run matched at once (threads)")
    health_deadline_seconds: float = Field(default=3.0, gt=0, description="all health checks answer within this")
    # ---- events and webhooks (payrail.core.events, payrail.webhooks) ----
    events_table: str = "payrail-events"
    webhooks_table: str = "payrail-webhooks"
    event_bus_name: str = "payrail-events"
    webhook_queue_url: str = ""
    webhook_local_mode: bool = Field(default=False,
                                     description="local cloud: http to loopback hosts allowed, private addresses "
                                                 "not refused; deployed (false): https only, and webhook URLs that "
                                                 "resolve to private, loopback or link-local addresses are refused")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=30,
                                           description="a delivery attempt answered 2xx within this is delivered")
    webhook_retry_schedule: str = Field(default="5,300,1800,7200,18000,36000", pattern=r"^\d+(,\d+)*$",
                                        description="seconds before each retry (Svix's schedule); the last value "
                                                    "repeats until the horizon; each delay gets ±20% jitter")
    webhook_retry_horizon_seconds: int = Field(default=3 * 86_400, ge=1,
                                               description="no retry is scheduled later than this after the first "
                                                           "attempt (3 days)")
    webhook_disable_after_seconds: int = Field(default=5 * 86_400, ge=1,
                                               description="an endpoint whose every attempt failed for this long is "
                                                           "disabled (the reason is shown to the merchant)")
    webhook_endpoint_concurrency: int = Field(default=4, ge=1, le=50,
                                              description="delivery attempts in flight to one endpoint at most")
    webhook_secret_overlap_seconds: int = Field(default=86_400, ge=0, le=7 * 86_400,
                                                description="a rotated-out signing secret keeps signing this long")
    webhook_max_endpoints: int = Field(default=16, ge=1, le=100, description="webhook endpoints per merchant")

    # ---- mobile-money payments (payrail.payments) ----
    payment_queue_url: str = ""
    transaction_timeout_seconds: int = Field(default=300, ge=5, le=86_400,
                                             description="a PENDING or PROCESSING payment older than this is "
                                                         "EXPIRED once its provider has been asked")
    min_transaction_amount: int = Field(default=100, ge=1, description="smallest payment, pesewas (1.00 GHS)")
    max_transaction_amount: int = Field(default=5_000_000, ge=1, description="largest payment, pesewas (50,000.00 GHS)")
    payment_backoff_base_seconds: int = Field(default=2, ge=1, le=900, description="first wait before looking at an "
                                              "open transfer again; doubles each look")
    payment_backoff_max_seconds: int = Field(default=60, ge=1, le=900)
    payment_fee_on_net_bps: int = Field(default=50, ge=0, le=10_000, description="fee of a same-network payment")
    payment_fee_off_net_bps: int = Field(default=150, ge=0, le=10_000,
                                         description="fee of an off-net payment through mobile-money interoperability")
    payment_fee_off_net_min: int = Field(default=50, ge=0, description="smallest off-net fee, pesewas")
    payment_routing_window_seconds: int = Field(default=900, ge=15, le=86_400,
                                                description="sliding window of provider success rates")
    payment_routing_exploration: float = Field(default=0.05, ge=0, le=1,
                                               description="share of payments routed to a random other eligible "
                                                           "provider, so a recovered provider gets traffic again")
    payment_velocity_window_seconds: int = Field(default=3600, ge=60, le=86_400)
    payment_recipient_max_count: int = Field(default=10, ge=1)
    payment_recipient_max_amount: int = Field(default=10_000_000, ge=1, description="pesewas per window per number")
    payment_merchant_max_count: int = Field(default=10_000, ge=1)
    payment_merchant_max_amount: int = Field(default=500_000_000, ge=1, description="pesewas per window per merchant")
    payment_duplicate_window_seconds: int = Field(default=300, ge=0)
    payment_duplicate_score: int = Field(default=50, ge=0, le=1000)
    payment_risk_decline_score: int = Field(default=100, ge=1, le=1000)
    payment_blocklist: str = Field(default="", pattern=r"^(\+233\d{9}(,\+233\d{9})*)?$",
                                   description="recipient numbers refused (E.164, comma-separated)")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        """Build settings from an environment mapping (``FIELD_NAME`` in upper case); unknown variables are ignored.

        Raises:
            pydantic.ValidationError: a variable has a value of the wrong shape.
        """
        return cls.model_validate({field: env[var] for var, field in ENV_VARS.items() if var in env}
                                  | {"connector_env": {k: v for k, v in env.items() if k.startswith("CONNECTOR_")}})

    def enabled_payout_currencies(self) -> list[str]:
        return [c for c in self.payout_currencies.split(",") if c]

    def retry_schedule(self) -> list[int]:
        """``webhook_retry_schedule`` as seconds, one per retry (the last one repeats)."""
        return [int(x) for x in self.webhook_retry_schedule.split(",")]


#: environment variable -> Settings field: each field's name in upper case (one place for a setting)
ENV_VARS: dict[str, str] = {name.upper(): name for name in Settings.model_fields if name != "connector_env"}
