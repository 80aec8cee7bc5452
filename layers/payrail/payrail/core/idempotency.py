"""Idempotency keys for money-moving requests (Stripe's semantics, payrail's records).

A request with an ``Idempotency-Key`` runs at most once per ``(caller, route, key)``:

* the first request claims a record (``IN_PROGRESS``, with the request's fingerprint, its owner
  — the invocation — and a lease that ends when the invocation must have ended);
* a repeat with the same fingerprint while it runs answers **409** ``idempotency_request_in_progress``;
  after it completed, it **replays** the stored status and body without a second effect;
* a repeat with another fingerprint answers **422** ``idempotency_key_reused`` — also after the
  record expired, because every object a key created stores the fingerprint and the domain refuses
  a different request for an existing object (``payrail.core.errors.IdempotencyMismatch``);
* a request that fails (any exception, including a refusal such as 402) releases its claim, so a
  retry runs again; nothing was moved, and ids derived from the key make any partial write a no-op;
  no failure is ever stored as the key's answer (Stripe does not store 5xx answers either);
* a claim whose lease ran out (its invocation died or timed out) can be taken over by a retry.
  So when DynamoDB cannot be reached mid-request (the API answers 503), whatever was written
  stays resolvable: a claim that could not be released, or an answer that could not be stored,
  ends with its lease (409 until then), and the retry's effect finds the object the first
  attempt may have created under the key's derived id — the same object, never a second one.

Why not Powertools' idempotency utility (used until now): its records cannot tell a request's own
claim, re-sent by the SDK after a stalled write, from another request's (the request answered 409
for itself); its key includes the handler's module name (distinct per local execution
environment, so records never collided locally); and it cannot store the fingerprint on the
created object. The record layout stays as small: one item per key in the ``idempotency`` table,
``expiration`` is its TTL (epoch seconds).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Callable

from botocore.exceptions import ClientError

from payrail.core import clock
from payrail.core import ddb
from payrail.core.errors import IdempotencyInProgress, IdempotencyMismatch

IN_PROGRESS, COMPLETED = "IN_PROGRESS", "COMPLETED"


def fingerprint(route: str, request: dict) -> str:
    """Hex SHA-256 of the route and the validated request (canonical JSON): what a key is bound to."""
    return hashlib.sha256(json.dumps([route, request], sort_keys=True, separators=(",", ":"),
                                     default=str).encode()).hexdigest()


def check_fingerprint(existing: dict, fp: str | None) -> None:
    """An object found under an id derived from an idempotency key must have been created by the
    same request (its stored ``request_fingerprint``; objects older than fingerprints pass).

    Raises:
        IdempotencyMismatch (422): it was created by another request.
    """
    stored = existing.get("request_fingerprint")
    if fp and stored and stored != fp:
        raise IdempotencyMismatch("this Idempotency-Key was used with a different request", param="Idempotency-Key")


@dataclass(frozen=True)
class Outcome:
    """What a keyed request answered: HTTP ``status``, JSON ``body``; ``replayed`` when it was stored."""

    status: int
    body: dict
    replayed: bool = False


class IdempotencyStore:
    """Records in the ``idempotency`` table (``id`` key, ``expiration`` TTL).

    Args:
        table: table name.
        ttl_seconds: how long a completed record is replayed (Stripe: at least 24 h).
    """

    def __init__(self, table: str, ttl_seconds: int = 86_400, client=None):
        self.table = table
        self.ttl = ttl_seconds
        self.db = client or ddb.client()

    @staticmethod
    def record_id(caller: str, route: str, key: str) -> str:
        return hashlib.sha256(f"{caller}\x1f{route}\x1f{key}".encode()).hexdigest()

    def run(self, *, caller: str, route: str, key: str, fingerprint: str, owner: str, lease_seconds: float,
            effect: Callable[[], tuple[int, dict]]) -> Outcome:
        """Run ``effect`` (returning ``(status, body)``) once for ``(caller, route, key)``.

        Args:
            owner: unique id of this invocation (the Lambda request id).
            lease_seconds: how long this invocation may still run (its remaining time); a claim
                older than that belongs to an invocation that is gone.

        Raises:
            IdempotencyMismatch (422): the key was used with another request.
            IdempotencyInProgress (409): the same request is running now.
            whatever ``effect`` raises (the claim is released first).
        """
        rid = self.record_id(caller, route, key)
        now = clock.now()
        claim = {"id": rid, "status": IN_PROGRESS, "fingerprint": fingerprint, "owner": owner,
                 "lease_until": int((now + max(lease_seconds, 1)) * 1000), "expiration": int(now) + self.ttl}
        try:
            self.db.put_item(
                TableName=self.table, Item=ddb.dump(claim),
                ConditionExpression="attribute_not_exists(id) OR expiration < :now_s OR "
                                    "(#s = :ip AND lease_until < :now_ms)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":now_s": ddb.value(int(now)), ":now_ms": ddb.value(int(now * 1000)),
                                           ":ip": ddb.value(IN_PROGRESS)},
                ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except ClientError as err:
            if not ddb.is_code(err, "ConditionalCheckFailedException"):
                raise
            old = ddb.load(err.response.get("Item")) or {}
            if old.get("owner") != owner:  # not our own claim re-sent by the SDK after a stalled write
                if old.get("fingerprint") != fingerprint:
                    raise IdempotencyMismatch("this Idempotency-Key was used with a different request",
                                              param="Idempotency-Key") from None
                if old.get("status") == COMPLETED:
                    return Outcome(old["response_status"], json.loads(old["response_body"]), replayed=True)
                raise IdempotencyInProgress("a request with this Idempotency-Key is in progress; retry later",
                                            param="Idempotency-Key") from None
        try:
            status, body = effect()
        except BaseException:
            self._release(rid, owner)  # best effort: an unreleased claim ends with its lease
            raise
        try:
            self.db.update_item(
                TableName=self.table, Key={"id": ddb.value(rid)},
                UpdateExpression="SET #s = :c, response_status = :rs, response_body = :rb",
                ConditionExpression="#o = :owner",
                ExpressionAttributeNames={"#s": "status", "#o": "owner"},
                ExpressionAttributeValues={":c": ddb.value(COMPLETED), ":rs": ddb.value(status),
                                           ":rb": ddb.value(json.dumps(body, separators=(",", ":"))),
                                           ":owner": ddb.value(owner)})
        except ClientError as err:  # our lease ran out and a retry took the claim: it will store its own answer
            if not ddb.is_code(err, "ConditionalCheckFailedException"):
                raise
        return Outcome(status, body)

    def _release(self, rid: str, owner: str) -> None:
        """Delete our claim; never raises for an outage (the request's own error is what its caller
        sees, and the claim then ends with its lease)."""
        try:
            self.db.delete_item(TableName=self.table, Key={"id": ddb.value(rid)}, ConditionExpression="#o = :owner",
                                ExpressionAttributeNames={"#o": "owner"},
                                ExpressionAttributeValues={":owner": ddb.value(owner)})
        except Exception as err:  # noqa: BLE001 - see the docstring
            if not (ddb.is_outage(err) or isinstance(err, ClientError) and
                    ddb.is_code(err, "ConditionalCheckFailedException")):
                raise
