"""Reconciliation runs and the exceptions they find (the admin's)."""

from typing import Any

from pydantic import ConfigDict, Field

from payrail.api.models.common import Model, StatusChange, Strict, examples, of_enum
from payrail.reconciliation.model import BreakClass, ExceptionStatus, ReconciliationStatus, Resolution

__all__ = ["PROVIDER_NAME", "RECONCILIATION_ID", "RECONCILIATION_EXCEPTION_ID", "ReconciliationIn",
           "ReconciliationRun", "ReconciliationRunPage", "ReconciliationFloat", "ReconciliationException",
           "ReconciliationExceptionPage", "ResolutionIn", "BreakClassName", "ExceptionStatusQuery"]

PROVIDER_NAME = r"^[a-z][a-z0-9_]{1,31}$"
RECONCILIATION_ID = r"^rec_[A-Za-z0-9_-]{1,80}$"
RECONCILIATION_EXCEPTION_ID = r"^rex_[0-9a-f]{24}$"
BreakClassName = of_enum(BreakClass)
ExceptionStatusQuery = of_enum(ExceptionStatus)


class ReconciliationIn(Strict):
    provider: str = Field(pattern=PROVIDER_NAME, max_length=32, description="the connector whose books are compared")
    from_: str = Field(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$", description="first UTC date, YYYY-MM-DD")
    to: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="last UTC date, inclusive (at most 31 days)")

    model_config = examples(
        {"provider": "cashfree", "from": "2026-03-01", "to": "2026-03-01"},
    )


class ReconciliationFloat(Model):
    provider_balance: int = Field(description="the provider's balance API, minor units")
    ledger: int = Field(description="the ledger's momo_float + momo_held at that provider over every merchant")
    currency: str
    drift: int = Field(description="provider_balance - ledger; a float_drift exception when not 0")
    at: str


class ReconciliationRun(Model):
    model_config = ConfigDict(populate_by_name=True)

    run_id: str
    provider: str
    from_: str = Field(alias="from")
    to: str
    source: str = Field(description="where the provider's side was read: list_api, status_lookup or settlement_file")
    trigger: str = Field(description="api, schedule or settlement_file")
    status: of_enum(ReconciliationStatus) = Field(description="the report link exists only once COMPLETED")
    shards_total: int
    shards_done: int
    progress: float = Field(description="finished share of the run's shards, 0..1")
    created_at: str
    updated_at: str
    status_history: list[StatusChange]
    counts: dict[BreakClassName, int] | None = Field(default=None, description="transfers per class once COMPLETED "
                                                                             "(float_drift: 0 or 1)")
    rows: int | None = Field(default=None, description="transfers in the report")
    float: ReconciliationFloat | None = None
    report_key: str | None = None
    failure_reason: str | None = None
    download_url: str | None = Field(default=None, description="presigned URL of the report CSV once COMPLETED")


class ReconciliationRunPage(Model):
    data: list[ReconciliationRun]
    has_more: bool


class ReconciliationException(Model):
    model_config = ConfigDict(populate_by_name=True)

    exception_id: str
    run_id: str = Field(description="the run that found it")
    cls: BreakClassName = Field(alias="class")
    provider: str
    transfer_id: str | None = None
    merchant_id: str | None = Field(default=None, description="whose money it touches (None: provider-wide)")
    status: of_enum(ExceptionStatus)
    evidence: dict[str, Any] = Field(description="payrail: the ledger's record of the transfer; provider: the "
                                                 "provider's records; journal_ids; float for float_drift")
    created_at: str
    updated_at: str
    status_history: list[StatusChange]
    resolution: of_enum(Resolution) | None = None
    reason: str | None = None
    journal_id: str | None = Field(default=None, description="the resolution's journal, where money moved")
    resolved_by: str | None = None


class ReconciliationExceptionPage(Model):
    data: list[ReconciliationException]
    has_more: bool


class ResolutionIn(Strict):
    resolution: of_enum(Resolution) = Field(
        description="receivable or write_off (paid_after_release), reverse_capture (missing_at_provider), "
                    "acknowledge (any class: no money moves)")
    reason: str = Field(min_length=1, max_length=500, description="why, for the audit trail")

    model_config = examples(
        {"resolution": "acknowledge", "reason": "the provider corrected its settlement file"},
    )
