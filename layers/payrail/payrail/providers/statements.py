"""The provider's side of a reconciliation: what a provider says it booked, read from the best
source the provider offers.

Each connector declares its source in the registry (``Entry.statement``):

    list_api         the provider documents a list/statement endpoint over a time window
                     (``StatementConnector.statement``)
    status_lookup    no list endpoint: payrail asks the provider about each transfer it submitted
                     (the connector's ``status()``, read back as a :class:`ProviderRecord`)
    settlement_file  the provider's daily settlement file (CSV) put into S3 under
                     ``reconciliation/inbox/<provider>/<day>.csv``, read by
                     ``StatementConnector.parse_statement_file``

Money is a strict ``int`` in the currency's minor unit (ISO 4217); times are UTC.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, StrictInt

StatementSource = Literal["list_api", "status_lookup", "settlement_file"]


class ProviderRecord(BaseModel):
    """One transfer (or reversal) as the provider booked it.

    ``transfer_id`` is payrail's transfer id as the provider echoes it (the provider-side
    idempotency key payrail sent, mapped back); ``None`` when the provider's record names no id
    payrail could have sent. ``status`` is the provider's final or open state: ``SUCCESS`` (paid),
    ``FAILED``, or ``PENDING`` (still open at the provider). ``booked_at`` is when the provider
    booked the final state (UTC).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: str
    kind: Literal["transfer", "reversal"] = "transfer"
    transfer_id: str | None = Field(default=None, min_length=1, max_length=256)
    provider_reference: str | None = None
    amount: StrictInt = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    status: Literal["SUCCESS", "FAILED", "PENDING"]
    booked_at: datetime


class ProviderBalance(BaseModel):
    """A provider's float: what payrail's account at the provider holds (minor units) at ``at``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: str
    amount: StrictInt
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    at: datetime


@runtime_checkable
class StatementConnector(Protocol):
    """What a connector offers a reconciliation, beside ``status()`` (every connector has that)."""

    def statement(self, start: datetime, end: datetime) -> Iterator[ProviderRecord]:
        """Every transfer the provider booked in ``[start, end)`` (``list_api`` connectors), page by
        page. Raises ConnectorUnavailable when the provider cannot be read."""

    def parse_statement_file(self, lines: Iterable[str]) -> Iterator[ProviderRecord]:
        """The rows of the provider's settlement file (CSV text lines, header first), in the columns
        the connector documents. Raises ValueError naming the line of a malformed row."""
