"""Data access for the ``main`` table (merchants, keys, products, orders, payouts, jobs).

Every item has one key attribute ``pk = <TYPE>#<merchant_id>#<id>``: the merchant is part of
the key, so another merchant's id simply does not exist for the caller (tenant isolation by
construction), and items spread over partitions. Status changes are conditional updates
guarded by the status they leave, and append to ``status_history``.
"""
from __future__ import annotations

from botocore.exceptions import ClientError

from payrail import ddb
from payrail.errors import Conflict
from payrail.ledger import now_iso


def key(kind: str, *parts: str) -> str:
    """``key("ORDER", "m_1", "ord_2") == "ORDER#m_1#ord_2"``."""
    return "#".join((kind, *parts))


def public(item: dict | None) -> dict | None:
    """The item as clients see it: without the key, the internal ``type`` tag and the request fingerprint."""
    if item is not None:
        for internal in ("pk", "type", "request_fingerprint"):
            item.pop(internal, None)
    return item


class MainTable:
    """Thin conditional-write helpers over the ``main`` table."""

    def __init__(self, table: str, client=None):
        self.table = table
        self.db = client or ddb.client()

    def get(self, pk: str, consistent: bool = True, raw: bool = False) -> dict | None:
        """The item (as clients see it, or ``raw`` with its internal attributes), or None."""
        r = self.db.get_item(TableName=self.table, Key={"pk": ddb.value(pk)}, ConsistentRead=consistent)
        item = ddb.load(r.get("Item"))
        return item if raw else public(item)

    def put_action(self, pk: str, item: dict) -> dict:
        """A ``TransactWriteItems`` Put that only creates (``attribute_not_exists``)."""
        return {"Put": {"TableName": self.table, "Item": ddb.dump({"pk": pk, **item}),
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def put_new(self, pk: str, item: dict) -> bool:
        """Create the item; False if it already existed (nothing written)."""
        try:
            self.db.put_item(**self.put_action(pk, item)["Put"])
            return True
        except ClientError as err:
            if ddb.is_code(err, "ConditionalCheckFailedException"):
                return False
            raise

    def transition_action(self, pk: str, from_status: tuple[str, ...], to_status: str,
                          sets: dict | None = None, detail: str | None = None, ts: str | None = None) -> dict:
        """An Update action moving ``status`` from one of ``from_status`` to ``to_status``.

        Sets the fields in ``sets`` and appends ``{status, at, detail}`` to ``status_history``.
        """
        ts = ts or now_iso()
        entry = {"status": to_status, "at": ts} | ({"detail": detail} if detail else {})
        values = {":to": to_status, ":ts": ts, ":h": [entry]}
        names = {"#s": "status"}
        exprs = ["#s = :to", "updated_at = :ts", "status_history = list_append(status_history, :h)"]
        for i, (k, v) in enumerate((sets or {}).items()):
            names[f"#f{i}"] = k
            values[f":f{i}"] = v
            exprs.append(f"#f{i} = :f{i}")
        conds = []
        for i, s in enumerate(from_status):
            values[f":from{i}"] = s
            conds.append(f":from{i}")
        return {"Update": {"TableName": self.table, "Key": {"pk": ddb.value(pk)},
                           "UpdateExpression": "SET " + ", ".join(exprs),
                           "ConditionExpression": f"#s IN ({', '.join(conds)})",
                           "ExpressionAttributeNames": names,
                           "ExpressionAttributeValues": {k: ddb.value(v) for k, v in values.items()}}}

    def transition(self, pk: str, from_status: tuple[str, ...], to_status: str, sets: dict | None = None,
                   detail: str | None = None) -> dict:
        """Apply :meth:`transition_action` alone and return the new item.

        Raises:
            Conflict: the item is not in one of ``from_status`` (or does not exist).
        """
        upd = self.transition_action(pk, from_status, to_status, sets, detail)["Update"]
        try:
            r = self.db.update_item(**upd, ReturnValues="ALL_NEW")
        except ClientError as err:
            if ddb.is_code(err, "ConditionalCheckFailedException"):
                raise Conflict(f"{pk} is not in {from_status}", code="invalid_state") from err
            raise
        return public(ddb.load(r["Attributes"]))

    def update(self, pk: str, expression: str, values: dict, names: dict | None = None,
               condition: str | None = None) -> dict:
        kw = dict(TableName=self.table, Key={"pk": ddb.value(pk)}, UpdateExpression=expression,
                  ExpressionAttributeValues={k: ddb.value(v) for k, v in values.items()}, ReturnValues="ALL_NEW")
        if names:
            kw["ExpressionAttributeNames"] = names
        if condition:
            kw["ConditionExpression"] = condition
        return public(ddb.load(self.db.update_item(**kw)["Attributes"]))
