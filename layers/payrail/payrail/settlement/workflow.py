"""The settlement workflow's messages, shared by the state machine (``infra/asl/settlement.asl.json``),
the settlement function (``functions/settlement``) and the steps of
:class:`payrail.settlement.service.Settlements`; a contract test checks that every path the ASL
reads is a field of the message it reads and that every payload it builds has exactly a
message's fields.

Messages::

    JobRef        execution input (platform.start_settlement)        {scope, job_id}
    Schedule      execution input of the daily schedule              the EventBridge scheduled event ({time, …})
    PlanTask      the Plan task's payload                            {step: plan, input: JobRef | Schedule, execution}
    Planned       Plan's output (the state from then on)             {scope, job_id, slices_total, concurrency}
                                                                     + slices (inline Map) or bucket + manifest_key
                                                                     (Distributed Map over the manifest in S3)
    NotStarted    Plan's output for a job that ended before starting {scope, job_id, cancelled: true}
    Slice         one slice of the window (a Map item)               {slice, date, shard, part, parts}
    SliceTask     an Aggregate task's payload (the Map's item         {step: aggregate, scope, job_id, slice}
                  selector, plus the step)
    SliceResult   an Aggregate task's result                         {rows, skipped}
    FinalizeTask  the Finalize task's payload                        {step: finalize, scope, job_id}
    FailTask      the MarkFailed task's payload                      {step: fail, scope, job_id, error}
    JobState      Finalize's and MarkFailed's result                 {job_id, scope, status, report_key, rows, totals}

The Route Choice tests presence (``IsPresent``): a message goes to the state machine as
:meth:`Message.message` (None fields left out), so a Planned carries neither ``cancelled`` nor,
for the inline Map, ``manifest_key``.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from payrail.core.entity import Entity
from payrail.settlement.model import SettlementStatus, SettlementTotals


class Message(Entity):
    """A message of the settlement workflow: frozen, no field beyond the model's, read by name
    too (``planned["slices"]``)."""

    model_config = ConfigDict(extra="forbid")

    def message(self) -> dict:
        """The JSON-ready message the state machine gets (None fields left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class JobRef(Message):
    """The job a step works on: a merchant's (its id) or the platform's (``ALL``)."""

    scope: str
    job_id: str


class Schedule(BaseModel):
    """The daily schedule's EventBridge event: its ``time`` names the day settled (the previous UTC day)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    time: str


class PlanTask(Message):
    step: Literal["plan"] = "plan"
    input: JobRef | Schedule
    execution: str | None = Field(default=None, description="the execution's ARN (so cancel can stop it)")


class Slice(Message):
    """One slice of the window: part ``part`` of ``parts`` equal time ranges of shard ``shard`` of
    the settlement index on UTC day ``date``, numbered ``slice`` from 0."""

    slice: int = Field(ge=0)
    date: str
    shard: int = Field(ge=0)
    part: int = Field(ge=0)
    parts: int = Field(ge=1)


class Planned(JobRef):
    """A planned, RUNNING job: its slices inline (at most ``INLINE_MAX_SLICES``), or the manifest's
    place in S3 for the Distributed Map's item reader."""

    slices_total: int
    concurrency: int = Field(ge=1, description="slices aggregated at once (the Map's MaxConcurrency)")
    slices: list[Slice] | None = None
    bucket: str | None = None
    manifest_key: str | None = None


class NotStarted(JobRef):
    """A job cancelled (or ended) before its workflow started: the Route Choice ends the execution."""

    cancelled: Literal[True] = True


class SliceTask(JobRef):
    step: Literal["aggregate"] = "aggregate"
    slice: Slice


class SliceResult(Message):
    rows: int = Field(ge=0, description="captures summed into the slice's partial file")
    skipped: bool = Field(description="the job no longer ran: the slice counts for nothing")


class FinalizeTask(JobRef):
    step: Literal["finalize"] = "finalize"


class FailTask(JobRef):
    step: Literal["fail"] = "fail"
    error: dict[str, str | None] = Field(default_factory=dict,
                                         description="the Catch's error output ({Error, Cause})")


class JobState(JobRef):
    """What Finalize and MarkFailed answer: the job's outcome."""

    status: SettlementStatus
    report_key: str | None = None
    rows: int | None = None
    totals: SettlementTotals | None = None


#: the message of each task's payload, by its ``step``
TASKS: dict[str, type[Message]] = {"plan": PlanTask, "aggregate": SliceTask, "finalize": FinalizeTask,
                                   "fail": FailTask}
