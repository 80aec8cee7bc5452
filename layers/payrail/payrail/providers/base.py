"""The payout provider interface every connector implements."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Status = Literal["SUCCESS", "FAILED", "PENDING", "NOT_FOUND"]


class ProviderTransientError(Exception):
    """The provider could not answer now (timeout, 5xx, 429): try again later.

    The class name is the Step Functions error name the payout state machine catches.
    """


@dataclass(frozen=True)
class ProviderResult:
    """A provider's view of one transfer: ``status``, its ``reference`` and a failure ``reason``."""

    status: Status
    reference: str | None = None
    reason: str | None = None


class PayoutProvider(Protocol):
    """A connector. ``transfer_id`` is payrail's payout id and the provider-side idempotency key:
    submitting the same id twice never creates two transfers."""

    name: str

    def submit(self, transfer_id: str, amount: int, currency: str, beneficiary: dict) -> ProviderResult:
        """Create the transfer (``amount`` in minor units). Raises ProviderTransientError."""
        ...

    def status(self, transfer_id: str) -> ProviderResult:
        """Look the transfer up (``NOT_FOUND`` if never received). Raises ProviderTransientError."""
        ...
