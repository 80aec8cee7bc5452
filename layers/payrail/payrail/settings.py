"""Settings: one pydantic model, validated once when a function starts.

Handlers call :meth:`Settings.from_env` with ``os.environ``; domain code receives the model.
Resource names come from ``infra/catalog.py`` through each function's environment.
"""
from __future__ import annotations

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
    fulfilment_attempts: int = Field(default=10, ge=1, le=30,
                                     description="looks at an order (first POST included) before its message "
                                                 "is left to SQS redelivery and the DLQ")
    fulfilment_backoff_base_seconds: int = Field(default=5, ge=1, le=900,
                                                 description="delay before the second look; doubles each time, "
                                                             "at most 900")
    provider_url: HttpUrl = HttpUrl("http://127.0.0.1:4580")
    provider_timeout_seconds: float = Field(default=5.0, gt=0)
    payout_max_attempts: int = Field(default=4, ge=1, le=20)
    payout_backoff_base_seconds: int = Field(default=2, ge=1)
    default_fee_bps: int = Field(default=290, ge=0, le=10_000)
    api_key_cache_seconds: int = Field(default=60, ge=0)
    idempotency_ttl_seconds: int = Field(default=86_400, ge=60)
    presign_seconds: int = Field(default=3_600, ge=60)
    health_deadline_seconds: float = Field(default=3.0, gt=0, description="all health checks answer within this")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        """Build settings from an environment mapping (see ENV_VARS); unknown variables are ignored.

        Raises:
            pydantic.ValidationError: a variable has a value of the wrong shape.
        """
        return cls.model_validate({field: env[var] for var, field in ENV_VARS.items() if var in env})

    def backoff_schedule(self) -> list[int]:
        """Seconds to wait before each payout retry: base, 2*base, 4*base ... (one per attempt)."""
        return [self.payout_backoff_base_seconds * 2**i for i in range(self.payout_max_attempts)]


#: environment variable -> Settings field
ENV_VARS: dict[str, str] = {
    "LEDGER_TABLE": "ledger_table",
    "MAIN_TABLE": "main_table",
    "IDEMPOTENCY_TABLE": "idempotency_table",
    "REPORTS_BUCKET": "reports_bucket",
    "FULFILMENT_QUEUE_URL": "fulfilment_queue_url",
    "PAYOUT_QUEUE_URL": "payout_queue_url",
    "PAYOUT_STATE_MACHINE_ARN": "payout_state_machine_arn",
    "SETTLEMENT_STATE_MACHINE_ARN": "settlement_state_machine_arn",
    "ADMIN_TOKEN_SHA256": "admin_token_sha256",
    "FULFILMENT_URL": "fulfilment_url",
    "FULFILMENT_TIMEOUT_SECONDS": "fulfilment_timeout_seconds",
    "FULFILMENT_ATTEMPTS": "fulfilment_attempts",
    "FULFILMENT_BACKOFF_BASE_SECONDS": "fulfilment_backoff_base_seconds",
    "PROVIDER_URL": "provider_url",
    "PROVIDER_TIMEOUT_SECONDS": "provider_timeout_seconds",
    "PAYOUT_MAX_ATTEMPTS": "payout_max_attempts",
    "PAYOUT_BACKOFF_BASE_SECONDS": "payout_backoff_base_seconds",
    "DEFAULT_FEE_BPS": "default_fee_bps",
    "API_KEY_CACHE_SECONDS": "api_key_cache_seconds",
}

