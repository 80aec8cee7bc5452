"""The bench's pieces that need no local cloud: the metering of AWS calls, the cost model, lazy
imports of the handlers, and the order's replay view."""
import json
import os
import subprocess
import sys

import boto3
import pytest
from botocore.stub import Stubber

from infra import catalog, cost
from infra.catalog import ROOT
from infra.tools.metering import Meter, current_function
from payrail.commerce.orders import as_placed


def test_meter_counts_calls_by_function_operation_and_table_with_consumed_units():
    meter = Meter().install()
    meter.reset()
    db = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(db) as stub:
        stub.add_response("get_item", {"ConsumedCapacity": {"TableName": "main", "CapacityUnits": 1.0}},
                          {"TableName": "main", "Key": {"pk": {"S": "ORDER#m#o"}}, "ReturnConsumedCapacity": "TOTAL"})
        stub.add_response("batch_get_item", {"Responses": {}}, {"RequestItems": {"main": {"Keys": [
            {"pk": {"S": "MERCHANT#m"}}, {"pk": {"S": "APIKEY#h"}}]}}, "ReturnConsumedCapacity": "TOTAL"})
        stub.add_client_error("transact_write_items", "TransactionCanceledException")
        current_function.set("api")
        db.get_item(TableName="main", Key={"pk": {"S": "ORDER#m#o"}})
        db.batch_get_item(RequestItems={"main": {"Keys": [{"pk": {"S": "MERCHANT#m"}}, {"pk": {"S": "APIKEY#h"}}]}})
        with pytest.raises(Exception):
            db.transact_write_items(TransactItems=[{"Put": {"TableName": "ledger", "Item": {"pk": {"S": "x"}}}}] * 3)
        current_function.set(None)
    rows = {(r["function"], r["operation"], r["resource"]): r for r in meter.snapshot()["calls"]}
    assert rows[("api", "GetItem", "main/ORDER")]["units"] == 1.0  # one-item calls name the item's kind
    assert rows[("api", "BatchGetItem", "main/APIKEY+MERCHANT")]["count"] == 1  # a one-table batch, its kinds
    assert rows[("api", "TransactWriteItems", "ledger")] == {  # a cancelled transaction: 2 units an item
        "function": "api", "service": "dynamodb", "operation": "TransactWriteItems", "resource": "ledger",
        "count": 1, "units": 6.0}
    meter.record_invocation("api", 0.5)
    assert meter.snapshot()["duration_s"]["api"] == 0.5


def test_meter_counts_an_invocation_s_cpu_with_the_pool_work_it_hands_out():
    import time
    from concurrent.futures import ThreadPoolExecutor

    from infra.tools import metering

    def burn(seconds: float) -> float:
        c0 = time.thread_time()
        while time.thread_time() - c0 < seconds:
            pass
        return time.thread_time() - c0
    meter = Meter().install()
    meter.reset()
    metering.begin_invocation("webhooks")
    t0, c0 = time.perf_counter(), time.thread_time()
    with ThreadPoolExecutor(2) as pool:
        handed = sum(pool.map(burn, [0.05, 0.05]))
    own = burn(0.02)
    meter.record_invocation("webhooks", time.perf_counter() - t0, time.thread_time() - c0)
    cpu = meter.snapshot()["cpu_s"]["webhooks"]
    assert cpu >= handed + own * 0.9 and handed >= 0.1  # its own thread's and the pool's
    assert cpu <= handed + (time.thread_time() - c0) + 0.01


def test_lambda_time_is_modelled_from_wall_and_cpu_and_tuned_as_power_tuning_does():
    # a wait-bound function: only its CPU stretches below one vCPU
    assert cost.invocation_seconds(1.0, 0.05, 1769) == pytest.approx(1.0)
    assert cost.invocation_seconds(1.0, 0.05, 256) == pytest.approx(0.95 + 0.05 * 1769 / 256)
    assert cost.invocation_seconds(1.0, 0.05, 3008) == pytest.approx(1.0)  # one thread gains nothing above
    assert cost.invocation_seconds(0.1, 0.5, 512) == pytest.approx(0.1 * 1769 / 512)  # CPU never above wall
    waits = cost.tune(100.0, 5.0, 100, floor_mb=256)
    assert waits["memory_mb"] == 256 and set(waits["candidates"]) == {256, 512, 1024, 1536, 3008}
    assert cost.tune(100.0, 5.0, 100, floor_mb=256, strategy="speed")["memory_mb"] == 3008
    # half its time on the CPU: balanced weighs the price against the duration
    half = cost.tune(10.0, 5.0, 100, strategy="balanced")
    assert half["memory_mb"] == 1024
    assert half["candidates"][128]["duration_ms"] == pytest.approx(50 + 50 * 1769 / 128)
    assert half["candidates"][1024]["usd"] == pytest.approx(137 / 1000 * 1 * cost.PRICES["lambda_gb_s"]
                                                            + cost.PRICES["lambda_request"])
    snap = {"invocations": {"api": 10}, "duration_s": {"api": 1.0}, "cpu_s": {"api": 0.5}}
    assert cost.gb_seconds(snap, "api", 512) == pytest.approx((0.5 + 0.5 * 1769 / 512) * 0.5)
    assert cost.gb_seconds({"duration_s": {"api": 1.0}}, "api", 512) == pytest.approx(0.5)  # no CPU figure: wall
    with pytest.raises(ValueError):
        cost.tune(1.0, 0.1, 0)
    with pytest.raises(ValueError):
        cost.tune(1.0, 0.1, 1, floor_mb=4096)


def test_bench_tunes_each_invoked_function_from_every_operation_above_its_floor():
    from infra.tools import bench

    ops = {"a": {"meter": {"invocations": {"fulfilment": 10, "api": 10}, "duration_s": {"fulfilment": 10.0, "api": 1.0},
                           "cpu_s": {"fulfilment": 0.5, "api": 0.5}}},
           "b": {"meter": {"invocations": {"fulfilment": 10, "nobody": 30, "holds": 9}, "duration_s": {"fulfilment": 10.0, "nobody": 1.0, "holds": 1.0},
                           "cpu_s": {"fulfilment": 0.5}}}}
    cold = {"functions": {"fulfilment": {"init_rss_mb": 400.0}}}
    t = bench.power_tuning(ops, cold, {"fulfilment": 512, "api": 1024})
    assert set(t) == {"api", "fulfilment"}  # the catalog's functions invoked 10 times at least
    assert t["fulfilment"]["memory_mb"] == 1024 and t["fulfilment"]["strategy"] == "cost"  # 1.5 × 400 MB resident
    assert t["fulfilment"]["cpu_share"] == pytest.approx(0.05)
    assert bench.power_tuning(ops, None, {})["fulfilment"]["memory_mb"] == bench.MEMORY_FLOOR_MB
    assert t["api"]["strategy"] == "balanced" and t["api"]["memory_mb"] == 1024
    assert bench.tuning_line(t) == "lambda memory (Power Tuning, configured -> chosen MB): api 1024, fulfilment 512 -> 1024"


def test_cost_prices_metered_usage_and_names_the_biggest_line():
    snap = {"calls": [
        {"function": "api", "service": "dynamodb", "operation": "TransactWriteItems", "resource": "t", "count": 1, "units": 14.0},
        {"function": "api", "service": "dynamodb", "operation": "BatchGetItem", "resource": "t", "count": 1, "units": 3.0},
        {"function": None, "service": "sqs", "operation": "ReceiveMessage", "resource": "q", "count": 50, "units": 0},
        {"function": "api", "service": "dynamodbstreams", "operation": "GetRecords", "resource": "", "count": 9, "units": 0}],
        "invocations": {"api": 1}, "duration_s": {"api": 0.1}}
    u = cost.usage_from_meter(snap, {"api": 1024}, api_requests=1, sfn_transitions=4)
    assert (u["dynamodb_wru"], u["dynamodb_rru"], u["sqs_request"], u["lambda_gb_s"]) == (14.0, 3.0, 0, 0.1)
    priced = cost.price(u)
    assert priced["biggest"] == "sfn_transition"  # 4 M transitions at $25 a million
    assert priced["lines"]["sfn_transition"]["usd"] == pytest.approx(100.0)
    assert priced["lines"]["dynamodb_wru"]["usd"] == pytest.approx(14 * 0.625)
    assert priced["total_usd"] == pytest.approx(sum(x["usd"] for x in priced["lines"].values()))


def test_handlers_import_no_provider_or_openapi_machinery_at_cold_start():
    """What only some routes need is imported on first use (cold starts); so is every route module."""
    fn = catalog.FUNCTIONS["api"]
    code = (f"import sys, importlib.util; sys.path.insert(0, {str(fn.folder)!r})\n"
            f"spec = importlib.util.spec_from_file_location('h', {str(fn.folder / 'handler.py')!r})\n"
            "m = importlib.util.module_from_spec(spec); sys.modules['h'] = m; spec.loader.exec_module(m)\n"
            "import json; print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] in "
            "('schwifty', 'phonenumbers', 'requests') or k.startswith('aws_lambda_powertools.event_handler.openapi.models')"
            " or k in ('payrail.payouts.service', 'payrail.payouts.beneficiaries', 'payrail.webhooks.delivery')"
            " or k.startswith('payrail.api.routes.') and k != 'payrail.api.routes.index')))")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "payrail"), "AWS_DEFAULT_REGION": "us-east-1",
           **catalog.RUNTIME_ENV}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd="/tmp")
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


#: the handlers that call a provider, the fulfilment service or a webhook endpoint over HTTP
CALLS_OUT = {"fulfilment", "webhooks", "payout_worker", "payout_steps", "payment_worker", "payment_expiry",
             "reconciliation", "reservations"}


def test_every_handler_traces_what_it_calls_and_no_handler_loads_a_library_payrail_never_uses():
    """The tracer patches botocore, and requests where the handler calls out over HTTP; X-Ray's
    patch of every library it knows would import httpx into each cold start."""
    code = ("import sys, json, importlib.util\n"
            "for fid, folder in json.loads(sys.argv[1]).items():\n"
            "    sys.path.insert(0, folder)\n"
            "    spec = importlib.util.spec_from_file_location('h_' + fid, folder + '/handler.py')\n"
            "    m = importlib.util.module_from_spec(spec); sys.modules[spec.name] = m; spec.loader.exec_module(m)\n"
            "    from aws_xray_sdk.core import patcher\n"
            "    print(json.dumps([fid, sorted(patcher._PATCHED_MODULES), 'httpx' in sys.modules]))\n"
            "    sys.path.pop(0)")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "payrail"), "AWS_DEFAULT_REGION": "us-east-1",
           **catalog.RUNTIME_ENV}
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    seen = {}
    for fid, fn in catalog.FUNCTIONS.items():  # one interpreter each (the patcher's record is per process), as Lambda's
        out = subprocess.run([sys.executable, "-c", code, json.dumps({fid: str(fn.folder)})],
                             env=env | {"AWS_LAMBDA_FUNCTION_NAME": fn.name, "LAMBDA_TASK_ROOT": str(fn.folder)},
                             capture_output=True, text=True, check=True, cwd="/tmp")
        got_fid, patched, httpx = json.loads(out.stdout.strip().splitlines()[-1])
        seen[got_fid] = (patched, httpx)
    assert set(seen) == set(catalog.FUNCTIONS)
    for fid, (patched, httpx) in seen.items():
        assert not httpx, fid
        assert patched == (["botocore", "requests"] if fid in CALLS_OUT else ["botocore"]), fid


def test_a_replay_shows_the_order_as_placed():
    order = {"order_id": "ord_1", "merchant_id": "m_1", "product_id": "prod_1", "quantity": 2, "customer_id": "c",
             "amount": 200, "currency": "USD", "created_at": "t0", "updated_at": "t2", "status": "FULFILLED",
             "fee": 6, "fulfilment_id": "ful_1", "stock_taken": {"k": 2}, "request_fingerprint": "f",
             "status_history": [{"status": "PAID", "at": "t0"}, {"status": "FULFILLED", "at": "t2"}]}
    placed = as_placed(order)
    assert placed["status"] == "PAID" and placed["updated_at"] == "t0"
    assert placed["status_history"] == [{"status": "PAID", "at": "t0"}]
    assert not {"fee", "fulfilment_id", "stock_taken", "request_fingerprint"} & set(placed)


def test_audit_reconciles_counter_accounts_from_journal_legs_and_versioned_ones_from_postings():
    from payrail.core.ledger import audit

    def items(pending_balance=300, wallet_posting_amount=-300):
        return [
            {"sk": "J", "journal_id": "j1", "postings": [{"account_id": "m:wallet:c:USD", "amount": -300},
                                                          {"account_id": "m:pending:USD#03", "amount": 300}]},
            {"sk": "J", "journal_id": "j0", "postings": [{"account_id": "m:wallet:c:USD", "amount": 500},
                                                          {"account_id": "m:funding:USD#01", "amount": -500}]},
            {"sk": "A", "account_id": "m:pending:USD#03", "currency": "USD", "balance": pending_balance, "seq": 1},
            {"sk": "A", "account_id": "m:funding:USD#01", "currency": "USD", "balance": -500, "seq": 1},
            {"sk": "A", "account_id": "m:wallet:c:USD", "currency": "USD", "balance": 200, "seq": 2},
            {"sk": "P#000000000001", "account_id": "m:wallet:c:USD", "journal_id": "j0", "seq": 1, "amount": 500,
             "balance_before": 0, "balance_after": 500},
            {"sk": "P#000000000002", "account_id": "m:wallet:c:USD", "journal_id": "j1", "seq": 2,
             "amount": wallet_posting_amount, "balance_before": 500, "balance_after": 500 + wallet_posting_amount}]

    class Fake:
        def __init__(self, its):
            self.its = its

        def scan(self):
            return iter(self.its)
    ok = audit(Fake(items()))
    assert ok["ok"] and ok["postings"] == 4, ok
    bad = audit(Fake(items(pending_balance=301)))  # a counter off its journal legs by one unit
    assert not bad["ok"] and bad["account_mismatches"] == ["m:pending:USD#03"]
    assert not audit(Fake(items(wallet_posting_amount=-299)))["ok"]  # a versioned account off its postings


def test_item_sizes_kinds_and_write_units_follow_dynamodb_rules():
    from infra.tools.metering import item_size, kind_of, write_units

    # names + values: "pk"(2) + "ORDER#m#o"(9); "n"(1) + 12345 (5 digits: 3 bytes + 1); "ok"(2) + BOOL(1)
    assert item_size({"pk": {"S": "ORDER#m#o"}, "n": {"N": "12345"}, "ok": {"BOOL": True}}) == 11 + 5 + 3
    # a list: 3 bytes + 1 a element + the elements; a map's elements carry their names
    assert item_size({"l": {"L": [{"S": "ab"}, {"M": {"k": {"S": "v"}}}]}}) == 1 + 3 + (1 + 2) + (1 + 3 + 1 + 1 + 1)
    assert item_size({"s": {"S": "é"}}) == 1 + 2  # UTF-8 bytes
    assert kind_of({"pk": {"S": "PAYOUT#m_1#po_2"}}) == "PAYOUT#"
    assert kind_of({"pk": {"S": "A#m:wallet:c:USD"}, "sk": {"S": "P#000000000001"}}) == "A#/P#"
    assert kind_of({"pk": {"S": "A#m:wallet:c:USD"}, "sk": {"S": "A"}}) == "A#/A"
    assert kind_of({"pk": {"S": "EVT#m_1"}, "sk": {"S": "evt_01"}}) == "EVT#"  # an id, not a tag
    assert kind_of({"id": {"S": "m_1:key"}}) == "(item)"
    assert [write_units(s, False) for s in (1, 1024, 1025, 3000)] == [1, 1, 2, 3]
    assert write_units(1025, True) == 4  # doubled inside a transaction


def test_meter_records_each_written_item_by_kind_with_its_size():
    meter = Meter().install()
    meter.reset()
    db = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    big = {"pk": {"S": "EVT#m_1"}, "sk": {"S": "evt_1"}, "body": {"S": "x" * 1500}}
    small = {"pk": {"S": "ORDER#m_1#o_1"}, "status": {"S": "PAID"}}
    with Stubber(db) as stub:
        stub.add_response("transact_write_items", {}, None)
        stub.add_response("put_item", {}, None)
        current_function.set("api")
        db.transact_write_items(TransactItems=[{"Put": {"TableName": "events", "Item": big}},
                                               {"Put": {"TableName": "main", "Item": small}}])
        db.put_item(TableName="main", Item=small)
        current_function.set(None)
    items = {(i["table"], i["kind"]): i for i in meter.snapshot()["items"]}
    assert items[("events", "EVT#")] | {"sizes": None} == {
        "function": "api", "table": "events", "kind": "EVT#", "count": 1, "units": 4, "sizes": None, "transactional": 1}
    assert items[("events", "EVT#")]["sizes"] == [2 + 7 + 2 + 5 + 4 + 1500]
    order = items[("main", "ORDER#")]
    assert (order["count"], order["units"], order["transactional"]) == (2, 3, 1)  # 2 in a transaction + 1


def test_operation_table_splits_an_operation_by_function_and_item_kind():
    from infra.tools.bench import operation_table, size_stats

    assert size_stats([5, 1, 3, 9]) == {"p50": 3, "max": 9} and size_stats([]) == {"p50": 0, "max": 0}
    snap = {"calls": [
        {"function": "api", "service": "dynamodb", "operation": "TransactWriteItems", "resource": "t", "count": 2, "units": 28.0},
        {"function": "api", "service": "dynamodb", "operation": "BatchGetItem", "resource": "t", "count": 2, "units": 4.0},
        {"function": "api", "service": "sqs", "operation": "SendMessage", "resource": "q", "count": 2, "units": 0},
        {"function": "fulfilment", "service": "dynamodb", "operation": "GetItem", "resource": "t", "count": 2, "units": 2.0},
        {"function": None, "service": "sqs", "operation": "ReceiveMessage", "resource": "q", "count": 9, "units": 0}],
        "invocations": {"api": 2, "fulfilment": 1}, "duration_s": {"api": 0.2, "fulfilment": 1.0},
        "billed_ms": {"api": 202, "fulfilment": 1000},
        "items": [{"function": "api", "table": "events", "kind": "EVT#", "count": 2, "units": 8, "sizes": [1100, 1500],
                   "transactional": 2},
                  {"function": "fulfilment", "table": "events", "kind": "EVT#", "count": 2, "units": 4, "sizes": [900, 950],
                   "transactional": 2},
                  {"function": "api", "table": "main", "kind": "ORDER#", "count": 2, "units": 4, "sizes": [500, 510],
                   "transactional": 2},
                  {"function": None, "table": "main", "kind": "X#", "count": 5, "units": 5, "sizes": [1],
                   "transactional": 0}]}
    t = operation_table(snap, 2, {"api": 1024, "fulfilment": 512})
    assert t["functions"]["api"] == {"invocations": 1.0, "requests": 3.0, "write_units": 14.0, "read_units": 2.0,
                                     "billed_ms": 101.0, "cpu_ms": 0.0, "gb_s": 0.1}
    assert t["functions"]["fulfilment"]["read_units"] == 1.0 and t["functions"]["fulfilment"]["billed_ms"] == 500.0
    assert t["total"]["write_units"] == 14.0 and t["total"]["requests"] == 4.0
    assert list(t["items"]) == ["EVT#", "ORDER#"]  # the dearest kind first; the runtime's own writes are no one's
    assert t["items"]["EVT#"] == {"table": "events", "written": 2.0, "write_units": 6.0, "write_units_within_1kb": 4.0,
                                  "p50_bytes": 950, "max_bytes": 1500}
    assert t["total"]["item_write_units"] == 8.0  # the committed items' sizes: 6 + 2
    only = operation_table(snap, 2, {}, functions={"fulfilment"})
    assert list(only["functions"]) == ["fulfilment"] and only["items"]["EVT#"]["written"] == 1.0


def test_summary_lines_and_parts(monkeypatch):
    from infra.tools import bench

    lone_sale = {"flash_sale": {"refusal_p99_ms": 812.4, "failed": 0}}
    assert bench.speed_lines(lone_sale) == ["flash sale refusals: p99 812 ms, failed 0"]
    report = {"usage_per_item": {"orders": {"dynamodb_wru": 19.96}, "payouts": {"dynamodb_wru": 24.04}},
              "cost": {"1M orders": {"total_usd": 24.5}, "1M payouts": {"total_usd": 25.01}},
              "levels": {"16": {"ratio_to_raw_order_requests": 0.856}, "64": {"ratio_to_raw_order_requests": 0.9}},
              "flash_sale": {"refusal_p99_ms": 812.4, "failed": 0}}
    assert bench.cost_lines(report) == ["write units per order: 20.0, per payout: 24.0",
                                        "1M orders: $24.50, 1M payouts: $25.01"]
    assert bench.speed_lines(report) == ["orders vs own raw requests: @16 0.86, @64 0.90",
                                         "flash sale refusals: p99 812 ms, failed 0"]
    # with the edge's empty round trip and the sale's rate: what the handler adds, and the queue's wait
    report["levels"] = {"16": {"per_s": 40.0, "raw_order_requests_per_s": 50.0, "http_noop_per_s": 200.0,
                               "ratio_to_raw_order_requests": 0.8}}
    report["flash_sale"] = {**report["flash_sale"], "per_s": 128.0, "clients": 64, "refusal_p50_ms": 450.0}
    assert bench.speed_lines(report) == [
        "orders vs own raw requests: @16 0.80",
        "orders vs own raw requests plus the edge's empty round trip: @16 1.00",
        "flash sale refusals: p99 812 ms, failed 0",
        "flash sale: 64 clients at 128 answers/s wait 500 ms on average (refusals p50 450 ms)"]
    report["flash_sale"] |= {"raw_refusal_per_s": 160.0, "raw_refusal_p99_ms": 702.2}
    assert bench.speed_lines(report)[-1] == "flash sale refusals vs their own raw requests: 0.80 (raw 160/s, p99 702 ms)"
    monkeypatch.setenv("BENCH_QUICK", "1")
    assert bench.parts() == ("operations",)
    monkeypatch.delenv("BENCH_QUICK")
    monkeypatch.setenv("BENCH_PARTS", "cold_init, flash_sale")
    assert bench.parts() == ("cold_init", "flash_sale")
    monkeypatch.setenv("BENCH_PARTS", "speed,nap")
    with pytest.raises(ValueError, match="nap"):
        bench.parts()


def test_meter_reads_an_updated_item_back_by_its_own_key():
    meter = Meter().install()
    meter.reset()
    db = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stored = {"id": {"S": "m_1:key"}, "response": {"S": "x" * 2000}}
    with Stubber(db) as stub:
        stub.add_response("update_item", {}, None)
        stub.add_response("batch_get_item", {"Responses": {"idem": [stored]}},
                          {"RequestItems": {"idem": {"Keys": [{"id": {"S": "m_1:key"}}], "ConsistentRead": True}}})
        current_function.set("api")
        db.update_item(TableName="idem", Key={"id": {"S": "m_1:key"}}, UpdateExpression="SET response = :r",
                       ExpressionAttributeValues={":r": {"S": "x" * 2000}})
        current_function.set(None)
    (row,) = meter.snapshot()["items"]
    assert (row["kind"], row["sizes"], row["units"]) == ("(item)", [2 + 7 + 8 + 2000], 2)
    assert [c["operation"] for c in meter.snapshot()["calls"]] == ["UpdateItem"]  # the read-back is not counted
