"""Merchants and their API keys (stored as SHA-256 hashes; a key itself is shown once).

A merchant is ``ACTIVE`` or ``SUSPENDED`` (admin decision; a suspended merchant's keys are refused
with 403). Each key is one item ``APIKEY#<sha256>`` naming its merchant; rotating issues a new key
and gives every current key an ``expires_at`` (now + overlap), after which it is refused with 401.
Resolved keys and merchants are cached per execution environment for at most
``cache_seconds`` (≤ 5), so a suspension or an expiry is seen everywhere within that time.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timezone

from payrail.core import clock
from payrail.core import ddb
from payrail.core.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from payrail.core.ids import now_iso
from payrail.core.money import check_currency
from payrail.core.store import API_KEY, MERCHANT, MainTable, public

ACTIVE, SUSPENDED = "ACTIVE", "SUSPENDED"


def hash_key(api_key: str) -> str:
    """Hex SHA-256 of an API key: what is stored and looked up."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Merchants:
    """Create, suspend and reactivate merchants; issue, rotate and authenticate API keys.

    Args:
        main: the main table.
        cache_seconds: how long a resolved key or merchant stays cached in this process (0 disables).
    """

    def __init__(self, main: MainTable, cache_seconds: int = 2):
        self.main = main
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, dict]] = {}

    def create(self, name: str, fee_bps: int, rate_limit_per_minute: int | None = None,
               payout_currencies: list[str] | None = None, payout_review_threshold: int | None = None
               ) -> tuple[dict, str]:
        """Create a merchant and its first API key.

        Args:
            rate_limit_per_minute: the merchant's own limit (None: the platform default).
            payout_currencies: ISO 4217 codes it may pay out in (None: the platform default).
            payout_review_threshold: major units from which its payouts wait for review (None: the
                platform default).

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
        api_key, key_item = self._new_key(merchant_id)
        ts = now_iso()
        merchant = {"type": MERCHANT.type, "merchant_id": merchant_id, "name": name, "fee_bps": fee_bps,
                    "status": ACTIVE, "rate_limit_per_minute": rate_limit_per_minute, "key_version": 1,
                    "payout_currencies": payout_currencies, "payout_review_threshold": payout_review_threshold,
                    "api_keys": [self._key_view(key_item)], "created_at": ts, "updated_at": ts,
                    "status_history": [{"status": ACTIVE, "at": ts}]}
        self.main.db.transact_write_items(TransactItems=[
            self.main.put_action(MERCHANT.key(merchant_id), merchant),
            self.main.put_action(API_KEY.key(key_item.pop("hash")), key_item),
        ])
        return public(dict(merchant)), api_key

    @staticmethod
    def _new_key(merchant_id: str) -> tuple[str, dict]:
        api_key = "sk_" + secrets.token_urlsafe(32)
        return api_key, {"type": API_KEY.type, "hash": hash_key(api_key), "merchant_id": merchant_id,
                         "prefix": api_key[:10], "created_at": now_iso()}

    @staticmethod
    def _key_view(item: dict) -> dict:
        return {k: item[k] for k in ("prefix", "created_at", "expires_at") if item.get(k)} | {"hash": item["hash"]}

    def rotate_key(self, merchant_id: str, overlap_seconds: int) -> dict:
        """Issue a new key; every current key stays valid for ``overlap_seconds`` more, then is refused.

        Returns:
            ``{"api_key", "merchant": <merchant>}``: the new plain key (shown only here).

        Raises:
            NotFound: unknown merchant. Conflict: a concurrent rotation won (retry).
        """
        merchant = self.main.get(MERCHANT.key(merchant_id))
        if not merchant:
            raise NotFound("merchant not found", param="merchant_id")
        now = clock.now()
        expires = _iso(now + overlap_seconds)
        api_key, new = self._new_key(merchant_id)
        kept, actions = [], []
        for k in merchant.get("api_keys", []):
            if k.get("expires_at") and k["expires_at"] <= _iso(now):
                continue  # already expired: forget it
            until = min(filter(None, (k.get("expires_at"), expires)))
            kept.append(k | {"expires_at": until})
            actions.append({"Update": {
                "TableName": self.main.table, "Key": {"pk": {"S": API_KEY.key(k["hash"])}},
                "UpdateExpression": "SET expires_at = :e", "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {":e": {"S": until}}}})
        keys = kept + [self._key_view(new)]
        actions.append(self.main.put_action(API_KEY.key(new.pop("hash")), new))
        actions.append({"Update": {
            "TableName": self.main.table, "Key": {"pk": {"S": MERCHANT.key(merchant_id)}},
            "UpdateExpression": "SET api_keys = :k, key_version = key_version + :one, updated_at = :ts",
            "ConditionExpression": "key_version = :v",
            "ExpressionAttributeValues": {":k": ddb.value(keys), ":one": {"N": "1"}, ":ts": {"S": now_iso()},
                                          ":v": {"N": str(merchant.get("key_version", 1))}}}})
        try:
            self.main.db.transact_write_items(TransactItems=actions)
        except self.main.db.exceptions.TransactionCanceledException:
            raise Conflict("another key rotation of this merchant happened at the same time; retry",
                           code="concurrent_update") from None
        return {"api_key": api_key, "merchant": self.get(merchant_id, fresh=True)}

    def set_payout_settings(self, merchant_id: str, payout_currencies: list[str] | None,
                            payout_review_threshold: int | None) -> dict:
        """Change the currencies a merchant may pay out in and its review threshold (major units);
        a None leaves that setting as it is.

        Raises:
            NotFound: unknown merchant. ValidationFailed: an unsupported currency.
        """
        for c in payout_currencies or ():
            check_currency(c, param="payout_currencies")
        sets = {"payout_currencies": sorted(set(payout_currencies)) if payout_currencies is not None else None,
                "payout_review_threshold": payout_review_threshold}
        try:
            self.main.apply(self.main.update_action(MERCHANT.key(merchant_id),
                                                    sets={k: v for k, v in sets.items() if v is not None}))
        except Conflict:
            raise NotFound("merchant not found", param="merchant_id") from None
        self._cache.pop(f"m:{merchant_id}", None)
        return self.get(merchant_id, fresh=True)

    def set_status(self, merchant_id: str, status: str, reason: str | None = None) -> dict:
        """Suspend (``SUSPENDED``) or reactivate (``ACTIVE``) a merchant.

        Raises:
            NotFound: unknown merchant. Conflict (``invalid_state``): already in that status.
        """
        if not self.main.get(MERCHANT.key(merchant_id)):
            raise NotFound("merchant not found", param="merchant_id")
        source = SUSPENDED if status == ACTIVE else ACTIVE
        try:
            merchant = self.main.transition(MERCHANT.key(merchant_id), (source,), status, detail=reason)
        except Conflict:
            raise Conflict(f"merchant is not {source}", code="invalid_state") from None
        self._cache.pop(f"m:{merchant_id}", None)
        return merchant

    def _cached(self, cache_key: str, load, fresh: bool = False):
        hit = self._cache.get(cache_key)
        if hit and hit[0] > clock.monotonic() and not fresh:
            return hit[1]
        value = load()
        if value is not None and self.cache_seconds:
            self._cache[cache_key] = (clock.monotonic() + self.cache_seconds, value)
        return value

    def get(self, merchant_id: str, fresh: bool = False) -> dict | None:
        """The merchant (without key hashes), or None; cached for ``cache_seconds`` unless ``fresh``."""
        m = self._cached(f"m:{merchant_id}", lambda: self.main.get(MERCHANT.key(merchant_id), consistent=fresh),
                         fresh)
        if m is None:
            return None
        return {k: v for k, v in m.items() if k != "api_keys"} | {
            "api_keys": [{k: v for k, v in x.items() if k != "hash"} for x in m.get("api_keys", [])]}

    def authenticate(self, api_key: str | None) -> dict:
        """Resolve an ``X-API-Key`` to its merchant.

        Raises:
            Unauthorized (401): missing, unknown or expired key.
            Forbidden (403, ``merchant_suspended``): the merchant is suspended.
        """
        if not api_key:
            raise Unauthorized("missing X-API-Key header")
        if len(api_key) > 200:
            raise Unauthorized("invalid API key")
        h = hash_key(api_key)
        rec = self._cached(f"k:{h}", lambda: self.main.get(API_KEY.key(h), consistent=False))
        if not rec or (rec.get("expires_at") and rec["expires_at"] <= _iso(clock.now())):
            raise Unauthorized("invalid or expired API key")
        merchant = self.get(rec["merchant_id"])
        if not merchant:
            raise Unauthorized("invalid API key")
        if merchant.get("status") != ACTIVE:
            raise Forbidden("this merchant is suspended", code="merchant_suspended")
        return merchant
