"""Routing a Ghana mobile-money payment ("smart routing based on balances, fees and
reliability"), in the way Hyperswitch's success-rate routing works.

**Candidates.** Every configured mobile-money connector can reach every Ghana wallet: the
recipient's own network **on-net**, the others **off-net** through Ghana's mobile-money
interoperability switch (GhIPSS MMI), which costs more. Fees (minor units, rounded half up):
on-net ``on_net_bps``, off-net ``off_net_bps`` with at least ``off_net_min_fee`` (the interop
schedule, configurable).

**Score** of an eligible candidate, an integer 0..1000 (no floats are stored)::

    reliability = (successes + 2) / (attempts + 2)      over the sliding window (optimistic prior:
                                                        a provider with no recent attempts scores 1.0)
    health      = 1.0, or 0.2 while the provider's last probe or call could not reach it
    fee_score   = cheapest candidate's fee / this fee   (1.0 for the cheapest; 1.0 when all are free)
    score       = round(1000 * (0.7 * reliability * health + 0.3 * fee_score))

A candidate is **eligible** only when the merchant's float at that provider covers amount + fee.
Eligible candidates are ordered by score (ties: on-net first, then registry order); with
probability ``exploration`` (default 5 %) a random other eligible candidate goes first, so a
recovered provider gets traffic again and its window refills (``explored`` is recorded). The
chosen route and every candidate's score, inputs and reason are stored on the payment; the
remaining order is the failover order.

**The window** (:class:`RouteStats`): per provider, counters of successes and failures in
``window_seconds / 15``-second buckets (15 buckets; one ``BatchGetItem`` for all providers), and
the last health observation; items in the rate-limits table with a TTL. A provider call that
answers (whatever the answer) counts as a success; unreachable, unknown outcome or a refusal for
lack of float count as failures.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from payrail.core import clock
from payrail.core import ddb
from payrail.payments.model import RouteCandidate

BUCKETS = 15
DOWN_HEALTH = 0.2
#: a health observation older than this is ignored (seconds)
HEALTH_TTL_SECONDS = 300


@dataclass(frozen=True)
class RoutingPolicy:
    """Fees in basis points / minor units; ``exploration`` is a share (0..1); seconds for times."""

    on_net_bps: int = 50
    off_net_bps: int = 150
    off_net_min_fee: int = 50
    window_seconds: int = 900
    exploration: float = 0.05

    def fee(self, amount: int, on_net: bool) -> int:
        """The fee in minor units for ``amount`` (integer arithmetic, half up)."""
        bps = self.on_net_bps if on_net else self.off_net_bps
        fee = (amount * bps + 5_000) // 10_000
        return fee if on_net else max(fee, self.off_net_min_fee)


class RouteStats:
    """Sliding-window success counters and health per provider (rate-limits table, ``pk`` key)."""

    def __init__(self, table: str, window_seconds: int, client=None):
        self.table = table
        self.bucket = max(1, window_seconds // BUCKETS)
        self.window = window_seconds
        self.db = client or ddb.client()

    def _key(self, provider: str, n: int) -> dict:
        return {"pk": ddb.value(f"route#{provider}#{self.bucket}#{n}")}

    def record(self, provider: str, ok: bool, now: float | None = None) -> None:
        """Count one call's result in the current bucket (and mark the provider up or down)."""
        now = now or clock.now()
        n = int(now // self.bucket)
        self.db.update_item(TableName=self.table, Key=self._key(provider, n),
                            UpdateExpression="ADD #c :one SET expiration = :e",
                            ExpressionAttributeNames={"#c": "ok" if ok else "fail"},
                            ExpressionAttributeValues={":one": ddb.value(1),
                                                       ":e": ddb.value(int(now) + 2 * self.window + 60)})
        self.health(provider, ok, None if ok else "call failed", now)

    def health(self, provider: str, ok: bool, error: str | None = None, now: float | None = None) -> None:
        """Record the provider's health as observed now (a probe or a call)."""
        now = now or clock.now()
        item = {"pk": f"route#{provider}#health", "ok": ok, "at": int(now), "expiration": int(now) + 86_400}
        if error:
            item["error"] = error[:200]
        self.db.put_item(TableName=self.table, Item=ddb.dump(item))

    def read(self, providers: list[str], now: float | None = None) -> dict[str, dict]:
        """``{provider: {"ok", "fail", "healthy", "health_error"}}`` over the window."""
        now = now or clock.now()
        last = int(now // self.bucket)
        keys = [self._key(p, n) for p in providers for n in range(last - BUCKETS + 1, last + 1)]
        keys += [{"pk": ddb.value(f"route#{p}#health")} for p in providers]
        items: list[dict] = []
        for i in range(0, len(keys), 100):
            batch = keys[i:i + 100]
            while batch:
                r = self.db.batch_get_item(RequestItems={self.table: {"Keys": batch, "ConsistentRead": True}})
                items += [ddb.load(x) for x in r["Responses"].get(self.table, [])]
                batch = r.get("UnprocessedKeys", {}).get(self.table, {}).get("Keys", [])
        out = {p: {"ok": 0, "fail": 0, "healthy": True, "health_error": None} for p in providers}
        for it in items:
            parts = it["pk"].split("#")
            p = parts[1]
            if p not in out:
                continue
            if parts[2] == "health":
                if now - int(it.get("at", 0)) <= HEALTH_TTL_SECONDS:
                    out[p]["healthy"] = bool(it.get("ok"))
                    out[p]["health_error"] = it.get("error")
            else:
                out[p]["ok"] += int(it.get("ok", 0))
                out[p]["fail"] += int(it.get("fail", 0))
        return out


def score_candidates(amount: int, network: str, providers: list[tuple[str, str]], floats: dict[str, int],
                     stats: dict[str, dict], policy: RoutingPolicy, rng: random.Random) -> list[RouteCandidate]:
    """Every candidate with its inputs and score, eligible ones first in routing order.

    Args:
        amount: minor units. network: the recipient's network in force.
        providers: ``(connector name, its on-net network)`` in registry order.
        floats: the merchant's available float per provider (minor units).
        stats: :meth:`RouteStats.read`'s answer.
        rng: the exploration draw (seeded by the payment id, so a retry routes the same way).

    Returns:
        :class:`~payrail.payments.model.RouteCandidate` each (fee and total in minor units);
        ``rank`` 1 is the route, None for a candidate whose float does not cover the total.
    """
    rows = []
    for order, (name, net) in enumerate(providers):
        on_net = net == network
        fee = policy.fee(amount, on_net)
        s = stats.get(name) or {"ok": 0, "fail": 0, "healthy": True}
        reliability = (s["ok"] + 2) / (s["ok"] + s["fail"] + 2)
        rows.append({"provider": name, "network": net, "on_net": on_net, "fee": fee, "total": amount + fee,
                     "float_available": floats.get(name, 0), "eligible": floats.get(name, 0) >= amount + fee,
                     "successes": s["ok"], "failures": s["fail"], "reliability_pct": round(100 * reliability),
                     "healthy": s["healthy"], "_order": order, "_reliability": reliability})
    fees = [r["fee"] for r in rows if r["eligible"]]
    cheapest = min(fees) if fees else 0
    for r in rows:
        fee_score = 1.0 if r["fee"] == 0 else (cheapest / r["fee"] if cheapest else 0.0)
        health = 1.0 if r["healthy"] else DOWN_HEALTH
        r["score"] = round(1000 * (0.7 * r["_reliability"] * health + 0.3 * fee_score)) if r["eligible"] else 0
    eligible = sorted((r for r in rows if r["eligible"]), key=lambda r: (-r["score"], not r["on_net"], r["_order"]))
    explored = False
    if len(eligible) > 1 and rng.random() < policy.exploration:
        pick = eligible.pop(rng.randrange(1, len(eligible)))
        eligible.insert(0, pick)
        explored = True
    for rank, r in enumerate(eligible, 1):
        r["rank"] = rank
        r["explored"] = explored and rank == 1
        r["why"] = _why(r, rank, explored)
    rest = [r | {"rank": None, "explored": False,
                 "why": f"float {r['float_available']} < amount + fee {r['total']}"} for r in rows if not r["eligible"]]
    return [RouteCandidate(**{k: v for k, v in r.items() if not k.startswith("_")}) for r in eligible + rest]


def _why(r: dict, rank: int, explored: bool) -> str:
    net = "on-net" if r["on_net"] else "off-net via interoperability"
    parts = [net, f"fee {r['fee']}", f"success {r['successes']}/{r['successes'] + r['failures']} in window",
             "healthy" if r["healthy"] else "unhealthy"]
    lead = "exploration pick" if explored and rank == 1 else ("best score" if rank == 1 else f"failover #{rank - 1}")
    return f"{lead}: " + ", ".join(parts)
