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
  refusals' p50/p99, against a refusal's own requests (the limiter's UpdateItem and the order's
  one BatchGetItem) made raw at the same concurrency just after;
* DynamoDB requests per order, counted on every botocore call of the real API handler run in
  this process (``infra.tools.metering``), the rate limiter's table apart;
* cold init of each handler module in a fresh interpreter, as Lambda imports it, against
  ``import boto3; boto3.client("dynamodb")``, interleaved in the same run;
* what orders and payouts use on AWS (DynamoDB units, Lambda time, SQS, EventBridge, Step
  Functions transitions), metered in the local cloud's runtime over real lifecycles (orders until
  FULFILLED, payouts until SUCCEEDED), priced by ``infra.cost``;
* per operation (an order placed and fulfilled, a wallet credit, a payout created and paid, a
  reservation fulfilled, a mobile-money payment confirmed, a webhook delivered), each metered
  alone: write and read units, AWS requests and billed Lambda milliseconds per function, and
  every item kind written with its size (p50 / max bytes) and the units those sizes cost;
* the ledger audit after the runs (``payrail.core.ledger.audit``).

``BENCH_QUICK=1`` runs the per-operation metering alone (``BENCH_PARTS`` chooses parts: ``parts``);
``BENCH_OPERATIONS`` (default 20) operations of each kind, ``BENCH_LIFECYCLES`` orders.
``BENCH_ORDERS`` (default 400) orders per level. The last lines are the summary: orders against the raw
transaction, requests per order and the worst cold init.
"""
from __future__ import annotations

import json
import os
import shutil
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


def _raw_order(desc: dict, threads: int, transaction: bool = True):
    """``one(i)``: the order's DynamoDB requests made directly: the limiter's UpdateItem, a
    BatchGetItem of 3 items over 2 tables and (``transaction``) a TransactWriteItems of 7 actions."""
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
        if transaction:
            db.transact_write_items(TransactItems=[
                {"Put": {"TableName": main, "Item": {"pk": {"S": f"bench#{k}#{j}"}, "v": {"N": "1"}},
                         "ConditionExpression": "attribute_not_exists(pk)"}} for j in range(7)])
    return one


def raw_order_requests(desc: dict, threads: int, n: int) -> float:
    """Iterations/s of the order's DynamoDB requests made directly (:func:`_raw_order`; no HTTP,
    no Lambda)."""
    one = _raw_order(desc, threads)
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(threads)))
        t0 = time.perf_counter()
        list(pool.map(one, range(n)))
    return n / (time.perf_counter() - t0)


def raw_refusal_requests(desc: dict, threads: int, n: int) -> dict:
    """A refusal's DynamoDB requests made directly (the limiter's UpdateItem and the order's one
    BatchGetItem; no HTTP, no Lambda) from ``threads`` threads: :func:`timed_calls`' figures."""
    one = _raw_order(desc, threads, transaction=False)
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(threads)))
    return timed_calls(threads, n, one)


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
    # the api's execution environments for 64 clients, as the orders at 64 clients leave them in a
    # whole run: the sale measures refusals, not the local runtime's cold starts
    timed_calls(FLASH_CLIENTS, FLASH_CLIENTS * 2, lambda i: shop.product(product["product_id"]))
    sale = timed_calls(FLASH_CLIENTS, FLASH_BUYERS,
                       lambda i: shop.order(product["product_id"], buyers[i], key=f"flash-{i}"))
    refusals = [lat for lat, o in zip(sale["latencies_ms"], sale["outcome_list"]) if o == "out_of_stock"]
    raw = raw_refusal_requests(desc, FLASH_CLIENTS, FLASH_BUYERS)
    sale.update(raw_refusal_per_s=raw["per_s"], raw_refusal_p50_ms=raw["p50_ms"], raw_refusal_p99_ms=raw["p99_ms"])
    sale.update(clients=FLASH_CLIENTS, sold=sale["outcomes"].get("ok", 0), refused=len(refusals), stock_left=shop.product(product["product_id"])["stock"],
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
    # the edge's key cache, refreshed every API_KEY_CACHE_SECONDS (the key and its merchant in one read)
    auth_keys = {f"{main}/APIKEY", f"{main}/MERCHANT", f"{main}/APIKEY+MERCHANT"}
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


def _final(desc: dict, pks: list[str], statuses: tuple[str, ...], what: str) -> None:
    wait_for(lambda: all((_main_item(desc, pk) or {}).get("status") in statuses for pk in pks),
             timeout=300, interval=1, what=what)
    time.sleep(3)  # the last steps' stream records


def credit_lifecycles(desc: dict, n: int) -> dict:
    """``n`` admin wallet credits (each a new customer's wallet), metered."""
    admin, _, mid = bench_merchant(desc, "op-credits")
    meter(desc, reset=True)
    for i in range(n):
        admin.credit(mid, f"w{i}", 10_000)
    time.sleep(3)
    return {"n": n, "meter": meter(desc)}


def reservation_lifecycles(desc: dict, n: int) -> dict:
    """``n`` reservations (Cashfree stand-in, UPI success) reserved and fulfilled until FULFILLED, metered."""
    admin, shop, mid = bench_merchant(desc, "op-reservations")
    admin.top_up(mid, n * 10_000, "INR")
    time.sleep(2)
    meter(desc, reset=True)
    upi = {"type": "upi", "vpa": "success@upi", "name": "Ravi Kumar"}
    ids = [shop.reserve(5_000, upi, key=f"rsv-{i}")["reservation_id"] for i in range(n)]
    for r in ids:
        status, body = shop.fulfil(r)
        assert status in (200, 202), body
    _final(desc, [f"RESERVATION#{mid}#{r}" for r in ids], ("FULFILLED",), "reservations FULFILLED")
    return {"n": n, "meter": meter(desc)}


def payment_lifecycles(desc: dict, n: int) -> dict:
    """``n`` mobile-money payments (MTN MoMo stand-in, the ok scenario) until CONFIRMED, metered."""
    admin, shop, mid = bench_merchant(desc, "op-payments")
    admin.fund_float(mid, "mtn_momo", n * 100_000)
    time.sleep(2)
    meter(desc, reset=True)
    ids = [shop.pay(10_000, f"024{i:06d}1", key=f"pay-{i}")["payment_id"] for i in range(n)]
    _final(desc, [f"PAYMENT#{mid}#{p}" for p in ids], ("CONFIRMED",), "payments CONFIRMED")
    return {"n": n, "meter": meter(desc)}


def webhook_lifecycles(desc: dict, n: int) -> dict:
    """Webhooks of ``n`` orders (``order.*``: created and fulfilled) delivered to the local
    receiver, metered; the operation is the delivery: the events and webhooks functions' share
    (the orders' own is the order lifecycle's)."""
    admin, shop, mid = bench_merchant(desc, "op-webhooks")
    base, name = desc["webhook_receiver_url"], f"bench-{uuid.uuid4().hex[:8]}"
    ep = shop.create_webhook_endpoint(f"{base}/hooks/{name}", ["order.*"])
    requests.post(f"{base}/_control/{name}", json={"secrets": [ep["secret"]]}, timeout=5).raise_for_status()
    for i in range(n):
        admin.credit(mid, f"h{i}", 10_000)
    product = shop.create_product("hooked", 100, 10**6)
    time.sleep(3)
    meter(desc, reset=True)
    ids = [shop.order(product["product_id"], f"h{i}", key=f"hook-{i}")["order_id"] for i in range(n)]
    _final(desc, [f"ORDER#{mid}#{o}" for o in ids], ("FULFILLED",), "orders FULFILLED")

    def delivered():
        got = requests.get(f"{base}/_received/{name}", timeout=5).json()["deliveries"]
        return len({d["webhook_id"] for d in got if d["answered"] < 300}) >= 2 * n
    wait_for(delivered, timeout=120, interval=1, what="webhooks delivered")
    time.sleep(2)
    return {"n": 2 * n, "meter": meter(desc), "functions": ["events", "webhooks"]}


#: the operations metered one at a time (each ``runner(desc, n)``: a fresh meter, ``n`` of them
#: until final, its snapshot; ``functions``: the functions whose calls are the operation's)
OPERATIONS = {
    "order placed and fulfilled": order_lifecycles,
    "wallet credit": credit_lifecycles,
    "payout created and paid": payout_lifecycles,
    "reservation fulfilled": reservation_lifecycles,
    "mobile-money payment confirmed": payment_lifecycles,
    "webhook delivered": webhook_lifecycles,
}


def size_stats(sizes: list[int]) -> dict:
    """``{"p50": bytes, "max": bytes}`` of item sizes (the median's lower neighbour for an even count)."""
    s = sorted(sizes)
    return {"p50": s[(len(s) - 1) // 2], "max": s[-1]} if s else {"p50": 0, "max": 0}


def operation_table(snap: dict, n: int, memory_mb: dict[str, int], functions: set[str] | None = None) -> dict:
    """What one operation costs, per operation (a metered run of ``n`` of them, ``snap`` the
    runtime's meter; only the calls of ``functions`` when given; the runtime's own calls, such as
    its stream and queue pollers, are not any function's):

    ``{"functions": {fn: {"invocations", "requests", "write_units", "read_units", "billed_ms",
    "cpu_ms", "gb_s"}}, "total": {same keys, "item_write_units"}, "items": {kind: {"written", "write_units",
    "write_units_within_1kb", "p50_bytes", "max_bytes", "table"}}}``; ``requests`` are the
    function's AWS requests, ``billed_ms`` its invocations' billed milliseconds, ``items`` every
    item kind written by a committed write (per operation; the units are those of its sizes: a
    KB started, doubled inside a transaction; ``write_units_within_1kb`` what the same writes
    would cost were every item at most 1 KB). ``write_units`` of a function are those DynamoDB
    reported (with cancelled transactions); ``item_write_units`` those the committed items' sizes cost."""
    keys = ("invocations", "requests", "write_units", "read_units", "billed_ms", "cpu_ms", "gb_s")
    fns: dict[str, dict] = {}

    def row(fn: str) -> dict:
        return fns.setdefault(fn, dict.fromkeys(keys, 0.0))
    for c in snap["calls"]:
        fn = c["function"]
        if fn is None or (functions is not None and fn not in functions) or c["service"] in cost.RUNTIME_ONLY:
            continue
        r = row(fn)
        r["requests"] += c["count"]
        if c["service"] == "dynamodb":
            r["read_units" if c["operation"] in cost.DDB_READS else "write_units"] += c["units"]
    for fn, count in snap["invocations"].items():
        if functions is not None and fn not in functions:
            continue
        r = row(fn)
        r["invocations"] += count
        r["billed_ms"] += snap.get("billed_ms", {}).get(fn, snap["duration_s"].get(fn, 0.0) * 1000)
        r["cpu_ms"] += snap.get("cpu_s", {}).get(fn, 0.0) * 1000
        r["gb_s"] += cost.gb_seconds(snap, fn, memory_mb.get(fn, 512))
    per = {fn: {k: v / n for k, v in r.items()} for fn, r in sorted(fns.items())}
    total = {k: sum(r[k] for r in per.values()) for k in keys}
    kinds: dict[str, dict] = {}
    for it in snap.get("items", []):
        if it["function"] is None or (functions is not None and it["function"] not in functions):
            continue
        k = kinds.setdefault(it["kind"], {"table": it["table"], "written": 0, "write_units": 0, "sizes": [],
                                          "at_1kb": 0})
        k["written"] += it["count"]
        k["write_units"] += it["units"]
        k["sizes"] += it["sizes"]
        k["at_1kb"] += it["count"] + it.get("transactional", 0)  # 1 unit a write, 2 in a transaction
    items = {kind: {"table": k["table"], "written": k["written"] / n, "write_units": k["write_units"] / n,
                    "write_units_within_1kb": k["at_1kb"] / n,
                    **{f"{q}_bytes": v for q, v in size_stats(k["sizes"]).items()}}
             for kind, k in sorted(kinds.items(), key=lambda kv: -kv[1]["write_units"])}
    total["item_write_units"] = sum(i["write_units"] for i in items.values())
    return {"functions": per, "total": total, "items": items}


def render_operations(ops: dict) -> str:
    """The per-operation table as text (``operation_table`` of each operation)."""
    out = []
    for name, op in ops.items():
        t = op["table"]
        out.append(f"{name} (per operation, n={op['n']}): {t['total']['write_units']:.1f} write units "
                   f"({t['total'].get('item_write_units', 0):.1f} by the committed items' sizes), "
                   f"{t['total']['read_units']:.1f} read units, {t['total']['requests']:.1f} AWS requests, "
                   f"{t['total']['billed_ms']:.0f} billed Lambda ms")
        out.append(f"    {'function':<15}{'invocations':>12}{'requests':>10}{'WRU':>8}{'RRU':>8}{'billed ms':>11}")
        for fn, r in t["functions"].items():
            out.append(f"    {fn:<15}{r['invocations']:>12.2f}{r['requests']:>10.2f}{r['write_units']:>8.1f}"
                       f"{r['read_units']:>8.1f}{r['billed_ms']:>11.1f}")
        out.append(f"    {'item kind':<24}{'table':<20}{'written':>8}{'WRU':>8}{'≤1KB':>8}{'p50 B':>8}{'max B':>8}")
        for kind, k in t["items"].items():
            out.append(f"    {kind:<24}{k['table']:<20}{k['written']:>8.2f}{k['write_units']:>8.1f}"
                       f"{k.get('write_units_within_1kb', 0):>8.1f}{k['p50_bytes']:>8}{k['max_bytes']:>8}")
    return "\n".join(out)


def usage(lifecycle: dict, functions: set[str], sqs_consumers: set[str]) -> dict:
    snap, n = lifecycle["meter"], lifecycle["n"]
    memory = {f.id: f.memory for f in catalog.FUNCTIONS.values()}
    consumed = sum(snap["invocations"].get(f, 0) for f in sqs_consumers)
    u = cost.usage_from_meter(snap, memory, functions, api_requests=n, sqs_messages=consumed,
                              sfn_transitions=lifecycle.get("transitions", 0))
    # Step Functions' own sqs:sendMessage tasks (made by the service, not metered here)
    u["sqs_request"] += lifecycle.get("workflow_dispatches", 0)
    return {k: v / n for k, v in u.items()}


#: no function is tuned below this (MB): a handler is 47–62 MB resident after its init (the
#: cold-init part measures it), and a batch's records, answers and threads come on top
MEMORY_FLOOR_MB = 256
#: a function tuned from fewer invocations (a schedule that fired during the runs) keeps its memory
MIN_TUNING_INVOCATIONS = 10


def power_tuning(operations: dict, cold: dict | None, memory_mb: dict[str, int]) -> dict:
    """The memory of each function the metered operations invoked, as AWS Lambda Power Tuning
    would choose it (``infra.cost.tune``, the function's ``tuning`` strategy from the catalog)
    from all those invocations (at least :data:`MIN_TUNING_INVOCATIONS`): no lower than :data:`MEMORY_FLOOR_MB`, nor than 1.5 × the
    handler's resident memory after its init when ``cold`` (the cold-init part) measured it.

    Returns:
        ``{fn: {"configured_mb", "memory_mb", "strategy", "cpu_share", "candidates"}}``
        (``cpu_share``: CPU seconds over wall seconds of its invocations).
    """
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    calls: dict[str, int] = {}
    for op in operations.values():
        snap = op["meter"]
        for fn, n in snap["invocations"].items():
            calls[fn] = calls.get(fn, 0) + n
            wall[fn] = wall.get(fn, 0.0) + snap["duration_s"].get(fn, 0.0)
            cpu[fn] = cpu.get(fn, 0.0) + snap.get("cpu_s", {}).get(fn, 0.0)
    out = {}
    for fn, n in sorted(calls.items()):
        if fn not in catalog.FUNCTIONS or n < MIN_TUNING_INVOCATIONS:
            continue
        rss = ((cold or {}).get("functions", {}).get(fn) or {}).get("init_rss_mb") or 0.0
        strategy = catalog.FUNCTIONS[fn].tuning
        tuned = cost.tune(wall[fn], cpu[fn], n, floor_mb=max(MEMORY_FLOOR_MB, int(1.5 * rss)), strategy=strategy)
        out[fn] = {"configured_mb": memory_mb.get(fn, 512), "memory_mb": tuned["memory_mb"], "strategy": strategy,
                   "cpu_share": cpu[fn] / wall[fn] if wall[fn] else 0.0, "candidates": tuned["candidates"]}
    return out


def tuning_line(tuning: dict) -> str:
    """The summary line of :func:`power_tuning`: each function's configured → chosen memory."""
    return "lambda memory (Power Tuning, configured -> chosen MB): " + ", ".join(
        f"{fn} {t['configured_mb']}" + (f" -> {t['memory_mb']}" if t["memory_mb"] != t["configured_mb"] else "")
        for fn, t in tuning.items())


def cost_lines(report: dict) -> list[str]:
    """The summary lines of what an order and a payout cost (``usage_per_item`` and ``cost`` of the report)."""
    u, c = report["usage_per_item"], report["cost"]
    return [f"write units per order: {u['orders']['dynamodb_wru']:.1f}, per payout: {u['payouts']['dynamodb_wru']:.1f}",
            f"1M orders: ${c['1M orders']['total_usd']:.2f}, 1M payouts: ${c['1M payouts']['total_usd']:.2f}"]


def speed_lines(report: dict) -> list[str]:
    """The summary lines of orders against their own raw requests and of the flash sale's refusals
    (each when the report has that part)."""
    lv, fs = report.get("levels"), report.get("flash_sale")
    out = ["orders vs own raw requests: " + ", ".join(f"@{c} {r['ratio_to_raw_order_requests']:.2f}"
                                                     for c, r in lv.items())] if lv else []
    if lv and all("http_noop_per_s" in r for r in lv.values()):
        # what the local edge costs a request with no work (``GET /health/live``) added to the raw
        # requests' time: the rate the order would reach if payrail's handler cost nothing
        out.append("orders vs own raw requests plus the edge's empty round trip: " + ", ".join(
            f"@{c} {r['per_s'] * (1 / r['raw_order_requests_per_s'] + 1 / r['http_noop_per_s']):.2f}"
            for c, r in lv.items()))
    if fs:
        out.append(f"flash sale refusals: p99 {fs['refusal_p99_ms']:.0f} ms, failed {fs['failed']}")
        if fs.get("per_s"):
            # Little's law: with every client always waiting, the mean wait is clients / throughput
            out.append(f"flash sale: {fs['clients']} clients at {fs['per_s']:.0f} answers/s wait "
                       f"{fs['clients'] / fs['per_s'] * 1000:.0f} ms on average (refusals p50 {fs['refusal_p50_ms']:.0f} ms)")
        if fs.get("raw_refusal_per_s"):
            out.append(f"flash sale refusals vs their own raw requests: {fs['per_s'] / fs['raw_refusal_per_s']:.2f} "
                       f"(raw {fs['raw_refusal_per_s']:.0f}/s, p99 {fs['raw_refusal_p99_ms']:.0f} ms)")
    return out


# ---- cold init -------------------------------------------------------------------------------------
_LOAD = """import importlib.util, sys, time
t0 = time.process_time()
sys.path.insert(0, {folder!r})
spec = importlib.util.spec_from_file_location("handler", {path!r})
m = importlib.util.module_from_spec(spec); sys.modules["handler"] = m; spec.loader.exec_module(m)
peak = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:"))  # kB, since exec
print(time.process_time() - t0, peak / 1024)"""
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
    folder on the path, the layer on ``PYTHONPATH`` (the payrail package with its bytecode, as
    ``infra.layer`` ships it: a tree without ``__pycache__``, or ``PYTHONDONTWRITEBYTECODE``,
    would make every run compile payrail's modules, which Lambda never does), the function's environment and the variables
    Lambda sets (``LAMBDA_TASK_ROOT`` — with it the X-Ray SDK samples as in Lambda instead of
    creating a sampling client —, ``AWS_LAMBDA_FUNCTION_NAME``, memory), tracing on as deployed.
    Measured as the child's CPU time (``time.process_time``: an import is CPU-bound, and CPU time
    does not count the waits of a machine shared with other runs), median of ``repeats``,
    interleaved with the bare client so both see the same machine; with each handler's peak resident
    memory after its init (MiB, the most of the repeats)."""
    import tempfile

    from infra import layer

    shipped = Path(tempfile.mkdtemp(prefix="payrail-layer-")) / "python"
    layer.package(shipped)  # payrail with its bytecode, as the layer ships it (the libraries have theirs)
    base = {**os.environ, **function_env, "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x", "PYTHONPATH": str(shipped),
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11"}
    base.pop("POWERTOOLS_TRACE_DISABLED", None)

    rss: dict[str, float] = {}

    def timed(code: str, env: dict, fid: str | None = None) -> float:
        out = subprocess.run([sys.executable, "-c", code], cwd="/tmp", env=env, capture_output=True, text=True,
                             check=True).stdout
        cpu, *peak = (float(x) for x in out.strip().splitlines()[-1].split())
        if fid and peak:
            rss[fid] = max(rss.get(fid, 0.0), peak[0])
        return cpu
    samples: dict[str, list[float]] = {"bare": [], "floor": []}
    for _ in range(repeats):
        samples["bare"].append(timed(_BARE, base))
        samples["floor"].append(timed(_LIBRARY_FLOOR, {**base, "LAMBDA_TASK_ROOT": "/tmp", "AWS_LAMBDA_FUNCTION_NAME": "floor"}))
        for f in catalog.FUNCTIONS.values():
            env = {**base, "LAMBDA_TASK_ROOT": str(f.folder), "AWS_LAMBDA_FUNCTION_NAME": f.name,
                   "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(f.memory)}
            samples.setdefault(f.id, []).append(
                timed(_LOAD.format(folder=str(f.folder), path=str(f.folder / "handler.py")), env, f.id))
    shutil.rmtree(shipped.parent, ignore_errors=True)
    baseline, floor = statistics.median(samples.pop("bare")), statistics.median(samples.pop("floor"))
    return {"baseline_s": baseline, "measure": "CPU seconds of a fresh interpreter, median of %d" % repeats,
            "library_floor_s": floor, "library_floor_ratio": floor / baseline,
            "functions": {fid: {"init_s": statistics.median(v), "ratio": statistics.median(v) / baseline,
                                "floor_ratio": statistics.median(v) / floor, "init_rss_mb": rss.get(fid)}
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
    ops = ""
    for name, op in report.get("operations", {}).items():
        t = op["table"]
        fn_rows = "".join(f"<tr><td>{fn}</td><td>{r['invocations']:.2f}</td><td>{r['requests']:.2f}</td>"
                          f"<td>{r['write_units']:.1f}</td><td>{r['read_units']:.1f}</td><td>{r['billed_ms']:.1f}</td></tr>"
                          for fn, r in t["functions"].items())
        item_rows = "".join(f"<tr><td>{k}</td><td>{i['table']}</td><td>{i['written']:.2f}</td><td>{i['write_units']:.1f}</td>"
                            f"<td>{i.get('write_units_within_1kb', 0):.1f}</td>"
                            f"<td>{i['p50_bytes']}</td><td>{i['max_bytes']}</td></tr>" for k, i in t["items"].items())
        ops += (f"<h3>{name} (per operation, n={op['n']})</h3><table><tr><th>function</th><th>invocations</th>"
                f"<th>AWS requests</th><th>write units</th><th>read units</th><th>billed ms</th></tr>{fn_rows}</table>"
                f"<table><tr><th>item kind</th><th>table</th><th>written</th><th>write units</th><th>within 1 KB</th><th>p50 bytes</th>"
                f"<th>max bytes</th></tr>{item_rows}</table>")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>payrail bench</title>"
            f"<style>body{{font-family:sans-serif;max-width:1100px;margin:1em auto}} figure{{display:inline-block;"
            f"margin:4px}} td{{padding:2px 10px}}</style></head><body><h1>payrail bench</h1>"
            f"<p>{m['cores']} cores; load average {m['load_before'][0]:.1f} before the runs, "
            f"{m['load_after_runs'][0]:.1f} after (other work shares the machine)</p><pre>{lines}</pre><h2>Ratios (red line: goal)</h2>{_svg_ratios(ratios)}"
            f"<h2>Latency distributions</h2>{hists}<h2>Cost at AWS list prices</h2><table>{costs}</table>"
            f"<h2>Per operation</h2>{ops}"
            f"</body></html>")


#: what ``make bench`` runs: ``BENCH_PARTS`` is a comma-separated choice of ``operations`` (the
#: per-operation metering), ``speed`` (orders at each level, requests per order), ``flash_sale``
#: (the credits that fund it, then the sale) and ``cold_init``; ``BENCH_QUICK=1`` is ``operations`` alone
PARTS = ("operations", "speed", "flash_sale", "cold_init")
OPERATION_RUNS = int(os.environ.get("BENCH_OPERATIONS", "20"))


def parts() -> tuple[str, ...]:
    """The parts this run makes (``BENCH_QUICK``, ``BENCH_PARTS``). Raises ValueError for an unknown part."""
    if os.environ.get("BENCH_QUICK") == "1":
        return ("operations",)
    chosen = tuple(p.strip() for p in os.environ.get("BENCH_PARTS", ",".join(PARTS)).split(",") if p.strip())
    if unknown := set(chosen) - set(PARTS):
        raise ValueError(f"unknown BENCH_PARTS {sorted(unknown)}: choose from {PARTS}")
    return chosen


def main() -> int:
    chosen = parts()
    report: dict = {"machine": {"cores": os.cpu_count(), "load_before": os.getloadavg()}, "levels": {}, "parts": chosen}
    data_dir = ROOT / ".local" / "bench"
    os.environ["PAYRAIL_METER"] = "1"  # the cloud's runtime counts AWS calls (infra.tools.metering)
    memory = {f.id: f.memory for f in catalog.FUNCTIONS.values()}
    stages = [*(f"operation: {name}" for name in OPERATIONS if "operations" in chosen),
              *((*(f"orders @{c} clients" for c in LEVELS), "DynamoDB requests per order") if "speed" in chosen else ()),
              *(("credits and the flash sale",) if "flash_sale" in chosen else ()), "ledger audit", *(("cold init",) if "cold_init" in chosen else ())]
    with progress.tracked(f"bench: {stages[0]}", len(stages), "stages") as bar:
        def stage_done() -> None:
            done = int(bar.completed) + 1
            bar.advance(description=f"bench: {stages[done]}" if done < len(stages) else "bench: done")
        with process.local_cloud(data_dir, random_ports=True) as desc:
            os.environ.update(desc["client_env"])
            if "operations" in chosen:
                report["operations"] = {}
                for name, run in OPERATIONS.items():
                    n = LIFECYCLES if name == "order placed and fulfilled" else OPERATION_RUNS
                    op = run(desc, n)
                    fns = set(op["functions"]) if op.get("functions") else None
                    report["operations"][name] = {**op, "table": operation_table(op["meter"], op["n"], memory, fns)}
                    stage_done()
                report["payouts"] = report["operations"]["payout created and paid"]
                report["order_lifecycle"] = report["operations"]["order placed and fulfilled"]
            if "speed" in chosen:
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
                report["dynamodb_requests"] = requests_per_order(desc)
                stage_done()
            if "flash_sale" in chosen:
                raw_credit = raw_transactions(desc["tables"]["main"], 16, ORDERS_PER_LEVEL, 5)
                report["credits"], report["flash_sale"] = flash_sale(desc, raw_credit)
                report["credits"]["raw_transact_per_s"] = raw_credit
                stage_done()
            a = settled_audit(desc)
            report["audit"] = {k: a[k] for k in ("ok", "journals", "accounts", "postings")} | {
                "problems": (a["unbalanced_journals"] + a["account_mismatches"] + a["orphan_postings"])[:10]}
            function_env = desc["function_env"]
        stage_done()
        report["machine"]["load_after_runs"] = os.getloadavg()
        if "cold_init" in chosen:
            report["cold_init"] = cold_init(function_env)
            stage_done()
    if "operations" in chosen:
        report["usage_per_item"] = {
            "orders": usage(report["order_lifecycle"], {"api", "dispatcher", "fulfilment", "events", "webhooks"},
                            {"fulfilment", "webhooks"}),
            "payouts": usage(report["payouts"], {"api", "dispatcher", "payout_worker", "payout_steps", "events",
                                                 "webhooks"}, {"payout_worker", "webhooks"}),
        }
        report["cost"] = cost.report(report)
        report["power_tuning"] = power_tuning(report["operations"], report.get("cold_init"),
                                              {f.id: f.memory for f in catalog.FUNCTIONS.values()})
    for r in (*report["levels"].values(), report.get("credits", {}), report.get("flash_sale", {})):
        r.pop("outcome_list", None)

    lv, d, c = report["levels"], report.get("dynamodb_requests"), report.get("cold_init")
    summary = []
    if "speed" in chosen:
        summary += [*(f"orders@{n}: ratio {r['ratio_to_raw']:.2f} to raw, p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} "
                      f"ms, failed {r['failed']}" for n, r in lv.items()),
                    f"requests per order: {d['per_order']:.2f} (rate limiter: {d['rate_limiter_per_order']:.2f} more)"]
    if c:
        worst = max(c["functions"], key=lambda k: c["functions"][k]["ratio"])
        summary.append(f"cold init: worst handler {worst} ratio {c['functions'][worst]['ratio']:.2f} to bare client "
                       f"({c['functions'][worst]['floor_ratio']:.2f}× the library floor)")
    if "operations" in chosen:
        summary += [*cost_lines(report), tuning_line(report["power_tuning"])]
    summary += speed_lines(report)
    report["summary"] = summary
    (ROOT / "bench-report.json").write_text(json.dumps(report, indent=2))
    if chosen == PARTS:
        (ROOT / "bench-report.html").write_text(render_html(report))

    print(f"payrail bench ({', '.join(chosen)}) on {report['machine']['cores']} cores, load "
          f"{report['machine']['load_before'][0]:.1f} before, {report['machine']['load_after_runs'][0]:.1f} after "
          f"(ratios are against baselines measured in this run)")
    if "operations" in chosen:
        print("  per operation (the local cloud's runtime metered each alone; units as DynamoDB bills them):")
        print("    " + render_operations(report["operations"]).replace("\n", "\n    "))
    for n, r in lv.items():
        print(f"  {n:>2} clients: {r['per_s']:.1f} orders/s (p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms, "
              f"{r['outcomes']}) vs raw TransactWriteItems(7) {r['raw_transact_per_s']:.1f}/s -> ratio {r['ratio_to_raw']:.2f}")
        print(f"      the order's own DynamoDB requests made raw (limiter + BatchGet + TransactWriteItems): "
              f"{r['raw_order_requests_per_s']:.1f}/s -> ratio {r['ratio_to_raw_order_requests']:.2f}; "
              f"HTTP with no DynamoDB work (GET /health/live): {r['http_noop_per_s']:.1f}/s")
    if "flash_sale" in chosen:
        cr, fs = report["credits"], report["flash_sale"]
        print(f"  credits @16: {cr['per_s']:.1f}/s (p50 {cr['p50_ms']:.0f} ms, p99 {cr['p99_ms']:.0f} ms, {cr['outcomes']}) "
              f"vs raw TransactWriteItems(5) {cr['raw_transact_per_s']:.1f}/s -> ratio {cr['ratio_to_raw']:.2f}")
        print(f"  flash sale: stock {FLASH_STOCK}, {FLASH_BUYERS} buyers from {FLASH_CLIENTS} clients: sold {fs['sold']}, "
              f"refused {fs['refused']}, failed {fs['failed']}, stock left {fs['stock_left']}; refusals p50 "
              f"{fs['refusal_p50_ms']:.0f} ms, p99 {fs['refusal_p99_ms']:.0f} ms")
    if "speed" in chosen:
        print(f"  DynamoDB requests per order: {d['per_order']:.2f} {d['by_operation']} + rate limiter "
              f"{d['rate_limiter_per_order']:.2f} + API key cache refreshes {d['authentication_per_order']:.2f} "
              f"(one BatchGetItem per execution environment every API_KEY_CACHE_SECONDS; {d['note']}, {d['seconds']:.1f} s)")
    print(f"  ledger audit: {'ok' if report['audit']['ok'] else 'FAILED'} ({report['audit']['journals']} journals, "
          f"{report['audit']['postings']} legs) {report['audit']['problems'] or ''}")
    if c:
        print(f"  cold init baseline (import boto3 + client): {c['baseline_s'] * 1000:.0f} ms; library floor of an HTTP "
              f"handler (+ pydantic, Powertools logger, metrics, tracer, HTTP resolver; no payrail code): "
              f"{c['library_floor_s'] * 1000:.0f} ms, ratio {c['library_floor_ratio']:.2f}")
        for fid, v in c["functions"].items():
            print(f"    {fid:<14} {v['init_s'] * 1000:6.0f} ms  ratio {v['ratio']:.2f}  "
                  f"({v['floor_ratio']:.2f}× the library floor)")
    if "cost" in report:
        print("  cost at AWS list prices (us-east-1, on-demand; python -m infra.cost):")
        print("    " + cost.render(report["cost"]).replace("\n", "\n    "))
    print(f"report: {ROOT / 'bench-report.json'}" + (f", {ROOT / 'bench-report.html'}" if chosen == PARTS else ""))
    for line in report["summary"]:
        print(line)
    return 0 if report["audit"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
