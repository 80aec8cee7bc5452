"""What the Ghana mobile-money connectors (``mtn_momo``, ``airteltigo``, ``telecel``) share: their
capabilities (GHS to Ghana mobile wallets), the recipient's number from a transfer request, an
OAuth-style bearer token cached until shortly before it expires, the status reading of a
disbursement or a reversal, the balance, signed-callback parsing (:class:`SignedCallbacks`), and the
calls a payment needs beyond the payout :class:`~payrail.providers.connectors.base.Connector`
protocol:

    reverse(transfer_id, reversal_id, amount) -> TransferResult   refund a paid transfer (its own key)
    reversal_status(reversal_id) -> TransferResult
    balance() -> int                                              payrail's float at the provider (minor units);
                                                                  also the health probe
    network                                                       the network it is on-net for
    parse_statement_file(lines) -> Iterator[ProviderRecord]       its settlement file (:class:`Statement`: each
                                                                  connector's layout)

Each connector says where its endpoints are (``paths``, a :class:`Paths`) and reads its
provider's bodies with its ``transformers`` module (``wire``, a :class:`MomoWire`).
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Protocol, runtime_checkable

from pydantic import create_model

from payrail.core.errors import ValidationFailed
from payrail.providers.connectors import amounts
from payrail.providers.connectors.base import (Capabilities, Connector, ConnectorSettings, ConnectorUnavailable,
                                               MobileWallet, SignedCallbacks, TransferRejected, TransferRequest,
                                               TransferResult, WireModel)
from payrail.providers.connectors.ghana import Recipient, parse_recipient
from payrail.providers.connectors.http import HttpConnector, Response
from payrail.providers.statements import FileOnly, ProviderRecord, booked_time, file_amount, read_file
from payrail.core import clock


def capabilities(sends_callbacks: bool = True) -> Capabilities:
    return Capabilities(rails=frozenset({"mobile_wallet"}), currencies=frozenset({"GHS"}),
                        countries=frozenset({"GH"}), verifies_accounts=False, sends_callbacks=sends_callbacks,
                        supports_reversal=True)


@runtime_checkable
class MobileMoneyConnector(Connector, Protocol):
    """A Ghana mobile-money provider: a payout connector plus reversal and balance."""

    network: str

    def reverse(self, transfer_id: str, reversal_id: str, amount: int) -> TransferResult:
        """Reverse (refund) ``amount`` minor units of a paid transfer; ``reversal_id`` is the
        reversal's own idempotency key. Raises TransferRejected, ConnectorUnavailable, OutcomeUnknown."""
        ...

    def reversal_status(self, reversal_id: str) -> TransferResult:
        """The reversal's state (NOT_FOUND if never received). Raises ConnectorUnavailable."""
        ...

    def balance(self) -> int:
        """payrail's available float at the provider, GHS minor units. Raises ConnectorUnavailable."""
        ...


@dataclass(frozen=True)
class Paths:
    """A provider's ``GET`` paths: a disbursement and a reversal by the provider's key (``{key}``),
    the balance; ``lookup_params`` the query of a disbursement or reversal lookup."""

    transfer: str
    reversal: str
    balance: str
    lookup_params: dict[str, str] | None = None


class MomoWire(Protocol):
    """What a mobile-money connector's ``transformers`` module provides to :class:`MomoBase`."""

    def transfer_result(self, transfer_id: str, raw: bytes) -> TransferResult:
        """A disbursement's (or reversal's) body as a result."""
        ...

    def balance(self, raw: bytes) -> int:
        """The balance body as GHS minor units."""
        ...

    #: the settlement file's layout
    STATEMENT: "Statement"


class TokenAnswer(WireModel):
    """An OAuth client-credentials answer (MTN's and Airtel's): ``expires_in`` in seconds, a number
    or a numeric string (Airtel sends ``"180"``); 3600 when absent."""

    access_token: str
    expires_in: int | Decimal | str | None = None


class MomoBase(FileOnly, HttpConnector, SignedCallbacks):
    """Shared plumbing of a Ghana mobile-money connector (see the module docstring):
    ``settings`` (a :class:`ConnectorSettings`), one transport, ``transfer_key`` = uuid5(namespace
    of the connector, transfer id)."""

    name = "momo"
    network = ""
    capabilities = capabilities()
    callback_headers: tuple[str, ...] = ()
    paths: ClassVar[Paths]
    wire: ClassVar[MomoWire]

    def __init__(self, settings: ConnectorSettings):
        super().__init__(settings)
        self._cached_token: tuple[str, float] | None = None
        self._token_lock = threading.Lock()

    # -- authentication ----------------------------------------------------------------------
    def bearer(self, fetch) -> str:
        """A cached token; ``fetch()`` -> ``(token, lifetime seconds)`` when there is none or it
        expires within a minute (thread-safe)."""
        with self._token_lock:
            if self._cached_token is None or self._cached_token[1] - 60 < clock.monotonic():
                token, lifetime = fetch()
                self._cached_token = (token, clock.monotonic() + max(60, int(lifetime)))
            return self._cached_token[0]

    def forget_token(self) -> None:
        with self._token_lock:
            self._cached_token = None

    def token(self, path: str, headers: dict[str, str], body: dict | None = None) -> tuple[str, int]:
        """``POST path`` for a client-credentials token: ``(token, lifetime seconds)``. Raises
        ConnectorUnavailable for any answer but 200."""
        r = self.http.call("POST", path, mutating=False, headers=headers,
                           body=amounts.dumps(body) if body is not None else None)
        if r.status != 200:
            raise ConnectorUnavailable(f"{self.name}: token answered {r.status}")
        answer = TokenAnswer.model_validate(amounts.loads(r.body))
        return answer.access_token, int(answer.expires_in or 3600)

    def callback_key(self) -> bytes:
        return self.settings.callback_secret.get_secret_value().encode()

    # -- the transfer request ----------------------------------------------------------------
    def recipient(self, req: TransferRequest) -> Recipient:
        """The Ghana mobile number of ``req``. Raises TransferRejected (not GHS, not a Ghana mobile wallet)."""
        if req.currency != "GHS":
            raise TransferRejected("currency_unsupported", f"{self.name} pays GHS, not {req.currency}")
        if not isinstance(req.beneficiary, MobileWallet):
            raise TransferRejected("beneficiary_unsupported", f"{self.name} pays mobile-money wallets")
        try:
            return parse_recipient(req.beneficiary.msisdn, req.beneficiary.wallet_code.upper()
                                   if req.beneficiary.wallet_code.upper() in ("MTN", "AT", "TELECEL") else None)
        except ValidationFailed as e:
            raise TransferRejected("msisdn_invalid", e.message) from None

    def verify(self, beneficiary) -> "object":
        raise TransferRejected("verification_unsupported", f"{self.name} does not verify accounts here")

    # -- status reading ----------------------------------------------------------------------
    def missing(self, r: Response) -> bool:
        """Whether a lookup's answer says the provider never received the key (besides a 404)."""
        return False

    def status(self, transfer_id: str) -> TransferResult:
        """The disbursement (NOT_FOUND if never received). Raises ConnectorUnavailable."""
        return self.lookup(self.paths.transfer.format(key=self.transfer_key(transfer_id)), transfer_id,
                           self.wire.transfer_result, params=self.paths.lookup_params, missing=self.missing)

    def reversal_status(self, reversal_id: str) -> TransferResult:
        """The reversal (NOT_FOUND if never received). Raises ConnectorUnavailable."""
        return self.lookup(self.paths.reversal.format(key=self.transfer_key(reversal_id)), reversal_id,
                           self.wire.transfer_result, params=self.paths.lookup_params, missing=self.missing)

    def balance(self) -> int:
        """payrail's float at the provider, GHS minor units. Raises ConnectorUnavailable."""
        r = self.http.call("GET", self.paths.balance, mutating=False, headers=self.headers())
        if r.status != 200:
            raise ConnectorUnavailable(f"{self.name}: balance answered {r.status}")
        return self.wire.balance(r.body)

    def parse_statement_file(self, lines: Iterable[str]) -> Iterator[ProviderRecord]:
        """The settlement file's records (the layout: the ``transformers`` module's ``STATEMENT``).
        Raises ValueError naming the line of a malformed row."""
        return read_file(lines, self.wire.STATEMENT.row, self.wire.STATEMENT.record)


@dataclass(frozen=True)
class Statement:
    """The layout of a Ghana mobile-money provider's settlement file and its reading: the file's
    ``columns`` in order (every value text), which of them holds payrail's key (``key``: the
    provider-side transfer key; ``lower_keys`` when the provider writes the uuid5 upper-cased), the
    provider's own id (``reference``), payrail's transfer id when the file carries it
    (``transfer_id``), the booking time (``booked``, ISO 8601) and the reversed transfer's key
    (``reverses``); ``amount``, ``currency``, ``status`` and ``type`` are named so by every provider.
    ``types`` maps the file's ``type`` to a record kind (``transfer`` | ``reversal``) and ``statuses``
    its status words to provider statuses (SUCCESS, FAILED; anything else is open, PENDING).

    ``row`` is the strict wire model of a row (:func:`payrail.providers.statements.read_file` validates
    each row with it) and :meth:`record` turns one into a :class:`ProviderRecord`.
    """

    provider: str
    statuses: dict[str, "object"]
    types: dict[str, str]
    columns: tuple[str, ...]
    key: str
    reference: str
    booked: str
    reverses: str
    transfer_id: str | None = None
    lower_keys: bool = False

    def __post_init__(self) -> None:
        named = {self.key, self.reference, self.booked, self.reverses, "type", "amount", "currency", "status"}
        if self.transfer_id:
            named.add(self.transfer_id)
        if unknown := named - set(self.columns):
            raise ValueError(f"{self.provider}: the statement names columns it lacks: {sorted(unknown)}")
        required = {self.key, self.booked, "type", "amount", "currency", "status"}
        fields = {c: ((str, ...) if c in required else (str | None, None)) for c in self.columns}
        object.__setattr__(self, "row", create_model(f"{self.provider.title()}StatementRow", __base__=WireModel,
                                                      **fields))

    def record(self, row: WireModel) -> ProviderRecord:
        """A row of the file as a record (``amount`` cedis as a decimal). Raises ValueError
        (currency, amount, time, type)."""
        v = row.__dict__
        kind = self.types.get(v["type"], v["type"])
        if v["currency"] != "GHS":
            raise ValueError(f"currency {v['currency']!r} is not GHS")
        if kind not in ("transfer", "reversal"):
            raise ValueError(f"row type {kind!r} is neither a transfer nor a reversal")
        key, reverses = v[self.key], v[self.reverses] or None
        if self.lower_keys:
            key, reverses = key.lower(), reverses and reverses.lower()
        found = str(getattr(self.statuses.get(v["status"]), "value", "PENDING"))
        return ProviderRecord(provider=self.provider, kind=kind, transfer_id=(v[self.transfer_id] or None)
                              if self.transfer_id else None, transfer_key=key,
                              provider_reference=v[self.reference] or None, amount=file_amount(v["amount"], "GHS"),
                              currency="GHS", status=found if found in ("SUCCESS", "FAILED") else "PENDING",
                              booked_at=booked_time(v[self.booked]), reverses=reverses)
