"""Risk checks before a payment is held ("real-time fraud detection", done for real).

Rules, each configurable (:class:`RiskPolicy`), each adding to a score with a reason:

==========================  =====================================================  ========
rule                        when                                                    score
==========================  =====================================================  ========
``blocklisted``             the recipient number is on the blocklist                100
``recipient_velocity``      this merchant's payments to the number in the window    100
                            would exceed ``recipient_max_count`` or
                            ``recipient_max_amount``
``merchant_velocity``       the merchant's payments in the window would exceed      100
                            ``merchant_max_count`` or ``merchant_max_amount``
``duplicate``               same recipient and amount within                        ``duplicate_score``
                            ``duplicate_window_seconds`` under another key           (50: flagged)
``large_amount``            amount ≥ half the maximum                               20
==========================  =====================================================  ========

A score ≥ ``decline_score`` (100) declines: the payment becomes FAILED with reason
``risk_declined`` and nothing is held. Amount limits (``min_amount`` / ``max_amount``) are
checked before anything is created (400). The velocity counters are minute-bucketed items in the
rate-limits table (count, amount, and the recent payments' ``amount:payment_id`` for duplicate
detection), updated once a payment is held; concurrent payments may both pass a limit by one
(best-effort counters, not serialised).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from payrail.core import clock
from payrail.core import ddb

BUCKET_SECONDS = 60


@dataclass(frozen=True)
class RiskPolicy:
    """Amounts in minor units, times in seconds."""

    min_amount: int = 100
    max_amount: int = 5_000_000
    window_seconds: int = 3600
    recipient_max_count: int = 10
    recipient_max_amount: int = 10_000_000
    merchant_max_count: int = 10_000
    merchant_max_amount: int = 500_000_000
    duplicate_window_seconds: int = 300
    duplicate_score: int = 50
    decline_score: int = 100
    blocklist: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class RiskResult:
    score: int
    reasons: list[dict]
    declined: bool

    def as_dict(self) -> dict:
        return {"score": self.score, "reasons": self.reasons, "decision": "decline" if self.declined else "accept"}


class RiskCounters:
    """Velocity buckets: ``risk#m#<merchant>#<minute>`` and ``risk#r#<merchant>#<phone>#<minute>``."""

    def __init__(self, table: str, client=None):
        self.table = table
        self.db = client or ddb.client()

    @staticmethod
    def _keys(merchant_id: str, phone: str | None, now: float, window: int) -> list[str]:
        last = int(now // BUCKET_SECONDS)
        first = last - max(1, window // BUCKET_SECONDS)
        scope = f"risk#r#{merchant_id}#{phone}" if phone else f"risk#m#{merchant_id}"
        return [f"{scope}#{n}" for n in range(first + 1, last + 1)]

    def read(self, merchant_id: str, phone: str | None, window: int, now: float) -> list[dict]:
        keys = [{"pk": ddb.value(k)} for k in self._keys(merchant_id, phone, now, window)]
        out = []
        for i in range(0, len(keys), 100):
            batch = keys[i:i + 100]
            while batch:
                r = self.db.batch_get_item(RequestItems={self.table: {"Keys": batch, "ConsistentRead": True}})
                out += [ddb.load(x) for x in r["Responses"].get(self.table, [])]
                batch = r.get("UnprocessedKeys", {}).get(self.table, {}).get("Keys", [])
        return out

    def add(self, merchant_id: str, phone: str, amount: int, payment_id: str, window: int, now: float | None = None) -> None:
        now = now or clock.now()
        n = int(now // BUCKET_SECONDS)
        for scope in (f"risk#m#{merchant_id}", f"risk#r#{merchant_id}#{phone}"):
            expr = "ADD #c :one, #a :amt SET expiration = :e"
            values = {":one": 1, ":amt": amount, ":e": int(now) + window + 120}
            if "#r#" in scope:
                expr += ", entries = list_append(if_not_exists(entries, :empty), :entry)"
                values |= {":empty": [], ":entry": [f"{amount}:{payment_id}:{int(now)}"]}
            self.db.update_item(TableName=self.table, Key={"pk": ddb.value(f"{scope}#{n}")}, UpdateExpression=expr,
                                ExpressionAttributeNames={"#c": "count", "#a": "amount"},
                                ExpressionAttributeValues={k: ddb.value(v) for k, v in values.items()})


def assess(policy: RiskPolicy, counters: RiskCounters, merchant_id: str, phone: str, amount: int,
           payment_id: str, now: float | None = None) -> RiskResult:
    """Score one payment (see the module docstring); reads the counters, writes nothing."""
    now = now or clock.now()
    reasons: list[dict] = []
    if phone in policy.blocklist:
        reasons.append({"rule": "blocklisted", "score": 100, "detail": "the recipient number is blocklisted"})
    rec = counters.read(merchant_id, phone, policy.window_seconds, now)
    for rule, items, max_count, max_amount, whose in (
            ("recipient_velocity", rec, policy.recipient_max_count, policy.recipient_max_amount, " to this number"),
            ("merchant_velocity", counters.read(merchant_id, None, policy.window_seconds, now),
             policy.merchant_max_count, policy.merchant_max_amount, "")):
        count, total = sum(int(i.get("count", 0)) for i in items), sum(int(i.get("amount", 0)) for i in items)
        if count + 1 > max_count or total + amount > max_amount:
            reasons.append({"rule": rule, "score": 100,
                            "detail": f"{count} payments of {total}{whose} in {policy.window_seconds} s "
                                      f"(limits {max_count}, {max_amount})"})
    dups = []
    for item in rec:
        for e in item.get("entries") or []:
            amt, pid, at = e.split(":")
            if int(amt) == amount and pid != payment_id and now - int(at) <= policy.duplicate_window_seconds:
                dups.append(pid)
    if dups:
        reasons.append({"rule": "duplicate", "score": policy.duplicate_score,
                        "detail": f"same recipient and amount within {policy.duplicate_window_seconds} s: "
                                  f"{', '.join(sorted(set(dups))[:3])}"})
    if amount * 2 >= policy.max_amount:
        reasons.append({"rule": "large_amount", "score": 20, "detail": "at least half the maximum amount"})
    score = sum(r["score"] for r in reasons)
    return RiskResult(score, reasons, score >= policy.decline_score)
