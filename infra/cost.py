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
            u["lambda_gb_s"] += snapshot["duration_s"].get(fn, 0.0) * memory_mb.get(fn, 512) / 1024
    u["sqs_request"] += 2 * sqs_messages
    u["sfn_transition"] += sfn_transitions
    u["apigw_request"] += api_requests
    return u


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
