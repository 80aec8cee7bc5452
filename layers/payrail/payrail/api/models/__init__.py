"""Request and response models of the HTTP API (the OpenAPI document's schemas).

Requests are **strict**: money, quantities and counts are integers (a bool, a string or a float —
even ``100.0`` — is refused), unknown fields are refused (Stripe's ``parameter_unknown``), every
id has a pattern and a maximum length, no text holds a C0 or C1 control character (names go to
providers and into CSV files), and ``metadata`` follows Stripe's rule (:data:`Metadata`).
Responses describe exactly what the routes return.

One module per resource (``common`` holds the shared types); this package re-exports them all, so
route modules name every model ``models.X``.
"""
from typing import Annotated, Any, Literal, Union

from pydantic import ConfigDict, Field

from payrail.core.patterns import VPA_PATTERN

# ---- shared types and the resources of their own module (re-exported: routes name them ``models.X``) ----
from payrail.api.models.common import *  # noqa: E402,F401,F403
from payrail.api.models.balances import *  # noqa: E402,F401,F403
from payrail.api.models.callbacks import *  # noqa: E402,F401,F403
from payrail.api.models.directory import *  # noqa: E402,F401,F403
from payrail.api.models.health import *  # noqa: E402,F401,F403
from payrail.api.models.merchants import *  # noqa: E402,F401,F403
from payrail.api.models.operations import *  # noqa: E402,F401,F403


# ---- wallets and balances -------------------------------------------------------------------------
class WalletMoveIn(Strict):
    merchant_id: str = Field(pattern=MERCHANT_ID, max_length=18)
    customer_id: CustomerId
    currency: Currency
    amount: Amount


class WalletMovement(Model):
    journal_id: str
    customer_id: str
    currency: str
    amount: int
    direction: Literal["credit", "debit"]
    balance_before: int | None
    balance_after: int | None
    created_at: str


class WalletBalance(Model):
    customer_id: str
    currency: str
    balance: int
    updated_at: str | None = None


# ---- products and orders ---------------------------------------------------------------------------
class ProductIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    price: Amount
    currency: Currency
    stock: int = Field(strict=True, ge=0, le=10**9)


class Product(Model):
    product_id: str
    merchant_id: str
    name: str
    price: int
    currency: str
    stock: int
    created_at: str


class OrderIn(Strict):
    product_id: str = Field(pattern=PRODUCT_ID, max_length=29)
    quantity: int = Field(strict=True, ge=1, le=1_000)
    customer_id: CustomerId


class LateFulfilment(Model):
    fulfilment_id: str
    at: str


class Order(Model):
    order_id: str
    merchant_id: str
    product_id: str
    quantity: int
    customer_id: str
    amount: int
    currency: str
    status: Literal["PAID", "FULFILMENT_PENDING", "FULFILMENT_UNKNOWN", "FULFILLED", "FAILED"] = Field(
        description="FULFILMENT_UNKNOWN: no definitive answer from the fulfilment service by "
                    "fulfilment_deadline; the money stays pending until the admin fails or fulfils it")
    created_at: str
    updated_at: str
    status_history: list[StatusChange]
    fulfilment_id: str | None = None
    fee: int | None = None
    failure_reason: str | None = None
    failure_kind: Literal["refused", "not_received", "operator"] | None = Field(
        default=None, description="why a FAILED order failed: the service refused it, it never received it after "
                                  "the bounded attempts, or the admin failed it")
    fulfilment_deadline: str | None = Field(default=None, description="when an unknown fulfilment outcome is "
                                                                      "given up (FULFILMENT_UNKNOWN)")
    fulfilment_attempts: int | None = Field(default=None, description="POSTs that provably never reached the "
                                                                      "fulfilment service")
    fulfilment_uncertain: bool | None = Field(default=None, description="an answer showed or left open that the "
                                                                        "service had the order: no refund without "
                                                                        "a definitive answer")
    last_error: str | None = None
    cancel_acknowledged_at: str | None = Field(default=None, description="the fulfilment service confirmed it "
                                                                         "will not deliver the FAILED order")
    late_fulfilment: LateFulfilment | None = Field(default=None, description="the service delivered after the "
                                                                             "order was failed and refunded")
    settled_by: Literal["admin"] | None = None


class OrderFulfilIn(Strict):
    fulfilment_id: str | None = Field(default=None, pattern=REFERENCE, max_length=64,
                                      description="the fulfilment service's id, when the operator knows it")
    note: str | None = Field(default=None, max_length=300)


# ---- beneficiaries and payouts ---------------------------------------------------------------------
Name = Annotated[str, Field(min_length=1, max_length=100, description="the account holder's name")]


class BankAccountIn(Strict):
    type: Literal["bank_account"]
    name: Name
    bank_code: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{2,20}$",
                                  description="a directory bank code (Pakistan) or an IFSC (India)")
    account_number: str | None = Field(default=None, pattern=r"^[0-9]{9,18}$",
                                       description="10-16 digits in Pakistan, 9-18 in India; stand-in suffixes: "
                                                   "0001 ok, 0002 transient, 0003 fails, 0004 pending, 0005 on hold")
    iban: str | None = Field(default=None, min_length=15, max_length=42, pattern=r"^[A-Za-z]{2}[0-9]{2}[A-Za-z0-9 ]+$",
                             description="instead of bank_code + account_number: a Pakistani IBAN")


class MobileWalletIn(Strict):
    type: Literal["mobile_wallet"]
    name: Name
    wallet_code: str = Field(pattern=r"^[A-Za-z]{2,20}$", description="a directory wallet code, e.g. JAZZCASH")
    msisdn: str = Field(pattern=r"^\+?[0-9][0-9 -]{6,19}$", description="the holder's mobile number: E.164 "
                        "(+923001234567) or national (03001234567)")


class UpiIn(Strict):
    type: Literal["upi"]
    name: Name
    vpa: str = Field(pattern=VPA_PATTERN, max_length=255, description="UPI address; sandbox: success@upi, invalid@upi")


BeneficiaryIn = Annotated[Union[BankAccountIn, MobileWalletIn, UpiIn], Field(discriminator="type")]


class Beneficiary(Model):
    type: Literal["bank_account", "mobile_wallet", "upi"]
    name: str
    country: str
    institution_name: str
    bank_code: str | None = None
    account_number: str | None = None
    iban: str | None = None
    wallet_code: str | None = None
    msisdn: str | None = None
    vpa: str | None = None


class PayoutIn(Strict):
    amount: Amount
    currency: Currency
    beneficiary: BeneficiaryIn | None = Field(default=None, description="exactly one of beneficiary and beneficiary_id")
    beneficiary_id: str | None = Field(default=None, pattern=BENEFICIARY_ID, max_length=28,
                                       description="a saved beneficiary")
    merchant_reference: str | None = Field(default=None, pattern=REFERENCE, max_length=64,
                                           description="your id for it, unique among your payouts")
    description: str | None = Field(default=None, max_length=140, description="sent to the provider as remarks")


class Attempt(Model):
    number: int
    run: int
    at: str
    transfer_id: str
    result: str = Field(description="the provider's answer to this submission: SUCCESS, FAILED, PENDING, ON_HOLD, "
                                    "REJECTED (refused, nothing created), UNKNOWN (no answer), NOT_DELIVERED")
    detail: str | None = None
    provider_reference: str | None = None


PayoutStatusName = Literal["PENDING", "IN_REVIEW", "PROCESSING", "ON_HOLD", "SUCCEEDED", "FAILED", "CANCELLED"]


class Payout(Model):
    payout_id: str
    merchant_id: str
    amount: int
    currency: str
    beneficiary: Beneficiary
    beneficiary_id: str | None = None
    merchant_reference: str | None = None
    description: str | None = None
    status: PayoutStatusName
    run: int = Field(description="1, then +1 at each reinitiation")
    provider: str = Field(description="the connector chosen at creation; every later step uses it")
    transfer_id: str = Field(description="this run's transfer id (the provider idempotency key)")
    provider_key: str = Field(description="what the provider calls the transfer")
    provider_reference: str | None = None
    provider_status: str | None = Field(default=None, description="the provider's last open status (PENDING, ON_HOLD)")
    attempts: list[Attempt] = Field(description="submissions to the provider and their answers")
    submissions: int
    checks: int = Field(description="looks at the provider in this run that found it open or unknown")
    last_checked_at: str | None = None
    next_check_at: str | None = Field(default=None, description="when the provider is asked again")
    last_error: str | None = None
    failure_reason: str | None = None
    cancel_reason: str | None = None
    hold_reason: str | None = Field(default=None, description="why the provider holds it (ON_HOLD)")
    review_reason: str | None = None
    review_decision: str | None = None
    cancel_requested_at: str | None = Field(default=None, description="a cancel of an ON_HOLD payout waits for the "
                                                                      "provider to refuse it")
    released_by: str | None = None
    reservation_id: str | None = None
    audit_id: str | None = None
    created_at: str
    updated_at: str
    status_history: list[StatusChange]


class PayoutPage(Model):
    data: list[Payout]
    has_more: bool


class DecisionIn(Strict):
    note: str | None = Field(default=None, max_length=300)


class VerifyIn(Strict):
    beneficiary: "BeneficiaryIn"


class SavedBeneficiaryIn(Strict):
    beneficiary: BeneficiaryIn
    nickname: str | None = Field(default=None, max_length=100)


class BeneficiaryVerification(Model):
    status: Literal["VERIFIED", "UNVERIFIED", "NOT_SUPPORTED"]
    account_title: str | None = None
    reason: str | None = None
    provider: str | None = None
    checked_at: str


class SavedBeneficiary(Model):
    beneficiary_id: str
    merchant_id: str
    details: Beneficiary
    nickname: str | None = None
    status: Literal["ACTIVE", "DISABLED"]
    verification: BeneficiaryVerification
    created_at: str
    updated_at: str
    status_history: list[StatusChange]


class SavedBeneficiaryPage(Model):
    data: list[SavedBeneficiary]
    has_more: bool


# ---- reservations --------------------------------------------------------------------------------------
class ReservationIn(Strict):
    amount: Amount
    currency: Currency
    beneficiary: BeneficiaryIn | None = Field(default=None, description="exactly one of beneficiary and beneficiary_id")
    beneficiary_id: str | None = Field(default=None, pattern=BENEFICIARY_ID, max_length=28)
    expires_in_seconds: int | None = Field(default=None, strict=True, ge=1, le=7 * 86_400,
                                           description="default: the platform's (900)")
    order_reference: str | None = Field(default=None, pattern=REFERENCE, max_length=64, description="your order id")


ReservationStatusName = Literal["RESERVED", "FULFILLING", "FULFILLED", "RELEASED", "EXPIRED"]


class Reservation(Model):
    reservation_id: str
    merchant_id: str
    amount: int
    currency: str
    beneficiary: Beneficiary
    beneficiary_id: str | None = None
    order_reference: str | None = None
    provider: str
    status: ReservationStatusName
    expires_at: str
    audit_id: str = Field(description="order-<reservation_id>")
    fulfilments: int = Field(description="fulfil attempts that created a payout (a refused one can be retried)")
    payout_id: str | None = Field(default=None, description="the payout of the latest fulfilment")
    fulfilled_at: str | None = None
    created_at: str
    updated_at: str
    status_history: list[StatusChange]


class ReservationPage(Model):
    data: list[Reservation]
    has_more: bool


class FulfilIn(Strict):
    amount: Amount | None = Field(default=None, description="if given, must equal the reservation's amount")


class ProviderAnswer(Model):
    name: str
    reference_id: str | None = None
    status: str | None = Field(default=None, description="SUCCESS, or the provider's open status (PENDING, ON_HOLD); "
                                                          "null before it answered")


class Fulfilment(Model):
    audit_id: str
    reservation_id: str
    fulfilled_amount: int
    status: Literal["FULFILLED", "FULFILLING"]
    payout_id: str
    payout_status: PayoutStatusName
    provider: ProviderAnswer


# ---- settlement ---------------------------------------------------------------------------------------
class WindowIn(Strict):
    from_: str = Field(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$", description="first UTC date, YYYY-MM-DD")
    to: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="last UTC date, inclusive")


class SettlementTotals(Model):
    gross: int
    fee: int
    net: int
    txn_count: int


class SettlementJob(Model):
    model_config = ConfigDict(populate_by_name=True)

    job_id: str
    scope: str
    from_: str = Field(alias="from")
    to: str
    shards: int
    slices_total: int = Field(description="slices of the job: days x shards until planned, then as planned")
    slices_done: int
    progress: float = Field(description="finished share of the job's slices, 0..1")
    trigger: str
    status: Literal["QUEUED", "RUNNING", "CANCELLING", "CANCELLED", "COMPLETED", "FAILED"] = Field(
        description="QUEUED until the workflow's first step runs; the download link exists only once COMPLETED")
    created_at: str
    updated_at: str
    status_history: list[StatusChange]
    execution_arn: str | None = None
    report_key: str | None = None
    rows: int | None = None
    totals: SettlementTotals | None = None
    failure_reason: str | None = None
    download_url: str | None = Field(default=None, description="presigned URL of the CSV once COMPLETED")


# ---- events and webhooks -------------------------------------------------------------------------------
EventTypePattern = Annotated[str, Field(pattern=r"^(\*|[a-z_]{1,30}\.(\*|[a-z_]{1,30}))$", max_length=61,
                                        description="an event type (order.fulfilled), a family (order.*) or *")]
WebhookUrl = Annotated[str, Field(min_length=1, max_length=2048,
                                  description="https URL (http to a loopback host in local mode only); must not "
                                              "resolve to a private, loopback or link-local address")]


class WebhookEndpointIn(Strict):
    url: WebhookUrl
    enabled_events: list[EventTypePattern] = Field(min_length=1, max_length=50)
    description: str | None = Field(default=None, max_length=500)


class WebhookEndpointUpdateIn(Strict):
    url: WebhookUrl | None = None
    enabled_events: list[EventTypePattern] | None = Field(default=None, min_length=1, max_length=50)
    description: str | None = Field(default=None, max_length=500)
    disabled: bool | None = Field(default=None, description="true disables; false re-enables (failures forgotten)")


class WebhookEndpoint(Model):
    endpoint_id: str
    url: str
    enabled_events: list[str]
    description: str | None = None
    status: Literal["enabled", "disabled"]
    created_at: str
    updated_at: str
    disabled_reason: str | None = Field(default=None, description="why it is disabled (410 Gone, failing for days, "
                                                                  "or the merchant)")
    disabled_at: str | None = None
    failing_since: str | None = Field(default=None, description="first failed attempt since the last success")
    last_failure: str | None = None
    previous_secret_expires_at: str | None = Field(default=None, description="while a rotated-out secret still signs")


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str = Field(description="the signing secret (whsec_…), shown only in this answer")


class WebhookEndpointPage(Model):
    data: list[WebhookEndpoint]
    has_more: bool


class WebhookEndpointDeleted(Model):
    endpoint_id: str
    deleted: bool


class EventData(Model):
    object: dict[str, Any] = Field(description="the object as it stands after the change")


class Event(Model):
    event_id: str = Field(description="also the webhook-id header of every delivery of this event")
    type: str
    api_version: str
    created_at: str
    object_id: str
    sequence: int = Field(description="per object, 1, 2, 3 … in the order of its changes; discard lower ones")
    data: EventData


class Delivery(Model):
    endpoint_id: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    updated_at: str | None = None
    last_attempt_at: str | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    next_attempt_at: str | None = None
    delivered_at: str | None = None
    failure_reason: str | None = None


class EventWithDeliveries(Event):
    deliveries: list[Delivery]


class EventPage(Model):
    data: list[Event]
    has_more: bool


class DeliveryAttempt(Model):
    attempt_id: str
    event_id: str
    endpoint_id: str
    attempt: int = Field(description="1 for the first attempt of a delivery")
    at: str
    status_code: int | None = None
    latency_ms: int
    response_excerpt: str = Field(description="the first 200 characters of the answer")
    error: str | None = None
    outcome: Literal["delivered", "failed"]


class DeliveryAttemptPage(Model):
    data: list[DeliveryAttempt]
    has_more: bool


class RedeliverIn(Strict):
    endpoint_id: str | None = Field(default=None, pattern=ENDPOINT_ID, max_length=27,
                                    description="only this endpoint (default: every enabled, subscribed one)")


class Redelivery(Model):
    event_id: str
    endpoint_ids: list[str]


# ---- mobile-money payments (Ghana) ------------------------------------------------------------------
PAYMENT_ID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
Network = Literal["MTN", "AT", "TELECEL"]
PaymentStatusName = Literal["INITIATED", "VALIDATING", "PENDING", "PROCESSING", "CONFIRMED", "FAILED", "EXPIRED",
                            "REFUNDED", "CANCELLED"]
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


# ---- operations (admin, across merchants): a page of payouts ---------------------------------------
class Holds(Model):
    data: list["Payout"] = Field(description="payouts still holding money, oldest first")
    has_more: bool
    older_than_seconds: int
    oldest_age_seconds: int | None = Field(description="age of the oldest listed payout, seconds (None: none)")
