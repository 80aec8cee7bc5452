"""The payout product's entities, their status enums and their lifecycle tables.

Entities (frozen pydantic models; the domain takes and returns them, the API's response models
are views of them — :mod:`payrail.api.models.payouts` — and
:mod:`payrail.payouts.records` is the one place that turns them into DynamoDB items and back)::

    Payout            a payout and its current run: provider, transfer id, attempts, status history
    Attempt           one submission of a run to the provider and its answer
    BeneficiaryDetails  who a payout pays, as checked and stored (``payrail.payouts.beneficiaries``)
    SavedBeneficiary  a merchant's saved beneficiary and its verification
    Reservation       an amount reserved for an order's seller payout (``payrail.payouts.reservations``)
    StatusChange      one entry of an entity's ``status_history``

Items read from the table are trusted (payrail wrote them): records build entities with
``model_construct`` (no validation on the hot path); extra attributes an item carries are kept
(``extra="allow"``), so a read-modify-write never drops one.

Lifecycles (:class:`payrail.core.lifecycle.Lifecycle`): :data:`PAYOUT_LIFECYCLE` and
:data:`RESERVATION_LIFECYCLE` list every allowed status change (from → to, its event, whether a
journal moves money in the same transaction); the domain applies them through
``Lifecycle.actions`` only. ``docs/payouts.md`` shows them as drawn by ``Lifecycle.diagram()``.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Literal

from payrail.core.entity import Entity as CoreEntity, Page  # noqa: F401 - Page: the payout package's pages
from pydantic import ConfigDict, Field

from payrail.core.lifecycle import Lifecycle, Move


class PayoutStatus(StrEnum):
    """A payout's status (every change is a conditional write guarded by the status it leaves)."""

    PENDING = "PENDING"          # held, waiting for the worker
    IN_REVIEW = "IN_REVIEW"      # held, waiting for an admin decision; no provider call yet
    PROCESSING = "PROCESSING"    # the provider has it (or may have it)
    ON_HOLD = "ON_HOLD"          # the provider holds it, with a reason
    SUCCEEDED = "SUCCEEDED"      # paid: hold captured
    FAILED = "FAILED"            # not paid: hold released
    CANCELLED = "CANCELLED"      # cancelled before payment: hold released


class ReservationStatus(StrEnum):
    """A reservation's status."""

    RESERVED = "RESERVED"        # the amount is reserved; fulfil, release or expiry ends it
    FULFILLING = "FULFILLING"    # its payout is under way (the money is held)
    FULFILLED = "FULFILLED"      # its payout succeeded
    RELEASED = "RELEASED"        # the merchant released it: available again
    EXPIRED = "EXPIRED"          # past ``expires_at`` unfulfilled: available again


class BeneficiaryStatus(StrEnum):
    """A saved beneficiary's status."""

    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"


class VerificationStatus(StrEnum):
    """What account verification said when a beneficiary was saved."""

    VERIFIED = "VERIFIED"
    UNVERIFIED = "UNVERIFIED"          # the provider could not be asked
    NOT_SUPPORTED = "NOT_SUPPORTED"    # its connector cannot verify accounts


PS, RS = PayoutStatus, ReservationStatus

#: statuses in which the amount is held
HELD = (PS.PENDING, PS.IN_REVIEW, PS.PROCESSING, PS.ON_HOLD)
#: statuses the worker acts on
DISPATCHABLE = (PS.PENDING, PS.PROCESSING, PS.ON_HOLD)
#: statuses in which the provider has (or may have) the transfer: only its answer ends them
AT_PROVIDER = (PS.PROCESSING, PS.ON_HOLD)
FINAL = (PS.SUCCEEDED, PS.FAILED, PS.CANCELLED)

#: every allowed status change of a payout (``money``: a hold, capture or release journal in the
#: same transaction); created PENDING (``payout.created``) or, at the review threshold, IN_REVIEW
PAYOUT_LIFECYCLE = Lifecycle("payout", PS, PS.PENDING, created_event="payout.created",
                             also_created={PS.IN_REVIEW: "payout.in_review"}, moves=[
    Move(PS.IN_REVIEW, PS.PENDING, "payout.pending"),                  # admin approve
    Move(PS.IN_REVIEW, PS.FAILED, "payout.failed", money=True),        # admin reject: release
    Move(PS.IN_REVIEW, PS.CANCELLED, "payout.cancelled", money=True),  # merchant cancel: release
    Move(PS.PENDING, PS.PROCESSING, "payout.processing"),              # the worker sends it
    Move(PS.PENDING, PS.CANCELLED, "payout.cancelled", money=True),    # merchant cancel: release
    Move(PS.PROCESSING, PS.ON_HOLD, "payout.on_hold"),                 # the provider holds it
    Move(PS.ON_HOLD, PS.PROCESSING, "payout.processing"),              # the provider lifted its hold
    Move(PS.PROCESSING, PS.SUCCEEDED, "payout.succeeded", money=True), # paid: capture
    Move(PS.ON_HOLD, PS.SUCCEEDED, "payout.succeeded", money=True),
    Move(PS.PROCESSING, PS.FAILED, "payout.failed", money=True),       # refused or failed: release
    Move(PS.ON_HOLD, PS.FAILED, "payout.failed", money=True),          # ... or the admin released it
    Move(PS.PROCESSING, PS.CANCELLED, "payout.cancelled", money=True), # refused after a cancel request
    Move(PS.ON_HOLD, PS.CANCELLED, "payout.cancelled", money=True),
    Move(PS.FAILED, PS.PENDING, "payout.pending", money=True),         # reinitiate: a new hold, run + 1
    Move(PS.FAILED, PS.IN_REVIEW, "payout.in_review", money=True),     # ... at the review threshold
])

#: every allowed status change of a reservation (created RESERVED, ``reservation.created``)
RESERVATION_LIFECYCLE = Lifecycle("reservation", RS, RS.RESERVED, created_event="reservation.created", moves=[
    Move(RS.RESERVED, RS.FULFILLING, "reservation.fulfilling", money=True),   # reserved → held (its payout's hold)
    Move(RS.FULFILLING, RS.FULFILLED, "reservation.fulfilled", money=True),   # the payout's capture
    Move(RS.FULFILLING, RS.RESERVED, "reservation.payout_failed", money=True),  # the payout's release: held → reserved
    Move(RS.RESERVED, RS.RELEASED, "reservation.released", money=True),       # reserved → available
    Move(RS.RESERVED, RS.EXPIRED, "reservation.expired", money=True),         # the sweeper: reserved → available
])

#: a saved beneficiary's one change (no event, no money)
BENEFICIARY_LIFECYCLE = Lifecycle("beneficiary", BeneficiaryStatus, BeneficiaryStatus.ACTIVE,
                                  moves=[Move(BeneficiaryStatus.ACTIVE, BeneficiaryStatus.DISABLED, None)])


# ---- entities ---------------------------------------------------------------------------------
class Entity(CoreEntity):
    """Base of the payout package's entities: attributes an item carries beyond the fields are kept
    (a read-then-write never drops one)."""

    model_config = ConfigDict(extra="allow")


class StatusChange(Entity):
    status: str
    at: str
    detail: str | None = None


class Attempt(Entity):
    number: int
    run: int
    at: str
    transfer_id: str
    result: str = Field(description="the provider's answer to this submission: SUCCESS, FAILED, PENDING, ON_HOLD, "
                                    "REJECTED (refused, nothing created), UNKNOWN (no answer), NOT_DELIVERED")
    detail: str | None = None
    provider_reference: str | None = None


class BeneficiaryDetails(Entity):
    """A checked beneficiary as stored: the input normalised, with its ``country`` (ISO 3166) and
    the institution's ``institution_name``."""

    type: Literal["bank_account", "mobile_wallet", "upi"]
    name: str
    country: str
    institution_name: str
    bank_code: str | None = None
    account_number: str | None = None
    iban: str | None = None
    wallet_code: str | None = None
    msisdn: str | None = None
    vpa: str | None = None


class Payout(Entity):
    """A payout (see :mod:`payrail.payouts.service`); amounts in minor units."""

    payout_id: str
    merchant_id: str
    amount: int
    currency: str
    beneficiary: BeneficiaryDetails
    beneficiary_id: str | None = None
    merchant_reference: str | None = None
    description: str | None = None
    status: PayoutStatus
    run: int = Field(description="1, then +1 at each reinitiation")
    provider: str = Field(description="the connector chosen at creation; every later step uses it")
    transfer_id: str = Field(description="this run's transfer id (the provider idempotency key)")
    provider_key: str = Field(description="what the provider calls the transfer")
    provider_reference: str | None = None
    provider_status: str | None = Field(default=None, description="the provider's last open status (PENDING, ON_HOLD)")
    attempts: list[Attempt] = Field(description="submissions to the provider and their answers")
    submissions: int
    checks: int = Field(description="looks at the provider in this run that found it open or unknown")
    last_checked_at: str | None = None
    next_check_at: str | None = Field(default=None, description="when the provider is asked again")
    last_error: str | None = None
    failure_reason: str | None = None
    cancel_reason: str | None = None
    hold_reason: str | None = Field(default=None, description="why the provider holds it (ON_HOLD)")
    review_reason: str | None = None
    review_decision: str | None = None
    cancel_requested_at: str | None = Field(default=None, description="a cancel of an ON_HOLD payout waits for the "
                                                                      "provider to refuse it")
    released_by: str | None = None
    reservation_id: str | None = None
    audit_id: str | None = None
    created_at: str
    updated_at: str
    status_history: list[StatusChange]


class ProviderAnswer(Entity):
    """What the provider said of a reservation's payout so far."""

    name: str
    reference_id: str | None = None
    status: str | None = Field(default=None, description="SUCCESS, or the provider's open status (PENDING, ON_HOLD); "
                                                          "null before it answered")


class Fulfilment(Entity):
    """A reservation's fulfilment: its payout and what the provider said (FULFILLED once paid,
    FULFILLING while under way)."""

    audit_id: str
    reservation_id: str
    fulfilled_amount: int
    status: Literal["FULFILLED", "FULFILLING"]
    payout_id: str
    payout_status: PayoutStatus
    provider: ProviderAnswer


class AccountCheck(Entity):
    """What the connector that would pay an account said of it (``reason`` when not valid)."""

    valid: bool
    account_title: str | None = None
    reason: str | None = None
    provider: str


class BeneficiaryVerification(Entity):
    status: VerificationStatus
    account_title: str | None = None
    reason: str | None = None
    provider: str | None = None
    checked_at: str


class SavedBeneficiary(Entity):
    """A merchant's saved beneficiary."""

    beneficiary_id: str
    merchant_id: str
    details: BeneficiaryDetails
    nickname: str | None = None
    status: BeneficiaryStatus
    verification: BeneficiaryVerification
    created_at: str
    updated_at: str
    status_history: list[StatusChange]


class Reservation(Entity):
    """A reservation (see :mod:`payrail.payouts.reservations`); amounts in minor units."""

    reservation_id: str
    merchant_id: str
    amount: int
    currency: str
    beneficiary: BeneficiaryDetails
    beneficiary_id: str | None = None
    order_reference: str | None = None
    provider: str
    status: ReservationStatus
    expires_at: str
    audit_id: str = Field(description="order-<reservation_id>")
    fulfilments: int = Field(description="fulfil attempts that created a payout (a refused one can be retried)")
    payout_id: str | None = Field(default=None, description="the payout of the latest fulfilment")
    fulfilled_at: str | None = None
    created_at: str
    updated_at: str
    status_history: list[StatusChange]
