"""AirtelTigo Money's wire shapes in the Airtel Africa Open API form (developers.airtel.africa;
see :mod:`.connector` for the endpoints and the assumptions) and their mapping to payrail's types.

    disbursement(req, recipient, key, pin) -> Disbursement   POST /standard/v2/disbursements/
    refund(airtel_money_id, key) -> Refund                   POST /standard/v2/payments/refund
    envelope(raw) -> Envelope                                every answer: {data: {transaction}, status}
    result(transfer_id, envelope) -> TransferResult
    balance(raw) -> int                                      GET /standard/v1/users/balance
    callback_hint(body) -> CallbackHint                      {transaction: {id, message, status_code, airtel_money_id}}
    STATEMENT                                                the merchant statement's layout (FILE_COLUMNS)
"""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (CallbackHint, ProviderStatus, TransferRequest, TransferResult, WireModel)
from payrail.providers.connectors.ghana import Recipient
from payrail.providers.connectors.momo import Statement

#: ``transaction.status`` (or a callback's ``status_code``) -> provider status (anything else: PENDING)
STATUSES = {"TS": ProviderStatus.SUCCESS, "TF": ProviderStatus.FAILED, "TE": ProviderStatus.FAILED,
            "TIP": ProviderStatus.PENDING, "TA": ProviderStatus.PENDING, "SUCCESS": ProviderStatus.SUCCESS,
            "FAILED": ProviderStatus.FAILED}
#: ``status.response_code`` of an enquiry about an id Airtel never received
NOT_FOUND_CODES = {"DP00900001012"}
#: ``status.response_code`` of a disbursement refused for lack of float (nothing created)
NO_FLOAT_CODES = {"DP00900001007"}
CURRENCY = "GHS"


class Payee(WireModel):
    """The recipient of a disbursement: the national number (no country code) of a normal wallet."""

    msisdn: str  # national digits, without the country code
    wallet_type: Literal["NORMAL"] = "NORMAL"


class Sent(WireModel):
    """The transaction of a disbursement: ``amount`` in cedis, ``id`` the idempotency key."""

    amount: Decimal
    id: str
    type: Literal["B2C"] = "B2C"


class Transaction(WireModel):
    """A transaction as Airtel reports it (an answer's, a callback's): ``status`` (``TS``, ``TF`` …)
    or a callback's ``status_code``, ``airtel_money_id`` its reference."""

    id: str | None = None
    airtel_money_id: str | None = None
    reference_id: str | None = None
    status: str | None = None
    status_code: str | None = None
    message: str | None = None


class RefundOf(WireModel):
    """The transaction a refund is of (its ``airtel_money_id``) and the refund's own ``id``."""

    airtel_money_id: str
    id: str


class Disbursement(WireModel):
    """The disbursement request (``transaction.id`` the idempotency key, ``type`` ``B2C``)."""

    payee: Payee
    reference: str
    pin: str  # the disbursement PIN, already RSA-encrypted
    transaction: Sent


class Refund(WireModel):
    """The refund request ``{transaction: {airtel_money_id, id}}``."""

    transaction: RefundOf


class Status(WireModel):
    """An answer's ``status``: Airtel's ``response_code`` (``DP…``) and its message."""

    response_code: str | None = None
    message: str | None = None


class Data(WireModel):
    """An answer's ``data``: the transaction it is about."""

    transaction: Transaction | None = None


class Envelope(WireModel):
    """Airtel's answer: ``{data: {transaction}, status: {response_code, message, …}}``; a
    callback carries ``transaction`` at the top."""

    data: Data | None = None
    status: Status | None = None
    transaction: Transaction | None = None

    @property
    def code(self) -> str:
        return (self.status.response_code if self.status else None) or ""

    @property
    def message(self) -> str | None:
        return self.status.message if self.status else None

    @property
    def tx(self) -> Transaction:
        return (self.data.transaction if self.data else None) or self.transaction or Transaction()


class BalanceData(WireModel):
    """The balance (cedis, a decimal) of payrail's disbursement wallet."""

    balance: str | Decimal | int


class BalanceAnswer(WireModel):
    """The balance answer ``{data: {balance, currency, account_status}}``."""

    data: BalanceData


def disbursement(req: TransferRequest, recipient: Recipient, key: str, pin: str) -> Disbursement:
    return Disbursement(payee=Payee(msisdn=recipient.phone[4:]), reference=(req.remarks or "payrail")[:64], pin=pin,
                        transaction=Sent(amount=amounts.to_major(req.amount, CURRENCY), id=key))


def refund(airtel_money_id: str, key: str) -> Refund:
    return Refund(transaction=RefundOf(airtel_money_id=airtel_money_id, id=key))


def envelope(raw: bytes, lenient: bool = False) -> Envelope:
    """An answer's envelope; an empty one when the body is not a JSON object (an error page) and,
    with ``lenient`` (reading a refusal), when it is not an envelope either.

    Raises: pydantic.ValidationError for an object of another shape (unless ``lenient``).
    """
    try:
        body = amounts.loads(raw or b"{}")
    except ValueError:
        return Envelope()
    if not isinstance(body, dict):
        return Envelope()
    try:
        return Envelope.model_validate(body)
    except ValueError:
        if lenient:
            return Envelope()
        raise


def result(transfer_id: str, env: Envelope) -> TransferResult:
    t = env.tx
    raw = t.status or t.status_code or "TIP"
    status = STATUSES.get(raw, ProviderStatus.PENDING)
    return TransferResult(transfer_id=transfer_id, status=status,
                          reason=(t.message or raw) if status == ProviderStatus.FAILED else None,
                          provider_reference=t.airtel_money_id or t.reference_id or None, provider_status=raw)


def transfer_result(transfer_id: str, raw: bytes) -> TransferResult:
    return result(transfer_id, envelope(raw))


def balance(raw: bytes) -> int:
    return amounts.from_major(str(BalanceAnswer.model_validate(amounts.loads(raw)).data.balance), CURRENCY)


def callback_hint(body) -> CallbackHint:
    """The hint of a callback ``{transaction: {id, message, status_code, airtel_money_id}}``: its
    ``transaction.id`` is the provider key."""
    t = Envelope.model_validate(body).transaction
    if t is None or t.id is None:
        raise KeyError("transaction.id")
    r = result(t.id, Envelope(transaction=t))
    return CallbackHint(transfer_key=t.id, status=r.status, reason=r.reason, provider_reference=r.provider_reference,
                        event_type="disbursement")


#: the merchant statement (assumed: no public document; the names are the Open API's):
#: ``transaction_id`` is payrail's key (uuid5 of its id; mapped back by the caller)
STATEMENT = Statement(provider="airteltigo", statuses=STATUSES, types={"B2C": "transfer", "REFUND": "reversal"},
                      columns=("transaction_id", "airtel_money_id", "type", "amount", "currency", "status",
                               "transaction_date", "original_transaction_id"),
                      key="transaction_id", reference="airtel_money_id", booked="transaction_date",
                      reverses="original_transaction_id", lower_keys=True)
FILE_COLUMNS = STATEMENT.columns
