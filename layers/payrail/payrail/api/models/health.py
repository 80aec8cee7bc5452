"""Liveness, readiness and each dependency's check."""
from typing import Literal

from pydantic import Field

from payrail.api.models.common import Model

__all__ = ['Health', 'Check', 'DetailedHealth']


class Health(Model):
    status: Literal["ok", "unavailable"]


class Check(Model):
    ok: bool
    ms: float
    error: str | None = None


class DetailedHealth(Health):
    ok: bool
    checks: dict[str, Check]
    providers: dict[str, Check] = Field(default_factory=dict, description="mobile-money providers (not in readiness)")
