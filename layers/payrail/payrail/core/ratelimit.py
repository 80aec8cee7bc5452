"""Rate limits shared by every execution environment: one counter item per caller in DynamoDB.

Each caller (a merchant, the admin, or a source IP) has a window of ``window_seconds`` that
starts with its first request; a conditional ``UpdateItem`` counts a request only while the
window is open and the count is under the limit, so the ``limit + 1``-th request of a window is
refused however many Lambdas serve the caller. One DynamoDB request per call; two when a window
rolls over (the expired window is replaced by a conditional put, so two concurrent roll-overs
start one window).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from botocore.exceptions import ClientError

from payrail.core import clock
from payrail.core import ddb


@dataclass(frozen=True)
class Quota:
    """The state after a request: ``allowed``; ``limit``, ``remaining`` requests and ``reset``
    (seconds until the window ends) for the ``RateLimit-*`` headers."""

    allowed: bool
    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        h = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining),
             "RateLimit-Reset": str(self.reset)}
        if not self.allowed:
            h["Retry-After"] = str(self.reset)
        return h


class RateLimiter:
    """Fixed windows per caller in the ``rate-limits`` table (``pk``; ``expiration`` TTL).

    Args:
        table: table name.
        window_seconds: window length (60: limits are per minute).
    """

    def __init__(self, table: str, window_seconds: int = 60, client=None):
        self.table = table
        self.window = window_seconds
        self.db = client or ddb.client()

    def hit(self, caller: str, limit: int, now: float | None = None) -> Quota:
        """Count one request of ``caller`` (e.g. ``"m:<merchant_id>"``) against ``limit`` per window."""
        now = clock.now() if now is None else now
        key = {"pk": ddb.value(f"RL#{caller}")}
        cutoff = ddb.value(int(now * 1000) - self.window * 1000)
        for _ in range(3):
            try:
                r = self.db.update_item(
                    TableName=self.table, Key=key, UpdateExpression="ADD n :one",
                    ConditionExpression="win > :cutoff AND n < :limit",
                    ExpressionAttributeValues={":one": ddb.value(1), ":cutoff": cutoff, ":limit": ddb.value(limit)},
                    ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
                item = ddb.load(r["Attributes"])
                return Quota(True, limit, max(0, limit - item["n"]), self._reset(item["win"], now))
            except ClientError as err:
                if not ddb.is_code(err, "ConditionalCheckFailedException"):
                    raise
                old = ddb.load(err.response.get("Item"))
            if old and old["win"] > int(now * 1000) - self.window * 1000:  # window open, limit reached
                return Quota(False, limit, 0, self._reset(old["win"], now))
            try:  # no window or an expired one: start a new window with this request
                self.db.put_item(
                    TableName=self.table,
                    Item=ddb.dump({"pk": f"RL#{caller}", "win": int(now * 1000), "n": 1,
                                   "expiration": int(now) + 2 * self.window}),
                    ConditionExpression="attribute_not_exists(pk) OR win <= :cutoff",
                    ExpressionAttributeValues={":cutoff": cutoff})
                return Quota(True, limit, limit - 1, self.window)
            except ClientError as err:  # another request started the window first: count in it
                if not ddb.is_code(err, "ConditionalCheckFailedException"):
                    raise
        return Quota(False, limit, 0, 1)

    def _reset(self, window_start_ms: int, now: float) -> int:
        return max(1, math.ceil(window_start_ms / 1000 + self.window - now))
