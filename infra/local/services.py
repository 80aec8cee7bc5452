"""Local stand-in for the fulfilment service (the payout providers' stand-ins are in
:mod:`infra.local.standins`).

A small HTTP server on loopback, idempotent by
``Idempotency-Key``, answers status lookups and cancels, keeps its state in a file, and has a
control endpoint (``POST /_control {"mode": "ok"|"fail"|"slow"|"lost"|"unavailable"|"error"|"hang",
"delay_seconds", "fulfil"?}``) so tests can make it refuse, stall, lose its answers, go away, fail
with 500s, hang after receipt, or deliver a key late; ``GET /_stats`` counts the calls it received,
the fulfilments and the cancels per order.
"""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import unquote

from infra.local.httpserver import JsonHandler, serve


class FulfilmentState:
    """The stand-in fulfilment service's memory, one record per ``Idempotency-Key``:
    ``{order_id, status: PROCESSING|FULFILLED|FAILED|CANCELLED, fulfilment_id?, reason?}``, the
    cancels received per order, and how many times each order was fulfilled (the work done: the service does it once per key, so an order
    fulfilled twice was sent under two keys).

    Kept in the JSON file ``path`` when given, so it survives a restart of the platform; work in
    progress at a restart is finished when the file is loaded (the service keeps what it accepted).
    """

    def __init__(self, path: Path | None = None):
        self.path = path
        self.mode, self.delay = "ok", 10.0
        self.calls = {"posts": 0, "lookups": 0, "cancels": 0}
        self.records: dict[str, dict] = {}
        self.fulfilled: dict[str, int] = {}
        self.cancels: dict[str, int] = {}
        self.lock = threading.Lock()
        if path and path.exists():
            saved = json.loads(path.read_text())
            self.records, self.fulfilled = saved["records"], saved["fulfilled"]
            for key, r in self.records.items():
                if r["status"] == "PROCESSING":
                    self._complete(key, failed=False)
            self._save()

    def receive(self, key: str, body: dict) -> tuple[int, dict] | None:
        """A POST with ``key``: the answer for a key seen before (the first result, or 409 while
        the first request is in progress), or None after recording the new key as PROCESSING (the
        caller then does the work and calls :meth:`complete`)."""
        with self.lock:
            self.calls["posts"] += 1
            r = self.records.get(key)
            if r is None:
                self.records[key] = {"order_id": body.get("order_id"), "status": "PROCESSING"}
                self._save()
                return None
            if r["status"] == "PROCESSING":
                return 409, {**r, "message": "a request with this Idempotency-Key is in progress"}
            if r["status"] == "CANCELLED":
                return 422, {**r, "status": "FAILED", "reason": "the order was cancelled"}
            return (200 if r["status"] == "FULFILLED" else 422), dict(r)

    def cancel(self, key: str, order_id: str) -> tuple[int, dict]:
        """A cancel of ``key``: 409 with the fulfilment when it was delivered; otherwise the key is
        CANCELLED (work in progress stops, a later POST is refused; a FAILED one stays FAILED) and
        the answer is 200."""
        with self.lock:
            self.calls["cancels"] += 1
            self.cancels[order_id] = self.cancels.get(order_id, 0) + 1
            r = self.records.get(key)
            if r is not None and r["status"] == "FULFILLED":
                return 409, {**r, "message": "fulfilled already; too late to cancel"}
            if r is None or r["status"] == "PROCESSING":
                r = self.records[key] = {"order_id": order_id, "status": "CANCELLED"}
                self._save()
            return 200, dict(r)

    def fulfil_late(self, key: str, order_id: str) -> dict:
        """Deliver ``key`` now, as a request that reached the service late would (unless it is
        final already). Returns the record."""
        with self.lock:
            r = self.records.get(key)
            if r is None or r["status"] == "PROCESSING":
                self.records[key] = {"order_id": order_id, "status": "PROCESSING"}
                r = self._complete(key, failed=False)
                self._save()
            return dict(r)

    def complete(self, key: str, failed: bool) -> tuple[int, dict]:
        """Finish the work of ``key``: fulfilled, or refused when ``failed``. Returns the answer."""
        with self.lock:
            r = dict(self._complete(key, failed))
            self._save()
        return (422 if failed else 200), r

    def lookup(self, key: str) -> dict | None:
        with self.lock:
            self.calls["lookups"] += 1
            r = self.records.get(key)
            return dict(r) if r else None

    def stats(self) -> dict:
        with self.lock:
            return {"mode": self.mode, "delay_seconds": self.delay, **self.calls,
                    "orders": len(self.fulfilled), "fulfilled": dict(self.fulfilled), "cancelled": dict(self.cancels)}

    def _complete(self, key: str, failed: bool) -> dict:
        r = self.records[key]
        if failed:
            r.update(status="FAILED", reason="fulfilment refused the order")
        else:
            r.update(status="FULFILLED", fulfilment_id="ful_" + uuid.uuid4().hex[:12])
            self.fulfilled[r["order_id"]] = self.fulfilled.get(r["order_id"], 0) + 1
        return r

    def _save(self) -> None:
        if self.path:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"records": self.records, "fulfilled": self.fulfilled}))
            os.replace(tmp, self.path)


def serve_fulfilment(host: str, port: int, state_file: Path | None = None):
    """The fulfilment service (protocol in ``payrail.commerce.fulfilment``): ``POST /fulfilments`` (or
    ``/fulfil``) with ``Idempotency-Key``, ``GET /fulfilments/<key>``, ``POST
    /fulfilments/<key>/cancel``; state in ``state_file``.

    Modes (``POST /_control {"mode", "delay_seconds"}``), for new keys: ``ok`` fulfils and answers;
    ``fail`` refuses (422); ``slow`` answers after ``delay_seconds`` (the work is done then);
    ``lost`` fulfils, then drops the connection without an answer; ``unavailable`` answers 503 to
    everything, status lookups and cancels included, and does nothing; ``error`` answers 500 to
    everything and does nothing (an unknown outcome: the caller cannot tell); ``hang`` records the
    key (PROCESSING, so lookups say so), holds the request ``delay_seconds`` and drops it without an
    answer, and never completes the work (a cancel stops it). ``{"fulfil": key, "order_id"?}``
    delivers ``key`` now, whatever the mode (a request that reached the service late). ``GET
    /_stats`` counts calls, fulfilments and cancels per order.
    """
    state = FulfilmentState(state_file)

    class H(JsonHandler):
        def do_POST(self):
            body = self.body()
            if self.path == "/_control":
                if body.get("fulfil"):
                    state.fulfil_late(body["fulfil"], body.get("order_id") or body["fulfil"])
                with state.lock:
                    state.mode = body.get("mode", state.mode)
                    state.delay = float(body.get("delay_seconds", state.delay))
                return self.reply(200, {"mode": state.mode, "delay_seconds": state.delay})
            path = self.path.rstrip("/")
            cancel = path.startswith("/fulfilments/") and path.endswith("/cancel")
            if not cancel and path not in ("/fulfil", "/fulfilments"):
                return self.reply(404, {"message": "not found"})
            mode, delay = state.mode, state.delay
            if mode == "unavailable":
                return self.reply(503, {"message": "fulfilment: unavailable on purpose"})
            if mode == "error":
                return self.reply(500, {"message": "fulfilment: internal error on purpose"})
            key = self.headers.get("idempotency-key")
            if not key:
                return self.reply(400, {"status": "FAILED", "reason": "Idempotency-Key header required"})
            if cancel:
                return self.reply(*state.cancel(key, unquote(path.removeprefix("/fulfilments/").removesuffix("/cancel"))))
            answer = state.receive(key, body)
            if answer is None:
                if mode == "hang":
                    time.sleep(delay)  # received and recorded; the answer never comes, the work never ends
                    self.close_connection = True
                    return
                if mode == "slow":
                    time.sleep(delay)
                answer = state.complete(key, failed=mode == "fail")
                if mode == "lost":
                    self.close_connection = True  # the work is done; the answer never leaves
                    return
            try:
                self.reply(*answer)
            except OSError:  # the caller gave up waiting (slow mode)
                self.close_connection = True

        def do_GET(self):
            if self.path == "/_stats":
                return self.reply(200, state.stats())
            if not self.path.startswith("/fulfilments/"):
                return self.reply(404, {"message": "not found"})
            if state.mode == "unavailable":
                return self.reply(503, {"message": "fulfilment: unavailable on purpose"})
            if state.mode == "error":
                return self.reply(500, {"message": "fulfilment: internal error on purpose"})
            record = state.lookup(unquote(self.path.removeprefix("/fulfilments/")))
            self.reply(200, record) if record else self.reply(404, {"message": "no fulfilment with this key"})

    return serve(host, port, H, "fulfilment"), state
