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

Mapping a record back to payrail's transfer: every record carries ``transfer_key``, the provider's
name for the transfer (what payrail sent as its idempotency key, ``Connector.transfer_key``, and
what the main table's ``by_provider_key`` index holds); ``transfer_id`` is filled only where the
provider echoes payrail's own id (Cashfree's ``transfer_id``, MTN's ``externalId``). A provider that
knows only the key (a uuid5 of payrail's id) is mapped back with :func:`map_back` and the keys of the
transfers payrail submitted there.

Helpers for the connectors: :func:`read_file` (a CSV settlement file read row by row through a
strict wire model, every error a ValueError naming its line), :func:`file_amount` (an amount column
read exactly, never as a float), :func:`booked_time` (an ISO 8601 time with its zone) and
:func:`from_status` (a status lookup read as a record, for ``status_lookup`` connectors).
"""
from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from payrail.providers.connectors import amounts

if TYPE_CHECKING:
    from payrail.providers.connectors.base import TransferResult

StatementSource = Literal["list_api", "status_lookup", "settlement_file"]


class ProviderRecord(BaseModel):
    """One transfer (or reversal) as the provider booked it.

    ``transfer_id`` is payrail's transfer id as the provider echoes it (the provider-side
    idempotency key payrail sent, mapped back); ``None`` when the provider's record names no id
    payrail could have sent. ``status`` is the provider's final or open state: ``SUCCESS`` (paid),
    ``FAILED``, or ``PENDING`` (still open at the provider). ``booked_at`` is when the provider
    booked the final state (UTC). ``transfer_key`` is the provider's key for it (see the module
    docstring); for a reversal, ``reverses`` is the provider's key of the transfer it reverses,
    where the record names it.
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
    transfer_key: str | None = Field(default=None, min_length=1, max_length=256)
    reverses: str | None = Field(default=None, min_length=1, max_length=256)


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


# ---- what connectors share to read their sources ------------------------------------------------
_MAJOR = re.compile(r"[0-9]{1,18}(\.[0-9]{1,6})?")
_MINOR = re.compile(r"[0-9]{1,18}")
Row = TypeVar("Row", bound=BaseModel)


def file_amount(text: str, currency: str, *, major: bool = True) -> int:
    """An amount column as int minor units of ``currency``, exactly: plain digits with an optional
    decimal fraction in major units (``"123.45"``), or with ``major=False`` plain digits of minor
    units. Anything else is refused: signs, exponents (``"1e3"``), a fraction longer than the
    currency's minor unit, words (``"true"``, ``"abc"``), spaces inside.

    Raises: ValueError naming the value.
    """
    value = text.strip() if isinstance(text, str) else text
    if isinstance(value, bool) or not isinstance(value, str) or not (_MAJOR if major else _MINOR).fullmatch(value):
        raise ValueError(f"amount {text!r} is not a {'decimal' if major else 'whole'} number of "
                         f"{'major' if major else 'minor'} units")
    return amounts.from_major(value, currency) if major else int(value)


def booked_time(text: str) -> datetime:
    """An ISO 8601 time with its zone (``2026-03-01T12:00:00Z``, ``...+05:00``) as UTC.

    Raises: ValueError (not a time, or no zone: a provider's local time cannot be placed in a day).
    """
    if not isinstance(text, str) or len(text) > 40:
        raise ValueError(f"booked time {text!r} is not an ISO 8601 time")
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"booked time {text!r} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise ValueError(f"booked time {text!r} has no time zone")
    return when.astimezone(timezone.utc)


def read_file(lines: Iterable[str], row: type[Row], record: Callable[[Row], ProviderRecord | None]
              ) -> Iterator[ProviderRecord]:
    """The records of a CSV settlement file (text lines, header first): each data row is validated
    as ``row`` (a strict wire model of the file's columns, as text) and turned into a record by
    ``record`` (None: a row that is not a transfer, e.g. a fee or a balance line). Blank lines are
    skipped; extra columns are ignored.

    Raises: ValueError ``line N: ...`` for a missing header or column, a row with another number of
    fields than the header, or a value ``row`` or ``record`` refuses.
    """
    reader = csv.reader(lines)
    header: list[str] | None = None
    required = [n for n, f in row.model_fields.items() if f.is_required()]
    for values in reader:
        n = reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        if header is None:
            header = [v.strip() for v in values]
            if missing := [c for c in required if c not in header]:
                raise ValueError(f"line {n}: the header lacks column(s) {', '.join(missing)}")
            continue
        if len(values) != len(header):
            raise ValueError(f"line {n}: {len(values)} fields, the header has {len(header)}")
        try:
            found = record(row.model_validate({k: v for k, v in zip(header, values) if k in row.model_fields}))
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"line {n}: {where}: {first['msg']}") from None
        except (ValueError, KeyError, TypeError, ArithmeticError) as e:
            raise ValueError(f"line {n}: {e}") from None
        if found is not None:
            yield found
    if header is None:
        raise ValueError("line 1: the file has no header")


def map_back(records: Iterable[ProviderRecord], keys: Mapping[str, str]) -> Iterator[ProviderRecord]:
    """``records`` with ``transfer_id`` filled from ``keys`` (provider key -> payrail's transfer id,
    e.g. ``{connector.transfer_key(t): t for t in submitted}``) where the record names only the key;
    a key payrail never sent stays without a transfer id (``unknown_to_payrail``)."""
    for r in records:
        if r.transfer_id is None and r.transfer_key is not None and r.transfer_key in keys:
            r = r.model_copy(update={"transfer_id": keys[r.transfer_key]})
        yield r


def from_status(provider: str, result: "TransferResult", currency: str, at: datetime, *,
                transfer_key: str | None = None, amount: int | None = None,
                kind: Literal["transfer", "reversal"] = "transfer") -> ProviderRecord | None:
    """A status lookup (``status()`` or ``reversal_status()``) read as a record, for ``status_lookup``
    connectors: None when the provider never received the transfer (NOT_FOUND); ON_HOLD is open
    (PENDING). ``at`` is when it was looked up (a lookup names no booking time); ``amount`` is the
    amount payrail sent, used only when the provider's answer carries none.

    Raises: ValueError when neither the answer nor ``amount`` gives an amount.
    """
    status = result.status.value
    if status == "NOT_FOUND":
        return None
    reported = result.amount if result.amount is not None else amount
    if reported is None:
        raise ValueError(f"{provider}: the lookup of {result.transfer_id} carries no amount")
    return ProviderRecord(provider=provider, kind=kind, transfer_id=result.transfer_id, transfer_key=transfer_key,
                          provider_reference=result.provider_reference, amount=reported, currency=currency,
                          status=status if status in ("SUCCESS", "FAILED") else "PENDING", booked_at=at)


class FileOnly:
    """``statement()`` of a connector whose provider documents no list endpoint (its source is a
    status lookup or a settlement file): there is nothing to page through."""

    name: str

    def statement(self, start: datetime, end: datetime) -> Iterator[ProviderRecord]:
        """Raises NotImplementedError: this provider has no statement API (see the registry's ``statement``)."""
        raise NotImplementedError(f"{self.name} documents no statement API; read its settlement file or "
                                  "look each transfer up")
