"""Request and response models of the HTTP API (the OpenAPI document's schemas).

Requests are **strict**: money, quantities and counts are integers (a bool, a string or a float —
even ``100.0`` — is refused), unknown fields are refused (Stripe's ``parameter_unknown``), every
id has a pattern and a maximum length, no text holds a C0 or C1 control character (names go to
providers and into CSV files), and ``metadata`` follows Stripe's rule (:data:`Metadata`).
Responses describe exactly what the routes return.
"""
import re
from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from payrail.core.money import MAX_AMOUNT
from payrail.core.patterns import VPA_PATTERN

MERCHANT_ID = r"^m_[0-9a-f]{16}$"
PRODUCT_ID = r"^prod_[0-9a-f]{24}$"
ORDER_ID = r"^ord_[0-9a-f]{24}$"
PAYOUT_ID = r"^po_[0-9a-f]{24}$"
BENEFICIARY_ID = r"^ben_[0-9a-f]{24}$"
RESERVATION_ID = r"^res_[0-9a-f]{24}$"
REFERENCE = r"^[A-Za-z0-9_.:/-]{1,64}$"
#: an RFC 3339 full-date, or a UTC time on it to the hour, minute, second or microsecond (``Z`` optional)
TIME_BOUND = (r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
              r"(T([01][0-9]|2[0-3])(:[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?)?Z?)?$")
JOB_ID = r"^stl_[A-Za-z0-9_-]{1,64}$"
CUSTOMER_ID = r"^[A-Za-z0-9_.:-]{1,64}$"
CURRENCY = r"^[A-Z]{3}$"
EVENT_ID = r"^evt_[0-9a-f]{24}$"
ENDPOINT_ID = r"^we_[0-9a-f]{24}$"
ATTEMPT_ID = r"^att_[0-9a-f]{24}$"
EVENT_TYPE = r"^[a-z_]{1,30}\.[a-z_]{1,30}$"

Amount = Annotated[int, Field(strict=True, ge=1, le=MAX_AMOUNT,
                              description=f"integer in the currency's minor unit, 1..{MAX_AMOUNT}")]
Currency = Annotated[str, Field(pattern=CURRENCY, min_length=3, max_length=3, description="ISO 4217 code",
                                examples=["USD"])]
CustomerId = Annotated[str, Field(pattern=CUSTOMER_ID, min_length=1, max_length=64)]

#: C0 and C1 control characters (NUL, CR, LF, TAB, ESC, DEL, U+0080-U+009F)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NO_CONTROL = "must not contain control characters (U+0000-U+001F, U+007F-U+009F)"


def no_control_characters(value: str) -> str:
    """``value`` if it holds no C0/C1 control character. Raises ValueError."""
    if CONTROL_CHARACTERS.search(value):
        raise ValueError(_NO_CONTROL)
    return value


def _check_text(value: Any) -> None:
    """Raises ValueError when a string in ``value`` (a string, or a list or dict of them, keys
    included) holds a control character; models inside are checked by their own validator."""
    if isinstance(value, str):
        no_control_characters(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_text(k)
            _check_text(v)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            _check_text(v)


def time_bound(value: str | None) -> str | None:
    """A ``TIME_BOUND`` (``2026-03-01``, ``2026-03-01T12:00:00Z``) that names a real instant: the
    day exists in its month (no 2026-02-30), the year is 0001 or later.

    Raises: ValueError naming the accepted forms.
    """
    if value is None:
        return None
    if not re.fullmatch(TIME_BOUND, value):
        raise ValueError("must be an RFC 3339 date (2026-03-01) or UTC time (2026-03-01T12:00:00Z)")
    try:
        datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError:
        raise ValueError(f"is not a real date or time: {value}") from None
    return value


class Model(BaseModel):
    """Base of every API model: its validator and schema are built when first used (a route's
    first request, the OpenAPI document), not when the module is imported, so a cold start pays
    only for the models its requests use."""

    model_config = ConfigDict(defer_build=True)


class Strict(Model):
    """Base of request bodies: strict types, unknown fields refused, and no C0/C1 control
    character in any text field (every field of every subclass, in lists and dicts too)."""

    model_config = ConfigDict(strict=True, extra="forbid", defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        _check_text(value)
        return value


#: Stripe's metadata rule: at most 50 keys of 1-40 characters, each value a string of at most 500; no
#: control characters (checked per entry, so the error names the key)
Metadata = Annotated[dict[Annotated[str, Field(min_length=1, max_length=40), AfterValidator(no_control_characters)],
                          Annotated[str, Field(max_length=500), AfterValidator(no_control_characters)]],
                     Field(max_length=50, description="your key-value pairs: at most 50 keys of 1-40 characters, "
                                                      "string values of at most 500 characters")]


# ---- errors -------------------------------------------------------------------------------------
class ErrorDetail(Model):
    type: str = Field(description="error family: invalid_request_error, authentication_error, idempotency_error, "
                                  "rate_limit_error, api_error")
    code: str = Field(description="stable machine-readable code")
    message: str
    param: str | None = Field(description="the offending request field, when one is to blame")
    provider: dict | None = Field(default=None, description="502/504 from a payout provider: its name, "
                                                            "reference_id, status and reason")


class ErrorBody(Model):
    error: ErrorDetail


class StatusChange(Model):
    status: str
    at: str
    detail: str | None = None


# ---- admin: merchants ------------------------------------------------------------------------------
ReviewThreshold = Annotated[int, Field(strict=True, ge=1, le=10**12,
                                        description="payouts of at least this many MAJOR units of their currency "
                                                    "wait IN_REVIEW for an admin (100000 = 100,000.00)")]


class MerchantIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    fee_bps: int | None = Field(default=None, ge=0, le=10_000, description="platform fee in basis points")
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=100_000,
                                              description="requests per minute (default: the platform's)")
    payout_currencies: list[Currency] | None = Field(default=None, max_length=8,
                                                     description="currencies it may pay out (default: the platform's)")
    payout_review_threshold: ReviewThreshold | None = None


class PayoutSettingsIn(Strict):
    payout_currencies: list[Currency] | None = Field(default=None, max_length=8)
    payout_review_threshold: ReviewThreshold | None = None


class ApiKeyInfo(Model):
    prefix: str
    created_at: str
    expires_at: str | None = None


class Merchant(Model):
    merchant_id: str
    name: str
    fee_bps: int
    status: Literal["ACTIVE", "SUSPENDED"]
    rate_limit_per_minute: int | None = None
    payout_currencies: list[str] | None = None
    payout_review_threshold: int | None = None
    api_keys: list[ApiKeyInfo]
    created_at: str
    updated_at: str | None = None
    status_history: list[StatusChange] = []


class MerchantWithKey(Model):
    merchant: Merchant
    api_key: str = Field(description="shown only in this answer; stored as a SHA-256 hash")


class RotateIn(Strict):
    overlap_seconds: int | None = Field(default=None, ge=0, le=7 * 86_400,
                                        description="how long the current keys stay valid (default: platform's)")


class StatusReasonIn(Strict):
    reason: str | None = Field(default=None, max_length=500)


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


class Posting(Model):
    seq: int
    account_id: str
    journal_id: str
    type: str
    currency: str
    amount: int = Field(description="minor units; negative takes from the account")
    balance_before: int
    balance_after: int
    created_at: str


class PostingPage(Model):
    data: list[Posting]
    has_more: bool


class FloatBalance(Model):
    available: int = Field(description="the merchant's float at the provider (minor units)")
    held: int = Field(description="held for mobile-money payments in flight")


class MerchantBalance(Model):
    currency: str
    available: int
    held: int = Field(description="held for payouts in flight")
    pending: int = Field(description="paid orders awaiting fulfilment")
    reserved: int = Field(description="reserved for orders' seller payouts (reservations)")
    floats: dict[str, FloatBalance] | None = Field(default=None, description="GHS: the merchant's mobile-money "
                                                   "float at each provider, funded by the admin")


class TopUpIn(Strict):
    merchant_id: str = Field(pattern=MERCHANT_ID, max_length=18)
    currency: Currency
    amount: Amount
    reference: str | None = Field(default=None, max_length=140, description="e.g. the bank transfer that funded it")


class TopUp(Model):
    journal_id: str
    merchant_id: str
    currency: str
    amount: int
    available_after: int | None = Field(description="the available balance right after (null on a replay)")
    created_at: str


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


# ---- beneficiaries, payouts, reservations: their own modules, re-exported ---------------------------
from payrail.api.models.beneficiaries import (Beneficiary, BeneficiaryIn, BeneficiaryVerification,  # noqa: E402,F401
                                              BankAccountIn, MobileWalletIn, Name, SavedBeneficiary,
                                              SavedBeneficiaryIn, SavedBeneficiaryPage, UpiIn)
from payrail.api.models.payouts import Attempt, Payout, PayoutIn, PayoutPage, PayoutStatusName  # noqa: E402,F401
from payrail.api.models.reservations import (Fulfilment, FulfilIn, ProviderAnswer, Reservation,  # noqa: E402,F401
                                             ReservationIn, ReservationPage, ReservationStatusName)


class DecisionIn(Strict):
    note: str | None = Field(default=None, max_length=300)


class DirectoryEntry(Model):
    code: str
    name: str
    kind: Literal["bank", "wallet", "rail"]
    country: str
    currency: str
    rail: Literal["bank_account", "mobile_wallet", "upi"]
    iban_code: str | None = None
    provider: str


class DirectoryPage(Model):
    data: list[DirectoryEntry]
    has_more: bool


class VerifyIn(Strict):
    beneficiary: BeneficiaryIn


class VerificationResult(Model):
    valid: bool
    account_title: str | None = None
    reason: str | None = None
    provider: str


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


# ---- health -------------------------------------------------------------------------------------------
class Health(Model):
    status: Literal["ok", "unavailable"]


class Check(Model):
    ok: bool
    ms: float
    error: str | None = None


class DetailedHealth(Health):
    ok: bool
    checks: dict[str, Check]
    providers: dict[str, Check] = Field(default_factory=dict, description="mobile-money providers (not in readiness)")


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


# ---- provider callbacks -----------------------------------------------------------------------------
class CallbackAck(Model):
    """What payrail did with an authenticated provider callback (after asking the provider)."""

    received: bool
    outcome: Literal["captured", "released", "no_change", "deferred", "unknown_transfer"]
    object_type: str | None = None
    object_id: str | None = None
    status: str | None = None


# ---- operations (admin, across merchants) -------------------------------------------------------------
class Holds(Model):
    data: list[Payout] = Field(description="payouts still holding money, oldest first")
    has_more: bool
    older_than_seconds: int
    oldest_age_seconds: int | None = Field(description="age of the oldest listed payout, seconds (None: none)")


class QueueDepth(Model):
    url: str
    messages: int = Field(description="ApproximateNumberOfMessages: visible, waiting for a consumer")
    in_flight: int = Field(description="ApproximateNumberOfMessagesNotVisible: received, not yet deleted")
    delayed: int = Field(description="ApproximateNumberOfMessagesDelayed")


class Queue(QueueDepth):
    queue: str = Field(description="the queue's name in the catalog: fulfilment, payouts, payments, webhooks")
    dlq: QueueDepth | None = Field(description="its dead-letter queue")


class QueueList(Model):
    data: list[Queue]


class RedriveIn(Strict):
    max_per_second: int | None = Field(default=None, ge=1, le=500,
                                       description="messages moved per second at most (SQS's own pace when absent)")


class Redrive(Model):
    queue: str
    task_handle: str = Field(description="the SQS message move task (StartMessageMoveTask)")
    messages: int = Field(description="messages in the DLQ when the move started (approximate)")


class LedgerAudit(Model):
    ok: bool = Field(description="every check passed")
    journals: int
    accounts: int
    postings: int = Field(description="journal legs")
    unbalanced_journals: list[str] = Field(description="journals whose postings do not sum to zero")
    account_mismatches: list[str] = Field(description="accounts whose balance or count disagrees with their legs")
    orphan_postings: list[str] = Field(description="postings no journal names, or with a wrong balance_after")
    total_by_currency: dict[str, int] = Field(description="sum of every account's balance per currency (zero)")
