"""The payout workflow's vocabulary and messages, shared by the dispatcher, the worker, the
workflow steps and the state machine (``infra/asl/payout.asl.json``; a contract test checks that
its paths and Choice values are these models' fields and values).

Three kinds of status, never mixed:

* :class:`~payrail.payouts.model.PayoutStatus` — what payrail says about a payout (the API shows
  it; its moves are :data:`~payrail.payouts.model.PAYOUT_LIFECYCLE`);
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

from payrail.payouts.model import AT_PROVIDER, DISPATCHABLE, FINAL, HELD, PayoutStatus  # noqa: F401 (the vocabulary)
from payrail.providers.connectors.base import ProviderStatus


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


#: the payout states each decision of the state machine's ``Route`` Choice leads to, through the
#: moves of :data:`~payrail.payouts.model.PAYOUT_LIFECYCLE` (CAPTURE and RELEASE move money)
DECISIONS: dict[Next, tuple[PayoutStatus, ...]] = {
    Next.CAPTURE: (PayoutStatus.SUCCEEDED,),
    Next.RELEASE: (PayoutStatus.FAILED, PayoutStatus.CANCELLED),
    Next.CHECK: AT_PROVIDER,
    Next.END: (),
}


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
