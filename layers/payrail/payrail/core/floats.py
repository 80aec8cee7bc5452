"""A merchant's mobile-money float at one provider, as the balances and the float top-up show it
(its ``momo_float`` and ``momo_held`` accounts, :mod:`payrail.core.accounts`)."""
from __future__ import annotations

from pydantic import Field

from payrail.core.entity import Entity


class FloatBalance(Entity):
    """A merchant's float at one provider (minor units)."""

    available: int = Field(description="the merchant's float at the provider (minor units)")
    held: int = Field(description="held for mobile-money payments in flight")
