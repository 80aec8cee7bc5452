"""The ``main`` table's ``by_status`` key: payouts and payments carry one from creation and at
every status change (so the operator's lists follow them), other kinds never; clients never see it."""
from payrail.core.store import ORDER, PAYMENT, PAYOUT, STATUS_SHARDS, MainTable, public, status_pk


def table() -> MainTable:
    return MainTable("payrail-main", client=object())  # actions only: no request is made


def test_a_new_payout_or_payment_is_keyed_by_its_status_and_an_order_is_not():
    t = table()
    pk = PAYOUT.key("m_1", "po_1")
    item = t.put_action(pk, {"status": "IN_REVIEW", "list_sk": "2026-01-01T00:00:00Z#po_1"})["Put"]["Item"]
    assert item["status_pk"]["S"] == status_pk(pk, "IN_REVIEW")
    assert item["status_pk"]["S"].startswith("PAYOUT#IN_REVIEW#") and 0 <= int(item["status_pk"]["S"][-2:]) < STATUS_SHARDS
    assert "status_pk" in t.put_action(PAYMENT.key("m_1", "p"), {"status": "INITIATED", "list_sk": "x"})["Put"]["Item"]
    assert "status_pk" not in t.put_action(ORDER.key("m_1", "o"), {"status": "PLACED", "list_sk": "x"})["Put"]["Item"]


def test_a_status_change_moves_the_key_and_other_updates_leave_it():
    t = table()
    pk = PAYOUT.key("m_1", "po_1")
    upd = t.transition_action(pk, ("IN_REVIEW",), "PENDING")["Update"]
    names = upd["ExpressionAttributeNames"]
    alias = next(a for a, n in names.items() if n == "status_pk")
    value = next(v for v in upd["ExpressionAttributeValues"].values() if v.get("S") == status_pk(pk, "PENDING"))
    assert f"{alias} = " in upd["UpdateExpression"] and value
    assert status_pk(pk, "PENDING")[-2:] == status_pk(pk, "IN_REVIEW")[-2:]  # one shard per item
    other = t.update_action(pk, sets={"checks": 1}, from_status=("PROCESSING",))["Update"]
    assert "status_pk" not in other.get("ExpressionAttributeNames", {}).values()
    order = t.transition_action(ORDER.key("m_1", "o"), ("PLACED",), "FULFILLED")["Update"]
    assert "status_pk" not in order["ExpressionAttributeNames"].values()


def test_clients_never_see_the_index_key():
    assert "status_pk" not in public({"pk": "PAYOUT#m#p", "status_pk": "PAYOUT#PENDING#01", "status": "PENDING"})


class LaggingIndex:
    """A DynamoDB client whose ``by_status`` index still lists a payout under the status it just
    left as well as its new one (as a GSI does for a moment); BatchGetItem refuses repeated keys."""

    def __init__(self):
        self.item = {"pk": {"S": "PAYOUT#m_1#po_1"}, "status": {"S": "PROCESSING"},
                     "list_sk": {"S": "2026-01-01T00:00:00.000000Z#po_1"}, "payout_id": {"S": "po_1"}}

    def query(self, **kw):
        status = kw["ExpressionAttributeValues"][":p"]["S"].split("#")[1]
        shard = kw["ExpressionAttributeValues"][":p"]["S"].split("#")[2]
        hit = status in ("PENDING", "PROCESSING") and shard == status_pk("PAYOUT#m_1#po_1", status)[-2:]
        return {"Items": [{"pk": self.item["pk"], "list_sk": self.item["list_sk"]}] if hit else []}

    def batch_get_item(self, RequestItems):
        keys = [k["pk"]["S"] for t in RequestItems.values() for k in t["Keys"]]
        if len(keys) != len(set(keys)):
            raise ValueError("Provided list of item keys contains duplicates")
        return {"Responses": {t: [self.item] for t in RequestItems}, "UnprocessedKeys": {}}


def test_an_item_listed_under_two_statuses_by_the_lagging_index_is_read_and_listed_once():
    t = MainTable("payrail-main", client=LaggingIndex())
    page = t.across(PAYOUT, ("PENDING", "IN_REVIEW", "PROCESSING", "ON_HOLD"), limit=10)
    assert [p["payout_id"] for p in page["data"]] == ["po_1"] and page["has_more"] is False
