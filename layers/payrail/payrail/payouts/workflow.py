"""The payout workflow's vocabulary and messages, shared by the dispatcher, the worker, the
workflow steps and the state machine (``infra/asl/payout.asl.json``; a contract test checks that
its paths and Choice values are these models' fields and values).

Three kinds of status, never mixed:

* :class:`PayoutStatus` — what payrail says about a payout (the API shows it);
* :class:`~payrail.providers.connectors.base.ProviderStatus` — what a provider says about a transfer;
* :data:`UNKNOWN` — "not known yet": the provider could not be asked, or its answer to a request
  that may have moved money was lost. Never a failure; the workflow looks again later.

A run starts with its **first look**, an SQS message from the dispatcher with no task token: the
worker looks at the provider and, when the answer is final (most payouts), captures or releases
the hold itself. Only a run that must be looked at again (CHECK: pending at the provider, the
provider busy or unreachable, the look failed) is handed over to the state machine, which waits,
dispatches looks with task tokens and captures or releases: Step Functions Standard bills $25 per
million state transitions, and a payout paid at its first look needs none.

Messages::

    PayoutRun     a run of a payout                                {payout_id, merchant_id, run, dispatches_lost}
    Dispatch      SQS body: the first look (dispatcher -> worker,  PayoutRun fields + task_token
                  task_token None) or a workflow look (Step
                  Functions -> worker, answered with task_token)
    Handover      execution input (worker -> Step Functions)       PayoutRun fields + first_check_seconds
    Outcome       the worker's answer (task token output)          {next, payout_status, observed, ...}
    StepRequest   capture / release task input                    PayoutRun fields + action + outcome
    StepResult    capture / release task output                   {payout_id, status}
"""
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from payrail.providers.connectors.base import ProviderStatus


class PayoutStatus(StrEnum):
    """A payout's status (every change is a conditional write guarded by the status it leaves)."""

    PENDING = "PENDING"          # held, waiting for the worker
    IN_REVIEW = "IN_REVIEW"      # held, waiting for an admin decision; no provider call yet
    PROCESSING = "PROCESSING"    # the provider has it (or may have it)
    ON_HOLD = "ON_HOLD"          # the provider holds it, with a reason
    SUCCEEDED = "SUCCEEDED"      # paid: hold captured
    FAILED = "FAILED"            # not paid: hold released
    CANCELLED = "CANCELLED"      # cancelled before payment: hold released


#: statuses in which the amount is held
HELD = (PayoutStatus.PENDING, PayoutStatus.IN_REVIEW, PayoutStatus.PROCESSING, PayoutStatus.ON_HOLD)
#: statuses the worker acts on
DISPATCHABLE = (PayoutStatus.PENDING, PayoutStatus.PROCESSING, PayoutStatus.ON_HOLD)
#: statuses in which the provider has (or may have) the transfer: only its answer ends them
AT_PROVIDER = (PayoutStatus.PROCESSING, PayoutStatus.ON_HOLD)
FINAL = (PayoutStatus.SUCCEEDED, PayoutStatus.FAILED, PayoutStatus.CANCELLED)


class Unknown(StrEnum):
    """"Not known yet" (see the module docstring)."""

    UNKNOWN = "UNKNOWN"


UNKNOWN = Unknown.UNKNOWN


class Next(StrEnum):
    """What the state machine does with an :class:`Outcome` (its ``Route`` Choice)."""

    CAPTURE = "CAPTURE"   # the provider paid: capture the hold
    RELEASE = "RELEASE"   # the provider refused or failed it: release the hold
    CHECK = "CHECK"       # wait ``next_check_seconds``, then dispatch again (status first, never a second transfer)
    END = "END"           # nothing left to do for this run (already final, cancelled, superseded)


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PayoutRun(_Message):
    """One run of a payout's workflow (a reinitiated payout has a new run). Execution input."""

    payout_id: str
    merchant_id: str
    run: int = Field(ge=1)
    dispatches_lost: int = Field(default=0, ge=0, description="dispatches that got no answer (worker lost)")

    def execution_name(self) -> str:
        return f"{self.payout_id}-r{self.run}"


class Dispatch(PayoutRun):
    """The payout queue's message: one look at the provider, answered with ``task_token``; None
    for a run's first look (sent by the dispatcher; no execution waits for it)."""

    task_token: str | None = None


class Handover(PayoutRun):
    """Execution input: a run whose first look ended in CHECK (or failed), with the seconds to
    wait before the workflow's first dispatch."""

    first_check_seconds: int = Field(default=0, ge=0, le=86_400)


class Outcome(_Message):
    """The worker's answer. ``observed`` is what the provider said, or UNKNOWN; None when the
    provider was not asked (busy, or nothing to do)."""

    next: Next
    payout_status: PayoutStatus
    observed: ProviderStatus | Unknown | None = None
    provider_reference: str | None = None
    reason: str | None = Field(default=None, max_length=500)
    next_check_seconds: int = Field(default=0, ge=0, description="with CHECK: seconds to wait")


class StepRequest(PayoutRun):
    """Input of the ``capture`` / ``release`` workflow steps."""

    action: Literal["capture", "release"]
    outcome: Outcome


class StepResult(_Message):
    payout_id: str
    status: PayoutStatus
