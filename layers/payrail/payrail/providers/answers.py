"""What payrail answers a provider: the entities of ``payrail.providers`` that the API shows (kept
apart from the connectors, so that the API's models import them without the connector code)."""
from __future__ import annotations

from typing import Literal

from payrail.core.entity import Entity


class CallbackAck(Entity):
    """What payrail did with an authenticated provider callback (after asking the provider)."""

    received: bool
    outcome: Literal["captured", "released", "no_change", "deferred", "unknown_transfer"]
    object_type: str | None = None
    object_id: str | None = None
    status: str | None = None
