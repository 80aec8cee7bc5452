"""Open payout holds and their age, across merchants.

A payout's amount is held from its creation (or reinitiation) until its capture or release
(:mod:`payrail.payouts.service`); while it is, the payout carries the ``due`` index attributes
``due_pk = PAYOUT#<shard>``, ``due_sk = <held since, ISO time>#<payout_id>`` (``store.due``), so
the open holds are the ``PAYOUT#00`` … ``PAYOUT#15`` partitions of that index, oldest first.

The scheduled sweep (``functions/holds``) reports :meth:`OpenHolds.summary` as metrics; the
admin's ``GET /v1/admin/holds`` (:meth:`payrail.operations.Operations.holds`) lists
:meth:`OpenHolds.oldest`: both read :class:`payrail.payouts.records.HoldRecords`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from payrail.payouts.model import Payout
from payrail.payouts.records import HoldRecords
from payrail.core import clock

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


_iso = clock.iso


def _epoch(since: str) -> float:
    return datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp()


class OpenHolds:
    """Reads the open payout holds from the ``main`` table's ``due`` index (every shard)."""

    def __init__(self, table: str, client=None):
        self.records = HoldRecords(table, client)

    @classmethod
    def of(cls, main) -> "OpenHolds":
        """The open holds of ``main`` (a ``MainTable``), read with its client."""
        return cls(main.table, main.db)

    def summary(self, bound_seconds: int, now: float | None = None) -> HoldSummary:
        """Count the open holds and those older than ``bound_seconds`` (at ``now``, epoch seconds)."""
        now = clock.now() if now is None else now
        cutoff = _iso(now - bound_seconds)
        total = past = 0
        oldest: float | None = None
        for partition in self.records.partitions():
            for n, since in enumerate(self.records.held_since(partition)):
                total += 1
                if n == 0:  # each shard is oldest first
                    t = _epoch(since)
                    oldest = t if oldest is None else min(oldest, t)
                if since < cutoff:
                    past += 1
        return HoldSummary(open=total, past_bound=past,
                           oldest_age_seconds=max(0, int(now - oldest)) if oldest is not None else 0)

    def oldest(self, limit: int = 10, older_than_seconds: int = 0, now: float | None = None) -> list[Payout]:
        """The ``limit`` oldest open holds held longer than ``older_than_seconds``: the payouts,
        oldest first, each with ``held_since`` (ISO time)."""
        now = clock.now() if now is None else now
        return self.records.oldest(limit, _iso(now - older_than_seconds))
