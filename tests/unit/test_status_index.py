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
