"""``make bench``: throughput, latency, DynamoDB requests per order, cold starts and cost, each
speed figure as a ratio to a baseline measured in the same run on the same machine. Writes
``bench-report.json`` and ``bench-report.html`` (latency histograms and ratios).

* orders/s, p50/p99 and failed orders through the HTTP API at 16 and 64 clients, against raw
  ``TransactWriteItems``/s of the order's shape (7 actions) on the same DynamoDB Local at the same
  concurrency, measured just before; a failed order is any answer but 201 or a business refusal
  (402 insufficient funds, 409 out of stock);
* admin wallet credits/s at 16 clients against raw ``TransactWriteItems`` of the credit's shape
  (5 actions);
* a flash sale: a product with stock 100, 2,000 buyers from 64 clients: sold, refused, the
  refusals' p50/p99;
* DynamoDB requests per order, counted on every botocore call of the real API handler run in
  this process (``infra.tools.metering``), the rate limiter's table apart;
* cold init of each handler module in a fresh interpreter, as Lambda imports it, against
  ``import boto3; boto3.client("dynamodb")``, interleaved in the same run;
* what orders and payouts use on AWS (DynamoDB units, Lambda time, SQS, EventBridge, Step
  Functions transitions), metered in the local cloud's runtime over real lifecycles (orders until
  FULFILLED, payouts until SUCCEEDED), priced by ``infra.cost``;
* the ledger audit after the runs (``payrail.core.ledger.audit``).

``BENCH_ORDERS`` (default 400) orders per level. The last lines are the summary: orders against the raw
transaction, requests per order and the worst cold init.
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

import requests

from infra import catalog, cost
from infra.cli import progress
from infra.catalog import ROOT
from infra.local import process
from infra.tools import metering
from infra.tools.client import ApiError, Payrail, wait_for

ORDERS_PER_LEVEL = int(os.environ.get("BENCH_ORDERS", "400"))
LEVELS = (16, 64)
FLASH_STOCK, FLASH_CLIENTS = 100, 64
FLASH_BUYERS = int(os.environ.get("BENCH_FLASH_BUYERS", "2000"))
LIFECYCLES = int(os.environ.get("BENCH_LIFECYCLES", "40"))
BUSINESS_REFUSALS = {"insufficient_funds", "out_of_stock"}


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else float("nan")


def raw_transactions(table: str, threads: int, n: int, actions: int) -> float:
    """Transactions/s of ``actions`` conditional puts each (new items: no contention)."""
    from payrail.core import ddb

    db = ddb.client()

    def one(_):
        k = uuid.uuid4().hex
        db.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": f"bench#{k}#{j}"}, "v": {"N": "1"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}} for j in range(actions)])
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(threads)))  # warm connections
        t0 = time.perf_counter()
        list(pool.map(one, range(n)))
    return n / (time.perf_counter() - t0)


def raw_order_requests(desc: dict, threads: int, n: int) -> float:
    """Iterations/s of the order's DynamoDB requests made directly: the limiter's UpdateItem, a
    BatchGetItem of 3 items over 2 tables and a TransactWriteItems of 7 actions (no HTTP, no Lambda)."""
    from payrail.core import ddb

    db, main, ledger, limits = (ddb.client(), desc["tables"]["main"], desc["tables"]["ledger"],
                                desc["tables"]["rate-limits"])

    def one(i):
        k = uuid.uuid4().hex
        db.update_item(TableName=limits, Key={"pk": {"S": f"bench#{i % threads}"}}, UpdateExpression="ADD n :one",
                       ExpressionAttributeValues={":one": {"N": "1"}})
        db.batch_get_item(RequestItems={main: {"Keys": [{"pk": {"S": f"bench#{k}#a"}}, {"pk": {"S": f"bench#{k}#b"}}],
                                               "ConsistentRead": True},
                                        ledger: {"Keys": [{"pk": {"S": f"bench#{k}"}, "sk": {"S": "A"}}],
                                                 "ConsistentRead": True}})
        db.transact_write_items(TransactItems=[
            {"Put": {"TableName": main, "Item": {"pk": {"S": f"bench#{k}#{j}"}, "v": {"N": "1"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}} for j in range(7)])
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(threads)))
        t0 = time.perf_counter()
        list(pool.map(one, range(n)))
    return n / (time.perf_counter() - t0)


def http_noop(desc: dict, clients: int, n: int) -> float:
    """Requests/s of ``GET /health/live`` (the HTTP emulator and the api function, no DynamoDB)."""
    s = requests.Session()
    s.mount("http://", requests.adapters.HTTPAdapter(pool_connections=clients, pool_maxsize=clients))
    r = timed_calls(clients, n, lambda i: s.get(desc["api_url"] + "/health/live", timeout=60).raise_for_status())
    return r["per_s"]


def timed_calls(clients: int, n: int, call) -> dict:
    """Run ``call(i)`` for i < n from ``clients`` threads: rate, latencies (ms), outcomes."""
    def one(i):
        t0 = time.perf_counter()
        try:
            call(i)
            out = "ok"
        except ApiError as e:
            out = e.code if e.code in BUSINESS_REFUSALS else f"failed:{e.status}:{e.code}"
        except requests.RequestException as e:
            out = f"failed:{type(e).__name__}"
        return (time.perf_counter() - t0) * 1000, out
    with ThreadPoolExecutor(clients) as pool:
        t0 = time.perf_counter()
        results = list(pool.map(one, range(n)))
        elapsed = time.perf_counter() - t0
    lat = [r[0] for r in results]
    outcomes: dict[str, int] = {}
    for _, o in results:
        outcomes[o] = outcomes.get(o, 0) + 1
    return {"n": n, "per_s": n / elapsed, "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99),
            "outcomes": outcomes, "failed": sum(v for k, v in outcomes.items() if k.startswith("failed")),
            "latencies_ms": [round(x, 1) for x in lat], "outcome_list": [r[1] for r in results]}


def bench_merchant(desc: dict, name: str, clients: int = 16) -> tuple[Payrail, Payrail, str]:
    admin = Payrail(desc["api_url"], admin_token=desc["admin_token"], pool=max(clients, 16) + 8, timeout=120)
    m = admin.create_merchant(f"bench-{name}", rate_limit_per_minute=100_000)
    return admin, admin.as_merchant(m["api_key"]), m["merchant"]["merchant_id"]


def credits(desc: dict, customers: list[str], clients: int = 16) -> tuple[dict, Payrail, Payrail, str]:
    admin, shop, mid = bench_merchant(desc, f"credits-{uuid.uuid4().hex[:4]}", clients)
    r = timed_calls(clients, len(customers), lambda i: admin.credit(mid, customers[i], 1_000_000))
    return r, admin, shop, mid


def http_orders(desc: dict, clients: int, n: int) -> dict:
    _, shop, mid = bench_merchant(desc, f"orders-{clients}", clients)
    admin = Payrail(desc["api_url"], admin_token=desc["admin_token"], pool=24, timeout=120)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: admin.credit(mid, f"b{i}", 1_000_000), range(n)))
    product = shop.create_product("bench", 100, 10**9)
    return timed_calls(clients, n, lambda i: shop.order(product["product_id"], f"b{i}", key=f"bench-{clients}-{i}"))


def flash_sale(desc: dict, raw_credit_per_s: float) -> tuple[dict, dict]:
    """Stock 100, 2,000 funded buyers from 64 clients. Funding them is the credits bench."""
    buyers = [f"f{i}" for i in range(FLASH_BUYERS)]
    funded, _, shop, _ = credits(desc, buyers, 16)
    funded["ratio_to_raw"] = funded["per_s"] / raw_credit_per_s
    product = shop.create_product("flash", 100, FLASH_STOCK)
    sale = timed_calls(FLASH_CLIENTS, FLASH_BUYERS,
                       lambda i: shop.order(product["product_id"], buyers[i], key=f"flash-{i}"))
    refusals = [lat for lat, o in zip(sale["latencies_ms"], sale["outcome_list"]) if o == "out_of_stock"]
    sale.update(sold=sale["outcomes"].get("ok", 0), refused=len(refusals), stock_left=shop.product(product["product_id"])["stock"],
                refusal_p50_ms=pct(refusals, 0.5), refusal_p99_ms=pct(refusals, 0.99), refusal_latencies_ms=refusals)
    return funded, sale


def requests_per_order(desc: dict, n: int = 30) -> dict:
    """Run ``n`` orders through the real API handler in this process and count every AWS call
    (a warm-up order first: the execution environment's first order of a product reads the
    product once more)."""
    from infra.local.runtime import Functions, http_event

    os.environ.update({**desc["function_env"], "POWERTOOLS_METRICS_DISABLED": "true"})
    admin = Payrail(desc["api_url"], admin_token=desc["admin_token"])
    m = admin.create_merchant("bench-count", rate_limit_per_minute=100_000)
    mid, key = m["merchant"]["merchant_id"], m["api_key"]
    for i in range(n):
        admin.credit(mid, f"c{i}", 10_000)
    product = admin.as_merchant(key).create_product("count", 100, 10**6)
    functions = Functions({})
    meter = metering.METER.install()

    def order(i, idem):
        body = json.dumps({"product_id": product["product_id"], "quantity": 1, "customer_id": f"c{i}"}).encode()
        return functions.invoke("api", http_event("POST", "/v1/orders", {
            "content-type": "application/json", "x-api-key": key, "idempotency-key": idem}, body, "127.0.0.1"))
    order(0, "warm")
    meter.reset()
    for i in range(1, n):
        r = order(i, f"o{i}")
        assert r["statusCode"] == 201, r
    replay = order(1, "o1")  # a repeat: answered from the same read
    assert replay["statusCode"] == 201 and replay["headers"].get("Idempotent-Replayed") == "true", replay
    snap = meter.snapshot()
    limiter, main = desc["function_env"]["RATE_LIMIT_TABLE"], desc["function_env"]["MAIN_TABLE"]
    auth_keys = {f"{main}/APIKEY", f"{main}/MERCHANT"}  # the edge's key cache, refreshed every API_KEY_CACHE_SECONDS
    by_op: dict[str, float] = {}
    lim = auth = 0
    for row in snap["calls"]:
        if row["service"] != "dynamodb":
            continue
        if row["resource"].split("/")[0] == limiter:
            lim += row["count"]
        elif row["resource"] in auth_keys:
            auth += row["count"]
        else:
            by_op[row["operation"]] = by_op.get(row["operation"], 0) + row["count"]
    return {"per_order": sum(by_op.values()) / n, "rate_limiter_per_order": lim / n, "authentication_per_order": auth / n,
            "by_operation": {k: v / n for k, v in sorted(by_op.items())},
            "seconds": snap["seconds"], "note": f"{n - 1} orders and 1 replay, warm execution environment"}


def settled_audit(desc: dict, timeout: float = 300) -> dict:
    """The ledger audit once the fulfilment and payout queues are empty (captures still running
    would be seen half-way by the scan, which is not a snapshot)."""
    import boto3

    from payrail.core.ledger import Ledger, audit

    sqs = boto3.client("sqs")
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        left = sum(int(v) for q in ("fulfilment", "payouts") for v in sqs.get_queue_attributes(
            QueueUrl=desc["queues"][q], AttributeNames=["ApproximateNumberOfMessages",
                                                        "ApproximateNumberOfMessagesNotVisible"])["Attributes"].values())
        if not left:
            break
        time.sleep(2)
    time.sleep(3)
    report = audit(Ledger(desc["tables"]["ledger"]))
    for _ in range(10):
        if report["ok"]:
            break
        time.sleep(5)
        report = audit(Ledger(desc["tables"]["ledger"]))
    return report


# ---- metered lifecycles (the runtime counts; infra.tools.metering) -------------------------------
def meter(desc: dict, reset: bool = False) -> dict:
    url = desc["runtime_url"] + "/_meter"
    if reset:
        requests.delete(url, timeout=10).raise_for_status()
        return {}
    return requests.get(url, timeout=10).json()


def _main_item(desc: dict, pk: str) -> dict | None:
    from payrail.core import ddb

    r = ddb.client().get_item(TableName=desc["tables"]["main"], Key={"pk": {"S": pk}}, ConsistentRead=True)
    return ddb.load(r.get("Item"))


def _transitions(desc: dict, machine: str, since: float) -> tuple[int, int, int]:
    """(executions, state transitions: states entered, ``Dispatch`` states entered: the machine's
    own ``sqs:sendMessage`` tasks) of ``machine`` started after ``since``."""
    import boto3

    sfn = boto3.client("stepfunctions")
    arn = desc["state_machines"][machine]
    execs = [e for e in sfn.list_executions(stateMachineArn=arn, maxResults=1000)["executions"]
             if e["startDate"].timestamp() >= since]
    entered = dispatched = 0
    for e in execs:
        events = sfn.get_execution_history(executionArn=e["executionArn"], maxResults=1000)["events"]
        states = [ev.get("stateEnteredEventDetails", {}).get("name") for ev in events if ev["type"].endswith("StateEntered")]
        entered += len(states)
        dispatched += states.count("Dispatch")
    return len(execs), entered, dispatched


def payout_lifecycles(desc: dict, n: int) -> dict:
    """``n`` payouts (Safepay stand-in, success scenario) until SUCCEEDED, metered."""
    admin, shop, mid = bench_merchant(desc, "payouts")
    admin.top_up(mid, n * 100_000, "PKR")
    time.sleep(2)
    meter(desc, reset=True)
    since = time.time()
    ids = [shop.payout(100_000, f"12345{i:02d}0001", key=f"po-{i}",
                       merchant_reference=f"ref-{i}")["payout_id"] for i in range(n)]
    wait_for(lambda: all((_main_item(desc, f"PAYOUT#{mid}#{p}") or {}).get("status") == "SUCCEEDED" for p in ids),
             timeout=300, interval=1, what="payouts SUCCEEDED")
    time.sleep(3)  # the last steps' stream records
    snap = meter(desc)
    execs, transitions, dispatched = _transitions(desc, "payout", since - 1)
    return {"n": n, "meter": snap, "executions": execs, "transitions": transitions, "workflow_dispatches": dispatched}


def order_lifecycles(desc: dict, n: int) -> dict:
    """``n`` orders until FULFILLED (fulfilment stand-in ok), metered."""
    admin, shop, mid = bench_merchant(desc, "lifecycle")
    for i in range(n):
        admin.credit(mid, f"l{i}", 10_000)
    product = shop.create_product("life", 100, 10**6)
    time.sleep(3)  # the credits' stream records
    meter(desc, reset=True)
    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda i: shop.order(product["product_id"], f"l{i}", key=f"life-{i}")["order_id"], range(n)))
    wait_for(lambda: all((_main_item(desc, f"ORDER#{mid}#{o}") or {}).get("status") == "FULFILLED" for o in ids),
             timeout=300, interval=1, what="orders FULFILLED")
    time.sleep(3)
    return {"n": n, "meter": meter(desc)}


def usage(lifecycle: dict, functions: set[str], sqs_consumers: set[str]) -> dict:
    snap, n = lifecycle["meter"], lifecycle["n"]
    memory = {f.id: f.memory for f in catalog.FUNCTIONS.values()}
    consumed = sum(snap["invocations"].get(f, 0) for f in sqs_consumers)
    u = cost.usage_from_meter(snap, memory, functions, api_requests=n, sqs_messages=consumed,
                              sfn_transitions=lifecycle.get("transitions", 0))
    # Step Functions' own sqs:sendMessage tasks (made by the service, not metered here)
    u["sqs_request"] += lifecycle.get("workflow_dispatches", 0)
    return {k: v / n for k, v in u.items()}


# ---- cold init -------------------------------------------------------------------------------------
_LOAD = """import importlib.util, sys, time
t0 = time.process_time()
sys.path.insert(0, {folder!r})
spec = importlib.util.spec_from_file_location("handler", {path!r})
m = importlib.util.module_from_spec(spec); sys.modules["handler"] = m; spec.loader.exec_module(m)
print(time.process_time() - t0)"""
_BARE = 'import time\nt0 = time.process_time()\nimport boto3; boto3.client("dynamodb")\nprint(time.process_time() - t0)'
#: the libraries an HTTP handler of payrail's stack is made of, and no payrail code: the bare client,
#: Powertools' logger, metrics, tracer (botocore patched) and HTTP resolver with validation, one
#: pydantic model on one route — what the api handler could not go below without dropping them
_LIBRARY_FLOOR = """import time
t0 = time.process_time()
import boto3; boto3.client("dynamodb")
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel
class Body(BaseModel):
    amount: int
logger, tracer = Logger(service="floor"), Tracer(service="floor", patch_modules=("botocore",))
metrics, app = Metrics(namespace="floor"), APIGatewayHttpResolver(enable_validation=True)
@app.post("/x")
def x(body: Body) -> dict:
    return {}
print(time.process_time() - t0)"""


def cold_init(function_env: dict, repeats: int = 5) -> dict:
    """Each handler module imported in a fresh interpreter as Lambda's runtime imports it: its
    folder on the path, the layer on ``PYTHONPATH``, the function's environment and the variables
    Lambda sets (``LAMBDA_TASK_ROOT`` — with it the X-Ray SDK samples as in Lambda instead of
    creating a sampling client —, ``AWS_LAMBDA_FUNCTION_NAME``, memory), tracing on as deployed.
    Measured as the child's CPU time (``time.process_time``: an import is CPU-bound, and CPU time
    does not count the waits of a machine shared with other runs), median of ``repeats``,
    interleaved with the bare client so both see the same machine."""
    base = {**os.environ, **function_env, "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x", "PYTHONPATH": str(ROOT / "layers" / "payrail"),
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11"}
    base.pop("POWERTOOLS_TRACE_DISABLED", None)

    def timed(code: str, env: dict) -> float:
        out = subprocess.run([sys.executable, "-c", code], cwd="/tmp", env=env, capture_output=True, text=True,
                             check=True).stdout
        return float(out.strip().splitlines()[-1])
    samples: dict[str, list[float]] = {"bare": [], "floor": []}
    for _ in range(repeats):
        samples["bare"].append(timed(_BARE, base))
        samples["floor"].append(timed(_LIBRARY_FLOOR, {**base, "LAMBDA_TASK_ROOT": "/tmp", "AWS_LAMBDA_FUNCTION_NAME": "floor"}))
        for f in catalog.FUNCTIONS.values():
            env = {**base, "LAMBDA_TASK_ROOT": str(f.folder), "AWS_LAMBDA_FUNCTION_NAME": f.name,
                   "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(f.memory)}
            samples.setdefault(f.id, []).append(
                timed(_LOAD.format(folder=str(f.folder), path=str(f.folder / "handler.py")), env))
    baseline, floor = statistics.median(samples.pop("bare")), statistics.median(samples.pop("floor"))
    return {"baseline_s": baseline, "measure": "CPU seconds of a fresh interpreter, median of %d" % repeats,
            "library_floor_s": floor, "library_floor_ratio": floor / baseline,
            "functions": {fid: {"init_s": statistics.median(v), "ratio": statistics.median(v) / baseline}
                          for fid, v in samples.items()}}


# ---- report ----------------------------------------------------------------------------------------
def _svg_histogram(title: str, values: list[float], color: str, width: int = 520, height: int = 150) -> str:
    if not values:
        return ""
    lo, hi = 0.0, max(values) * 1.02 or 1.0
    bins = 40
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / (hi - lo) * bins))] += 1
    top, bw = max(counts), (width - 40) / bins
    bars = "".join(f'<rect x="{30 + i * bw:.1f}" y="{height - 25 - c / top * (height - 45):.1f}" width="{bw - 1:.1f}" '
                   f'height="{c / top * (height - 45):.1f}" fill="{color}"/>' for i, c in enumerate(counts) if c)
    p50, p99 = pct(values, 0.5), pct(values, 0.99)
    marks = "".join(f'<line x1="{30 + v / hi * (width - 40):.1f}" x2="{30 + v / hi * (width - 40):.1f}" y1="18" '
                    f'y2="{height - 25}" stroke="#222" stroke-dasharray="3,2"/><text x="{32 + v / hi * (width - 40):.1f}" '
                    f'y="28" font-size="10">{name} {v:.0f}</text>' for name, v in (("p50", p50), ("p99", p99)))
    return (f'<figure><svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
            f'<text x="30" y="12" font-size="12" font-weight="bold">{title} (n={len(values)})</text>{bars}{marks}'
            f'<line x1="30" x2="{width - 10}" y1="{height - 25}" y2="{height - 25}" stroke="#888"/>'
            f'<text x="30" y="{height - 8}" font-size="10">0 ms</text>'
            f'<text x="{width - 80}" y="{height - 8}" font-size="10">{hi:.0f} ms</text></svg></figure>')


def _svg_ratios(ratios: dict[str, tuple[float, float]], width: int = 520) -> str:
    """Horizontal bars of measured ratio against goal (1.0 = the baseline)."""
    rows, h = list(ratios.items()), 26
    height = 20 + h * len(rows)
    scale = (width - 200) / max(2.0, *(max(r, g) for r, g in ratios.values()))
    out = [f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i, (name, (ratio, goal)) in enumerate(rows):
        y = 10 + i * h
        out.append(f'<text x="0" y="{y + 14}" font-size="11">{name}</text>'
                   f'<rect x="180" y="{y}" width="{ratio * scale:.1f}" height="16" fill="#4a7"/>'
                   f'<line x1="{180 + goal * scale:.1f}" x2="{180 + goal * scale:.1f}" y1="{y - 2}" y2="{y + 18}" '
                   f'stroke="#c33" stroke-width="2"/><text x="{184 + ratio * scale:.1f}" y="{y + 13}" font-size="11">'
                   f'{ratio:.2f}</text>')
    out.append("</svg>")
    return "".join(out)


def render_html(report: dict) -> str:
    lv, m = report["levels"], report["machine"]
    ratios = {f"orders@{c} / raw (goal ≥ 0.7)": (lv[c]["ratio_to_raw"], 0.7) for c in lv}
    ratios.update({f"orders@{c} / its requests raw": (lv[c]["ratio_to_raw_order_requests"], 0.7) for c in lv})
    ratios["credits@16 / raw (goal ≥ 0.7)"] = (report["credits"]["ratio_to_raw"], 0.7)
    ratios.update({f"cold init {k} / bare (goal ≤ 2)": (v["ratio"], 2.0)
                   for k, v in report["cold_init"]["functions"].items()})
    hists = "".join(_svg_histogram(f"orders@{c} latency", lv[c]["latencies_ms"], "#47a") for c in lv)
    hists += _svg_histogram("credits@16 latency", report["credits"]["latencies_ms"], "#a74")
    hists += _svg_histogram("flash sale: refusals' latency", report["flash_sale"]["refusal_latencies_ms"], "#a47")
    costs = "".join(f"<tr><td>{name}</td><td>${c['total_usd']:,.2f}</td><td>{c['biggest']}</td></tr>"
                    for name, c in report["cost"].items())
    lines = "\n".join(report["summary"])
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>payrail bench</title>"
            f"<style>body{{font-family:sans-serif;max-width:1100px;margin:1em auto}} figure{{display:inline-block;"
            f"margin:4px}} td{{padding:2px 10px}}</style></head><body><h1>payrail bench</h1>"
            f"<p>{m['cores']} cores; load average {m['load_before'][0]:.1f} before the runs, "
            f"{m['load_after_runs'][0]:.1f} after (other work shares the machine)</p><pre>{lines}</pre><h2>Ratios (red line: goal)</h2>{_svg_ratios(ratios)}"
            f"<h2>Latency distributions</h2>{hists}<h2>Cost at AWS list prices</h2><table>{costs}</table>"
            f"</body></html>")


def main() -> int:
    report: dict = {"machine": {"cores": os.cpu_count(), "load_before": os.getloadavg()}, "levels": {}}
    data_dir = ROOT / ".local" / "bench"
    os.environ["PAYRAIL_METER"] = "1"  # the cloud's runtime counts AWS calls (infra.tools.metering)
    stages = ["payout lifecycles", "order lifecycles", *(f"orders @{c} clients" for c in LEVELS),
              "credits and the flash sale", "DynamoDB requests per order", "ledger audit", "cold init"]
    with progress.tracked(f"bench: {stages[0]}", len(stages), "stages") as bar:
        def stage_done() -> None:
            done = int(bar.completed) + 1
            bar.advance(description=f"bench: {stages[done]}" if done < len(stages) else "bench: done")
        with process.local_cloud(data_dir, random_ports=True) as desc:
            os.environ.update(desc["client_env"])
            report["payouts"] = payout_lifecycles(desc, 20)
            stage_done()
            report["order_lifecycle"] = order_lifecycles(desc, LIFECYCLES)
            stage_done()
            for clients in LEVELS:
                raw = raw_transactions(desc["tables"]["main"], clients, ORDERS_PER_LEVEL, 7)
                api = http_orders(desc, clients, ORDERS_PER_LEVEL)
                raw_requests = raw_order_requests(desc, clients, ORDERS_PER_LEVEL)
                noop = http_noop(desc, clients, ORDERS_PER_LEVEL)
                report["levels"][str(clients)] = {"raw_transact_per_s": raw, **api, "ratio_to_raw": api["per_s"] / raw,
                                                  "raw_order_requests_per_s": raw_requests,
                                                  "ratio_to_raw_order_requests": api["per_s"] / raw_requests,
                                                  "http_noop_per_s": noop}
                stage_done()
            raw_credit = raw_transactions(desc["tables"]["main"], 16, ORDERS_PER_LEVEL, 5)
            report["credits"], report["flash_sale"] = flash_sale(desc, raw_credit)
            report["credits"]["raw_transact_per_s"] = raw_credit
            stage_done()
            report["dynamodb_requests"] = requests_per_order(desc)
            stage_done()
            a = settled_audit(desc)
            report["audit"] = {k: a[k] for k in ("ok", "journals", "accounts", "postings")} | {
                "problems": (a["unbalanced_journals"] + a["account_mismatches"] + a["orphan_postings"])[:10]}
            function_env = desc["function_env"]
        stage_done()
        report["machine"]["load_after_runs"] = os.getloadavg()
        report["cold_init"] = cold_init(function_env)
        stage_done()
    report["usage_per_item"] = {
        "orders": usage(report["order_lifecycle"], {"api", "dispatcher", "fulfilment", "events", "webhooks"},
                        {"fulfilment", "webhooks"}),
        "payouts": usage(report["payouts"], {"api", "dispatcher", "payout_worker", "payout_steps", "events", "webhooks"},
                         {"payout_worker", "webhooks"}),
    }
    report["cost"] = cost.report(report)
    for r in (*report["levels"].values(), report["credits"], report["flash_sale"]):
        r.pop("outcome_list", None)

    lv, d, c = report["levels"], report["dynamodb_requests"], report["cold_init"]
    worst = max(c["functions"], key=lambda k: c["functions"][k]["ratio"])
    report["summary"] = [
        *(f"orders@{n}: ratio {r['ratio_to_raw']:.2f} to raw, p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms, "
          f"failed {r['failed']}" for n, r in lv.items()),
        f"requests per order: {d['per_order']:.2f} (rate limiter: {d['rate_limiter_per_order']:.2f} more)",
        f"cold init: worst handler {worst} ratio {c['functions'][worst]['ratio']:.2f} to bare client",
    ]
    (ROOT / "bench-report.json").write_text(json.dumps(report, indent=2))
    (ROOT / "bench-report.html").write_text(render_html(report))

    print(f"payrail bench on {report['machine']['cores']} cores, load {report['machine']['load_before'][0]:.1f} before, "
          f"{report['machine']['load_after_runs'][0]:.1f} after (ratios are against baselines measured in this run)")
    for n, r in lv.items():
        print(f"  {n:>2} clients: {r['per_s']:.1f} orders/s (p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms, "
              f"{r['outcomes']}) vs raw TransactWriteItems(7) {r['raw_transact_per_s']:.1f}/s -> ratio {r['ratio_to_raw']:.2f}")
        print(f"      the order's own DynamoDB requests made raw (limiter + BatchGet + TransactWriteItems): "
              f"{r['raw_order_requests_per_s']:.1f}/s -> ratio {r['ratio_to_raw_order_requests']:.2f}; "
              f"HTTP with no DynamoDB work (GET /health/live): {r['http_noop_per_s']:.1f}/s")
    cr, fs = report["credits"], report["flash_sale"]
    print(f"  credits @16: {cr['per_s']:.1f}/s (p50 {cr['p50_ms']:.0f} ms, p99 {cr['p99_ms']:.0f} ms, {cr['outcomes']}) vs raw "
          f"TransactWriteItems(5) {cr['raw_transact_per_s']:.1f}/s -> ratio {cr['ratio_to_raw']:.2f}")
    print(f"  flash sale: stock {FLASH_STOCK}, {FLASH_BUYERS} buyers from {FLASH_CLIENTS} clients: sold {fs['sold']}, "
          f"refused {fs['refused']}, failed {fs['failed']}, stock left {fs['stock_left']}; refusals p50 "
          f"{fs['refusal_p50_ms']:.0f} ms, p99 {fs['refusal_p99_ms']:.0f} ms")
    print(f"  DynamoDB requests per order: {d['per_order']:.2f} {d['by_operation']} + rate limiter "
          f"{d['rate_limiter_per_order']:.2f} + API key cache refreshes {d['authentication_per_order']:.2f} "
          f"(one GetItem per execution environment every API_KEY_CACHE_SECONDS; {d['note']}, {d['seconds']:.1f} s)")
    print(f"  ledger audit: {'ok' if report['audit']['ok'] else 'FAILED'} ({report['audit']['journals']} journals, "
          f"{report['audit']['postings']} legs) {report['audit']['problems'] or ''}")
    print(f"  cold init baseline (import boto3 + client): {c['baseline_s'] * 1000:.0f} ms; library floor of an HTTP "
          f"handler (+ pydantic, Powertools logger, metrics, tracer, HTTP resolver; no payrail code): "
          f"{c['library_floor_s'] * 1000:.0f} ms, ratio {c['library_floor_ratio']:.2f}")
    for fid, v in c["functions"].items():
        print(f"    {fid:<14} {v['init_s'] * 1000:6.0f} ms  ratio {v['ratio']:.2f}")
    print("  cost at AWS list prices (us-east-1, on-demand; python -m infra.cost):")
    print("    " + cost.render(report["cost"]).replace("\n", "\n    "))
    print(f"report: {ROOT / 'bench-report.json'}, {ROOT / 'bench-report.html'}")
    for line in report["summary"]:
        print(line)
    return 0 if report["audit"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
