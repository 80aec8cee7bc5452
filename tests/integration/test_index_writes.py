"""The ``main`` table's ``by_merchant`` and ``due`` indexes on DynamoDB Local: they keep keys only,
so an update that moves neither index's keys writes neither, and what is read through them is the
item as the table holds it now."""
from __future__ import annotations

import uuid

import pytest
from payrail.core import ddb
from payrail.core.store import PAYOUT, MainTable, due, listed

from infra import catalog

pytestmark = pytest.mark.usefixtures("cloud")
TABLE = catalog.TABLES["main"].name


@pytest.fixture
def main() -> MainTable:
    return MainTable(TABLE)


def new_payout(main: MainTable, merchant_id: str, n: int, at: str, status: str = "PENDING") -> str:
    pid = f"po_{n:03d}_{uuid.uuid4().hex[:6]}"
    pk = PAYOUT.key(merchant_id, pid)
    item = {"pk": pk, "payout_id": pid, "merchant_id": merchant_id, "status": status, "amount": 100 + n,
            **listed(PAYOUT, merchant_id, pid, at), **due(PAYOUT, pid, at)}
    ddb.client().put_item(TableName=TABLE, Item={k: ddb.value(v) for k, v in item.items()})
    return pk


def index_units(update: dict) -> dict[str, float]:
    """Write units by index of one UpdateItem, as DynamoDB reports them (``INDEXES``)."""
    r = ddb.client().update_item(TableName=TABLE, ReturnConsumedCapacity="INDEXES", **update)
    return {name: u.get("CapacityUnits", 0.0)
            for name, u in r["ConsumedCapacity"].get("GlobalSecondaryIndexes", {}).items()}


def test_an_update_that_moves_no_index_key_writes_no_index_and_one_that_moves_the_timer_writes_due(main):
    mid = f"m_{uuid.uuid4().hex[:8]}"
    pk = new_payout(main, mid, 1, "2026-01-01T00:00:00.000000Z")
    key = {"pk": {"S": pk}}
    attrs = index_units({"Key": key, "UpdateExpression": "SET #s = :s, notes = :n",
                         "ExpressionAttributeNames": {"#s": "status"},
                         "ExpressionAttributeValues": {":s": {"S": "PROCESSING"}, ":n": {"S": "x" * 900}}})
    assert not any(attrs.get(i) for i in ("by_merchant", "due")), attrs
    moved = index_units({"Key": key, "UpdateExpression": "SET due_sk = :d",
                         "ExpressionAttributeValues": {":d": {"S": "2026-01-02T00:00:00.000000Z#x"}}})
    assert moved.get("due", 0) > 0 and not moved.get("by_merchant"), moved


def test_a_page_answers_the_items_as_the_table_holds_them_filtered_and_newest_first(main):
    mid = f"m_{uuid.uuid4().hex[:8]}"
    pks = [new_payout(main, mid, n, f"2026-01-01T00:00:0{n}.000000Z") for n in range(5)]
    main.update(pks[3], "SET #s = :s", {":s": "PAID"}, names={"#s": "status"})
    page = main.page(PAYOUT, mid, limit=2)
    assert [p["amount"] for p in page["data"]] == [104, 103] and page["has_more"] is True
    assert page["data"][1]["status"] == "PAID"  # the item's status now, not a copy the index kept
    paid = main.page(PAYOUT, mid, limit=10, where={"status": "PAID"})
    assert [p["amount"] for p in paid["data"]] == [103] and paid["has_more"] is False
    pending = main.page(PAYOUT, mid, limit=3, where={"status": "PENDING"})
    assert [p["amount"] for p in pending["data"]] == [104, 102, 101] and pending["has_more"] is True


def test_a_due_item_whose_timer_moved_on_or_ended_is_not_due(main):
    mid = f"m_{uuid.uuid4().hex[:8]}"
    at = "2020-01-01T00:00:00.000000Z"
    stays, later, ended = (new_payout(main, mid, n, at) for n in range(3))
    main.update(later, "SET due_sk = :d", {":d": "2999-01-01T00:00:00.000000Z#x"})
    main.update(ended, "REMOVE due_pk, due_sk", {})
    found = {i["pk"] for i in main.due_items(PAYOUT, "2020-06-01T00:00:00Z")}
    assert stays in found and later not in found and ended not in found
    assert next(i for i in main.due_items(PAYOUT, "2020-06-01T00:00:00Z") if i["pk"] == stays)["amount"] == 100
