"""The payment workflow's vocabulary and typed messages (dispatcher -> queue -> worker -> queue).

    PaymentLook   SQS body: one look at the provider  {payment_id, merchant_id, look}
    Outcome       what the worker does next           {next: CHECK | END, delay_seconds, status}

Each look is one message; a look that must be repeated (provider pending, unknown outcome, no
free slot, a failover) sends the next look (``look + 1``) with ``DelaySeconds`` = the backoff.
The worker claims a look with a conditional write (``looks = look - 1``), so a duplicated or
redelivered message is dropped; a chain that dies (a crash between the claim and the next send)
leaves the payment to the expiry sweeper, which asks the provider when the payment times out.
"""
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from payrail.core.lifecycle import Lifecycle, Move


class PaymentStatus(StrEnum):
    """The nine persisted states."""

    INITIATED = "INITIATED"
    VALIDATING = "VALIDATING"
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    CONFIRMED = "CONFIRMED"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"
    REFUNDED = "REFUNDED"
    CANCELLED = "CANCELLED"


PS = PaymentStatus
#: every allowed transition: a conditional write guarded by the state it leaves, its
#: ``payment.<state>`` event and, where money moves, the journal in the same transaction
#: (holds, captures, releases, the refund: see :mod:`payrail.payments.service`)
LIFECYCLE: Lifecycle[PaymentStatus] = Lifecycle("payment", PaymentStatus, PS.INITIATED, created_event="payment.initiated",
                                                moves=[
    Move(PS.INITIATED, PS.VALIDATING, "payment.validating"),
    Move(PS.VALIDATING, PS.PENDING, "payment.pending", money=True),        # the hold at the route's provider
    Move(PS.VALIDATING, PS.FAILED, "payment.failed"),                       # risk declined / no float: nothing held
    Move(PS.INITIATED, PS.EXPIRED, "payment.expired"),                      # its creation never completed: nothing held
    Move(PS.VALIDATING, PS.EXPIRED, "payment.expired"),                     # its creation never completed: nothing held
    Move(PS.PENDING, PS.PROCESSING, "payment.processing"),
    Move(PS.PENDING, PS.CONFIRMED, "payment.confirmed", money=True),        # capture
    Move(PS.PENDING, PS.FAILED, "payment.failed", money=True),              # release
    Move(PS.PENDING, PS.EXPIRED, "payment.expired", money=True),            # release
    Move(PS.PENDING, PS.CANCELLED, "payment.cancelled", money=True),        # release
    Move(PS.PROCESSING, PS.CONFIRMED, "payment.confirmed", money=True),     # capture
    Move(PS.PROCESSING, PS.FAILED, "payment.failed", money=True),           # release
    Move(PS.PROCESSING, PS.EXPIRED, "payment.expired", money=True),         # release
    Move(PS.CONFIRMED, PS.REFUNDED, "payment.refunded", money=True),        # the provider's reversal
])
#: the table as ``{from: (to, ...)}``
TRANSITIONS: dict[PaymentStatus, tuple[PaymentStatus, ...]] = {s: LIFECYCLE.targets(s) for s in PaymentStatus}
#: states in which the float at the route's provider is held
HELD = (PS.PENDING, PS.PROCESSING)
#: states of a creation still under way (nothing held): the expiry sweeper ends one whose deadline passed
CREATING = (PS.INITIATED, PS.VALIDATING)
FINAL = (PS.FAILED, PS.EXPIRED, PS.REFUNDED, PS.CANCELLED)


class Next(StrEnum):
    CHECK = "CHECK"   # look again after ``delay_seconds``
    END = "END"       # nothing left to do


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PaymentLook(_Message):
    """The payments queue's message: look number ``look`` (1, 2, …) at a payment."""

    payment_id: str
    merchant_id: str
    look: int = Field(ge=1)


class Outcome(_Message):
    next: Next
    status: PaymentStatus
    delay_seconds: int = Field(default=0, ge=0, le=900)
    reason: str | None = None
