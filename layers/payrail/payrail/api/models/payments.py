"""Mobile-money payments to Ghana wallets, and the admin's float top-ups."""
from typing import Literal

from pydantic import Field

from payrail.api.models import Amount, FloatBalance, MERCHANT_ID, Metadata, Model, StatusChange, Strict, of_enum
from payrail.payments.workflow import PaymentStatus

__all__ = ["PAYMENT_ID", "Network", "PaymentStatusName", "MomoProvider", "RecipientIn", "PaymentIn", "Recipient",
           "RouteCandidate", "Route", "RiskReason", "Risk", "PaymentAttempt", "Failover", "Refund", "Payment",
           "PaymentPage", "FloatTopUpIn", "FloatTopUp"]

PAYMENT_ID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
Network = Literal["MTN", "AT", "TELECEL"]
PaymentStatusName = of_enum(PaymentStatus)
MomoProvider = Literal["mtn_momo", "airteltigo", "telecel"]


class RecipientIn(Strict):
    phone: str = Field(min_length=7, max_length=20, pattern=r"^\+?[0-9][0-9 -]{6,19}$",
                       description="Ghana mobile number, E.164 (+233241234561) or national (0241234561); stand-in "
                                   "scenarios by the last digit: 1 ok, 2 pending then ok, 3 fails, 4 no answer, "
                                   "5 no float at the provider")
    name: str = Field(min_length=1, max_length=100)
    network: Network | None = Field(default=None, description="the network holding the wallet when the number was "
                                                              "ported (default: detected from the prefix)")


class PaymentIn(Strict):
    amount: Amount
    currency: Literal["GHS"]
    recipient: RecipientIn
    description: str | None = Field(default=None, max_length=140)
    metadata: Metadata | None = None


class Recipient(Model):
    phone: str
    name: str | None = None
    network: str
    detected_network: str | None = None
    network_source: Literal["detected", "explicit"]
    ported: bool


class RouteCandidate(Model):
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


class Route(Model):
    provider: str
    network: str
    on_net: bool
    fee: int
    score: int
    explored: bool
    why: str
    failover: int = Field(description="0 for the first route, n after n failovers")


class RiskReason(Model):
    rule: str
    score: int
    detail: str


class Risk(Model):
    score: int
    reasons: list[RiskReason]
    decision: Literal["accept", "decline"]


class PaymentAttempt(Model):
    number: int
    at: str
    provider: str
    transfer_id: str
    result: str
    detail: str | None = None
    provider_reference: str | None = None


class Failover(Model):
    at: str
    from_provider: str
    to_provider: str
    why: str


class Refund(Model):
    reversal_id: str
    provider_reference: str | None = None
    at: str


class Payment(Model):
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
    status: PaymentStatusName
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


class PaymentPage(Model):
    data: list[Payment]
    has_more: bool


class FloatTopUpIn(Strict):
    merchant_id: str = Field(pattern=MERCHANT_ID, max_length=18)
    provider: MomoProvider
    currency: Literal["GHS"]
    amount: Amount


class FloatTopUp(Model):
    merchant_id: str
    provider: str
    currency: str
    amount: int
    journal_id: str
    float: FloatBalance
