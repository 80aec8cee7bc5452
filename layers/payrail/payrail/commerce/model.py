"""The order's vocabulary: its statuses, why a FAILED order failed, and its lifecycle table.

The table is the contract of :class:`payrail.commerce.orders.Orders`: every status change is one
of its moves, applied by :meth:`payrail.core.lifecycle.Lifecycle.actions` (the conditional write on
the state it leaves, the ``status_history`` append and the move's ``order.*`` event in one
transaction). Captures and refunds post their journal in that transaction (``money``).
"""
from enum import StrEnum

from payrail.core.lifecycle import Lifecycle, Move


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
