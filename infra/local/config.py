"""Configuration of the local cloud (ports, data directory, logs, function settings)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, Field

from infra.catalog import ROOT


class LocalConfig(BaseModel):
    """Where and how the local cloud runs. Everything binds to ``host`` (loopback only)."""

    host: str = "127.0.0.1"
    api_port: int = 3000
    moto_port: int = 4566
    dynamodb_port: int = 8000
    provider_port: int = 4580
    fulfilment_port: int = 4581
    webhook_receiver_port: int = 4590  # the local merchant's webhook receiver (standins/webhook_receiver.py)
    runtime_port: int = 4599  # the function runtime's invoke endpoint (moto calls it)
    data_dir: Path = ROOT / ".local"
    persist: bool = Field(default=False, description="keep DynamoDB data in data_dir between runs")
    region: str = "us-east-1"
    admin_token: str = "local-admin-token"
    log_level: str = "WARNING"
    #: external AWS-compatible endpoint (e.g. LocalStack at http://127.0.0.1:4566): no moto started
    endpoint_url: str | None = None
    #: external DynamoDB endpoint: no DynamoDB Local started
    dynamodb_endpoint_url: str | None = None
    schedules: bool = True
    #: function settings overriding catalog.CONFIG_DEFAULTS (fast retries for local use; webhook URLs
    #: may be http to loopback, for the local receiver; webhook retries after 1, 2, 5, 10, 30, 60 s
    #: for up to 10 minutes instead of 5 s … 10 h for 3 days)
    function_config: dict[str, str] = Field(default_factory=lambda: {
        "PAYOUT_BACKOFF_BASE_SECONDS": "1", "PROVIDER_TIMEOUT_SECONDS": "5", "FULFILMENT_BACKOFF_BASE_SECONDS": "1",
        "WEBHOOK_LOCAL_MODE": "true", "WEBHOOK_RETRY_SCHEDULE": "1,2,5,10,30,60",
        "WEBHOOK_RETRY_HORIZON_SECONDS": "600"})

    @property
    def aws_endpoint(self) -> str:
        return self.endpoint_url or f"http://{self.host}:{self.moto_port}"

    @property
    def dynamodb_endpoint(self) -> str:
        return self.dynamodb_endpoint_url or f"http://{self.host}:{self.dynamodb_port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def provider_url(self) -> str:
        return f"http://{self.host}:{self.provider_port}"

    @property
    def fulfilment_url(self) -> str:
        return f"http://{self.host}:{self.fulfilment_port}"

    @property
    def webhook_receiver_url(self) -> str:
        return f"http://{self.host}:{self.webhook_receiver_port}"

    @property
    def invoke_url(self) -> str:
        return f"http://{self.host}:{self.runtime_port}/invoke"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    def client_env(self) -> dict[str, str]:
        """Environment for any boto3 client of this cloud (tests, demo, bench, CLI)."""
        return {
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": "test",
            "AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region,
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb_endpoint,
            "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": self.dynamodb_endpoint,
        }

    def function_settings(self) -> dict[str, str]:
        """Configuration variables given to every function (on top of resource references)."""
        return {
            "ADMIN_TOKEN_SHA256": hashlib.sha256(self.admin_token.encode()).hexdigest(),
            "PROVIDER_URL": self.provider_url,
            "FULFILMENT_URL": f"{self.fulfilment_url}/fulfilments",
            **self.function_config,
        }
