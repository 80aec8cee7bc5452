"""Business metrics: the outcomes the outbox's events record, counted by final status and provider.

Every final change of a payout, a payment or a settlement job writes its event in the transaction
that makes the change (:mod:`payrail.core.events`), so counting the events the stream consumer
publishes counts each outcome once per publication (at least once: a group of ten republished
after a failure may count twice). This module only names and counts; the consumer
(``functions/events``) emits the counts as CloudWatch metrics (Powertools EMF), and the stack's
alarms and dashboard (``infra/monitoring.py``) read the same names from here.

Metrics (namespace :data:`NAMESPACE`, unit Count, dimensions ``service`` = :data:`SERVICE` and)::

    Payouts         provider, status   SUCCEEDED | FAILED | CANCELLED
    Payments        provider, status   CONFIRMED | FAILED | EXPIRED | CANCELLED | REFUNDED
    SettlementJobs  status             COMPLETED | FAILED | CANCELLED

``provider`` is a registered connector's name (a bounded set), or :data:`NO_PROVIDER` when the
object ended before reaching one (a payout rejected in review, a payment declined by its risk
checks), so that a provider's success rate only counts what the provider decided.

Beside the outcomes, each call to a provider (:class:`payrail.providers.slots.Providers` times it,
whatever it answers or raises) is one data point of::

    ProviderLatency  provider, operation   Milliseconds   operation: submit | status
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from payrail.payments.workflow import PaymentStatus
from payrail.payouts.workflow import DISPATCHABLE

NAMESPACE = "payrail"
#: the ``service`` dimension of the business metrics (fixed, so that alarms can name it)
SERVICE = "payrail"
PAYOUTS, PAYMENTS, SETTLEMENT_JOBS = "Payouts", "Payments", "SettlementJobs"
NO_PROVIDER = "none"
#: a provider call's latency (unit Milliseconds), by provider and :data:`LATENCY_OPERATIONS`
PROVIDER_LATENCY = "ProviderLatency"
LATENCY_OPERATIONS = ("submit", "status")
#: the final statuses of each metric, by event type
FINAL = {
    "payout.succeeded": (PAYOUTS, "SUCCEEDED"), "payout.failed": (PAYOUTS, "FAILED"),
    "payout.cancelled": (PAYOUTS, "CANCELLED"),
    "payment.confirmed": (PAYMENTS, "CONFIRMED"), "payment.failed": (PAYMENTS, "FAILED"),
    "payment.expired": (PAYMENTS, "EXPIRED"), "payment.cancelled": (PAYMENTS, "CANCELLED"),
    "payment.refunded": (PAYMENTS, "REFUNDED"),
    "settlement.completed": (SETTLEMENT_JOBS, "COMPLETED"), "settlement.failed": (SETTLEMENT_JOBS, "FAILED"),
    "settlement.cancelled": (SETTLEMENT_JOBS, "CANCELLED"),
}
#: statuses an object is in while its provider decides it: a final change from one of these is the
#: provider's (a payout the worker dispatches; a payment accepted and routed, or paid and then reversed)
AT_PROVIDER = {PAYOUTS: tuple(DISPATCHABLE),
               PAYMENTS: (PaymentStatus.PENDING, PaymentStatus.PROCESSING, PaymentStatus.CONFIRMED)}
#: what a provider's success rate counts: succeeded / (succeeded + failed), per metric
SUCCEEDED = {PAYOUTS: ("SUCCEEDED",), PAYMENTS: ("CONFIRMED",)}
FAILED = {PAYOUTS: ("FAILED",), PAYMENTS: ("FAILED", "EXPIRED")}


@dataclass(frozen=True)
class Outcome:
    """One metric data point's identity: its name and dimensions (``service`` included)."""

    metric: str
    dimensions: tuple[tuple[str, str], ...]

    @property
    def dims(self) -> dict[str, str]:
        return dict(self.dimensions)


def outcome(item: dict, providers: Iterable[str]) -> Outcome | None:
    """The outcome an outbox item records, or None (not a final change).

    Args:
        item: an ``events`` table item (``type`` and ``body``, the event's JSON text; or an event
            body itself, with ``type`` and ``data``).
        providers: the registered connectors; any other provider name counts as ``other``, so the
            dimension stays bounded.
    """
    final = FINAL.get(item.get("type", ""))
    if final is None:
        return None
    metric, status = final
    if metric == SETTLEMENT_JOBS:
        return Outcome(metric, (("service", SERVICE), ("status", status)))
    body = json.loads(item["body"]) if "body" in item else item
    obj = (body.get("data") or {}).get("object") or {}
    history = obj.get("status_history") or []
    before = history[-2].get("status") if len(history) >= 2 else None
    provider = obj.get("provider")
    if not provider or before not in AT_PROVIDER[metric]:
        provider = NO_PROVIDER
    elif provider not in set(providers):
        provider = "other"
    return Outcome(metric, (("service", SERVICE), ("provider", provider), ("status", status)))


def tally(items: Iterable[dict], providers: Iterable[str]) -> Counter[Outcome]:
    """How many of each :class:`Outcome` the items record (items that record none are skipped)."""
    providers = tuple(providers)
    return Counter(o for o in (outcome(i, providers) for i in items) if o is not None)


def emit(counts: Counter[Outcome]) -> None:
    """Print each count as one CloudWatch embedded-metric-format record (Powertools
    ``single_metric``: its own dimensions, unlike a handler's shared ``Metrics``); CloudWatch Logs
    turns the function's stdout into the metrics. Zero counts are skipped."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    for o, n in sorted(counts.items(), key=lambda kv: kv[0].dimensions + ((kv[0].metric, ""),)):
        if n:
            with single_metric(name=o.metric, unit=MetricUnit.Count, value=n, namespace=NAMESPACE,
                               default_dimensions=o.dims):
                pass


def emit_latency(provider: str, operation: str, ms: float) -> None:
    """Print one :data:`PROVIDER_LATENCY` data point (EMF, dimensions ``service``, ``provider``,
    ``operation``) for a call to ``provider`` that took ``ms`` milliseconds."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(name=PROVIDER_LATENCY, unit=MetricUnit.Milliseconds, value=round(ms, 3), namespace=NAMESPACE,
                       default_dimensions={"service": SERVICE, "provider": provider, "operation": operation}):
        pass
