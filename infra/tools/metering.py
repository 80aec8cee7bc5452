"""Counting what a workload costs on AWS: every botocore call in this process, by function,
service, operation and resource, with the DynamoDB capacity units each call consumed, and each
function's invocations, duration and CPU time.

Used by ``make bench`` (in its own process for the order hot path, and in the local cloud's
function runtime when ``PAYRAIL_METER=1``: ``GET /_meter`` on the runtime's invoke port answers
:meth:`Meter.snapshot`, ``DELETE /_meter`` starts again). DynamoDB calls are sent with
``ReturnConsumedCapacity=TOTAL`` and the units DynamoDB Local reports are counted (per 1 KB
written, 4 KB read); Local reports transactions below DynamoDB's price (2 units an item at least),
so they count at no less than that. A call that fails (a cancelled transaction) consumes units
but reports none: it counts at its request's items (1 a write, 2 a transactional item).

Every item a successful write creates or changes is also counted by *kind* (:func:`kind_of`: its
``pk`` prefix, e.g. ``PAYOUT#``, and for a tag-like sort key the tag, e.g. ``A#/P#`` for a
ledger posting) with its size in bytes (:func:`item_size`, DynamoDB's rule) and the write units
DynamoDB bills it (one per started KB, twice inside a transaction). A ``Put`` is measured from
the request; an ``Update`` from the item after it, read back by the meter once the write
succeeded — a read that is neither counted nor billed to the invocation's duration.
"""
from __future__ import annotations

import contextvars
import json
import math
import threading
import time
from collections import defaultdict
from decimal import Decimal

#: the function whose invocation makes the current call (None: the runtime itself, e.g. a poller)
current_function: contextvars.ContextVar[str | None] = contextvars.ContextVar("payrail_meter_fn", default=None)

_CAPACITY_OPS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
                 "TransactWriteItems", "TransactGetItems"}
READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
#: the sizes kept per item kind and function (enough for a p50 and the max of a bench's runs)
MAX_SIZES = 20_000


def _value_size(v: dict) -> int:
    """Bytes of one attribute value (DynamoDB's item size rule: strings and binaries their UTF-8
    length, numbers about one byte per two significant digits plus one, lists and maps 3 bytes
    plus one per element and their elements, names included)."""
    (t, x), = v.items()
    if t == "S":
        return len(x.encode())
    if t == "N":
        digits = len(str(abs(Decimal(x)).normalize()).replace(".", "").lstrip("0")) or 1
        return (digits + 1) // 2 + 1
    if t == "B":
        return len(x)
    if t in ("BOOL", "NULL"):
        return 1
    if t in ("SS", "NS", "BS"):
        return sum(_value_size({t[0]: e}) for e in x)
    if t == "L":
        return 3 + sum(1 + _value_size(e) for e in x)
    if t == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(e) for k, e in x.items())
    return 0


def item_size(item: dict) -> int:
    """Bytes of an item in DynamoDB's attribute-value form (names plus values)."""
    return sum(len(k.encode()) + _value_size(v) for k, v in item.items())


def kind_of(key: dict) -> str:
    """An item's kind from its key: the ``pk`` prefix up to its first ``#`` (``PAYOUT#``), and
    when the sort key starts with an upper-case tag, that tag too (``A#/A`` an account, ``A#/P#``
    a posting, ``J#/J`` a journal); a key with no ``#`` is its own kind."""
    if "pk" not in key:  # a table keyed otherwise (the idempotency records): one kind
        return "(item)"
    pk = key["pk"].get("S", "")
    kind = pk.split("#", 1)[0] + "#" if "#" in pk else pk
    sk = key.get("sk", {}).get("S")
    if sk:
        tag = sk.split("#", 1)[0]
        if tag.isalpha() and tag.isupper():
            kind += "/" + tag + ("#" if "#" in sk else "")
    return kind


def write_units(size: int, transactional: bool) -> int:
    """DynamoDB's write units for one item of ``size`` bytes: one per started KB, doubled in a transaction."""
    return max(1, math.ceil(size / 1024)) * (2 if transactional else 1)


def _written(operation: str, params: dict) -> list[tuple[str, dict, dict | None, bool]]:
    """``(table, key, item or None, transactional)`` of each item a write request creates or
    changes (``None``: an update, to be read back)."""
    out = []
    if operation == "PutItem":
        out.append((params["TableName"], params["Item"], params["Item"], False))
    elif operation == "UpdateItem":
        out.append((params["TableName"], params["Key"], None, False))
    elif operation == "BatchWriteItem":
        for table, reqs in params.get("RequestItems", {}).items():
            out += [(table, r["PutRequest"]["Item"], r["PutRequest"]["Item"], False) for r in reqs if "PutRequest" in r]
    elif operation == "TransactWriteItems":
        for action in params.get("TransactItems", []):
            if "Put" in action:
                out.append((action["Put"]["TableName"], action["Put"]["Item"], action["Put"]["Item"], True))
            elif "Update" in action:
                out.append((action["Update"]["TableName"], action["Update"]["Key"], None, True))
    return out


def _resource(service: str, params: dict) -> str:
    """What a call touches: a table (``<table>/<kind>`` for a one-item call, the kind being its key's
    first ``#`` part, e.g. ``payrail-main/APIKEY``; ``<table>/<kind>+<kind>`` for a batch read of one
    table), tables, queue, state machine, bucket or secret."""
    if "TableName" in params:
        pk = (params.get("Key") or params.get("Item") or {}).get("pk", {}).get("S")
        return f"{params['TableName']}/{pk.split('#')[0]}" if pk else params["TableName"]
    if service == "dynamodb":
        if "RequestItems" in params:
            tables = params["RequestItems"]
            if len(tables) == 1:
                (table, request), = tables.items()
                kinds = sorted({k.get("pk", {}).get("S", "").split("#")[0] for k in request.get("Keys", ())} - {""})
                return f"{table}/{'+'.join(kinds)}" if kinds else table
            return ",".join(sorted(tables))
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
    _active: "Meter | None" = None

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with getattr(self, "lock", threading.Lock()):
            self.calls: dict[tuple, int] = defaultdict(int)
            self.units: dict[tuple, float] = defaultdict(float)
            self.invocations: dict[str, int] = defaultdict(int)
            self.duration_s: dict[str, float] = defaultdict(float)
            self.billed_ms: dict[str, int] = defaultdict(int)
            #: CPU seconds of the invocations (their thread's and the pool work they handed out)
            self.cpu_s: dict[str, float] = defaultdict(float)
            #: (function, table, kind) -> [count, write units by size, [sizes], count inside transactions]
            self.items: dict[tuple, list] = {}
            self.started = time.time()

    def record_invocation(self, fn: str, seconds: float, cpu_seconds: float = 0.0) -> None:
        """One invocation of ``fn`` that took ``seconds`` of wall time and ``cpu_seconds`` of its
        own thread's CPU (the CPU of pool work it handed out is added here; the meter's own
        read-backs made for it are taken off both); Lambda bills it by the started millisecond."""
        cell, cpu = _overhead.get(), _cpu.get()
        seconds = max(0.0, seconds - (cell[0] if cell else 0.0))
        cpu_seconds = max(0.0, cpu_seconds + (cpu[0] if cpu else 0.0) - (cell[1] if cell else 0.0))
        _overhead.set(None)
        _cpu.set(None)
        with self.lock:
            self.invocations[fn] += 1
            self.duration_s[fn] += seconds
            self.cpu_s[fn] += cpu_seconds
            self.billed_ms[fn] += max(1, math.ceil(seconds * 1000))

    def record_item(self, fn: str | None, table: str, key: dict, size: int, transactional: bool) -> None:
        with self.lock:
            row = self.items.setdefault((fn, table, kind_of(key)), [0, 0, [], 0])
            row[0] += 1
            row[1] += write_units(size, transactional)
            row[3] += transactional
            if len(row[2]) < MAX_SIZES:
                row[2].append(size)

    def snapshot(self) -> dict:
        """``{"calls": [{function, service, operation, resource, count, units}], "invocations":
        {fn: n}, "duration_s": {fn: s}, "cpu_s": {fn: s}, "billed_ms": {fn: ms}, "items": [{function,
        table, kind, count, units, sizes, transactional}], "seconds": since reset}`` (``units`` of an item row:
        the write units its sizes cost, :func:`write_units`; ``transactional``: how many of its
        writes were inside a transaction)."""
        with self.lock:
            rows = [{"function": k[0], "service": k[1], "operation": k[2], "resource": k[3], "count": n,
                     "units": round(self.units.get(k, 0.0), 2)} for k, n in sorted(self.calls.items(), key=str)]
            items = [{"function": k[0], "table": k[1], "kind": k[2], "count": v[0], "units": v[1], "sizes": list(v[2]),
                      "transactional": v[3]}
                     for k, v in sorted(self.items.items(), key=str)]
            return {"calls": rows, "invocations": dict(self.invocations), "duration_s": dict(self.duration_s),
                    "cpu_s": dict(self.cpu_s), "billed_ms": dict(self.billed_ms), "items": items,
                    "seconds": time.time() - self.started}

    def install(self) -> "Meter":
        """Wrap ``botocore.client.BaseClient._make_api_call`` (every client of this process), and
        make work a handler hands to a thread pool run in the handler's context (so its calls
        count for its function)."""
        from concurrent.futures import ThreadPoolExecutor

        from botocore.client import BaseClient

        Meter._active = self  # the meter counting from now on (one per process in use)
        if Meter._installed:
            return self
        Meter._installed = True
        submit = ThreadPoolExecutor.submit

        def in_context(pool, fn, /, *args, **kwargs):
            return submit(pool, contextvars.copy_context().run, _cpu_counted, fn, *args, **kwargs)
        ThreadPoolExecutor.submit = in_context
        real = BaseClient._make_api_call

        def counted(client, operation_name, api_params):
            meter = Meter._active
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
            if capacity:
                meter._sizes(client, real, key[0], operation_name, params, resp)
            return resp

        BaseClient._make_api_call = counted
        return self

    def _sizes(self, client, real, fn: str | None, operation: str, params: dict, resp: dict) -> None:
        """Record each item the successful write ``params`` made (updated ones read back, uncounted,
        unless the answer carries the whole new item)."""
        written = _written(operation, params)
        if operation == "UpdateItem" and params.get("ReturnValues") == "ALL_NEW" and resp.get("Attributes"):
            written = [(params["TableName"], params["Key"], resp["Attributes"], False)]
        if not written:
            return
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            def ident(table: str, key: dict, names) -> tuple:
                return (table, *(json.dumps(key.get(n), sort_keys=True) for n in names))
            unread: dict[str, list[dict]] = {}
            for table, key, item, _ in written:
                if item is None:
                    unread.setdefault(table, []).append(key)
            after: dict[tuple, dict] = {}
            for table, keys in unread.items():
                names = sorted(keys[0])
                for start in range(0, len(keys), 100):
                    r = real(client, "BatchGetItem", {"RequestItems": {table: {"Keys": keys[start:start + 100],
                                                                               "ConsistentRead": True}}})
                    for it in r.get("Responses", {}).get(table, []):
                        after[ident(table, it, names)] = it
            for table, key, item, tx in written:
                if item is None:
                    item = after.get(ident(table, key, sorted(key)))
                    if item is None:  # deleted meanwhile
                        continue
                self.record_item(fn, table, key, item_size(item), tx)
        except Exception:  # noqa: BLE001 - the meter never fails the call it measures
            pass
        finally:
            cell = _overhead.get()
            if cell is None:
                _overhead.set(cell := [0.0, 0.0])
            cell[0] += time.perf_counter() - t0
            cell[1] += time.thread_time() - c0


#: ``[wall seconds, CPU seconds]`` the meter spent on its own reads in this invocation (a cell
#: shared with the pool threads it hands work to once it exists; :func:`begin_invocation` gives
#: each its own)
_overhead: contextvars.ContextVar[list | None] = contextvars.ContextVar("payrail_meter_overhead", default=None)
#: ``[CPU seconds]`` of the pool work the current invocation handed out (shared with those threads)
_cpu: contextvars.ContextVar[list | None] = contextvars.ContextVar("payrail_meter_cpu", default=None)


def _cpu_counted(fn, /, *args, **kwargs):
    """Run pool work ``fn`` and add its thread's CPU time to its invocation's (when it has one)."""
    c0 = time.thread_time()
    try:
        return fn(*args, **kwargs)
    finally:
        if (cell := _cpu.get()) is not None:
            cell[0] += time.thread_time() - c0


def begin_invocation(fn: str) -> None:
    """The current context runs an invocation of ``fn`` (the runtime calls this first)."""
    current_function.set(fn)
    _overhead.set([0.0, 0.0])
    _cpu.set([0.0])

METER = Meter()
