"""Safepay Raast payouts' wire shapes (safepay.mintlify.app, API ``v1``; see :mod:`.connector` for
the endpoints and the assumptions) and their mapping to payrail's types.

    creditor_iban(bank account) -> str                    an IBAN of a directory bank
    wallet_alias(wallet) -> (Institution, alias)           the Raast ID (national mobile number) to look up
    wallet_iban(wallet, institution, AccountInfo) -> (iban, title)
    payout(key, req, iban) -> PayoutRequest               POST …/payout
    payout_result(transfer_id, raw) -> TransferResult     the created payment
    listed(key, raw) -> Payment | None                     GET  …/payments?request_id=
    callback_hint(headers, body) -> CallbackHint          {id, type, created_at, data: <payment>}
    page(raw) -> (payments, count)                         GET  …/payments?start_date=&end_date=&limit=&offset=
    statement_record(payment) -> ProviderRecord | None     a listed payout (None: not a payout)
    file_record(row) -> ProviderRecord | None              a row of the payments export (FILE_COLUMNS)
"""
from __future__ import annotations

from decimal import Decimal

import phonenumbers
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (BankAccount, CallbackHint, MobileWallet, ProviderStatus,
                                               TransferRejected, TransferRequest, TransferResult, WireModel, header)
from payrail.providers.connectors.safepay.directory import BY_CODE, BY_IBAN_CODE, Institution
from payrail.providers.statements import ProviderRecord, booked_time, file_amount

CURRENCY = "PKR"
#: payout status -> provider status (anything else, e.g. P_INITIATED or P_RECEIVED: PENDING)
STATUSES: dict[str, ProviderStatus] = {
    "P_SETTLED": ProviderStatus.SUCCESS,
    "P_FAILED": ProviderStatus.FAILED, "P_REJECTED": ProviderStatus.FAILED,
    "P_ON_HOLD": ProviderStatus.ON_HOLD,
}


class PayoutRequest(WireModel):
    """``request_id`` the idempotency key (a UUID), ``amount`` a decimal string in rupees."""

    request_id: str
    amount: str
    creditor_iban: str


class TxnLog(WireModel):
    """One entry of a payment's history; the last ``txn_desc`` says why it failed or is held."""

    txn_desc: str | None = None
    status: str | None = None
    timestamp: str | None = None


class Payment(WireModel):
    """A payout as Safepay reports it (``token`` its reference, ``txn_logs`` its history,
    ``updated_at`` its last change, ``type`` ``PAYOUT`` for a payout)."""

    token: str | None = None
    type: str | None = None
    amount: str | Decimal | int | None = None
    status: str | None = None
    request_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    txn_logs: list[TxnLog] | None = None


class PayoutAnswer(WireModel):
    """The answer to a payout: ``{api_version, data: <payment>}``."""

    data: Payment


class Payments(WireModel):
    """A page of payments; ``count`` how many match (Safepay sends it as a string)."""

    payments: list[Payment] | None = None
    count: str | int | None = None


class PaymentList(WireModel):
    """List Payments' answer: ``{data: {payments, count}}``."""

    data: Payments


class Account(WireModel):
    """An account a Raast ID or an IBAN resolves to, with its title when fetched."""

    iban: str | None = None
    account_title: str | None = None


class AccountInfo(WireModel):
    """``account-info`` / ``title-fetch``: ``{data: {iban, account_title, …}}``."""

    data: Account


class WebhookEvent(WireModel):
    """A webhook body ``{id, type, created_at, data: <payment>}``."""

    id: str | None = None
    type: str | None = None
    data: Payment


def creditor_iban(ben: BankAccount) -> str:
    """The IBAN of a bank account at a directory bank: as given, or built from ``bank_code`` +
    ``account_number`` (``PK`` + check digits + the bank's IBAN code + the number left-padded to
    16 digits). Raises TransferRejected (bank_unsupported, account_number_invalid)."""
    if ben.iban:
        iban = IBAN(ben.iban)
        if iban.country_code != "PK" or iban.bank_code not in BY_IBAN_CODE:
            raise TransferRejected("bank_unsupported", f"{iban.bank_code} is not a directory institution")
        return iban.compact
    inst = BY_CODE.get((ben.bank_code or "").upper())
    if inst is None or inst.kind != "bank":
        raise TransferRejected("bank_unsupported", f"unknown bank code {ben.bank_code!r}")
    if not (ben.account_number or "").isdigit() or not 10 <= len(ben.account_number) <= 16:
        raise TransferRejected("account_number_invalid", "a Pakistani account number has 10-16 digits")
    try:
        return IBAN.generate("PK", bank_code=inst.iban_code, account_code=ben.account_number).compact
    except SchwiftyException as e:
        raise TransferRejected("account_number_invalid", str(e)) from None


def wallet_alias(ben: MobileWallet) -> tuple[Institution, str]:
    """The directory wallet a beneficiary names and its Raast ID (the national mobile number).
    Raises TransferRejected (wallet_unsupported, msisdn_invalid)."""
    wallet = BY_CODE.get(ben.wallet_code.upper())
    if wallet is None or wallet.kind != "wallet":
        raise TransferRejected("wallet_unsupported", f"unknown wallet code {ben.wallet_code!r}")
    number = phonenumbers.parse(ben.msisdn, None)
    if phonenumbers.region_code_for_number(number) != "PK" or \
            phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise TransferRejected("msisdn_invalid", "a wallet is reached by a Pakistani mobile number")
    return wallet, str(number.national_number)


def wallet_iban(ben: MobileWallet, wallet: Institution, raw: bytes) -> tuple[str, str | None]:
    """``(IBAN, account title or None)`` of the account a Raast ID resolves to (an account-info
    answer). Raises TransferRejected (``wallet_mismatch``) when it is not at ``wallet``."""
    account = AccountInfo.model_validate(amounts.loads(raw)).data
    iban = IBAN(account.iban)
    if iban.bank_code != wallet.iban_code:
        held_at = BY_IBAN_CODE.get(iban.bank_code)
        raise TransferRejected("wallet_mismatch", f"{ben.msisdn}'s Raast ID is linked to "
                               f"{held_at.name if held_at else iban.bank_code}, not {wallet.name}")
    return iban.compact, account.account_title or None


def account_title(raw: bytes) -> str | None:
    """The account title of a title-fetch answer."""
    return AccountInfo.model_validate(amounts.loads(raw)).data.account_title


def payout(key: str, req: TransferRequest, iban: str) -> PayoutRequest:
    """Whole amounts are sent without a fraction (``"200"``), others with two places."""
    return PayoutRequest(request_id=key, amount=amounts.major_text(req.amount, CURRENCY, trim_zero_fraction=True),
                         creditor_iban=iban)


def result(transfer_id: str, p: Payment) -> TransferResult:
    """A payout as a result: FAILED and ON_HOLD carry the last ``txn_logs[].txn_desc``."""
    raw = p.status or ""
    status = STATUSES.get(raw, ProviderStatus.PENDING)
    reason = None
    if status in (ProviderStatus.FAILED, ProviderStatus.ON_HOLD):
        logs = [log.txn_desc for log in p.txn_logs or [] if log.txn_desc]
        reason = logs[-1] if logs else raw
    return TransferResult(transfer_id=transfer_id, status=status, reason=reason, provider_reference=p.token,
                          provider_status=raw, amount=amounts.from_major(p.amount, CURRENCY) if p.amount else None)


def payout_result(transfer_id: str, raw: bytes) -> TransferResult:
    return result(transfer_id, PayoutAnswer.model_validate(amounts.loads(raw)).data)


def listed(key: str, raw: bytes) -> Payment | None:
    """The payment with request id ``key`` in a List Payments answer, or None."""
    payments = PaymentList.model_validate(amounts.loads(raw)).data.payments or []
    return next((p for p in payments if p.request_id == key), None)


def callback_hint(headers: dict[str, str], body) -> CallbackHint:
    """The hint of ``{id, type, created_at, data: <payment>}``: ``data.request_id`` is the
    provider key; the event's id and type come from ``X-SFPY-EVENT-ID`` / ``-TYPE`` when sent."""
    event = WebhookEvent.model_validate(body)
    key = event.data.request_id
    if key is None:
        raise KeyError("data.request_id")
    r = result(key, event.data)
    return CallbackHint(transfer_key=key, status=r.status, reason=r.reason, provider_reference=r.provider_reference,
                        event_id=header(headers, "X-SFPY-EVENT-ID") or event.id,
                        event_type=header(headers, "X-SFPY-EVENT-TYPE") or event.type)


#: a listed payment's status as a reconciliation reads it (anything else: still open, PENDING)
STATEMENT_STATUSES = {"P_SETTLED": "SUCCESS", "P_FAILED": "FAILED", "P_REJECTED": "FAILED", "P_CANCELLED": "FAILED",
                      "P_REVERSED": "FAILED"}
#: the payments export's columns (assumed: the dashboard's export is not documented; the names are
#: List Payments' fields)
FILE_COLUMNS = ("token", "request_id", "type", "amount", "currency", "status", "created_at", "updated_at")


def page(raw: bytes) -> tuple[list[Payment], int | None]:
    """A List Payments page: its payments and the ``count`` of all that match (None if not sent).
    Raises pydantic.ValidationError / ValueError for another shape."""
    data = PaymentList.model_validate(amounts.loads(raw)).data
    return data.payments or [], int(data.count) if data.count is not None else None


def _record(token: str | None, key: str | None, amount, status: str, booked: str) -> ProviderRecord:
    return ProviderRecord(provider="safepay", transfer_key=key or None, provider_reference=token or None,
                          amount=amounts.from_major(amount, CURRENCY) if not isinstance(amount, str)
                          else file_amount(amount, CURRENCY),
                          currency=CURRENCY, status=STATEMENT_STATUSES.get(status, "PENDING"),
                          booked_at=booked_time(booked))


def booked_at(p: Payment) -> str | None:
    """When a payment reached its status: ``updated_at``, else the last history entry's time, else
    ``created_at`` (assumed: the fields the payment object carries)."""
    logs = [log.timestamp for log in p.txn_logs or [] if log.timestamp]
    return p.updated_at or (logs[-1] if logs else None) or p.created_at


def statement_record(p: Payment) -> ProviderRecord | None:
    """A listed payout as a record, keyed by its ``request_id`` (payrail's key; mapped back by the
    caller); None for a payment of another type (a request to pay). Raises ValueError (no amount or
    time, an amount payrail cannot read exactly)."""
    if p.type not in (None, "PAYOUT"):
        return None
    when = booked_at(p)
    if p.amount is None or isinstance(p.amount, bool) or when is None:
        raise ValueError(f"safepay: payment {p.token} lists no amount or time")
    return _record(p.token, p.request_id, p.amount, p.status or "", when)


class ExportRow(WireModel):
    """One row of the payments export, every value as text (see FILE_COLUMNS)."""

    token: str | None = None
    request_id: str
    type: str
    amount: str
    currency: str
    status: str
    updated_at: str


def file_record(row: ExportRow) -> ProviderRecord | None:
    """An export row as a record (None: not a payout). Raises ValueError (amount, currency, time)."""
    if row.type != "PAYOUT":
        return None
    if row.currency != CURRENCY:
        raise ValueError(f"currency {row.currency!r} is not {CURRENCY}")
    return _record(row.token, row.request_id, row.amount, row.status, row.updated_at)
