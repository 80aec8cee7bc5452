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
        stub.add_client_error("transact_write_items", "TransactionCanceledException")
        current_function.set("api")
        db.get_item(TableName="main", Key={"pk": {"S": "ORDER#m#o"}})
        with pytest.raises(Exception):
            db.transact_write_items(TransactItems=[{"Put": {"TableName": "ledger", "Item": {"pk": {"S": "x"}}}}] * 3)
        current_function.set(None)
    rows = {(r["function"], r["operation"], r["resource"]): r for r in meter.snapshot()["calls"]}
    assert rows[("api", "GetItem", "main/ORDER")]["units"] == 1.0  # one-item calls name the item's kind
    assert rows[("api", "TransactWriteItems", "ledger")] == {  # a cancelled transaction: 2 units an item
        "function": "api", "service": "dynamodb", "operation": "TransactWriteItems", "resource": "ledger",
        "count": 1, "units": 6.0}
    meter.record_invocation("api", 0.5)
    assert meter.snapshot()["duration_s"]["api"] == 0.5


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
    """What only some routes need is imported on first use (cold starts)."""
    fn = catalog.FUNCTIONS["api"]
    code = (f"import sys, importlib.util; sys.path.insert(0, {str(fn.folder)!r})\n"
            f"spec = importlib.util.spec_from_file_location('h', {str(fn.folder / 'handler.py')!r})\n"
            "m = importlib.util.module_from_spec(spec); sys.modules['h'] = m; spec.loader.exec_module(m)\n"
            "import json; print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] in "
            "('schwifty', 'phonenumbers', 'requests') or k.startswith('aws_lambda_powertools.event_handler.openapi.models')"
            " or k in ('payrail.payouts.service', 'payrail.payouts.beneficiaries', 'payrail.webhooks.delivery'))))")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "payrail"), "AWS_DEFAULT_REGION": "us-east-1",
           **catalog.RUNTIME_ENV}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd="/tmp")
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


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
