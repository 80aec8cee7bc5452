"""Configuration of the local cloud (ports, data directory, logs, function settings)."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from infra.catalog import ROOT
from infra.local.standins import STANDINS


class LocalConfig(BaseModel):
    """Where and how the local cloud runs. Everything binds to ``host`` (loopback only)."""

    host: str = "127.0.0.1"
    #: ``embedded``: DynamoDB Local + moto + payrail's event sources; ``localstack``: LocalStack's
    #: services (started from ``localstack_venv``) run everything, payrail's runtime hosts the handlers
    target: Literal["embedded", "localstack"] = "embedded"
    api_port: int = 3000
    moto_port: int = 4566
    dynamodb_port: int = 8000
    fulfilment_port: int = 4581
    #: one stand-in per payout connector (infra.local.standins.STANDINS): connector -> port
    standin_ports: dict[str, int] = Field(default_factory=lambda: {n: s.default_port for n, s in STANDINS.items()})
    webhook_receiver_port: int = 4590  # the local merchant's webhook receiver (standins/webhook_receiver.py)
    runtime_port: int = 4599  # the function runtime's invoke endpoint (moto / LocalStack's executor call it)
    localstack_port: int = 4566
    localstack_venv: Path = ROOT / ".build" / "localstack-venv"
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
    process_functions: set[str] = Field(default_factory=lambda: {"settlement", "reconciliation"})
    #: function settings overriding catalog.CONFIG_DEFAULTS (fast retries for local use; webhook URLs
    #: may be http to loopback, for the local receiver; webhook retries after 1, 2, 5, 10, 30, 60 s
    #: for up to 10 minutes instead of 5 s … 10 h for 3 days)
    function_config: dict[str, str] = Field(default_factory=lambda: {
        "PAYOUT_BACKOFF_BASE_SECONDS": "1", "PAYOUT_BACKOFF_MAX_SECONDS": "30", "FULFILMENT_BACKOFF_BASE_SECONDS": "1",
        "WEBHOOK_LOCAL_MODE": "true", "WEBHOOK_RETRY_SCHEDULE": "1,2,5,10,30,60",
        "WEBHOOK_RETRY_HORIZON_SECONDS": "600",
        **{f"CONNECTOR_{n.upper()}_TIMEOUT_SECONDS": "5" for n in STANDINS},
        # each settlement environment is a process here (process_functions); 16 hide the latency
        # of each slice's calls on 2 cores (8 left a third of the CPU idle at 1,000,000 rows)
        "SETTLEMENT_MAX_CONCURRENCY": "16",
        # a reconciliation shard's key ranges read at once (each reconciliation environment a process too;
        # more threads hold more parsed pages at once)
        "RECONCILIATION_CONCURRENCY": "12",
        # mobile-money payments expire after 30 s locally (300 s deployed), looked at after 1, 2, 4, 5 … s
        "TRANSACTION_TIMEOUT_SECONDS": "30", "PAYMENT_BACKOFF_BASE_SECONDS": "1", "PAYMENT_BACKOFF_MAX_SECONDS": "5",
        # an order whose fulfilment outcome stays unknown is FULFILMENT_UNKNOWN 2 minutes after
        # payment locally (1 hour deployed)
        "FULFILMENT_GIVE_UP_SECONDS": "120"})

    @property
    def localstack(self) -> bool:
        return self.target == "localstack"

    @property
    def aws_endpoint(self) -> str:
        port = self.localstack_port if self.localstack else self.moto_port
        return self.endpoint_url or f"http://{self.host}:{port}"

    @property
    def dynamodb_endpoint(self) -> str:
        if self.localstack:
            return self.dynamodb_endpoint_url or self.aws_endpoint
        return self.dynamodb_endpoint_url or f"http://{self.host}:{self.dynamodb_port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    def standin_url(self, connector: str) -> str:
        """The stand-in's root (its ``/_control`` and ``/_stats`` live here)."""
        return f"http://{self.host}:{self.standin_ports[connector]}"

    def connector_base_url(self, connector: str) -> str:
        """What the connector is pointed at (the stand-in, with the provider's base path)."""
        return self.standin_url(connector) + STANDINS[connector].base_path

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

    def connector_credentials(self) -> dict[str, dict[str, str]]:
        """What each connector's secret holds locally: its stand-in's credentials."""
        return {name: dict(STANDINS[name].credentials) for name in self.standin_ports}

    def function_settings(self) -> dict[str, str]:
        """Configuration variables given to every function (on top of resource references)."""
        return {
            "ADMIN_TOKEN_SHA256": hashlib.sha256(self.admin_token.encode()).hexdigest(),
            **{f"CONNECTOR_{n.upper()}_BASE_URL": self.connector_base_url(n) for n in self.standin_ports},
            "FULFILMENT_URL": f"{self.fulfilment_url}/fulfilments",
            **self.function_config,
        }
