"""``make bench``: throughput, latency, DynamoDB requests per order and cold starts, each as a
ratio to a baseline measured in the same run on the same machine. Writes ``bench-report.json``.

* orders/s and p50/p99 through the HTTP API at 16 and 64 clients, against raw
  ``TransactWriteItems``/s (7 puts, the size of an order's transaction) on the same DynamoDB
  Local at the same concurrency;
* DynamoDB requests per order, counted with botocore events around the real API handler;
* cold init of each handler module (fresh interpreter) against ``import boto3;
  boto3.client("dynamodb")``.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from infra import catalog
from infra.catalog import ROOT
from infra.local import process
from infra.local.client import ApiError, Payrail

ORDERS_PER_LEVEL = int(os.environ.get("BENCH_ORDERS", "400"))
LEVELS = (16, 64)


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def raw_transactions(table: str, threads: int, n: int) -> float:
    from payrail import ddb

    db = ddb.client()

    def one(_):
        k = uuid.uuid4().hex
        db.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": f"bench#{k}#{j}"}, "v": {"N": "1"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}} for j in range(7)])
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(threads)))  # warm connections
        t0 = time.perf_counter()
        list(pool.map(one, range(n)))
    return n / (time.perf_counter() - t0)


def http_orders(desc: dict, clients: int, n: int) -> dict:
    admin = Payrail(desc["api_url"], admin_token=desc["admin_token"], pool=clients + 8, timeout=120)
    m = admin.create_merchant(f"bench-{clients}", rate_limit_per_minute=100_000)
    shop, mid = admin.as_merchant(m["api_key"]), m["merchant"]["merchant_id"]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: admin.credit(mid, f"b{i}", 1_000_000), range(n)))
    product = shop.create_product("bench", 100, 10**9)

    def order(i):
        t0 = time.perf_counter()
        try:
            shop.order(product["product_id"], f"b{i}", key=f"bench-{clients}-{i}")
            ok = True
        except ApiError:
            ok = False
        return time.perf_counter() - t0, ok
    with ThreadPoolExecutor(clients) as pool:
        t0 = time.perf_counter()
        results = list(pool.map(order, range(n)))
        elapsed = time.perf_counter() - t0
    lat = [r[0] * 1000 for r in results]
    return {"orders": n, "ok": sum(r[1] for r in results), "orders_per_s": n / elapsed,
            "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99)}


def requests_per_order(desc: dict, n: int = 30) -> dict:
    """Run ``n`` orders through the real API handler in this process and count DynamoDB calls."""
    from infra.local.runtime import Functions, http_event
    from payrail import ddb

    os.environ.update({**desc["function_env"], "POWERTOOLS_METRICS_DISABLED": "true"})
    admin = Payrail(desc["api_url"], admin_token=desc["admin_token"])
    m = admin.create_merchant("bench-count", rate_limit_per_minute=100_000)
    mid, key = m["merchant"]["merchant_id"], m["api_key"]
    for i in range(n):
        admin.credit(mid, f"c{i}", 10_000)
    product = admin.as_merchant(key).create_product("count", 100, 10**6)
    calls: dict[str, int] = {}

    def count(event_name=None, **_):
        op = event_name.rsplit(".", 1)[-1]
        calls[op] = calls.get(op, 0) + 1
    ddb.client().meta.events.register("before-call.dynamodb", count)  # the client every handler shares
    functions = Functions({})
    body = lambda i: json.dumps({"product_id": product["product_id"], "quantity": 1, "customer_id": f"c{i}"}).encode()  # noqa: E731
    functions.invoke("api", http_event("POST", "/v1/orders", {"content-type": "application/json", "x-api-key": key,
                                                              "idempotency-key": "warm"}, body(0), "127.0.0.1"))
    calls.clear()
    for i in range(1, n):
        r = functions.invoke("api", http_event("POST", "/v1/orders", {"content-type": "application/json",
                                                                      "x-api-key": key, "idempotency-key": f"o{i}"},
                                               body(i), "127.0.0.1"))
        assert r["statusCode"] == 201, r
    total = sum(calls.values())
    return {"per_order": total / (n - 1), "by_operation": {k: v / (n - 1) for k, v in sorted(calls.items())}}


def cold_init(repeats: int = 3) -> dict:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
           "POWERTOOLS_TRACE_DISABLED": "true"}

    def timed(code: str) -> float:
        out = subprocess.run([sys.executable, "-c", "import time; t0 = time.perf_counter()\n" + code +
                              "\nprint(time.perf_counter() - t0)"], cwd=ROOT, env=env, capture_output=True,
                             text=True, check=True).stdout
        return float(out.strip().splitlines()[-1])
    baseline = statistics.median(timed('import boto3; boto3.client("dynamodb")') for _ in range(repeats))
    out = {"baseline_s": baseline, "functions": {}}
    for f in catalog.FUNCTIONS.values():
        code = (f"from infra import catalog\nfrom infra.local.runtime import load_handler\n"
                f"load_handler(catalog.FUNCTIONS[{f.id!r}])")
        s = statistics.median(timed(code) for _ in range(repeats))
        out["functions"][f.id] = {"init_s": s, "ratio": s / baseline}
    return out


def main() -> int:
    report: dict = {"machine": {"cores": os.cpu_count()}, "levels": {}}
    data_dir = ROOT / ".local" / "bench"
    with process.local_cloud(data_dir, random_ports=True) as desc:
        os.environ.update(desc["client_env"])
        for clients in LEVELS:
            raw = raw_transactions(desc["tables"]["main"], clients, ORDERS_PER_LEVEL)
            api = http_orders(desc, clients, ORDERS_PER_LEVEL)
            report["levels"][str(clients)] = {"raw_transact_per_s": raw, **api,
                                              "ratio_to_raw": api["orders_per_s"] / raw}
        report["dynamodb_requests"] = requests_per_order(desc)
    report["cold_init"] = cold_init()
    Path(ROOT / "bench-report.json").write_text(json.dumps(report, indent=2))
    print("payrail bench (ratios are against baselines measured in this run)")
    for clients, r in report["levels"].items():
        print(f"  {clients:>2} clients: {r['orders_per_s']:.1f} orders/s (p50 {r['p50_ms']:.0f} ms, p99 "
              f"{r['p99_ms']:.0f} ms, {r['ok']}/{r['orders']} ok) vs raw TransactWriteItems "
              f"{r['raw_transact_per_s']:.1f}/s -> ratio {r['ratio_to_raw']:.2f}")
    d = report["dynamodb_requests"]
    print(f"  DynamoDB requests per order: {d['per_order']:.2f} {d['by_operation']}")
    c = report["cold_init"]
    print(f"  cold init baseline (import boto3 + client): {c['baseline_s'] * 1000:.0f} ms")
    for fid, v in c["functions"].items():
        print(f"    {fid:<14} {v['init_s'] * 1000:6.0f} ms  ratio {v['ratio']:.2f}")
    print(f"report: {ROOT / 'bench-report.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
