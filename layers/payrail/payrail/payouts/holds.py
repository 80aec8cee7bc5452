"""Open payout holds and their age, across merchants.

A payout's amount is held from its creation (or reinitiation) until its capture or release
(:mod:`payrail.payouts.service`); while it is, the payout carries the ``due`` index attributes
``due_pk = PAYOUT#<shard>``, ``due_sk = <held since, ISO time>#<payout_id>`` (``store.due``), so
the open holds are the ``PAYOUT#00`` … ``PAYOUT#15`` partitions of that index, oldest first.

The scheduled sweep (``functions/holds``) reports :meth:`OpenHolds.summary` as metrics; an
admin view can list :meth:`OpenHolds.oldest`.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime, timezone

from payrail.core import clock
from payrail.core import ddb
from payrail.core.store import DUE_INDEX, PAYOUT, public

#: the sweep's metrics (namespace ``payrail``, dimension ``service`` = :data:`METRIC_SERVICE`):
#: open holds and those past the bound (Count), the oldest's age (Seconds)
METRIC_SERVICE = "holds"
HOLDS_OPEN, HOLDS_PAST_BOUND, OLDEST_HOLD_AGE = "HoldsOpen", "HoldsPastBound", "OldestHoldAgeSeconds"


@dataclass(frozen=True)
class HoldSummary:
    """``open``: payouts whose amount is held; ``past_bound``: those held longer than the bound;
    ``oldest_age_seconds``: how long the oldest has been held (0 with none)."""

    open: int
    past_bound: int
    oldest_age_seconds: int


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _epoch(due_sk: str) -> float:
    return datetime.fromisoformat(due_sk.split("#", 1)[0].replace("Z", "+00:00")).timestamp()


class OpenHolds:
    """Reads the open payout holds from the ``main`` table's ``due`` index (every shard)."""

    def __init__(self, table: str, client=None):
        self.table = table
        self.db = client or ddb.client()

    def _query(self, partition: str, before: str | None = None, limit: int | None = None, keys_only: bool = True):
        kw: dict = dict(TableName=self.table, IndexName=DUE_INDEX, ScanIndexForward=True,
                        KeyConditionExpression="due_pk = :p" + (" AND due_sk < :t" if before else ""),
                        ExpressionAttributeValues={":p": ddb.value(partition)} | (
                            {":t": ddb.value(before)} if before else {}))
        if keys_only:
            kw["ProjectionExpression"] = "due_sk"
        while True:
            if limit:
                kw["Limit"] = limit
            r = self.db.query(**kw)
            for item in r.get("Items", []):
                yield ddb.load(item)
                if limit is not None:
                    limit -= 1
                    if limit == 0:
                        return
            if "LastEvaluatedKey" not in r:
                return
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]

    def summary(self, bound_seconds: int, now: float | None = None) -> HoldSummary:
        """Count the open holds and those older than ``bound_seconds`` (at ``now``, epoch seconds)."""
        now = clock.now() if now is None else now
        cutoff = _iso(now - bound_seconds)
        total = past = 0
        oldest: float | None = None
        for partition in PAYOUT.due_partitions():
            for n, item in enumerate(self._query(partition)):
                total += 1
                if n == 0:  # each shard is oldest first
                    t = _epoch(item["due_sk"])
                    oldest = t if oldest is None else min(oldest, t)
                if item["due_sk"] < cutoff:
                    past += 1
        return HoldSummary(open=total, past_bound=past,
                           oldest_age_seconds=max(0, int(now - oldest)) if oldest is not None else 0)

    def oldest(self, limit: int = 10, older_than_seconds: int = 0, now: float | None = None) -> list[dict]:
        """The ``limit`` oldest open holds held longer than ``older_than_seconds``: the payouts as
        clients see them, oldest first, each with ``held_since`` (ISO time)."""
        now = clock.now() if now is None else now
        cutoff = _iso(now - older_than_seconds)
        shards = [self._query(p, before=cutoff, limit=limit, keys_only=False) for p in PAYOUT.due_partitions()]
        out = []
        for item in heapq.merge(*shards, key=lambda i: i["due_sk"]):
            held = item["due_sk"].split("#", 1)[0]
            out.append(public(item) | {"held_since": held})
            if len(out) == limit:
                break
        return out
