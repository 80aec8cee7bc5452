"""Identifiers, time stamps and shards. Ids of money-moving objects derive from the merchant and
the idempotency key, so a retried request (even after a crash past the write) names the same
object and the ledger's ``attribute_not_exists`` guard turns it into a no-op."""
from __future__ import annotations

import hashlib
import secrets

from payrail.core import clock


def now_iso() -> str:
    """UTC timestamp with microseconds, ISO 8601, sortable as a string (:func:`payrail.core.clock.now_iso`)."""
    return clock.now_iso()


def shard_of(key: str, shards: int) -> int:
    """Stable shard number in ``[0, shards)`` for ``key`` (spreads the settlement index)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % shards


def derived(prefix: str, merchant_id: str, idempotency_key: str) -> str:
    """``prefix_`` + 24 hex chars of SHA-256(merchant, key): stable across retries."""
    return f"{prefix}_" + hashlib.sha256(f"{merchant_id}\x1f{idempotency_key}".encode()).hexdigest()[:24]


def random_id(prefix: str) -> str:
    return f"{prefix}_" + secrets.token_hex(12)


def time_ordered(prefix: str, at: float | None = None) -> str:
    """``prefix_`` + 24 hex chars: 12 of the creation time in milliseconds, then 12 random, so
    ids sort by creation time as strings (events, webhook endpoints, delivery attempts are listed
    newest first by id). ``at``: epoch seconds (default now)."""
    ms = int((clock.now() if at is None else at) * 1000)
    return f"{prefix}_{ms:012x}{secrets.token_hex(6)}"
