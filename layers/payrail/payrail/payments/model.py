"""The payment and what it carries: its recipient, risk assessment, route candidates and chosen
route, attempts at the provider, failovers and refund. The domain answers with these (frozen)
models; the API's ``Payment`` is their public view (``payrail.api.models.payments``).

Built from the stored item by :func:`payrail.payments.records.load` (``model_construct`` with its
nested entities and enums: payrail wrote the item, so the hot path pays no validation). Fields the
model does not name stay on it (``extra``), so a payment's answer is its item as clients see it,
field for field.
"""
from __future__ import annotations

from typing import Literal, Protocol

from pydantic import ConfigDict, Field

from payrail.core.floats import FloatBalance
from payrail.core.entity import Entity
from payrail.core.lifecycle import StatusChange
from payrail.payments.workflow import PaymentStatus


class FloatFunding(Entity):
    """The admin's funding of a merchant's float at one provider, and the float after it."""

    merchant_id: str
    provider: str
    currency: str
    amount: int
    journal_id: str
    float: FloatBalance


class RecipientRequest(Protocol):
    """The recipient a payment is asked for: a Ghana mobile number, the holder's name and,
    for a ported number, its network (``MTN``, ``AT``, ``TELECEL``; None: from the prefix)."""

    phone: str
    name: str
    network: str | None


class Recipient(Entity):
    phone: str
    name: str | None = None
    network: str
    detected_network: str | None = None
    network_source: Literal["detected", "explicit"]
    ported: bool


class RouteCandidate(Entity):
    provider: str
    network: str
    on_net: bool
    fee: int
    total: int
    float_available: int
    eligible: bool
    successes: int
    failures: int
    reliability_pct: int = Field(description="smoothed success rate over the window, percent")
    healthy: bool
    score: int = Field(description="0..1000: 0.7 · reliability · health + 0.3 · fee score")
    rank: int | None = None
    explored: bool
    why: str


class Route(Entity):
    provider: str
    network: str
    on_net: bool
    fee: int
    score: int
    explored: bool
    why: str
    failover: int = Field(description="0 for the first route, n after n failovers")


class RiskReason(Entity):
    rule: str
    score: int
    detail: str


class Risk(Entity):
    score: int
    reasons: list[RiskReason]
    decision: Literal["accept", "decline"]


class PaymentAttempt(Entity):
    number: int
    at: str
    provider: str
    transfer_id: str
    result: str
    detail: str | None = None
    provider_reference: str | None = None


class Failover(Entity):
    at: str
    from_provider: str
    to_provider: str
    why: str


class Refund(Entity):
    reversal_id: str
    provider_reference: str | None = None
    at: str


class Payment(Entity):
    model_config = ConfigDict(extra="allow")

    payment_id: str
    merchant_id: str
    amount: int
    currency: str
    fee: int
    total: int | None = Field(default=None, description="amount + fee, held from the route's float")
    network: str
    recipient: Recipient
    description: str | None = None
    metadata: dict[str, str] | None = None
    status: PaymentStatus
    status_history: list[StatusChange]
    created_at: str
    updated_at: str
    risk: Risk | None = None
    route: Route | None = None
    candidates: list[RouteCandidate] | None = None
    route_order: list[str] | None = None
    route_index: int | None = None
    provider: str | None = None
    transfer_id: str | None = None
    provider_key: str | None = None
    provider_reference: str | None = None
    provider_status: str | None = None
    expires_at: str | None = None
    estimated_completion_at: str | None = None
    confirmed_at: str | None = None
    looks: int
    submissions: int
    route_submissions: int | None = None
    attempts: list[PaymentAttempt]
    failovers: list[Failover] | None = None
    last_checked_at: str | None = None
    last_error: str | None = None
    failure_reason: str | None = None
    expiry_reason: str | None = None
    cancel_reason: str | None = None
    refund: Refund | None = None
    late_provider_status: str | None = None
    late_provider_status_at: str | None = None
