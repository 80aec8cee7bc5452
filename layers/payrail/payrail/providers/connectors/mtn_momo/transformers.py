"""MTN MoMo Disbursement's wire shapes (momodeveloper.mtn.com, "Disbursement" ``v1_0``; see
:mod:`.connector` for the endpoints and the assumptions) and their mapping to payrail's types.

    transfer_body(req, recipient, note) -> TransferBody     POST /disbursement/v1_0/transfer
    refund_body(...) -> RefundBody                          POST /disbursement/v1_0/refund
    transfer_result(transfer_id, raw) -> TransferResult     GET  …/transfer/{ref}, …/refund/{ref}
    balance(raw) -> int                                     GET  …/account/balance
    callback_hint(body, transfer_key) -> CallbackHint       the (unsigned) callback: the transfer body
    STATEMENT                                               the transaction history report's layout (FILE_COLUMNS)
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Literal

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (INSUFFICIENT_FLOAT, CallbackHint, ProviderStatus, TransferRequest,
                                               TransferResult, WireModel)
from payrail.providers.connectors.ghana import Recipient
from payrail.providers.connectors.momo import Statement

#: MTN's transfer status -> provider status (anything else: PENDING)
STATUSES = {"SUCCESSFUL": ProviderStatus.SUCCESS, "FAILED": ProviderStatus.FAILED,
            "REJECTED": ProviderStatus.FAILED, "TIMEOUT": ProviderStatus.FAILED, "PENDING": ProviderStatus.PENDING}
#: reasons of a FAILED transfer that mean payrail's account at MTN lacks float (nothing was paid)
FLOAT_REASONS = {"NOT_ENOUGH_FUNDS"}
CURRENCY = "GHS"


class Payee(WireModel):
    """The payee of a disbursement: an MSISDN in international digits (``233…``)."""

    partyIdType: Literal["MSISDN"] = "MSISDN"
    partyId: str


class TransferBody(WireModel):
    """The disbursement request: ``amount`` a decimal string in cedis, ``externalId`` payrail's id."""

    amount: str
    currency: str = CURRENCY
    externalId: str
    payee: Payee
    payerMessage: str
    payeeNote: str


class RefundBody(WireModel):
    """The refund request (``referenceIdToRefund``: the transfer's ``X-Reference-Id``)."""

    amount: str
    currency: str = CURRENCY
    externalId: str
    payerMessage: str = "reversal"
    payeeNote: str = "reversal"
    referenceIdToRefund: str


class Reason(WireModel):
    """A failure reason given as an object."""

    code: str | None = None
    message: str | None = None


class Transfer(WireModel):
    """A transfer (or refund) as MTN reports it; ``reason`` a code string or ``{code, message}``."""

    amount: str | Decimal | int | None = None
    financialTransactionId: str | None = None
    externalId: str | None = None
    status: str | None = None
    reason: str | Reason | None = None


class Balance(WireModel):
    """The disbursement account's balance (cedis, a decimal string)."""

    availableBalance: str | Decimal | int


def transfer_body(req: TransferRequest, recipient: Recipient) -> TransferBody:
    note = (req.remarks or "payrail")[:160]
    return TransferBody(amount=amounts.major_text(req.amount, CURRENCY), externalId=req.transfer_id,
                        payee=Payee(partyId=recipient.msisdn), payerMessage=note, payeeNote=note)


def refund_body(reversal_id: str, amount: int, transfer_reference: str) -> RefundBody:
    return RefundBody(amount=amounts.major_text(amount, CURRENCY), externalId=reversal_id,
                      referenceIdToRefund=transfer_reference)


def result(transfer_id: str, t: Transfer) -> TransferResult:
    """A transfer as a result: FAILED carries MTN's reason code, ``insufficient_float`` for
    ``NOT_ENOUGH_FUNDS``; the amount parsed back exactly."""
    raw = t.status or "PENDING"
    status = STATUSES.get(raw, ProviderStatus.PENDING)
    reason = t.reason.code or t.reason.message if isinstance(t.reason, Reason) else t.reason
    if status == ProviderStatus.FAILED:
        reason = str(reason or raw)
    return TransferResult(transfer_id=transfer_id, status=status,
                          reason=reason if status == ProviderStatus.FAILED else None,
                          provider_reference=t.financialTransactionId or None, provider_status=raw,
                          amount=amounts.from_major(t.amount, CURRENCY) if t.amount else None,
                          failure_code=INSUFFICIENT_FLOAT if reason in FLOAT_REASONS else None)


def transfer_result(transfer_id: str, raw: bytes) -> TransferResult:
    return result(transfer_id, Transfer.model_validate(amounts.loads(raw)))


def balance(raw: bytes) -> int:
    return amounts.from_major(Balance.model_validate(amounts.loads(raw)).availableBalance, CURRENCY)


def callback_hint(body, transfer_key: Callable[[str], str]) -> CallbackHint:
    """MTN's callback is the transfer body, with ``externalId`` = payrail's transfer id (MTN does
    not echo the reference): the hint names ``transfer_key(externalId)``."""
    t = Transfer.model_validate(body)
    if t.externalId is None:
        raise KeyError("externalId")
    transfer_id = t.externalId
    r = result(transfer_id, t)
    return CallbackHint(transfer_key=transfer_key(transfer_id), transfer_id=transfer_id, status=r.status,
                        reason=r.reason, provider_reference=r.provider_reference, event_type="disbursement.transfer")


#: the transaction history report (``externalId`` is documented as carried by the report; the other
#: names and the layout are assumed, after the transfer's fields): ``externalId`` is payrail's transfer
#: (or reversal) id, ``referenceId`` its ``X-Reference-Id``
STATEMENT = Statement(provider="mtn_momo", statuses=STATUSES, types={"TRANSFER": "transfer", "REFUND": "reversal"},
                      columns=("financialTransactionId", "externalId", "referenceId", "type", "amount", "currency",
                               "status", "timestamp", "referenceIdToRefund"),
                      key="referenceId", reference="financialTransactionId", transfer_id="externalId",
                      booked="timestamp", reverses="referenceIdToRefund")
FILE_COLUMNS = STATEMENT.columns
