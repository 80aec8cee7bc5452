"""The connector seam: typed beneficiaries, transfer requests and results, the errors that keep
"refused", "not sent" and "not known yet" apart, and the protocol every payout connector
implements.

Money is an ``int`` in the currency's minor unit everywhere here; a connector converts to the
provider's representation exactly (:mod:`payrail.providers.connectors.amounts`).

Outcomes of a call that moves money, and what the caller may do next::

    TransferResult(SUCCESS | FAILED | PENDING | ON_HOLD | NOT_FOUND)   the provider answered
    TransferRejected       a definite refusal (4xx): nothing was created; safe to fail the payout
    ConnectorUnavailable   the request never reached the provider (connect refused, DNS, 429,
                           credentials refused) or was a read-only call: nothing happened; retry
                           later, or try another connector
    OutcomeUnknown         the request may have been acted on (timeout, reset or 5xx after
                           sending): NOT a failure; ask ``status()`` before anything else
"""
import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StrictInt, field_validator, model_validator

from payrail.core.patterns import VPA_PATTERN  # noqa: F401 - re-exported (beneficiaries)

Rail = Literal["bank_account", "mobile_wallet", "upi"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WireModel(BaseModel):
    """A provider's request or response body, in the provider's own field names (a connector's
    ``transformers``). Strict: a value of another JSON type than the provider documents is an error
    (never coerced: ``5`` is not an id, ``true`` not an amount); fields payrail does not read are
    neither declared nor checked."""

    model_config = ConfigDict(extra="ignore", strict=True)


class Capabilities(_Frozen):
    """What a connector can do: rails, ISO 4217 currencies, ISO 3166 alpha-2 countries, and
    whether it verifies accounts, sends callbacks and can reverse a transfer it made."""

    rails: frozenset[Rail]
    currencies: frozenset[str]
    countries: frozenset[str]
    verifies_accounts: bool
    sends_callbacks: bool
    supports_reversal: bool

    def covers(self, rail: str, currency: str, country: str) -> bool:
        return rail in self.rails and currency in self.currencies and country in self.countries


class DirectoryEntry(_Frozen):
    """What a merchant can pay through a connector: a bank, a wallet or a rail, with payrail's
    short ``code`` (what a beneficiary names) and, for Pakistani institutions, the 4-letter bank
    code of their IBANs."""

    code: str
    name: str
    kind: Literal["bank", "wallet", "rail"]
    country: str
    currency: str
    rail: Rail
    iban_code: str | None = None


class ConnectorSettings(BaseModel):
    """Settings every connector has (durations in seconds). Subclasses add the provider's
    credentials as ``SecretStr`` (never logged, never in a repr) and name them in
    ``secret_fields``: locally they come from the environment, deployed from one AWS Secrets
    Manager secret per connector (see ``registry.settings_from_env``)."""

    model_config = ConfigDict(extra="forbid")

    #: the fields kept in the connector's secret (credentials and account identifiers)
    secret_fields: ClassVar[tuple[str, ...]] = ()

    base_url: HttpUrl
    timeout_seconds: float = Field(default=10.0, gt=0, description="wait for an answer")
    connect_timeout_seconds: float = Field(default=3.0, gt=0, description="wait for a connection")
    max_in_flight: int = Field(default=4, ge=1, le=100,
                               description="transfers in flight at this provider, platform-wide")


class TimedCallbackSettings(ConnectorSettings):
    """Settings of a connector whose provider signs the time it sent a callback: one older (or
    newer) than ``callback_tolerance_seconds`` is refused as stale."""

    callback_tolerance_seconds: int = 300


class BankAccount(_Frozen):
    """A bank account: ``account_number`` at ``bank_code`` (a directory short code, or an IFSC
    in India), or an ``iban`` (checksum validated with schwifty, stored compact and upper case).

    Raises (pydantic.ValidationError): neither or both of account_number / iban; an account
    number without bank_code; an invalid IBAN.
    """

    rail: Literal["bank_account"] = "bank_account"
    bank_code: str | None = Field(default=None, min_length=2, max_length=20)
    account_number: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{4,34}$")
    iban: str | None = None
    name: str = Field(min_length=1, max_length=100)

    @field_validator("iban")
    @classmethod
    def _iban(cls, v: str | None) -> str | None:
        if v is None:
            return None
        from schwifty import IBAN  # imported on first use: a fifth of a cold start otherwise
        from schwifty.exceptions import SchwiftyException

        try:
            return IBAN(v).compact
        except SchwiftyException as e:
            raise ValueError(f"invalid IBAN: {e}") from None

    @model_validator(mode="after")
    def _one_account(self) -> "BankAccount":
        if (self.account_number is None) == (self.iban is None):
            raise ValueError("give exactly one of account_number or iban")
        if self.account_number is not None and not self.bank_code:
            raise ValueError("bank_code is required with account_number")
        return self


class MobileWallet(_Frozen):
    """A mobile-money wallet: ``wallet_code`` from a directory and the holder's ``msisdn``
    (validated with phonenumbers, normalised to E.164, e.g. ``+923001234567``)."""

    rail: Literal["mobile_wallet"] = "mobile_wallet"
    wallet_code: str = Field(min_length=2, max_length=20)
    msisdn: str
    name: str = Field(min_length=1, max_length=100)

    @field_validator("msisdn")
    @classmethod
    def _e164(cls, v: str) -> str:
        import phonenumbers  # imported on first use (cold starts)

        try:
            number = phonenumbers.parse(v, None)
        except phonenumbers.NumberParseException:
            raise ValueError("msisdn must be in E.164 form, e.g. +923001234567") from None
        if not phonenumbers.is_valid_number(number):
            raise ValueError("msisdn is not a valid phone number")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class Upi(_Frozen):
    """A UPI virtual payment address (``name@handle``)."""

    rail: Literal["upi"] = "upi"
    vpa: str = Field(pattern=VPA_PATTERN)
    name: str = Field(min_length=1, max_length=100)


Beneficiary = Annotated[BankAccount | MobileWallet | Upi, Field(discriminator="rail")]


class TransferRequest(_Frozen):
    """One payout to send. ``transfer_id`` is payrail's id and the provider idempotency key
    (the same id never creates two transfers); ``amount`` is a strict positive int in the
    minor unit of ``currency`` (ISO 4217)."""

    transfer_id: str = Field(pattern=r"^[A-Za-z0-9_\-]{1,64}$")
    amount: StrictInt = Field(gt=0, le=10**15)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    beneficiary: Beneficiary
    remarks: str | None = Field(default=None, max_length=140)


class ProviderStatus(StrEnum):
    """A provider's view of a transfer. Not a payout status: ``ON_HOLD`` and ``PENDING`` are
    open, ``NOT_FOUND`` means the provider never received the transfer id."""

    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    PENDING = "PENDING"
    ON_HOLD = "ON_HOLD"
    NOT_FOUND = "NOT_FOUND"


FINAL_STATUSES = frozenset({ProviderStatus.SUCCESS, ProviderStatus.FAILED})

#: ``TransferResult.failure_code`` / ``TransferRejected.code`` of a provider refusing a transfer for
#: lack of float in payrail's account at the provider: nothing was paid, another provider may pay it
INSUFFICIENT_FLOAT = "insufficient_float"


class TransferResult(_Frozen):
    """What the provider says about one transfer.

    ``reason`` is required for FAILED and ON_HOLD; ``amount`` (minor units) is the provider's
    amount parsed back exactly, when it reported one; ``provider_status`` is its raw status
    (e.g. Cashfree's ``REVERSED``, which maps to FAILED).
    """

    transfer_id: str
    status: ProviderStatus
    reason: str | None = None
    provider_reference: str | None = None
    provider_status: str | None = None
    amount: int | None = None
    #: a normalised failure code where the connector knows one; ``INSUFFICIENT_FLOAT`` means the
    #: provider refused for lack of float in payrail's account there (nothing was paid)
    failure_code: str | None = None

    @model_validator(mode="after")
    def _reason(self) -> "TransferResult":
        if self.status in (ProviderStatus.FAILED, ProviderStatus.ON_HOLD) and not self.reason:
            raise ValueError(f"{self.status} needs a reason")
        return self

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


class Verification(_Frozen):
    """An account check: ``{valid: true, account_title}`` or ``{valid: false, reason}``."""

    valid: bool
    account_title: str | None = None
    reason: str | None = None


class CallbackHint(_Frozen):
    """An authenticated provider callback. A hint, not a verdict: confirm with ``status()``.

    ``transfer_key`` is the provider-side idempotency key (see ``Connector.transfer_key``);
    ``transfer_id`` is payrail's id when the provider echoes it. Both are bounded (1-256
    characters: what a DynamoDB index key can hold), so a callback naming something no
    transfer could be called is refused as malformed.
    """

    transfer_key: str = Field(min_length=1, max_length=256)
    transfer_id: str | None = Field(default=None, min_length=1, max_length=256)
    status: ProviderStatus
    reason: str | None = None
    provider_reference: str | None = None
    event_id: str | None = None
    event_type: str | None = None


class ConnectorError(Exception):
    """Base of the connector errors."""


class ConnectorUnavailable(ConnectorError):
    """The call had no effect at the provider (never connected, rate limited, credentials
    refused, or a read-only call failed): retry later or use another connector."""


class OutcomeUnknown(ConnectorError):
    """A money-moving request may have been acted on (read timeout, reset, 5xx after sending).
    Never a failure: ask ``status(transfer_id)`` before deciding."""


class TransferRejected(ConnectorError):
    """A definite refusal: this request created nothing. ``code`` and ``message`` are the
    provider's (or the connector's, when it refused before sending); ``http_status`` when one
    was sent. After an OutcomeUnknown, ask ``status()`` first: a refusal of a later attempt
    says nothing about the earlier one."""

    def __init__(self, code: str, message: str, http_status: int | None = None):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.http_status = code, message, http_status


class CallbackRejected(ConnectorError):
    """A callback that is unsigned, forged, stale or malformed: answer 401, change nothing."""


@runtime_checkable
class Connector(Protocol):
    """A payout provider behind one interface. Every call makes at most one HTTP attempt per
    provider endpoint; retries, backoff and concurrency bounds belong to the caller."""

    name: str
    capabilities: Capabilities
    #: the request headers its callbacks are authenticated by (empty: the provider signs nothing)
    callback_headers: tuple[str, ...]

    def transfer_key(self, transfer_id: str) -> str:
        """The provider-side idempotency key for ``transfer_id`` (deterministic; what
        callbacks and the provider's dashboards show)."""
        ...

    def submit(self, req: TransferRequest) -> TransferResult:
        """Create the transfer, or return the existing one for a repeated ``transfer_id``.

        Raises: TransferRejected, ConnectorUnavailable, OutcomeUnknown.
        """
        ...

    def status(self, transfer_id: str) -> TransferResult:
        """Look the transfer up (``NOT_FOUND`` if the provider never received it).

        Raises: ConnectorUnavailable.
        """
        ...

    def verify(self, beneficiary: BankAccount | MobileWallet | Upi) -> Verification:
        """Check an account before paying it (only where ``capabilities.verifies_accounts``).

        Raises: ConnectorUnavailable; TransferRejected for a beneficiary it cannot check.
        """
        ...

    def parse_callback(self, headers: dict[str, str], raw_body: bytes, now: float) -> CallbackHint:
        """Authenticate a provider callback (``now`` in unix seconds) and read it.

        Raises: CallbackRejected.
        """
        ...


def header(headers: dict[str, str], name: str) -> str | None:
    """Case-insensitive header lookup."""
    name = name.lower()
    return next((v for k, v in headers.items() if k.lower() == name), None)


# ---- reading provider callbacks ------------------------------------------------------------------
# What a connector's ``parse_callback`` reads from a request anyone can send: each helper checks the
# shape (ASCII, bounded length) before anything is computed from a value, and refuses with
# CallbackRejected (401), never with an error of its own.

#: longest callback authentication header read (a signature header with a few rotated values fits)
MAX_CALLBACK_HEADER = 1024
#: a unix time in seconds or milliseconds: 1 to 13 ASCII digits (13 digits of milliseconds reach 2286),
#: without leading zeros (a provider signs the number as it writes it: padded, it is not what was signed)
_UNIX_TIME = re.compile(r"[1-9][0-9]{0,12}")
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_BASE64_SHA256 = re.compile(r"[A-Za-z0-9+/]{43}=")
#: the longest RFC 3339 / ISO 8601 timestamp read (``2026-03-01T12:00:00.123456+05:00`` is 32)
_MAX_ISO_TIMESTAMP = 40


def callback_header(headers: dict[str, str], name: str, connector: str) -> str:
    """The value of header ``name`` (any case), stripped.

    Raises: CallbackRejected (``"<connector>: unsigned callback"``) when it is missing or empty;
    (``malformed``) when it is longer than MAX_CALLBACK_HEADER or not printable ASCII.
    """
    value = header(headers, name)
    if not value or not value.strip():
        raise CallbackRejected(f"{connector}: unsigned callback (no {name})")
    if len(value) > MAX_CALLBACK_HEADER or not _PRINTABLE_ASCII.fullmatch(value):
        raise CallbackRejected(f"{connector}: malformed {name}")
    return value.strip()


def unix_time(value: str, connector: str, *, millis_above: int | None = None) -> float:
    """A callback timestamp of 1-13 ASCII digits as unix seconds; with ``millis_above``, a
    larger value is read as milliseconds (Cashfree sends either).

    Raises: CallbackRejected for anything else (signs, spaces, non-ASCII digits such as ``²`` or
    ``١``, which ``int()`` would accept or choke on, leading zeros, and values too long to be a time).
    """
    if not _UNIX_TIME.fullmatch(value):
        raise CallbackRejected(f"{connector}: malformed timestamp")
    t = int(value)
    return t / 1000 if millis_above is not None and t > millis_above else float(t)


def iso_time(value: str, connector: str) -> float:
    """An ISO 8601 timestamp with a time zone (``2026-03-01T12:00:00.123Z``) as unix seconds.

    Raises: CallbackRejected (not one, no time zone, longer than 40 characters).
    """
    if len(value) > _MAX_ISO_TIMESTAMP or not value.isascii():
        raise CallbackRejected(f"{connector}: malformed timestamp")
    try:
        sent = datetime.fromisoformat(value)
        if sent.tzinfo is None:
            raise CallbackRejected(f"{connector}: timestamp without a time zone")
        return sent.timestamp()
    except (ValueError, OverflowError):
        raise CallbackRejected(f"{connector}: malformed timestamp") from None


def check_fresh(sent: float, now: float, tolerance_seconds: float, connector: str) -> None:
    """Raises CallbackRejected (``stale``) when ``sent`` is more than ``tolerance_seconds`` from ``now``."""
    if abs(now - sent) > tolerance_seconds:
        raise CallbackRejected(f"{connector}: stale callback")


def hex_sha256(value: str, connector: str) -> bytes:
    """A hex HMAC-SHA256 signature (64 hex digits, any case) as its 32 bytes. Raises CallbackRejected."""
    if not _HEX_SHA256.fullmatch(value):
        raise CallbackRejected(f"{connector}: malformed signature")
    return bytes.fromhex(value)


def base64_sha256(value: str, connector: str) -> bytes:
    """A base64 HMAC-SHA256 signature (44 characters, padded) as its 32 bytes. Raises CallbackRejected."""
    if not _BASE64_SHA256.fullmatch(value):
        raise CallbackRejected(f"{connector}: malformed signature")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise CallbackRejected(f"{connector}: malformed signature") from None


@contextmanager
def callback_body(connector: str) -> Iterator[None]:
    """Around reading an authenticated (or unsigned) callback's body: whatever shape it has, a
    body that does not read as the provider documents is refused.

    Raises: CallbackRejected (``malformed callback``) for the errors reading JSON of an unexpected
    shape raises: ValueError (pydantic's ValidationError included), KeyError, TypeError,
    AttributeError, ArithmeticError (decimal), RecursionError.
    """
    try:
        yield
    except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError, RecursionError) as e:
        raise CallbackRejected(f"{connector}: malformed callback ({type(e).__name__})") from None


def clean_text(value: str | None, limit: int, digits: bool = True) -> str | None:
    """Keep letters (and digits unless ``digits=False``) with single spaces, which is what
    payout APIs accept in names and remarks; cut to ``limit`` characters; None if nothing is left."""
    if not value:
        return None
    drop = r"[^\w\s]|_" if digits else r"[^\w\s]|[\d_]"
    out = re.sub(r"\s+", " ", re.sub(drop, " ", value)).strip()[:limit].strip()
    return out or None


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """The 32-byte HMAC-SHA256 of ``message`` under ``key``."""
    return hmac.new(key, message, hashlib.sha256).digest()


class SignedCallbacks:
    """``parse_callback`` for a provider that authenticates its callbacks with an HMAC-SHA256, or
    signs nothing (empty ``callback_headers``), split as Hyperswitch's ``IncomingWebhook`` splits it:
    the connector says where the signature is (:meth:`callback_signature`), what was signed
    (:meth:`callback_message`, which also refuses a stale time) and with which key
    (:meth:`callback_key`); this class compares them in constant time and then reads the body,
    parsed as JSON with exact decimals, through the connector's wire mapping (:meth:`read_callback`).
    Every refusal is CallbackRejected (401), never another error."""

    name: str
    callback_headers: tuple[str, ...] = ()

    def callback_signature(self, headers: dict[str, str]) -> bytes:
        """The signature the callback carries, decoded. Raises CallbackRejected (missing, malformed)."""
        raise NotImplementedError

    def callback_message(self, headers: dict[str, str], raw_body: bytes, now: float) -> bytes:
        """The bytes the provider signed. Raises CallbackRejected (malformed or stale time)."""
        raise NotImplementedError

    def callback_key(self) -> bytes:
        """The HMAC key the provider signs with."""
        raise NotImplementedError

    def read_callback(self, headers: dict[str, str], body) -> CallbackHint:
        """The hint an authenticated callback's JSON ``body`` gives (errors of an unexpected shape
        become CallbackRejected)."""
        raise NotImplementedError

    def parse_callback(self, headers: dict[str, str], raw_body: bytes, now: float) -> CallbackHint:
        """Authenticate a callback (``now`` in unix seconds) and read it. Raises CallbackRejected."""
        if self.callback_headers:
            given = self.callback_signature(headers)
            signed = self.callback_message(headers, raw_body, now)
            if not hmac.compare_digest(hmac_sha256(self.callback_key(), signed), given):
                raise CallbackRejected(f"{self.name}: bad signature")
        from payrail.providers.connectors import amounts  # on first use: this module is on every cold start

        with callback_body(self.name):
            return self.read_callback(headers, amounts.loads(raw_body))
