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
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from enum import StrEnum
from typing import Callable, TypeVar


from payrail.core import ddb
from payrail.core.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from payrail.core.ids import now_iso
from payrail.core.money import check_currency
from payrail.core.store import API_KEY, MERCHANT, MainTable
from payrail.core import clock
from payrail.core.entity import Entity


class MerchantStatus(StrEnum):
    """A merchant's status: the admin suspends and reactivates it."""

    ACTIVE = "ACTIVE"          # its keys are accepted
    SUSPENDED = "SUSPENDED"    # its keys are refused with 403 ``merchant_suspended``


ACTIVE, SUSPENDED = MerchantStatus.ACTIVE, MerchantStatus.SUSPENDED


def hash_key(api_key: str) -> str:
    """Hex SHA-256 of an API key: what is stored and looked up."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- the merchant aggregate -------------------------------------------------------------------
class ApiKey(Entity):
    """One of a merchant's API keys as the merchant item lists it (its hash stays in the records)."""

    prefix: str
    created_at: str
    expires_at: str | None = None


class MerchantStatusChange(Entity):
    """One entry of a merchant's ``status_history``."""

    status: str
    at: str
    detail: str | None = None


class Merchant(Entity):
    """A merchant: its fee, limits, payout settings, keys (prefixes and expiry) and status.
    The API's ``Merchant`` is its public view (``payrail.api.models.merchants``)."""

    merchant_id: str
    name: str
    fee_bps: int
    status: MerchantStatus
    rate_limit_per_minute: int | None = None
    payout_currencies: list[str] | None = None
    payout_review_threshold: int | None = None
    api_keys: list[ApiKey]
    created_at: str
    updated_at: str | None = None
    status_history: list[MerchantStatusChange] = []

    def public(self) -> dict:
        """The merchant as the API shows it (JSON-ready)."""
        return self.model_dump(mode="json")


@dataclass(frozen=True)
class StoredKey:
    """An API key as stored: ``APIKEY#<hash>`` naming its merchant (never shown)."""

    hash: str
    merchant_id: str
    prefix: str
    created_at: str
    expires_at: str | None = None

    def expired(self, now: float) -> bool:
        return bool(self.expires_at and self.expires_at <= _iso(now))

    def listed(self) -> dict:
        """The entry the merchant item's ``api_keys`` holds for this key (with its hash)."""
        return {k: v for k, v in (("prefix", self.prefix), ("created_at", self.created_at),
                                  ("expires_at", self.expires_at), ("hash", self.hash)) if v}


class MerchantRecords:
    """Data access of merchants (``MERCHANT#<merchant_id>``) and their keys (``APIKEY#<sha256>``)
    in the main table: the one place that knows their items and expressions."""

    def __init__(self, main: MainTable):
        self.main = main

    @staticmethod
    def load(item: dict | None) -> Merchant | None:
        """A merchant item as a :class:`Merchant` (key hashes and bookkeeping left out), unvalidated."""
        if item is None:
            return None
        fields = {k: item[k] for k in Merchant.model_fields if k in item}
        return Merchant.model_construct(**fields | {
            "status": MerchantStatus(item["status"]),
            "api_keys": [ApiKey.model_construct(**{k: v for k, v in x.items() if k != "hash"})
                         for x in item.get("api_keys") or ()],
            "status_history": [MerchantStatusChange.model_construct(**h) for h in item.get("status_history") or ()]})

    def item(self, merchant_id: str, consistent: bool = True) -> dict | None:
        """The merchant item as stored (with its keys' hashes and ``key_version``), or None."""
        return self.main.get(MERCHANT.key(merchant_id), consistent=consistent)

    def get(self, merchant_id: str, consistent: bool = True) -> Merchant | None:
        return self.load(self.item(merchant_id, consistent))

    def key(self, key_hash: str) -> StoredKey | None:
        item = self.main.get(API_KEY.key(key_hash), consistent=False)
        return None if item is None else self._stored_key(key_hash, item)

    def key_and_merchant(self, key_hash: str, merchant_id: str) -> tuple[StoredKey | None, Merchant | None]:
        """A key and the merchant it belongs to (a key never changes merchant) in one
        ``BatchGetItem``, read eventually consistently as :meth:`key` is: ``(key or None,
        merchant or None)``."""
        pks = {API_KEY.key(key_hash): None, MERCHANT.key(merchant_id): None}
        for item in self.main.read_listed(list(pks), consistent=False):
            pks[item["pk"]] = item
        key_item, merchant_item = pks.values()
        return (None if key_item is None else self._stored_key(key_hash, key_item)), self.load(merchant_item)

    @staticmethod
    def _stored_key(key_hash: str, item: dict) -> StoredKey:
        return StoredKey(hash=key_hash, **{k: item.get(k) for k in ("merchant_id", "prefix", "created_at", "expires_at")})

    def create(self, merchant: Merchant, key: StoredKey) -> None:
        """The merchant item (listing ``key``, ``key_version`` 1) and the key's item, in one transaction."""
        item = {"type": MERCHANT.type, **merchant.model_dump(mode="json", exclude_none=True), "key_version": 1,
                "api_keys": [key.listed()]}
        self.main.db.transact_write_items(TransactItems=[
            self.main.put_action(MERCHANT.key(merchant.merchant_id), item), self._key_put(key)])

    def _key_put(self, key: StoredKey) -> dict:
        return self.main.put_action(API_KEY.key(key.hash), {
            "type": API_KEY.type, "merchant_id": key.merchant_id, "prefix": key.prefix,
            "created_at": key.created_at})

    def rotate(self, item: dict, kept: list[StoredKey], new: StoredKey) -> None:
        """Give each of ``kept`` its new ``expires_at``, add ``new``, and list them on the merchant,
        guarded by the ``key_version`` of ``item`` as read.

        Raises:
            Conflict (``concurrent_update``): another rotation changed the merchant meanwhile.
        """
        actions = [{"Update": {
            "TableName": self.main.table, "Key": {"pk": {"S": API_KEY.key(k.hash)}},
            "UpdateExpression": "SET expires_at = :e", "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": {":e": {"S": k.expires_at}}}} for k in kept]
        actions.append(self._key_put(new))
        actions.append({"Update": {
            "TableName": self.main.table, "Key": {"pk": {"S": MERCHANT.key(item["merchant_id"])}},
            "UpdateExpression": "SET api_keys = :k, key_version = key_version + :one, updated_at = :ts",
            "ConditionExpression": "key_version = :v",
            "ExpressionAttributeValues": {":k": ddb.value([k.listed() for k in (*kept, new)]), ":one": {"N": "1"},
                                          ":ts": {"S": now_iso()}, ":v": {"N": str(item.get("key_version", 1))}}}})
        try:
            self.main.db.transact_write_items(TransactItems=actions)
        except self.main.db.exceptions.TransactionCanceledException:
            raise Conflict("another key rotation of this merchant happened at the same time; retry",
                           code="concurrent_update") from None

    @staticmethod
    def stored_keys(item: dict) -> list[StoredKey]:
        """The keys the merchant ``item`` lists, with their hashes."""
        return [StoredKey(merchant_id=item["merchant_id"], expires_at=k.get("expires_at"),
                                          **{f: k[f] for f in ("hash", "prefix", "created_at")})
                for k in item.get("api_keys") or ()]

    def set_payout_settings(self, merchant_id: str, payout_currencies: list[str] | None,
                            payout_review_threshold: int | None) -> Merchant:
        """Set the payout settings given (None leaves one as it is). Raises Conflict: no such merchant."""
        sets = {"payout_currencies": payout_currencies, "payout_review_threshold": payout_review_threshold}
        return self.load(self.main.apply(self.main.update_action(
            MERCHANT.key(merchant_id), sets={k: v for k, v in sets.items() if v is not None})))

    def transition(self, merchant_id: str, source: MerchantStatus, to: MerchantStatus,
                   detail: str | None) -> Merchant:
        """``source`` → ``to``, appended to ``status_history``. Raises Conflict: not in ``source``."""
        return self.load(self.main.transition(MERCHANT.key(merchant_id), (source,), to, detail=detail))


T = TypeVar("T", Merchant, StoredKey)


class Merchants:
    """Create, suspend and reactivate merchants; issue, rotate and authenticate API keys.

    Args:
        main: the main table.
        cache_seconds: how long a resolved key or merchant stays cached in this process (0 disables).
    """

    def __init__(self, main: MainTable, cache_seconds: int = 2):
        self.records = MerchantRecords(main)
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Merchant | StoredKey]] = {}

    def create(self, name: str, fee_bps: int, rate_limit_per_minute: int | None = None,
               payout_currencies: list[str] | None = None, payout_review_threshold: int | None = None
               ) -> tuple[Merchant, str]:
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
        api_key, key = self._new_key(merchant_id)
        ts = now_iso()
        merchant = Merchant.model_construct(
            merchant_id=merchant_id, name=name, fee_bps=fee_bps, status=ACTIVE,
            rate_limit_per_minute=rate_limit_per_minute, payout_currencies=payout_currencies,
            payout_review_threshold=payout_review_threshold,
            api_keys=[ApiKey.model_construct(prefix=key.prefix, created_at=key.created_at)], created_at=ts,
            updated_at=ts, status_history=[MerchantStatusChange.model_construct(status=ACTIVE, at=ts)])
        self.records.create(merchant, key)
        return merchant, api_key

    @staticmethod
    def _new_key(merchant_id: str) -> tuple[str, StoredKey]:
        api_key = "sk_" + secrets.token_urlsafe(32)
        return api_key, StoredKey(hash=hash_key(api_key), merchant_id=merchant_id,
                                                  prefix=api_key[:10], created_at=now_iso())

    def rotate_key(self, merchant_id: str, overlap_seconds: int) -> tuple[Merchant, str]:
        """Issue a new key; every current key stays valid for ``overlap_seconds`` more, then is refused.

        Returns:
            ``(merchant, api_key)``: the merchant after the rotation and the new plain key (shown only here).

        Raises:
            NotFound: unknown merchant. Conflict: a concurrent rotation won (retry).
        """
        item = self.records.item(merchant_id)
        if not item:
            raise NotFound("merchant not found", param="merchant_id")
        now = clock.now()
        expires = _iso(now + overlap_seconds)
        api_key, new = self._new_key(merchant_id)
        kept = [replace(k, expires_at=min(filter(None, (k.expires_at, expires))))
                for k in self.records.stored_keys(item) if not k.expired(now)]  # an expired one is forgotten
        self.records.rotate(item, kept, new)
        return self.get(merchant_id, fresh=True), api_key

    def set_payout_settings(self, merchant_id: str, payout_currencies: list[str] | None,
                            payout_review_threshold: int | None) -> Merchant:
        """Change the currencies a merchant may pay out in and its review threshold (major units);
        a None leaves that setting as it is.

        Raises:
            NotFound: unknown merchant. ValidationFailed: an unsupported currency.
        """
        for c in payout_currencies or ():
            check_currency(c, param="payout_currencies")
        try:
            self.records.set_payout_settings(
                merchant_id, sorted(set(payout_currencies)) if payout_currencies is not None else None,
                payout_review_threshold)
        except Conflict:
            raise NotFound("merchant not found", param="merchant_id") from None
        self._cache.pop(f"m:{merchant_id}", None)
        return self.get(merchant_id, fresh=True)

    def set_status(self, merchant_id: str, status: MerchantStatus, reason: str | None = None) -> Merchant:
        """Suspend (``SUSPENDED``) or reactivate (``ACTIVE``) a merchant.

        Raises:
            NotFound: unknown merchant. Conflict (``invalid_state``): already in that status.
        """
        self.require(merchant_id, fresh=True)
        source = SUSPENDED if status == ACTIVE else ACTIVE
        try:
            merchant = self.records.transition(merchant_id, source, status, reason)
        except Conflict:
            raise Conflict(f"merchant is not {source}", code="invalid_state") from None
        self._cache.pop(f"m:{merchant_id}", None)
        return merchant

    def _cached(self, cache_key: str, load: Callable[[], T | None], fresh: bool = False) -> T | None:
        hit = self._cache.get(cache_key)
        if hit and hit[0] > clock.monotonic() and not fresh:
            return hit[1]
        return self._keep(cache_key, load())

    def _keep(self, cache_key: str, value: T | None) -> T | None:
        """Cache ``value`` for ``cache_seconds`` (None: forget the entry). Returns ``value``."""
        if value is None:
            self._cache.pop(cache_key, None)
        elif self.cache_seconds:
            self._cache[cache_key] = (clock.monotonic() + self.cache_seconds, value)
        return value

    def _resolve(self, key_hash: str) -> tuple[StoredKey | None, Merchant | None]:
        """A key and its merchant, from this execution environment's cache while fresh. A key
        whose entry has expired is read again with its merchant in one request (both were cached
        together, so they expire together); a key never seen is read, then its merchant."""
        hit = self._cache.get(f"k:{key_hash}")
        if hit and hit[0] <= clock.monotonic():
            merchant_id = hit[1].merchant_id
            key, merchant = self.records.key_and_merchant(key_hash, merchant_id)
            return self._keep(f"k:{key_hash}", key), self._keep(f"m:{merchant_id}", merchant)
        key: StoredKey | None = self._cached(f"k:{key_hash}", lambda: self.records.key(key_hash))
        return key, (self.get(key.merchant_id) if key else None)

    def get(self, merchant_id: str, fresh: bool = False) -> Merchant | None:
        """The merchant, or None; cached for ``cache_seconds`` unless ``fresh`` (then read consistently)."""
        return self._cached(f"m:{merchant_id}", lambda: self.records.get(merchant_id, consistent=fresh), fresh)

    def require(self, merchant_id: str, fresh: bool = False) -> Merchant:
        """:meth:`get`, for a merchant that must exist. Raises NotFound (``param`` merchant_id)."""
        merchant = self.get(merchant_id, fresh)
        if merchant is None:
            raise NotFound("merchant not found", param="merchant_id")
        return merchant

    def authenticate(self, api_key: str | None) -> Merchant:
        """Resolve an ``X-API-Key`` to its merchant.

        Raises:
            Unauthorized (401): missing, unknown or expired key.
            Forbidden (403, ``merchant_suspended``): the merchant is suspended (``merchant`` set:
                the key is valid).
        """
        if not api_key:
            raise Unauthorized("missing X-API-Key header")
        if len(api_key) > 200:
            raise Unauthorized("invalid API key")
        key, merchant = self._resolve(hash_key(api_key))
        if not key or key.expired(clock.now()):
            raise Unauthorized("invalid or expired API key")
        if not merchant:
            raise Unauthorized("invalid API key")
        if merchant.status != ACTIVE:
            raise Forbidden("this merchant is suspended", code="merchant_suspended", merchant=merchant)
        return merchant
