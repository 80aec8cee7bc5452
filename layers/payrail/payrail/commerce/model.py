"""The product and the order as the domain answers them (frozen models; the API's ``Product`` and
``Order`` are their public views), the order's statuses, why a FAILED order failed, and its
lifecycle table. Built from stored items by :mod:`payrail.commerce.records` (``model_construct``:
trusted items, no validation on the hot path).
The wallets' and balances' results (:mod:`payrail.commerce.wallets`): a wallet movement, a
wallet's balance, an account's history entries (balance before and after), a merchant's top-up
and balances — all amounts integers in minor units.

The table is the contract of :class:`payrail.commerce.orders.Orders`: every status change is one
of its moves, applied by :meth:`payrail.core.lifecycle.Lifecycle.actions` (the conditional write on
the state it leaves, the ``status_history`` append and the move's ``order.*`` event in one
transaction). Captures and refunds post their journal in that transaction (``money``).
"""
from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field

from payrail.core.floats import FloatBalance
from payrail.core.entity import Entity
from payrail.core.lifecycle import Lifecycle, Move, StatusChange


class OrderStatus(StrEnum):
    """The five persisted states of an order."""

    PAID = "PAID"
    FULFILMENT_PENDING = "FULFILMENT_PENDING"
    FULFILMENT_UNKNOWN = "FULFILMENT_UNKNOWN"
    FULFILLED = "FULFILLED"
    FAILED = "FAILED"


class FailureKind(StrEnum):
    """Why a FAILED order failed (``failure_kind``)."""

    REFUSED = "refused"              # the fulfilment service refused it for good
    NOT_RECEIVED = "not_received"    # every POST provably never reached the service
    OPERATOR = "operator"            # the admin failed it


OS = OrderStatus
#: every allowed transition of an order (``money``: a capture pending → available + fees, or a
#: refund pending → wallet with the stock restored, in the same transaction)
LIFECYCLE: Lifecycle[OrderStatus] = Lifecycle("order", OrderStatus, OS.PAID, created_event="order.created", moves=[
    Move(OS.PAID, OS.FULFILMENT_PENDING, "order.fulfilment_pending"),
    Move(OS.PAID, OS.FULFILLED, "order.fulfilled", money=True),
    Move(OS.PAID, OS.FAILED, "order.failed", money=True),
    Move(OS.FULFILMENT_PENDING, OS.FULFILMENT_UNKNOWN, "order.fulfilment_unknown"),
    Move(OS.FULFILMENT_PENDING, OS.FULFILLED, "order.fulfilled", money=True),
    Move(OS.FULFILMENT_PENDING, OS.FAILED, "order.failed", money=True),
    Move(OS.FULFILMENT_UNKNOWN, OS.FULFILLED, "order.fulfilled", money=True),
    Move(OS.FULFILMENT_UNKNOWN, OS.FAILED, "order.failed", money=True),
    # the service delivered after the refund: recorded for an operator, no money moves again
    Move(OS.FAILED, OS.FAILED, "order.late_fulfilment"),
])


class Product(Entity):
    product_id: str
    merchant_id: str
    name: str
    price: int
    currency: str
    stock: int
    created_at: str


class LateFulfilment(Entity):
    fulfilment_id: str
    at: str


class Order(Entity):
    model_config = ConfigDict(extra="allow")

    order_id: str
    merchant_id: str
    product_id: str
    quantity: int
    customer_id: str
    amount: int
    currency: str
    status: OrderStatus = Field(
        description="FULFILMENT_UNKNOWN: no definitive answer from the fulfilment service by "
                    "fulfilment_deadline; the money stays pending until the admin fails or fulfils it")
    created_at: str
    updated_at: str
    status_history: list[StatusChange]
    fulfilment_id: str | None = None
    fee: int | None = None
    failure_reason: str | None = None
    failure_kind: FailureKind | None = Field(
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


# ---- wallets and balances (payrail.commerce.wallets) --------------------------------------------------
class WalletMovement(Entity):
    """An admin's credit or debit of a customer wallet: the journal and the wallet's balance
    around it (None for a journal written before journals kept their balances)."""

    journal_id: str
    customer_id: str
    currency: str
    amount: int
    direction: Literal["credit", "debit"]
    balance_before: int | None
    balance_after: int | None
    created_at: str


class WalletBalance(Entity):
    """A customer wallet's balance in one currency."""

    customer_id: str
    currency: str
    balance: int
    updated_at: str | None = None


class HistoryEntry(Entity):
    """One posting of an account, as its history shows it."""

    model_config = ConfigDict(extra="allow")

    seq: int
    account_id: str
    journal_id: str
    type: str
    currency: str
    amount: int = Field(description="minor units; negative takes from the account")
    balance_before: int
    balance_after: int
    created_at: str


class History(Entity):
    """One page of an account's postings, newest first."""

    data: list[HistoryEntry]
    has_more: bool

    @classmethod
    def of(cls, page: dict) -> "History":
        """The ledger's page (``{"data": [posting item...], "has_more"}``; trusted: payrail wrote it)."""
        return cls.model_construct(data=[HistoryEntry.model_construct(**p) for p in page["data"]],
                                   has_more=page["has_more"])


class TopUp(Entity):
    """The admin's funding of a merchant's available balance."""

    journal_id: str
    merchant_id: str
    currency: str
    amount: int
    available_after: int | None = Field(description="the available balance right after (null on a replay)")
    created_at: str


class MerchantBalance(Entity):
    """A merchant's balances in one currency, read as one snapshot."""

    currency: str
    available: int
    held: int = Field(description="held for payouts in flight")
    pending: int = Field(description="paid orders awaiting fulfilment")
    reserved: int = Field(description="reserved for orders' seller payouts (reservations)")
    floats: dict[str, FloatBalance] | None = Field(default=None, description="GHS: the merchant's mobile-money "
                                                   "float at each provider, funded by the admin")
