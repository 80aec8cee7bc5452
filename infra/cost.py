"""``make cost``: what 1M orders, 1M payouts and one settlement of 1M rows cost on AWS at list
prices (us-east-1, on-demand), from the requests ``make bench`` counted (``bench-report.json``).

Prices (AWS pricing pages, us-east-1, list, checked 2026-11; free tiers ignored):

* DynamoDB on-demand, Standard table class: $0.625 per million write request units, $0.125 per
  million read request units (a unit per 1 KB written / 4 KB read strongly consistent; doubled in
  transactions; half a unit for an eventually consistent read). Streams read by Lambda are free.
* Lambda (x86): $0.20 per million requests, $0.0000166667 per GB-second.
* Step Functions Standard: $0.025 per 1,000 state transitions.
* SQS standard: $0.40 per million requests (a batch of up to 10 is one request).
* S3 Standard: $0.005 per 1,000 PUT/COPY/POST/LIST, $0.0004 per 1,000 GET.
* EventBridge: $1.00 per million custom events published.
* API Gateway HTTP API: $1.00 per million requests (first 300 million a month).
* Secrets Manager: $0.05 per 10,000 API calls.

Lambda time is modelled from what the local runtime measured of each invocation, its wall time
and its CPU time (:func:`invocation_seconds`): Lambda gives a function CPU in proportion to its
memory, one vCPU at 1,769 MB (AWS Lambda Developer Guide, "Configure Lambda function memory"), so
the CPU stretches below that while the waits (round trips) do not; an on-demand environment's init
runs on a full vCPU whatever the memory, so cold starts do not change with it. :func:`tune` applies
AWS Lambda Power Tuning's method (its power values and its cost, speed and balanced strategies) to
that model, for the memory sizes of ``infra.catalog``.

Usage: ``python -m infra.cost [bench-report.json]``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

PRICES = {  # USD per unit
    "dynamodb_wru": 0.625 / 1e6, "dynamodb_rru": 0.125 / 1e6,
    "lambda_request": 0.20 / 1e6, "lambda_gb_s": 0.0000166667,
    "sfn_transition": 0.025 / 1e3, "sqs_request": 0.40 / 1e6,
    "s3_put": 0.005 / 1e3, "s3_get": 0.0004 / 1e3,
    "eventbridge_event": 1.0 / 1e6, "apigw_request": 1.0 / 1e6, "secrets_call": 0.05 / 1e4,
}
#: the memory at which a function has one vCPU (MB)
ONE_VCPU_MB = 1769
#: the memory sizes tried (MB; AWS Lambda Power Tuning's default power values)
POWER_VALUES = (128, 256, 512, 1024, 1536, 3008)
DDB_READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
S3_GETS = {"GetObject", "HeadObject"}
#: calls AWS bills to nobody or that the local runtime makes in place of AWS's own machinery
#: (Lambda's stream pollers read DynamoDB Streams for free; the SQS pollers' receives and
#: deletes are priced per message instead, below)
RUNTIME_ONLY = {"dynamodbstreams"}


def usage_from_meter(snapshot: dict, memory_mb: dict[str, int], functions: set[str] | None = None,
                     api_requests: int = 0, sqs_messages: int = 0, sfn_transitions: int = 0) -> dict:
    """Billable quantities of a metered run (``infra.tools.metering`` snapshot), for the calls of
    ``functions`` (all when None). ``sqs_messages`` consumed by Lambda add a receive and a delete
    each (the poller's requests, batched 1 to 10: counted as one each, the dearest case)."""
    u = {k: 0.0 for k in ("dynamodb_wru", "dynamodb_rru", "lambda_request", "lambda_gb_s", "sfn_transition",
                           "sqs_request", "s3_put", "s3_get", "eventbridge_event", "apigw_request", "secrets_call")}
    for row in snapshot["calls"]:
        fn, svc, op = row["function"], row["service"], row["operation"]
        if fn is None or (functions is not None and fn not in functions) or svc in RUNTIME_ONLY:
            continue
        if svc == "dynamodb":
            u["dynamodb_rru" if op in DDB_READS else "dynamodb_wru"] += row["units"]
        elif svc == "sqs":
            u["sqs_request"] += row["count"]
        elif svc == "s3":
            u["s3_get" if op in S3_GETS else "s3_put"] += row["count"]
        elif svc == "events" and op == "PutEvents":
            u["eventbridge_event"] += row["units"]
        elif svc == "secretsmanager":
            u["secrets_call"] += row["count"]
        elif svc == "stepfunctions" and op == "StartExecution":
            u["sfn_transition"] += 0  # transitions are counted from the execution histories
    for fn, n in snapshot["invocations"].items():
        if functions is None or fn in functions:
            u["lambda_request"] += n
            u["lambda_gb_s"] += gb_seconds(snapshot, fn, memory_mb.get(fn, 512))
    u["sqs_request"] += 2 * sqs_messages
    u["sfn_transition"] += sfn_transitions
    u["apigw_request"] += api_requests
    return u


def invocation_seconds(wall_s: float, cpu_s: float, memory_mb: int) -> float:
    """Seconds on Lambda at ``memory_mb`` of invocations that took ``wall_s`` seconds here, of
    which ``cpu_s`` on a core (one local core taken as one vCPU): the waits (``wall_s - cpu_s``:
    round trips, and on a machine shared with the local cloud's engines also time without a core,
    so an upper bound) stay; the CPU stretches by ``ONE_VCPU_MB / memory_mb`` below one vCPU, and a
    single-threaded handler gains nothing above."""
    cpu_s = min(max(cpu_s, 0.0), wall_s)
    return (wall_s - cpu_s) + cpu_s * max(1.0, ONE_VCPU_MB / memory_mb)


def gb_seconds(snapshot: dict, fn: str, memory_mb: int) -> float:
    """Lambda GB-seconds of ``fn``'s metered invocations (a meter snapshot) at ``memory_mb``
    (:func:`invocation_seconds`; without a CPU figure, the wall time as it is)."""
    wall = snapshot["duration_s"].get(fn, 0.0)
    return invocation_seconds(wall, snapshot.get("cpu_s", {}).get(fn, 0.0), memory_mb) * memory_mb / 1024


def tune(wall_s: float, cpu_s: float, invocations: int, *, floor_mb: int = 128, strategy: str = "cost",
         weight: float = 0.5) -> dict:
    """AWS Lambda Power Tuning's choice of memory for one function, from ``invocations`` metered
    here that took ``wall_s`` seconds and ``cpu_s`` CPU seconds in all: each power value of
    :data:`POWER_VALUES` at or above ``floor_mb`` (what the function needs to run) gets its modelled
    average duration (:func:`invocation_seconds`) and its price per invocation (GB-seconds by the
    started millisecond, and the request); ``strategy`` ``cost`` takes the cheapest (the faster
    of equals), ``speed`` the fastest (the cheaper of equals), ``balanced`` the least of
    ``weight × cost / max cost + (1 − weight) × duration / max duration``.

    Returns:
        ``{"memory_mb": chosen, "candidates": {memory_mb: {"duration_ms", "usd"}}}``.

    Raises:
        ValueError: no invocation, an unknown strategy, or a floor above every power value.
    """
    import math

    if invocations <= 0 or strategy not in ("cost", "speed", "balanced"):
        raise ValueError(f"nothing to tune: {invocations} invocations, strategy {strategy!r}")
    values = [m for m in POWER_VALUES if m >= floor_mb]
    if not values:
        raise ValueError(f"no power value at or above {floor_mb} MB")
    candidates = {}
    for m in values:
        ms = invocation_seconds(wall_s / invocations, cpu_s / invocations, m) * 1000
        usd = math.ceil(ms) / 1000 * m / 1024 * PRICES["lambda_gb_s"] + PRICES["lambda_request"]
        candidates[m] = {"duration_ms": ms, "usd": usd}
    worst_usd = max(c["usd"] for c in candidates.values())
    worst_ms = max(c["duration_ms"] for c in candidates.values()) or 1.0

    def score(m: int):
        c = candidates[m]
        if strategy == "cost":
            return c["usd"], c["duration_ms"]
        if strategy == "speed":
            return c["duration_ms"], c["usd"]
        return weight * c["usd"] / worst_usd + (1 - weight) * c["duration_ms"] / worst_ms, c["usd"]
    return {"memory_mb": min(values, key=score), "candidates": candidates}


def price(usage_per_item: dict, items: int = 1_000_000) -> dict:
    """``{"lines": {quantity: {"units", "usd"}}, "total_usd", "biggest"}`` for ``items`` items."""
    lines = {k: {"units": v * items, "usd": v * items * PRICES[k]} for k, v in usage_per_item.items() if v}
    total = sum(x["usd"] for x in lines.values())
    biggest = max(lines, key=lambda k: lines[k]["usd"]) if lines else None
    return {"lines": lines, "total_usd": total, "biggest": biggest}


def settlement_estimate(rows: int = 1_000_000, slices: int = 16, row_bytes: int = 200,
                        worker_rows_per_s: float = 20_000.0, memory_mb: int = 1024) -> dict:
    """Usage of one settlement of ``rows`` capture journals, ESTIMATED from its design (not
    metered): ``slices`` slices of the sparse index, each queried in pages of 1 MB (eventually
    consistent GSI reads: 0.5 RRU per 4 KB of ``row_bytes`` rows), aggregated by one Lambda
    invocation at ``worker_rows_per_s`` into a partial file in S3, merged by a finalize step that
    reads the partials and writes the CSV; Step Functions: start, plan, a Map state with
    ``slices`` iterations of about 3 transitions, finalize, end."""
    read_units = rows * row_bytes / 4096 * 0.5
    lambda_s = rows / worker_rows_per_s + 2 * 1.0  # slices' work + plan and finalize
    return {"dynamodb_rru": read_units, "dynamodb_wru": 10.0, "lambda_request": slices + 2,
            "lambda_gb_s": lambda_s * memory_mb / 1024, "sfn_transition": 3 * slices + 8,
            "s3_put": slices + 1, "s3_get": slices + 1, "apigw_request": 2}


def report(bench: dict) -> dict:
    """The cost section of the bench report from its metered usages (per item)."""
    out = {}
    for name, per_item in bench.get("usage_per_item", {}).items():
        out[f"1M {name}"] = price(per_item)
    out["1 settlement of 1M rows (estimated from the design)"] = price(settlement_estimate(), items=1)
    return out


def render(cost: dict) -> str:
    lines = []
    for name, c in cost.items():
        lines.append(f"{name}: ${c['total_usd']:,.2f} (biggest line: {c['biggest']})")
        for k, v in sorted(c["lines"].items(), key=lambda kv: -kv[1]["usd"]):
            lines.append(f"    {k:<18} {v['units']:>16,.0f} units  ${v['usd']:>10,.2f}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else "bench-report.json")
    if not path.exists():
        print(f"{path} not found: run `make bench` first", file=sys.stderr)
        return 1
    print(render(report(json.loads(path.read_text()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
