"""Request and response models of the HTTP API (the OpenAPI document's schemas).

Requests are **strict**: money, quantities and counts are integers (a bool, a string or a float —
even ``100.0`` — is refused), unknown fields are refused (Stripe's ``parameter_unknown``), every
id has a pattern and a maximum length. Responses describe exactly what the routes return.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from payrail.money import MAX_AMOUNT

MERCHANT_ID = r"^m_[0-9a-f]{16}$"
PRODUCT_ID = r"^prod_[0-9a-f]{24}$"
ORDER_ID = r"^ord_[0-9a-f]{24}$"
PAYOUT_ID = r"^po_[0-9a-f]{24}$"
JOB_ID = r"^stl_[A-Za-z0-9_-]{1,64}$"
CUSTOMER_ID = r"^[A-Za-z0-9_.:-]{1,64}$"
CURRENCY = r"^[A-Z]{3}$"

Amount = Annotated[int, Field(strict=True, ge=1, le=MAX_AMOUNT,
                              description=f"integer in the currency's minor unit, 1..{MAX_AMOUNT}")]
Currency = Annotated[str, Field(pattern=CURRENCY, min_length=3, max_length=3, description="ISO 4217 code",
                                examples=["USD"])]
CustomerId = Annotated[str, Field(pattern=CUSTOMER_ID, min_length=1, max_length=64)]


class Strict(BaseModel):
    """Base of request bodies: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


# ---- errors -------------------------------------------------------------------------------------
class ErrorDetail(BaseModel):
    type: str = Field(description="error family: invalid_request_error, authentication_error, idempotency_error, "
                                  "rate_limit_error, api_error")
    code: str = Field(description="stable machine-readable code")
    message: str
    param: str | None = Field(description="the offending request field, when one is to blame")


class ErrorBody(BaseModel):
    error: ErrorDetail


class StatusChange(BaseModel):
    status: str
    at: str
    detail: str | None = None


# ---- admin: merchants ------------------------------------------------------------------------------
class MerchantIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    fee_bps: int | None = Field(default=None, ge=0, le=10_000, description="platform fee in basis points")
    rate_limit_per_minute: int | None = Field(default=None, ge=1, le=100_000,
                                              description="requests per minute (default: the platform's)")


class ApiKeyInfo(BaseModel):
    prefix: str
    created_at: str
    expires_at: str | None = None


class Merchant(BaseModel):
    merchant_id: str
    name: str
    fee_bps: int
    status: Literal["ACTIVE", "SUSPENDED"]
    rate_limit_per_minute: int | None = None
    api_keys: list[ApiKeyInfo]
    created_at: str
    updated_at: str | None = None
    status_history: list[StatusChange] = []


class MerchantWithKey(BaseModel):
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


class WalletMovement(BaseModel):
    journal_id: str
    customer_id: str
    currency: str
    amount: int
    direction: Literal["credit", "debit"]
    balance_before: int | None
    balance_after: int | None
    created_at: str


class WalletBalance(BaseModel):
    customer_id: str
    currency: str
    balance: int
    updated_at: str | None = None


class Posting(BaseModel):
    seq: int
    account_id: str
    journal_id: str
    type: str
    currency: str
    amount: int = Field(description="minor units; negative takes from the account")
    balance_before: int
    balance_after: int
    created_at: str


class PostingPage(BaseModel):
    data: list[Posting]
    has_more: bool


class MerchantBalance(BaseModel):
    currency: str
    available: int
    held: int
    pending: int


# ---- products and orders ---------------------------------------------------------------------------
class ProductIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    price: Amount
    currency: Currency
    stock: int = Field(strict=True, ge=0, le=10**9)


class Product(BaseModel):
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


class Order(BaseModel):
    order_id: str
    merchant_id: str
    product_id: str
    quantity: int
    customer_id: str
    amount: int
    currency: str
    status: Literal["PAID", "FULFILMENT_PENDING", "FULFILLED", "FAILED"]
    created_at: str
    updated_at: str
    status_history: list[StatusChange]
    fulfilment_id: str | None = None
    fee: int | None = None
    failure_reason: str | None = None


# ---- payouts ------------------------------------------------------------------------------------------
class BeneficiaryIn(Strict):
    type: Literal["bank_account"] = "bank_account"
    account_number: str = Field(pattern=r"^\d{10,16}$",
                                description="10-16 digits; sandbox suffix 0001 ok, 0002 transient, 0003 fails")
    bank_code: str | None = Field(default=None, max_length=20)
    name: str = Field(min_length=1, max_length=100)


class PayoutIn(Strict):
    amount: Amount
    currency: Currency
    beneficiary: BeneficiaryIn


class Beneficiary(BaseModel):
    type: str
    account_number: str
    bank_code: str | None = None
    name: str


class Payout(BaseModel):
    payout_id: str
    merchant_id: str
    amount: int
    currency: str
    beneficiary: Beneficiary
    status: Literal["PENDING", "PROCESSING", "SUCCEEDED", "FAILED"]
    attempts: int
    created_at: str
    updated_at: str
    status_history: list[StatusChange]
    provider: str | None = None
    provider_reference: str | None = None
    failure_reason: str | None = None


# ---- settlement ---------------------------------------------------------------------------------------
class WindowIn(Strict):
    from_: str = Field(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$", description="first UTC date, YYYY-MM-DD")
    to: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="last UTC date, inclusive")


class SettlementTotals(BaseModel):
    gross: int
    fee: int
    net: int
    txn_count: int


class SettlementJob(BaseModel):
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


# ---- health -------------------------------------------------------------------------------------------
class Health(BaseModel):
    status: Literal["ok", "unavailable"]


class Check(BaseModel):
    ok: bool
    ms: float
    error: str | None = None


class DetailedHealth(Health):
    ok: bool
    checks: dict[str, Check]
