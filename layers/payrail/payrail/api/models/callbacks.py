"""What payrail did with a provider's callback."""
from typing import Literal

from payrail.api.models.common import Model

__all__ = ['CallbackAck']


class CallbackAck(Model):
    """What payrail did with an authenticated provider callback (after asking the provider)."""

    received: bool
    outcome: Literal["captured", "released", "no_change", "deferred", "unknown_transfer"]
    object_type: str | None = None
    object_id: str | None = None
    status: str | None = None
