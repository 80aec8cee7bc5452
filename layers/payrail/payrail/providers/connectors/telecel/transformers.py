"""Telecel Cash's wire shapes (an assumed shape, see :mod:`.connector`) and their mapping to
payrail's types.

    disbursement(req, recipient, key) -> DisbursementRequest   POST /v1/disbursements
    reversal(key, amount) -> ReversalRequest                   POST /v1/disbursements/{ref}/reversals
    transfer_result(transfer_id, raw) -> TransferResult        GET  /v1/disbursements/{ref}, /v1/reversals/{ref}
    balance(raw) -> int                                        GET  /v1/balance
    callback_hint(body) -> CallbackHint                        {event, data: <disbursement>}
    refusal(response) -> TransferRejected                      a 4xx ``{code, message}``
    STATEMENT                                                  the settlement statement's layout (FILE_COLUMNS)
"""
from __future__ import annotations

from decimal import Decimal

from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (INSUFFICIENT_FLOAT, CallbackHint, ProviderStatus, TransferRejected,
                                               TransferRequest, TransferResult, WireModel)
from payrail.providers.connectors.ghana import Recipient
from payrail.providers.connectors.momo import Statement
from payrail.providers.connectors.http import Response

STATUSES = {"SUCCESS": ProviderStatus.SUCCESS, "FAILED": ProviderStatus.FAILED, "PENDING": ProviderStatus.PENDING}
CURRENCY = "GHS"


class DisbursementRequest(WireModel):
    """``reference`` the idempotency key (a UUID), ``msisdn`` ``233…``, ``amount`` a decimal string in cedis."""

    reference: str
    msisdn: str
    amount: str
    currency: str = CURRENCY
    narration: str


class ReversalRequest(WireModel):
    """A reversal request: its own ``reference`` (a UUID) and the amount (cedis, a decimal string)."""

    reference: str
    amount: str


class Disbursement(WireModel):
    """A disbursement (or reversal) as Telecel reports it."""

    reference: str | None = None
    transaction_id: str | None = None
    amount: str | Decimal | int | None = None
    status: str | None = None
    reason: str | None = None


class Event(WireModel):
    """A callback body ``{event, data: <disbursement>}``."""

    event: str | None = None
    data: Disbursement


class Balance(WireModel):
    """payrail's float at Telecel (cedis, a decimal string)."""

    available: str | Decimal | int


def disbursement(req: TransferRequest, recipient: Recipient, key: str) -> DisbursementRequest:
    return DisbursementRequest(reference=key, msisdn=recipient.msisdn, amount=amounts.major_text(req.amount, CURRENCY),
                               narration=(req.remarks or "payrail")[:100])


def reversal(key: str, amount: int) -> ReversalRequest:
    return ReversalRequest(reference=key, amount=amounts.major_text(amount, CURRENCY))


def refusal(r: Response) -> TransferRejected:
    """A 4xx ``{code, message}`` as a refusal: ``insufficient_float`` for ``INSUFFICIENT_FLOAT``."""
    code, message = r.error()
    return TransferRejected(INSUFFICIENT_FLOAT if code == "INSUFFICIENT_FLOAT" else code, message, r.status)


def result(transfer_id: str, d: Disbursement) -> TransferResult:
    raw = d.status or "PENDING"
    status = STATUSES.get(raw, ProviderStatus.PENDING)
    return TransferResult(transfer_id=transfer_id, status=status,
                          reason=(d.reason or raw) if status == ProviderStatus.FAILED else None,
                          provider_reference=d.transaction_id or None, provider_status=raw,
                          amount=amounts.from_major(d.amount, CURRENCY) if d.amount else None)


def transfer_result(transfer_id: str, raw: bytes) -> TransferResult:
    return result(transfer_id, Disbursement.model_validate(amounts.loads(raw)))


def balance(raw: bytes) -> int:
    return amounts.from_major(Balance.model_validate(amounts.loads(raw)).available, CURRENCY)


def callback_hint(body) -> CallbackHint:
    """The hint of ``{event, data: <disbursement>}``: ``data.reference`` is the provider key."""
    event = Event.model_validate(body)
    if event.data.reference is None:
        raise KeyError("data.reference")
    r = result(event.data.reference, event.data)
    return CallbackHint(transfer_key=event.data.reference, status=r.status, reason=r.reason,
                        provider_reference=r.provider_reference, event_type=event.event)


#: the settlement statement (assumed, like the whole API: see the connector): ``reference`` is payrail's
#: key (uuid5 of its id; mapped back by the caller)
STATEMENT = Statement(provider="telecel", statuses=STATUSES, types={"DISBURSEMENT": "transfer", "REVERSAL": "reversal"},
                      columns=("reference", "transaction_id", "type", "amount", "currency", "status", "booked_at",
                               "original_reference"),
                      key="reference", reference="transaction_id", booked="booked_at", reverses="original_reference",
                      lower_keys=True)
FILE_COLUMNS = STATEMENT.columns
