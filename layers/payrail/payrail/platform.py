"""Wiring: builds the aggregates and AWS clients once per process from :class:`Settings`."""
from __future__ import annotations

import time
from functools import cached_property

from payrail import ddb
from payrail.fulfilment import FulfilmentClient
from payrail.ledger import Ledger
from payrail.merchants import Merchants
from payrail.orders import Orders
from payrail.payouts import Payouts
from payrail.providers.sandbox import SandboxProvider
from payrail.settings import Settings
from payrail.settlement import Settlements
from payrail.store import MainTable
from payrail.wallets import Wallets


class Platform:
    """Lazily built domain objects sharing one set of clients (safe to keep across invocations)."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger(self.settings.ledger_table)

    @cached_property
    def main(self) -> MainTable:
        return MainTable(self.settings.main_table)

    @cached_property
    def merchants(self) -> Merchants:
        return Merchants(self.main, self.settings.api_key_cache_seconds)

    @cached_property
    def wallets(self) -> Wallets:
        return Wallets(self.ledger, self.main)

    @cached_property
    def orders(self) -> Orders:
        return Orders(self.ledger, self.main)

    @cached_property
    def payouts(self) -> Payouts:
        return Payouts(self.ledger, self.main)

    @cached_property
    def settlements(self) -> Settlements:
        return Settlements(self.ledger, self.main, ddb.client("s3"), self.settings.reports_bucket)

    @cached_property
    def provider(self) -> SandboxProvider:
        return SandboxProvider(str(self.settings.provider_url), self.settings.provider_timeout_seconds)

    @cached_property
    def fulfilment(self) -> FulfilmentClient:
        return FulfilmentClient(str(self.settings.fulfilment_url), self.settings.fulfilment_timeout_seconds,
                                self.settings.fulfilment_attempts)

    def health(self) -> dict:
        """Check every dependency: ``{"ok": bool, "checks": {name: {"ok", "ms", "error"?}}}``."""
        s = self.settings
        checks = {
            f"dynamodb:{t}": (lambda t=t: ddb.client().describe_table(TableName=t))
            for t in (s.ledger_table, s.main_table, s.idempotency_table)
        }
        for name, url in (("sqs:fulfilment", s.fulfilment_queue_url), ("sqs:payouts", s.payout_queue_url)):
            if url:
                checks[name] = lambda url=url: ddb.client("sqs").get_queue_attributes(
                    QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        out = {}
        for name, fn in checks.items():
            t0 = time.perf_counter()
            try:
                fn()
                out[name] = {"ok": True}
            except Exception as e:  # noqa: BLE001 - a health check reports any failure
                out[name] = {"ok": False, "error": f"{type(e).__name__}: {str(e)[:200]}"}
            out[name]["ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return {"ok": all(c["ok"] for c in out.values()), "checks": out}
