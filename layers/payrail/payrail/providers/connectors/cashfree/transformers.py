"""Cashfree Payouts V2's wire shapes (cashfree.com/docs, API version ``2024-01-01``; see
:mod:`.connector` for the endpoints and the assumptions) and their mapping to payrail's types.

    transfer(req) -> TransferBody                          POST /payout/transfers (Standard Transfer V2)
    transfer_result(transfer_id, raw) -> TransferResult    its answer, and GET /payout/transfers?transfer_id=
    verification(beneficiary) -> (path, body, field)       POST /verification/bank-account/sync | /verification/upi
    verified(raw, field) -> Verification
    callback_hint(body) -> CallbackHint                    Webhooks V2: {type, data: <transfer>}
    statement_record(row) -> ProviderRecord                 a row of the daily transfer report (FILE_COLUMNS)
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (BankAccount, CallbackHint, MobileWallet, ProviderStatus,
                                               TransferRejected, TransferRequest, TransferResult, Upi, Verification,
                                               WireModel, clean_text)
from payrail.providers.statements import ProviderRecord, booked_time, file_amount

CURRENCY = "INR"
IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
TRANSFER_ID = re.compile(r"^[A-Za-z0-9_]{1,40}$")

#: Cashfree V2 transfer status -> provider status (anything else: PENDING)
STATUSES: dict[str, ProviderStatus] = {
    "SUCCESS": ProviderStatus.SUCCESS,
    "FAILED": ProviderStatus.FAILED, "REJECTED": ProviderStatus.FAILED,
    "REVERSED": ProviderStatus.FAILED, "MANUALLY_REJECTED": ProviderStatus.FAILED,
    "APPROVAL_PENDING": ProviderStatus.ON_HOLD,
}
#: raw statuses that are FAILED for a reason Cashfree's description alone does not say
PREFIXED = ("REVERSED", "REJECTED", "MANUALLY_REJECTED")

#: bank account verification codes -> the reason payrail shows
VERIFY_REASONS = {"INVALID_ACCOUNT_FAIL": "Account validation failed", "INVALID_BANK_ACCOUNT": "Account validation failed",
                  "ACCOUNT_BLOCKED": "Account is blocked", "INVALID_IFSC_FAIL": "IFSC is invalid",
                  "INVALID_IFSC": "IFSC is invalid", "NRE_ACCOUNT": "Given account is an NRE account"}


class BankInstrument(WireModel):
    """A bank account by number and IFSC (``transfer_mode`` banktransfer)."""

    bank_account_number: str
    bank_ifsc: str


class UpiInstrument(WireModel):
    """A UPI virtual payment address (``transfer_mode`` upi)."""

    vpa: str


class BeneficiaryDetails(WireModel):
    """Who is paid: the cleaned name and the instrument."""

    beneficiary_name: str  # letters and spaces, at most 100
    beneficiary_instrument_details: BankInstrument | UpiInstrument


class TransferBody(WireModel):
    """Standard Transfer V2: ``transfer_amount`` a JSON number in rupees (exact), ``transfer_id``
    payrail's id (at most 40 letters, digits or ``_``), ``transfer_remarks`` alphanumeric, at most 70."""

    transfer_id: str
    transfer_amount: Decimal
    transfer_currency: str = CURRENCY
    transfer_mode: Literal["banktransfer", "upi"]
    beneficiary_details: BeneficiaryDetails
    transfer_remarks: str | None = None


class Transfer(WireModel):
    """A transfer as Cashfree reports it (answer, status lookup, webhook ``data``)."""

    transfer_id: str | None = None
    cf_transfer_id: str | None = None
    status: str | None = None
    status_code: str | None = None
    status_description: str | None = None
    transfer_amount: str | Decimal | int | None = None


class WebhookEvent(WireModel):
    """A Webhooks V2 body: the event ``type`` (``TRANSFER_SUCCESS`` …) and the transfer."""

    type: str | None = None
    data: Transfer


class BankVerification(WireModel):
    """Bank Account Verification Sync V2: the account, its IFSC and the holder's name."""

    bank_account: str
    ifsc: str
    name: str


class UpiVerification(WireModel):
    """UPI verification: the VPA and the holder's name."""

    vpa: str
    name: str


class VerificationAnswer(WireModel):
    """``account_status`` (bank) or ``status`` (UPI): VALID | INVALID; ``name_at_bank``."""

    account_status: str | None = None
    account_status_code: str | None = None
    status: str | None = None
    name_at_bank: str | None = None


def transfer(req: TransferRequest) -> TransferBody:
    """The Standard Transfer V2 body. Raises TransferRejected for a currency, transfer id or
    beneficiary Cashfree cannot take (nothing is sent)."""
    if req.currency != CURRENCY:
        raise TransferRejected("currency_unsupported", f"cashfree pays INR, not {req.currency}")
    if not TRANSFER_ID.match(req.transfer_id):
        raise TransferRejected("transfer_id_invalid", "cashfree transfer ids are 1-40 letters, digits or _")
    name = clean_text(req.beneficiary.name, 100, digits=False)
    if not name:
        raise TransferRejected("beneficiary_name_invalid", "the beneficiary name has no letters")
    ben = req.beneficiary
    if isinstance(ben, Upi):
        mode, instrument = "upi", UpiInstrument(vpa=ben.vpa)
    elif isinstance(ben, BankAccount) and ben.account_number and ben.bank_code and IFSC.match(ben.bank_code):
        mode, instrument = "banktransfer", BankInstrument(bank_account_number=ben.account_number,
                                                          bank_ifsc=ben.bank_code)
    else:
        raise TransferRejected("beneficiary_unsupported", "cashfree pays an account number with an IFSC, or a UPI VPA")
    return TransferBody(transfer_id=req.transfer_id, transfer_amount=amounts.to_major(req.amount, CURRENCY),
                        transfer_mode=mode, transfer_remarks=clean_text(req.remarks, 70),
                        beneficiary_details=BeneficiaryDetails(beneficiary_name=name,
                                                               beneficiary_instrument_details=instrument))


def result(transfer_id: str, t: Transfer) -> TransferResult:
    """A transfer as a result: FAILED and ON_HOLD carry the status description (REVERSED and
    the rejections prefixed with the raw status); the amount parsed back exactly."""
    raw = t.status or ""
    status = STATUSES.get(raw, ProviderStatus.PENDING)
    reason = None
    if status in (ProviderStatus.FAILED, ProviderStatus.ON_HOLD):
        detail = t.status_description or t.status_code or raw
        reason = f"{raw}: {detail}" if raw in PREFIXED else detail
    return TransferResult(transfer_id=t.transfer_id or transfer_id, status=status, reason=reason,
                          provider_reference=t.cf_transfer_id, provider_status=raw,
                          amount=amounts.from_major(t.transfer_amount, CURRENCY) if t.transfer_amount is not None
                          else None)


def transfer_result(transfer_id: str, raw: bytes) -> TransferResult:
    return result(transfer_id, Transfer.model_validate(amounts.loads(raw)))


def verification(ben: BankAccount | MobileWallet | Upi) -> tuple[str, BankVerification | UpiVerification, str]:
    """``(path, body, the answer's status field)`` of the check of ``ben``. Raises TransferRejected
    for a beneficiary Cashfree cannot check."""
    if isinstance(ben, Upi):
        return "/verification/upi", UpiVerification(vpa=ben.vpa, name=ben.name), "status"
    if isinstance(ben, BankAccount) and ben.account_number and IFSC.match(ben.bank_code or ""):
        return ("/verification/bank-account/sync",
                BankVerification(bank_account=ben.account_number, ifsc=ben.bank_code, name=ben.name), "account_status")
    raise TransferRejected("beneficiary_unsupported", "cashfree verifies an account with an IFSC, or a VPA")


def verified(raw: bytes, field: str) -> Verification:
    answer = VerificationAnswer.model_validate(amounts.loads(raw))
    if getattr(answer, field) == "VALID":
        return Verification(valid=True, account_title=answer.name_at_bank)
    code = answer.account_status_code or getattr(answer, field) or "INVALID"
    return Verification(valid=False, reason=VERIFY_REASONS.get(code, code))


def callback_hint(body) -> CallbackHint:
    """The hint of ``{type, data: <transfer>}``: Cashfree's transfer id is payrail's (the key)."""
    event = WebhookEvent.model_validate(body)
    if event.data.transfer_id is None:
        raise KeyError("data.transfer_id")
    r = result(event.data.transfer_id, event.data)
    return CallbackHint(transfer_key=r.transfer_id, transfer_id=r.transfer_id, status=r.status, reason=r.reason,
                        provider_reference=r.provider_reference, event_type=event.type)


#: the daily transfer report's columns (assumed: Cashfree mails a daily report from the Payouts
#: dashboard, whose layout is not public; the names are Transfers V2's fields)
FILE_COLUMNS = ("transfer_id", "cf_transfer_id", "transfer_amount", "transfer_currency", "status", "transfer_utr",
                "added_on", "updated_on")


class ReportRow(WireModel):
    """One row of the daily transfer report, every value as text (see FILE_COLUMNS)."""

    transfer_id: str
    cf_transfer_id: str | None = None
    transfer_amount: str
    transfer_currency: str
    status: str
    transfer_utr: str | None = None
    updated_on: str


def statement_record(row: ReportRow) -> ProviderRecord:
    """A report row as a record: Cashfree's ``transfer_id`` is payrail's id (and the key); SUCCESS
    is paid, the failures (REVERSED, REJECTED …) FAILED, anything else PENDING; ``updated_on`` (with
    its zone) is when it was booked. Raises ValueError (amount, time, currency)."""
    if row.transfer_currency != CURRENCY:
        raise ValueError(f"currency {row.transfer_currency!r} is not {CURRENCY}")
    status = STATUSES.get(row.status, ProviderStatus.PENDING)
    return ProviderRecord(provider="cashfree", transfer_id=row.transfer_id, transfer_key=row.transfer_id,
                          provider_reference=row.cf_transfer_id or None,
                          amount=file_amount(row.transfer_amount, CURRENCY), currency=CURRENCY,
                          status=status.value if status in (ProviderStatus.SUCCESS, ProviderStatus.FAILED) else "PENDING",
                          booked_at=booked_time(row.updated_on))
