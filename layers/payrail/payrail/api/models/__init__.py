"""Request and response models of the HTTP API (the OpenAPI document's schemas).

Requests are **strict**: money, quantities and counts are integers (a bool, a string or a float —
even ``100.0`` — is refused), unknown fields are refused (Stripe's ``parameter_unknown``), every
id has a pattern and a maximum length, no text holds a C0 or C1 control character (names go to
providers and into CSV files), and ``metadata`` follows Stripe's rule (:data:`Metadata`).
Responses describe exactly what the routes return.
"""
import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from payrail.core.lifecycle import StatusChange
from payrail.core.money import MAX_AMOUNT

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


def of_enum(states: type[StrEnum]) -> Any:
    """The ``Literal`` of a domain enum's values: the API's status vocabulary comes from the
    domain (the OpenAPI document shows it as an inline string enum)."""
    return Literal[tuple(s.value for s in states)]


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


# ---- resources with a module of their own (re-exported: routes name them ``models.X``) ---------------
from payrail.api.models.events import *  # noqa: E402,F401,F403
from payrail.api.models.orders import *  # noqa: E402,F401,F403
from payrail.api.models.payments import *  # noqa: E402,F401,F403
from payrail.api.models.products import *  # noqa: E402,F401,F403
from payrail.api.models.settlements import *  # noqa: E402,F401,F403
from payrail.api.models.webhooks import *  # noqa: E402,F401,F403
from payrail.api.models.wallets import *  # noqa: E402,F401,F403
