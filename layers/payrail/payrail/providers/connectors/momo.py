"""What the Ghana mobile-money connectors (``mtn_momo``, ``airteltigo``, ``telecel``) share: their
capabilities (GHS to Ghana mobile wallets), the recipient's number from a transfer request, an
OAuth-style bearer token cached until shortly before it expires, and the calls a payment needs
beyond the payout :class:`~payrail.providers.connectors.base.Connector` protocol:

    reverse(transfer_id, reversal_id, amount) -> TransferResult   refund a paid transfer (its own key)
    reversal_status(reversal_id) -> TransferResult
    balance() -> int                                              payrail's float at the provider (minor units);
                                                                  also the health probe
    network                                                       the network it is on-net for
"""
from __future__ import annotations

import threading
import uuid
from typing import Protocol, runtime_checkable

from payrail.core import clock
from payrail.providers.connectors.base import (Capabilities, Connector, ConnectorSettings, MobileWallet, TransferRejected,
                                     TransferRequest, TransferResult)
from payrail.providers.connectors.http import Transport
from payrail.providers.connectors.ghana import parse_recipient, Recipient
from payrail.core.errors import ValidationFailed


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


class MomoBase:
    """Shared plumbing: ``settings`` (a :class:`ConnectorSettings`), one :class:`Transport`,
    ``transfer_key`` = uuid5(namespace of the connector, transfer id)."""

    name = "momo"
    network = ""
    capabilities = capabilities()
    callback_headers: tuple[str, ...] = ()

    def __init__(self, settings: ConnectorSettings):
        self.settings = settings
        self.http = Transport(str(settings.base_url), self.name, settings.timeout_seconds,
                              settings.connect_timeout_seconds)
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"payrail/connectors/{self.name}")
        self._cached_token: tuple[str, float] | None = None
        self._token_lock = threading.Lock()

    def transfer_key(self, transfer_id: str) -> str:
        return str(uuid.uuid5(self.namespace, transfer_id))

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
