"""Merchants and their API keys (stored as SHA-256 hashes; the key itself is shown once)."""
from __future__ import annotations

import hashlib
import secrets
import time

from payrail.errors import Unauthorized, ValidationFailed
from payrail.ledger import now_iso
from payrail.store import MainTable, key, public


def hash_key(api_key: str) -> str:
    """Hex SHA-256 of an API key: what is stored and looked up."""
    return hashlib.sha256(api_key.encode()).hexdigest()


class Merchants:
    """Create merchants and authenticate API keys.

    Args:
        main: the main table.
        cache_seconds: how long a resolved key stays cached in this process (0 disables).
    """

    def __init__(self, main: MainTable, cache_seconds: int = 60):
        self.main = main
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, dict]] = {}

    def create(self, name: str, fee_bps: int) -> tuple[dict, str]:
        """Create a merchant and its first API key.

        Returns:
            ``(merchant, api_key)``; the plain key is returned only here.

        Raises:
            ValidationFailed: empty name or fee outside 0..10000 bps.
        """
        if not name or len(name) > 200:
            raise ValidationFailed("name must be 1-200 characters", param="name")
        if not 0 <= fee_bps <= 10_000:
            raise ValidationFailed("fee_bps must be within 0..10000", param="fee_bps")
        merchant_id = "m_" + secrets.token_hex(8)
        api_key = "sk_" + secrets.token_urlsafe(32)
        ts = now_iso()
        merchant = {"type": "merchant", "merchant_id": merchant_id, "name": name, "fee_bps": fee_bps,
                    "status": "ACTIVE", "created_at": ts}
        self.main.db.transact_write_items(TransactItems=[
            self.main.put_action(key("MERCHANT", merchant_id), merchant),
            self.main.put_action(key("APIKEY", hash_key(api_key)),
                                 {"type": "api_key", "merchant_id": merchant_id, "prefix": api_key[:7], "created_at": ts}),
        ])
        return public(dict(merchant)), api_key

    def _cached(self, cache_key: str, load):
        hit = self._cache.get(cache_key)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        value = load()
        if value is not None and self.cache_seconds:
            self._cache[cache_key] = (time.monotonic() + self.cache_seconds, value)
        return value

    def get(self, merchant_id: str) -> dict | None:
        """The merchant, or None (cached for ``cache_seconds``)."""
        return self._cached(f"m:{merchant_id}", lambda: self.main.get(key("MERCHANT", merchant_id), consistent=False))

    def authenticate(self, api_key: str | None) -> dict:
        """Resolve an ``X-API-Key`` to its active merchant.

        Raises:
            Unauthorized: missing, unknown or revoked key, or inactive merchant.
        """
        if not api_key:
            raise Unauthorized("missing X-API-Key header")
        h = hash_key(api_key)
        rec = self._cached(f"k:{h}", lambda: self.main.get(key("APIKEY", h), consistent=False))
        merchant = self.get(rec["merchant_id"]) if rec else None
        if not merchant or merchant.get("status") != "ACTIVE":
            raise Unauthorized("invalid API key")
        return merchant
