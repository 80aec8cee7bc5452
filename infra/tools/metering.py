"""Counting what a workload costs on AWS: every botocore call in this process, by function,
service, operation and resource, with the DynamoDB capacity units each call consumed, and each
function's invocations and duration.

Used by ``make bench`` (in its own process for the order hot path, and in the local cloud's
function runtime when ``PAYRAIL_METER=1``: ``GET /_meter`` on the runtime's invoke port answers
:meth:`Meter.snapshot`, ``DELETE /_meter`` starts again). DynamoDB calls are sent with
``ReturnConsumedCapacity=TOTAL`` and the units DynamoDB Local reports are counted (per 1 KB
written, 4 KB read); Local reports transactions below DynamoDB's price (2 units an item at least),
so they count at no less than that. A call that fails (a cancelled transaction) consumes units
but reports none: it counts at its request's items (1 a write, 2 a transactional item).
"""
from __future__ import annotations

import contextvars
import threading
import time
from collections import defaultdict

#: the function whose invocation makes the current call (None: the runtime itself, e.g. a poller)
current_function: contextvars.ContextVar[str | None] = contextvars.ContextVar("payrail_meter_fn", default=None)

_CAPACITY_OPS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
                 "TransactWriteItems", "TransactGetItems"}
READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}


def _resource(service: str, params: dict) -> str:
    """What a call touches: a table (``<table>/<kind>`` for a one-item call, the kind being its key's
    first ``#`` part, e.g. ``payrail-main/APIKEY``), queue, state machine, bucket or secret."""
    if "TableName" in params:
        pk = (params.get("Key") or params.get("Item") or {}).get("pk", {}).get("S")
        return f"{params['TableName']}/{pk.split('#')[0]}" if pk else params["TableName"]
    if service == "dynamodb":
        for key in ("RequestItems",):
            if key in params:
                return ",".join(sorted(params[key]))
        if "TransactItems" in params:
            return ",".join(sorted({next(iter(a.values()))["TableName"] for a in params["TransactItems"]}))
    for key in ("QueueUrl", "stateMachineArn", "Bucket", "SecretId", "Name"):
        if key in params:
            return str(params[key]).rsplit("/", 1)[-1]
    return ""


def _units(resp: dict) -> float:
    cc = resp.get("ConsumedCapacity")
    if isinstance(cc, dict):
        cc = [cc]
    return float(sum(c.get("CapacityUnits", 0) for c in cc or []))


def _transaction_floor(op: str, params: dict) -> float:
    """DynamoDB charges a transaction 2 units per item (per KB written, 4 KB read) at least;
    DynamoDB Local reports less for transactions, so they are counted at no less than that."""
    if op in ("TransactWriteItems", "TransactGetItems"):
        return 2.0 * len(params.get("TransactItems", []))
    return 0.0


def _failed_units(op: str, params: dict) -> float:
    if op == "TransactWriteItems":
        return 2.0 * len(params.get("TransactItems", []))
    return 1.0


class Meter:
    """Process-wide counts (thread-safe). ``install()`` once; ``snapshot()``/``reset()``."""

    _installed = False

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with getattr(self, "lock", threading.Lock()):
            self.calls: dict[tuple, int] = defaultdict(int)
            self.units: dict[tuple, float] = defaultdict(float)
            self.invocations: dict[str, int] = defaultdict(int)
            self.duration_s: dict[str, float] = defaultdict(float)
            self.started = time.time()

    def record_invocation(self, fn: str, seconds: float) -> None:
        with self.lock:
            self.invocations[fn] += 1
            self.duration_s[fn] += seconds

    def snapshot(self) -> dict:
        """``{"calls": [{function, service, operation, resource, count, units}], "invocations":
        {fn: n}, "duration_s": {fn: s}, "seconds": since reset}``."""
        with self.lock:
            rows = [{"function": k[0], "service": k[1], "operation": k[2], "resource": k[3], "count": n,
                     "units": round(self.units.get(k, 0.0), 2)} for k, n in sorted(self.calls.items(), key=str)]
            return {"calls": rows, "invocations": dict(self.invocations), "duration_s": dict(self.duration_s),
                    "seconds": time.time() - self.started}

    def install(self) -> "Meter":
        """Wrap ``botocore.client.BaseClient._make_api_call`` (every client of this process)."""
        from botocore.client import BaseClient

        if Meter._installed:
            return self
        Meter._installed = True
        real = BaseClient._make_api_call
        meter = self

        def counted(client, operation_name, api_params):
            service = client.meta.service_model.service_name
            params = dict(api_params)
            capacity = service == "dynamodb" and operation_name in _CAPACITY_OPS
            if capacity:
                params.setdefault("ReturnConsumedCapacity", "TOTAL")
            key = (current_function.get(), service, operation_name, _resource(service, params))
            try:
                resp = real(client, operation_name, params)
            except Exception:
                with meter.lock:
                    meter.calls[key] += 1
                    if capacity:
                        meter.units[key] += _failed_units(operation_name, params)
                raise
            with meter.lock:
                meter.calls[key] += 1
                if capacity:
                    meter.units[key] += max(_units(resp), _transaction_floor(operation_name, params))
                elif service == "events" and operation_name == "PutEvents":  # billed per event
                    meter.units[key] += len(params.get("Entries", []))
            return resp

        BaseClient._make_api_call = counted
        return self


METER = Meter()
