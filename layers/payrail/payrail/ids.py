"""Identifiers. Ids of money-moving objects derive from the merchant and the idempotency key,
so a retried request (even after a crash past the write) names the same object and the ledger's
``attribute_not_exists`` guard turns it into a no-op."""
from __future__ import annotations

import hashlib
import secrets


def derived(prefix: str, merchant_id: str, idempotency_key: str) -> str:
    """``prefix_`` + 24 hex chars of SHA-256(merchant, key): stable across retries."""
    return f"{prefix}_" + hashlib.sha256(f"{merchant_id}\x1f{idempotency_key}".encode()).hexdigest()[:24]


def random_id(prefix: str) -> str:
    return f"{prefix}_" + secrets.token_hex(12)
