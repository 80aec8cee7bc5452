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
    #: functions whose execution environments are processes of their own, so each one's memory
    #: is measured (``infra.local.environments``); the others run on threads of the runtime
    process_functions: set[str] = Field(default_factory=lambda: {"settlement"})
    #: function settings overriding catalog.CONFIG_DEFAULTS (fast retries for local use)
    function_config: dict[str, str] = Field(default_factory=lambda: {
        "PAYOUT_BACKOFF_BASE_SECONDS": "1", "PROVIDER_TIMEOUT_SECONDS": "5", "FULFILMENT_BACKOFF_BASE_SECONDS": "1",
        # each settlement environment is a process here (process_functions); 16 hide the latency
        # of each slice's calls on 2 cores (8 left a third of the CPU idle at 1,000,000 rows)
        "SETTLEMENT_MAX_CONCURRENCY": "16"})

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
